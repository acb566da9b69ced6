// Dependency cycles, found the same way for blueprint lint (BP-LINT-003) and the task DAG
// (src/project/dag.ts), so a cycle is named with the same start and order wherever it is reported.
import { DirectedGraph } from 'graphology';
import { stronglyConnectedComponents } from 'graphology-components';

// Peels a dependency graph down to the nodes that lie on or between cycles (Kahn's algorithm).
// Usually nothing is left, so lint and sync only build a graphology graph for the rare remainder:
// building one for 10,000 tasks costs more than the whole check.

/**
 * The nodes that remain after repeatedly removing nodes with no outstanding dependency. Empty means
 * the graph is acyclic. `dependsOn(id)` lists a node's upstream ids; ids not in `ids` are ignored.
 */
export function nodesOnCycles(
  ids: Iterable<string>,
  dependsOn: (id: string) => Iterable<string>,
): Set<string> {
  const remaining = new Map<string, number>();
  for (const id of ids) remaining.set(id, 0);
  const dependents = new Map<string, string[]>();
  for (const id of remaining.keys()) {
    let count = 0;
    for (const dep of dependsOn(id)) {
      if (!remaining.has(dep)) continue;
      count++;
      const list = dependents.get(dep);
      if (list === undefined) dependents.set(dep, [id]);
      else list.push(id);
    }
    remaining.set(id, count);
  }
  const ready: string[] = [];
  for (const [id, count] of remaining) if (count === 0) ready.push(id);
  for (let head = 0; head < ready.length; head++) {
    const id = ready[head] as string;
    remaining.delete(id);
    for (const dependent of dependents.get(id) ?? []) {
      const left = (remaining.get(dependent) as number) - 1;
      remaining.set(dependent, left);
      if (left === 0) ready.push(dependent);
    }
  }
  return new Set(remaining.keys());
}

/**
 * Every dependency cycle, one per strongly connected component: the shortest cycle through the
 * component's earliest node, listed in dependency order (each depends on the next) without repeating
 * the first; a self-dependency is `[id]`. `ids` gives the order (earliest first) that picks each
 * cycle's start, breaks ties between neighbours, and sorts the result.
 */
export function findCycles(ids: readonly string[], dependsOn: (id: string) => Iterable<string>): string[][] {
  const rank = new Map(ids.map((id, i) => [id, i] as const));
  const byRank = (a: string, b: string): number => (rank.get(a) as number) - (rank.get(b) as number);
  const cycles: string[][] = [];
  const upstream = (id: string): string[] => [...dependsOn(id)].filter((dep) => dep !== id && rank.has(dep));
  for (const id of ids) if ([...dependsOn(id)].includes(id)) cycles.push([id]);

  // Only what lies on or between cycles goes into the graph for the component search.
  const remaining = nodesOnCycles(ids, upstream);
  if (remaining.size > 0) {
    const graph = new DirectedGraph();
    for (const id of remaining) graph.addNode(id);
    for (const id of remaining) {
      for (const dep of upstream(id)) if (remaining.has(dep)) graph.mergeEdge(id, dep);
    }
    for (const component of stronglyConnectedComponents(graph)) {
      if (component.length < 2) continue;
      const members = new Set(component);
      const start = [...component].sort(byRank)[0] as string;
      cycles.push(shortestCycle(graph, start, members, byRank));
    }
  }
  return cycles.sort((a, b) => byRank(a[0] as string, b[0] as string));
}

/** BFS inside the component from `start` until an edge leads back to it; neighbours in rank order. */
function shortestCycle(
  graph: DirectedGraph,
  start: string,
  members: ReadonlySet<string>,
  byRank: (a: string, b: string) => number,
): string[] {
  const parent = new Map<string, string>();
  const queue = [start];
  let last: string | null = null;
  for (let head = 0; head < queue.length && last === null; head++) {
    const node = queue[head] as string;
    for (const next of graph.outNeighbors(node).sort(byRank)) {
      if (!members.has(next)) continue;
      if (next === start) {
        last = node;
        break;
      }
      if (!parent.has(next)) {
        parent.set(next, node);
        queue.push(next);
      }
    }
  }
  const path: string[] = [];
  for (
    let node: string | undefined = last ?? start;
    node !== undefined && node !== start;
    node = parent.get(node)
  ) {
    path.push(node);
  }
  return [start, ...path.reverse()];
}
