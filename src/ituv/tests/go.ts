// `go test -json` (test2json) events into test cases: go has no JUnit writer of its own.
import { z } from 'zod';
import type { TestCaseResult } from '../results.js';
import { annotate, type RawTestCase } from './mapping.js';

const eventSchema = z.looseObject({
  Action: z.string(),
  Package: z.string().optional(),
  ImportPath: z.string().optional(),
  Test: z.string().optional(),
  Elapsed: z.number().optional(),
  Output: z.string().optional(),
});

const MESSAGE_CHARS = 2_000;

/**
 * One case per test (subtests too, named `TestX/sub_name`), from its pass/fail/skip event; the
 * test's own output is the failure message. A package that fails with no test result (a build
 * error, a panic in init) becomes an error case named after the package. Lines that are not
 * events (build errors go to stdout too) are ignored here; they stay in the log.
 */
export function parseGoTestEvents(output: string, blueprintId: string): TestCaseResult[] {
  const cases: RawTestCase[] = [];
  const testOutput = new Map<string, string>();
  const packageOutput = new Map<string, string>();
  const packagesWithCases = new Set<string>();
  let buildOutput = '';
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      continue;
    }
    const parsed = eventSchema.safeParse(json);
    if (!parsed.success) continue;
    const event = parsed.data;
    const pkg = event.Package ?? '';
    if (event.Action === 'build-output') {
      // go >= 1.24 reports compile errors as events of the import path, not of the package.
      buildOutput += event.Output ?? '';
      continue;
    }
    if (event.Action === 'output') {
      const key = event.Test ? `${pkg}\0${event.Test}` : pkg;
      const store = event.Test ? testOutput : packageOutput;
      store.set(key, (store.get(key) ?? '') + (event.Output ?? ''));
      continue;
    }
    if (!['pass', 'fail', 'skip'].includes(event.Action)) continue;
    const duration = event.Elapsed === undefined ? null : Math.round(event.Elapsed * 1000);
    if (event.Test) {
      packagesWithCases.add(pkg);
      const status = event.Action === 'pass' ? 'passed' : event.Action === 'skip' ? 'skipped' : 'failed';
      cases.push({
        name: event.Test,
        classname: pkg || null,
        file: null,
        suite: null,
        status,
        message: status === 'failed' ? clip(testOutput.get(`${pkg}\0${event.Test}`)) : null,
        duration_ms: duration,
      });
    } else if (event.Action === 'fail' && !packagesWithCases.has(pkg)) {
      cases.push({
        name: pkg || 'go test',
        classname: pkg || null,
        file: null,
        suite: null,
        status: 'error',
        message:
          clip(packageOutput.get(pkg)) ?? clip(buildOutput) ?? `package ${pkg} failed without a test result`,
        duration_ms: duration,
      });
    }
  }
  return cases.map((c) => annotate(c, blueprintId));
}

function clip(text: string | undefined): string | null {
  const trimmed = text?.trim();
  if (!trimmed) return null;
  return trimmed.length > MESSAGE_CHARS ? `…${trimmed.slice(-MESSAGE_CHARS)}` : trimmed;
}
