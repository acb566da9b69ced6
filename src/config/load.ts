// Loads penguin.yaml (DESIGN §2): file values, then PENGUIN_<SECTION>_<KEY> environment overrides,
// then the schema's defaults. Every problem becomes one UsageError sentence that names where the bad
// value came from: the file and line, or the environment variable. Like blueprints, the file's size
// and its YAML alias count are limited, so a hostile file is refused in milliseconds.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { isMap, isPair, isScalar, LineCounter, parse as parseYaml, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { UsageError } from '../errors.js';
import { DEFAULT_CONFIG, penguinConfigSchema, type PenguinConfig } from './schema.js';

export const CONFIG_FILE_NAMES = ['penguin.yaml', 'penguin.yml'] as const;
/** A configuration, not a data dump: larger files are refused before they are read. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** Alias expansions allowed (the yaml library's guard against "billion laughs"), as for blueprints. */
export const MAX_CONFIG_ALIAS_COUNT = 100;

type Path = (string | number)[];
type Json = Record<string, unknown>;

/** The config file of a workspace, or null when it has none. */
export function findConfigFile(workspaceRoot: string): string | null {
  for (const name of CONFIG_FILE_NAMES) {
    const file = join(workspaceRoot, name);
    if (existsSync(file)) return file;
  }
  return null;
}

export function loadConfig(workspaceRoot: string, env: NodeJS.ProcessEnv = process.env): PenguinConfig {
  const file = findConfigFile(workspaceRoot);
  const source = file === null ? null : readConfigDocument(file);
  const raw: Json = source?.value ?? {};
  const overrides = applyEnvOverrides(raw, env);

  const result = penguinConfigSchema.safeParse(raw, { error: describeIssue });
  if (result.success) return result.data;

  // One sentence: the first issue is the one a user fixes first (zod reports in document order).
  const issue = result.error.issues[0];
  if (issue === undefined) throw new UsageError(`${displayName(file)}: invalid configuration`);
  throw new UsageError(explainIssue(issue, raw, overrides, file, source));
}

interface ConfigDocument {
  doc: Document;
  lines: LineCounter;
  value: Json;
}

function readConfigDocument(file: string): ConfigDocument {
  const name = displayName(file);
  const tooLarge = (bytes: number): UsageError =>
    new UsageError(`${name} is ${mebibytes(bytes)}; the configuration is limited to 1 MiB`);
  let bytes: Buffer;
  try {
    const size = statSync(file).size;
    if (size > MAX_CONFIG_BYTES) throw tooLarge(size);
    bytes = readFileSync(file);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(
      `${name} cannot be read (${(error as NodeJS.ErrnoException).code ?? firstLine(error)})`,
    );
  }
  // The size may have changed between stat and read.
  if (bytes.length > MAX_CONFIG_BYTES) throw tooLarge(bytes.length);
  const text = bytes.toString('utf8');
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const error = doc.errors[0];
  if (error !== undefined) {
    const line = lines.linePos(error.pos[0]).line;
    const first = error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? 'invalid YAML';
    // The parser reports runaway nesting as its own stack overflow.
    const reason = /call stack/i.test(first) ? 'it is nested too deeply' : first;
    throw new UsageError(`${name}:${line}: invalid YAML: ${reason}`);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_CONFIG_ALIAS_COUNT });
  } catch (error) {
    // toJS throws for an alias bomb (ReferenceError) or an alias it cannot resolve.
    const reason = /excessive alias count/i.test(firstLine(error))
      ? `its aliases expand too far (more than ${MAX_CONFIG_ALIAS_COUNT} alias uses)`
      : firstLine(error);
    throw new UsageError(`${name}: invalid YAML: ${reason}`);
  }
  if (value === null || value === undefined) return { doc, lines, value: {} };
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError(
      `${name}:1: the configuration must be a mapping of sections (blueprints, scheduler, ...)`,
    );
  }
  return { doc, lines, value: value as Json };
}

/** Every env variable name a leaf of the config answers to, e.g. PENGUIN_SCHEDULER_MAX_FRONTIER. */
function envLeaves(
  value: unknown,
  path: string[] = [],
  out = new Map<string, string[]>(),
): Map<string, string[]> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) envLeaves(inner, [...path, key], out);
  } else if (path.length > 0) {
    out.set(`PENGUIN_${path.join('_').toUpperCase()}`, path);
  }
  return out;
}

const ENV_LEAVES = envLeaves(DEFAULT_CONFIG);

/**
 * Writes each recognised PENGUIN_* variable into `raw` (values parsed as YAML, so `2`, `true` and
 * `[a, b]` mean what they say). Returns which path each variable set, for error messages. Other
 * PENGUIN_* variables (PENGUIN_API_TOKEN, ...) are not config and are left alone.
 */
