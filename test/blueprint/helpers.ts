// Shared by the blueprint tests: the fixtures directory, and a compact "line code" view of diagnostics
// so expectations compare exactly which codes land on which lines.
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from '../../src/blueprint/model.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/blueprints/', import.meta.url));

/** Compact "line code" view of diagnostics for exact comparisons. */
export function brief(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => `${d.line} ${d.code}`);
}
