// A workspace store that is missing, emptied or damaged, and --workspace naming a file: each is one
// sentence naming the file (exit 1 for the store, 2 for bad usage), never `internal error`, and
// nothing is re-created behind the user's back. Drives the built CLI.
import { existsSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, FIXTURES, runCli, tempDir } from './run-cli.js';

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
