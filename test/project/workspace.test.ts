// Opening a workspace in process: finding it upward, the store opened only when used, the config
// with its env overrides.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { initWorkspace } from '../../src/config/workspace.js';
import { StoreError, UsageError } from '../../src/errors.js';
import { openWorkspace, type Workspace } from '../../src/project/workspace.js';

let dir: string;
let ws: Workspace | null = null;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'penguin-service-'));
});
afterEach(async () => {
  await ws?.close();
  ws = null;
  rmSync(dir, { recursive: true, force: true });
});

describe('openWorkspace', () => {
  it('finds the workspace from a subdirectory; init made its store', async () => {
    initWorkspace(dir);
    expect(existsSync(join(dir, '.penguin', 'penguin.db'))).toBe(true);
    const sub = join(dir, 'a', 'b');
    mkdirSync(sub, { recursive: true });
    ws = openWorkspace({ cwd: sub, env: {} });
    expect(ws.paths.root).toBe(dir);
    expect(await ws.store.tasks.list()).toEqual([]);
  });

  it('reports a missing or emptied store instead of creating an empty one', () => {
    initWorkspace(dir);
    const dbFile = join(dir, '.penguin', 'penguin.db');
    rmSync(dbFile);
    ws = openWorkspace({ cwd: dir, env: {} });
    expect(() => ws?.store).toThrow(StoreError);
    expect(() => ws?.store).toThrow(`the workspace store ${dbFile} is missing`);
    expect(existsSync(dbFile)).toBe(false);
    writeFileSync(dbFile, '');
    expect(() => ws?.store).toThrow(`the workspace store ${dbFile} is empty (0 bytes)`);
    expect(statSync(dbFile).size).toBe(0);
  });

  it('names a damaged store file and what to do', () => {
    initWorkspace(dir);
    const dbFile = join(dir, '.penguin', 'penguin.db');
    writeFileSync(dbFile, randomBytes(64 * 1024));
    ws = openWorkspace({ cwd: dir, env: {} });
    let error: unknown;
    try {
      void ws.store;
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(
      new RegExp(`^${dbFile} is damaged \\(.+\\); restore it from a backup`),
    );
  });

  it('refuses --workspace naming a file, and init of a file', () => {
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'x');
    expect(() => openWorkspace({ cwd: dir, workspace: 'notes.txt', env: {} })).toThrow(
      new UsageError('notes.txt is a file, not a workspace directory'),
    );
    expect(() => initWorkspace(file)).toThrow(new UsageError(`${file} is a file, not a workspace directory`));
  });

  it('throws a UsageError naming the directory when there is no workspace', () => {
    expect(() => openWorkspace({ cwd: dir, env: {} })).toThrow(
      new UsageError(`no Penguin workspace here or above ${dir}; run \`penguin init\``),
    );
    expect(() => openWorkspace({ cwd: '/', workspace: dir, env: {} })).toThrow(UsageError);
  });

  it('loads the config with env overrides', () => {
    initWorkspace(dir);
    writeFileSync(join(dir, 'penguin.yaml'), 'scheduler:\n  max_frontier: 7\n');
    ws = openWorkspace({ cwd: dir, env: { PENGUIN_SCHEDULER_ON_FAILURE: 'stop' } });
    expect(ws.config.scheduler).toMatchObject({ max_frontier: 7, on_failure: 'stop' });
  });
});
