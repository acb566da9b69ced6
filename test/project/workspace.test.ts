// Opening a workspace in process: finding it upward, the store opened only when used, the config
// with its env overrides.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { initWorkspace } from '../../src/config/workspace.js';
import { UsageError } from '../../src/errors.js';
import { openWorkspace, type Workspace } from '../../src/project/workspace.js';

let dir: string;
let ws: Workspace | null = null;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'penguin-service-'));
});
afterEach(() => {
  ws?.close();
  ws = null;
  rmSync(dir, { recursive: true, force: true });
});

describe('openWorkspace', () => {
  it('finds the workspace from a subdirectory and opens the store only when used', () => {
    initWorkspace(dir);
    const sub = join(dir, 'a', 'b');
    mkdirSync(sub, { recursive: true });
    ws = openWorkspace({ cwd: sub, env: {} });
    expect(ws.paths.root).toBe(dir);
    expect(existsSync(ws.paths.dbFile)).toBe(false);
    expect(ws.store.listTasks()).toEqual([]);
    expect(existsSync(ws.paths.dbFile)).toBe(true);
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
