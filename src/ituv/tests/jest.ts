// Jest results. Jest writes JUnit only through the separate jest-junit package, which a project may
// not have; its built-in `--json --outputFile` report carries the same per-test facts, so that is used.
import { relative, sep } from 'node:path';
import { z } from 'zod';
import type { TestCaseResult } from '../results.js';
import { annotate, type RawTestCase } from './mapping.js';

const assertionSchema = z.looseObject({
  ancestorTitles: z.array(z.string()).default([]),
  title: z.string(),
  status: z.string(),
  duration: z.number().nullable().optional(),
  failureMessages: z.array(z.string()).default([]),
});
const fileSchema = z.looseObject({
  name: z.string(),
  status: z.string().optional(),
  message: z.string().optional(),
  assertionResults: z.array(assertionSchema).default([]),
});
export const jestReportSchema = z.looseObject({ testResults: z.array(fileSchema) });

/** Thrown for a report that is not jest JSON; the runner turns it into a phase failure. */
export class JestReportError extends Error {}

const SKIPPED = new Set(['pending', 'skipped', 'todo', 'disabled']);

/** Cases of a jest `--json` report; a file that failed without running tests (syntax error) is an error case. */
export function parseJestReport(json: string, blueprintId: string, workspaceRoot: string): TestCaseResult[] {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (error) {
    throw new JestReportError(`not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = jestReportSchema.safeParse(data);
  if (!parsed.success)
    throw new JestReportError(`not a jest --json report: ${parsed.error.issues[0]?.message ?? ''}`);
  const cases: RawTestCase[] = [];
  for (const file of parsed.data.testResults) {
    const path = relative(workspaceRoot, file.name).split(sep).join('/');
    if (file.assertionResults.length === 0 && file.status === 'failed') {
      cases.push({
        name: path,
        classname: null,
        file: path,
        suite: null,
        status: 'error',
        message: file.message?.trim() || 'the test file failed to run',
        duration_ms: null,
      });
    }
    for (const a of file.assertionResults) {
      const status = a.status === 'passed' ? 'passed' : SKIPPED.has(a.status) ? 'skipped' : 'failed';
      cases.push({
        name: a.title,
        classname: null,
        file: path,
        suite: a.ancestorTitles.length > 0 ? a.ancestorTitles.join(' > ') : null,
        status,
        message: status === 'failed' ? a.failureMessages.join('\n').trim() || null : null,
        duration_ms: a.duration ?? null,
      });
    }
  }
  return cases.map((c) => annotate(c, blueprintId));
}
