import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { ConflictError, NotFoundError, UsageError } from '../../src/errors.js';
import {
  addTaskDependency,
  listTaskDependencies,
  removeTaskDependency,
} from '../../src/project/dependencies.js';
import type { Task } from '../../src/project/model.js';
import { SqliteStore } from '../../src/project/sqlite-store.js';
import { makeTask } from './task-factory.js';

let store: SqliteStore;

function addTask(projectId: string, blueprintId: string, order: number): Task {
  const {
    id: _id,
    created_at: _c,
    updated_at: _u,
    overrides: _o,
    review_note: _r,
    reviewed_at: _ra,
    ...rest
  } = makeTask({ blueprint_id: blueprintId, blueprint_order: order });
  return store.createTask({
    ...rest,
    project_id: projectId,
    source_file: 'context/specs/book.md',
    source_line: 10 + order,
  });
}

/** Project BOOK with BOOK-1..BOOK-4, BOOK-3 -> BOOK-2 -> BOOK-1 from the blueprint; project OTHER with BOOK-1. */
beforeEach(() => {
  store = new SqliteStore(openDatabase(':memory:'));
  const book = store.upsertProject({ key: 'BOOK', title: 'Book', blueprint_file: 'context/specs/book.md' });
  const other = store.upsertProject({ key: 'OTHER', title: 'Other', blueprint_file: null });
  const [b1, b2, b3] = [1, 2, 3, 4].map((i) => addTask(book.id, `BOOK-${i}`, i)) as [Task, Task, Task];
  addTask(other.id, 'OTHER-1', 1);
  addTask(other.id, 'BOOK-1', 2);
  store.setDependencies(b2.id, 'blueprint', [
    { depends_on_id: b1.id, policy: 'completion_required', artifact_key: null },
  ]);
  store.setDependencies(b3.id, 'blueprint', [
    { depends_on_id: b2.id, policy: 'completion_required', artifact_key: null },
  ]);
});

afterEach(() => store.close());

const task = (blueprintId: string, project = 'BOOK'): Task => store.resolveTask(blueprintId, project);

