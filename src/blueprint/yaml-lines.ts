// Line numbers for YAML (and JSON, parsed as YAML) values: every error names the absolute line.
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';

export type PathKey = string | number;
/** Absolute 1-based line of the value at `path` (or of its deepest existing ancestor). */
export type Locate = (path: readonly PathKey[]) => number;

export interface YamlError {
  /** Absolute 1-based line and column in the file. */
  line: number;
  column: number;
  /** One sentence; a position in it is the absolute one. */
  message: string;
}

export interface ParsedYaml {
  doc: Document;
  /** Plain JS value (undefined when there were syntax errors). */
  value: unknown;
  errors: YamlError[];
  locate: Locate;
}

/**
 * Parse YAML text whose first line is absolute line `firstLine` of the file and whose columns are
 * `columnOffset` columns left of the file's (a dedented block).
 */
export function parseYamlWithLines(text: string, firstLine: number, columnOffset = 0): ParsedYaml {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true, prettyErrors: true });
  const offset = firstLine - 1;
  // One syntax error is reported: the ones after it are nearly always the same mistake seen again
  // by the parser's recovery (an unclosed `[` gives three), which only buries the real one.
  const errors = doc.errors.slice(0, 1).map((error): YamlError => {
    const line = (error.linePos?.[0].line ?? 1) + offset;
    const column = (error.linePos?.[0].col ?? 1) + columnOffset;
    // The yaml package appends a code excerpt after a blank line and names the position inside the
    // text it was given; keep the sentence and name the file's own position instead.
    const sentence = error.message
      .split('\n')[0]!
      .trim()
      .replace(/\s*at line \d+, column \d+:?$/, '');
    return { line, column, message: `${sentence} at line ${line}, column ${column}` };
  });
  const locate: Locate = (path) => {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return counter.linePos(node.range[0]).line + offset;
    }
    return firstLine;
  };
  let value: unknown;
  if (errors.length === 0) {
    try {
      // toJS throws for semantic problems the parser lets through (an alias to an unknown anchor).
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      errors.push({ line: firstLine, column: 1 + columnOffset, message });
    }
  }
  return { doc, value, errors, locate };
}

/** `items[3].depends_on` for a path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}
