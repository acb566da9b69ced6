// YAML / JSON blueprints -> Blueprint (DESIGN §3). JSON is parsed by the yaml package too (JSON is
// YAML 1.2), after JSON.parse has vouched for its syntax, so both formats get node lines for errors.
import { z } from 'zod';
import {
  DEPENDENCY_POLICIES,
  PRIORITIES,
  SEQUENCES,
  type Blueprint,
  type BlueprintItem,
  type Diagnostic,
  type ValidationItem,
} from './model.js';
import { BAD_POLICY, BAD_STRUCTURE, INVALID_SYNTAX, SPEC_NOT_IN_DEPENDS } from './codes.js';
import { emptyBlueprint } from './empty.js';
import { applyDefaults, validateFrontmatter } from './frontmatter.js';
import { isRealDate } from './metadata.js';
import { LOOSE_ID, projectKeyFor } from './naming.js';
import { recipesFromValue } from './recipes.js';
import { formatPath, parseYamlWithLines, type Locate, type PathKey } from './yaml-lines.js';

const idString = z
  .union([z.string(), z.number()])
  .transform(String)
  .pipe(z.string().regex(LOOSE_ID, 'expected a non-empty id without spaces'));
const count = z.number().int().min(0).nullable().optional();
const strings = z.array(z.string()).optional();

const itemSchema = z.strictObject({
  id: idString,
  title: z.string().min(1),
  description: z.string().nullable().optional(),
  acceptance_criteria: strings,
  depends_on: z.array(idString).optional(),
  dependency_specs: z
    .array(
      z.strictObject({
        task_id: idString,
        policy: z.enum(DEPENDENCY_POLICIES).optional(),
        artifact_key: z.string().min(1).optional(),
      }),
    )
    .optional(),
  recipe: z.string().min(1).nullable().optional(),
  tests: strings,
  priority: z.enum(PRIORITIES).nullable().optional(),
  labels: strings,
  assignees: strings,
  required_tools: strings,
  skills: strings,
  due: z.string().refine(isRealDate, 'expected a real date as YYYY-MM-DD').nullable().optional(),
  sequence: z.enum(SEQUENCES).nullable().optional(),
  estimate: count,
  effort: count,
  value: count,
  risk: count,
  agent_role: z.string().nullable().optional(),
  parallelizable: z.boolean().nullable().optional(),
  batch: z.union([z.string(), z.number()]).transform(String).nullable().optional(),
  parent_id: idString.nullable().optional(),
  checked: z.boolean().optional(),
  status: z.string().optional(),
});

const RESERVED = new Set(['items', 'tasks', 'recipes', 'validation']);

/** Parse a YAML or JSON blueprint. Never throws: every problem is a diagnostic. */
export function parseStructuredBlueprint(text: string, file: string, format: 'yaml' | 'json'): Blueprint {
  const diagnostics: Diagnostic[] = [];
  const source = text.replace(/^\uFEFF/, '');
  if (format === 'json') {
    try {
      JSON.parse(source);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      diagnostics.push({
        code: INVALID_SYNTAX,
        severity: 'error',
        message: `not valid JSON: ${message}`,
        file,
        line: jsonErrorLine(source, message),
      });
      return emptyBlueprint(file, format, diagnostics);
    }
  }
  const parsed = parseYamlWithLines(source, 1);
  if (parsed.errors.length > 0) {
    for (const error of parsed.errors) {
      diagnostics.push({
        code: INVALID_SYNTAX,
        severity: 'error',
        message: `not valid ${format === 'json' ? 'JSON' : 'YAML'}: ${error.message}`,
        file,
        line: error.line,
      });
    }
    return emptyBlueprint(file, format, diagnostics);
  }
  const root = parsed.value;
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    diagnostics.push({
      code: BAD_STRUCTURE,
      severity: 'error',
      message: 'a blueprint must be a mapping with title, project_key and items',
      file,
      line: 1,
    });
    return emptyBlueprint(file, format, diagnostics);
  }
  const record = root as Record<string, unknown>;
  const locate = parsed.locate;
  const issue = (message: string, line: number, code = BAD_STRUCTURE): void => {
    diagnostics.push({ code, severity: 'error', message, file, line });
  };

  const header: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (!RESERVED.has(key)) header[key] = value;
  const frontmatter = validateFrontmatter(header, locate, file, BAD_STRUCTURE, diagnostics, 'blueprint');

  if (record.items !== undefined && record.tasks !== undefined) {
    issue('a blueprint has either items or tasks, not both', locate(['tasks']));
  }
  const listKey = record.items !== undefined ? 'items' : 'tasks';
  const items = readItems(record[listKey], listKey, locate, issue);

  const recipes = recipesFromValue(record.recipes, ['recipes'], locate, file, diagnostics);
  const validation = readValidation(record.validation, locate, issue);

  if (frontmatter.agent_defaults !== undefined) {
    for (const item of items) applyDefaults(item, frontmatter.agent_defaults);
  }
  const title = typeof frontmatter.title === 'string' ? frontmatter.title : null;
  return {
    file,
    format,
    project_key: projectKeyFor(frontmatter.project_key, title, file),
    title,
    frontmatter,
    sections: [],
    items,
    recipes,
    validation,
    diagnostics: diagnostics.sort((a, b) => a.line - b.line),
  };
}

