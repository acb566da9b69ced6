// computeFrontier: readiness with every blocker, holds downstream of failed tasks per on_failure, the
// tie-breakers and cap, agreement with a plain reference implementation on generated graphs, and the
// frontier of a stored project read through indexed edges.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateTaskGraph } from '../../bench/generate-tasks.js';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';
import { UsageError } from '../../src/errors.js';
import {
  computeFrontier,
  DEFAULT_TIE_BREAKERS,
  indexDependencies,
  storedProjectFrontier,
  TIE_BREAKERS,
  type FrontierInput,
  type TieBreaker,
} from '../../src/project/frontier.js';
import type { Dependency, Task } from '../../src/project/model.js';
import { evaluateDependency } from '../../src/project/readiness.js';
import { openSqliteStore } from '../../src/project/sqlite/store.js';
import { tempDir } from './helpers.js';
import { dependsOn, makeTask, newTask, shuffled } from './task-factory.js';

const readyIds = (input: FrontierInput): string[] => computeFrontier(input).ready.map((t) => t.blueprint_id);

/** Independent active tasks A..E (blueprint order 1..5) with the given field per task, null = missing. */
function independent<K extends keyof Task>(field: K, values: Task[K][]): Task[] {
  return values.map((value, i) =>
    makeTask({ blueprint_id: `T-${String.fromCharCode(65 + i)}`, blueprint_order: i + 1, [field]: value }),
  );
}

