// The TEST phase (DESIGN §5): select the task's tests, run the configured or detected runner with a
// machine-readable report, and judge per test case. Fails closed: anything short of a report that
// shows at least one selected test ran and none failed is a failure with a reason. The runner's
// output is streamed to stdout.log/stderr.log; reports are read only up to a size limit.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Task } from '../../project/model.js';
import { describeOutcome, runCommand, type RunCommandResult } from '../process.js';
import type { ArtifactFile, TestCaseResult, TestRunResult } from '../results.js';
import { fillTemplate, runnerCommand, type RunnerCommand } from './commands.js';
import { detectRunner } from './detect.js';
import { parseGoTestEvents } from './go.js';
import { parseJestReport } from './jest.js';
import { parseJunit } from './junit.js';
import { selectTests, type TestSelection } from './select.js';

export interface RunTestsOptions {
  workspaceRoot: string;
  /** blueprints.test_mapping.patterns. */
  patterns: readonly string[];
  /** test_runner.command, with `{files}`, `{filter}` and `{junit}` placeholders; unset: detect. */
  command?: string | null;
  /** test_runner.junit: where a configured command writes JUnit when it does not take `{junit}`. */
  junit?: string | null;
  /** verification.allow_no_tests. */
  allowNoTests: boolean;
  timeoutMs: number;
  /** Where junit.xml, stdout.log and stderr.log go. */
  outputDir: string;
  signal?: AbortSignal;
  /** Environment of the runner; defaults to Penguin's own, as a CI job would have. */
  env?: NodeJS.ProcessEnv;
}

/** Failing case names listed in a failure line before "and N more". */
const NAMES_SHOWN = 5;
const OUTPUT_TAIL_CHARS = 1_500;
/** A report (JUnit, jest JSON, go's test2json on stdout) larger than this is not read into memory. */
export const MAX_REPORT_BYTES = 64 * 1024 * 1024;

export async function runTests(
  task: Pick<Task, 'blueprint_id' | 'tests'>,
  options: RunTestsOptions,
): Promise<TestRunResult> {
  const started = Date.now();
  const id = task.blueprint_id;
  const selection = selectTests(task, options);
  const shownSelection = { strategy: selection.strategy, files: selection.files, filter: selection.filter };
  mkdirSync(options.outputDir, { recursive: true });
  const junitPath = join(options.outputDir, 'junit.xml');
  const jestPath = join(options.outputDir, 'jest.json');
  // Reports of an earlier iteration must not pass for this run's.
  rmSync(junitPath, { force: true });
  rmSync(jestPath, { force: true });

  const planned = plan(options, selection, { junit: junitPath, jestJson: jestPath });
  const result = (
    fields: Partial<TestRunResult> & Pick<TestRunResult, 'passed' | 'failure'>,
  ): TestRunResult => ({
    runner: planned.runner,
    command: planned.run?.command ?? null,
    selection: shownSelection,
    cases: [],
    counts: { passed: 0, failed: 0, skipped: 0, errors: 0 },
    duration_ms: Date.now() - started,
    artifacts: [],
    ...fields,
  });
  if (planned.run === null) {
    // No runner and no test files named: with allow_no_tests that is a task without tests. Files
    // named but no runner to run them stays a failure (fail closed).
    const noTestsAllowed = options.allowNoTests && selection.files.length === 0;
    return result({ passed: noTestsAllowed, failure: noTestsAllowed ? null : planned.failure });
  }
  const run = planned.run;
  const configuredReport = planned.configuredReport;
  if (configuredReport) rmSync(configuredReport, { force: true });

  const stdoutPath = join(options.outputDir, 'stdout.log');
  const stderrPath = join(options.outputDir, 'stderr.log');
  const outcome = await runCommand(run.command, {
    cwd: options.workspaceRoot,
    env: options.env ?? { ...process.env },
    timeoutMs: options.timeoutMs,
    stdoutFile: stdoutPath,
    stderrFile: stderrPath,
    ...(options.signal ? { signal: options.signal } : {}),
  });

  const artifacts: ArtifactFile[] = [
    { name: 'stdout.log', path: stdoutPath, kind: 'log' },
    { name: 'stderr.log', path: stderrPath, kind: 'log' },
  ];
  // A configured command's own report location is copied in, so the evidence outlives the next run.
  if (configuredReport && existsSync(configuredReport)) copyFileSync(configuredReport, junitPath);
  if (existsSync(junitPath)) artifacts.push({ name: 'junit.xml', path: junitPath, kind: 'junit' });
  if (existsSync(jestPath)) artifacts.push({ name: 'jest.json', path: jestPath, kind: 'file' });

  const report = readReport(run, outcome, {
    id,
    workspaceRoot: options.workspaceRoot,
    junitPath,
    stdoutPath,
  });
  const cases = report.cases;
  const counts = countCases(cases);
  const done = (passed: boolean, failure: string | null): TestRunResult =>
    result({ passed, failure, cases, counts, artifacts });

  if (outcome.timedOut || outcome.aborted || outcome.startError !== null) {
    return done(false, describeOutcome(outcome, options.timeoutMs));
  }
  if (outcome.exitCode === 127) {
    return done(false, `test runner not found: ${describeOutcome(outcome)}${tail(outcome.stderr)}`);
  }
  if (report.problem !== null) return done(false, report.problem);

  const bad = cases.filter((c) => c.status === 'failed' || c.status === 'error');
  if (bad.length > 0) {
    return done(false, `${bad.length} of ${cases.length - counts.skipped} tests failed: ${listNames(bad)}`);
  }
  const ran = counts.passed;
  if (ran === 0) {
    // Runners disagree on the exit code for "nothing matched" (pytest 5, vitest 1, node 0), so
    // with a readable report and no failing case it is judged on the allow_no_tests setting alone.
    return options.allowNoTests ? done(true, null) : done(false, noTestsMessage(id, selection));
  }
  if (outcome.exitCode !== 0) {
    return done(false, `${describeOutcome(outcome)} although all ${ran} tests passed${tail(outcome.stderr)}`);
  }
  return done(true, null);
}

