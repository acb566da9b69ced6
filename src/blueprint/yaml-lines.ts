// Line numbers for YAML (and JSON, parsed as YAML) values: every error names the absolute line.
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';

export type PathKey = string | number;
/** Absolute 1-based line of the value at `path` (or of its deepest existing ancestor). */
export type Locate = (path: readonly PathKey[]) => number;

export interface ParsedYaml {
  doc: Document;
  /** Plain JS value (undefined when there were syntax errors). */
  value: unknown;
  errors: Array<{ line: number; message: string }>;
  locate: Locate;
}

/** Parse YAML text whose first line is absolute line `firstLine` of the file. */
export function parseYamlWithLines(text: string, firstLine: number): ParsedYaml {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true, prettyErrors: true });
  const offset = firstLine - 1;
  const errors = doc.errors.map((error) => ({
    line: (error.linePos?.[0].line ?? 1) + offset,
    // The yaml package appends a code excerpt after a blank line; keep the sentence only.
    message: error.message.split('\n')[0]!.trim(),
  }));
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
      errors.push({ line: firstLine, message: error instanceof Error ? error.message : String(error) });
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
