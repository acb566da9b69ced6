// The empty Blueprint and BlueprintItem the parsers start from, so both formats (and tests) fill the
// same shape and a new field gets its empty value in one place.
import type { Blueprint, BlueprintFormat, BlueprintItem, Diagnostic } from './model.js';
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

/**
 * An unchecked top-level item with every optional field at its empty value (null or []); parsers
 * and tests spread what they know on top. `depends_lines` is left out: only parsers record it.
 */
export function emptyItem(id: string, title: string, line: number, order: number): BlueprintItem {
  return {
    id,
    title,
    line,
    parent_id: null,
    description: null,
    acceptance_criteria: [],
    depends_on: [],
    dependency_specs: [],
    recipe: null,
    tests: [],
    priority: null,
    labels: [],
    assignees: [],
    required_tools: [],
    skills: [],
    due: null,
    sequence: null,
    estimate: null,
    effort: null,
    value: null,
    risk: null,
    agent_role: null,
    parallelizable: null,
    batch: null,
    checked: false,
    order,
  };
}
