// A seeded generator of large, acyclic task graphs for the frontier benchmark. Edges only go from a
// lower to a higher index (the higher one depends on the lower), so the graph is a DAG by construction.
import type { DependencyPolicy, Priority, Sequence } from '../src/blueprint/model.js';
import type { Dependency, Task, TaskPhase, TaskStatus } from '../src/project/model.js';
import { newTask } from '../test/project/task-factory.js';

/** mulberry32: small, fast and reproducible; a benchmark needs the same graph every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PRIORITIES: (Priority | null)[] = ['low', 'medium', 'high', 'critical', null];
const SEQUENCES: (Sequence | null)[] = ['alpha', 'beta', 'rc', 'ga', null, null];

/** Status mix of a project under way: a quarter done, a few in review, failed or cancelled. */
function pickState(r: number): { status: TaskStatus; phase: TaskPhase } {
  if (r < 0.25) return { status: 'completed', phase: 'done' };
  if (r < 0.3) return { status: 'pending_review', phase: 'done' };
  if (r < 0.301) return { status: 'failed', phase: 'blocked' };
  if (r < 0.31) return { status: 'cancelled', phase: 'pending' };
  return { status: 'active', phase: 'pending' };
}

export function generateTaskGraph(
  taskCount: number,
  edgeCount: number,
  seed = 1,
): { tasks: Task[]; dependencies: Dependency[] } {
  const rand = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const base = Date.UTC(2025, 0, 1);
  const tasks: Task[] = [];
  for (let i = 0; i < taskCount; i++) {
    const { status, phase } = pickState(rand());
    const created = new Date(base + Math.floor(rand() * 86_400_000 * 30)).toISOString();
    // Literal order is draw order: keep the rand() calls in this order so a seed gives the same graph.
    tasks.push({
      id: `t${i.toString(36)}`,
      ...newTask('p1', `GEN-${i + 1}`, {
        title: `Generated task ${i + 1}`,
        acceptance_criteria: [`task ${i + 1} works`],
        priority: pick(PRIORITIES),
        due: rand() < 0.5 ? `2025-${String(1 + Math.floor(rand() * 12)).padStart(2, '0')}-15` : null,
        sequence: pick(SEQUENCES),
        effort: rand() < 0.5 ? 1 + Math.floor(rand() * 8) : null,
        value: rand() < 0.5 ? 1 + Math.floor(rand() * 8) : null,
        risk: rand() < 0.5 ? 1 + Math.floor(rand() * 8) : null,
        blueprint_order: i,
        status,
        phase,
      }),
      stale: false,
      orphaned: false,
      overrides: [],
      review_note: null,
      reviewed_at: null,
      created_at: created,
      updated_at: created,
    });
  }

  const maxEdges = (taskCount * (taskCount - 1)) / 2;
  const target = Math.min(edgeCount, maxEdges);
  const seen = new Set<number>();
  const edges: { to: number; from: number }[] = [];
  while (edges.length < target) {
    // Mostly short-range edges, like real blueprints, with some long ones.
    const to = 1 + Math.floor(rand() * (taskCount - 1));
    const span = rand() < 0.8 ? 1 + Math.floor(rand() * Math.min(to, 50)) : 1 + Math.floor(rand() * to);
    const from = to - span;
    const key = from * taskCount + to;
    if (seen.has(key)) continue;
    seen.add(key);
    edges.push({ to, from });
  }
  // Grouped by dependent, as a store lists them (SqliteStore orders by task), upstreams ascending.
  edges.sort((a, b) => a.to - b.to || a.from - b.from);
  const dependencies = edges.map(({ to, from }): Dependency => {
    const r = rand();
    const policy: DependencyPolicy =
      r < 0.85 ? 'completion_required' : r < 0.95 ? 'review_ready_ok' : 'artifact_ready';
    return {
      task_id: (tasks[to] as Task).id,
      depends_on_id: (tasks[from] as Task).id,
      policy,
      artifact_key: policy === 'artifact_ready' ? 'build' : null,
      source: 'blueprint',
    };
  });
  return { tasks, dependencies };
}
