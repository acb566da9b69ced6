// Dependency edits on a real SQLite store (`task deps`): adding with policy checks and the cycle check,
// removing only manual edges, and listing upstream and downstream in blueprint order.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, UsageError } from '../../src/errors.js';
import { EventLog } from '../../src/events/log.js';
import {
  addTaskDependency,
  listTaskDependencies,
  removeTaskDependency,
} from '../../src/project/dependencies.js';
import type { Task } from '../../src/project/model.js';
import { resolveTask } from '../../src/project/resolve.js';
import { openSqliteStore, type SqliteStore } from '../../src/project/sqlite/store.js';
import { makeTask } from './task-factory.js';

let store: SqliteStore;
let events: EventLog;

function addTask(projectId: string, blueprintId: string, order: number): Promise<Task> {
  const {
    id: _id,
    created_at: _c,
    updated_at: _u,
    overrides: _o,
    review_note: _r,
    reviewed_at: _ra,
    ...rest
  } = makeTask({ blueprint_id: blueprintId, blueprint_order: order });
  return store.transaction((tx) =>
    tx.tasks.create({
      ...rest,
      project_id: projectId,
      source_file: 'context/specs/book.md',
      source_line: 10 + order,
    }),
  );
}

/** Project BOOK with BOOK-1..BOOK-4, BOOK-3 -> BOOK-2 -> BOOK-1 from the blueprint; project OTHER with BOOK-1. */
beforeEach(async () => {
  store = openSqliteStore(':memory:');
  events = new EventLog(store);
  const [book, other] = await store.transaction(async (tx) => [
    await tx.projects.upsert({ key: 'BOOK', title: 'Book', blueprint_file: 'context/specs/book.md' }),
    await tx.projects.upsert({ key: 'OTHER', title: 'Other', blueprint_file: null }),
  ]);
  const b: Task[] = [];
  for (const i of [1, 2, 3, 4]) b.push(await addTask(book!.id, `BOOK-${i}`, i));
  const [b1, b2, b3] = b as [Task, Task, Task];
  await addTask(other!.id, 'OTHER-1', 1);
  await addTask(other!.id, 'BOOK-1', 2);
  await store.transaction(async (tx) => {
    await tx.dependencies.set(b2.id, 'blueprint', [
      { depends_on_id: b1.id, policy: 'completion_required', artifact_key: null },
    ]);
    await tx.dependencies.set(b3.id, 'blueprint', [
      { depends_on_id: b2.id, policy: 'completion_required', artifact_key: null },
    ]);
  });
});

afterEach(() => store.close());

const task = (blueprintId: string, project = 'BOOK'): Promise<Task> =>
  resolveTask(store, blueprintId, project);

describe('addTaskDependency', () => {
  it('records a manual dependency by blueprint ids', async () => {
    const dep = await addTaskDependency(store, events, {
      task: 'BOOK-4',
      dependsOn: 'BOOK-3',
      projectKey: 'BOOK',
    });
    expect(dep).toEqual({
      task_id: (await task('BOOK-4')).id,
      depends_on_id: (await task('BOOK-3')).id,
      policy: 'completion_required',
      artifact_key: null,
      source: 'manual',
    });
    expect(await store.dependencies.list({ taskId: (await task('BOOK-4')).id })).toEqual([dep]);
  });

  it('accepts task ids and an artifact_ready policy with its key', async () => {
    const dep = await addTaskDependency(store, events, {
      task: (await task('BOOK-4')).id,
      dependsOn: (await task('BOOK-1')).id,
      policy: 'artifact_ready',
      artifactKey: 'openapi',
    });
    expect(await store.dependencies.list({ taskId: (await task('BOOK-4')).id })).toEqual([dep]);
    expect(dep.artifact_key).toBe('openapi');
  });

  it('rejects a dependency that would close a cycle, naming the whole cycle', async () => {
    const attempt = (): Promise<unknown> =>
      addTaskDependency(store, events, { task: 'BOOK-1', dependsOn: 'BOOK-3', projectKey: 'BOOK' });
    await expect(attempt()).rejects.toThrow(ConflictError);
    await expect(attempt()).rejects.toThrow(
      'adding BOOK-1 -> BOOK-3 would create a cycle: BOOK-1 -> BOOK-3 -> BOOK-2 -> BOOK-1',
    );
    expect(await store.dependencies.list({ taskId: (await task('BOOK-1')).id })).toEqual([]);
  });

  it('rejects a self-dependency', async () => {
    await expect(
      addTaskDependency(store, events, { task: 'BOOK-2', dependsOn: 'BOOK-2', projectKey: 'BOOK' }),
    ).rejects.toThrow(new UsageError('BOOK-2 cannot depend on itself'));
  });

  it('rejects tasks of different projects', async () => {
    const book4 = (await task('BOOK-4')).id;
    const attempt = (): Promise<unknown> =>
      addTaskDependency(store, events, { task: 'OTHER-1', dependsOn: book4 });
    await expect(attempt()).rejects.toThrow(UsageError);
    await expect(attempt()).rejects.toThrow('OTHER-1 and BOOK-4 are in different projects');
  });

  it('rejects artifact_ready without a key, and a key with another policy', async () => {
    await expect(
      addTaskDependency(store, events, {
        task: 'BOOK-4',
        dependsOn: 'BOOK-1',
        projectKey: 'BOOK',
        policy: 'artifact_ready',
      }),
    ).rejects.toThrow(UsageError);
    await expect(
      addTaskDependency(store, events, {
        task: 'BOOK-4',
        dependsOn: 'BOOK-1',
        projectKey: 'BOOK',
        artifactKey: 'x',
      }),
    ).rejects.toThrow('only applies to artifact_ready');
    expect(await store.dependencies.list({ taskId: (await task('BOOK-4')).id })).toEqual([]);
  });

  it('passes on the store errors for unknown and ambiguous refs', async () => {
    await expect(
      addTaskDependency(store, events, { task: 'BOOK-9', dependsOn: 'BOOK-1', projectKey: 'BOOK' }),
    ).rejects.toThrow(NotFoundError);
    // BOOK-1 exists in both projects.
    await expect(addTaskDependency(store, events, { task: 'BOOK-4', dependsOn: 'BOOK-1' })).rejects.toThrow(
      UsageError,
    );
  });

  it('changes the policy of an existing dependency and leaves an identical one alone', async () => {
    const changed = await addTaskDependency(store, events, {
      task: 'BOOK-2',
      dependsOn: 'BOOK-1',
      projectKey: 'BOOK',
      policy: 'review_ready_ok',
    });
    expect(await store.dependencies.list({ taskId: (await task('BOOK-2')).id })).toEqual([changed]);
    const same = await addTaskDependency(store, events, {
      task: 'BOOK-3',
      dependsOn: 'BOOK-2',
      projectKey: 'BOOK',
    });
    expect(same.source).toBe('blueprint');
  });
});

