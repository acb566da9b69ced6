// YAML / JSON blueprints -> Blueprint (DESIGN §3). JSON is parsed by the yaml package too (JSON is
// YAML 1.2), after JSON.parse has vouched for its syntax, so both formats get node lines for errors;
// jsonc-parser locates a JSON syntax error, since Node's own message often has no position.
//
// The item keys are the ones the Python Penguin reads: `dependencies` is the legacy name of
// `depends_on`, `due_date` of `due`, and `dependency_specs` alone is enough (each spec adds its task
// to depends_on: the typed-dependency contract makes the specs the canonical source). An unknown key
// is a warning and a bad value drops only that field, so one typo never costs an item.
import { parse as parseJsonc, ParseErrorCode, type ParseError } from 'jsonc-parser';
import { z } from 'zod';
import {
  PRIORITIES,
  SEQUENCES,
  type Blueprint,
  type BlueprintItem,
  type Diagnostic,
  type ValidationItem,
} from './model.js';
import {
  BAD_STRUCTURE,
  INCOMPLETE_SPEC,
  INVALID_SYNTAX,
  ITEM_NOT_MAPPING,
  ITEMS_NOT_LIST,
  ROOT_NOT_MAPPING,
  UNKNOWN_KEY,
} from './codes.js';
import { addDependency, addSpecs, unwrapId, type RawSpec, type Report } from './dependencies.js';
import { emptyBlueprint, emptyItem } from './empty.js';
import { applyDefaults, validateFrontmatter } from './frontmatter.js';
import { isRealDate } from './metadata.js';
import { LOOSE_ID, projectKeyFor } from './naming.js';
import { recipesFromValue } from './recipes.js';
import { formatPath, parseYamlWithLines, type Locate, type PathKey } from './yaml-lines.js';

const idString = z
  .union([z.string(), z.number()])
  .transform((value) => unwrapId(String(value)))
  .pipe(z.string().regex(LOOSE_ID, 'expected a non-empty id without spaces, ":" or "|"'));
const count = z.number().int().min(0).nullable().optional();
const strings = z.array(z.string()).optional();
const date = z.string().refine(isRealDate, 'expected a real date as YYYY-MM-DD').nullable().optional();

/** The plainly typed item fields; the dependency keys are read by hand (see readDependencies). */
const itemSchema = z.object({
  id: idString,
  title: z.string().min(1),
  description: z.string().nullable().optional(),
  acceptance_criteria: strings,
  recipe: z.string().min(1).nullable().optional(),
  tests: strings,
  priority: z.enum(PRIORITIES).nullable().optional(),
  labels: strings,
  assignees: strings,
  required_tools: strings,
  skills: strings,
  due: date,
  due_date: date,
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

const DEPENDENCY_KEYS = ['depends_on', 'dependencies'] as const;
const ITEM_KEYS = new Set<string>([...Object.keys(itemSchema.shape), ...DEPENDENCY_KEYS, 'dependency_specs']);
const RESERVED = new Set(['items', 'tasks', 'recipes', 'validation']);

/** Parse a YAML or JSON blueprint. Never throws: every problem is a diagnostic. */
export function parseStructuredBlueprint(text: string, file: string, format: 'yaml' | 'json'): Blueprint {
  const diagnostics: Diagnostic[] = [];
  const source = text.replace(/^\uFEFF/, '');
  if (format === 'json') {
    const error = jsonSyntaxError(source);
    if (error !== null) {
      diagnostics.push({ code: INVALID_SYNTAX, severity: 'error', file, ...error });
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
        column: error.column,
      });
    }
    return emptyBlueprint(file, format, diagnostics);
  }
  // An empty document is an empty blueprint (lint then says it has no tasks), as in the Python parser.
  const root = parsed.value ?? {};
  if (typeof root !== 'object' || Array.isArray(root)) {
    diagnostics.push({
      code: ROOT_NOT_MAPPING,
      severity: 'error',
      message: `a blueprint must be a mapping with title, project_key and items, not ${Array.isArray(root) ? 'a list' : 'a single value'}`,
      file,
      line: parsed.locate([]),
    });
    return emptyBlueprint(file, format, diagnostics);
  }
  const record = root as Record<string, unknown>;
  const locate = parsed.locate;
  const report: Report = (code, severity, message, line) => {
    diagnostics.push({ code, severity, message, file, line });
  };

  const header: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (!RESERVED.has(key)) header[key] = value;
  const frontmatter = validateFrontmatter(header, locate, file, BAD_STRUCTURE, diagnostics, 'blueprint');

  if (record.items !== undefined && record.tasks !== undefined) {
    report(BAD_STRUCTURE, 'error', 'a blueprint has either items or tasks, not both', locate(['tasks']));
  }
  const listKey = record.items !== undefined ? 'items' : 'tasks';
  const items = readItems(record[listKey], listKey, locate, report);

  const recipes = recipesFromValue(record.recipes, ['recipes'], locate, file, diagnostics);
  const validation = readValidation(record.validation, locate, report);

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

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function readItems(value: unknown, key: string, locate: Locate, report: Report): BlueprintItem[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    report(
      ITEMS_NOT_LIST,
      'error',
      `${key} must be a list of items (each "- id: ..."), not a mapping or value`,
      locate([key]),
    );
    return [];
  }
  const items: BlueprintItem[] = [];
  value.forEach((entry: unknown, index) => {
    const item = readItem(entry, [key, index], items.length, locate, report);
    if (item !== null) items.push(item);
  });
  return items;
}

