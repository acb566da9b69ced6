// parseJunit: cases with failure, error and skipped children across suites, nested and node:test
// layouts, empty reports, and XML that is malformed or not JUnit refused.
import { describe, expect, it } from 'vitest';
import { JunitParseError, parseJunit } from '../../../src/ituv/tests/junit.js';

describe('parseJunit', () => {
  it('reads cases of several suites with failure, error and skipped children, time and file', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="all" tests="5">
  <testsuite name="api" file="test/api.test.ts">
    <testcase classname="api" name="BOOK-1 AC1 reads PORT" time="0.25"/>
    <testcase classname="api" name="BOOK-1 AC2 answers health" time="0.004">
      <failure message="expected 200, got 500" type="AssertionError">stack trace here</failure>
    </testcase>
  </testsuite>
  <testsuite name="db">
    <testcase classname="db" name="connects" file="test/db.test.ts">
      <error message="ECONNREFUSED"/>
    </testcase>
    <testcase classname="db" name="migrates"><skipped/></testcase>
    <testcase classname="db" name="no message"><failure>only a body
second line</failure></testcase>
  </testsuite>
</testsuites>`;
    const cases = parseJunit(xml, 'BOOK-1');
    expect(cases.map((c) => [c.name, c.status])).toEqual([
      ['BOOK-1 AC1 reads PORT', 'passed'],
      ['BOOK-1 AC2 answers health', 'failed'],
      ['connects', 'error'],
      ['migrates', 'skipped'],
      ['no message', 'failed'],
    ]);
    expect(cases[0]).toMatchObject({
      classname: 'api',
      file: 'test/api.test.ts',
      suite: 'api',
      duration_ms: 250,
      message: null,
      covers_task: true,
      criteria: [1],
    });
    expect(cases[1]).toMatchObject({ message: 'expected 200, got 500', duration_ms: 4, criteria: [2] });
    expect(cases[2]).toMatchObject({
      file: 'test/db.test.ts',
      message: 'ECONNREFUSED',
      covers_task: false,
      criteria: [],
    });
    expect(cases[3]).toMatchObject({ file: null, message: null, duration_ms: null });
    expect(cases[4]?.message).toBe('only a body\nsecond line');
  });

  it('walks nested suites and cases directly under <testsuites> (node:test layout)', () => {
    const xml = `<testsuites>
  <testsuite name="BOOK-1">
    <testsuite name="config">
      <testcase name="AC3 reads PORT" classname="test" failure="boom">
        <failure type="testCodeFailure" message="boom">Error: boom</failure>
      </testcase>
    </testsuite>
    <testcase name="plain" classname="test"/>
  </testsuite>
  <testcase name="top-level BOOK-10 AC1" classname="test"/>
</testsuites>`;
    const cases = parseJunit(xml, 'BOOK-1');
    // A suite's own cases come before those of its child suites.
    expect(cases.map((c) => [c.suite, c.name, c.status, c.covers_task, c.criteria])).toEqual([
      // BOOK-10 is not BOOK-1.
      [null, 'top-level BOOK-10 AC1', 'passed', false, [1]],
      ['BOOK-1', 'plain', 'passed', true, []],
      ['BOOK-1 > config', 'AC3 reads PORT', 'failed', true, [3]],
    ]);
    expect(cases[2]?.message).toBe('boom');
  });

  it('accepts a lone <testsuite> root and empty reports', () => {
    const single = parseJunit(
      '<testsuite name="pytest"><testcase classname="tests.test_x" name="test_book_1_ac2"/></testsuite>',
      'BOOK-1',
    );
    expect(single).toEqual([
      {
        name: 'test_book_1_ac2',
        classname: 'tests.test_x',
        file: null,
        suite: 'pytest',
        status: 'passed',
        message: null,
        duration_ms: null,
        covers_task: true,
        criteria: [2],
      },
    ]);
    expect(parseJunit('<testsuites/>', 'X')).toEqual([]);
    expect(parseJunit('<testsuites><testsuite name="empty"></testsuite></testsuites>', 'X')).toEqual([]);
  });

  it('rejects XML that is not well-formed or not JUnit', () => {
    expect(() => parseJunit('<testsuites><testcase name="x">', 'X')).toThrow(JunitParseError);
    expect(() => parseJunit('<testsuites><testcase name="x">', 'X')).toThrow(/not well-formed XML at line 1/);
    expect(() => parseJunit('<html><body/></html>', 'X')).toThrow(/neither <testsuites> nor <testsuite>/);
    expect(() => parseJunit('', 'X')).toThrow(JunitParseError);
  });
});
