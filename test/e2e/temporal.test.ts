// The built CLI on the Temporal backend (a real dev server), switched on by environment alone: the
// scenario the native backend passes in workflow.test.ts — a run queued in one terminal is hosted
// by `penguin worker`, paused and fed back from other terminals, resumed, its worker SIGKILLed in
// the middle of a phase, and finished by `penguin worker --until-idle` in a new one — and the local
// dev server auto-started on first use, checked by `orchestration health` and stopped by `stop-dev`.
import { freeLoopbackPort } from '../../src/ituv/port.js';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WorkflowStatus } from '../../src/orchestration/backend.js';
import { describeWithTemporal } from '../orchestration/temporal/server.js';
import { assertBuilt, FIXTURES, runCli, runJson, syncedWorkspace, tempDir } from './run-cli.js';
import { backgroundCliScratch, spawnCli, waitUntil } from './spawn-cli.js';

interface AgentCall {
  event: 'started' | 'finished';
  feedback: string;
}

function agentCalls(dir: string): AgentCall[] {
  const file = join(dir, 'agent-log.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AgentCall);
}

/** The CLI of workspace `dir` on Temporal at `address` (task queue of its own, no auto-start). */
function onTemporal(
  dir: string,
  address: string,
  taskQueue?: string,
): { cwd: string; env: Record<string, string> } {
  return {
    cwd: dir,
    env: {
      PENGUIN_ORCHESTRATION_BACKEND: 'temporal',
      PENGUIN_ORCHESTRATION_TEMPORAL_ADDRESS: address,
      ...(taskQueue ? { PENGUIN_ORCHESTRATION_TEMPORAL_TASK_QUEUE: taskQueue } : {}),
      PENGUIN_ORCHESTRATION_TEMPORAL_AUTO_START: 'false',
    },
  };
}

describeWithTemporal('the CLI on Temporal', (server) => {
  const { background, workspace } = backgroundCliScratch('penguin-e2e-temporal-');

  it('runs a workflow steered from several terminals and finishes it on a new worker after a SIGKILL', async () => {
    const dir = workspace(join(FIXTURES, 'e2e-slow'), 'steered');
    const settings = server.settings();
    const cli = onTemporal(dir, settings.address, settings.taskQueue);
    const status = (id: string): WorkflowStatus => {
      const result = runJson<WorkflowStatus>(['workflow', 'status', id], cli);
      expect(result.status, result.stderr).toBe(0);
      return result.json;
    };

    // Terminal 1: a worker. Terminal 2: queue the run.
    const t1 = spawnCli(['worker'], cli);
    background.push(t1);
    const queued = runJson<WorkflowStatus>(['task', 'ituv', 'start', 'S-1', '--detach'], cli);
    expect(queued.status, queued.stderr).toBe(0);
    const { id } = queued.json;
    expect(queued.json).toMatchObject({ state: 'pending', owner: 'temporal' });
    await waitUntil('the agent to start', () => (agentCalls(dir).length > 0 ? true : undefined), 30_000);

    // Pause lands at the next phase boundary; feedback is recorded while paused.
    expect(runJson(['workflow', 'pause', id], cli).status).toBe(0);
    const paused = await waitUntil('the run to pause', () => {
      const w = status(id);
      return w.state === 'paused' ? w : undefined;
    });
    expect(paused.phases[0]).toMatchObject({ phase: 'implement', iteration: 1, outcome: 'passed' });
    const feedback = runJson<WorkflowStatus>(['workflow', 'feedback', id, 'use port 9'], cli);
    expect(feedback.status, feedback.stderr).toBe(0);
    expect(feedback.json.state).toBe('paused');

    // Resumed; the worker is killed while the next IMPLEMENT runs.
    const resumed = runJson<WorkflowStatus>(['workflow', 'resume', id, '--detach'], cli);
    expect(resumed.status, resumed.stderr).toBe(0);
    await waitUntil('the next IMPLEMENT to start', () =>
      agentCalls(dir).filter((c) => c.event === 'started').length >= 2 ? true : undefined,
    );
    await t1.kill();

    // Terminal 3: a new worker finishes the run and stops once nothing is left.
    const worker = runJson<{ stopped: boolean; workflows_run: string[] }>(['worker', '--until-idle'], cli);
    expect(worker.status, worker.stderr).toBe(0);
    expect(worker.json).toEqual({ stopped: true, workflows_run: [id] });

    const final = status(id);
    expect(final.state).toBe('completed');
    const finished = final.phases.filter((p) => p.outcome !== 'abandoned');
    expect(finished.map((p) => `${p.phase}:${p.iteration}:${p.outcome}`)).toEqual([
      'implement:1:passed',
      'test:1:gate_failed',
      'implement:2:passed',
      'test:2:passed',
      'use:2:passed',
      'verify:2:passed',
    ]);
    // Only the IMPLEMENT the worker died in ran twice.
    expect(final.phases.filter((p) => p.outcome === 'abandoned').map((p) => p.phase)).toEqual(['implement']);
    const starts = agentCalls(dir).filter((c) => c.event === 'started');
    expect(starts[0]?.feedback).not.toContain('use port 9');
    expect(starts.slice(1).every((c) => c.feedback.includes('use port 9'))).toBe(true);
    const list = runJson<{ workflows: WorkflowStatus[] }>(['workflow', 'list'], cli);
    expect(list.json.workflows.map((w) => `${w.id}:${w.state}`)).toEqual([`${id}:completed`]);
    const task = runJson<{ status: string; phase: string }>(['task', 'show', 'S-1'], cli);
    expect(task.json).toMatchObject({ status: 'completed', phase: 'done' });
  }, 120_000);

  it('stops a worker on TERM after its running phase finished within --grace', async () => {
    const dir = workspace(join(FIXTURES, 'e2e-slow'), 'graceful');
    const settings = server.settings();
    const cli = onTemporal(dir, settings.address, settings.taskQueue);
    const t1 = spawnCli(['worker', '--grace', '30', '--json'], cli);
    background.push(t1);
    const { id } = runJson<WorkflowStatus>(['task', 'ituv', 'start', 'S-1', '--detach'], cli).json;
    await waitUntil('the agent to start', () => (agentCalls(dir).length > 0 ? true : undefined), 30_000);

    t1.child.kill('SIGTERM');
    const exit = await t1.exited;
    expect(exit.code, t1.stderr()).toBe(0);
    expect(JSON.parse(t1.stdout())).toEqual({ stopped: true, workflows_run: [id] });
    // The IMPLEMENT under way when TERM came was let finish, not cut short: the next worker records
    // its result from the history and goes on; no phase ran twice.
    const worker = runJson(['worker', '--until-idle'], cli);
    expect(worker.status, worker.stderr).toBe(0);
    const final = runJson<WorkflowStatus>(['workflow', 'status', id], cli).json;
    expect(final.state).toBe('completed');
    expect(final.phases[0]).toMatchObject({ phase: 'implement', attempt: 1, outcome: 'passed' });
    expect(final.phases.map((p) => p.outcome)).not.toContain('abandoned');
    const implementRuns = final.phases.filter((p) => p.phase === 'implement').length;
    expect(agentCalls(dir).filter((c) => c.event === 'started')).toHaveLength(implementRuns);
  }, 90_000);

  it('keeps a signal sent while no worker runs and applies it when one does', async () => {
    const dir = workspace(join(FIXTURES, 'e2e-slow'), 'queued-signal');
    const settings = server.settings();
    const cli = onTemporal(dir, settings.address, settings.taskQueue);
    const { id } = runJson<WorkflowStatus>(['task', 'ituv', 'start', 'S-1', '--detach'], cli).json;
    const pause = runJson<WorkflowStatus>(['workflow', 'pause', id], cli);
    expect(pause.status, pause.stderr).toBe(0);
    // Queued in Temporal: nothing applied it yet.
    expect(pause.json.state).toBe('pending');

    // The first worker applies it before anything else: the run pauses without running a phase.
    const worker = runJson(['worker', '--until-idle'], cli);
    expect(worker.status, worker.stderr).toBe(0);
    expect(runJson<WorkflowStatus>(['workflow', 'status', id], cli).json).toMatchObject({
      state: 'paused',
      phases: [],
    });
    expect(agentCalls(dir)).toEqual([]);
  }, 60_000);

  it('auto-starts a dev server under .penguin/, reports its health and stops it', async () => {
    const dir = workspace(join(FIXTURES, 'e2e-slow'), 'dev');
    const address = `127.0.0.1:${await freeLoopbackPort()}`;
    const cli = {
      cwd: dir,
      env: { PENGUIN_ORCHESTRATION_BACKEND: 'temporal', PENGUIN_ORCHESTRATION_TEMPORAL_ADDRESS: address },
    };
    const before = runJson<{ ok: boolean; detail: string }>(['orchestration', 'health'], cli);
    expect(before.status).toBe(1);
    expect(before.json).toEqual({
      ok: false,
      backend: 'temporal',
      detail: `no Temporal server answers at ${address}`,
    });

    const queued = runJson<WorkflowStatus>(['task', 'ituv', 'start', 'S-1', '--detach'], cli);
    expect(queued.status, queued.stderr).toBe(0);
    expect(queued.stderr).toContain(`started a Temporal dev server at ${address}`);
    expect(existsSync(join(dir, '.penguin', 'temporal.db'))).toBe(true);
    const health = runJson<{ ok: boolean; backend: string }>(['orchestration', 'health'], cli);
    expect(health.status, health.stderr).toBe(0);
    expect(health.json).toMatchObject({ ok: true, backend: 'temporal' });

    const stopped = runJson<{ stopped: boolean; address: string | null }>(['orchestration', 'stop-dev'], cli);
    expect(stopped.json).toMatchObject({ stopped: true, address });
    expect(runCli(['orchestration', 'health'], cli).status).toBe(1);
    expect(runJson(['orchestration', 'stop-dev'], cli).json).toEqual({
      stopped: false,
      pid: null,
      address: null,
    });
  }, 60_000);
});

describe('penguin worker on Temporal with no server', () => {
  it('exits 2 with one sentence when the server cannot be reached and auto_start is off', () => {
    assertBuilt();
    const dir = syncedWorkspace(join(FIXTURES, 'e2e-slow'), join(tempDir('penguin-e2e-noserver-'), 'ws'));
    const result = runCli(['worker', '--until-idle'], onTemporal(dir, '127.0.0.1:1'));
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe(
      'error: no Temporal server answers at 127.0.0.1:1; start one (`temporal server start-dev`) or set orchestration.temporal.auto_start',
    );
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('penguin worker --grace', () => {
  it('refuses a grace time that is not a number of seconds', () => {
    assertBuilt();
    const dir = syncedWorkspace(join(FIXTURES, 'e2e-slow'), join(tempDir('penguin-e2e-grace-'), 'ws'));
    const result = runCli(['worker', '--until-idle', '--grace', 'soon'], { cwd: dir });
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe("error: --grace must be a number of seconds >= 0 (got 'soon')");
    rmSync(dir, { recursive: true, force: true });
  });
});
