// The Store contract (contracts/store): what every storage implementation must do, parametrised by
// a harness that opens one, so the SQLite store runs it today and a PostgreSQL store can run it
// unchanged later. It talks only to the Store interfaces (and to the EventLog and task resolution,
// which are written against them); real processes write concurrently in the last part.
import { resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunState } from '../../src/contracts/run-state.js';
import type { NewArtifactRecord, Store, StoreTx } from '../../src/contracts/store/index.js';
import { ConflictError, NotFoundError, UsageError } from '../../src/errors.js';
import { EventLog } from '../../src/events/log.js';
import type { PenguinEvent } from '../../src/events/types.js';
import { runCommand } from '../../src/ituv/process.js';
import type { Project, Task } from '../../src/project/model.js';
import { resolveProject, resolveTask } from '../../src/project/resolve.js';
import type { NewTask } from '../../src/project/store.js';
import { newTask as newProjectTask } from './task-factory.js';

export interface StoreHarness {
  /** A fresh, empty store. */
  store: Store;
  /** Another store on the same database, as a second process would open it. */
  openAnother(): Promise<Store>;
  /** The arguments test/fixtures/project/concurrent-writer.ts opens this database with. */
  writerArgs: string[];
  cleanup(): Promise<void>;
}

export type MakeStore = () => Promise<StoreHarness>;

/** A new task whose content hash is 'h' unless `overrides` sets one. */
function newTask(projectId: string, blueprintId: string, overrides: Partial<NewTask> = {}): NewTask {
  return newProjectTask(projectId, blueprintId, { content_hash: 'h', ...overrides });
}

const write = <T>(store: Store, fn: (tx: StoreTx) => Promise<T>): Promise<T> => store.transaction(fn);

function project(store: Store, key: string): Promise<Project> {
  return write(store, (tx) => tx.projects.upsert({ key, title: null, blueprint_file: null }));
}

function create(store: Store, task: NewTask, reason?: string): Promise<Task> {
  return write(store, (tx) => tx.tasks.create(task, reason));
}

/** A run's initial state, as the machine starts one. */
function runState(id: string, taskId: string, overrides: Partial<RunState> = {}): RunState {
  return {
    id,
    task_id: taskId,
    project_id: 'p-1',
    blueprint_id: `B-${taskId}`,
    origin: 'test',
    state: 'pending',
    phase: 'implement',
    iteration: 1,
    iteration_base: 0,
    attempt: 1,
    attempt_state: 'fresh',
    progress: 0,
    waiting_reason: null,
    question: null,
    last_failure: null,
    feedback: [],
    resumed: false,
    pause_requested: false,
    pause_after_phase: false,
    cancel_requested: false,
    not_before: null,
    reverifications: 0,
    finished_at: null,
    ...overrides,
  };
}

function artifactRow(overrides: Partial<NewArtifactRecord> = {}): NewArtifactRecord {
  return {
    task_id: 't-1',
    workflow_id: 'wf-1',
    phase: 'test',
    name: 'junit.xml',
    kind: 'junit',
    key: null,
    path: 't-1/wf-1/test/junit.xml',
    size: 3,
    sha256: 'abc',
    ...overrides,
  };
}