describe('addTaskDependency', () => {
  it('records a manual dependency by blueprint ids', () => {
    const dep = addTaskDependency(store, { task: 'BOOK-4', dependsOn: 'BOOK-3', projectKey: 'BOOK' });
    expect(dep).toEqual({
      task_id: task('BOOK-4').id,
      depends_on_id: task('BOOK-3').id,
      policy: 'completion_required',
      artifact_key: null,
      source: 'manual',
    });
    expect(store.listDependencies({ taskId: task('BOOK-4').id })).toEqual([dep]);
  });

  it('accepts task ids and an artifact_ready policy with its key', () => {
    const dep = addTaskDependency(store, {
      task: task('BOOK-4').id,
      dependsOn: task('BOOK-1').id,
      policy: 'artifact_ready',
      artifactKey: 'openapi',
    });
    expect(store.listDependencies({ taskId: task('BOOK-4').id })).toEqual([dep]);
    expect(dep.artifact_key).toBe('openapi');
  });

  it('rejects a dependency that would close a cycle, naming the whole cycle', () => {
    const attempt = (): unknown =>
      addTaskDependency(store, { task: 'BOOK-1', dependsOn: 'BOOK-3', projectKey: 'BOOK' });
    expect(attempt).toThrow(ConflictError);
    expect(attempt).toThrow(
      'adding BOOK-1 -> BOOK-3 would create a cycle: BOOK-1 -> BOOK-3 -> BOOK-2 -> BOOK-1',
    );
    expect(store.listDependencies({ taskId: task('BOOK-1').id })).toEqual([]);
  });

  it('rejects a self-dependency', () => {
    expect(() =>
      addTaskDependency(store, { task: 'BOOK-2', dependsOn: 'BOOK-2', projectKey: 'BOOK' }),
    ).toThrow(new UsageError('BOOK-2 cannot depend on itself'));
  });

  it('rejects tasks of different projects', () => {
    const attempt = (): unknown =>
      addTaskDependency(store, { task: 'OTHER-1', dependsOn: task('BOOK-4').id });
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow('OTHER-1 and BOOK-4 are in different projects');
  });

  it('rejects artifact_ready without a key, and a key with another policy', () => {
    expect(() =>
      addTaskDependency(store, {
        task: 'BOOK-4',
        dependsOn: 'BOOK-1',
        projectKey: 'BOOK',
        policy: 'artifact_ready',
      }),
    ).toThrow(UsageError);
    expect(() =>
      addTaskDependency(store, { task: 'BOOK-4', dependsOn: 'BOOK-1', projectKey: 'BOOK', artifactKey: 'x' }),
    ).toThrow('only applies to artifact_ready');
    expect(store.listDependencies({ taskId: task('BOOK-4').id })).toEqual([]);
  });

  it('passes on the store errors for unknown and ambiguous refs', () => {
    expect(() =>
      addTaskDependency(store, { task: 'BOOK-9', dependsOn: 'BOOK-1', projectKey: 'BOOK' }),
    ).toThrow(NotFoundError);
    // BOOK-1 exists in both projects.
    expect(() => addTaskDependency(store, { task: 'BOOK-4', dependsOn: 'BOOK-1' })).toThrow(UsageError);
  });

  it('changes the policy of an existing dependency and leaves an identical one alone', () => {
    const changed = addTaskDependency(store, {
      task: 'BOOK-2',
      dependsOn: 'BOOK-1',
      projectKey: 'BOOK',
      policy: 'review_ready_ok',
    });
    expect(store.listDependencies({ taskId: task('BOOK-2').id })).toEqual([changed]);
    const same = addTaskDependency(store, { task: 'BOOK-3', dependsOn: 'BOOK-2', projectKey: 'BOOK' });
    expect(same.source).toBe('blueprint');
  });
});

describe('removeTaskDependency', () => {
  it('removes a manual dependency', () => {
    addTaskDependency(store, { task: 'BOOK-4', dependsOn: 'BOOK-1', projectKey: 'BOOK' });
    removeTaskDependency(store, { task: 'BOOK-4', dependsOn: 'BOOK-1', projectKey: 'BOOK' });
    expect(store.listDependencies({ taskId: task('BOOK-4').id })).toEqual([]);
  });

  it('throws NotFoundError when there is no such dependency', () => {
    expect(() =>
      removeTaskDependency(store, { task: 'BOOK-4', dependsOn: 'BOOK-1', projectKey: 'BOOK' }),
    ).toThrow(new NotFoundError('BOOK-4 does not depend on BOOK-1'));
  });

  it('refuses a blueprint dependency, pointing at the blueprint line', () => {
    expect(() =>
      removeTaskDependency(store, { task: 'BOOK-2', dependsOn: 'BOOK-1', projectKey: 'BOOK' }),
    ).toThrow(
      new UsageError(
        'BOOK-2 depends on BOOK-1 in its blueprint (context/specs/book.md:12); remove it there and sync',
      ),
    );
    expect(store.listDependencies({ taskId: task('BOOK-2').id })).toHaveLength(1);
  });
});

describe('listTaskDependencies', () => {
  it('lists upstream and downstream with the task at the other end, in blueprint order', () => {
    addTaskDependency(store, { task: 'BOOK-4', dependsOn: 'BOOK-2', projectKey: 'BOOK' });
    const { upstream, downstream } = listTaskDependencies(store, 'BOOK-2', 'BOOK');
    expect(upstream.map((u) => [u.task.blueprint_id, u.dep.source])).toEqual([['BOOK-1', 'blueprint']]);
    expect(downstream.map((d) => [d.task.blueprint_id, d.dep.source])).toEqual([
      ['BOOK-3', 'blueprint'],
      ['BOOK-4', 'manual'],
    ]);
  });
});
