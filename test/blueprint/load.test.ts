// loadBlueprint (parse + lint) on the error fixtures of test/fixtures/blueprints/errors/: every problem
// at its line and column, merged and sorted in reading order; the bookmarks fixtures load clean.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBlueprint } from '../../src/blueprint/load.js';
import { hasErrors } from '../../src/blueprint/model.js';
import { brief, FIXTURES } from './helpers.js';

describe('loadBlueprint on the error fixtures (errors/README.md)', () => {
  it('bad-input.md reports every problem at its line', () => {
    const bp = loadBlueprint(join(FIXTURES, 'errors/bad-input.md'));
    const errors = bp.diagnostics.filter((d) => d.severity === 'error');
    expect(brief(errors)).toEqual([
      '6 BP-PARSE-027',
      '8 BP-LINT-001',
      '8 BP-PARSE-027',
      '10 BP-PARSE-028',
      '13 BP-LINT-002',
      '15 BP-PARSE-005',
      '16 BP-PARSE-003',
    ]);
    const byLine = (line: number, code: string) => errors.find((d) => d.line === line && d.code === code)!;
    expect(byLine(6, 'BP-PARSE-027').message).toContain('priority');
    expect(byLine(6, 'BP-PARSE-027').message).toContain('urgent');
    expect(byLine(6, 'BP-PARSE-027').column).toBe(40);
    expect(byLine(8, 'BP-PARSE-027').message).toContain('estimate');
    expect(byLine(8, 'BP-PARSE-027').column).toBe(28);
    expect(byLine(8, 'BP-LINT-001').message).toContain('line 6');
    expect(byLine(10, 'BP-PARSE-028').message).toContain('task has no id: "Implement the login flow"');
    expect(byLine(13, 'BP-LINT-002').message).toContain('BAD-99');
    expect(byLine(16, 'BP-PARSE-003').message).toContain('whenever');
    expect(bp.items.map((i) => i.id)).toEqual(['BAD-1', 'BAD-1', 'BAD-2']);
    expect(errors.every((d) => d.file === join(FIXTURES, 'errors/bad-input.md'))).toBe(true);
  });

  it('cycle.md reports one cycle, in order, at the first task of the cycle', () => {
    const bp = loadBlueprint(join(FIXTURES, 'errors/cycle.md'));
    expect(bp.diagnostics).toEqual([
      expect.objectContaining({
        code: 'BP-LINT-003',
        severity: 'error',
        line: 6,
        message: 'dependency cycle: CYC-1 -> CYC-3 -> CYC-2 -> CYC-1',
      }),
    ]);
  });

  it('unclosed-frontmatter.md reports BP-PARSE-008 at line 1', () => {
    const bp = loadBlueprint(join(FIXTURES, 'errors/unclosed-frontmatter.md'));
    const errors = bp.diagnostics.filter((d) => d.severity === 'error');
    expect(brief(errors)).toEqual(['1 BP-PARSE-008']);
    expect(hasErrors(bp.diagnostics)).toBe(true);
  });

  it('bookmarks.md and bookmarks.yaml load with no diagnostics at all', () => {
    expect(loadBlueprint(join(FIXTURES, 'bookmarks.md')).diagnostics).toEqual([]);
    expect(loadBlueprint(join(FIXTURES, 'bookmarks.yaml')).diagnostics).toEqual([]);
  });

  it('sorts merged diagnostics by line, then column, then code', () => {
    const bp = loadBlueprint(join(FIXTURES, 'errors/bad-input.md'));
    const keys = bp.diagnostics.map((d) => [d.line, d.column ?? 0, d.code] as const);
    const sorted = [...keys].sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2].localeCompare(b[2]));
    expect(keys).toEqual(sorted);
  });
});
