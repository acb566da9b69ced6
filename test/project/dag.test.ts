// The task DAG: graph building, cycles in dependency order from the earliest task (property tests check
// each is a real cycle), the cycle a new edge would close, and topological order, ties by blueprint order.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../src/errors.js';
import {
  buildTaskGraph,
  findCycle,
  findDependencyCycle,
  topologicalOrder,
  wouldCreateCycle,
} from '../../src/project/dag.js';
import type { Dependency, Task } from '../../src/project/model.js';
import { dependsOn, makeTask, shuffled } from './task-factory.js';

/** BOOK-1..BOOK-n in blueprint order 1..n. */
function book(n: number): Task[] {
  return Array.from({ length: n }, (_, i) =>
    makeTask({ blueprint_id: `BOOK-${i + 1}`, blueprint_order: i + 1 }),
  );
}

const blueprintIds = (tasks: Task[], ids: string[] | null): string[] | null =>
  ids === null ? null : ids.map((id) => tasks.find((t) => t.id === id)?.blueprint_id ?? id);

describe('buildTaskGraph', () => {
  it('has a node per task and an edge from each dependent to its upstream', () => {
    const [a, b, c] = book(3) as [Task, Task, Task];
    const graph = buildTaskGraph([a, b, c], [dependsOn(b, a), dependsOn(c, b, 'artifact_ready', 'api')]);
    expect(graph.order).toBe(3);
    expect(graph.size).toBe(2);
    expect(graph.getNodeAttribute(a.id, 'blueprint_id')).toBe('BOOK-1');
    expect(graph.hasDirectedEdge(b.id, a.id)).toBe(true);
    expect(graph.hasDirectedEdge(a.id, b.id)).toBe(false);
    expect(graph.getDirectedEdgeAttributes(c.id, b.id)).toEqual({
      policy: 'artifact_ready',
      artifact_key: 'api',
    });
  });

  it('leaves out dependencies on tasks it was not given', () => {
    const [a] = book(1) as [Task];
    const ghost = makeTask({ blueprint_id: 'GHOST-1' });
    const graph = buildTaskGraph([a], [dependsOn(a, ghost)]);
    expect(graph.order).toBe(1);
    expect(graph.size).toBe(0);
  });
});

describe('findCycle', () => {
  it('returns null for a DAG', () => {
    const [a, b, c] = book(3) as [Task, Task, Task];
    expect(
      findCycle(buildTaskGraph([a, b, c], [dependsOn(b, a), dependsOn(c, a), dependsOn(c, b)])),
    ).toBeNull();
  });

  it('returns the cycle in dependency order, starting and ending at its earliest task', () => {
    const tasks = book(4);
    const [b1, b2, b3, b4] = tasks as [Task, Task, Task, Task];
    // BOOK-1 -> BOOK-3 -> BOOK-2 -> BOOK-1, and BOOK-4 hangs off the cycle.
    const deps = [dependsOn(b1, b3), dependsOn(b3, b2), dependsOn(b2, b1), dependsOn(b4, b1)];
    for (const seed of [1, 2, 3]) {
      const cycle = findCycle(buildTaskGraph(shuffled(tasks, seed), shuffled(deps, seed)));
      expect(blueprintIds(tasks, cycle)).toEqual(['BOOK-1', 'BOOK-3', 'BOOK-2', 'BOOK-1']);
    }
  });

  it('reports a self-dependency as a one-task cycle', () => {
    const [a, b] = book(2) as [Task, Task];
    const cycle = findCycle(buildTaskGraph([a, b], [dependsOn(b, a), dependsOn(b, b)]));
    expect(blueprintIds([a, b], cycle)).toEqual(['BOOK-2', 'BOOK-2']);
  });

  it('picks the cycle of the earliest task when there are several', () => {
    const tasks = book(5);
    const [b1, b2, b3, b4, b5] = tasks as [Task, Task, Task, Task, Task];
    const deps = [
      dependsOn(b4, b5),
      dependsOn(b5, b4),
      dependsOn(b2, b3),
      dependsOn(b3, b2),
      dependsOn(b1, b2),
    ];
    expect(blueprintIds(tasks, findCycle(buildTaskGraph(tasks, deps)))).toEqual([
      'BOOK-2',
      'BOOK-3',
      'BOOK-2',
    ]);
  });

  it('always returns a real cycle of the graph (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 12 }),
        fc.array(fc.tuple(fc.nat(11), fc.nat(11)), { maxLength: 40 }),
        (n, pairs) => {
          const tasks = book(n);
          const deps: Dependency[] = pairs
            .filter(([x, y]) => x < n && y < n)
            .map(([x, y]) => dependsOn(tasks[x] as Task, tasks[y] as Task));
          const graph = buildTaskGraph(tasks, deps);
          const cycle = findCycle(graph);
          if (cycle === null) {
            // Acyclic: a topological order exists and respects every edge.
            const order = topologicalOrder(graph);
            const position = new Map(order.map((id, i) => [id, i]));
            for (const dep of deps) {
              expect(position.get(dep.depends_on_id)!).toBeLessThan(position.get(dep.task_id)!);
            }
            return;
          }
          expect(cycle[0]).toBe(cycle[cycle.length - 1]);
          for (let i = 0; i + 1 < cycle.length; i++) {
            expect(graph.hasDirectedEdge(cycle[i]!, cycle[i + 1]!)).toBe(true);
          }
          expect(new Set(cycle.slice(0, -1)).size).toBe(cycle.length - 1);
        },
      ),
      { seed: 7, numRuns: 200 },
    );
  });
});

