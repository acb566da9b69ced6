// The parsed form of a blueprint document (DESIGN §3). Every format (markdown, YAML, JSON) parses to
// this one model, so lint, sync and the ITUV phases never care where an item came from.

export type BlueprintFormat = 'markdown' | 'yaml' | 'json';

export type Severity = 'error' | 'warning';

/** A finding about a blueprint. `line` is the absolute 1-based line in `file`. */
export interface Diagnostic {
  code: string;
  severity: Severity;
  message: string;
  file: string;
  line: number;
  column?: number;
}

export const DEPENDENCY_POLICIES = ['completion_required', 'review_ready_ok', 'artifact_ready'] as const;
export type DependencyPolicy = (typeof DEPENDENCY_POLICIES)[number];

export interface DependencySpec {
  task_id: string;
  policy: DependencyPolicy;
  artifact_key?: string;
}

export const PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const SEQUENCES = ['alpha', 'beta', 'rc', 'ga'] as const;
export type Sequence = (typeof SEQUENCES)[number];

/** One task item of a blueprint, with its metadata. Optional metadata is `null` when absent. */
export interface BlueprintItem {
  id: string;
  title: string;
  line: number;
  parent_id: string | null;
  description: string | null;
  acceptance_criteria: string[];
  depends_on: string[];
  dependency_specs: DependencySpec[];
  /** Name of a recipe in the blueprint's Usage Recipes. */
  recipe: string | null;
  /** Test files, globs or name filters for this task. */
  tests: string[];
  priority: Priority | null;
  labels: string[];
  assignees: string[];
  required_tools: string[];
  skills: string[];
  due: string | null;
  sequence: Sequence | null;
  estimate: number | null;
  effort: number | null;
  value: number | null;
  risk: number | null;
  agent_role: string | null;
  parallelizable: boolean | null;
  batch: string | null;
  /** `[x]` in markdown, `checked: true` / `status: completed` in YAML/JSON. */
  checked: boolean;
  /** 0-based position in document order; ties in the frontier break on it. */
  order: number;
  /** Line of each dependency reference (id -> line of its first mention), so lint can point at it. */
  depends_lines?: Record<string, number>;
}

export type HttpExpectations = {
  expect_status?: number;
  /** Subset match; the string "*" matches any value. */
  expect_json?: unknown;
};

/** A step of a usage recipe. Exactly one of shell/http/python/node is set. */
export interface RecipeStep {
  kind: 'shell' | 'http' | 'python' | 'node';
  /** The shell command, "METHOD /path", or the code of a python/node step. */
  run: string;
  name?: string;
  expect_exit?: number;
  /** Substring, or `/regex/flags`. */
  expect_stdout?: string;
  expect_stderr?: string;
  expect_status?: number;
  expect_json?: unknown;
  headers?: Record<string, string>;
  body?: unknown;
  capture?: Record<string, string>;
  covers?: number[];
  timeout_sec?: number;
  env?: Record<string, string>;
  line?: number;
}

export interface RecipeService {
  command: string;
  cwd?: string;
  env?: Record<string, string>;
  /** A URL polled until it answers (any status below 500), or a shell command polled until it exits 0. */
  ready?: string;
  ready_timeout_sec?: number;
}

export interface Recipe {
  name: string;
  description: string | null;
  service: RecipeService | null;
  env: Record<string, string>;
  timeout_sec: number | null;
  steps: RecipeStep[];
  /** Paths (relative to the workspace) collected as artifacts after the run. */
  artifacts: string[];
  line: number;
}

export interface ValidationItem {
  text: string;
  checked: boolean;
  line: number;
}

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
