// The non-JUnit report readers: jest's JSON report (describe blocks, suites that failed to run) and go
// test's event stream (one case per test and subtest, a build error as an error case).
import { describe, expect, it } from 'vitest';
import { parseGoTestEvents } from '../../../src/ituv/tests/go.js';
import { JestReportError, parseJestReport } from '../../../src/ituv/tests/jest.js';

describe('parseJestReport', () => {
  it('reads assertion results with describe blocks, statuses and files, and suites that failed to run', () => {
    const report = {
      success: false,
      testResults: [
        {
          name: '/ws/test/books.test.js',
          status: 'failed',
          assertionResults: [
            {
              ancestorTitles: ['BOOK-1'],
              title: 'AC1 reads PORT',
              status: 'passed',
              duration: 12,
              failureMessages: [],
            },
            {
              ancestorTitles: ['BOOK-1'],
              title: 'AC2 health',
              status: 'failed',
              duration: 3,
              failureMessages: ['Expected 200'],
            },
            { ancestorTitles: [], title: 'later', status: 'todo', duration: null, failureMessages: [] },
          ],
        },
        {
          name: '/ws/test/broken.test.js',
          status: 'failed',
          message: 'SyntaxError: Unexpected token',
          assertionResults: [],
        },
      ],
    };
    const cases = parseJestReport(JSON.stringify(report), 'BOOK-1', '/ws');
    expect(cases.map((c) => [c.suite, c.name, c.status, c.file, c.covers_task, c.criteria])).toEqual([
      ['BOOK-1', 'AC1 reads PORT', 'passed', 'test/books.test.js', true, [1]],
      ['BOOK-1', 'AC2 health', 'failed', 'test/books.test.js', true, [2]],
      [null, 'later', 'skipped', 'test/books.test.js', false, []],
      [null, 'test/broken.test.js', 'error', 'test/broken.test.js', false, []],
    ]);
    expect(cases[1]).toMatchObject({ message: 'Expected 200', duration_ms: 3 });
    expect(cases[3]?.message).toBe('SyntaxError: Unexpected token');
  });

  it('rejects what is not a jest report', () => {
    expect(() => parseJestReport('{', 'X', '/ws')).toThrow(JestReportError);
    expect(() => parseJestReport('{"numTotalTests": 1}', 'X', '/ws')).toThrow(/not a jest --json report/);
  });
});

describe('parseGoTestEvents', () => {
  const event = (e: Record<string, unknown>): string =>
    JSON.stringify({ Time: '2025-01-01T00:00:00Z', ...e });

  it('makes one case per test and subtest, with its output as the failure message', () => {
    const output = [
      event({ Action: 'run', Package: 'ex/books', Test: 'TestBook1' }),
      event({
        Action: 'output',
        Package: 'ex/books',
        Test: 'TestBook1/BOOK-1_AC2_health',
        Output: 'books_test.go:9: got 500\n',
      }),
      event({ Action: 'fail', Package: 'ex/books', Test: 'TestBook1/BOOK-1_AC2_health', Elapsed: 0.01 }),
      event({ Action: 'pass', Package: 'ex/books', Test: 'TestBook1/BOOK-1_AC1_port', Elapsed: 0 }),
      event({ Action: 'skip', Package: 'ex/books', Test: 'TestLater', Elapsed: 0 }),
      'not json at all',
      event({ Action: 'fail', Package: 'ex/books', Elapsed: 0.3 }),
    ].join('\n');
    const cases = parseGoTestEvents(output, 'BOOK-1');
    expect(cases.map((c) => [c.name, c.status, c.covers_task, c.criteria])).toEqual([
      ['TestBook1/BOOK-1_AC2_health', 'failed', true, [2]],
      ['TestBook1/BOOK-1_AC1_port', 'passed', true, [1]],
      ['TestLater', 'skipped', false, []],
    ]);
    expect(cases[0]).toMatchObject({
      classname: 'ex/books',
      message: 'books_test.go:9: got 500',
      duration_ms: 10,
    });
  });

  it('turns a package that fails without test results (build error) into an error case', () => {
    const output = [
      event({
        ImportPath: 'ex/broken [ex/broken.test]',
        Action: 'build-output',
        Output: './a.go:3:1: syntax error\n',
      }),
      event({ Action: 'start', Package: 'ex/broken' }),
      event({ Action: 'fail', Package: 'ex/broken', Elapsed: 0 }),
    ].join('\n');
    expect(parseGoTestEvents(output, 'X')).toMatchObject([
      { name: 'ex/broken', status: 'error', message: './a.go:3:1: syntax error' },
    ]);
  });
});
