// The frontier (DESIGN §4): which active tasks are ready, in which order, and why the others are not.
// Built for 100,000 tasks / 300,000 edges: one pass over the dependencies with plain Maps, one BFS for
// failure holds, one sort of the ready tasks. No graph library here on purpose.
import type { Priority, Sequence } from '../blueprint/model.js';
import { CONFIG_DEFAULT_TIE_BREAKERS, CONFIG_ON_FAILURE, CONFIG_TIE_BREAKERS } from '../config/schema.js';
import { DEPENDENCY_POLICIES, type DependencyPolicy } from '../contracts/blueprint.js';
import { UsageError } from '../errors.js';
import type { Dependency } from './model.js';
import type { FrontierEdges, FrontierTask } from './store.js';
import type { BlockedTask, Frontier, FrontierView, ReadyTask } from '../contracts/views.js';
import type { PenguinConfig } from '../config/schema.js';
import { resolveProject } from './resolve.js';
import type { Store } from './store.js';
import { evaluateDependency, type Blocker } from './readiness.js';

// The lists live with the config schema (a leaf), which validates scheduler.* against them.
export const TIE_BREAKERS = CONFIG_TIE_BREAKERS;
export type TieBreaker = (typeof TIE_BREAKERS)[number];

/** scheduler.tie_breakers default (DESIGN §2). */
export const DEFAULT_TIE_BREAKERS: readonly TieBreaker[] = CONFIG_DEFAULT_TIE_BREAKERS;

export const ON_FAILURE_POLICIES = CONFIG_ON_FAILURE;
export type OnFailurePolicy = (typeof ON_FAILURE_POLICIES)[number];

export interface FrontierInput {
  tasks: readonly FrontierTask[];
  /** By id, or as positions in `tasks` the way the store hands them over (Store.frontierGraph). */
  dependencies: readonly Dependency[] | FrontierEdges;
  /** Keys of the valid artifacts a task recorded; only asked for upstreams of artifact_ready deps. */
  artifactKeys?: (taskId: string) => ReadonlySet<string>;
  tieBreakers?: readonly TieBreaker[];
  onFailure?: OnFailurePolicy;
  /** Caps `ready` (scheduler.max_frontier); no cap when absent. */
  maxFrontier?: number;
  /**
   * false: only the ready list is wanted (`task ready`), so `blocked` comes back empty and no
   * blocked task's blockers are sorted or built. Default true.
   */
  explainBlocked?: boolean;
}

export type { BlockedTask, Frontier, ReadyTask } from '../contracts/views.js';

const PRIORITY_RANK: Record<Priority, number> = { critical: 0, high: 1, medium: 2, low: 3 };
const SEQUENCE_RANK: Record<Sequence, number> = { alpha: 0, beta: 1, rc: 2, ga: 3 };
const MISSING = Number.POSITIVE_INFINITY;

/** A tie-breaker as: the value shown in sort_key, and a rank where smaller sorts first. */
interface Criterion {
  shown: (task: FrontierTask) => string | number | null;
  rank: (task: FrontierTask) => string | number;
}

// Missing values sort last everywhere; numbers rank as numbers, dates and timestamps as ISO strings.
const CRITERIA: Record<TieBreaker, Criterion> = {
  priority_desc: {
    shown: (t) => t.priority,
    rank: (t) => (t.priority === null ? MISSING : PRIORITY_RANK[t.priority]),
  },
  due_date_asc: { shown: (t) => t.due, rank: (t) => t.due ?? MISSING },
  sequence: {
    shown: (t) => t.sequence,
    rank: (t) => (t.sequence === null ? MISSING : SEQUENCE_RANK[t.sequence]),
  },
  effort_asc: { shown: (t) => t.effort, rank: (t) => t.effort ?? MISSING },
  value_desc: { shown: (t) => t.value, rank: (t) => (t.value === null ? MISSING : -t.value) },
  risk_asc: { shown: (t) => t.risk, rank: (t) => t.risk ?? MISSING },
  created_at_asc: { shown: (t) => t.created_at, rank: (t) => t.created_at },
};

