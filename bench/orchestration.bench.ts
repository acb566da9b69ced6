// Native orchestration figures: throughput of 1,000 workflows with an instant in-process executor
// (SQLite synchronous FULL, every phase a committed checkpoint), the cost per checkpoint, and how long
// a fresh engine takes to recover 100 workflows orphaned by a dead host.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventLog } from '../src/events/log.js';
import { NativeEngine } from '../src/orchestration/native/engine.js';
import type { PhaseExecutor, PhaseOutcome } from '../src/orchestration/phase-executor.js';
import type { Task } from '../src/project/model.js';
import { openSqliteStore } from '../src/project/sqlite/store.js';
import type { Store } from '../src/project/store.js';
import { newTask } from '../test/project/task-factory.js';
import { BENCH_ENGINE_CONFIG, instantExecutor } from './engine-fixtures.js';
import { atLeast, atMost, type BenchFigure } from './measure.js';

function seed(store: Store, key: string, count: number): Promise<Task[]> {
  return store.transaction(async (tx) => {
    const project = await tx.projects.upsert({ key, title: key, blueprint_file: null });
    return tx.tasks.createMany(
      Array.from({ length: count }, (_, i) => ({
        task: newTask(project.id, `${key}-${i + 1}`, {
          title: `Bench task ${i + 1}`,
          acceptance_criteria: ['it works'],
          blueprint_order: i,
          content_hash: `h${i}`,
        }),
      })),
    );
  });
}

async function allFinished(store: Store, count: number, timeoutMs: number): Promise<void> {
  // Counted from the events that finish a run, read on from where the last look stopped: each poll
  // reads only what is new, so watching costs the engine under test next to nothing.
  const types = ['workflow.completed', 'workflow.failed', 'workflow.cancelled'] as const;
  let cursor = 0;
  let finished = 0;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const page = await store.events.readPage(cursor, { types }, 10_000);
    cursor = page.cursor;
    finished += page.events.length;
    if (finished >= count) return;
    if (Date.now() > deadline) throw new Error(`workflows did not finish within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function throughput(dir: string): Promise<BenchFigure[]> {
  const store = openSqliteStore(join(dir, 'throughput.db'));
  const events = new EventLog(store);
  const tasks = await seed(store, 'TP', 1_000);
  const engine = new NativeEngine({
    store,
    events,
    executor: instantExecutor,
    config: BENCH_ENGINE_CONFIG,
    pollMs: 20,
    maxConcurrent: 64,
  });
  const started = process.hrtime.bigint();
  engine.start();
  // Callers start workflows concurrently (the scheduler, several CLIs): starts share commits too.
  await Promise.all(tasks.map((task) => engine.startWorkflow(task.id)));
  await allFinished(store, tasks.length, 120_000);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await engine.close();
  const completed = (await engine.list({ status: 'completed' })).length;
  await store.close();
  if (completed !== tasks.length) throw new Error(`only ${completed} of ${tasks.length} workflows completed`);
  const checkpoints = tasks.length * 4;
  return [
    atLeast(
      '1,000 workflows, instant executor (synchronous FULL)',
      tasks.length / seconds,
      'workflows/s',
      300,
    ),
    atMost(
      'cost per phase checkpoint (result + transition + events)',
      (seconds * 1000) / checkpoints,
      'ms',
      0.8,
    ),
  ];
}

async function recovery(dir: string): Promise<BenchFigure> {
  const file = join(dir, 'recovery.db');
  const store = openSqliteStore(file);
  const events = new EventLog(store);
  const tasks = await seed(store, 'RC', 100);
  // A host that starts every phase and never finishes one, then dies holding its leases.
  const hanging: PhaseExecutor = { execute: () => new Promise<PhaseOutcome>(() => undefined) };
  const dead = new NativeEngine({
    store,
    events,
    executor: hanging,
    config: BENCH_ENGINE_CONFIG,
    pollMs: 20,
    maxConcurrent: 100,
    ownerId: 'dead-host',
    abortGraceMs: 0,
  });
  dead.start();
  for (const task of tasks) await dead.startWorkflow(task.id);
  const ids = (await store.workflows.list()).map((w) => w.id);
  const inFlight = async (): Promise<number> => {
    let open = 0;
    for (const id of ids) open += (await store.workflows.steps(id)).filter((s) => s.outcome === null).length;
    return open;
  };
  while ((await inFlight()) < tasks.length) await new Promise((r) => setTimeout(r, 5));
  await dead.stop();
  // stop() releases; put the leases back as a SIGKILLed host leaves them: owned, expired.
  await store.transaction(async (tx) => {
    const now = Date.now();
    for (const id of ids) await tx.workflows.claim(id, 'dead-host', now, now - 1);
  });

  const fresh = new NativeEngine({
    store,
    events,
    executor: instantExecutor,
    config: BENCH_ENGINE_CONFIG,
    pollMs: 20,
    maxConcurrent: 100,
  });
  const started = process.hrtime.bigint();
  fresh.start();
  await allFinished(store, tasks.length, 30_000);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  await fresh.close();
  let abandoned = 0;
  for (const id of ids)
    abandoned += (await store.workflows.steps(id)).filter((s) => s.outcome === 'abandoned').length;
  await store.close();
  if (abandoned !== tasks.length)
    throw new Error(`expected ${tasks.length} abandoned attempts, found ${abandoned}`);
  return atMost('fresh engine recovers 100 orphaned workflows (to completion)', ms, 'ms', 1_000);
}

export async function benchOrchestration(): Promise<BenchFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'penguin-bench-orch-'));
  try {
    return [...(await throughput(dir)), await recovery(dir)];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