function readItem(
  entry: unknown,
  path: PathKey[],
  order: number,
  locate: Locate,
  report: Report,
): BlueprintItem | null {
  if (!isRecord(entry)) {
    report(
      ITEM_NOT_MAPPING,
      'error',
      `${formatPath(path)} must be a mapping with id and title`,
      locate(path),
    );
    return null;
  }
  for (const key of Object.keys(entry)) {
    if (!ITEM_KEYS.has(key)) {
      report(
        UNKNOWN_KEY,
        'warning',
        `${formatPath(path)}: unknown key "${key}" is ignored`,
        locate([...path, key]),
      );
    }
  }
  const input = typedFields(entry, path, locate, report);
  if (input === null) return null;

  const due = input.due ?? input.due_date ?? null;
  if (input.due != null && input.due_date != null && input.due !== input.due_date) {
    report(
      BAD_STRUCTURE,
      'error',
      `${formatPath(path)}: due (${input.due}) and due_date (${input.due_date}) disagree; give one of them`,
      locate([...path, 'due_date']),
    );
  }
  const { due: _due, due_date: _dueDate, checked, status, ...fields } = input;
  const item: BlueprintItem = {
    ...emptyItem(input.id, input.title, locate(path), order),
    ...given(fields),
    due,
    checked: checked === true || status === 'completed',
    depends_lines: {},
  };
  readDependencies(item, entry, path, locate, report);
  return item;
}

type ItemInput = z.infer<typeof itemSchema>;

/** The fields that were given: zod leaves an absent one undefined, and null means "not set". */
function given<T extends object>(fields: T): { [K in keyof T]?: NonNullable<T[K]> } {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields))
    if (value !== undefined && value !== null) out[key] = value;
  return out as { [K in keyof T]?: NonNullable<T[K]> };
}

/**
 * The typed fields of an item. A field with a bad value is reported and left out, so the item (and
 * every item depending on it) is still there; without a valid id and title there is no item.
 */
function typedFields(
  entry: Record<string, unknown>,
  path: PathKey[],
  locate: Locate,
  report: Report,
): ItemInput | null {
  const fields: Record<string, unknown> = { ...entry };
  const first = itemSchema.safeParse(fields);
  if (first.success) return first.data;
  let fatal = false;
  for (const problem of first.error.issues) {
    const issuePath = [...path, ...(problem.path as PathKey[])];
    report(BAD_STRUCTURE, 'error', `${formatPath(issuePath)}: ${problem.message}`, locate(issuePath));
    const top = problem.path[0];
    if (top === 'id' || top === 'title' || top === undefined) fatal = true;
    else delete fields[String(top)];
  }
  if (fatal) return null;
  const second = itemSchema.safeParse(fields);
  return second.success ? second.data : null;
}

