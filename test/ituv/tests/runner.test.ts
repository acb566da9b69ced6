// runTests with real runners on the fixture projects of test/fixtures/test-runner (node:test, pytest, go,
// vitest, a configured command): selection, JUnit parsing, criteria mapping, failing closed, and
// containment. pytest and go are required in CI and skipped loudly elsewhere.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestCaseResult } from '../../../src/ituv/results.js';
import { MAX_REPORT_BYTES, runTests, type RunTestsOptions } from '../../../src/ituv/tests/runner.js';
import { detachedSleeper, untilDetached, killMarked, newMarker, survivors } from '../orphans.js';

const FIXTURES = resolve('test/fixtures/test-runner');
const REPO_NODE_MODULES = resolve('node_modules');
let scratch: string;
let counter = 0;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'penguin-runner-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A private copy of a fixture project: runners write caches (pytest) next to the tests. */
function project(name: string): string {
  const dir = join(scratch, `${name}-${++counter}`);
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

function options(workspaceRoot: string, extra: Partial<RunTestsOptions> = {}): RunTestsOptions {
  return {
    workspaceRoot,
    patterns: [],
    allowNoTests: false,
    timeoutMs: 120_000,
    outputDir: join(scratch, `out-${++counter}`),
    ...extra,
  };
}

const task = (blueprint_id: string, tests: string[] = []) => ({ blueprint_id, tests });
const summary = (cases: TestCaseResult[]) => cases.map((c) => [c.name, c.status, c.covers_task, c.criteria]);

/**
 * Whether a tool is here. pytest is required in CI (.ci/run installs it), so there a missing one
 * fails the suite (.ci/run installs pytest and go); elsewhere the tests are skipped loudly.
 */
function available(command: string, args: string[], requiredInCi: boolean): boolean {
  const ok = spawnSync(command, args, { stdio: 'ignore' }).status === 0;
  if (!ok) {
    if (requiredInCi && process.env.CI)
      throw new Error(`${command} ${args.join(' ')} failed: CI must provide it`);
    console.warn(`SKIPPING tests that need \`${command} ${args.join(' ')}\`: it is not available here`);
  }
  return ok;
}
const hasPytest = available('python3', ['-m', 'pytest', '--version'], true);
const hasGo = available('go', ['version'], true);

describe('runTests with node:test (detected from package.json)', () => {
  it('runs the tests named by the blueprint id, parses JUnit and maps criteria', async () => {
    const ws = project('node-project');
    const opts = options(ws);
    const result = await runTests(task('BOOK-1'), opts);
    expect(result.failure).toBeNull();
    expect(result).toMatchObject({
      runner: 'node:test',
      passed: true,
      selection: { strategy: 'filter', files: [], filter: 'BOOK-1' },
    });
    expect(result.command).toContain('--test-name-pattern=BOOK-1');
    // The other file's tests are filtered out (node reports them skipped), so its failure does not count.
    const ran = result.cases.filter((c) => c.status !== 'skipped');
    expect(summary(ran)).toEqual([
      ['BOOK-1 AC3 logs the port', 'passed', true, [3]],
      ['AC1 reads PORT from the environment', 'passed', true, [1]],
      ['AC2 answers GET /health', 'passed', true, [2]],
    ]);
    expect(result.counts.passed).toBe(3);
    expect(result.counts.failed).toBe(0);
    expect(result.artifacts.map((a) => [a.name, a.kind])).toEqual([
      ['stdout.log', 'log'],
      ['stderr.log', 'log'],
      ['junit.xml', 'junit'],
    ]);
    expect(readFileSync(join(opts.outputDir, 'junit.xml'), 'utf8')).toContain('<testsuites>');
    expect(readFileSync(join(opts.outputDir, 'stdout.log'), 'utf8')).toContain('AC1 reads PORT');
  });

  it("fails with the failing case named when the task's Tests: file holds a failing test", async () => {
    const ws = project('node-project');
    const result = await runTests(task('BOOK-2', ['test/other.test.js']), options(ws));
    expect(result.passed).toBe(false);
    expect(result.selection).toEqual({ strategy: 'tests', files: ['test/other.test.js'], filter: null });
    expect(summary(result.cases)).toEqual([
      ['BOOK-2 AC1 lists books', 'passed', true, [1]],
      ['BOOK-2 AC2 fails on purpose', 'failed', true, [2]],
    ]);
    expect(result.failure).toBe('1 of 2 tests failed: BOOK-2 AC2 fails on purpose');
    expect(result.cases[1]?.message).toContain('arithmetic is broken on purpose');
  });

  it('selects by test_mapping patterns with {id}', async () => {
    const ws = project('node-project');
    const result = await runTests(task('BOOKS'), options(ws, { patterns: ['test/{id}.test.js'] }));
    expect(result.selection).toEqual({ strategy: 'patterns', files: ['test/books.test.js'], filter: null });
    expect(result.passed).toBe(true);
    expect(result.counts).toEqual({ passed: 3, failed: 0, skipped: 0, errors: 0 });
  });

  it('fails when no test is selected, unless allow_no_tests', async () => {
    const ws = project('node-project');
    const none = await runTests(task('BOOK-9'), options(ws));
    expect(none.passed).toBe(false);
    expect(none.failure).toBe(
      'no tests selected for BOOK-9 (Tests:, test_mapping.patterns, name filter BOOK-9)',
    );
    const allowed = await runTests(task('BOOK-9'), options(ws, { allowNoTests: true }));
    expect(allowed).toMatchObject({ passed: true, failure: null });
    expect(allowed.counts.passed).toBe(0);
  });
});

describe.skipIf(!hasPytest)('runTests with pytest (detected from pytest.ini)', () => {
  it('maps python-style names to the task and criteria, and passes when the selected tests pass', async () => {
    const ws = project('python-project');
    const result = await runTests(task('BOOK-1'), options(ws));
    expect(result.failure).toBeNull();
    expect(result).toMatchObject({ runner: 'pytest', passed: true });
    expect(result.command).toContain("-k 'BOOK_1 or BOOK1'");
    expect(summary(result.cases)).toEqual([
      ['test_book_1_ac1_reads_port', 'passed', true, [1]],
      ['test_book_1_ac2_answers_health', 'passed', true, [2]],
      ['test_ac3_logs_port', 'passed', true, [3]],
    ]);
    expect(result.cases[2]?.classname).toBe('tests.test_books.TestBook1');
  });

  it('reports failed and skipped cases', async () => {
    const ws = project('python-project');
    const result = await runTests(task('BOOK-2', ['tests/test_other.py']), options(ws));
    expect(result.passed).toBe(false);
    expect(result.counts).toEqual({ passed: 1, failed: 1, skipped: 1, errors: 0 });
    expect(result.failure).toBe('1 of 2 tests failed: test_book_2_ac2_fails_on_purpose');
    expect(result.cases.find((c) => c.status === 'failed')?.message).toContain(
      'arithmetic is broken on purpose',
    );
  });

  it('fails when pytest collects nothing, unless allowed', async () => {
    const ws = project('python-project');
    const none = await runTests(task('BOOK-7'), options(ws));
    expect(none.failure).toBe(
      'no tests selected for BOOK-7 (Tests:, test_mapping.patterns, name filter BOOK-7)',
    );
    // pytest exits 5 for "no tests collected"; allow_no_tests accepts it.
    const allowed = await runTests(task('BOOK-7'), options(ws, { allowNoTests: true }));
    expect(allowed.passed).toBe(true);
  });
});

describe.skipIf(!hasGo)('runTests with go test (detected from go.mod)', () => {
  it('runs the matching top-level test and maps its subtests', async () => {
    const ws = project('go-project');
    // GOTOOLCHAIN=local: never download a toolchain in a test.
    const env = { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' };
    const result = await runTests(task('BOOK-1'), options(ws, { env }));
    expect(result.failure).toBeNull();
    expect(result.runner).toBe('go');
    expect(summary(result.cases)).toEqual([
      ['TestBook1/BOOK-1_AC1_reads_PORT', 'passed', true, [1]],
      ['TestBook1', 'passed', true, []],
    ]);
    const failing = await runTests(task('BOOK-2'), options(ws, { env }));
    expect(failing.passed).toBe(false);
    expect(failing.failure).toMatch(
      /^2 of 2 tests failed: TestBook2\/BOOK-2_AC1_fails_on_purpose; TestBook2$/,
    );
  });
});

describe('runTests with vitest (detected from the dependency)', () => {
  it('runs a real vitest project and reads its JUnit', async () => {
    const ws = join(scratch, `vitest-${++counter}`);
    mkdirSync(join(ws, 'test'), { recursive: true });
    symlinkSync(REPO_NODE_MODULES, join(ws, 'node_modules'));
    writeFileSync(join(ws, 'package.json'), '{"type":"module","devDependencies":{"vitest":"*"}}');
    writeFileSync(
      join(ws, 'vitest.config.mjs'),
      "export default { test: { include: ['test/**/*.test.mjs'] } };\n",
    );
    writeFileSync(
      join(ws, 'test/books.test.mjs'),
      "import { describe, expect, it } from 'vitest';\n" +
        "describe('BOOK-1', () => { it('AC1 reads PORT', () => expect(1).toBe(1)); });\n" +
        "it('BOOK-2 AC1 unrelated', () => expect(1).toBe(2));\n",
    );
    const result = await runTests(task('BOOK-1'), options(ws));
    expect(result.failure).toBeNull();
    expect(result.runner).toBe('vitest');
    const ran = result.cases.filter((c) => c.status !== 'skipped');
    expect(ran).toHaveLength(1);
    expect(ran[0]).toMatchObject({ status: 'passed', covers_task: true, criteria: [1] });
  });
});

describe('runTests with a configured command', () => {
  it('fills {files}, {filter} and {junit} and reads the JUnit the command writes', async () => {
    const ws = project('node-project');
    const command =
      'node --test --test-reporter=junit --test-reporter-destination={junit} --test-name-pattern={filter} {files}';
    const result = await runTests(
      task('BOOK-1', ['test/*.test.js', 'AC1 reads PORT']),
      options(ws, { command }),
    );
    expect(result.runner).toBe('configured');
    expect(result.command).toMatch(
      /--test-name-pattern='AC1 reads PORT' test\/books\.test\.js test\/other\.test\.js$/,
    );
    expect(result.failure).toBeNull();
    expect(summary(result.cases.filter((c) => c.status !== 'skipped'))).toEqual([
      ['AC1 reads PORT from the environment', 'passed', true, [1]],
    ]);
  });

  it('takes the JUnit path from test_runner.junit when the command has no {junit}', async () => {
    const ws = project('node-project');
    const command = 'node --test --test-reporter=junit --test-reporter-destination=reports/junit.xml {files}';
    mkdirSync(join(ws, 'reports'));
    const opts = options(ws, { command, junit: 'reports/junit.xml' });
    const result = await runTests(task('BOOK-1', ['test/books.test.js']), opts);
    expect(result.failure).toBeNull();
    expect(result.counts.passed).toBe(3);
    // Copied in as evidence.
    expect(existsSync(join(opts.outputDir, 'junit.xml'))).toBe(true);
  });

  it('refuses a command that writes no JUnit anywhere Penguin knows of', async () => {
    const result = await runTests(
      task('BOOK-1'),
      options(project('node-project'), { command: 'node --test' }),
    );
    expect(result).toMatchObject({ passed: false, command: null });
    expect(result.failure).toMatch(/use the \{junit\} placeholder or set test_runner.junit/);
  });

  it('fails closed: missing command, crash without JUnit, unparseable JUnit, exit code despite passing cases, timeout', async () => {
    const ws = project('node-project');
    const missing = await runTests(task('BOOK-1'), options(ws, { command: 'no-such-test-runner {junit}' }));
    expect(missing.passed).toBe(false);
    expect(missing.failure).toMatch(
      /^test runner not found: `no-such-test-runner .*` exited with code 127\n.*not found/s,
    );

    const crash = await runTests(task('BOOK-1'), options(ws, { command: 'echo boom >&2; exit 2 # {junit}' }));
    expect(crash.failure).toMatch(/exited with code 2 without writing JUnit XML to .*junit\.xml\nboom$/);

    const garbage = await runTests(
      task('BOOK-1'),
      options(ws, { command: 'echo "<testsuites><oops" > {junit}' }),
    );
    expect(garbage.failure).toMatch(/^could not read the JUnit XML in .*junit\.xml: not well-formed XML/);

    const ok = '<testsuites><testcase name="BOOK-1 AC1"/></testsuites>';
    const exitCode = await runTests(
      task('BOOK-1'),
      options(ws, { command: `echo '${ok}' > {junit}; exit 1` }),
    );
    expect(exitCode.failure).toMatch(/exited with code 1 although all 1 tests passed$/);
    expect(exitCode.cases).toHaveLength(1);

    const slow = await runTests(
      task('BOOK-1'),
      options(ws, { command: 'sleep 60 # {junit}', timeoutMs: 500 }),
    );
    expect(slow.passed).toBe(false);
    expect(slow.failure).toMatch(/timed out after .* and was killed/);
  });
});

describe('runTests containment', () => {
  afterEach(killMarked);
  const ok = '<testsuites><testcase name="BOOK-1 AC1"/></testsuites>';

  it('leaves nothing the runner started running, setsid children included', async () => {
    const ws = mkdtempSync(join(scratch, 'contained-'));
    const marker = newMarker();
    const result = await runTests(
      task('BOOK-1'),
      options(ws, {
        command: `${detachedSleeper(marker)} & ${untilDetached(marker)}; echo '${ok}' > {junit}`,
        timeoutMs: 15_000,
      }),
    );
    // Before: the detached child held stdout, so the run waited for the timeout and failed.
    expect(result.failure).toBeNull();
    expect(await survivors(marker)).toEqual([]);

    const timedOut = await runTests(
      task('BOOK-1'),
      options(ws, { command: `${detachedSleeper(marker)} & sleep 400 # {junit}`, timeoutMs: 500 }),
    );
    expect(timedOut.failure).toMatch(/timed out after .* and was killed/);
    expect(await survivors(marker)).toEqual([]);
  });

  it('streams a flood of runner output to stdout.log and refuses a report too large to read', async () => {
    const ws = mkdtempSync(join(scratch, 'flood-'));
    const total = 20 * 1024 * 1024;
    const opts = options(ws, { command: `head -c ${total} /dev/zero; echo '${ok}' > {junit}` });
    const flood = await runTests(task('BOOK-1'), opts);
    expect(flood.failure).toBeNull();
    expect(statSync(join(opts.outputDir, 'stdout.log')).size).toBe(total);

    const huge = await runTests(
      task('BOOK-1'),
      options(ws, { command: `head -c ${MAX_REPORT_BYTES + 1} /dev/zero > {junit}` }),
    );
    expect(huge.failure).toMatch(
      /^the JUnit XML in .*junit\.xml is larger than the 64 MiB Penguin reads \(67108865 bytes\)$/,
    );
  });
});

describe('runTests without a runner', () => {
  it('fails closed when nothing can be detected', async () => {
    const ws = mkdtempSync(join(scratch, 'empty-'));
    const result = await runTests(task('BOOK-1'), options(ws));
    expect(result).toMatchObject({
      passed: false,
      runner: 'none',
      command: null,
      failure: `no test runner detected in ${ws}; set test_runner.command`,
    });
  });

  it('passes a task without tests when allow_no_tests is set, but not one that names test files', async () => {
    const ws = mkdtempSync(join(scratch, 'empty-'));
    const none = await runTests(task('BOOK-1'), { ...options(ws), allowNoTests: true });
    expect(none).toMatchObject({ passed: true, failure: null, cases: [] });

    writeFileSync(join(ws, 'book.test.js'), '');
    const named = await runTests(task('BOOK-1', ['book.test.js']), { ...options(ws), allowNoTests: true });
    expect(named.passed).toBe(false);
    expect(named.failure).toMatch(/no test runner detected/);
  });
});
