// The Scheduler (src/scheduler/loop.ts) on a real SQLite store and the native engine, every phase a
// real child process (ScriptedExecutor): topological order under every tie-breaker setting, the
// parallelism cap, idle with the blocked frontier, the health back-off, and the frontier followed
// through the event log between runs (by id after a completion, whole after an edit and before idle).
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type PenguinConfig } from '../../src/config/schema.js';
import type { PenguinEvent } from '../../src/events/types.js';
import { NativeEngine } from '../../src/orchestration/native/engine.js';
import { TIE_BREAKERS, type TieBreaker } from '../../src/project/frontier.js';
import type { Task } from '../../src/project/model.js';
import { Scheduler, type SchedulerOptions } from '../../src/scheduler/loop.js';
import type { HealthSample } from '../../src/scheduler/health.js';
import { makeWorkspace, newTask, ScriptedExecutor, TEST_CONFIG } from '../orchestration/helpers.js';
import { engineDeps, schedulerOptions, seedGraph } from './helpers.js';
import type { RunSummary } from '../../src/contracts/runmode.js';
import type { EventLog } from '../../src/events/log.js';
import type { PhaseExecutor } from '../../src/orchestration/phase-executor.js';
import { addTaskDependency } from '../../src/project/dependencies.js';
import { followProjectFrontier } from '../../src/project/frontier-follower.js';
import type { Store } from '../../src/project/store.js';

const PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
const SEQUENCES = ['alpha', 'beta', 'rc', 'ga'] as const;

/** Six tasks with mixed metadata; C and D wait for A, F waits for C and E. */
const SPECS: { id: string; deps: string[]; meta: Partial<Task> }[] = [
  {
    id: 'A',
    deps: [],
    meta: { priority: 'low', due: '2030-05-01', sequence: 'ga', effort: 3, value: 1, risk: 5 },
  },
  {
    id: 'B',
    deps: [],
    meta: { priority: 'high', due: null, sequence: 'beta', effort: 8, value: 9, risk: 1 },
  },
  {
    id: 'C',
    deps: ['A'],
    meta: { priority: 'critical', due: '2030-01-01', sequence: null, effort: 1, value: 5, risk: 3 },
  },
  {
    id: 'D',
    deps: ['A'],
    meta: { priority: null, due: '2029-12-31', sequence: 'alpha', effort: null, value: 7, risk: null },
  },
  {
    id: 'E',
    deps: [],
    meta: { priority: 'medium', due: '2031-01-01', sequence: 'rc', effort: 2, value: null, risk: 2 },
  },
  {
    id: 'F',
    deps: ['C', 'E'],
    meta: { priority: 'high', due: null, sequence: 'alpha', effort: 5, value: 3, risk: 4 },
  },
];

/** An independent statement of each tie-breaker: smaller sorts first, missing last. */
function rank(task: Task, by: TieBreaker): number | string {
  const missing = Number.POSITIVE_INFINITY;
  switch (by) {
    case 'priority_desc':
      return task.priority === null ? missing : 3 - PRIORITIES.indexOf(task.priority);
    case 'due_date_asc':
      return task.due ?? missing;
    case 'sequence':
      return task.sequence === null ? missing : SEQUENCES.indexOf(task.sequence);
    case 'effort_asc':
      return task.effort ?? missing;
    case 'value_desc':
      return task.value === null ? missing : -task.value;
    case 'risk_asc':
      return task.risk ?? missing;
    case 'created_at_asc':
      return task.created_at;
  }
}

function before(a: Task, b: Task, by: TieBreaker): boolean {
  const ra = rank(a, by);
  const rb = rank(b, by);
  if (ra === rb) return a.blueprint_order < b.blueprint_order;
  if (ra === Number.POSITIVE_INFINITY) return false;
  if (rb === Number.POSITIVE_INFINITY) return true;
  return ra < rb;
}

type Spec = (typeof SPECS)[number];

/** Project P with one task per spec, in order, and the dependencies the specs name. */
function seedSpecs(
  store: Store,
  specs: readonly { id: string; deps: readonly string[]; meta?: Partial<Task> }[],
): ReturnType<typeof seedGraph> {
  return seedGraph(
    store,
    'P',
    specs.map((spec, i) => ({
      task: (projectId: string) => ({ ...newTask(projectId, spec.id, i), ...spec.meta }),
      deps: spec.deps.map((d) => specs.findIndex((s) => s.id === d)),
    })),
  );
}