/** depends_on, its legacy name dependencies, and dependency_specs. */
function readDependencies(
  item: BlueprintItem,
  entry: Record<string, unknown>,
  path: PathKey[],
  locate: Locate,
  report: Report,
): void {
  for (const key of DEPENDENCY_KEYS) {
    const list = entry[key];
    if (list === undefined || list === null) continue;
    const listPath = [...path, key];
    if (!Array.isArray(list)) {
      report(BAD_STRUCTURE, 'error', `${formatPath(listPath)}: expected a list of ids`, locate(listPath));
      continue;
    }
    list.forEach((dep: unknown, j) => {
      const depPath = [...listPath, j];
      if (typeof dep !== 'string' && typeof dep !== 'number') {
        report(BAD_STRUCTURE, 'error', `${formatPath(depPath)}: expected an id`, locate(depPath));
        return;
      }
      addDependency(item, String(dep), locate(depPath), report, `${formatPath(depPath)}: dependency`);
    });
  }

  const specs = entry.dependency_specs;
  if (specs === undefined || specs === null) return;
  const specsPath = [...path, 'dependency_specs'];
  if (!Array.isArray(specs)) {
    report(
      INCOMPLETE_SPEC,
      'error',
      `${formatPath(specsPath)} must be a list of {task_id, policy, artifact_key}`,
      locate(specsPath),
    );
    return;
  }
  const raw: RawSpec[] = specs.map((value: unknown, j) => {
    const specPath = [...specsPath, j];
    return {
      value,
      line: locate(specPath),
      lineOf: (key: string) => locate([...specPath, key]),
      label: formatPath(specPath),
    };
  });
  addSpecs(item, raw, { requireDepends: false }, report);
}

const validationEntry = z.union([
  z.string().min(1),
  z.strictObject({ text: z.string().min(1), checked: z.boolean().optional() }),
]);

function readValidation(value: unknown, locate: Locate, report: Report): ValidationItem[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    report(BAD_STRUCTURE, 'error', 'validation must be a list of criteria', locate(['validation']));
    return [];
  }
  const out: ValidationItem[] = [];
  value.forEach((entry: unknown, index) => {
    const line = locate(['validation', index]);
    const parsed = validationEntry.safeParse(entry);
    if (!parsed.success) {
      report(BAD_STRUCTURE, 'error', `validation[${index}]: expected a string or {text, checked}`, line);
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

const JSON_PROBLEMS: Partial<Record<ParseErrorCode, string>> = {
  [ParseErrorCode.InvalidSymbol]: 'unexpected text',
  [ParseErrorCode.InvalidNumberFormat]: 'a malformed number',
  [ParseErrorCode.PropertyNameExpected]: 'expected a property name in double quotes',
  [ParseErrorCode.ValueExpected]: 'expected a value',
  [ParseErrorCode.ColonExpected]: 'expected ":"',
  [ParseErrorCode.CommaExpected]: 'expected ","',
  [ParseErrorCode.CloseBraceExpected]: 'expected "}"',
  [ParseErrorCode.CloseBracketExpected]: 'expected "]"',
  [ParseErrorCode.EndOfFileExpected]: 'expected the end of the document',
  [ParseErrorCode.InvalidCommentToken]: 'comments are not allowed in JSON',
  [ParseErrorCode.UnexpectedEndOfComment]: 'an unterminated comment',
  [ParseErrorCode.UnexpectedEndOfString]: 'an unterminated string',
  [ParseErrorCode.UnexpectedEndOfNumber]: 'an unterminated number',
  [ParseErrorCode.InvalidUnicode]: 'an invalid \\u escape',
  [ParseErrorCode.InvalidEscapeCharacter]: 'an invalid escape',
  [ParseErrorCode.InvalidCharacter]: 'a character not allowed in a string',
};

/**
 * Where and why JSON text is not valid JSON, or null when it is. JSON.parse decides; jsonc-parser
 * (comments and trailing commas refused) says where, since Node's message often has no position.
 */
function jsonSyntaxError(source: string): { line: number; column: number; message: string } | null {
  try {
    JSON.parse(source);
    return null;
  } catch (error) {
    const errors: ParseError[] = [];
    parseJsonc(source, errors, {
      disallowComments: true,
      allowTrailingComma: false,
      allowEmptyContent: false,
    });
    const first = errors[0];
    const native = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(native);
    const offset = first?.offset ?? (position ? Number(position[1]) : source.length);
    const { line, column } = lineAndColumn(source, Math.min(offset, source.length));
    const what = (first && JSON_PROBLEMS[first.error]) ?? native;
    return { line, column, message: `not valid JSON at line ${line}, column ${column}: ${what}` };
  }
}

function lineAndColumn(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