const tick = (ms = 5): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function describeStoreContract(name: string, make: MakeStore): void {
  describe(`store contract: ${name}`, () => {
    let harness: StoreHarness;
    let store: Store;
    const others: Store[] = [];

    async function another(): Promise<Store> {
      const other = await harness.openAnother();
      others.push(other);
      return other;
    }

    beforeEach(async () => {
      harness = await make();
      store = harness.store;
    });

    afterEach(async () => {
      for (const other of others.splice(0)) await other.close();
      await harness.cleanup();
    });

    describe('projects', () => {
      it('upserts a project without rewriting an unchanged one', async () => {
        const first = await write(store, (tx) =>
          tx.projects.upsert({ key: 'BOOK', title: 'A', blueprint_file: null }),
        );
        const same = await write(store, (tx) =>
          tx.projects.upsert({ key: 'BOOK', title: 'A', blueprint_file: null }),
        );
        expect(same).toEqual(first);
        const renamed = await write(store, (tx) =>
          tx.projects.upsert({ key: 'BOOK', title: 'B', blueprint_file: 'x.md' }),
        );
        expect(renamed.id).toBe(first.id);
        expect(await store.projects.get(first.id)).toMatchObject({ title: 'B', blueprint_file: 'x.md' });
        expect(await store.projects.getByKey('BOOK')).toEqual(renamed);
        expect(await store.projects.getByKey('NOPE')).toBeNull();
        await project(store, 'ALPHA');
        expect((await store.projects.list()).map((p) => p.key)).toEqual(['ALPHA', 'BOOK']);
      });
    });

    describe('tasks', () => {
      it('round-trips every task field', async () => {
        const p = await write(store, (tx) =>
          tx.projects.upsert({ key: 'BOOK', title: 'Bookmarks', blueprint_file: 'specs/book.md' }),
        );
        const created = await create(
          store,
          newTask(p.id, 'BOOK-1', {
            parent_id: 'BOOK-0',
            description: 'desc',
            acceptance_criteria: ['a', 'b'],
            recipe: 'health',
            tests: ['test/a.test.ts'],
            priority: 'high',
            labels: ['api', 'x'],
            assignees: ['@al'],
            required_tools: ['git'],
            skills: ['ts'],
            due: '2026-12-01',
            sequence: 'beta',
            estimate: 3,
            effort: 2,
            value: 5,
            risk: 1,
            agent_role: 'qa',
            parallelizable: false,
            batch: 'b1',
            blueprint_order: 7,
            source_file: 'specs/book.md',
            source_line: 42,
          }),
        );
        expect(created.id).toMatch(/^t-/);
        expect(await store.tasks.get(created.id)).toEqual(created);
        expect(await store.tasks.getByBlueprintId(p.id, 'BOOK-1')).toEqual(created);
        expect(await store.tasks.get('t-missing')).toBeNull();
        expect(created).toMatchObject({
          stale: false,
          orphaned: false,
          overrides: [],
          parallelizable: false,
        });
      });

      it('lists tasks by project and status, leaving orphaned ones out unless asked', async () => {
        const a = await project(store, 'A');
        const b = await project(store, 'B');
        await create(store, newTask(a.id, 'A-1', { blueprint_order: 1 }));
        await create(store, newTask(a.id, 'A-2', { blueprint_order: 0, status: 'completed', phase: 'done' }));
        await create(store, newTask(a.id, 'A-3', { blueprint_order: 2, orphaned: true }));
        await create(store, newTask(b.id, 'B-1'));
        const ids = async (filter: Parameters<Store['tasks']['list']>[0]): Promise<string[]> =>
          (await store.tasks.list(filter)).map((t) => t.blueprint_id);
        expect(await ids({ projectId: a.id })).toEqual(['A-2', 'A-1']);
        expect(await ids({ projectId: a.id, includeOrphaned: true })).toEqual(['A-2', 'A-1', 'A-3']);
        expect(await ids({ status: 'completed' })).toEqual(['A-2']);
        expect(await store.tasks.list({ status: ['active', 'completed'] })).toHaveLength(3);
        expect(await store.tasks.list({ status: [] })).toEqual([]);
      });

      it('finds a blueprint id in every project', async () => {
        const a = await project(store, 'A');
        const b = await project(store, 'B');
        const a1 = await create(store, newTask(a.id, 'X-1'));
        const b1 = await create(store, newTask(b.id, 'X-1'));
        const found = await store.tasks.findByBlueprintId('X-1');
        expect(found.map((t) => t.id).sort()).toEqual([a1.id, b1.id].sort());
        expect(await store.tasks.findByBlueprintId('NOPE')).toEqual([]);
      });

      it('lists task digests of one project, orphaned included, in blueprint order', async () => {
        const a = await project(store, 'A');
        const b = await project(store, 'B');
        const t2 = await create(
          store,
          newTask(a.id, 'A-2', { blueprint_order: 2, orphaned: true, source_file: 'x.md' }),
        );
        const t1 = await create(
          store,
          newTask(a.id, 'A-1', { blueprint_order: 1, status: 'completed', phase: 'done', stale: true }),
        );
        await create(store, newTask(b.id, 'B-1'));
        expect(await store.tasks.listDigests(a.id)).toEqual([
          {
            id: t1.id,
            blueprint_id: 'A-1',
            blueprint_order: 1,
            source_file: null,
            source_line: null,
            status: 'completed',
            phase: 'done',
            content_hash: 'h',
            stale: true,
            orphaned: false,
          },
          {
            id: t2.id,
            blueprint_id: 'A-2',
            blueprint_order: 2,
            source_file: 'x.md',
            source_line: null,
            status: 'active',
            phase: 'pending',
            content_hash: 'h',
            stale: false,
            orphaned: true,
          },
        ]);
      });

      it('lists the frontier fields of one project, orphaned included, in blueprint order', async () => {
        const a = await project(store, 'A');
        const b = await project(store, 'B');
        const t2 = await create(
          store,
          newTask(a.id, 'A-2', { blueprint_order: 2, orphaned: true, priority: 'high', risk: 3 }),
        );
        const t1 = await create(
          store,
          newTask(a.id, 'A-1', { blueprint_order: 1, sequence: 'beta', due: '2026-01-02' }),
        );
        await create(store, newTask(b.id, 'B-1'));
        const rows = await store.tasks.listFrontierTasks(a.id);
        expect(rows.map((r) => [r.id, r.orphaned])).toEqual([
          [t1.id, false],
          [t2.id, true],
        ]);
        // Exactly the frontier's fields, with the values the full task has.
        const full = (await store.tasks.get(t2.id))!;
        expect(rows[1]).toEqual({
          id: full.id,
          blueprint_id: 'A-2',
          title: full.title,
          status: 'active',
          phase: 'pending',
          orphaned: true,
          blueprint_order: 2,
          priority: 'high',
          sequence: null,
          due: null,
          estimate: full.estimate,
          effort: full.effort,
          value: full.value,
          risk: 3,
          created_at: full.created_at,
        });
        expect(rows[0]).toMatchObject({ sequence: 'beta', due: '2026-01-02' });
      });

      it('re-reads the frontier fields of a few tasks by id, in blueprint order', async () => {
        const a = await project(store, 'A');
        const b = await project(store, 'B');
        const t3 = await create(store, newTask(a.id, 'A-3', { blueprint_order: 3, priority: 'low' }));
        const t1 = await create(store, newTask(a.id, 'A-1', { blueprint_order: 1 }));
        await create(store, newTask(a.id, 'A-2', { blueprint_order: 2 }));
        const other = await create(store, newTask(b.id, 'B-1', { blueprint_order: 1 }));
        const all = await store.tasks.listFrontierTasks(a.id);
        const rows = await store.tasks.frontierTasksById([t3.id, 'no-such-task', t1.id]);
        expect(rows).toEqual([all[0], all[2]]);
        expect((await store.tasks.frontierTasksById([other.id])).map((r) => r.blueprint_id)).toEqual(['B-1']);
        expect(await store.tasks.frontierTasksById([])).toEqual([]);
        // What a move writes is what the next read by id sees.
        await write(store, (tx) => tx.tasks.transition(t1.id, { status: 'cancelled', reason: 'test' }));
        expect((await store.tasks.frontierTasksById([t1.id]))[0]).toMatchObject({ status: 'cancelled' });
      });

      it('hands the frontier its tasks and their dependencies as edges between task positions', async () => {
        const a = await project(store, 'A');
        const b = await project(store, 'B');
        const [t1, t2, t3] = [
          await create(store, newTask(a.id, 'A-1', { blueprint_order: 1 })),
          await create(store, newTask(a.id, 'A-2', { blueprint_order: 2 })),
          await create(store, newTask(a.id, 'A-3', { blueprint_order: 3 })),
        ];
        const elsewhere = await create(store, newTask(b.id, 'B-1'));
        await write(store, async (tx) => {
          await tx.dependencies.set(t3!.id, 'blueprint', [
            { depends_on_id: t1!.id, policy: 'artifact_ready', artifact_key: 'schema' },
            { depends_on_id: t2!.id, policy: 'review_ready_ok', artifact_key: null },
          ]);
          await tx.dependencies.add({
            task_id: t2!.id,
            depends_on_id: elsewhere.id,
            policy: 'completion_required',
            artifact_key: null,
            source: 'manual',
          });
        });
        const { tasks, edges } = await store.tasks.frontierGraph(a.id);
        expect(tasks).toEqual(await store.tasks.listFrontierTasks(a.id));
        const named = [...edges.dependent].map((d, k) => {
          const up = edges.upstream[k]!;
          return {
            from: tasks[d]!.blueprint_id,
            to: up >= 0 ? tasks[up]!.blueprint_id : edges.missingIds.get(k),
            policy: edges.policy[k],
            key: edges.artifactKeys.get(k) ?? null,
          };
        });
        // Policies by their position: completion_required 0, review_ready_ok 1, artifact_ready 2.
        expect(named.sort((x, y) => `${x.from}${x.to}`.localeCompare(`${y.from}${y.to}`))).toEqual([
          { from: 'A-2', to: elsewhere.id, policy: 0, key: null },
          { from: 'A-3', to: 'A-1', policy: 2, key: 'schema' },
          { from: 'A-3', to: 'A-2', policy: 1, key: null },
        ]);
        const empty = await project(store, 'C');
        expect(await store.tasks.frontierGraph(empty.id)).toMatchObject({ tasks: [] });
      });

      it('refuses a task created in a state the lifecycle forbids, and a blueprint id twice', async () => {
        const p = await project(store, 'A');
        await expect(
          create(store, newTask(p.id, 'A-1', { status: 'running', phase: 'pending' })),
        ).rejects.toThrow(ConflictError);
        await create(store, newTask(p.id, 'A-1'));
        await expect(create(store, newTask(p.id, 'A-1'))).rejects.toThrow();
        expect(await store.tasks.list()).toHaveLength(1);
      });

      it('creates many tasks in order, recording the reasons given', async () => {
        const p = await project(store, 'A');
        const created = await write(store, (tx) =>
          tx.tasks.createMany([
            { task: newTask(p.id, 'A-1', { blueprint_order: 0 }) },
            {
              task: newTask(p.id, 'A-2', { blueprint_order: 1, status: 'completed', phase: 'done' }),
              reason: 'imported as completed',
            },
          ]),
        );
        expect(created.map((t) => t.blueprint_id)).toEqual(['A-1', 'A-2']);
        expect((await store.tasks.list({ projectId: p.id })).map((t) => t.id)).toEqual(
          created.map((t) => t.id),
        );
        expect(await store.transitions.list(created[0]!.id)).toEqual([]);
        expect(await store.transitions.list(created[1]!.id)).toMatchObject([
          {
            from_status: 'active',
            to_status: 'completed',
            to_phase: 'done',
            reason: 'imported as completed',
          },
        ]);
      });

      it('updates content, bumping updated_at, but never status or phase', async () => {
        const p = await project(store, 'A');
        const task = await create(store, newTask(p.id, 'A-1'));
        await tick();
        const patch = { title: 'New', status: 'completed' } as unknown as Parameters<
          StoreTx['tasks']['updateContent']
        >[1];
        const updated = await write(store, (tx) => tx.tasks.updateContent(task.id, patch));
        expect(updated.title).toBe('New');
        expect(updated.status).toBe('active');
        expect(updated.updated_at > task.updated_at).toBe(true);
        expect(await store.tasks.get(task.id)).toEqual(updated);
      });

      it('writes nothing for a patch that changes nothing', async () => {
        const p = await project(store, 'A');
        const task = await create(store, newTask(p.id, 'A-1', { labels: ['x'] }));
        await tick();
        const same = await write(store, (tx) =>
          tx.tasks.updateContent(task.id, { title: task.title, labels: ['x'] }),
        );
        expect(same).toEqual(task);
        expect((await store.tasks.get(task.id))?.updated_at).toBe(task.updated_at);
      });

      it('updates many tasks in order and names a missing one', async () => {
        const p = await project(store, 'A');
        const a = await create(store, newTask(p.id, 'A-1'));
        const b = await create(store, newTask(p.id, 'A-2'));
        const updated = await write(store, (tx) =>
          tx.tasks.updateContentMany([
            { id: b.id, patch: { estimate: 2 } },
            { id: a.id, patch: { orphaned: true } },
          ]),
        );
        expect(updated.map((t) => [t.blueprint_id, t.estimate, t.orphaned])).toEqual([
          ['A-2', 2, false],
          ['A-1', null, true],
        ]);
        await expect(
          write(store, (tx) => tx.tasks.updateContent('t-missing', { title: 'x' })),
        ).rejects.toThrow(new NotFoundError("no task 't-missing'"));
      });
    });

    describe('transitions', () => {
      it('records each transition with its reason, and no row for a no-op', async () => {
        const p = await project(store, 'A');
        const task = await create(store, newTask(p.id, 'A-1'));
        const done = await write(store, async (tx) => {
          await tx.tasks.transition(task.id, { status: 'running', phase: 'implement', reason: 'start' });
          await tx.tasks.transition(task.id, { phase: 'test', reason: 'implement done' });
          await tx.tasks.transition(task.id, { phase: 'test', reason: 'again' });
          return tx.tasks.transition(task.id, { status: 'completed', reason: 'verified' });
        });
        expect(done).toMatchObject({ status: 'completed', phase: 'done' });
        expect(await store.tasks.get(task.id)).toEqual(done);
        expect(
          (await store.transitions.list(task.id)).map((t) => [
            t.from_status,
            t.from_phase,
            t.to_status,
            t.to_phase,
            t.reason,
          ]),
        ).toEqual([
          ['active', 'pending', 'running', 'implement', 'start'],
          ['running', 'implement', 'running', 'test', 'implement done'],
          ['running', 'test', 'completed', 'done', 'verified'],
        ]);
      });

      it('rejects a forbidden move and writes nothing', async () => {
        const p = await project(store, 'A');
        const task = await create(store, newTask(p.id, 'A-1', { status: 'completed', phase: 'done' }));
        await expect(
          write(store, (tx) =>
            tx.tasks.transition(task.id, { status: 'running', phase: 'implement', reason: 'x' }),
          ),
        ).rejects.toThrow(ConflictError);
        expect(await store.tasks.get(task.id)).toEqual(task);
        expect(await store.transitions.list(task.id)).toEqual([]);
        await expect(write(store, (tx) => tx.tasks.transition('t-missing', { reason: 'x' }))).rejects.toThrow(
          NotFoundError,
        );
      });

      it('clears stale on reopen', async () => {
        const p = await project(store, 'A');
        const task = await create(
          store,
          newTask(p.id, 'A-1', { status: 'completed', phase: 'done', stale: true }),
        );
        const reopened = await write(store, (tx) =>
          tx.tasks.transition(task.id, { status: 'active', reason: 'reopen' }),
        );
        expect(reopened).toMatchObject({ status: 'active', phase: 'pending', stale: false });
      });

      it('records the creation of a task imported in another state when given a reason', async () => {
        const p = await project(store, 'A');
        const task = await create(
          store,
          newTask(p.id, 'A-1', { status: 'completed', phase: 'done' }),
          'imported as completed',
        );
        expect(await store.transitions.list(task.id)).toMatchObject([
          {
            from_status: 'active',
            to_status: 'completed',
            to_phase: 'done',
            reason: 'imported as completed',
          },
        ]);
      });
    });

    describe('dependencies', () => {
      async function four(): Promise<[Project, Task, Task, Task, Task]> {
        const p = await project(store, 'A');
        const tasks = await write(store, (tx) =>
          tx.tasks.createMany(['A-1', 'A-2', 'A-3', 'A-4'].map((id) => ({ task: newTask(p.id, id) }))),
        );
        return [p, tasks[0]!, tasks[1]!, tasks[2]!, tasks[3]!];
      }

      it('replaces only the dependencies of the given source', async () => {
        const [p, t1, t2, t3, t4] = await four();
        await write(store, async (tx) => {
          await tx.dependencies.set(t4.id, 'blueprint', [
            { depends_on_id: t1.id, policy: 'completion_required', artifact_key: null },
            { depends_on_id: t2.id, policy: 'artifact_ready', artifact_key: 'openapi' },
          ]);
          await tx.dependencies.add({
            task_id: t4.id,
            depends_on_id: t3.id,
            policy: 'review_ready_ok',
            artifact_key: null,
            source: 'manual',
          });
          await tx.dependencies.set(t4.id, 'blueprint', [
            { depends_on_id: t2.id, policy: 'review_ready_ok', artifact_key: null },
          ]);
        });
        expect(await store.dependencies.list({ taskId: t4.id })).toEqual(
          [
            {
              task_id: t4.id,
              depends_on_id: t2.id,
              policy: 'review_ready_ok',
              artifact_key: null,
              source: 'blueprint',
            },
            {
              task_id: t4.id,
              depends_on_id: t3.id,
              policy: 'review_ready_ok',
              artifact_key: null,
              source: 'manual',
            },
          ].sort((a, b) => (a.depends_on_id < b.depends_on_id ? -1 : 1)),
        );
        expect(await store.dependencies.list({ projectId: p.id })).toHaveLength(2);
        expect(await store.dependencies.list({ projectId: 'p-other' })).toEqual([]);

        expect(await write(store, (tx) => tx.dependencies.remove(t4.id, t3.id))).toBe(true);
        expect(await write(store, (tx) => tx.dependencies.remove(t4.id, t3.id))).toBe(false);
        expect(await store.dependencies.list()).toHaveLength(1);
      });

      it('sets many tasks’ dependencies at once', async () => {
        const [p, t1, t2, t3, t4] = await four();
        await write(store, (tx) =>
          tx.dependencies.setMany([
            {
              taskId: t2.id,
              source: 'blueprint',
              deps: [{ depends_on_id: t1.id, policy: 'completion_required', artifact_key: null }],
            },
            {
              taskId: t3.id,
              source: 'blueprint',
              deps: [{ depends_on_id: t2.id, policy: 'completion_required', artifact_key: null }],
            },
          ]),
        );
        expect((await store.dependencies.list({ projectId: p.id })).map((d) => d.task_id).sort()).toEqual(
          [t2.id, t3.id].sort(),
        );
        // Replacing: t2's set changes, t3's stays, t4 is named twice and the later set wins.
        const dep = (upstream: Task) =>
          ({ depends_on_id: upstream.id, policy: 'completion_required', artifact_key: null }) as const;
        await write(store, (tx) =>
          tx.dependencies.setMany([
            { taskId: t2.id, source: 'blueprint', deps: [] },
            { taskId: t3.id, source: 'blueprint', deps: [dep(t2)] },
            { taskId: t4.id, source: 'blueprint', deps: [dep(t1)] },
            { taskId: t4.id, source: 'blueprint', deps: [dep(t2), dep(t3)] },
          ]),
        );
        const pairs = (await store.dependencies.list({ projectId: p.id })).map((d) => [
          d.task_id,
          d.depends_on_id,
        ]);
        expect(pairs.sort()).toEqual(
          [
            [t3.id, t2.id],
            [t4.id, t2.id],
            [t4.id, t3.id],
          ].sort(),
        );
      });

      it('keeps a manual dependency the blueprint also states', async () => {
        const [, up, down] = await four();
        await write(store, async (tx) => {
          await tx.dependencies.add({
            task_id: down.id,
            depends_on_id: up.id,
            policy: 'review_ready_ok',
            artifact_key: null,
            source: 'manual',
          });
          await tx.dependencies.set(down.id, 'blueprint', [
            { depends_on_id: up.id, policy: 'completion_required', artifact_key: null },
          ]);
        });
        expect(await store.dependencies.list({ taskId: down.id })).toMatchObject([
          { source: 'manual', policy: 'review_ready_ok' },
        ]);
      });

      it('refuses a self-dependency and unknown tasks', async () => {
        const [, t] = await four();
        const dep = {
          task_id: t.id,
          depends_on_id: t.id,
          policy: 'completion_required',
          artifact_key: null,
          source: 'manual',
        } as const;
        await expect(write(store, (tx) => tx.dependencies.add(dep))).rejects.toThrow(ConflictError);
        await expect(
          write(store, (tx) => tx.dependencies.add({ ...dep, depends_on_id: 't-nope' })),
        ).rejects.toThrow(new NotFoundError("no task 't-nope'"));
      });
    });

    describe('resolution above the store', () => {
      it('finds a task by id, then by blueprint id, and explains misses and ambiguity', async () => {
        const a = await project(store, 'A');
        const b = await project(store, 'B');
        const a1 = await create(store, newTask(a.id, 'X-1'));
        const b1 = await create(store, newTask(b.id, 'X-1'));
        const only = await create(store, newTask(a.id, 'ONLY-1'));

        expect((await resolveTask(store, a1.id)).id).toBe(a1.id);
        expect((await resolveTask(store, 'ONLY-1')).id).toBe(only.id);
        expect((await resolveTask(store, 'X-1', 'B')).id).toBe(b1.id);
        await expect(resolveTask(store, 'X-1')).rejects.toThrow(
          new UsageError("task 'X-1' exists in projects A, B; pass --project"),
        );
        await expect(resolveTask(store, 'NOPE-1')).rejects.toThrow(new NotFoundError("no task 'NOPE-1'"));
        await expect(resolveTask(store, 'NOPE-1', 'A')).rejects.toThrow(
          new NotFoundError("no task 'NOPE-1' in project A"),
        );
        await expect(resolveTask(store, 'X-1', 'ZZZ')).rejects.toThrow(NotFoundError);
        // A task id of another project does not resolve inside project B.
        await expect(resolveTask(store, a1.id, 'B')).rejects.toThrow(NotFoundError);
        // Inside a transaction, through it.
        expect(await write(store, async (tx) => (await resolveTask(tx, 'X-1', 'A')).id)).toBe(a1.id);
      });

      it('resolves the only project, or the one named', async () => {
        await expect(resolveProject(store)).rejects.toThrow(
          new UsageError('no projects yet; run `penguin blueprint sync` first'),
        );
        const a = await project(store, 'A');
        expect(await resolveProject(store)).toEqual(a);
        await project(store, 'B');
        await expect(resolveProject(store)).rejects.toThrow(
          new UsageError('several projects exist (A, B); pass --project KEY'),
        );
        expect((await resolveProject(store, 'B')).key).toBe('B');
        await expect(resolveProject(store, 'C')).rejects.toThrow(
          new NotFoundError('no project C; known projects: A, B'),
        );
      });
    });

    describe('events', () => {
      it('assigns a gapless seq across interleaved writers on two stores, rollbacks included', async () => {
        const other = await another();
        let rolledBack = 0;
        for (let i = 0; i < 40; i++) {
          const writer = i % 2 === 0 ? store : other;
          const fail = i % 7 === 3;
          try {
            await write(writer, async (tx) => {
              await tx.events.append({ type: 'heartbeat', data: { i } });
              await tx.events.append({ type: 'heartbeat', data: { i, second: true } });
              if (fail) throw new Error('rolled back on purpose');
            });
          } catch {
            rolledBack++;
          }
        }
        const page = await store.events.readPage(0, undefined, 1_000);
        expect(page.events.map((e) => e.seq)).toEqual(
          Array.from({ length: (40 - rolledBack) * 2 }, (_, i) => i + 1),
        );
        expect(await other.events.readPage(0, undefined, 1_000)).toEqual(page);
        expect(page.events.some((e) => (e.data as { i?: number }).i === 3)).toBe(false);
        expect(await store.events.lastSeq()).toBe(page.events.length);
      });

      it('keeps every field of an event', async () => {
        const appended = await write(store, (tx) =>
          tx.events.append({
            type: 'workflow.phase_completed',
            project_id: 'p-1',
            task_id: 't-1',
            blueprint_id: 'B-1',
            workflow_id: 'wf-1',
            agent_id: 'a-1',
            phase: 'test',
            iteration: 2,
            progress: 50,
            artifacts: [{ name: 'a', path: '/x', kind: 'log' }],
            data: { summary: 'ok' },
          }),
        );
        expect(appended.seq).toBe(1);
        const [read] = (await store.events.readPage(0, undefined, 10)).events;
        expect(read).toEqual(appended);
        const bare = await write(store, (tx) => tx.events.append({ type: 'heartbeat' }));
        expect(bare).toMatchObject({ seq: 2, type: 'heartbeat', data: {} });
        expect((await store.events.readPage(1, undefined, 10)).events[0]).toEqual(bare);
      });

      it('reads pages with filters and limits', async () => {
        await write(store, async (tx) => {
          for (let i = 0; i < 10; i++) {
            await tx.events.append({
              type: i < 5 ? 'agent.output' : 'heartbeat',
              workflow_id: i % 2 ? 'wf-a' : 'wf-b',
              task_id: 't-1',
              data: { i },
            });
          }
        });
        const seqs = async (
          after: number,
          filter?: Parameters<Store['events']['readPage']>[1],
          limit = 100,
        ) => (await store.events.readPage(after, filter, limit)).events.map((e) => e.seq);
        expect(await seqs(0, { workflow_id: 'wf-a' })).toEqual([2, 4, 6, 8, 10]);
        expect(await seqs(4, { workflow_id: 'wf-a', types: ['heartbeat'] })).toEqual([6, 8, 10]);
        expect(await seqs(0, undefined, 3)).toEqual([1, 2, 3]);
        expect(await seqs(0, { types: [] })).toEqual([]);
        // A filtered page that matches nothing still moves the cursor past what it scanned.
        expect(await store.events.readPage(0, { task_id: 't-none' }, 100)).toEqual({
          events: [],
          cursor: 10,
        });
        expect(await store.events.readPage(0, { workflow_id: 'wf-a' }, 2)).toMatchObject({ cursor: 4 });
      });

      it('publishes (EventLog) only after the commit, and nothing for a rollback', async () => {
        const log = new EventLog(store);
        const seen: PenguinEvent[] = [];
        await log.subscribe((e) => seen.push(e));

        await expect(
          write(store, async (tx) => {
            await log.append(tx, { type: 'workflow.started', workflow_id: 'wf-1', data: { origin: null } });
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        await log.flush();
        expect(seen).toEqual([]);

        let seenInside = -1;
        await write(store, async (tx) => {
          await log.append(tx, { type: 'workflow.started', workflow_id: 'wf-2', data: { origin: 'n1' } });
          await log.append(tx, { type: 'workflow.started', workflow_id: 'wf-3', data: { origin: null } });
          seenInside = seen.length;
        });
        // Published before the transaction resolved, once each.
        expect(seenInside).toBe(0);
        expect(seen.map((e) => [e.seq, e.workflow_id])).toEqual([
          [1, 'wf-2'],
          [2, 'wf-3'],
        ]);
        expect(seen[0]?.data).toEqual({ origin: 'n1' });

        const recorded = await log.record({ type: 'heartbeat', progress: 5 });
        expect(recorded.seq).toBe(3);
        expect(seen.map((e) => e.seq)).toEqual([1, 2, 3]);
      });

      it('delivers events other stores wrote, in order, never twice, and resumes after a seq', async () => {
        const other = await another();
        const log = new EventLog(store);
        const seen: number[] = [];
        await log.subscribe((e) => seen.push(e.seq));
        const theirs = new EventLog(other);
        await theirs.record({ type: 'heartbeat' });
        await theirs.record({ type: 'heartbeat' });
        await log.record({ type: 'heartbeat' });
        await theirs.record({ type: 'heartbeat' });
        await log.flush();
        await log.record({ type: 'heartbeat' });
        expect(seen).toEqual([1, 2, 3, 4, 5]);

        const resumed: number[] = [];
        await log.subscribe((e) => resumed.push(e.seq), { afterSeq: 2, filter: { types: ['heartbeat'] } });
        expect(resumed).toEqual([3, 4, 5]);
        await log.record({ type: 'agent.output', data: { stream: 'stdout', chunk: '' } });
        await log.record({ type: 'heartbeat' });
        expect(resumed).toEqual([3, 4, 5, 7]);
        expect(await log.readFrom(5)).toHaveLength(2);
      });
    });

    describe('artifacts', () => {
      it('records rows, replacing the one of the same task, workflow, phase and name', async () => {
        const first = await write(store, (tx) => tx.artifacts.upsert(artifactRow()));
        expect(first).toMatchObject({ ...artifactRow() });
        expect(first.id).toEqual(expect.any(String));
        await tick();
        const again = await write(store, (tx) =>
          tx.artifacts.upsert(artifactRow({ size: 9, sha256: 'def', key: 'junit' })),
        );
        expect(again).toMatchObject({ size: 9, sha256: 'def', key: 'junit' });
        expect(again.created_at >= first.created_at).toBe(true);
        await write(store, async (tx) => {
          await tx.artifacts.upsert(
            artifactRow({ phase: 'use', name: 'run.log', kind: 'log', path: 'p/use' }),
          );
          await tx.artifacts.upsert(
            artifactRow({ task_id: 't-2', workflow_id: 'wf-2', name: 'openapi.json', key: 'openapi' }),
          );
        });
        expect(await store.artifacts.list()).toHaveLength(3);
        // Oldest first; rows recorded in the same millisecond may come in either order.
        expect((await store.artifacts.list({ taskId: 't-1' })).map((a) => a.name).sort()).toEqual([
          'junit.xml',
          'run.log',
        ]);
        expect((await store.artifacts.list({ workflowId: 'wf-1', phase: 'use' })).map((a) => a.name)).toEqual(
          ['run.log'],
        );
        expect((await store.artifacts.listKeyed('t-1')).map((a) => a.key)).toEqual(['junit']);
        expect(await store.artifacts.listKeyed('t-3')).toEqual([]);
      });
    });

    describe('scheduler claims', () => {
      const claimOf = (owner: string, taskId = 't-1', expiresAt = 2_000) => ({
        task_id: taskId,
        project_id: 'p-1',
        owner,
        agent_id: 'coder',
        port: 41_000,
        worktree: `/ws/.penguin/worktrees/${taskId}`,
        branch: `penguin/${taskId}`,
        base: 'main',
        claimed_at: 1_000,
        expires_at: expiresAt,
      });

      it('gives a task to one owner until the claim expires, then to the next', async () => {
        const first = await write(store, (tx) => tx.claims.claim(claimOf('a'), 1_000));
        expect(first).toMatchObject({ owner: 'a', workflow_id: null, port: 41_000, agent_id: 'coder' });
        expect(await write(store, (tx) => tx.claims.claim(claimOf('b'), 1_500))).toBeNull();
        // The owner may take its own claim again (a retried dispatch).
        expect(await write(store, (tx) => tx.claims.claim(claimOf('a'), 1_500))).toMatchObject({
          owner: 'a',
        });
        expect(await write(store, (tx) => tx.claims.claim(claimOf('b', 't-1', 9_000), 2_001))).toMatchObject({
          owner: 'b',
          expires_at: 9_000,
        });
        expect((await store.claims.get('t-1'))?.owner).toBe('b');
        expect(await store.claims.get('t-2')).toBeNull();
      });

      it('attaches a workflow, renews, adopts an expired claim keeping its workflow, and releases', async () => {
        await write(store, (tx) => tx.claims.claim(claimOf('a'), 1_000));
        await write(store, (tx) => tx.claims.claim(claimOf('a', 't-2'), 1_000));
        expect(await write(store, (tx) => tx.claims.attach('t-1', 'b', 'wf-x'))).toBe(false);
        expect(await write(store, (tx) => tx.claims.attach('t-1', 'a', 'wf-1'))).toBe(true);
        expect((await store.claims.forWorkflow('wf-1'))?.task_id).toBe('t-1');
        expect(await write(store, (tx) => tx.claims.renew('a', 5_000))).toBe(2);
        expect(await write(store, (tx) => tx.claims.adopt('t-1', 'b', 4_000, 8_000))).toBeNull();
        const adopted = await write(store, (tx) => tx.claims.adopt('t-1', 'b', 5_001, 8_000));
        expect(adopted).toMatchObject({
          owner: 'b',
          workflow_id: 'wf-1',
          worktree: '/ws/.penguin/worktrees/t-1',
        });
        expect((await store.claims.list({ owner: 'a' })).map((c) => c.task_id)).toEqual(['t-2']);
        expect((await store.claims.list({ projectId: 'p-1' })).map((c) => c.task_id)).toEqual(['t-1', 't-2']);
        expect(await write(store, (tx) => tx.claims.release('t-1', 'a'))).toBe(false);
        expect(await write(store, (tx) => tx.claims.release('t-1', 'b'))).toBe(true);
        expect(await store.claims.get('t-1')).toBeNull();
      });

      it('refuses a claim written in a transaction that rolls back', async () => {
        await expect(
          store.transaction(async (tx) => {
            await tx.claims.claim(claimOf('a'), 1_000);
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        expect(await store.claims.get('t-1')).toBeNull();
      });
    });

    describe('workflows', () => {
      it('keeps a run’s state and finds its live run', async () => {
        await write(store, (tx) =>
          tx.workflows.insert(runState('wf-1', 't-1', { feedback: ['more tests'] })),
        );
        const record = (await store.workflows.get('wf-1'))!;
        expect(record).toMatchObject({
          ...runState('wf-1', 't-1', { feedback: ['more tests'] }),
          owner: null,
          lease_expires_at: null,
        });
        expect(record.started_at).toEqual(expect.any(String));
        expect(await store.workflows.get('wf-none')).toBeNull();
        expect((await store.workflows.liveForTask('t-1'))?.id).toBe('wf-1');

        await write(store, (tx) =>
          tx.workflows.save(
            runState('wf-1', 't-1', {
              state: 'completed',
              phase: 'done',
              progress: 100,
              resumed: true,
              pause_after_phase: true,
              not_before: 123,
              finished_at: 'now',
            }),
            { kind: 'keep' },
          ),
        );
        expect(await store.workflows.get('wf-1')).toMatchObject({
          state: 'completed',
          resumed: true,
          pause_after_phase: true,
          not_before: 123,
        });
        expect(await store.workflows.liveForTask('t-1')).toBeNull();
        // One live run per task.
        await write(store, (tx) => tx.workflows.insert(runState('wf-2', 't-1')));
        await expect(write(store, (tx) => tx.workflows.insert(runState('wf-3', 't-1')))).rejects.toThrow();
        await write(store, (tx) => tx.workflows.insert(runState('wf-4', 't-2', { project_id: 'p-2' })));
        const ids = async (filter: Parameters<Store['workflows']['list']>[0]): Promise<string[]> =>
          (await store.workflows.list(filter)).map((w) => w.id);
        expect(await ids({})).toEqual(['wf-1', 'wf-2', 'wf-4']);
        expect(await ids({ taskId: 't-1', status: 'pending' })).toEqual(['wf-2']);
        expect(await ids({ projectId: 'p-2' })).toEqual(['wf-4']);
        expect(await ids({ status: ['completed', 'pending'] })).toEqual(['wf-1', 'wf-2', 'wf-4']);
        expect(await ids({ status: [] })).toEqual([]);
      });

      it('claims with a lease, renews it, releases it, and lets another host take an expired one', async () => {
        await write(store, async (tx) => {
          await tx.workflows.insert(runState('wf-1', 't-1'));
          await tx.workflows.insert(runState('wf-2', 't-2'));
        });
        const now = Date.now();
        expect(await store.workflows.claimable(now, 10)).toEqual(['wf-1', 'wf-2']);
        expect(await store.workflows.claimable(now, 1)).toEqual(['wf-1']);

        const claimed = await write(store, (tx) => tx.workflows.claim('wf-1', 'host-a', now, now + 1_000));
        expect(claimed).toMatchObject({ id: 'wf-1', owner: 'host-a', lease_expires_at: now + 1_000 });
        // The machine moves it to running; a live lease keeps it from every other host.
        await write(store, (tx) =>
          tx.workflows.save(runState('wf-1', 't-1', { state: 'running' }), { kind: 'keep' }),
        );
        expect(await write(store, (tx) => tx.workflows.claim('wf-1', 'host-b', now, now + 1_000))).toBeNull();
        expect(await store.workflows.claimable(now, 10)).toEqual(['wf-2']);
        expect(await store.workflows.ownedIds('host-a')).toEqual(['wf-1']);

        await write(store, (tx) => tx.workflows.renewLeases('host-a', now + 5_000));
        expect((await store.workflows.get('wf-1'))?.lease_expires_at).toBe(now + 5_000);
        await write(store, (tx) =>
          tx.workflows.save(runState('wf-1', 't-1', { state: 'running' }), {
            kind: 'renew',
            until: now + 9_000,
          }),
        );
        expect((await store.workflows.get('wf-1'))?.lease_expires_at).toBe(now + 9_000);

        // Expired: claimable by anyone, and the claim fences the old owner out.
        expect(await store.workflows.claimable(now + 10_000, 10)).toEqual(['wf-1', 'wf-2']);
        const taken = await write(store, (tx) =>
          tx.workflows.claim('wf-1', 'host-b', now + 10_000, now + 11_000),
        );
        expect(taken?.owner).toBe('host-b');
        expect(await store.workflows.ownedIds('host-a')).toEqual([]);

        // Released by its owner only: claimable at once.
        await write(store, (tx) => tx.workflows.release('wf-1', 'host-a'));
        expect((await store.workflows.get('wf-1'))?.owner).toBe('host-b');
        await write(store, (tx) => tx.workflows.release('wf-1', 'host-b'));
        expect(await store.workflows.get('wf-1')).toMatchObject({ owner: null, lease_expires_at: 0 });
        expect(await store.workflows.claimable(now, 10)).toEqual(['wf-1', 'wf-2']);

        // A save that releases lets go of owner and lease.
        await write(store, (tx) => tx.workflows.claim('wf-1', 'host-c', now, now + 1_000));
        await write(store, (tx) =>
          tx.workflows.save(runState('wf-1', 't-1', { state: 'paused' }), { kind: 'release' }),
        );
        expect(await store.workflows.get('wf-1')).toMatchObject({
          state: 'paused',
          owner: null,
          lease_expires_at: null,
        });
      });

      it('records steps once per attempt and reads the passed ones of an iteration', async () => {
        await write(store, (tx) => tx.workflows.insert(runState('wf-1', 't-1')));
        const opened = {
          workflow_id: 'wf-1',
          phase: 'implement',
          iteration: 1,
          attempt: 1,
          owner: 'host-a',
        } as const;
        await write(store, async (tx) => {
          await tx.workflows.openStep({ ...opened, key: 'wf-1:implement:1:1' });
          await tx.workflows.recordStep({
            ...opened,
            key: 'wf-1:implement:1:1',
            outcome: 'passed',
            summary: 'done',
            result: { files: 2 },
            artifacts: [{ name: 'prompt.md', path: '/p', kind: 'prompt' }],
            opened: true,
          });
          // A closed record of an attempt that never opened (a re-run of VERIFY).
          await tx.workflows.recordStep({
            ...opened,
            phase: 'verify',
            attempt: 0,
            key: 'wf-1:verify:1:0',
            owner: 'cli',
            outcome: 'gate_failed',
            summary: 'criterion 2 unmet',
            artifacts: [],
            opened: false,
          });
          await tx.workflows.openStep({ ...opened, phase: 'test', key: 'wf-1:test:1:1' });
        });
        // The same attempt twice is refused.
        await expect(
          write(store, (tx) => tx.workflows.openStep({ ...opened, key: 'wf-1:implement:1:1' })),
        ).rejects.toThrow();
        const steps = await store.workflows.steps('wf-1');
        expect(steps.map((s) => [s.idempotency_key, s.outcome, s.owner])).toEqual([
          ['wf-1:implement:1:1', 'passed', 'host-a'],
          ['wf-1:verify:1:0', 'gate_failed', 'cli'],
          ['wf-1:test:1:1', null, 'host-a'],
        ]);
        expect(steps[0]).toMatchObject({
          summary: 'done',
          result: { files: 2 },
          artifacts: [{ name: 'prompt.md', path: '/p', kind: 'prompt' }],
        });
        expect(steps[0]!.finished_at).toEqual(expect.any(String));
        expect(steps[1]!.result).toBeNull();
        expect(steps[2]).toMatchObject({ result: null, artifacts: [], finished_at: null });
        expect(await store.workflows.passedSteps('wf-1', 1)).toEqual([
          { phase: 'implement', result: { files: 2 } },
        ]);
        expect(await store.workflows.passedSteps('wf-1', 2)).toEqual([]);
      });

      it('keeps signals until one host consumes each', async () => {
        await write(store, async (tx) => {
          await tx.workflows.insert(runState('wf-1', 't-1'));
          await tx.workflows.insert(runState('wf-2', 't-2'));
          await tx.workflows.insertSignal('wf-1', 'pause', undefined);
          await tx.workflows.insertSignal('wf-1', 'inject_feedback', { text: 'use port 8080' });
          await tx.workflows.insertSignal('wf-2', 'cancel', undefined);
        });
        const pending = await store.workflows.pendingSignals('wf-1');
        expect(pending.map((s) => [s.name, s.payload, s.consumed_at])).toEqual([
          ['pause', undefined, null],
          ['inject_feedback', { text: 'use port 8080' }, null],
        ]);
        // Only signals of running runs the host owns.
        expect(await store.workflows.pendingSignalsOwnedBy('host-a')).toEqual([]);
        const now = Date.now();
        await write(store, async (tx) => {
          await tx.workflows.claim('wf-2', 'host-a', now, now + 1_000);
          await tx.workflows.save(runState('wf-2', 't-2', { state: 'running' }), { kind: 'keep' });
        });
        expect((await store.workflows.pendingSignalsOwnedBy('host-a')).map((s) => s.name)).toEqual([
          'cancel',
        ]);

        expect(await write(store, (tx) => tx.workflows.consumeSignal(pending[0]!.id))).toBe(true);
        expect(await write(store, (tx) => tx.workflows.consumeSignal(pending[0]!.id))).toBe(false);
        expect((await store.workflows.pendingSignals('wf-1')).map((s) => s.name)).toEqual([
          'inject_feedback',
        ]);
      });
    });

    describe('units of work', () => {
      it('rolls back everything a throwing transaction wrote, in every part', async () => {
        const p = await project(store, 'A');
        const kept = await create(store, newTask(p.id, 'A-0'));
        await expect(
          write(store, async (tx) => {
            const task = await tx.tasks.create(newTask(p.id, 'A-1'));
            await tx.tasks.transition(kept.id, { status: 'cancelled', reason: 'x' });
            await tx.dependencies.set(task.id, 'blueprint', [
              { depends_on_id: kept.id, policy: 'completion_required', artifact_key: null },
            ]);
            await tx.events.append({ type: 'task.created', task_id: task.id });
            await tx.artifacts.upsert(artifactRow({ task_id: task.id }));
            await tx.workflows.insert(runState('wf-1', task.id));
            await tx.workflows.insertSignal('wf-1', 'pause', undefined);
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        expect((await store.tasks.list()).map((t) => [t.blueprint_id, t.status])).toEqual([
          ['A-0', 'active'],
        ]);
        expect(await store.transitions.list(kept.id)).toEqual([]);
        expect(await store.dependencies.list()).toEqual([]);
        expect(await store.events.lastSeq()).toBe(0);
        expect(await store.artifacts.list()).toEqual([]);
        expect(await store.workflows.list()).toEqual([]);
        expect(await store.workflows.pendingSignals('wf-1')).toEqual([]);
      });

      it('runs a nested transaction as a savepoint: its throw rolls back only what it wrote', async () => {
        const p = await project(store, 'A');
        await write(store, async (tx) => {
          await tx.tasks.create(newTask(p.id, 'A-1'));
          await expect(
            store.transaction(async (inner) => {
              await inner.tasks.create(newTask(p.id, 'A-2'));
              throw new Error('inner');
            }),
          ).rejects.toThrow('inner');
          await expect(
            tx.savepoint(async (inner) => {
              await inner.tasks.create(newTask(p.id, 'A-3'));
              await inner.savepoint((deeper) => deeper.tasks.create(newTask(p.id, 'A-4')));
              throw new Error('outer savepoint');
            }),
          ).rejects.toThrow('outer savepoint');
          await tx.savepoint((inner) => inner.tasks.create(newTask(p.id, 'A-5')));
        });
        expect((await store.tasks.list()).map((t) => t.blueprint_id).sort()).toEqual(['A-1', 'A-5']);
      });

      it('runs afterCommit work once after the commit, before the transaction resolves; never after a rollback', async () => {
        const calls: string[] = [];
        const hook = (): void => {
          calls.push('hook');
        };
        const result = await write(store, async (tx) => {
          tx.afterCommit(hook);
          tx.afterCommit(hook);
          tx.afterCommit(async () => {
            calls.push(`async sees ${await store.events.lastSeq()}`);
          });
          await tx.events.append({ type: 'heartbeat' });
          calls.push('body');
          return 'done';
        });
        expect(result).toBe('done');
        expect(calls).toEqual(['body', 'hook', 'async sees 1']);
        await expect(
          write(store, async (tx) => {
            tx.afterCommit(() => {
              calls.push('after rollback');
            });
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        // A failing hook does not undo the commit.
        await write(store, async (tx) => {
          tx.afterCommit(() => {
            throw new Error('hook failed');
          });
          await tx.events.append({ type: 'heartbeat' });
        });
        expect(calls).not.toContain('after rollback');
        expect(await store.events.lastSeq()).toBe(2);
      });

      it('serialises the transactions of one store: concurrent read-modify-writes lose nothing', async () => {
        const p = await project(store, 'A');
        const task = await create(store, newTask(p.id, 'A-1', { estimate: 0 }));
        await Promise.all(
          Array.from({ length: 50 }, () =>
            write(store, async (tx) => {
              const current = (await tx.tasks.get(task.id))!;
              await tick(0); // another caller's turn would come here if transactions interleaved
              await tx.tasks.updateContent(task.id, { estimate: (current.estimate ?? 0) + 1 });
            }),
          ),
        );
        expect((await store.tasks.get(task.id))?.estimate).toBe(50);
      });

      it('never shows a read outside a transaction what the transaction has not committed', async () => {
        const p = await project(store, 'A');
        await create(store, newTask(p.id, 'A-1'));
        // A transaction that has written and waits; a read is asked for meanwhile.
        let written!: () => void;
        const wrote = new Promise<void>((r) => (written = r));
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        const order: string[] = [];
        const rolledBack = write(store, async (tx) => {
          await tx.tasks.create(newTask(p.id, 'A-2'));
          // Inside, a store-level read is the transaction's own: it sees its write.
          expect(await store.tasks.list()).toHaveLength(2);
          written();
          await gate;
          order.push('rolled back');
          throw new Error('boom');
        });
        await wrote;
        const reading = store.tasks.list().then((tasks) => {
          order.push('read');
          return tasks;
        });
        await tick();
        release();
        await expect(rolledBack).rejects.toThrow('boom');
        // The read waited for the transaction to end rather than seeing its write half-way.
        expect((await reading).map((t) => t.blueprint_id)).toEqual(['A-1']);
        expect(order).toEqual(['rolled back', 'read']);
      });

      it('reads one snapshot in store.read while another store writes', async () => {
        const p = await project(store, 'A');
        await create(store, newTask(p.id, 'A-1'));
        const other = await another();
        const counts = await store.read(async (r) => {
          const before = (await r.tasks.list()).length;
          await other.transaction((tx) => tx.tasks.create(newTask(p.id, 'A-2')));
          return [before, (await r.tasks.list()).length];
        });
        expect(counts).toEqual([1, 1]);
        expect(await store.tasks.list()).toHaveLength(2);
        // And a store sees what another committed.
        expect(await other.tasks.list()).toHaveLength(2);
      });

      it('refuses a transaction used after it ended, two savepoints at once, and writes inside store.read', async () => {
        let leaked!: StoreTx;
        await write(store, async (tx) => {
          leaked = tx;
        });
        await expect(leaked.projects.list()).rejects.toThrow(/ended/);
        await expect(leaked.projects.upsert({ key: 'A', title: null, blueprint_file: null })).rejects.toThrow(
          /ended/,
        );
        await expect(
          write(store, async (tx) => {
            await Promise.all([tx.savepoint(() => tick()), tx.savepoint(() => tick())]);
          }),
        ).rejects.toThrow(/one savepoint/);
        await expect(
          store.read(() =>
            store.transaction((tx) => tx.projects.upsert({ key: 'A', title: null, blueprint_file: null })),
          ),
        ).rejects.toThrow(/cannot write/);
        expect(await store.projects.list()).toEqual([]);
      });

      it('reports its health', async () => {
        expect(await store.health()).toMatchObject({ ok: true, detail: expect.any(String) });
      });
    });

    describe('two processes', () => {
      it('interleave read-modify-write transactions without losing one or a busy error', async () => {
        const p = await project(store, 'A');
        const task = await create(
          store,
          newTask(p.id, 'A-1', { status: 'running', phase: 'implement', estimate: 0 }),
        );

        const root = resolve(import.meta.dirname, '../..');
        // vite-node takes a second or two to start; both children then begin writing at the same instant.
        const startAt = Date.now() + 6000;
        const args = [...harness.writerArgs, task.id, '300', String(startAt)].map((a) => `'${a}'`).join(' ');
        const command = `node_modules/.bin/vite-node test/fixtures/project/concurrent-writer.ts ${args}`;
        const env = { PATH: process.env.PATH, HOME: process.env.HOME };
        const results = await Promise.all([
          runCommand(command, { cwd: root, env, timeoutMs: 120_000 }),
          runCommand(command, { cwd: root, env, timeoutMs: 120_000 }),
        ]);
        for (const result of results) {
          expect(result.stderr).not.toMatch(/BUSY|locked/i);
          expect(result.exitCode).toBe(0);
          expect(result.stdout).toContain('done');
        }
        expect((await store.tasks.get(task.id))?.estimate).toBe(600);
        expect(await store.transitions.list(task.id)).toHaveLength(600);
        expect(await store.events.lastSeq()).toBe(600);
      });
    });
  });
}