async function runScheduler(
  tieBreaker: TieBreaker,
  options: Partial<SchedulerOptions> = {},
  health: () => HealthSample = () => ({ cpu_percent: 1, memory_percent: 1 }),
  specs: readonly Spec[] = SPECS,
): Promise<{ tasks: Task[]; events: PenguinEvent[]; summary: Awaited<ReturnType<Scheduler['run']>> }> {
  const ws = makeWorkspace();
  try {
    const { store, events } = ws;
    const { project, tasks } = await seedSpecs(store, specs);
    const engine = new NativeEngine({
      store,
      events,
      executor: new ScriptedExecutor(ws.dir),
      config: TEST_CONFIG,
      pollMs: 20,
      leaseMs: 2_000,
    });
    const scheduler: PenguinConfig['scheduler'] = {
      ...DEFAULT_CONFIG.scheduler,
      tie_breakers: [tieBreaker],
    };
    const seen: PenguinEvent[] = [];
    const unsubscribe = await events.subscribe((e) => seen.push(e));
    const summary = await new Scheduler(
      engineDeps({ engine, store, events, project, dir: ws.dir, scheduler, health }),
      schedulerOptions({ pollMs: 20, ...options }),
    ).run();
    await events.flush();
    unsubscribe();
    await engine.close();
    const stored = await Promise.all(tasks.map(async (t) => (await store.tasks.get(t.id))!));
    return { tasks: stored, events: seen, summary };
  } finally {
    await ws.cleanup();
  }
}

/** The most workflows running at one time, from the started and completed events. */
function mostAtOnce(events: readonly PenguinEvent[]): number {
  let running = 0;
  let most = 0;
  for (const e of events) {
    if (e.type === 'workflow.started') running++;
    if (e.type === 'workflow.completed') running--;
    most = Math.max(most, running);
  }
  return most;
}

describe('Scheduler', () => {
  it.each(TIE_BREAKERS.map((t) => [t]))(
    'starts tasks in topological order, each the first ready one by %s',
    async (tieBreaker) => {
      const { tasks, events, summary } = await runScheduler(tieBreaker);
      expect(summary.stopped).toBe('idle');
      expect(summary.completed).toHaveLength(SPECS.length);
      const byBlueprint = new Map(tasks.map((t) => [t.blueprint_id, t]));
      const order = events.filter((e) => e.type === 'scheduler.dispatched').map((e) => e.blueprint_id!);
      expect([...order].sort()).toEqual(SPECS.map((s) => s.id).sort());
      const done = new Set<string>();
      for (const id of order) {
        const spec = SPECS.find((s) => s.id === id)!;
        // Every upstream finished first.
        expect(
          spec.deps.every((d) => done.has(d)),
          `${id} after ${spec.deps.join(',')}`,
        ).toBe(true);
        // No ready task that sorts before it was passed over.
        const ready = SPECS.filter((s) => !done.has(s.id) && s.deps.every((d) => done.has(d)));
        for (const other of ready) {
          if (other.id === id) continue;
          expect(
            before(byBlueprint.get(other.id)!, byBlueprint.get(id)!, tieBreaker),
            `${other.id} vs ${id}`,
          ).toBe(false);
        }
        done.add(id);
      }
    },
    60_000,
  );

  it('never runs more than the parallelism at once, and stops idle with nothing left', async () => {
    const { events, summary } = await runScheduler('priority_desc', { parallelism: 2 });
    expect(summary.completed).toHaveLength(SPECS.length);
    expect(mostAtOnce(events)).toBe(2);
    const idle = events.filter((e) => e.type === 'scheduler.idle');
    expect(idle).toHaveLength(1);
    expect(events.at(-1)?.type).toBe('scheduler.stopped');
  }, 60_000);

  it('runs a parallelizable: false task alone and the tasks of one batch together', async () => {
    const specs: Spec[] = [
      { id: 'A', deps: [], meta: {} },
      { id: 'SOLO', deps: [], meta: { parallelizable: false } },
      { id: 'B1', deps: [], meta: { batch: 'b' } },
      { id: 'C', deps: [], meta: {} },
      { id: 'B2', deps: [], meta: { batch: 'b' } },
    ];
    const { events, summary } = await runScheduler('created_at_asc', { parallelism: 3 }, undefined, specs);
    expect(summary.completed).toHaveLength(specs.length);
    const running = new Set<string>();
    const rounds: string[][] = [];
    for (const e of events) {
      if (e.type === 'scheduler.dispatched') {
        // Every dispatch while SOLO runs, or SOLO's beside anything, would break the rule.
        expect(running.has('SOLO') || (e.blueprint_id === 'SOLO' && running.size > 0), e.blueprint_id).toBe(
          false,
        );
        if (running.size === 0) rounds.push([]);
        rounds.at(-1)!.push(e.blueprint_id!);
        running.add(e.blueprint_id!);
      }
      if (e.type === 'workflow.completed') running.delete(e.blueprint_id!);
    }
    // A first, then SOLO on its own once A ended, then the batch together (with C filling the slot).
    expect(rounds[0]).toEqual(['A']);
    expect(rounds[1]).toEqual(['SOLO']);
    expect(rounds[2]?.slice(0, 2)).toEqual(['B1', 'B2']);
  }, 60_000);

  it('backs off above the CPU limit: one workflow at a time, with a backoff event', async () => {
    const { events, summary } = await runScheduler(
      'priority_desc',
      { parallelism: 3, maxCpuPercent: 50 },
      () => ({ cpu_percent: 99, memory_percent: 10 }),
    );
    expect(summary.completed).toHaveLength(SPECS.length);
    expect(mostAtOnce(events)).toBe(1);
    const backoff = events.find((e) => e.type === 'scheduler.backoff');
    expect(backoff?.data).toMatchObject({ cpu_percent: 99, reason: 'dispatch waits: CPU 99% > 50%' });
    expect(events.some((e) => e.type === 'heartbeat')).toBe(true);
  }, 60_000);
});