describe('computeFrontier: readiness', () => {
  it('lists active tasks whose dependencies are met as ready, the others as blocked with every blocker', () => {
    const done = makeTask({ blueprint_id: 'BOOK-1', status: 'completed', phase: 'done' });
    const review = makeTask({ blueprint_id: 'BOOK-2', status: 'pending_review', phase: 'done' });
    const ready = makeTask({ blueprint_id: 'BOOK-3' });
    const waiting = makeTask({ blueprint_id: 'BOOK-4' });
    const reviewOk = makeTask({ blueprint_id: 'BOOK-5' });
    const deps = [
      dependsOn(ready, done),
      dependsOn(waiting, review),
      dependsOn(waiting, ready),
      dependsOn(reviewOk, review, 'review_ready_ok'),
    ];
    const frontier = computeFrontier({ tasks: [done, review, ready, waiting, reviewOk], dependencies: deps });
    expect(frontier.ready.map((t) => t.blueprint_id)).toEqual(['BOOK-3', 'BOOK-5']);
    expect(frontier.blocked).toEqual([
      {
        id: waiting.id,
        blueprint_id: 'BOOK-4',
        title: waiting.title,
        blockers: [
          {
            task_id: review.id,
            blueprint_id: 'BOOK-2',
            policy: 'completion_required',
            reason: 'BOOK-2 is pending_review (phase done); needs completed',
            kind: 'dependency',
          },
          {
            task_id: ready.id,
            blueprint_id: 'BOOK-3',
            policy: 'completion_required',
            reason: 'BOOK-3 is active (phase pending); needs completed',
            kind: 'dependency',
          },
        ],
      },
    ]);
    expect(frontier.omitted).toBe(0);
  });

  it('gives the same ready list without explaining the blocked when asked for the ready list only', () => {
    const graph = generateTaskGraph(300, 600, 7);
    const all = computeFrontier({ tasks: graph.tasks, dependencies: graph.dependencies });
    const readyOnly = computeFrontier({
      tasks: graph.tasks,
      dependencies: graph.dependencies,
      explainBlocked: false,
    });
    expect(all.blocked.length).toBeGreaterThan(0);
    expect(all.ready.length).toBeGreaterThan(0);
    expect(readyOnly.ready).toEqual(all.ready);
    expect(readyOnly.blocked).toEqual([]);
  });

  it('leaves tasks that are not active out of both lists', () => {
    const statuses = [
      'pending',
      'running',
      'waiting_input',
      'pending_review',
      'completed',
      'failed',
      'cancelled',
      'archived',
    ] as const;
    const tasks = statuses.map((status, i) =>
      makeTask({ blueprint_id: `S-${i}`, status, phase: status === 'running' ? 'implement' : 'pending' }),
    );
    const frontier = computeFrontier({ tasks, dependencies: [] });
    expect(frontier).toEqual({ ready: [], blocked: [], omitted: 0 });
  });

  it('blocks a dependent of a cancelled task with "blocked by cancelled <id>"', () => {
    const cancelled = makeTask({ blueprint_id: 'BOOK-2', status: 'cancelled' });
    const task = makeTask({ blueprint_id: 'BOOK-3' });
    const frontier = computeFrontier({
      tasks: [cancelled, task],
      dependencies: [dependsOn(task, cancelled)],
    });
    expect(frontier.blocked[0]?.blockers.map((b) => b.reason)).toEqual(['blocked by cancelled BOOK-2']);
  });

  it('blocks a task whose dependency names a task that is not there', () => {
    const task = makeTask({ blueprint_id: 'BOOK-3' });
    const dep: Dependency = { ...dependsOn(task, task), depends_on_id: 'task-gone' };
    const blockers = computeFrontier({ tasks: [task], dependencies: [dep] }).blocked[0]?.blockers;
    expect(blockers).toEqual([
      {
        task_id: 'task-gone',
        blueprint_id: 'task-gone',
        policy: 'completion_required',
        reason: 'BOOK-3 depends on task-gone, which is not a task of this project',
        kind: 'missing',
      },
    ]);
  });

  it('blocks an orphaned active task and a dependent of an orphaned task', () => {
    const orphan = makeTask({ blueprint_id: 'OLD-1', status: 'completed', phase: 'done', orphaned: true });
    const activeOrphan = makeTask({ blueprint_id: 'OLD-2', orphaned: true });
    const task = makeTask({ blueprint_id: 'NEW-1' });
    const frontier = computeFrontier({
      tasks: [orphan, activeOrphan, task],
      dependencies: [dependsOn(task, orphan)],
    });
    expect(frontier.ready).toEqual([]);
    expect(frontier.blocked.map((b) => [b.blueprint_id, b.blockers.map((x) => x.reason)])).toEqual([
      ['OLD-2', ['OLD-2 was removed from the blueprint']],
      ['NEW-1', ['OLD-1 was removed from the blueprint']],
    ]);
  });

  it('asks for artifact keys of artifact_ready upstreams only', () => {
    const api = makeTask({ blueprint_id: 'API-1', status: 'running', phase: 'use' });
    const client = makeTask({ blueprint_id: 'CLI-1' });
    const other = makeTask({ blueprint_id: 'CLI-2' });
    const asked: string[] = [];
    const artifactKeys = (taskId: string): ReadonlySet<string> => {
      asked.push(taskId);
      return new Set(['openapi']);
    };
    const deps = [
      dependsOn(client, api, 'artifact_ready', 'openapi'),
      dependsOn(other, api, 'artifact_ready', 'sdk'),
    ];
    const frontier = computeFrontier({ tasks: [api, client, other], dependencies: deps, artifactKeys });
    expect(frontier.ready.map((t) => t.blueprint_id)).toEqual(['CLI-1']);
    expect(frontier.blocked[0]?.blockers[0]?.reason).toBe('API-1 has not recorded artifact "sdk"');
    expect(new Set(asked)).toEqual(new Set([api.id]));
  });

  it('lists blockers by upstream blueprint order, then unknown ids by id, however many and however given', () => {
    // 40 upstreams (more than a handful, so the long-list sort is used too), listed in reverse order.
    const upstreams = Array.from({ length: 40 }, (_, i) =>
      makeTask({ blueprint_id: `UP-${i + 1}`, blueprint_order: 100 + i }),
    );
    const hub = makeTask({ blueprint_id: 'HUB-1', blueprint_order: 200 });
    const missing = (id: string): Dependency => ({ ...dependsOn(hub, upstreams[0]!), depends_on_id: id });
    const deps = [
      missing('zz-gone'),
      ...upstreams.map((up, i) =>
        dependsOn(hub, up, i % 2 === 0 ? 'completion_required' : 'review_ready_ok'),
      ),
      missing('aa-gone'),
    ].reverse();
    for (const count of [3, 40]) {
      const frontier = computeFrontier({
        tasks: [...upstreams.slice(0, count)].reverse().concat(hub),
        dependencies: deps.filter(
          (d) =>
            d.depends_on_id.endsWith('-gone') ||
            upstreams.slice(0, count).some((u) => u.id === d.depends_on_id),
        ),
      });
      const blockers = frontier.blocked.find((b) => b.blueprint_id === 'HUB-1')?.blockers ?? [];
      expect(blockers.map((b) => b.blueprint_id)).toEqual([
        ...upstreams.slice(0, count).map((u) => u.blueprint_id),
        'aa-gone',
        'zz-gone',
      ]);
      expect(blockers[1]?.reason).toBe('UP-2 is active (phase pending); needs pending_review or completed');
    }
  });
});

