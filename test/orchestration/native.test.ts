// Native-engine behaviour beyond the shared contract: several connections (as several processes
// would have) on one database, lease fencing, release on stop, atomic commits, and edge cases.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, UsageError } from '../../src/errors.js';
import { EventLog } from '../../src/events/log.js';
import type { PenguinEvent } from '../../src/events/types.js';
import type { WorkflowState } from '../../src/orchestration/backend.js';
import { NativeEngine, type NativeEngineConfig } from '../../src/orchestration/native/engine.js';
import type { PhaseContext, PhaseExecutor, PhaseOutcome } from '../../src/orchestration/phase-executor.js';
import type { Task } from '../../src/project/model.js';
import { openSqliteStore, type SqliteStore } from '../../src/project/sqlite/store.js';
import {
  makeWorkspace,
  processAlive,
  ScriptedExecutor,
  seedTasks,
  TEST_CONFIG,
  until,
  type Workspace,
} from './helpers.js';

const idle: PhaseExecutor = { execute: () => Promise.reject(new Error('not hosting')) };

describe('NativeEngine', () => {
  let ws: Workspace;
  let tasks: Task[];
  const engines: NativeEngine[] = [];
  const stores: SqliteStore[] = [];

  function engine(
    executor: PhaseExecutor,
    options: {
      store?: SqliteStore;
      events?: EventLog;
      config?: Partial<NativeEngineConfig>;
      leaseMs?: number;
      ownerId?: string;
    } = {},
  ): NativeEngine {
    const e = new NativeEngine({
      store: options.store ?? ws.store,
      events: options.events ?? ws.events,
      executor,
      config: { ...TEST_CONFIG, ...options.config },
      pollMs: 50,
      leaseMs: options.leaseMs ?? 5_000,
      abortGraceMs: 1_000,
      ...(options.ownerId ? { ownerId: options.ownerId } : {}),
    });
    engines.push(e);
    return e;
  }

  /** A second connection to the workspace database, as a CLI in another terminal would open. */
  function otherProcess(): { store: SqliteStore; events: EventLog; engine: NativeEngine } {
    const store = openSqliteStore(ws.dbFile);
    stores.push(store);
    const events = new EventLog(store);
    return { store, events, engine: engine(idle, { store, events }) };
  }

  async function waitState(e: NativeEngine, id: string, states: WorkflowState[]): Promise<void> {
    await e.waitFor(id, states, 20_000);
  }

  beforeEach(async () => {
    ws = makeWorkspace();
    tasks = await seedTasks(ws.store, 'BOOK', ['BOOK-1', 'BOOK-2']);
  });

  afterEach(async () => {
    for (const e of engines.splice(0)) await e.close();
    for (const s of stores.splice(0)) await s.close();
    await ws.cleanup();
  });

  it('is steered by signals written from another connection', async () => {
    const executor = new ScriptedExecutor(ws.dir);
    const host = engine(executor);
    host.start();
    const cli = otherProcess();
    const task = tasks[0]!;
    executor.script(task.id, {
      implement: { action: 'pass', sleepMs: 600 },
      test: { action: 'pass', sleepMs: 60_000 },
    });

    const id = await cli.engine.startWorkflow(task.id);
    await until('implement to start', () => existsSync(join(ws.dir, `${id}_implement_1_1.pid`)));
    await cli.engine.signal(id, 'pause');
    await waitState(cli.engine, id, ['paused']);
    expect((await cli.engine.getStatus(id)).phase).toBe('test');

    await cli.engine.signal(id, 'inject_feedback', 'prefer small commits');
    await cli.engine.signal(id, 'resume');
    const pidFile = join(ws.dir, `${id}_test_1_1.pid`);
    await until(
      'test to start on the host',
      () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').length > 0,
    );
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await cli.engine.cancel(id);
    await waitState(cli.engine, id, ['cancelled']);
    await until('the test agent to be killed', () => !processAlive(pid), 10_000);
    expect((await cli.store.tasks.get(task.id))?.status).toBe('cancelled');
    expect((await cli.engine.getStatus(id)).owner).toBeNull();
  });

  it('publishes a phase event only once its result and the task transition are committed', async () => {
    const executor = new ScriptedExecutor(ws.dir);
    const host = engine(executor);
    const reader = otherProcess();
    const checks: Promise<string>[] = [];
    await ws.events.subscribe((event: PenguinEvent) => {
      if (event.type !== 'workflow.phase_completed' || !event.workflow_id) return;
      // Read through the other connection, at once (its store is idle, so it reads as it is called):
      // it sees only committed data.
      const steps = reader.store.workflows.steps(event.workflow_id);
      const task = reader.store.tasks.get(event.task_id ?? '');
      checks.push(
        Promise.all([steps, task]).then(([rows, found]) => {
          const step = rows.find(
            (s) => s.phase === event.phase && s.iteration === event.iteration && s.outcome === 'passed',
          );
          return `${event.phase}:${step ? 'committed' : 'missing'}:${found?.phase}`;
        }),
      );
    });
    host.start();
    const id = await host.startWorkflow(tasks[0]!.id);
    await waitState(host, id, ['completed']);
    expect(await Promise.all(checks)).toEqual([
      'implement:committed:test',
      'test:committed:use',
      'use:committed:verify',
      'verify:committed:done',
    ]);
  });

  it('does not commit the result of a run whose lease another engine took over', async () => {
    let release: (() => void) | undefined;
    const calls: string[] = [];
    const stalled: PhaseExecutor = {
      execute: (ctx: PhaseContext) => {
        calls.push(ctx.idempotencyKey);
        return new Promise<PhaseOutcome>((resolve) => {
          release = () => resolve({ kind: 'passed', summary: 'late', result: null });
          ctx.signal.addEventListener('abort', () => release?.());
        });
      },
    };
    const host = engine(stalled, { leaseMs: 300, ownerId: 'host-a' });
    host.start();
    const id = await host.startWorkflow(tasks[0]!.id);
    await until('the phase to start', () => calls.length === 1);
    // Another engine claimed the run after host-a's lease lapsed (simulated: host-a kept renewing, and
    // host-b's clock saw the lease expired).
    const later = Date.now() + 3_600_000;
    await ws.store.transaction((tx) => tx.workflows.claim(id, 'host-b', later, Date.now() + 60_000));
    await until('host-a to let go', () => host.hostedWorkflows().length === 0, 5_000);
    const steps = await ws.store.workflows.steps(id);
    expect(steps.map((s) => s.outcome)).toEqual([null]);
    const status = await host.getStatus(id);
    expect(status).toMatchObject({ owner: 'host-b', state: 'running', phase: 'implement' });
  });

  it('releases its runs on stop so another engine resumes them at once with a new attempt', async () => {
    const slow = new ScriptedExecutor(ws.dir);
    slow.script(tasks[0]!.id, { implement: { action: 'pass', sleepMs: 60_000 } });
    const first = engine(slow, { leaseMs: 60_000 });
    first.start();
    const id = await first.startWorkflow(tasks[0]!.id);
    await until('implement to start', () => existsSync(join(ws.dir, `${id}_implement_1_1.pid`)));
    await first.stop();
    expect((await first.getStatus(id)).owner).toBeNull();

    const fast = new ScriptedExecutor(ws.dir);
    const second = engine(fast);
    second.start();
    await waitState(second, id, ['completed']);
    const status = await second.getStatus(id);
    expect(status.phases.slice(0, 2).map((p) => `${p.phase}#${p.attempt}:${p.outcome}`)).toEqual([
      'implement#1:abandoned',
      'implement#2:passed',
    ]);
    expect(fast.calls.map((c) => c.key)).toEqual([
      `${id}:implement:1:2`,
      `${id}:test:1:1`,
      `${id}:use:1:1`,
      `${id}:verify:1:1`,
    ]);
  });

  it('applies signals at once to a workflow nobody hosts, keeping feedback for IMPLEMENT', async () => {
    const executor = new ScriptedExecutor(ws.dir);
    const e = engine(executor);
    const id = await e.startWorkflow(tasks[0]!.id, { feedback: ['from the start'] });
    await e.signal(id, 'pause');
    expect((await e.getStatus(id)).state).toBe('paused');
    await e.signal(id, 'inject_feedback', { text: 'use sqlite' });
    await e.signal(id, 'resume');
    expect((await e.getStatus(id)).state).toBe('pending');
    await expect(e.signal(id, 'inject_feedback', { text: '  ' })).rejects.toBeInstanceOf(UsageError);
    await expect(e.signal(id, 'bogus' as 'pause')).rejects.toBeInstanceOf(UsageError);

    e.start();
    await waitState(e, id, ['completed']);
    expect(executor.calls[0]?.feedback).toEqual(['from the start', 'use sqlite']);
    const events = (await ws.events.readFrom(0, { workflow_id: id })).map((ev) => ev.type);
    expect(events.filter((t) => t.startsWith('workflow.') && !t.includes('phase'))).toEqual([
      'workflow.started',
      'workflow.paused',
      'workflow.feedback',
      'workflow.resumed',
      'workflow.completed',
    ]);
  });

  it('refuses to start a workflow for a task that is not active', async () => {
    const e = engine(idle);
    const base = (await ws.store.tasks.get(tasks[1]!.id))!;
    const done = await ws.store.transaction((tx) =>
      tx.tasks.create({ ...base, id: undefined, blueprint_id: 'BOOK-9', status: 'completed', phase: 'done' }),
    );
    await expect(e.startWorkflow(done.id)).rejects.toThrow(/BOOK-9 .* is completed/);
    await expect(e.startWorkflow(done.id)).rejects.toBeInstanceOf(ConflictError);
  });

  it('stops the run when the task is cancelled by hand, and treats throws and bad outcomes as transient', async () => {
    let calls = 0;
    const odd: PhaseExecutor = {
      execute: async (ctx) => {
        calls++;
        if (ctx.phase === 'implement' && ctx.attempt === 1) throw new Error('agent binary missing');
        if (ctx.phase === 'implement' && ctx.attempt === 2)
          return { kind: 'weird' } as unknown as PhaseOutcome;
        if (ctx.phase === 'test')
          await ws.store.transaction((tx) =>
            tx.tasks.transition(ctx.task.id, { status: 'cancelled', reason: 'by hand' }),
          );
        return { kind: 'passed', summary: 'ok', result: null };
      },
    };
    const e = engine(odd);
    e.start();
    const id = await e.startWorkflow(tasks[0]!.id);
    await waitState(e, id, ['cancelled', 'failed', 'completed']);
    const status = await e.getStatus(id);
    expect(status.state).toBe('cancelled');
    expect(status.phases.map((p) => `${p.phase}#${p.attempt}:${p.outcome}:${p.summary}`)).toEqual([
      'implement#1:transient_error:implement failed: agent binary missing',
      'implement#2:transient_error:the implement executor returned an invalid outcome',
      'implement#3:passed:ok',
      'test#1:passed:ok',
    ]);
    expect(calls).toBe(4);
    expect((await ws.store.tasks.get(tasks[0]!.id))?.status).toBe('cancelled');
  });

  it('sends a VERIFY pass to pending_review without auto-approve', async () => {
    const e = engine(
      { execute: async () => ({ kind: 'passed', summary: 'ok', result: null }) },
      { config: { autoApprove: false } },
    );
    e.start();
    const id = await e.startWorkflow(tasks[0]!.id);
    const status = await e.runToCompletion(id, 20_000);
    expect(status.state).toBe('completed');
    expect(await ws.store.tasks.get(tasks[0]!.id)).toMatchObject({ status: 'pending_review', phase: 'done' });
    expect((await e.health()).detail).toMatch(/hosting/);
  });
});

