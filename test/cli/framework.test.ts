// The CLI framework through the real built binary: version, help, usage errors, error rendering,
// workspace discovery and init. Needs `npm run build` (npm test runs it first).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { assertBuilt, REPO_ROOT, runCli, runJson, tempDir } from '../e2e/run-cli.js';

let dir: string;
beforeAll(() => assertBuilt());
beforeEach(() => {
  dir = tempDir('penguin-cli-');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Errors are exactly one line on stderr, without a stack trace. */
function expectOneLineError(stderr: string): void {
  expect(stderr.endsWith('\n')).toBe(true);
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at /m);
}

describe('penguin (framework)', () => {
  it('prints the package version', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const result = runCli(['--version'], { cwd: dir });
    expect(result).toMatchObject({ status: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('prints help with every command group when run bare or with --help', () => {
    for (const args of [[], ['--help']]) {
      const result = runCli(args, { cwd: dir });
      expect(result.status).toBe(0);
      for (const group of ['init', 'blueprint', 'task', 'graph']) expect(result.stdout).toContain(group);
    }
  });

  it('exits 2 with one line for an unknown command', () => {
    const result = runCli(['frobnicate'], { cwd: dir });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: unknown command 'frobnicate'/);
    expectOneLineError(result.stderr);
  });

  it('exits 2 for an unknown option and for a missing argument', () => {
    const unknown = runCli(['task', 'list', '--colour'], { cwd: dir });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown option '--colour'/);
    expectOneLineError(unknown.stderr);
    const missing = runCli(['blueprint', 'lint'], { cwd: dir });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/missing required argument 'file'/);
  });

  it('exits 2 and shows the group help when a group is run without a subcommand', () => {
    const result = runCli(['task'], { cwd: dir });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('frontier');
  });

  it('says where it looked when there is no workspace', () => {
    const result = runCli(['task', 'list', '--json'], { cwd: dir });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`error: no Penguin workspace here or above ${dir}; run \`penguin init\`\n`);
  });

  it('refuses a --workspace that is not a workspace', () => {
    const result = runCli(['--workspace', dir, 'task', 'list'], { cwd: REPO_ROOT });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`${dir} is not a Penguin workspace`);
  });

  it('initialises a workspace idempotently and reports what it created as JSON', () => {
    const first = runJson<{ created: boolean; created_paths: string[]; root: string }>(['init'], {
      cwd: dir,
    });
    expect(first.status).toBe(0);
    expect(first.json.created).toBe(true);
    expect(first.json.root).toBe(dir);
    expect(first.json.created_paths).toEqual(
      expect.arrayContaining(['.penguin/', '.penguin/penguin.db', 'penguin.yaml', 'context/specs/']),
    );
    const second = runJson<{ created: boolean; created_paths: string[] }>(['init'], { cwd: dir });
    expect(second.json).toMatchObject({ created: false, created_paths: [] });
    // A fresh workspace lists no tasks rather than failing.
    const list = runJson<{ tasks: unknown[] }>(['task', 'list'], { cwd: dir });
    expect(list.status).toBe(0);
    expect(list.json.tasks).toEqual([]);
  });

  it('initialises DIR and finds the workspace from a subdirectory and through --workspace', () => {
    const target = join(dir, 'proj');
    expect(runCli(['init', 'proj'], { cwd: dir }).status).toBe(0);
    const sub = join(target, 'src', 'deep');
    mkdirSync(sub, { recursive: true });
    expect(runCli(['task', 'list'], { cwd: sub }).status).toBe(0);
    expect(runCli(['--workspace', 'proj', 'task', 'list', '--json'], { cwd: dir }).status).toBe(0);
  });

  it('names the config file, line and key for a bad penguin.yaml', () => {
    runCli(['init'], { cwd: dir });
    writeFileSync(join(dir, 'penguin.yaml'), 'scheduler:\n  on_failure: explode\n');
    const result = runCli(['task', 'list', '--json'], { cwd: dir });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'error: penguin.yaml:2: scheduler.on_failure must be one of pause_dependents, continue, stop (got "explode")\n',
    );
  });

  it('names the variable for a bad environment override', () => {
    runCli(['init'], { cwd: dir });
    const result = runCli(['task', 'list'], { cwd: dir, env: { PENGUIN_SCHEDULER_MAX_FRONTIER: 'lots' } });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /^error: environment variable PENGUIN_SCHEDULER_MAX_FRONTIER: scheduler\.max_frontier must be a positive integer \(got "lots"\)\n$/,
    );
  });

  it('shows a failure as one line, and its stack only with --debug', () => {
    // A damaged store used to be an internal error; it is one sentence naming the file now (issue 9).
    // Unexpected errors keep this same shape: see renderError's tests in test/cli/output.test.ts.
    runCli(['init'], { cwd: dir });
    writeFileSync(
      join(dir, '.penguin', 'penguin.db'),
      'this is not a database, just text that fills a page '.repeat(100),
    );
    const plain = runCli(['task', 'list'], { cwd: dir });
    expect(plain.status).toBe(1);
    expect(plain.stderr).toMatch(/^error: .+penguin\.db is damaged \(.+\); restore it from a backup, .+\n$/);
    expectOneLineError(plain.stderr);
    const debug = runCli(['task', 'list', '--debug'], { cwd: dir });
    expect(debug.status).toBe(1);
    expect(debug.stderr).toMatch(/^\s+at /m);
  });
});