describe('computeFrontier: failed upstreams', () => {
  // FAIL-1 failed; BOOK-2 depends on it, BOOK-3 on BOOK-2, BOOK-4 on BOOK-3 (through a completed link is
  // impossible, so BOOK-4 also depends on a done task DONE-1). FREE-1 is unrelated.
  const failed = makeTask({ blueprint_id: 'FAIL-1', status: 'failed', phase: 'blocked', blueprint_order: 1 });
  const b2 = makeTask({ blueprint_id: 'BOOK-2', status: 'pending', blueprint_order: 2 });
  const b3 = makeTask({ blueprint_id: 'BOOK-3', blueprint_order: 3 });
  const direct = makeTask({ blueprint_id: 'BOOK-4', blueprint_order: 4 });
  const free = makeTask({ blueprint_id: 'FREE-1', blueprint_order: 5 });
  const tasks = [failed, b2, b3, direct, free];
  const deps = [dependsOn(b2, failed), dependsOn(b3, b2, 'artifact_ready', 'lib'), dependsOn(direct, failed)];
  // BOOK-3's artifact exists, so only a hold can stop it.
  const artifactKeys = (): ReadonlySet<string> => new Set(['lib']);

  it('holds every task downstream of a failed task, naming the failed root (pause_dependents, default)', () => {
    const frontier = computeFrontier({ tasks, dependencies: deps, artifactKeys });
    expect(frontier.ready.map((t) => t.blueprint_id)).toEqual(['FREE-1']);
    const byId = Object.fromEntries(frontier.blocked.map((b) => [b.blueprint_id, b.blockers]));
    expect(byId['BOOK-3']).toEqual([
      {
        task_id: failed.id,
        blueprint_id: 'FAIL-1',
        policy: null,
        reason: 'held: upstream FAIL-1 failed',
        kind: 'held',
      },
    ]);
    // The direct dependent is blocked by its own dependency, which already names the failed task.
    expect(byId['BOOK-4']?.map((b) => b.reason)).toEqual(['FAIL-1 failed']);
  });

  it('names the failed root several levels up', () => {
    const chain = Array.from({ length: 6 }, (_, i) =>
      makeTask({ blueprint_id: `C-${i}`, blueprint_order: 10 + i, status: i === 0 ? 'failed' : 'active' }),
    );
    const chainDeps = chain.slice(1).map((t, i) => dependsOn(t, chain[i] as Task, 'artifact_ready', 'x'));
    const frontier = computeFrontier({
      tasks: chain,
      dependencies: chainDeps,
      artifactKeys: () => new Set(['x']),
    });
    expect(frontier.ready).toEqual([]);
    expect(frontier.blocked.map((b) => b.blockers.map((x) => x.reason))).toEqual([
      ['C-0 failed'],
      ['held: upstream C-0 failed'],
      ['held: upstream C-0 failed'],
      ['held: upstream C-0 failed'],
      ['held: upstream C-0 failed'],
    ]);
  });

  it('does not hold with on_failure continue', () => {
    const frontier = computeFrontier({ tasks, dependencies: deps, artifactKeys, onFailure: 'continue' });
    expect(frontier.ready.map((t) => t.blueprint_id)).toEqual(['BOOK-3', 'FREE-1']);
    expect(frontier.blocked.map((b) => b.blueprint_id)).toEqual(['BOOK-4']);
  });

  it('holds everything with on_failure stop', () => {
    const frontier = computeFrontier({ tasks, dependencies: deps, artifactKeys, onFailure: 'stop' });
    expect(frontier.ready).toEqual([]);
    const free1 = frontier.blocked.find((b) => b.blueprint_id === 'FREE-1');
    expect(free1?.blockers.map((b) => b.reason)).toEqual([
      'held: FAIL-1 failed and scheduler.on_failure is stop',
    ]);
  });

  it('names the earliest failed root when two reach the same task', () => {
    const f1 = makeTask({ blueprint_id: 'F-1', status: 'failed', phase: 'blocked', blueprint_order: 1 });
    const f2 = makeTask({ blueprint_id: 'F-2', status: 'failed', phase: 'blocked', blueprint_order: 2 });
    const mid = makeTask({ blueprint_id: 'M-1', status: 'pending', blueprint_order: 3 });
    const leaf = makeTask({ blueprint_id: 'L-1', blueprint_order: 4 });
    const d = [dependsOn(mid, f2), dependsOn(mid, f1), dependsOn(leaf, mid, 'artifact_ready', 'k')];
    for (const seed of [1, 2, 3, 4]) {
      const frontier = computeFrontier({
        tasks: shuffled([f1, f2, mid, leaf], seed),
        dependencies: shuffled(d, seed),
        artifactKeys: () => new Set(['k']),
      });
      expect(frontier.blocked[0]?.blockers.map((b) => b.reason)).toEqual(['held: upstream F-1 failed']);
    }
  });
});