describe('NativeEngine outside a run', () => {
  let ws: Workspace;
  let e: NativeEngine;

  beforeEach(() => {
    ws = makeWorkspace();
  });

  afterEach(async () => {
    await e.close();
    await ws.cleanup();
  });

  it('reports the newest result of each phase and completes a task verified outside the run', async () => {
    const [task] = await seedTasks(ws.store, 'BOOK', ['BOOK-1']);
    const verdicts = [{ passed: false, criteria: [] }];
    e = new NativeEngine({
      store: ws.store,
      events: ws.events,
      config: { ...TEST_CONFIG, maxIterations: 1 },
      pollMs: 50,
      executor: {
        execute: async (ctx) =>
          ctx.phase === 'verify'
            ? { kind: 'gate_failed', summary: 'criterion 1 has no evidence', result: verdicts[0] }
            : { kind: 'passed', summary: 'ok', result: { phase: ctx.phase } },
      },
    });
    e.start();
    const id = await e.startWorkflow(task!.id);
    await e.waitFor(id, ['waiting_input'], 20_000);
    expect(await e.phaseResults(id)).toEqual({
      implement: { phase: 'implement' },
      test: { phase: 'test' },
      use: { phase: 'use' },
      verify: { passed: false, criteria: [] },
    });
    await expect(e.phaseResults('wf-none')).rejects.toThrow(/no workflow 'wf-none'/);

    const done = await e.completeVerifiedTask(task!.id, 'VERIFY passed after an override');
    expect(done).toMatchObject({ status: 'completed', phase: 'done' });
    expect((await e.getStatus(id)).state).toBe('completed');
    expect(
      (await ws.store.transitions.list(task!.id)).slice(-2).map((t) => `${t.from_status}>${t.to_status}`),
    ).toEqual(['waiting_input>running', 'running>completed']);
    const types = (await ws.events.readFrom(0, { workflow_id: id })).map((ev) => ev.type);
    expect(types.slice(-1)).toEqual(['workflow.completed']);
  });
});