interface Plan {
  runner: string;
  run: RunnerCommand | null;
  /** The configured runner's own JUnit path (test_runner.junit), copied into the output dir. */
  configuredReport: string | null;
  failure: string;
}

function plan(
  options: RunTestsOptions,
  selection: TestSelection,
  paths: { junit: string; jestJson: string },
): Plan {
  const template = options.command?.trim();
  if (template) {
    const configured = options.junit?.trim();
    const takesJunit = template.includes('{junit}');
    if (!takesJunit && !configured) {
      return {
        runner: 'configured',
        run: null,
        configuredReport: null,
        failure:
          'test_runner.command does not say where JUnit XML goes: use the {junit} placeholder or set test_runner.junit',
      };
    }
    const reportPath = takesJunit
      ? paths.junit
      : isAbsolute(configured as string)
        ? (configured as string)
        : join(options.workspaceRoot, configured as string);
    return {
      runner: 'configured',
      run: { command: fillTemplate(template, selection, paths.junit), format: 'junit', reportPath },
      configuredReport: takesJunit ? null : reportPath,
      failure: '',
    };
  }
  const kind = detectRunner(options.workspaceRoot);
  if (kind === null) {
    return {
      runner: 'none',
      run: null,
      configuredReport: null,
      failure: `no test runner detected in ${options.workspaceRoot}; set test_runner.command`,
    };
  }
  return { runner: kind, run: runnerCommand(kind, selection, paths), configuredReport: null, failure: '' };
}

interface Report {
  cases: TestCaseResult[];
  /** Why there is no usable report; null when it was read. */
  problem: string | null;
}

function readReport(
  run: RunnerCommand,
  outcome: RunCommandResult,
  context: { id: string; workspaceRoot: string; junitPath: string; stdoutPath: string },
): Report {
  const crashed = (what: string): Report => ({
    cases: [],
    problem: `${describeOutcome(outcome)} without writing ${what}${tail(outcome.stderr || outcome.stdout)}`,
  });
  const what =
    run.format === 'junit' ? 'JUnit XML' : run.format === 'jest-json' ? 'jest report' : 'go test output';
  // go reports on stdout, which went to stdout.log; a configured command's report was copied to junitPath.
  const path =
    run.format === 'go-json'
      ? context.stdoutPath
      : run.format === 'junit'
        ? context.junitPath
        : (run.reportPath ?? '');
  try {
    if (run.format !== 'go-json' && !existsSync(path))
      return crashed(run.format === 'junit' ? `JUnit XML to ${run.reportPath}` : `its report to ${path}`);
    const size = statSync(path).size;
    if (size > MAX_REPORT_BYTES) {
      return {
        cases: [],
        problem: `the ${what} in ${path} is larger than the ${mebibytes(MAX_REPORT_BYTES)} Penguin reads (${size} bytes)`,
      };
    }
    const text = readFileSync(path, 'utf8');
    if (run.format === 'go-json') {
      const cases = parseGoTestEvents(text, context.id);
      if (cases.length === 0 && outcome.exitCode !== 0) return crashed('test results');
      return { cases, problem: null };
    }
    const cases =
      run.format === 'junit'
        ? parseJunit(text, context.id)
        : parseJestReport(text, context.id, context.workspaceRoot);
    return { cases, problem: null };
  } catch (error) {
    return {
      cases: [],
      problem: `could not read the ${what} in ${path}: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

function mebibytes(bytes: number): string {
  return `${Number((bytes / (1024 * 1024)).toFixed(1))} MiB`;
}

function countCases(cases: readonly TestCaseResult[]): TestRunResult['counts'] {
  const counts = { passed: 0, failed: 0, skipped: 0, errors: 0 };
  for (const c of cases) {
    if (c.status === 'passed') counts.passed++;
    else if (c.status === 'failed') counts.failed++;
    else if (c.status === 'skipped') counts.skipped++;
    else counts.errors++;
  }
  return counts;
}

function noTestsMessage(id: string, selection: TestSelection): string {
  if (selection.strategy === 'filter') {
    return `no tests selected for ${id} (Tests:, test_mapping.patterns, name filter ${selection.names.join(', ')})`;
  }
  const source = selection.strategy === 'tests' ? 'Tests:' : 'test_mapping.patterns';
  const what = [
    ...selection.files,
    ...(selection.names.length > 0 ? [`name filter ${selection.names.join(', ')}`] : []),
  ].join(', ');
  return `no tests ran for ${id}: the selection by ${source} (${what}) ran none`;
}

function listNames(cases: readonly TestCaseResult[]): string {
  const names = cases.slice(0, NAMES_SHOWN).map((c) => c.name);
  const more = cases.length > NAMES_SHOWN ? ` and ${cases.length - NAMES_SHOWN} more` : '';
  return names.join('; ') + more;
}

function tail(output: string): string {
  const trimmed = output.trim();
  if (!trimmed) return '';
  return `\n${trimmed.length > OUTPUT_TAIL_CHARS ? `…${trimmed.slice(-OUTPUT_TAIL_CHARS)}` : trimmed}`;
}