type Report = (message: string, line: number, code?: string) => void;

function readItems(value: unknown, key: string, locate: Locate, issue: Report): BlueprintItem[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    issue(`${key} must be a list of items`, locate([key]));
    return [];
  }
  const items: BlueprintItem[] = [];
  value.forEach((entry: unknown, index) => {
    const path: PathKey[] = [key, index];
    const parsed = itemSchema.safeParse(entry);
    if (!parsed.success) {
      for (const problem of parsed.error.issues) {
        const issuePath = [...path, ...(problem.path as PathKey[])];
        const keys = problem.code === 'unrecognized_keys' ? problem.keys : [];
        const fullPath = keys.length > 0 ? [...issuePath, keys[0]!] : issuePath;
        // A bad policy keeps its markdown code, so both formats report it the same way.
        const code = problem.path[problem.path.length - 1] === 'policy' ? BAD_POLICY : BAD_STRUCTURE;
        issue(`${formatPath(fullPath)}: ${problem.message}`, locate(fullPath), code);
      }
      return;
    }
    const input = parsed.data;
    const depends = [...new Set(input.depends_on ?? [])];
    const dependsLines: Record<string, number> = {};
    (input.depends_on ?? []).forEach((dep, j) => {
      dependsLines[dep] ??= locate([...path, 'depends_on', j]);
    });
    const specs: BlueprintItem['dependency_specs'] = [];
    (input.dependency_specs ?? []).forEach((spec, j) => {
      const specPath = [...path, 'dependency_specs', j];
      const policy = spec.policy ?? 'completion_required';
      if (!depends.includes(spec.task_id)) {
        issue(
          `${formatPath(specPath)}: dependency spec for ${spec.task_id} names a task that is not in depends_on`,
          locate(specPath),
          SPEC_NOT_IN_DEPENDS,
        );
        return;
      }
      if (policy === 'artifact_ready' && spec.artifact_key === undefined) {
        issue(`${formatPath(specPath)}: artifact_ready needs an artifact_key`, locate(specPath), BAD_POLICY);
        return;
      }
      specs.push(spec.artifact_key === undefined ? { task_id: spec.task_id, policy } : { ...spec, policy });
    });
    items.push({
      id: input.id,
      title: input.title,
      line: locate(path),
      parent_id: input.parent_id ?? null,
      description: input.description ?? null,
      acceptance_criteria: input.acceptance_criteria ?? [],
      depends_on: depends,
      dependency_specs: specs,
      recipe: input.recipe ?? null,
      tests: input.tests ?? [],
      priority: input.priority ?? null,
      labels: input.labels ?? [],
      assignees: input.assignees ?? [],
      required_tools: input.required_tools ?? [],
      skills: input.skills ?? [],
      due: input.due ?? null,
      sequence: input.sequence ?? null,
      estimate: input.estimate ?? null,
      effort: input.effort ?? null,
      value: input.value ?? null,
      risk: input.risk ?? null,
      agent_role: input.agent_role ?? null,
      parallelizable: input.parallelizable ?? null,
      batch: input.batch ?? null,
      checked: input.checked === true || input.status === 'completed',
      order: items.length,
      depends_lines: dependsLines,
    });
  });
  return items;
}

const validationEntry = z.union([
  z.string().min(1),
  z.strictObject({ text: z.string().min(1), checked: z.boolean().optional() }),
]);

function readValidation(value: unknown, locate: Locate, issue: Report): ValidationItem[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    issue('validation must be a list of criteria', locate(['validation']));
    return [];
  }
  const out: ValidationItem[] = [];
  value.forEach((entry: unknown, index) => {
    const line = locate(['validation', index]);
    const parsed = validationEntry.safeParse(entry);
    if (!parsed.success) {
      issue(`validation[${index}]: expected a string or {text, checked}`, line);
      return;
    }
    const data = parsed.data;
    out.push(
      typeof data === 'string'
        ? { text: data, checked: false, line }
        : { text: data.text, checked: data.checked ?? false, line },
    );
  });
  return out;
}

/** Line of a JSON.parse error: from "(line N column M)" when Node gives it, else from "position N". */
function jsonErrorLine(source: string, message: string): number {
  const explicit = /line (\d+)/.exec(message);
  if (explicit) return Number(explicit[1]);
  const position = /position (\d+)/.exec(message);
  if (!position) {
    // Node 20 often gives neither; the YAML parser usually trips at the same place.
    const yamlError = parseYamlWithLines(source, 1).errors[0];
    return yamlError?.line ?? (source.trim() === '' ? 1 : source.split('\n').length);
  }
  const offset = Math.min(Number(position[1]), source.length);
  let line = 1;
  for (let i = 0; i < offset; i++) if (source.charCodeAt(i) === 10) line++;
  return line;
}
