// A workspace store that is missing, emptied or damaged, and --workspace naming a file: each is one
// sentence naming the file (exit 1 for the store, 2 for bad usage), never `internal error`, and
// nothing is re-created behind the user's back. Drives the built CLI.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, BIN, FIXTURES, runCli, tempDir } from './run-cli.js';

const BOOKMARKS = join(FIXTURES, 'blueprints', 'bookmarks.md');

beforeAll(() => assertBuilt());

function syncedBookmarks(): { dir: string; dbFile: string } {
  const dir = tempDir('penguin-hostile-store-');
  expect(runCli(['init'], { cwd: dir }).status).toBe(0);
  expect(runCli(['blueprint', 'sync', BOOKMARKS], { cwd: dir }).status).toBe(0);
  return { dir, dbFile: join(dir, '.penguin', 'penguin.db') };
}

function expectOneSentence(stderr: string, ...parts: string[]): void {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toContain('internal error');
  for (const part of parts) expect(stderr).toContain(part);
}

describe('a damaged workspace store', () => {
  it('reports a deleted store and does not create an empty one', () => {
    const { dir, dbFile } = syncedBookmarks();
    for (const suffix of ['', '-wal', '-shm']) rmSync(dbFile + suffix, { force: true });
    const missing = runCli(['task', 'list'], { cwd: dir });
    expect(missing.status).toBe(1);
    expectOneSentence(missing.stderr, dbFile, 'is missing', 'penguin init');
    expect(existsSync(dbFile)).toBe(false);
  });

  it('reports an emptied (0-byte) store and leaves it as it is', () => {
    const { dir, dbFile } = syncedBookmarks();
    for (const suffix of ['-wal', '-shm']) rmSync(dbFile + suffix, { force: true });
    truncateSync(dbFile, 0);
    const empty = runCli(['task', 'list'], { cwd: dir });
    expect(empty.status).toBe(1);
    expectOneSentence(empty.stderr, dbFile, 'empty (0 bytes)', 'penguin init');
    expect(statSync(dbFile).size).toBe(0);
  });

  it('names a store of random bytes and a truncated store, exit 1', () => {
    const { dir, dbFile } = syncedBookmarks();
    writeFileSync(dbFile, Buffer.alloc(8192, 0x5a));
    const garbage = runCli(['task', 'list'], { cwd: dir });
    expect(garbage.status).toBe(1);
    expectOneSentence(garbage.stderr, dbFile, 'is damaged', 'restore it from a backup');

    const second = syncedBookmarks();
    // Checkpoint the WAL into the main file first, so that truncating it loses pages for real.
    expect(runCli(['task', 'list'], { cwd: second.dir }).status).toBe(0);
    truncateSync(second.dbFile, 4096);
    for (const suffix of ['-wal', '-shm'])
      if (existsSync(second.dbFile + suffix)) truncateSync(second.dbFile + suffix, 0);
    const truncated = runCli(['task', 'list'], { cwd: second.dir });
    expect(truncated.status).toBe(1);
    expectOneSentence(truncated.stderr, second.dbFile, 'is damaged');
  });

  it('refuses --workspace naming a file for every command, init included (exit 2)', () => {
    const dir = tempDir('penguin-hostile-store-');
    writeFileSync(join(dir, 'notes.txt'), 'x');
    for (const args of [['init'], ['task', 'list'], ['status'], ['blueprint', 'sync']]) {
      const result = runCli(['--workspace', 'notes.txt', ...args], { cwd: dir });
      expect(result.status, args.join(' ')).toBe(2);
      expectOneSentence(result.stderr, 'notes.txt is a file, not a workspace directory');
    }
    expect(runCli(['init', 'notes.txt'], { cwd: dir }).status).toBe(2);
  });
});

// A read-only workspace, made for real: a read-only bind mount in a private mount namespace (root, or
// an unprivileged user namespace). Where neither is possible the test says so; CI must be able to.
const canMountReadOnly = spawnSync('unshare', ['-m', 'true']).status === 0;
if (!canMountReadOnly) {
  const why = 'unshare -m is not permitted here (needs root or user namespaces)';
  if (process.env.CI === 'true') throw new Error(`the read-only workspace test cannot run in CI: ${why}`);
  console.warn(`SKIPPED: read-only workspace test: ${why}`);
}

describe.runIf(canMountReadOnly)('a read-only workspace', () => {
  /** Runs the CLI in `dir` with `dir` mounted read-only for it alone. */
  function readOnlyCli(
    dir: string,
    args: string[],
  ): { status: number | null; stdout: string; stderr: string } {
    const script = 'mount --bind -o ro "$0" "$0" && cd "$0" && exec "$@"';
    const result = spawnSync('unshare', ['-m', 'sh', '-c', script, dir, process.execPath, BIN, ...args], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 60_000,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  it('serves read commands from the store and refuses writes in one sentence', () => {
    const { dir, dbFile } = syncedBookmarks();
    const list = readOnlyCli(dir, ['task', 'list', '--json']);
    expect(list.status).toBe(0);
    expect((JSON.parse(list.stdout) as { tasks: unknown[] }).tasks).toHaveLength(6);
    expect(readOnlyCli(dir, ['task', 'frontier']).stdout).toContain('BOOK-1');
    const cancel = readOnlyCli(dir, ['task', 'cancel', 'BOOK-1']);
    expect(cancel.status).toBe(1);
    expectOneSentence(cancel.stderr, `${dbFile} is read-only`);
    // Nothing was written: the task is still active when the workspace is writable again.
    const after = runCli(['task', 'list', '--json'], { cwd: dir });
    expect(after.stdout).not.toContain('"cancelled"');
  });
});
