// The ITUVWorkflow as Temporal sees it: its queries (get_status, get_phase, get_progress,
// get_artifacts) answered by the workflow itself, during a run and after it; and determinism: a
// recorded history of a whole run (ituv-history.json) replays against today's workflow code, and a
// history whose phases ran in another order is refused as nondeterministic; the bundle's cache.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { WorkflowArtifact, WorkflowStatus } from '../../../src/contracts/workflow.js';
import {
  artifactsQuery,
  phaseQuery,
  progressQuery,
  statusQuery,
} from '../../../src/orchestration/temporal/api.js';
import { installRuntime, workflowBundle } from '../../../src/orchestration/temporal/bundle.js';
import { TemporalEngine, type TemporalEngineOptions } from '../../../src/orchestration/temporal/engine.js';
import {
  makeWorkspace,
  ScriptedExecutor,
  seedTasks,
  TEST_CONFIG,
  until,
  type Workspace,
} from '../helpers.js';
import { describeWithTemporal } from './server.js';

const HISTORY = resolve(import.meta.dirname, 'ituv-history.json');

describeWithTemporal('the ITUVWorkflow', (server) => {
  let ws: Workspace;
  let engine: TemporalEngine;
  let connection: Connection;

  beforeEach(async () => {
    ws = makeWorkspace();
    connection = await Connection.connect({ address: server.address() });
  });

  afterEach(async () => {
    await engine.close();
    await connection.close();
    await ws.cleanup();
  });

  /** An engine on the test's workspace and the test server. */
  function newEngine(
    executor = new ScriptedExecutor(ws.dir),
    options: Partial<TemporalEngineOptions> = {},
  ): TemporalEngine {
    return new TemporalEngine({
      store: ws.store,
      events: ws.events,
      executor,
      config: TEST_CONFIG,
      settings: server.settings(),
      shutdownGraceMs: 0,
      ...options,
    });
  }

  async function start(
    script: Parameters<ScriptedExecutor['script']>[1],
    continueAsNewAfter?: number,
  ): Promise<{ id: string; client: Client }> {
    const [task] = await seedTasks(ws.store, 'BOOK', ['BOOK-1']);
    const executor = new ScriptedExecutor(ws.dir);
    executor.script(task!.id, script);
    engine = newEngine(executor, continueAsNewAfter === undefined ? {} : { continueAsNewAfter });
    engine.run();
    return {
      id: await engine.startWorkflow(task!.id),
      client: new Client({ connection, namespace: 'penguin' }),
    };
  }

  it('answers its queries during the run and after it', async () => {
    const { id, client } = await start({ implement: { action: 'pass', sleepMs: 1_500 } });
    const handle = client.workflow.getHandle(id);
    await until('IMPLEMENT to run', async () => (await handle.query(statusQuery)).phases.length === 1);
    expect(await handle.query(phaseQuery)).toBe('implement');
    expect(await handle.query(progressQuery)).toBe(0);
    expect(await handle.query(statusQuery)).toMatchObject({ id, state: 'running', owner: 'temporal' });

    await handle.result();
    const status: WorkflowStatus = await handle.query(statusQuery);
    expect(status).toMatchObject({ state: 'completed', phase: 'done', progress: 100, owner: null });
    expect(status.phases.map((p) => `${p.phase}:${p.outcome}`)).toEqual([
      'implement:passed',
      'test:passed',
      'use:passed',
      'verify:passed',
    ]);
    // The workflow's own answers agree with what the store recorded.
    const stored = await engine.getStatus(id);
    expect(stored.phases.map((p) => `${p.phase}:${p.outcome}`)).toEqual(
      status.phases.map((p) => `${p.phase}:${p.outcome}`),
    );
    const artifacts: WorkflowArtifact[] = await handle.query(artifactsQuery);
    expect(artifacts.map((a) => `${a.phase}/${a.name}`)).toEqual([
      'implement/implement.txt',
      'test/test.txt',
      'use/use.txt',
      'verify/verify.txt',
    ]);
    expect(await handle.query(progressQuery)).toBe(100);

    if (process.env.PENGUIN_RECORD_HISTORY === '1') {
      writeFileSync(HISTORY, `${historyToJSON(await handle.fetchHistory())}\n`);
    }
  }, 60_000);

  it('replays a recorded run, and refuses a history whose phases ran in another order', async () => {
    engine = newEngine();
    installRuntime();
    // Cached under a hash of its sources, replacing other versions' bundles; read back from there.
    const cacheDir = join(ws.dir, 'cache');
    mkdirSync(cacheDir);
    writeFileSync(join(cacheDir, 'ituv-workflow-0000000000000000.js'), 'an older version');
    const bundle = await workflowBundle(cacheDir);
    const files = readdirSync(cacheDir);
    expect(files).toEqual([expect.stringMatching(/^ituv-workflow-[0-9a-f]{16}\.js$/)]);
    expect(readFileSync(join(cacheDir, files[0]!), 'utf8')).toBe(bundle.code);
    writeFileSync(join(cacheDir, files[0]!), `${bundle.code}\n// read from the cache`);
    expect((await workflowBundle(cacheDir)).code).toMatch(/read from the cache$/);

    const recorded = readFileSync(HISTORY, 'utf8');
    await Worker.runReplayHistory({ workflowBundle: bundle }, JSON.parse(recorded));

    // The same run with TEST scheduled where IMPLEMENT was: what code with another phase order made.
    const json = JSON.parse(recorded) as {
      events: { activityTaskScheduledEventAttributes?: { activityId: string } }[];
    };
    const scheduled = json.events.filter((e) => e.activityTaskScheduledEventAttributes);
    const [implement] = scheduled;
    implement!.activityTaskScheduledEventAttributes!.activityId =
      implement!.activityTaskScheduledEventAttributes!.activityId.replace(':implement:', ':test:');
    await expect(Worker.runReplayHistory({ workflowBundle: bundle }, json)).rejects.toThrow(/[Nn]ondetermin/);
  }, 60_000);

  it('is cancelled in the store when it was terminated in Temporal behind Penguin, freeing its task', async () => {
    const { id, client } = await start({ implement: { action: 'pass', sleepMs: 60_000 } });
    await until('IMPLEMENT to run', async () => (await engine.getStatus(id)).phases.length === 1);
    await client.workflow.getHandle(id).terminate('an operator, outside Penguin');
    // The store still shows it running: nothing in Temporal will ever step it again.
    expect((await engine.getStatus(id)).state).toBe('running');
    // A pause cannot be taken, and says so with the state it is in now.
    await expect(engine.signal(id, 'pause')).rejects.toThrow(`workflow ${id} is cancelled`);
    const status = await engine.getStatus(id);
    expect(status.state).toBe('cancelled');
    const task = (await ws.store.tasks.get(status.task_id))!;
    expect(task.status).toBe('cancelled');
    const types = (await ws.events.readFrom(0, { workflow_id: id })).map((e) => e.type);
    expect(types).toContain('workflow.cancelled');
    // A cancel of it now is answered as done.
    await engine.cancel(id);
  }, 60_000);

  it('is found ended when a worker starts, after it was terminated in Temporal while none ran', async () => {
    const { id, client } = await start({ implement: { action: 'pass', sleepMs: 60_000 } });
    await until('IMPLEMENT to run', async () => (await engine.getStatus(id)).phases.length === 1);
    await engine.close();
    await client.workflow.getHandle(id).terminate('an operator, outside Penguin');
    expect((await ws.store.workflows.get(id))?.state).toBe('running');
    engine = newEngine();
    engine.run();
    await until('the sweep', async () => (await engine.getStatus(id)).state === 'cancelled');
    const task = (await ws.store.tasks.get((await engine.getStatus(id)).task_id))!;
    expect(task.status).toBe('cancelled');
  }, 90_000);

  it('continues as new when its history grows long, and the run goes on where it was', async () => {
    // Past one event, every turn of the loop continues as new: the run, its IMPLEMENT loop after a
    // gate failure and its queries must come through every hand-over.
    const { id, client } = await start({ 'test:1': 'fail' }, 1);
    const handle = client.workflow.getHandle(id);
    const final = await handle.result();
    expect(final).toMatchObject({ state: 'completed', iteration: 2 });
    // The run that finished is not the first one: it was continued from another.
    const history = await handle.fetchHistory();
    const first = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    expect(first?.continuedExecutionRunId).toBeTruthy();
    const stored = await engine.getStatus(id);
    expect(stored.state).toBe('completed');
    const phases = (s: WorkflowStatus): string[] =>
      s.phases.map((p) => `${p.phase}:${p.iteration}:${p.outcome}`);
    expect(phases(stored)).toEqual([
      'implement:1:passed',
      'test:1:gate_failed',
      'implement:2:passed',
      'test:2:passed',
      'use:2:passed',
      'verify:2:passed',
    ]);
    // The last run answers for the whole run, as the store does.
    const queried: WorkflowStatus = await handle.query(statusQuery);
    expect(phases(queried)).toEqual(phases(stored));
    // Started when the first run did, not when the last one took over.
    expect(Date.parse(queried.started_at)).toBeLessThanOrEqual(Date.parse(stored.phases[0]!.started_at));
    const names = (list: WorkflowArtifact[]): string[] =>
      list.map((a) => `${a.phase}:${a.iteration}/${a.name}`);
    expect(names(await handle.query(artifactsQuery))).toEqual(names(await engine.query(id, 'artifacts')));
    expect(names(await handle.query(artifactsQuery))).toContain('implement:1/implement.txt');
  }, 60_000);
});