describe('Scheduler: the frontier between runs', () => {
  /** Runs `specs` at parallelism 1; `duringA` runs while A's IMPLEMENT does. */
  async function follow(
    specs: readonly { id: string; deps: string[]; meta?: Partial<Task> }[],
    duringA: (ctx: { store: Store; events: EventLog; tasks: Task[] }) => Promise<void> = async () => {},
  ): Promise<{ order: string[]; reads: { whole: number; byId: number }; summary: RunSummary }> {
    const ws = makeWorkspace();
    try {
      const { store, events } = ws;
      const { project, tasks } = await seedSpecs(store, specs);
      const scripted = new ScriptedExecutor(ws.dir);
      let hooked = false;
      const executor: PhaseExecutor = {
        execute: async (ctx) => {
          if (!hooked && ctx.phase === 'implement' && ctx.task.blueprint_id === 'A') {
            hooked = true;
            await duringA({ store, events, tasks });
          }
          return scripted.execute(ctx);
        },
      };
      const engine = new NativeEngine({ store, events, executor, config: TEST_CONFIG, pollMs: 20 });
      const feed = followProjectFrontier(store, DEFAULT_CONFIG.scheduler, 'P');
      const seen: PenguinEvent[] = [];
      const unsubscribe = await events.subscribe((e) => seen.push(e));
      const deps = engineDeps({
        engine,
        store,
        events,
        project,
        dir: ws.dir,
        scheduler: DEFAULT_CONFIG.scheduler,
      });
      const summary = await new Scheduler(
        { ...deps, frontier: feed },
        schedulerOptions({ pollMs: 20 }),
      ).run();
      await events.flush();
      unsubscribe();
      await engine.close();
      const order = seen.filter((e) => e.type === 'scheduler.dispatched').map((e) => e.blueprint_id!);
      return { order, reads: { ...feed.reads }, summary };
    } finally {
      await ws.cleanup();
    }
  }

  it('re-reads only the tasks that moved after each completion, the graph once and before idle', async () => {
    const chain = ['A', 'B', 'C', 'D', 'E', 'F'].map((id, i, all) => ({
      id,
      deps: i === 0 ? [] : [all[i - 1]!],
    }));
    const { order, reads, summary } = await follow(chain);
    expect(order).toEqual(['A', 'B', 'C', 'D', 'E', 'F']);
    expect(summary.completed).toHaveLength(6);
    // Whole: the first read and the one before idle; every completion in between is read by id.
    expect(reads.whole).toBe(2);
    expect(reads.byId).toBeGreaterThanOrEqual(6);
  }, 60_000);

  it('reads the graph again after a dependency edit made while a run goes on', async () => {
    const specs = [
      { id: 'A', deps: [] },
      { id: 'B', deps: [] },
      { id: 'C', deps: [] },
    ];
    const { order } = await follow(specs, async ({ store, events }) => {
      // B now waits for C: without the edit's event, B (first in order) would go next.
      await addTaskDependency(store, events, { task: 'B', dependsOn: 'C', projectKey: 'P' });
    });
    expect(order).toEqual(['A', 'C', 'B']);
  }, 60_000);

  it('finds a task made ready by a write that told the log nothing before calling itself idle', async () => {
    const specs = [
      { id: 'A', deps: [] },
      { id: 'X', deps: [], meta: { status: 'pending_review' as const, phase: 'done' as const } },
      { id: 'B', deps: ['X'] },
    ];
    const { order, summary } = await follow(specs, async ({ store, tasks }) => {
      const x = tasks.find((t) => t.blueprint_id === 'X')!;
      await store.transaction((tx) => tx.tasks.transition(x.id, { status: 'completed', reason: 'outside' }));
    });
    expect(order).toEqual(['A', 'B']);
    expect(summary.stopped).toBe('idle');
    expect(summary.completed.map((c) => c.blueprint_id)).toEqual(['A', 'B']);
  }, 60_000);
});
