// IncrementalFrontier: after any sequence of task moves (and artifacts appearing or going), its ready
// list is the one computeFrontier gives for the whole graph, under every tie-breaker, failure policy
// and cap (a property test over generated graphs); and a move re-judges only the task and its direct
// dependents, the whole graph only when the holds can change.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TASK_STATUSES, type TaskStatus } from '../../src/contracts/task.js';
import {
  computeFrontier,
  indexDependencies,
  ON_FAILURE_POLICIES,
  TIE_BREAKERS,
} from '../../src/project/frontier.js';
import { IncrementalFrontier } from '../../src/project/incremental-frontier.js';
import type { Dependency, Task } from '../../src/project/model.js';
import { DEPENDENCY_POLICIES } from '../../src/contracts/blueprint.js';
import { makeTask } from './task-factory.js';

const PRIORITIES = ['critical', 'high', 'medium', 'low', null] as const;

const graphArb = fc.integer({ min: 1, max: 12 }).chain((n) =>
  fc.record({
    tasks: fc.array(
      fc.record({
        status: fc.constantFrom<TaskStatus>(...TASK_STATUSES),
        orphaned: fc.boolean(),
        priority: fc.constantFrom(...PRIORITIES),
        order: fc.integer({ min: 0, max: 5 }),
      }),
      { minLength: n, maxLength: n },
    ),
    edges: fc.array(
      fc.record({
        from: fc.integer({ min: 0, max: n - 1 }),
        // n: an id that is no task of the graph.
        to: fc.integer({ min: 0, max: n }),
        policy: fc.constantFrom(...DEPENDENCY_POLICIES),
        key: fc.constantFrom('schema', 'build'),
      }),
      { maxLength: 3 * n },
    ),
    moves: fc.array(
      fc.record({
        task: fc.integer({ min: 0, max: n - 1 }),
        // null: only the task's artifacts change (on disk: the store hears nothing).
        status: fc.option(fc.constantFrom<TaskStatus>(...TASK_STATUSES), { nil: null, freq: 3 }),
        artifacts: fc.subarray(['schema', 'build']),
      }),
      { maxLength: 8 },
    ),
    rules: fc.record({
      tieBreakers: fc.subarray([...TIE_BREAKERS]),
      onFailure: fc.constantFrom(...ON_FAILURE_POLICIES),
      maxFrontier: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
    }),
  }),
);

describe('IncrementalFrontier', () => {
  it('agrees with the whole computation after every move, under every rule', () => {
    fc.assert(
      fc.property(graphArb, ({ tasks: specs, edges, moves, rules }) => {
        let tasks: Task[] = specs.map((s, i) =>
          makeTask({
            blueprint_id: `T-${i}`,
            blueprint_order: s.order,
            status: s.status,
            orphaned: s.orphaned,
            priority: s.priority,
          }),
        );
        // The store hands tasks over in blueprint order.
        tasks.sort((a, b) => a.blueprint_order - b.blueprint_order || (a.id < b.id ? -1 : 1));
        const byName = new Map(tasks.map((t) => [t.blueprint_id, t.id]));
        const idOf = (k: number): string => (k === specs.length ? 'not-a-task' : byName.get(`T-${k}`)!);
        const deps: Dependency[] = edges
          .filter((e) => e.from !== e.to)
          .map((e) => ({
            task_id: idOf(e.from),
            depends_on_id: idOf(e.to),
            policy: e.policy,
            artifact_key: e.policy === 'artifact_ready' ? e.key : null,
            source: 'blueprint',
          }));
        const artifacts = new Map<string, ReadonlySet<string>>();
        const keys = (id: string): ReadonlySet<string> => artifacts.get(id) ?? new Set();
        const incremental = new IncrementalFrontier({ tasks, edges: indexDependencies(tasks, deps) }, rules);
        const expected = (): unknown => {
          const whole = computeFrontier({ tasks, dependencies: deps, artifactKeys: keys, ...rules });
          return { ready: whole.ready, blocked: whole.blocked.length, omitted: whole.omitted };
        };
        expect(incremental.ready(keys)).toEqual(expected());
        for (const move of moves) {
          const id = idOf(move.task);
          artifacts.set(id, new Set(move.artifacts));
          if (move.status !== null) {
            const status = move.status;
            tasks = tasks.map((t) => (t.id === id ? { ...t, status } : t));
            incremental.apply(tasks.filter((t) => t.id === id));
          }
          expect(incremental.ready(keys)).toEqual(expected());
        }
        expect(incremental.explain(keys)).toEqual(
          computeFrontier({ tasks, dependencies: deps, artifactKeys: keys, ...rules }),
        );
      }),
      { numRuns: 1500 },
    );
  });

  it('judges again only a moved task and its direct dependents, the whole graph when holds may change', () => {
    // A chain T-0 <- T-1 <- ... <- T-999, and T-500 also feeding a side task.
    const tasks = Array.from({ length: 1000 }, (_, i) =>
      makeTask({ blueprint_id: `T-${i}`, blueprint_order: i }),
    );
    const deps: Dependency[] = tasks.slice(1).map((t, i) => ({
      task_id: t.id,
      depends_on_id: tasks[i]!.id,
      policy: 'completion_required',
      artifact_key: null,
      source: 'blueprint',
    }));
    const incremental = new IncrementalFrontier(
      { tasks, edges: indexDependencies(tasks, deps) },
      { onFailure: 'pause_dependents' },
    );
    expect(incremental.ready().ready.map((t) => t.blueprint_id)).toEqual(['T-0']);
    expect(incremental.lastJudged).toBe(1000);
    incremental.apply([{ ...tasks[0]!, status: 'completed', phase: 'done' }]);
    expect(incremental.ready().ready.map((t) => t.blueprint_id)).toEqual(['T-1']);
    expect(incremental.lastJudged).toBe(2);
    // Nothing moved: nothing judged.
    incremental.ready();
    expect(incremental.lastJudged).toBe(0);
    // A failure holds everything downstream: worked out whole.
    incremental.apply([{ ...tasks[1]!, status: 'failed', phase: 'blocked' }]);
    expect(incremental.ready()).toEqual({ ready: [], blocked: 998, omitted: 0 });
    expect(incremental.lastJudged).toBe(1000);
  });
});
