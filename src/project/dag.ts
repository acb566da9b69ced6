// The task dependency graph as a graphology DirectedGraph, with cycle finding and topological order.
//
// Edge direction: an edge goes from the DEPENDENT task to the task it depends on
// (`dep.task_id -> dep.depends_on_id`), the way a user writes `deps add A B` ("A depends on B") and the
// way cycle messages read ("BOOK-1 -> BOOK-3 -> BOOK-2 -> BOOK-1"). `topologicalOrder` hides this and
// returns upstream tasks first.
import { DirectedGraph } from 'graphology';
import { findCycles } from '../blueprint/cycles.js';
import { ConflictError } from '../errors.js';
import type { Dependency, Task } from './model.js';

export interface TaskNodeAttributes {
  blueprint_id: string;
  blueprint_order: number;
}

export interface DependencyEdgeAttributes {
  policy: Dependency['policy'];
  artifact_key: string | null;
}

export type TaskGraph = DirectedGraph<TaskNodeAttributes, DependencyEdgeAttributes>;

/**
 * One node per task (key = task id), one edge per dependency from dependent to upstream. A dependency
 * naming a task that is not in `tasks` is left out: the graph only relates the tasks it was given
 * (lint reports such dangling ids; the frontier blocks on them). Only id, blueprint id and order are
 * read, so sync can pass the digests it already holds instead of whole tasks.
 */
export function buildTaskGraph(
  tasks: readonly Pick<Task, 'id' | 'blueprint_id' | 'blueprint_order'>[],
  deps: readonly Dependency[],
): TaskGraph {
  const graph: TaskGraph = new DirectedGraph<TaskNodeAttributes, DependencyEdgeAttributes>();
  for (const task of tasks) {
    if (!graph.hasNode(task.id)) {
      graph.addNode(task.id, { blueprint_id: task.blueprint_id, blueprint_order: task.blueprint_order });
    }
  }
  // addEdge skips mergeEdge's attribute merging; a pair appears once (the store's primary key).
  for (const dep of deps) {
    if (!graph.hasNode(dep.task_id) || !graph.hasNode(dep.depends_on_id)) continue;
    if (graph.hasDirectedEdge(dep.task_id, dep.depends_on_id)) continue;
    graph.addDirectedEdge(dep.task_id, dep.depends_on_id, {
      policy: dep.policy,
      artifact_key: dep.artifact_key,
    });
  }
  return graph;
}

/** Orders node keys by blueprint order, then id, so every walk below is deterministic. */
function byBlueprintOrder(graph: TaskGraph): (a: string, b: string) => number {
  return (a, b) => {
    const oa = graph.getNodeAttribute(a, 'blueprint_order') ?? 0;
    const ob = graph.getNodeAttribute(b, 'blueprint_order') ?? 0;
    if (oa !== ob) return oa - ob;
    return a < b ? -1 : a > b ? 1 : 0;
  };
}

/**
 * Shortest path from `from` to `to` following edge direction, staying inside `allowed` when given.
 * Returns the node keys including both ends, or null when `to` is unreachable.
 */
function shortestPath(
  graph: TaskGraph,
  from: string,
  to: string,
  allowed?: ReadonlySet<string>,
): string[] | null {
  const order = byBlueprintOrder(graph);
  const parent = new Map<string, string | null>([[from, null]]);
  const queue = [from];
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head] as string;
    // Sorted neighbours make the chosen path independent of insertion order.
    for (const next of graph.outNeighbors(node).sort(order)) {
      if (allowed && !allowed.has(next)) continue;
      if (next === to) {
        const path = [to];
        for (let at: string | null = node; at !== null; at = parent.get(at) ?? null) path.push(at);
        return path.reverse();
      }
      if (parent.has(next)) continue;
      parent.set(next, node);
      queue.push(next);
    }
  }
  return null;
}

/**
 * A cycle of the graph as task ids in edge order (each depends on the next), the first id repeated at
 * the end: `[a, b, c, a]`; a self-dependency is `[a, a]`. Null when the graph is acyclic. Among
 * several cycles it reports one in the component of the earliest task (blueprint order), starting at
 * that component's earliest task.
 */
export function findCycle(graph: TaskGraph): string[] | null {
  return firstCycle(graph.nodes().sort(byBlueprintOrder(graph)), (id) => graph.outNeighbors(id));
}

/**
 * The same cycle as `findCycle(buildTaskGraph(tasks, deps))`, without building the graph: the cycle
 * search only graphs what is left after peeling off the acyclic part, usually nothing.
 */
export function findDependencyCycle(
  tasks: readonly Pick<Task, 'id' | 'blueprint_id' | 'blueprint_order'>[],
  deps: readonly Dependency[],
): string[] | null {
  const upstream = new Map<string, string[]>();
  for (const dep of deps) {
    const list = upstream.get(dep.task_id);
    if (list === undefined) upstream.set(dep.task_id, [dep.depends_on_id]);
    else list.push(dep.depends_on_id);
  }
  const ids = [...tasks]
    .sort((a, b) => a.blueprint_order - b.blueprint_order || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((t) => t.id);
  return firstCycle(ids, (id) => upstream.get(id) ?? []);
}

function firstCycle(ids: readonly string[], dependsOn: (id: string) => Iterable<string>): string[] | null {
  const first = findCycles(ids, dependsOn)[0];
  return first === undefined ? null : [...first, first[0] as string];
}

/**
 * The cycle that adding `newDep` would close, in the same form as `findCycle` and starting with the
 * new edge (`[newDep.task_id, newDep.depends_on_id, ..., newDep.task_id]`), or null when it is safe.
 */
export function wouldCreateCycle(
  tasks: readonly Task[],
  deps: readonly Dependency[],
  newDep: Pick<Dependency, 'task_id' | 'depends_on_id'>,
): string[] | null {
  if (newDep.task_id === newDep.depends_on_id) return [newDep.task_id, newDep.task_id];
  const graph = buildTaskGraph(tasks, deps);
  if (!graph.hasNode(newDep.task_id) || !graph.hasNode(newDep.depends_on_id)) return null;
  // The new edge closes a cycle exactly when its upstream already (transitively) depends on its dependent.
  const back = shortestPath(graph, newDep.depends_on_id, newDep.task_id);
  return back === null ? null : [newDep.task_id, ...back];
}

/**
 * Task ids with every upstream before its dependents; ties (tasks with no order between them) go by
 * blueprint order, then id. Throws when the graph has a cycle — call `findCycle` first to report it.
 */
export function topologicalOrder(graph: TaskGraph): string[] {
  const order = byBlueprintOrder(graph);
  // Kahn's algorithm on the reversed edges: a task is ready once everything it depends on is placed.
  const remaining = new Map<string, number>();
  graph.forEachNode((node) => remaining.set(node, graph.outDegree(node)));
  const ready = graph.filterNodes((node) => graph.outDegree(node) === 0).sort(order);
  const result: string[] = [];
  while (ready.length > 0) {
    const node = ready.shift() as string;
    result.push(node);
    const released: string[] = [];
    for (const dependent of graph.inNeighbors(node)) {
      const left = (remaining.get(dependent) ?? 0) - 1;
      remaining.set(dependent, left);
      if (left === 0) released.push(dependent);
    }
    if (released.length > 0) {
      ready.push(...released);
      ready.sort(order);
    }
  }
  if (result.length !== graph.order) {
    const cycle = findCycle(graph) ?? [];
    throw new ConflictError(`the task graph has a cycle: ${cycle.join(' -> ')}`);
  }
  return result;
}