describe('computeFrontier: ordering', () => {
  const only = (tieBreakers: TieBreaker[], tasks: Task[]): string[] =>
    readyIds({ tasks, dependencies: [], tieBreakers });

  it('exports the tie-breaker names and the default of DESIGN §2', () => {
    expect(TIE_BREAKERS).toEqual([
      'priority_desc',
      'due_date_asc',
      'sequence',
      'effort_asc',
      'value_desc',
      'risk_asc',
      'created_at_asc',
    ]);
    expect(DEFAULT_TIE_BREAKERS).toEqual(['priority_desc', 'due_date_asc', 'sequence', 'created_at_asc']);
  });

  it('priority_desc: critical > high > medium > low > none', () => {
    const tasks = independent('priority', [null, 'low', 'critical', 'medium', 'high']);
    expect(only(['priority_desc'], tasks)).toEqual(['T-C', 'T-E', 'T-D', 'T-B', 'T-A']);
  });

  it('due_date_asc: earliest first, missing last', () => {
    const tasks = independent('due', [null, '2025-03-01', '2024-12-31', null, '2025-01-15']);
    expect(only(['due_date_asc'], tasks)).toEqual(['T-C', 'T-E', 'T-B', 'T-A', 'T-D']);
  });

  it('sequence: alpha < beta < rc < ga, missing last', () => {
    const tasks = independent('sequence', ['ga', null, 'rc', 'alpha', 'beta']);
    expect(only(['sequence'], tasks)).toEqual(['T-D', 'T-E', 'T-C', 'T-A', 'T-B']);
  });

  it('effort_asc: smallest first, missing last', () => {
    const tasks = independent('effort', [5, null, 1, 3, 0]);
    expect(only(['effort_asc'], tasks)).toEqual(['T-E', 'T-C', 'T-D', 'T-A', 'T-B']);
  });

  it('value_desc: largest first, missing last', () => {
    const tasks = independent('value', [5, null, 8, 1, 0]);
    expect(only(['value_desc'], tasks)).toEqual(['T-C', 'T-A', 'T-D', 'T-E', 'T-B']);
  });

  it('risk_asc: smallest first, missing last', () => {
    const tasks = independent('risk', [null, 9, 2, 2, 4]);
    expect(only(['risk_asc'], tasks)).toEqual(['T-C', 'T-D', 'T-E', 'T-B', 'T-A']);
  });

  it('created_at_asc: oldest first', () => {
    const tasks = independent('created_at', [
      '2025-02-01T00:00:00.000Z',
      '2025-01-01T00:00:00.000Z',
      '2025-03-01T00:00:00.000Z',
      '2024-12-01T00:00:00.000Z',
      '2025-01-01T00:00:00.000Z',
    ]);
    expect(only(['created_at_asc'], tasks)).toEqual(['T-D', 'T-B', 'T-E', 'T-A', 'T-C']);
  });

  it('applies tie-breakers in the configured order, then blueprint order, then id', () => {
    const mk = (id: string, order: number, priority: Task['priority'], due: string | null): Task =>
      makeTask({ blueprint_id: id, blueprint_order: order, priority, due });
    const tasks = [
      mk('A', 4, 'high', '2025-05-01'),
      mk('B', 3, 'low', '2025-01-01'),
      mk('C', 2, 'high', '2025-02-01'),
      mk('D', 1, 'high', '2025-02-01'),
      { ...mk('E', 1, 'high', '2025-02-01'), id: 'task-aaa' },
    ];
    expect(only(['priority_desc', 'due_date_asc'], tasks)).toEqual(['E', 'D', 'C', 'A', 'B']);
    expect(only(['due_date_asc', 'priority_desc'], tasks)).toEqual(['B', 'E', 'D', 'C', 'A']);
    expect(only([], tasks)).toEqual(['E', 'D', 'C', 'B', 'A']);
  });

  it('shows the values used in sort_key, in the order used', () => {
    const task = makeTask({
      blueprint_id: 'K-1',
      blueprint_order: 7,
      priority: 'high',
      due: null,
      sequence: 'rc',
    });
    const frontier = computeFrontier({ tasks: [task], dependencies: [] });
    expect(frontier.ready[0]).toEqual({
      id: task.id,
      blueprint_id: 'K-1',
      title: task.title,
      priority: 'high',
      sort_key: ['high', null, 'rc', task.created_at, 7, task.id],
    });
    const custom = computeFrontier({
      tasks: [task],
      dependencies: [],
      tieBreakers: ['risk_asc', 'priority_desc'],
    });
    expect(custom.ready[0]?.sort_key).toEqual([null, 'high', 7, task.id]);
  });

  it('gives the same result for shuffled input', () => {
    const { tasks, dependencies } = generateTaskGraph(400, 1200, 3);
    const artifactKeys = (id: string): ReadonlySet<string> => new Set(id.endsWith('1') ? ['build'] : []);
    const expected = computeFrontier({ tasks, dependencies, artifactKeys });
    expect(expected.ready.length).toBeGreaterThan(5);
    expect(expected.blocked.length).toBeGreaterThan(5);
    for (const seed of [11, 12, 13]) {
      const again = computeFrontier({
        tasks: shuffled(tasks, seed),
        dependencies: shuffled(dependencies, seed),
        artifactKeys,
      });
      expect(again).toEqual(expected);
    }
  });

  it('caps ready at maxFrontier and counts the rest', () => {
    const tasks = independent('priority', ['low', 'high', 'medium', null, 'critical']);
    const frontier = computeFrontier({ tasks, dependencies: [], maxFrontier: 2 });
    expect(frontier.ready.map((t) => t.blueprint_id)).toEqual(['T-E', 'T-B']);
    expect(frontier.omitted).toBe(3);
    expect(computeFrontier({ tasks, dependencies: [], maxFrontier: 0 }).ready).toEqual([]);
  });

  it('rejects an unknown tie-breaker and a bad cap', () => {
    const bad = ['priority_desc', 'size_asc'] as unknown as TieBreaker[];
    expect(() => computeFrontier({ tasks: [], dependencies: [], tieBreakers: bad })).toThrow(UsageError);
    expect(() => computeFrontier({ tasks: [], dependencies: [], tieBreakers: bad })).toThrow('"size_asc"');
    expect(() => computeFrontier({ tasks: [], dependencies: [], maxFrontier: -1 })).toThrow(UsageError);
  });
});

