// Contracts of the blueprint model (DESIGN §3): the diagnostic every lint and sync reports, the enums
// items use, and the item, recipe and validation shapes `blueprint lint --json` prints. The blueprint
// parser builds values of these types; zod is the one source of both the type and its JSON Schema.
import { z } from 'zod';

export const BLUEPRINT_FORMATS = ['markdown', 'yaml', 'json'] as const;
export const BlueprintFormatSchema = z.enum(BLUEPRINT_FORMATS);
export type BlueprintFormat = z.infer<typeof BlueprintFormatSchema>;

export const SEVERITIES = ['error', 'warning'] as const;
export const SeveritySchema = z.enum(SEVERITIES);
export type Severity = z.infer<typeof SeveritySchema>;

/** A finding about a blueprint. `line` is the absolute 1-based line in `file`. */
export const DiagnosticSchema = z.strictObject({
  code: z.string(),
  severity: SeveritySchema,
  message: z.string(),
  file: z.string(),
  line: z.number().int(),
  column: z.number().int().optional(),
});
export type Diagnostic = z.infer<typeof DiagnosticSchema>;

export const DEPENDENCY_POLICIES = ['completion_required', 'review_ready_ok', 'artifact_ready'] as const;
export const DependencyPolicySchema = z.enum(DEPENDENCY_POLICIES);
export type DependencyPolicy = z.infer<typeof DependencyPolicySchema>;

export const PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
export const PrioritySchema = z.enum(PRIORITIES);
export type Priority = z.infer<typeof PrioritySchema>;

export const SEQUENCES = ['alpha', 'beta', 'rc', 'ga'] as const;
export const SequenceSchema = z.enum(SEQUENCES);
export type Sequence = z.infer<typeof SequenceSchema>;

export const DependencySpecSchema = z.strictObject({
  task_id: z.string(),
  policy: DependencyPolicySchema,
  artifact_key: z.string().optional(),
});
export type DependencySpec = z.infer<typeof DependencySpecSchema>;

/**
 * What an item says about its work, carried over as is to its task: the text, criteria, recipe and
 * tests, and the metadata (`null` when absent). One list for BlueprintItemSchema and TaskSchema.
 */
export const ItemContentFields = {
  description: z.string().nullable(),
  acceptance_criteria: z.array(z.string()),
  /** Name of a recipe in the blueprint's Usage Recipes. */
  recipe: z.string().nullable(),
  /** Test files, globs or name filters for this task. */
  tests: z.array(z.string()),
  priority: PrioritySchema.nullable(),
  labels: z.array(z.string()),
  assignees: z.array(z.string()),
  required_tools: z.array(z.string()),
  skills: z.array(z.string()),
  due: z.string().nullable(),
  sequence: SequenceSchema.nullable(),
  estimate: z.number().nullable(),
  effort: z.number().nullable(),
  value: z.number().nullable(),
  risk: z.number().nullable(),
  agent_role: z.string().nullable(),
  parallelizable: z.boolean().nullable(),
  batch: z.string().nullable(),
};

/** One task item of a blueprint, with its metadata. Optional metadata is `null` when absent. */
export const BlueprintItemSchema = z.strictObject({
  id: z.string(),
  title: z.string(),
  line: z.number().int(),
  parent_id: z.string().nullable(),
  depends_on: z.array(z.string()),
  dependency_specs: z.array(DependencySpecSchema),
  ...ItemContentFields,
  /** `[x]` in markdown, `checked: true` / `status: completed` in YAML/JSON. */
  checked: z.boolean(),
  /** 0-based position in document order; ties in the frontier break on it. */
  order: z.number().int(),
  /** Line of each dependency reference (id -> line of its first mention), so lint can point at it. */
  depends_lines: z.record(z.string(), z.number().int()).optional(),
});
export type BlueprintItem = z.infer<typeof BlueprintItemSchema>;

export const RECIPE_STEP_KINDS = ['shell', 'http', 'python', 'node'] as const;
export const RecipeStepKindSchema = z.enum(RECIPE_STEP_KINDS);
export type RecipeStepKind = z.infer<typeof RecipeStepKindSchema>;

/** A step of a usage recipe, as parsed (the input form with its checks is blueprint/recipes.ts). */
export const RecipeStepSchema = z.strictObject({
  kind: RecipeStepKindSchema,
  /** The shell command, "METHOD /path", or the code of a python/node step. */
  run: z.string(),
  name: z.string().optional(),
  expect_exit: z.number().int().optional(),
  /** Substring, or `/regex/flags`. */
  expect_stdout: z.string().optional(),
  expect_stderr: z.string().optional(),
  expect_status: z.number().int().optional(),
  /** Subset match; the string "*" matches any value. */
  expect_json: z.unknown().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.unknown().optional(),
  capture: z.record(z.string(), z.string()).optional(),
  covers: z.array(z.number().int()).optional(),
  timeout_sec: z.number().optional(),
  env: z.record(z.string(), z.string()).optional(),
  line: z.number().int().optional(),
});
export type RecipeStep = z.infer<typeof RecipeStepSchema>;

export const RecipeServiceSchema = z.strictObject({
  command: z.string(),
  cwd: z.string().optional(),
  env: z.record(z.string(), z.string()).optional(),
  /** A URL polled until it answers (any status below 500), or a shell command polled until it exits 0. */
  ready: z.string().optional(),
  ready_timeout_sec: z.number().optional(),
});
export type RecipeService = z.infer<typeof RecipeServiceSchema>;

export const RecipeSchema = z.strictObject({
  name: z.string(),
  description: z.string().nullable(),
  service: RecipeServiceSchema.nullable(),
  env: z.record(z.string(), z.string()),
  timeout_sec: z.number().nullable(),
  steps: z.array(RecipeStepSchema),
  /** Paths (relative to the workspace) collected as artifacts after the run. */
  artifacts: z.array(z.string()),
  line: z.number().int(),
});
export type Recipe = z.infer<typeof RecipeSchema>;

export const ValidationItemSchema = z.strictObject({
  text: z.string(),
  checked: z.boolean(),
  line: z.number().int(),
});
export type ValidationItem = z.infer<typeof ValidationItemSchema>;

/** One linted file as `blueprint lint --json` prints it. */
export const LintedFileSchema = z.strictObject({
  file: z.string(),
  format: BlueprintFormatSchema,
  project_key: z.string(),
  title: z.string().nullable(),
  items: z.array(BlueprintItemSchema),
  recipes: z.array(RecipeSchema),
  validation: z.array(ValidationItemSchema),
  diagnostics: z.array(DiagnosticSchema),
});
export type LintedFile = z.infer<typeof LintedFileSchema>;

/** `blueprint lint --json`. */
export const LintReportSchema = z.strictObject({ ok: z.boolean(), files: z.array(LintedFileSchema) });
export type LintReport = z.infer<typeof LintReportSchema>;