describe('findDependencyCycle', () => {
  it('gives the same answer as findCycle over the whole graph (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 12 }),
        fc.array(fc.tuple(fc.nat(11), fc.nat(11)), { maxLength: 40 }),
        (n, pairs) => {
          const tasks = book(n);
          const deps: Dependency[] = pairs
            .filter(([x, y]) => x < n && y < n && x !== y)
            .map(([x, y]) => dependsOn(tasks[x] as Task, tasks[y] as Task));
          expect(findDependencyCycle(tasks, deps)).toEqual(findCycle(buildTaskGraph(tasks, deps)));
        },
      ),
      { seed: 11, numRuns: 300 },
    );
  });

  it('finds no cycle in a chain, and names the one a back edge closes', () => {
    const tasks = book(6);
    // BOOK-n depends on BOOK-(n-1).
    const chain = tasks.slice(1).map((t, i) => dependsOn(t, tasks[i] as Task));
    expect(findDependencyCycle(tasks, chain)).toBeNull();
    const [, b2, b3, b4, b5] = tasks as [Task, Task, Task, Task, Task, Task];
    expect(findDependencyCycle(tasks, [...chain, dependsOn(b2, b5)])).toEqual([
      b2.id,
      b5.id,
      b4.id,
      b3.id,
      b2.id,
    ]);
  });
});

describe('wouldCreateCycle', () => {
  const tasks = book(3);
  const [b1, b2, b3] = tasks as [Task, Task, Task];
  const deps = [dependsOn(b3, b2), dependsOn(b2, b1)];

  it('returns the cycle the new edge would close, starting with the new edge', () => {
    const cycle = wouldCreateCycle(tasks, deps, { task_id: b1.id, depends_on_id: b3.id });
    expect(blueprintIds(tasks, cycle)).toEqual(['BOOK-1', 'BOOK-3', 'BOOK-2', 'BOOK-1']);
  });

  it('returns null for an edge that keeps the graph acyclic', () => {
    expect(wouldCreateCycle(tasks, deps, { task_id: b3.id, depends_on_id: b1.id })).toBeNull();
  });

  it('treats a self-dependency as a cycle', () => {
    expect(wouldCreateCycle(tasks, deps, { task_id: b2.id, depends_on_id: b2.id })).toEqual([b2.id, b2.id]);
  });
});

describe('topologicalOrder', () => {
  it('puts upstreams first and breaks ties by blueprint order', () => {
    const tasks = book(4);
    const [b1, , , b4] = tasks as [Task, Task, Task, Task];
    // BOOK-1 needs BOOK-4; BOOK-2 and BOOK-3 are free.
    const order = topologicalOrder(buildTaskGraph(shuffled(tasks, 5), [dependsOn(b1, b4)]));
    expect(blueprintIds(tasks, order)).toEqual(['BOOK-2', 'BOOK-3', 'BOOK-4', 'BOOK-1']);
  });

  it('throws a ConflictError naming the cycle', () => {
    const tasks = book(2);
    const [b1, b2] = tasks as [Task, Task];
    const graph = buildTaskGraph(tasks, [dependsOn(b1, b2), dependsOn(b2, b1)]);
    expect(() => topologicalOrder(graph)).toThrow(ConflictError);
    expect(() => topologicalOrder(graph)).toThrow(`${b1.id} -> ${b2.id} -> ${b1.id}`);
  });
});
