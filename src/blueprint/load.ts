// Parse plus lint in one call, with the diagnostics in reading order: what `blueprint lint`, sync,
// drift, `recipe run` and the ITUV phases read a blueprint file through.
import type { Blueprint, Diagnostic } from './model.js';
import { lintBlueprint } from './lint.js';
import { parseBlueprintFile } from './parse.js';

/** Diagnostics in reading order: line, then column, then code. */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.sort(
    (a, b) =>
      a.line - b.line ||
      (a.column ?? 0) - (b.column ?? 0) ||
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
}

/** Parse a blueprint file and lint it; all diagnostics merged and sorted. */
export function loadBlueprint(path: string): Blueprint {
  const blueprint = parseBlueprintFile(path);
  blueprint.diagnostics = sortDiagnostics([...blueprint.diagnostics, ...lintBlueprint(blueprint)]);
  return blueprint;
}
