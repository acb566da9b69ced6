// The `{k=v, ...}` metadata block at the end of a task line (DESIGN §3). A small quote-aware scanner:
// segments split on commas outside quotes, a segment without `=` continues the previous key's list,
// and every problem carries the 1-based column of the offending key.
import {
  PRIORITIES,
  SEQUENCES,
  type BlueprintItem,
  type Priority,
  type Sequence,
  type Severity,
} from './model.js';
import { BAD_METADATA_VALUE, MALFORMED_METADATA, UNKNOWN_KEY } from './codes.js';
import { LOOSE_ID } from './naming.js';

/** The item fields a metadata block can set, plus the id. */
export type ItemMetadata = Partial<
  Pick<
    BlueprintItem,
    | 'description'
    | 'priority'
    | 'labels'
    | 'assignees'
    | 'required_tools'
    | 'skills'
    | 'due'
    | 'estimate'
    | 'effort'
    | 'value'
    | 'risk'
    | 'sequence'
    | 'agent_role'
    | 'parallelizable'
    | 'batch'
  >
> & { id?: string };

export interface MetadataIssue {
  code: string;
  severity: Severity;
  message: string;
  /** 1-based column in the raw line. */
  column: number;
}

export interface LineMetadata {
  /** The line without the metadata block, trailing space trimmed. */
  text: string;
  /** Column (1-based) of the `{`, or null when the line has no block. */
  column: number | null;
  fields: ItemMetadata;
  issues: MetadataIssue[];
}

const LIST_KEYS = new Set(['labels', 'assignees', 'required_tools', 'skills']);
const INTEGER_KEYS = new Set(['estimate', 'effort', 'value', 'risk']);
const STRING_KEYS = new Set(['description', 'agent_role', 'batch']);
const KNOWN_KEYS = new Set([
  'id',
  'priority',
  'due',
  'sequence',
  'parallelizable',
  ...LIST_KEYS,
  ...INTEGER_KEYS,
  ...STRING_KEYS,
]);

type ListKey = 'labels' | 'assignees' | 'required_tools' | 'skills';
type IntegerKey = 'estimate' | 'effort' | 'value' | 'risk';
type StringKey = 'description' | 'agent_role' | 'batch';

interface Segment {
  raw: string;
  /** Offset of `raw` inside the scanned text. */
  start: number;
}

interface ScanResult {
  /** Offset of the closing `}` (or of the end when unterminated). */
  end: number;
  closed: boolean;
  segments: Segment[];
}

/**
 * Scan from just after a `{` to its `}`. A quote opens quoting only where a value (or key) starts,
 * so an apostrophe inside a word (`don't`) is literal.
 */
function scanBlock(line: string, open: number): ScanResult {
  const segments: Segment[] = [];
  let segStart = open + 1;
  let atStart = true;
  let quote: string | null = null;
  for (let i = open + 1; i < line.length; i++) {
    const ch = line[i]!;
    if (quote !== null) {
      if (ch === quote) quote = null;
      continue;
    }
    if (atStart && (ch === '"' || ch === "'")) {
      quote = ch;
      atStart = false;
      continue;
    }
    if (ch === '}') {
      segments.push({ raw: line.slice(segStart, i), start: segStart });
      return { end: i, closed: true, segments };
    }
    if (ch === ',') {
      segments.push({ raw: line.slice(segStart, i), start: segStart });
      segStart = i + 1;
      atStart = true;
    } else if (ch === '=') {
      atStart = true;
    } else if (ch !== ' ') {
      atStart = false;
    }
  }
  segments.push({ raw: line.slice(segStart), start: segStart });
  return { end: line.length, closed: false, segments };
}

function unquote(value: string): string {
  const first = value[0];
  if ((first === '"' || first === "'") && value.length >= 2) {
    const close = value.indexOf(first, 1);
    if (close > 0) return value.slice(1, close);
  }
  return value;
}

function isRealDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * Find the trailing `{...}` block of a line and parse it. Lines without one give empty fields. A
 * trailing brace group with no `=` in it (`Support {braces}`, `Parse JSON like {"a": 1}`) is title
 * text, not metadata: metadata is always `key=value`.
 */
