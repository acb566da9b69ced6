// How a VERIFY verdict is shown in a terminal (`task show`, `task ituv verify`): one row per
// acceptance criterion with its evidence, then the gates, then the verdict.
import type { Evidence, VerifyResult } from '../contracts/phase-result.js';
import { renderTable } from './table.js';

export function renderEvidenceTable(result: VerifyResult): string {
  const rows: string[][] = [];
  for (const c of result.criteria) {
    const evidence = c.evidence.map(describeEvidence);
    if (!c.met && c.evidence.every((e) => e.passed) && c.reason) evidence.push(c.reason);
    if (evidence.length === 0) evidence.push('-');
    evidence.forEach((line, i) =>
      rows.push(
        i === 0
          ? [String(c.number), short(firstLine(c.text), 48), c.met ? 'yes' : 'NO', line]
          : ['', '', '', line],
      ),
    );
  }
  const lines: string[] = [];
  if (rows.length === 0) {
    lines.push('No acceptance criteria.');
  } else {
    lines.push(...renderTable(['#', 'Criterion', 'Met', 'Evidence'], rows));
  }
  if (result.gates.length > 0) {
    lines.push('', 'Gates:');
    const gateRows = result.gates.map((g) => [
      g.name,
      g.passed ? 'passed' : g.enforced === false ? 'failed (not enforced)' : 'FAILED',
      firstLine(g.detail),
    ]);
    lines.push(...renderTable([], gateRows).map((l) => `  ${l}`));
  }
  lines.push(
    '',
    result.passed
      ? 'VERIFY passed.'
      : `VERIFY failed (${result.failures.length} ${result.failures.length === 1 ? 'reason' : 'reasons'}).`,
  );
  return lines.join('\n');
}

function describeEvidence(e: Evidence): string {
  switch (e.kind) {
    case 'test':
      return `test '${e.ref}' ${e.passed ? 'passed' : 'failed'}`;
    case 'recipe_step':
      return `${e.ref} ${e.passed ? 'passed' : 'failed'}`;
    case 'override':
      return `override: ${e.ref}`;
  }
}

function firstLine(text: string): string {
  const line = text.split(/\r?\n/).find((l) => l.trim().length > 0) ?? '';
  return short(line.trim(), 300);
}

function short(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
