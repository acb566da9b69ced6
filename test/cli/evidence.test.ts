// The evidence table of `task show` and `task ituv verify`, rendered from a VERIFY verdict.
import { describe, expect, it } from 'vitest';
import { renderEvidenceTable } from '../../src/cli/evidence.js';
import { renderTable } from '../../src/cli/table.js';
import type { VerifyResult } from '../../src/contracts/phase-result.js';

const verdict: VerifyResult = {
  passed: false,
  criteria: [
    {
      number: 1,
      text: 'Bookmarks survive a restart.',
      met: true,
      evidence: [
        { kind: 'test', ref: 'BOOK-2 AC1 survives restart', passed: true },
        { kind: 'test', ref: 'BOOK-2 AC1 reopens the file', passed: true },
      ],
      reason: null,
    },
    {
      number: 2,
      text: 'url is unique; a duplicate is rejected',
      met: false,
      evidence: [],
      reason: 'no test named AC2 and no recipe step covers 2',
    },
    {
      number: 3,
      text: 'Export works\nsecond line is not shown',
      met: true,
      evidence: [
        { kind: 'recipe_step', ref: "recipe 'crud' step 1 (http POST /bookmarks)", passed: false },
        { kind: 'override', ref: 'checked by hand', passed: true },
      ],
      reason: null,
    },
  ],
  gates: [
    { name: 'implement', passed: true, detail: 'agent claude finished: implemented storage' },
    { name: 'tests', passed: true, detail: '2 passed, 0 failed, 0 errors, 0 skipped' },
    { name: 'check:lint', passed: false, detail: "check 'lint' failed", enforced: false },
    { name: 'check:types', passed: false, detail: 'tsc exited 2\nmore output' },
  ],
  failures: ['AC2 (url is unique; a duplicate is rejected) has no evidence: ...', 'tsc exited 2'],
};

describe('renderEvidenceTable', () => {
  it('renders criteria with their evidence, the gates and the verdict as plain text', () => {
    expect(renderEvidenceTable(verdict)).toMatchInlineSnapshot(`
      "#  Criterion                               Met  Evidence
      1  Bookmarks survive a restart.            yes  test 'BOOK-2 AC1 survives restart' passed
                                                      test 'BOOK-2 AC1 reopens the file' passed
      2  url is unique; a duplicate is rejected  NO   no test named AC2 and no recipe step covers 2
      3  Export works                            yes  recipe 'crud' step 1 (http POST /bookmarks) failed
                                                      override: checked by hand

      Gates:
        implement    passed                 agent claude finished: implemented storage
        tests        passed                 2 passed, 0 failed, 0 errors, 0 skipped
        check:lint   failed (not enforced)  check 'lint' failed
        check:types  FAILED                 tsc exited 2

      VERIFY failed (2 reasons)."
    `);
  });

  it('says when a task has no criteria', () => {
    const text = renderEvidenceTable({ ...verdict, passed: true, criteria: [], failures: [] });
    expect(text).toMatch(/^No acceptance criteria\.\n\nGates:\n {2}implement/);
    expect(text).toMatch(/VERIFY passed\.$/);
  });
});

describe('renderTable', () => {
  it('pads every column but the last to its widest cell and leaves no trailing spaces', () => {
    expect(
      renderTable(
        ['ID', 'TITLE', 'NOTE'],
        [
          ['BOOK-10', 'a', ''],
          ['B-1', 'longer title', 'x'],
        ],
      ),
    ).toEqual(['ID       TITLE         NOTE', 'BOOK-10  a', 'B-1      longer title  x']);
  });

  it('prints no header row when there are no headers', () => {
    expect(
      renderTable(
        [],
        [
          ['a', 'bb'],
          ['ccc', 'd'],
        ],
      ),
    ).toEqual(['a    bb', 'ccc  d']);
  });
});