describe('computeFrontier agrees with a plain reference implementation', () => {
  /** Straightforward readiness: per task, evaluate every dependency and search all ancestors for failures. */
  function reference(
    tasks: Task[],
    deps: Dependency[],
    keys: (id: string) => ReadonlySet<string>,
  ): Set<string> {
    const byId = new Map(tasks.map((t) => [t.id, t]));
    const upstreamOf = (id: string): Dependency[] => deps.filter((d) => d.task_id === id);
    const hasFailedAncestor = (id: string, seen = new Set<string>()): boolean =>
      upstreamOf(id).some((d) => {
        if (seen.has(d.depends_on_id)) return false;
        seen.add(d.depends_on_id);
        const up = byId.get(d.depends_on_id);
        return up?.status === 'failed' || hasFailedAncestor(d.depends_on_id, seen);
      });
    const ready = new Set<string>();
    for (const task of tasks) {
      if (task.status !== 'active' || task.orphaned) continue;
      const blocked = upstreamOf(task.id).some((d) => {
        const up = byId.get(d.depends_on_id);
        return up === undefined || evaluateDependency(up, d, keys(up.id)) !== null;
      });
      if (!blocked && !hasFailedAncestor(task.id)) ready.add(task.id);
    }
    return ready;
  }

  it('on generated graphs', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { tasks, dependencies } = generateTaskGraph(300, 700, seed);
      const keys = (id: string): ReadonlySet<string> => new Set(id.length % 2 === 0 ? ['build'] : []);
      const frontier = computeFrontier({ tasks, dependencies, artifactKeys: keys });
      expect(new Set(frontier.ready.map((t) => t.id))).toEqual(reference(tasks, dependencies, keys));
      const active = tasks.filter((t) => t.status === 'active').length;
      expect(frontier.ready.length + frontier.blocked.length).toBe(active);
    }
  });
});

