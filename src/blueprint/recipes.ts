// Usage recipes (DESIGN §3): the zod schema and its conversion to Recipe[], shared by the markdown
// Usage Recipes section and the `recipes` list of YAML/JSON blueprints.
import { z } from 'zod';
import type { Diagnostic, Recipe, RecipeStep } from './model.js';
import { BAD_RECIPE, BAD_YAML_BLOCK } from './codes.js';
import { formatPath, parseYamlWithLines, type Locate, type PathKey } from './yaml-lines.js';

/** Env values may be written as YAML numbers or booleans (`PORT: 8080`); they become strings. */
const stringMap = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String));

const STEP_KINDS = ['shell', 'http', 'python', 'node'] as const;
// The path may hold `{{ name }}` placeholders, which may contain spaces; anything else may not.
const HTTP_LINE = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (?:[^\s{]|\{\{[^}]*\}\}|\{(?!\{))+$/i;

const stepSchema = z
  .strictObject({
    shell: z.string().min(1).optional(),
    http: z.string().min(1).optional(),
    python: z.string().min(1).optional(),
    node: z.string().min(1).optional(),
    name: z.string().optional(),
    expect_exit: z.number().int().optional(),
    expect_stdout: z.string().optional(),
    expect_stderr: z.string().optional(),
    expect_status: z.number().int().min(100).max(599).optional(),
    expect_json: z.unknown().optional(),
    headers: stringMap.optional(),
    body: z.unknown().optional(),
    capture: z.record(z.string(), z.string()).optional(),
    covers: z.array(z.number().int().positive()).optional(),
    timeout_sec: z.number().positive().optional(),
    env: stringMap.optional(),
  })
  .superRefine((step, ctx) => {
    const kinds = STEP_KINDS.filter((kind) => step[kind] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          kinds.length === 0
            ? 'a step needs exactly one of shell, http, python, node'
            : `a step needs exactly one of shell, http, python, node, not ${kinds.join(' and ')}`,
      });
    }
    if (step.http !== undefined && !HTTP_LINE.test(step.http.trim())) {
      ctx.addIssue({
        code: 'custom',
        path: ['http'],
        message: `expected "METHOD /path", got "${step.http}"`,
      });
    }
  });

const recipeSchema = z
  .strictObject({
    recipe: z.string().min(1).optional(),
    name: z.string().min(1).optional(),
    description: z.string().nullable().optional(),
    service: z
      .strictObject({
        command: z.string().min(1),
        cwd: z.string().optional(),
        env: stringMap.optional(),
        ready: z.string().min(1).optional(),
        ready_timeout_sec: z.number().positive().optional(),
      })
      .nullable()
      .optional(),
    env: stringMap.optional(),
    timeout_sec: z.number().positive().nullable().optional(),
    steps: z.array(stepSchema).optional(),
    artifacts: z.array(z.string().min(1)).optional(),
  })
  .superRefine((recipe, ctx) => {
    if (recipe.recipe === undefined && recipe.name === undefined) {
      ctx.addIssue({ code: 'custom', message: 'a recipe needs a name (`recipe:` or `name:`)' });
    }
  });

type StepInput = z.infer<typeof stepSchema>;

function toStep(input: StepInput, line: number): RecipeStep {
  const kind = STEP_KINDS.find((k) => input[k] !== undefined)!;
  const step: RecipeStep = { kind, run: input[kind]!, line };
  const { shell: _s, http: _h, python: _p, node: _n, ...rest } = input;
  for (const [key, value] of Object.entries(rest)) {
    if (value !== undefined) (step as unknown as Record<string, unknown>)[key] = value;
  }
  if (kind === 'shell' && step.expect_exit === undefined) step.expect_exit = 0;
  return step;
}

/**
 * Convert a parsed recipes value (a list) to Recipe[]. `prefix` is the path of the list inside the
 * document (for messages and line lookup). A recipe with schema errors is reported and left out.
 */
export function recipesFromValue(
  value: unknown,
  prefix: readonly PathKey[],
  locate: Locate,
  file: string,
  diagnostics: Diagnostic[],
): Recipe[] {
  if (value === null || value === undefined) return [];
  const where = prefix.length > 0 ? formatPath(prefix) : 'Usage Recipes';
  if (!Array.isArray(value)) {
    diagnostics.push({
      code: BAD_RECIPE,
      severity: 'error',
      message: `${where} must be a YAML list of recipes, each starting with \`- recipe: NAME\`${
        typeof value === 'object' ? ' (a mapping of names to steps is not a recipe list)' : ''
      }`,
      file,
      line: locate(prefix),
    });
    return [];
  }
  const recipes: Recipe[] = [];
  value.forEach((entry: unknown, index) => {
    const path = [...prefix, index];
    const parsed = recipeSchema.safeParse(entry);
    if (!parsed.success) {
      const label = recipeLabel(entry, index);
      for (const issue of parsed.error.issues) {
        const issuePath = [...path, ...(issue.path as PathKey[])];
        const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
        const line = locate(keys.length > 0 ? [...issuePath, keys[0]!] : issuePath);
        const field = formatPath(issue.path as PathKey[]) || '(recipe)';
        diagnostics.push({
          code: BAD_RECIPE,
          severity: 'error',
          message: `recipe ${label}: ${field}: ${issue.message}`,
          file,
          line,
        });
      }
      return;
    }
    const input = parsed.data;
    recipes.push({
      name: (input.recipe ?? input.name)!,
      description: input.description ?? null,
      service: input.service ?? null,
      env: input.env ?? {},
      timeout_sec: input.timeout_sec ?? null,
      steps: (input.steps ?? []).map((step, s) => toStep(step, locate([...path, 'steps', s]))),
      artifacts: input.artifacts ?? [],
      line: locate(path),
    });
  });
  return recipes;
}

function recipeLabel(entry: unknown, index: number): string {
  if (entry !== null && typeof entry === 'object') {
    const named = (entry as Record<string, unknown>).recipe ?? (entry as Record<string, unknown>).name;
    if (typeof named === 'string') return `"${named}"`;
  }
  return `#${index + 1}`;
}

/**
 * Parse the YAML of a Usage Recipes section (its body, or one ```yaml fence of it); `firstLine` is
 * the text's absolute first line and `columnOffset` how far it was dedented.
 */
export function parseRecipesYaml(
  text: string,
  firstLine: number,
  file: string,
  diagnostics: Diagnostic[],
  columnOffset = 0,
): Recipe[] {
  if (text.trim() === '') return [];
  const parsed = parseYamlWithLines(text, firstLine, columnOffset);
  if (parsed.errors.length > 0) {
    for (const error of parsed.errors) {
      diagnostics.push({
        code: BAD_YAML_BLOCK,
        severity: 'error',
        message: `Usage Recipes is not valid YAML: ${error.message}`,
        file,
        line: error.line,
        column: error.column,
      });
    }
    return [];
  }
  return recipesFromValue(parsed.value, [], parsed.locate, file, diagnostics);
}