export function parseLineMetadata(line: string): LineMetadata {
  let from = line.indexOf('{');
  while (from >= 0) {
    const scan = scanBlock(line, from);
    if (scan.closed && line.slice(scan.end + 1).trim() === '') {
      if (!line.slice(from, scan.end).includes('=')) break;
      return { text: line.slice(0, from).trimEnd(), column: from + 1, ...parseSegments(scan.segments) };
    }
    if (!scan.closed) {
      // An unterminated block that looks like metadata is an error; a lone `{` in a title is text.
      if (line.slice(from).includes('=')) {
        return {
          text: line.slice(0, from).trimEnd(),
          column: from + 1,
          fields: {},
          issues: [
            {
              code: MALFORMED_METADATA,
              severity: 'error',
              message: `metadata block at column ${from + 1} is not terminated (a missing "}" or an unclosed quote)`,
              column: from + 1,
            },
          ],
        };
      }
      break;
    }
    from = line.indexOf('{', from + 1);
  }
  return { text: line.trimEnd(), column: null, fields: {}, issues: [] };
}

function parseSegments(segments: Segment[]): { fields: ItemMetadata; issues: MetadataIssue[] } {
  const fields: ItemMetadata = {};
  const issues: MetadataIssue[] = [];
  let lastKey: string | null = null;
  const bad = (key: string, value: string, column: number, expected: string): void => {
    issues.push({
      code: BAD_METADATA_VALUE,
      severity: 'error',
      message: `metadata ${key}="${value}" at column ${column} is not valid: expected ${expected}`,
      column,
    });
  };

  for (const segment of segments) {
    const leading = segment.raw.length - segment.raw.trimStart().length;
    const raw = segment.raw.trim();
    const column = segment.start + leading + 1;
    if (raw === '') continue;
    const eq = raw.startsWith('"') || raw.startsWith("'") ? -1 : raw.indexOf('=');
    if (eq < 0) {
      const value = unquote(raw);
      if (lastKey !== null && LIST_KEYS.has(lastKey)) {
        fields[lastKey as ListKey]!.push(value);
      } else if (lastKey === 'description') {
        fields.description = `${fields.description ?? ''}, ${value}`;
      } else {
        issues.push({
          code: MALFORMED_METADATA,
          severity: 'error',
          message: `metadata segment "${raw}" at column ${column} has no key (expected key=value)`,
          column,
        });
      }
      continue;
    }
    const key = raw.slice(0, eq).trim().toLowerCase();
    const value = unquote(raw.slice(eq + 1).trim());
    lastKey = key;
    if (!KNOWN_KEYS.has(key)) {
      issues.push({
        code: UNKNOWN_KEY,
        severity: 'warning',
        message: `unknown metadata key "${key}" at column ${column} is ignored`,
        column,
      });
      lastKey = null;
      continue;
    }
    if (LIST_KEYS.has(key)) {
      const list = (fields[key as ListKey] ??= []);
      if (value !== '') list.push(value);
    } else if (INTEGER_KEYS.has(key)) {
      if (/^\d+$/.test(value)) fields[key as IntegerKey] = Number(value);
      else bad(key, value, column, 'a whole number');
    } else if (STRING_KEYS.has(key)) {
      if (value !== '') fields[key as StringKey] = value;
      else bad(key, value, column, 'a non-empty value');
    } else if (key === 'id') {
      if (LOOSE_ID.test(value)) fields.id = value;
      else bad(key, value, column, 'an id without spaces, ":" or "|"');
    } else if (key === 'priority') {
      const lower = value.toLowerCase();
      if ((PRIORITIES as readonly string[]).includes(lower)) fields.priority = lower as Priority;
      else bad(key, value, column, PRIORITIES.join('|'));
    } else if (key === 'sequence') {
      const lower = value.toLowerCase();
      if ((SEQUENCES as readonly string[]).includes(lower)) fields.sequence = lower as Sequence;
      else bad(key, value, column, SEQUENCES.join('|'));
    } else if (key === 'due') {
      if (isRealDate(value)) fields.due = value;
      else bad(key, value, column, 'a real date as YYYY-MM-DD');
    } else if (key === 'parallelizable') {
      const lower = value.toLowerCase();
      if (lower === 'true' || lower === 'false') fields.parallelizable = lower === 'true';
      else bad(key, value, column, 'true|false');
    }
  }
  return { fields, issues };
}

export { isRealDate };
