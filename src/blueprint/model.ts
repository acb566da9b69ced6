// The parsed form of a blueprint document (DESIGN §3). Every format (markdown, YAML, JSON) parses to
// this one model, so lint, sync and the ITUV phases never care where an item came from. The shapes a
// user sees (items, recipes, diagnostics) are contracts (src/contracts/blueprint.ts).

export {
  DEPENDENCY_POLICIES,
  PRIORITIES,
  SEQUENCES,
  type BlueprintFormat,
  type BlueprintItem,
  type DependencyPolicy,
  type DependencySpec,
  type Diagnostic,
  type Priority,
  type Recipe,
  type RecipeService,
  type RecipeStep,
  type Sequence,
  type Severity,
  type ValidationItem,
} from '../contracts/blueprint.js';
import type {
  BlueprintFormat,
  BlueprintItem,
  Diagnostic,
  Recipe,
  ValidationItem,
} from '../contracts/blueprint.js';

export interface Frontmatter {
  title?: string;
  project_key?: string;
  version?: string;
  status?: string;
  owners?: string[];
  labels?: string[];
  repo?: string;
  path?: string;
  links?: unknown;
  created?: string;
  updated?: string;
  ituv?: {
    enabled?: boolean;
    phase_timebox_sec?: Partial<Record<'implement' | 'test' | 'use' | 'verify', number>>;
  };
  agent_defaults?: { agent_role?: string; required_tools?: string[]; skills?: string[] };
  [key: string]: unknown;
}

/** A `## ` section of a markdown blueprint, kept as raw text for prompts. */
export interface Section {
  /** Heading text without the parenthetical, e.g. "Tasks" for "## Tasks (MVP)". */
  name: string;
  heading: string;
  line: number;
  endLine: number;
  text: string;
}

export interface Blueprint {
  file: string;
  format: BlueprintFormat;
  project_key: string;
  title: string | null;
  frontmatter: Frontmatter;
  sections: Section[];
  items: BlueprintItem[];
  recipes: Recipe[];
  validation: ValidationItem[];
  diagnostics: Diagnostic[];
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
