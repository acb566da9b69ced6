import type { Blueprint, BlueprintFormat, Diagnostic } from './model.js';
import { projectKeyFor } from './naming.js';

/** A blueprint with nothing in it but the diagnostics that explain why (unreadable, invalid...). */
export function emptyBlueprint(file: string, format: BlueprintFormat, diagnostics: Diagnostic[]): Blueprint {
  return {
    file,
    format,
    project_key: projectKeyFor(undefined, null, file),
    title: null,
    frontmatter: {},
    sections: [],
    items: [],
    recipes: [],
    validation: [],
    diagnostics,
  };
}
