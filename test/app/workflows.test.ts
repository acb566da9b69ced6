// The workflow use cases (src/app/workflows.ts) in process, on a copy of the e2e-verify fixture: a
// real SQLite store, the real ITUV executor, a scripted agent and node:test. Its one task passes every
// gate but VERIFY (criterion 2 has no evidence), with max_iterations 1.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  followWorkflow,
  listWorkflows,
  runmodeStatus,
  runNextPhase,
  signalWorkflow,
  startWorkflow,
  verifyAgain,
} from '../../src/app/workflows.js';
import { loadBlueprint } from '../../src/blueprint/load.js';
import { resolveBlueprintSources } from '../../src/blueprint/sources.js';
import { initWorkspace } from '../../src/config/workspace.js';
import { ConflictError, InterruptedError, UsageError } from '../../src/errors.js';
import { WorkflowService } from '../../src/orchestration/workflow-service.js';
import { resolveTask } from '../../src/project/resolve.js';
import { syncBlueprints } from '../../src/project/sync.js';
import { openWorkspace, type Workspace } from '../../src/project/workspace.js';

const FIXTURE = resolve(import.meta.dirname, '../fixtures/e2e-verify');

let dir: string;
let ws: Workspace;
let service: WorkflowService;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'penguin-app-workflows-'));
  cpSync(FIXTURE, dir, { recursive: true });
  initWorkspace(dir);
  ws = openWorkspace({ cwd: dir });
  const sources = resolveBlueprintSources(ws.paths.root, ws.config.blueprints.sources);
  await syncBlueprints(ws.store, sources.map(loadBlueprint), { workspaceRoot: ws.paths.root });
  service = new WorkflowService(ws);
});

afterEach(async () => {
  await service.close();
  await ws.close();
  rmSync(dir, { recursive: true, force: true });
});

async function history(): Promise<string[]> {
  const task = await resolveTask(ws.store, 'X-1');
  return (await ws.store.transitions.list(task.id)).map((t) => `${t.from_status}>${t.to_status}`);
}

describe('task ituv verify', () => {
  it('hands its verdict to the waiting run: a failure changes nothing, a pass with an override completes it', async () => {
    const run = await startWorkflow(service, { ref: 'X-1' });
    expect(run).toMatchObject({ state: 'waiting_input', waiting_reason: 'clarification_needed' });

    const failed = await verifyAgain(service, { ref: 'X-1' });
    expect(failed.verify.passed).toBe(false);
    expect(failed.verify.failures).toEqual([expect.stringMatching(/^AC2 .*has no evidence/)]);
    expect(failed.task).toMatchObject({ blueprint_id: 'X-1', status: 'waiting_input', phase: 'blocked' });
    const stillWaiting = await service.client.getStatus(run.id);
    expect(stillWaiting.state).toBe('waiting_input');
    expect(stillWaiting.phases.at(-1)).toMatchObject({ phase: 'verify', attempt: 0, outcome: 'gate_failed' });

    const before = (await history()).length;
    const passed = await verifyAgain(service, {
      ref: 'X-1',
      override: { criterion: 2, why: 'checked by hand' },
    });
    expect(passed.verify.passed).toBe(true);
    expect(passed.task).toMatchObject({ status: 'completed', phase: 'done' });
    expect((await history()).slice(before)).toEqual(['waiting_input>running', 'running>completed']);
    expect((await service.client.getStatus(run.id)).state).toBe('completed');
    expect(await service.latestVerdict(await resolveTask(ws.store, 'X-1'))).toEqual(passed.verify);
  }, 60_000);

  it('does not complete a task whose run has finished: the override is kept, no status changes', async () => {
    const run = await startWorkflow(service, { ref: 'X-1' });
    await signalWorkflow(service, run.id, 'cancel');
    const before = await history();
    expect(before.at(-1)).toBe('waiting_input>cancelled');

    const answer = await verifyAgain(service, {
      ref: 'X-1',
      override: { criterion: 2, why: 'checked by hand' },
    });
    // VERIFY passes, but there is no live run to complete: no walk from cancelled to completed.
    expect(answer.verify.passed).toBe(true);
    expect(answer.task.status).toBe('cancelled');
    expect(await history()).toEqual(before);
    expect((await resolveTask(ws.store, 'X-1')).overrides).toMatchObject([
      { criterion: 2, justification: 'checked by hand' },
    ]);
    expect((await service.client.getStatus(run.id)).phases.filter((p) => p.attempt === 0)).toEqual([]);
  }, 60_000);

  it('refuses a criterion the task does not have before anything runs', async () => {
    await expect(verifyAgain(service, { ref: 'X-1', override: { criterion: 3, why: 'x' } })).rejects.toThrow(
      UsageError,
    );
    expect(await service.client.list({})).toEqual([]);
  });
});

describe('task ituv next', () => {
  it('runs one phase at a time and refuses while a run is queued elsewhere', async () => {
    const first = await runNextPhase(service, { ref: 'X-1' });
    expect(first).toMatchObject({
      phase: 'implement',
      outcome: 'passed',
      workflow: { state: 'paused', phase: 'test' },
    });
    const second = await runNextPhase(service, { ref: 'X-1' });
    expect(second).toMatchObject({
      phase: 'test',
      outcome: 'passed',
      workflow: { id: first.workflow.id, phase: 'use' },
    });

    await service.client.signal(first.workflow.id, 'resume');
    await expect(runNextPhase(service, { ref: 'X-1' })).rejects.toBeInstanceOf(ConflictError);
  }, 60_000);
});

describe('hosting a run', () => {
  it('stops on an interrupt and says how to resume; the run is given back', async () => {
    const queued = await startWorkflow(service, { ref: 'X-1', detach: true });
    expect(queued.state).toBe('pending');
    const interrupt = new AbortController();
    interrupt.abort('SIGINT');
    const stopped = followWorkflow(service, queued.id, { signal: interrupt.signal });
    await expect(stopped).rejects.toBeInstanceOf(InterruptedError);
    await expect(stopped).rejects.toThrow(
      `stopped by SIGINT; resume with \`penguin workflow resume ${queued.id}\``,
    );
    expect((await service.client.getStatus(queued.id)).owner).toBeNull();
  });

  it('lists runs by state and says which states exist; the run mode line is idle without a live run', async () => {
    expect(await runmodeStatus(service)).toEqual({ workflow: null, timebox_left_sec: null });
    const queued = await startWorkflow(service, { ref: 'X-1', detach: true });
    expect((await listWorkflows(service, { status: 'pending, paused' })).workflows.map((w) => w.id)).toEqual([
      queued.id,
    ]);
    expect((await listWorkflows(service, { status: 'completed' })).workflows).toEqual([]);
    await expect(listWorkflows(service, { status: 'done' })).rejects.toThrow(
      /unknown workflow status 'done'; use one of pending, running/,
    );
    expect((await runmodeStatus(service)).workflow?.id).toBe(queued.id);
  });
});
