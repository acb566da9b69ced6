// Entry points: text or file -> Blueprint. Nothing here throws for bad input; an unreadable, huge or
// binary file is a diagnostic like any other, so `blueprint lint` can report every file in one run.
import { itemContentHash } from './hash.js';
import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import type { Blueprint, BlueprintFormat, Diagnostic } from './model.js';
import { FILE_TOO_LARGE, NOT_TEXT, UNREADABLE, UNSUPPORTED_FORMAT } from './codes.js';
import { emptyBlueprint } from './empty.js';
import { parseMarkdownBlueprint } from './markdown.js';
import { parseStructuredBlueprint } from './structured.js';

/** Blueprints larger than this are refused (a spec, not a data dump). */
export const MAX_BLUEPRINT_BYTES = 5 * 1024 * 1024;

const FORMATS: Record<string, BlueprintFormat> = {
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.yaml': 'yaml',
  '.yml': 'yaml',
  '.json': 'json',
};

/** Format from the file extension (case-insensitive); null when it is not a blueprint extension. */
export function detectFormat(path: string): BlueprintFormat | null {
  return FORMATS[extname(path).toLowerCase()] ?? null;
}

/** Parse blueprint text; `format` defaults to the one of `file`'s extension, else markdown. */
export function parseBlueprintText(text: string, file: string, format?: BlueprintFormat): Blueprint {
  const chosen = format ?? detectFormat(file) ?? 'markdown';
  const blueprint =
    chosen === 'markdown' ? parseMarkdownBlueprint(text, file) : parseStructuredBlueprint(text, file, chosen);
  for (const item of blueprint.items) itemContentHash(item);
  return blueprint;
}

function failure(file: string, format: BlueprintFormat, code: string, message: string): Blueprint {
  const diagnostic: Diagnostic = { code, severity: 'error', message, file, line: 1 };
  return emptyBlueprint(file, format, [diagnostic]);
}

function mebibytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** Read and parse a blueprint file. `file` in the result and diagnostics is `path` as given. */
export function parseBlueprintFile(path: string): Blueprint {
  const detected = detectFormat(path);
  if (detected === null) {
    return failure(
      path,
      'markdown',
      UNSUPPORTED_FORMAT,
      `${path} is not a blueprint: the extension must be .md, .markdown, .yaml, .yml or .json`,
    );
  }
  let bytes: Buffer;
  try {
    const size = statSync(path).size;
    if (size > MAX_BLUEPRINT_BYTES) {
      return failure(
        path,
        detected,
        FILE_TOO_LARGE,
        `${path} is ${mebibytes(size)}; blueprints are limited to 5 MiB`,
      );
    }
    bytes = readFileSync(path);
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    return failure(path, detected, UNREADABLE, `${path} cannot be read (${reason})`);
  }
  // The size may have changed between stat and read.
  if (bytes.length > MAX_BLUEPRINT_BYTES) {
    return failure(
      path,
      detected,
      FILE_TOO_LARGE,
      `${path} is ${mebibytes(bytes.length)}; blueprints are limited to 5 MiB`,
    );
  }
  if (bytes.includes(0)) {
    return failure(path, detected, NOT_TEXT, `${path} is not text: it contains NUL bytes`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return failure(path, detected, NOT_TEXT, `${path} is not valid UTF-8 text`);
  }
  return parseBlueprintText(text, path, detected);
}
