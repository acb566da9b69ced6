// The error fixtures through the built CLI: lint exits 1 naming codes and lines; sync exits 1 and
// writes nothing. Needs `npm run build` (npm test runs it).
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { assertBuilt, FIXTURES, runCli, runJson, tempDir } from './run-cli.js';

const ERRORS = join(FIXTURES, 'blueprints', 'errors');

interface LintJson {
  ok: boolean;
  files: {
    file: string;
    format: string;
    project_key: string;
    items: Record<string, unknown>[];
    recipes: Record<string, unknown>[];
    diagnostics: {
      code: string;
      severity: string;
      message: string;
      file: string;
      line: number;
      column?: number;
    }[];
  }[];
}

let dir: string;
beforeAll(() => assertBuilt());
beforeEach(() => {
  dir = tempDir();
  expect(runCli(['init'], { cwd: dir }).status).toBe(0);
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function errorsOf(file: string): { code: string; line: number; message: string }[] {
  const result = runJson<LintJson>(['blueprint', 'lint', join(ERRORS, file)], { cwd: dir });
  expect(result.status).toBe(1);
  expect(result.json.ok).toBe(false);
  return (result.json.files[0]?.diagnostics ?? []).filter((d) => d.severity === 'error');
}

describe('blueprint lint on the error fixtures', () => {
  it('cycle.md: one BP-LINT-003 naming the whole cycle', () => {
    const cycles = errorsOf('cycle.md').filter((d) => d.code === 'BP-LINT-003');
    expect(cycles).toHaveLength(1);
    expect(cycles[0]?.message).toMatch(/CYC-1.*CYC-3.*CYC-2.*CYC-1/);
    expect([6, 9, 12]).toContain(cycles[0]?.line);
  });

  it('bad-input.md: each problem on its line', () => {
    const errors = errorsOf('bad-input.md');
    const at = (line: number): { code: string; message: string }[] => errors.filter((d) => d.line === line);
    expect(at(6).some((d) => d.message.includes('priority'))).toBe(true);
    expect(at(8).some((d) => d.code === 'BP-LINT-001')).toBe(true);
    expect(at(8).some((d) => d.message.includes('estimate'))).toBe(true);
    expect(at(10)).not.toHaveLength(0);
    expect(at(13).some((d) => d.code === 'BP-LINT-002')).toBe(true);
    expect(at(15).some((d) => d.code === 'BP-PARSE-005')).toBe(true);
    expect(at(16).some((d) => d.code === 'BP-PARSE-003')).toBe(true);
  });

  it('unclosed-frontmatter.md: BP-PARSE-008 on line 1', () => {
    expect(errorsOf('unclosed-frontmatter.md')).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'BP-PARSE-008', line: 1 })]),
    );
  });

  it('prints file:line:col: severity CODE message lines and a summary for humans', () => {
    const result = runCli(['blueprint', 'lint', join(ERRORS, 'bad-input.md')], { cwd: ERRORS });
    expect(result.status).toBe(1);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.some((l) => /^bad-input\.md:13(:\d+)?: error BP-LINT-002 /.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/^1 file, \d+ tasks: \d+ errors, \d+ warnings?$/);
  });

  it('works outside a workspace, and exits 0 with the full JSON shape for a clean blueprint', () => {
    const outside = tempDir('penguin-lint-');
    try {
      const result = runJson<LintJson>(['blueprint', 'lint', join(FIXTURES, 'blueprints', 'bookmarks.md')], {
        cwd: outside,
      });
      expect(result.status).toBe(0);
      expect(result.json.ok).toBe(true);
      const [file] = result.json.files;
      expect(file).toMatchObject({ format: 'markdown', project_key: 'BOOK' });
      expect(file?.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const item = file?.items[0];
      for (const key of [
        'id',
        'title',
        'line',
        'parent_id',
        'acceptance_criteria',
        'depends_on',
        'dependency_specs',
        'recipe',
        'tests',
        'priority',
        'labels',
        'skills',
        'due',
        'sequence',
        'estimate',
        'effort',
        'value',
        'risk',
        'agent_role',
        'parallelizable',
        'batch',
        'description',
        'checked',
      ]) {
        expect(item).toHaveProperty(key);
      }
      expect(file?.recipes.map((r) => r.name)).toEqual(['health', 'crud', 'search']);
      for (const key of ['name', 'description', 'steps', 'service', 'artifacts'])
        expect(file?.recipes[0]).toHaveProperty(key);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('exits 2 for a file that does not exist', () => {
    const result = runCli(['blueprint', 'lint', 'nope.md'], { cwd: dir });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('error: nope.md: no such file\n');
  });
});

describe('blueprint sync on the error fixtures', () => {
  for (const file of ['cycle.md', 'bad-input.md', 'unclosed-frontmatter.md']) {
    it(`${file}: exit 1 and nothing written`, () => {
      const spec = join(dir, 'context', 'specs', file);
      copyFileSync(join(ERRORS, file), spec);
      const result = runJson<{ ok: boolean; projects: unknown[]; diagnostics: { severity: string }[] }>(
        ['blueprint', 'sync'],
        { cwd: dir },
      );
      expect(result.status).toBe(1);
      expect(result.json.ok).toBe(false);
      expect(result.json.projects).toEqual([]);
      expect(result.json.diagnostics.some((d) => d.severity === 'error')).toBe(true);
      const human = runCli(['blueprint', 'sync', spec], { cwd: dir });
      expect(human.status).toBe(1);
      expect(human.stdout).toMatch(/sync refused: .*nothing was written\n$/);
      const list = runJson<{ tasks: unknown[] }>(['task', 'list'], { cwd: dir });
      expect(list.status).toBe(0);
      expect(list.json.tasks).toEqual([]);
    });
  }

  it('sync of a good and a bad file together writes nothing', () => {
    copyFileSync(join(FIXTURES, 'blueprints', 'bookmarks.md'), join(dir, 'context', 'specs', 'bookmarks.md'));
    copyFileSync(join(ERRORS, 'cycle.md'), join(dir, 'context', 'specs', 'cycle.md'));
    expect(runCli(['blueprint', 'sync'], { cwd: dir }).status).toBe(1);
    expect(runJson<{ tasks: unknown[] }>(['task', 'list'], { cwd: dir }).json.tasks).toEqual([]);
  });
});