describe('removeTaskDependency', () => {
  it('removes a manual dependency', async () => {
    await addTaskDependency(store, events, { task: 'BOOK-4', dependsOn: 'BOOK-1', projectKey: 'BOOK' });
    await removeTaskDependency(store, events, { task: 'BOOK-4', dependsOn: 'BOOK-1', projectKey: 'BOOK' });
    expect(await store.dependencies.list({ taskId: (await task('BOOK-4')).id })).toEqual([]);
  });

  it('throws NotFoundError when there is no such dependency', async () => {
    await expect(
      removeTaskDependency(store, events, { task: 'BOOK-4', dependsOn: 'BOOK-1', projectKey: 'BOOK' }),
    ).rejects.toThrow(new NotFoundError('BOOK-4 does not depend on BOOK-1'));
  });

  it('refuses a blueprint dependency, pointing at the blueprint line', async () => {
    await expect(
      removeTaskDependency(store, events, { task: 'BOOK-2', dependsOn: 'BOOK-1', projectKey: 'BOOK' }),
    ).rejects.toThrow(
      new UsageError(
        'BOOK-2 depends on BOOK-1 in its blueprint (context/specs/book.md:12); remove it there and sync',
      ),
    );
    expect(await store.dependencies.list({ taskId: (await task('BOOK-2')).id })).toHaveLength(1);
  });
});

describe('dependency edits in the event log', () => {
  it('writes dependency.added and dependency.removed with the edit, and nothing for no change', async () => {
    const book4 = await task('BOOK-4');
    await addTaskDependency(store, events, { task: 'BOOK-4', dependsOn: 'BOOK-1', projectKey: 'BOOK' });
    // The same edge again, and a refused one: no event.
    await addTaskDependency(store, events, { task: 'BOOK-4', dependsOn: 'BOOK-1', projectKey: 'BOOK' });
    await expect(
      addTaskDependency(store, events, { task: 'BOOK-1', dependsOn: 'BOOK-4', projectKey: 'BOOK' }),
    ).rejects.toThrow(ConflictError);
    await removeTaskDependency(store, events, { task: 'BOOK-4', dependsOn: 'BOOK-1', projectKey: 'BOOK' });
    const written = await events.readFrom(0);
    expect(written.map((e) => [e.type, e.task_id, e.project_id, e.blueprint_id, e.data])).toEqual([
      [
        'dependency.added',
        book4.id,
        book4.project_id,
        'BOOK-4',
        { depends_on: 'BOOK-1', policy: 'completion_required', artifact_key: null },
      ],
      ['dependency.removed', book4.id, book4.project_id, 'BOOK-4', { depends_on: 'BOOK-1' }],
    ]);
  });
});

describe('listTaskDependencies', () => {
  it('lists upstream and downstream with the task at the other end, in blueprint order', async () => {
    await addTaskDependency(store, events, { task: 'BOOK-4', dependsOn: 'BOOK-2', projectKey: 'BOOK' });
    const { upstream, downstream } = await listTaskDependencies(store, 'BOOK-2', 'BOOK');
    expect(upstream.map((u) => [u.task.blueprint_id, u.dep.source])).toEqual([['BOOK-1', 'blueprint']]);
    expect(downstream.map((d) => [d.task.blueprint_id, d.dep.source])).toEqual([
      ['BOOK-3', 'blueprint'],
      ['BOOK-4', 'manual'],
    ]);
  });
});