/** Compares two ranks of one criterion: a string or number, or MISSING (after everything). */
function compareRank(a: string | number, b: string | number): number {
  if (a === b) return 0;
  if (a === MISSING) return 1;
  if (b === MISSING) return -1;
  return a < b ? -1 : 1;
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byBlueprintOrder(a: FrontierTask, b: FrontierTask): number {
  return a.blueprint_order - b.blueprint_order || compareIds(a.id, b.id);
}

/**
 * Task indices by blueprint order, then id (stable for exact ties). Stores list tasks in this order
 * already (`sorted`), which saves the sort. Every later ordering compares positions in it.
 */
function blueprintOrder(tasks: readonly FrontierTask[], sorted: boolean): Int32Array {
  const n = tasks.length;
  const order = new Int32Array(n);
  if (sorted) {
    for (let i = 0; i < n; i++) order[i] = i;
  } else {
    const indices = Array.from({ length: n }, (_, i) => i);
    order.set(indices.sort((a, b) => byBlueprintOrder(tasks[a]!, tasks[b]!)));
  }
  return order;
}

// Blockers are gathered as small integers, `ref * 8 + code`, and made into objects only once sorted:
// at 100,000 tasks the allocation of a wrapper per blocker costs more than the readiness logic. `ref` is
// the task index for ORPHANED, an index into the dependency blockers for COMPLETION/REVIEW/ARTIFACT and
// a dependency index for MISSING.
const ORPHANED = 0;
const COMPLETION = 1;
const REVIEW = 2;
const ARTIFACT = 3;
const MISSING_TASK = 4;

/** Sorts `values[from..to)` in place, stably. A task has a handful of blockers: insertion sort. */
function sortRange(
  values: Int32Array,
  from: number,
  to: number,
  compare: (a: number, b: number) => number,
): void {
  if (to - from > 32) {
    values.set(Array.from(values.subarray(from, to)).sort(compare), from);
    return;
  }
  for (let k = from + 1; k < to; k++) {
    const value = values[k]!;
    let j = k - 1;
    for (; j >= from && compare(values[j]!, value) > 0; j--) values[j + 1] = values[j]!;
    values[j + 1] = value;
  }
}

function validate(input: FrontierInput): void {
  for (const tieBreaker of input.tieBreakers ?? []) {
    if (!(TIE_BREAKERS as readonly string[]).includes(tieBreaker)) {
      throw new UsageError(`unknown tie-breaker "${tieBreaker}"; expected one of ${TIE_BREAKERS.join(', ')}`);
    }
  }
  const max = input.maxFrontier;
  if (max !== undefined && (!Number.isInteger(max) || max < 0)) {
    throw new UsageError(`max_frontier must be a whole number >= 0, got ${String(max)}`);
  }
}

/** Edge ids grouped by a task index: row i is ids[start[i] .. start[i + 1]). */
export interface EdgeRows {
  start: Int32Array;
  ids: Int32Array;
}

/** The edges grouped by the task `by` names for each (its dependent or its upstream); -1 is left out. */
export function groupEdges(taskCount: number, by: Int32Array): EdgeRows {
  const start = new Int32Array(taskCount + 1);
  for (let e = 0; e < by.length; e++) if (by[e]! >= 0) start[by[e]! + 1]!++;
  for (let i = 0; i < taskCount; i++) start[i + 1]! += start[i]!;
  const fill = start.slice(0, taskCount);
  const ids = new Int32Array(start[taskCount]!);
  for (let e = 0; e < by.length; e++) if (by[e]! >= 0) ids[fill[by[e]!]!++] = e;
  return { start, ids };
}

/**
 * For every task downstream (transitively) of a failed task, the index of the earliest failed root
 * (in `failed` order) that reaches it; -1 elsewhere. `up`/`down` are per-dependency task indices.
 */
function failedRoots(
  taskCount: number,
  up: Int32Array,
  down: Int32Array,
  failed: readonly number[],
): Int32Array {
  // The edges out of each task, in compressed rows.
  const dependents = groupEdges(taskCount, up);
  // One shared visited array over roots in order: everything below a node reached from an earlier
  // root was reached from it too, so each task gets its earliest root in O(V + E) overall.
  const rootOf = new Int32Array(taskCount).fill(-1);
  const queue = new Int32Array(taskCount);
  for (const root of failed) {
    if (rootOf[root] !== -1) continue;
    rootOf[root] = root;
    let tail = 0;
    queue[tail++] = root;
    for (let head = 0; head < tail; head++) {
      const node = queue[head]!;
      for (let k = dependents.start[node]!; k < dependents.start[node + 1]!; k++) {
        const next = down[dependents.ids[k]!]!;
        if (next < 0 || rootOf[next] !== -1) continue;
        rootOf[next] = root;
        queue[tail++] = next;
      }
    }
  }
  return rootOf;
}

// Policies by their position in DEPENDENCY_POLICIES, the code FrontierEdges carries.
const POLICY_CODES = new Map<DependencyPolicy, number>(DEPENDENCY_POLICIES.map((p, i) => [p, i]));
const COMPLETION_REQUIRED = POLICY_CODES.get('completion_required')!;
const ARTIFACT_READY = POLICY_CODES.get('artifact_ready')!;
// What evaluateDependency reads of a dependency, for the two policies whose verdict is shared.
const SHARED_POLICIES = [
  { policy: 'completion_required', artifact_key: null },
  { policy: 'review_ready_ok', artifact_key: null },
] as const;

/** Dependencies by id as edges between positions in `tasks`; an id that is not in `tasks` becomes -1. */
export function indexDependencies(
  tasks: readonly FrontierTask[],
  dependencies: readonly Dependency[],
): FrontierEdges {
  const index = new Map<string, number>();
  for (let i = 0; i < tasks.length; i++) index.set(tasks[i]!.id, i);
  const m = dependencies.length;
  const dependent = new Int32Array(m);
  const upstream = new Int32Array(m);
  const policy = new Uint8Array(m);
  const artifactKeys = new Map<number, string>();
  const missingIds = new Map<number, string>();
  // Dependencies usually come grouped by task, so the previous lookup is often the answer.
  let lastTaskId: string | null = null;
  let ti = -1;
  for (let d = 0; d < m; d++) {
    const dep = dependencies[d]!;
    if (dep.task_id !== lastTaskId) {
      lastTaskId = dep.task_id;
      ti = index.get(lastTaskId) ?? -1;
    }
    dependent[d] = ti;
    const ui = index.get(dep.depends_on_id) ?? -1;
    upstream[d] = ui;
    if (ui < 0) missingIds.set(d, dep.depends_on_id);
    policy[d] = POLICY_CODES.get(dep.policy)!;
    if (dep.artifact_key !== null && dep.policy === 'artifact_ready') artifactKeys.set(d, dep.artifact_key);
  }
  return { dependent, upstream, policy, artifactKeys, missingIds };
}

const isEdges = (deps: FrontierInput['dependencies']): deps is FrontierEdges => 'dependent' in deps;

export function computeFrontier(input: FrontierInput): Frontier {
  validate(input);
  const { tasks } = input;
  const edges = isEdges(input.dependencies)
    ? input.dependencies
    : indexDependencies(tasks, input.dependencies);
  const tieBreakers = input.tieBreakers ?? DEFAULT_TIE_BREAKERS;
  const onFailure = input.onFailure ?? 'pause_dependents';
  const noKeys: ReadonlySet<string> = new Set();
  const n = tasks.length;

  // Encoded blockers in flat typed arrays (task index, entry), grouped per task below: no per-blocker
  // allocation in the hot loop.
  const m = edges.dependent.length;
  const entryTask = new Int32Array(m + n);
  const entryValue = new Int32Array(m + n);
  let count = 0;

  // One pass over the tasks (at this size each pass costs a cache miss per task): the candidates
  // (active) and their own blocker, the failed, and whether they come in blueprint order.
  const candidate = new Uint8Array(n);
  const failed: number[] = [];
  let sorted = true;
  for (let i = 0; i < n; i++) {
    const task = tasks[i]!;
    if (sorted && i > 0) sorted = byBlueprintOrder(tasks[i - 1]!, task) <= 0;
    if (task.status === 'active') {
      candidate[i] = 1;
      if (task.orphaned) {
        entryTask[count] = i;
        entryValue[count++] = i * 8 + ORPHANED;
      }
    } else if (task.status === 'failed') failed.push(i);
  }
  // rank[i]: task i's position in blueprint order; comparing ranks replaces comparing tasks.
  const order = blueprintOrder(tasks, sorted);
  const rank = new Int32Array(n);
  for (let k = 0; k < n; k++) rank[order[k]!] = k;
  failed.sort((a, b) => rank[a]! - rank[b]!);

  // Dependency blockers, each made once: blockerUpstream[k] is the task index dependencyBlockers[k] names.
  const dependencyBlockers: Blocker[] = [];
  const blockerUpstream: number[] = [];
  const addBlocker = (blocker: Blocker, upstream: number): number => {
    blockerUpstream.push(upstream);
    return dependencyBlockers.push(blocker) - 1;
  };
  // The verdict for (upstream, policy) is the same for every dependent, so it is computed once and the
  // Blocker object shared. Slot ui*2 is completion_required, ui*2+1 review_ready_ok; a slot holds 0
  // until computed, then -1 when satisfied or 1 + the blocker's index.
  const verdicts = new Int32Array(n * 2);
  const { dependent: down, upstream: up, policy } = edges;
  // Only edges into candidates can block; the failure hold below walks all of them.
  for (let d = 0; d < m; d++) {
    const ti = down[d]!;
    if (ti < 0 || !candidate[ti]) continue;
    const ui = up[d]!;
    let entry = -1;
    if (ui < 0) {
      // DESIGN §4: a dependency on an unknown id never leaves a task silently ready.
      entry = d * 8 + MISSING_TASK;
    } else if (policy[d] === ARTIFACT_READY) {
      const keys = input.artifactKeys ? input.artifactKeys(tasks[ui]!.id) : noKeys;
      // Its verdict depends on the dependency's artifact key: not shared.
      const dep = { policy: 'artifact_ready', artifact_key: edges.artifactKeys.get(d) ?? null } as const;
      const blocker = evaluateDependency(tasks[ui]!, dep, keys);
      if (blocker) entry = addBlocker(blocker, ui) * 8 + ARTIFACT;
    } else {
      const shared = policy[d] === COMPLETION_REQUIRED ? 0 : 1;
      const slot = ui * 2 + shared;
      if (verdicts[slot] === 0) {
        const blocker = evaluateDependency(tasks[ui]!, SHARED_POLICIES[shared]!, noKeys);
        verdicts[slot] = blocker ? addBlocker(blocker, ui) + 1 : -1;
      }
      const verdict = verdicts[slot]!;
      if (verdict > 0) entry = (verdict - 1) * 8 + (shared ? REVIEW : COMPLETION);
    }
    if (entry >= 0) {
      entryTask[count] = ti;
      entryValue[count++] = entry;
    }
  }

  // Group entries per task: task i owns grouped[start[i] .. start[i + 1]).
  const start = new Int32Array(n + 1);
  for (let k = 0; k < count; k++) start[entryTask[k]! + 1]!++;
  for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
  const cursor = start.slice(0, n);
  const grouped = new Int32Array(count);
  for (let k = 0; k < count; k++) grouped[cursor[entryTask[k]!]!++] = entryValue[k]!;

  const missingId = (d: number): string => edges.missingIds.get(d) ?? '';

  /** The task index an entry names, or -1 for a dangling id. */
  const upstreamOf = (entry: number): number => {
    const code = entry & 7;
    const ref = (entry - code) / 8;
    if (code === ORPHANED) return ref;
    return code === MISSING_TASK ? -1 : blockerUpstream[ref]!;
  };

  // heldBy[i]: the failed task holding candidate i, or -1.
  const heldBy = new Int32Array(n).fill(-1);
  if (failed.length > 0 && onFailure === 'pause_dependents') {
    const rootOf = failedRoots(n, up, down, failed);
    for (let i = 0; i < n; i++) {
      const r = rootOf[i]!;
      if (r < 0 || r === i || !candidate[i]) continue;
      // A direct dependent already has "<root> failed" from its own dependency.
      let direct = false;
      for (let k = start[i]!; k < start[i + 1]! && !direct; k++) direct = upstreamOf(grouped[k]!) === r;
      if (!direct) heldBy[i] = r;
    }
  } else if (failed.length > 0 && onFailure === 'stop') {
    for (let i = 0; i < n; i++) if (candidate[i]) heldBy[i] = failed[0]!;
  }

  const heldBlockers = new Map<number, Blocker>();
  const heldBlocker = (r: number): Blocker => {
    let blocker = heldBlockers.get(r);
    if (blocker === undefined) {
      const root = tasks[r]!;
      const more = failed.length > 1 ? ` (and ${failed.length - 1} more failed)` : '';
      const reason =
        onFailure === 'stop'
          ? `held: ${root.blueprint_id} failed and scheduler.on_failure is stop${more}`
          : `held: upstream ${root.blueprint_id} failed`;
      blocker = { task_id: root.id, blueprint_id: root.blueprint_id, policy: null, reason, kind: 'held' };
      heldBlockers.set(r, blocker);
    }
    return blocker;
  };

  const materialize = (entry: number): Blocker => {
    const code = entry & 7;
    const ref = (entry - code) / 8;
    switch (code) {
      case ORPHANED: {
        const task = tasks[ref]!;
        const reason = `${task.blueprint_id} was removed from the blueprint`;
        return { task_id: task.id, blueprint_id: task.blueprint_id, policy: null, reason, kind: 'orphaned' };
      }
      case COMPLETION:
      case REVIEW:
      case ARTIFACT:
        return dependencyBlockers[ref]!;
      default: {
        const id = missingId(ref);
        const task = tasks[down[ref]!]!;
        const reason = `${task.blueprint_id} depends on ${id}, which is not a task of this project`;
        const policyName = DEPENDENCY_POLICIES[policy[ref]!]!;
        return { task_id: id, blueprint_id: id, policy: policyName, reason, kind: 'missing' };
      }
    }
  };

  // A task's blockers: its own state first, then its dependencies by upstream blueprint order (the
  // code breaking a tie on one upstream), then dangling ids by id. Keys are numbers, ranks precomputed.
  const missingKey = (n + 1) * 8;
  const keyOf = (entry: number): number => {
    const code = entry & 7;
    if (code === ORPHANED) return 0;
    if (code === MISSING_TASK) return missingKey;
    return (1 + rank[upstreamOf(entry)]!) * 8 + code;
  };
  const compareEntries = (a: number, b: number): number => {
    const byKey = keyOf(a) - keyOf(b);
    if (byKey !== 0 || (a & 7) !== MISSING_TASK) return byKey;
    return compareIds(missingId(a >> 3), missingId(b >> 3));
  };

  const criteria = tieBreakers.map((name) => CRITERIA[name]);
  const readyTasks: number[] = [];
  for (let i = 0; i < n; i++) {
    if (candidate[i] && start[i + 1] === start[i] && heldBy[i] === -1) readyTasks.push(i);
  }

  // Ranks in columns, computed once per task rather than once per comparison.
  const columns = criteria.map((c) => readyTasks.map((i) => c.rank(tasks[i]!)));
  const positions = readyTasks.map((_, k) => k);
  positions.sort((a, b) => {
    for (const column of columns) {
      const c = compareRank(column[a]!, column[b]!);
      if (c !== 0) return c;
    }
    return rank[readyTasks[a]!]! - rank[readyTasks[b]!]!;
  });

  const cap = Math.min(input.maxFrontier ?? positions.length, positions.length);
  const ready: ReadyTask[] = [];
  for (let k = 0; k < cap; k++) {
    const task = tasks[readyTasks[positions[k]!]!]!;
    ready.push({
      id: task.id,
      blueprint_id: task.blueprint_id,
      title: task.title,
      priority: task.priority,
      sort_key: [...criteria.map((c) => c.shown(task)), task.blueprint_order, task.id],
    });
  }

  const blocked: BlockedTask[] = [];
  for (let k = 0; k < (input.explainBlocked === false ? 0 : n); k++) {
    const i = order[k]!;
    const from = start[i]!;
    const to = start[i + 1]!;
    if (!candidate[i] || (from === to && heldBy[i] === -1)) continue;
    sortRange(grouped, from, to, compareEntries);
    // Sized up front: a pushed-to array reserves room for 17 and there are tens of thousands of these.
    const held = heldBy[i]!;
    const blockers = new Array<Blocker>(to - from + (held >= 0 ? 1 : 0));
    for (let e = from; e < to; e++) blockers[e - from] = materialize(grouped[e]!);
    if (held >= 0) blockers[to - from] = heldBlocker(held);
    const task = tasks[i]!;
    blocked.push({ id: task.id, blueprint_id: task.blueprint_id, title: task.title, blockers });
  }

  return { ready, blocked, omitted: positions.length - ready.length };
}

/**
 * The upstreams whose artifact keys the frontier will ask for: those of artifact_ready dependencies
 * of active tasks (computeFrontier judges only edges into active tasks).
 */
function artifactUpstreams(tasks: readonly FrontierTask[], edges: FrontierEdges): string[] {
  const upstreams = new Set<string>();
  for (let d = 0; d < edges.policy.length; d++) {
    if (edges.policy[d] !== ARTIFACT_READY) continue;
    const ti = edges.dependent[d]!;
    const ui = edges.upstream[d]!;
    if (ti >= 0 && ui >= 0 && tasks[ti]!.status === 'active') upstreams.add(tasks[ui]!.id);
  }
  return [...upstreams];
}

/**
 * The frontier of one stored project (by key, or the only one), ordered and capped as `scheduler`
 * says, read from one snapshot. `artifactKeys` comes from the artifact store (a layer above) for
 * `artifact_ready` edges; it is asked only about the upstreams of those edges.
 */
export async function storedProjectFrontier(
  store: Store,
  scheduler: Pick<PenguinConfig['scheduler'], 'tie_breakers' | 'on_failure' | 'max_frontier'>,
  projectKey: string | undefined,
  artifactKeys?: (taskId: string) => Promise<ReadonlySet<string>>,
  options: Pick<FrontierInput, 'explainBlocked'> = {},
): Promise<FrontierView> {
  const { project, graph } = await store.read(async (reader) => {
    const found = await resolveProject(reader, projectKey);
    return { project: found, graph: await reader.tasks.frontierGraph(found.id) };
  });
  const { tasks, edges } = graph;
  const keys = new Map<string, ReadonlySet<string>>();
  if (artifactKeys) {
    for (const id of artifactUpstreams(tasks, edges)) keys.set(id, await artifactKeys(id));
  }
  const none: ReadonlySet<string> = new Set();
  const frontier = computeFrontier({
    tasks,
    dependencies: edges,
    ...(artifactKeys ? { artifactKeys: (taskId: string) => keys.get(taskId) ?? none } : {}),
    tieBreakers: scheduler.tie_breakers,
    onFailure: scheduler.on_failure,
    maxFrontier: scheduler.max_frontier,
    ...options,
  });
  return { project: project.key, ...frontier };
}