function applyEnvOverrides(raw: Json, env: NodeJS.ProcessEnv): Map<string, string> {
  const applied = new Map<string, string>();
  for (const [name, path] of ENV_LEAVES) {
    const text = env[name];
    if (text === undefined) continue;
    let value: unknown;
    try {
      value = parseYaml(text);
    } catch (error) {
      throw new UsageError(`environment variable ${name}: not a valid YAML value (${firstLine(error)})`);
    }
    setIn(raw, path, value, name);
    applied.set(path.join('.'), name);
  }
  return applied;
}

function setIn(target: Json, path: string[], value: unknown, variable: string): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === undefined || next === null) {
      node[key] = {};
    } else if (typeof next !== 'object' || Array.isArray(next)) {
      throw new UsageError(
        `environment variable ${variable}: cannot override inside "${key}", which is not a mapping`,
      );
    }
    node = node[key] as Json;
  }
  node[path[path.length - 1] as string] = value;
}

/** The per-parse error map: lower-case phrases that read after a key path. */
function describeIssue(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${article(String(issue.expected))}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => String(v)).join(', ')}`;
    case 'too_small':
      return issue.origin === 'array'
        ? `must have at least ${String(issue.minimum)} entries`
        : `must be ${issue.inclusive ? 'at least' : 'greater than'} ${String(issue.minimum)}`;
    case 'too_big':
      return `must be ${issue.inclusive ? 'at most' : 'less than'} ${String(issue.maximum)}`;
    case 'invalid_format':
      return `must be a valid ${issue.format}`;
    default:
      return 'is not valid';
  }
}

function article(expected: string): string {
  if (expected === 'int') return 'an integer';
  if (expected === 'array') return 'a list';
  if (expected === 'object') return 'a mapping';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function explainIssue(
  issue: z.core.$ZodIssue,
  raw: Json,
  overrides: Map<string, string>,
  file: string | null,
  source: ConfigDocument | null,
): string {
  const unknownKey = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
  const path: Path =
    unknownKey === undefined ? [...issue.path].map(pathKey) : [...issue.path.map(pathKey), unknownKey];
  const shown = formatPath(path);

  const detail =
    unknownKey === undefined
      ? `${shown} ${issue.message}${gotSuffix(valueAt(raw, path))}`
      : `unknown key "${shown}"${knownKeysHint(issue.path.map(pathKey))}`;

  // A value set by the environment is blamed on its variable, not on the file.
  for (const [dotted, variable] of overrides) {
    const joined = path.join('.');
    if (joined === dotted || joined.startsWith(`${dotted}.`))
      return `environment variable ${variable}: ${detail}`;
  }
  if (file === null || source === null) return `configuration: ${detail}`;
  return `${displayName(file)}:${lineOf(source, path)}: ${detail}`;
}

function pathKey(key: PropertyKey): string | number {
  return typeof key === 'number' ? key : String(key);
}

function formatPath(path: Path): string {
  return path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${key}` : key),
    '',
  );
}

function valueAt(raw: unknown, path: Path): unknown {
  let node = raw;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

function gotSuffix(value: unknown): string {
  if (value === undefined) return '';
  const text = JSON.stringify(value) ?? String(value);
  return ` (got ${text.length > 60 ? `${text.slice(0, 57)}...` : text})`;
}

function knownKeysHint(parent: Path): string {
  const defaults = valueAt(
    DEFAULT_CONFIG,
    parent.filter((key) => typeof key === 'string'),
  );
  if (defaults === null || typeof defaults !== 'object' || Array.isArray(defaults)) return '';
  return ` (known keys: ${Object.keys(defaults).join(', ')})`;
}

/** The line of the deepest node of `path` that exists in the document (a key's line for unknown keys). */
function lineOf(source: ConfigDocument, path: Path): number {
  for (let depth = path.length; depth > 0; depth -= 1) {
    const parent = depth === 1 ? source.doc.contents : source.doc.getIn(path.slice(0, depth - 1), true);
    const key = path[depth - 1];
    if (isMap(parent)) {
      const pair = parent.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === key);
      const start = pair !== undefined && isScalar(pair.key) ? pair.key.range?.[0] : undefined;
      if (start !== undefined) return source.lines.linePos(start).line;
    }
    const node = source.doc.getIn(path.slice(0, depth), true);
    const range = node !== null && typeof node === 'object' && 'range' in node ? node.range : undefined;
    if (Array.isArray(range) && typeof range[0] === 'number') return source.lines.linePos(range[0]).line;
  }
  return 1;
}

function displayName(file: string | null): string {
  if (file === null) return 'configuration';
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') || isAbsolute(rel) ? file : rel;
}

function mebibytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
