// selectTests: the task's `Tests:` entries (files, globs, names) first, then test_mapping patterns
// with {id}, then a name filter with the blueprint id.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectTests } from '../../../src/ituv/tests/select.js';

let ws: string;

beforeAll(() => {
  ws = mkdtempSync(join(tmpdir(), 'penguin-select-'));
  for (const file of [
    'test/books.test.js',
    'test/book-1.test.js',
    'test/BOOK-1.spec.js',
    'test/other.test.js',
    'tests/test_books.py',
    'node_modules/dep/test/books.test.js',
  ]) {
    mkdirSync(dirname(join(ws, file)), { recursive: true });
    writeFileSync(join(ws, file), '// test\n');
  }
});

afterAll(() => rmSync(ws, { recursive: true, force: true }));

describe('selectTests', () => {
  it("uses the task's Tests: entries first: files, globs, and plain names as a name filter", () => {
    const selection = selectTests(
      {
        blueprint_id: 'BOOK-1',
        tests: ['test/books.test.js', 'tests/*.py', 'reads PORT (v2)', 'test/missing.test.js'],
      },
      { workspaceRoot: ws, patterns: ['test/{id}.test.js'] },
    );
    expect(selection).toEqual({
      strategy: 'tests',
      files: ['test/books.test.js', 'tests/test_books.py'],
      // A missing path is not a name; the name is escaped for use as a regular expression.
      filter: 'reads PORT \\(v2\\)',
      names: ['reads PORT (v2)'],
    });
  });

  it('falls back to test_mapping patterns with {id} as written and lower-cased, never inside node_modules', () => {
    const selection = selectTests(
      { blueprint_id: 'BOOK-1', tests: ['test/nothing-*.js'] },
      { workspaceRoot: ws, patterns: ['test/{id}.test.js', 'test/{id}.spec.js', '**/books.test.js'] },
    );
    expect(selection).toEqual({
      strategy: 'patterns',
      files: ['test/BOOK-1.spec.js', 'test/book-1.test.js', 'test/books.test.js'],
      filter: null,
      names: [],
    });
  });

  it('falls back to a name filter with the blueprint id when nothing else selects a file', () => {
    const selection = selectTests(
      { blueprint_id: 'API.2', tests: [] },
      { workspaceRoot: ws, patterns: ['test/{id}.test.js'] },
    );
    expect(selection).toEqual({ strategy: 'filter', files: [], filter: 'API\\.2', names: ['API.2'] });
  });
});
