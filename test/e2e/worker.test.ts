// `task ituv start --detach` only queues a workflow; `penguin worker` hosts it to the end.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, syncedWorkspace, REPO_ROOT, runCli } from './run-cli.js';

describe('penguin worker', () => {
  let ws: string;
  beforeAll(() => {
    assertBuilt();
    ws = mkdtempSync(join(tmpdir(), 'penguin-worker-'));
    syncedWorkspace(join(REPO_ROOT, 'examples', 'node-service'), ws);
  });
  afterAll(() => rmSync(ws, { recursive: true, force: true }));

  it('runs a detached workflow and stops once nothing is left', () => {
    const queued = runCli(['task', 'ituv', 'start', 'GREET-1', '--detach', '--json'], { cwd: ws });
    expect(queued.status).toBe(0);
    const { id, state } = JSON.parse(queued.stdout) as { id: string; state: string };
    expect(state).toBe('pending');

    const worker = runCli(['worker', '--until-idle', '--json'], { cwd: ws });
    expect(worker.status).toBe(0);
    expect(JSON.parse(worker.stdout)).toEqual({ stopped: true, workflows_run: [id] });

    const status = JSON.parse(runCli(['workflow', 'status', id, '--json'], { cwd: ws }).stdout) as {
      state: string;
      progress: number;
    };
    expect(status).toMatchObject({ state: 'completed', progress: 100 });
  }, 90_000);
});