describe('the frontier of a stored project (indexed edges from the store)', () => {
  it('is the frontier of its listed tasks and dependencies, a dependency on another project missing', async () => {
    const dir = tempDir('penguin-frontier-');
    const store = openSqliteStore(join(dir.dir, '.penguin', 'penguin.db'));
    try {
      const { tasks, dependencies } = generateTaskGraph(300, 700, 3);
      tasks[4] = { ...tasks[4]!, status: 'failed', phase: 'blocked' };
      tasks[9] = { ...tasks[9]!, orphaned: true };
      const dependent = tasks.findLast((t) => t.status === 'active')!;
      const { a, other } = await store.transaction(async (tx) => {
        const a = await tx.projects.upsert({ key: 'A', title: null, blueprint_file: null });
        const b = await tx.projects.upsert({ key: 'B', title: null, blueprint_file: null });
        const other = await tx.tasks.create(newTask(b.id, 'B-1'));
        for (const task of tasks) {
          const {
            created_at: _c,
            updated_at: _u,
            overrides: _o,
            review_note: _n,
            reviewed_at: _r,
            ...fields
          } = task;
          await tx.tasks.create({ ...fields, project_id: a.id });
        }
        for (const dep of dependencies) await tx.dependencies.add(dep);
        await tx.dependencies.add({ ...dependsOn(dependent, tasks[0]!), depends_on_id: other.id });
        return { a, other };
      });
      const keys = (id: string): ReadonlySet<string> => new Set(id.length % 2 === 0 ? ['build'] : []);
      const scheduler = { ...DEFAULT_CONFIG.scheduler, max_frontier: 1000 };

      const stored = await storedProjectFrontier(store, scheduler, 'A', async (id) => keys(id));
      const listed = computeFrontier({
        tasks: await store.tasks.listFrontierTasks(a.id),
        dependencies: await store.dependencies.list({ projectId: a.id }),
        artifactKeys: keys,
        maxFrontier: scheduler.max_frontier,
      });
      expect(stored).toEqual({ project: 'A', ...listed });
      expect(stored.ready.length).toBeGreaterThan(0);
      const last = stored.blocked.find((t) => t.id === dependent.id);
      expect(last?.blockers).toContainEqual(
        expect.objectContaining({ kind: 'missing', task_id: other.id, policy: 'completion_required' }),
      );
      expect(stored.blocked.some((t) => t.blockers.some((x) => x.kind === 'held'))).toBe(true);
      expect(stored.blocked.some((t) => t.blockers.some((x) => x.policy === 'artifact_ready'))).toBe(true);
    } finally {
      await store.close();
      dir.cleanup();
    }
  });

  it('indexes dependencies by id into task positions, an unknown id as -1', () => {
    const [x, y] = [makeTask({ blueprint_id: 'X-1' }), makeTask({ blueprint_id: 'X-2' })];
    const edges = indexDependencies(
      [x, y],
      [dependsOn(y, x, 'artifact_ready', 'schema'), { ...dependsOn(x, y), depends_on_id: 'nowhere' }],
    );
    expect([...edges.dependent]).toEqual([1, 0]);
    expect([...edges.upstream]).toEqual([0, -1]);
    expect([...edges.policy]).toEqual([2, 0]);
    expect(edges.artifactKeys).toEqual(new Map([[0, 'schema']]));
    expect(edges.missingIds).toEqual(new Map([[1, 'nowhere']]));
  });
});

describe('generateTaskGraph', () => {
  it('is acyclic, has the requested size and is reproducible', () => {
    const a = generateTaskGraph(200, 500, 9);
    expect(a.tasks).toHaveLength(200);
    expect(a.dependencies).toHaveLength(500);
    const position = new Map(a.tasks.map((t, i) => [t.id, i]));
    for (const dep of a.dependencies) {
      expect(position.get(dep.depends_on_id)!).toBeLessThan(position.get(dep.task_id)!);
    }
    expect(new Set(a.dependencies.map((d) => `${d.task_id}>${d.depends_on_id}`)).size).toBe(500);
    expect(generateTaskGraph(200, 500, 9)).toEqual(a);
    expect(generateTaskGraph(200, 500, 10)).not.toEqual(a);
  });
});
