// syncBlueprints on a real store: first sync, no-op resync, changed content marking done tasks stale,
// orphaning and revival, manual dependencies kept, and nothing written on any error (checked by snapshot).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventLog } from '../../src/events/log.js';
import type { Task } from '../../src/project/model.js';
import { resolveTask } from '../../src/project/resolve.js';
import { openSqliteStore, type SqliteStore } from '../../src/project/sqlite/store.js';
import type { Store, StoreTx } from '../../src/project/store.js';
import { syncBlueprints } from '../../src/project/sync.js';
import { makeBlueprint, makeItem } from './helpers.js';

const ROOT = '/ws';
const opts = { workspaceRoot: ROOT };

/** Everything the project part of the store holds, to prove that something wrote nothing. */
async function snapshot(store: Store): Promise<unknown> {
  const tasks = await store.tasks.list({ includeOrphaned: true });
  const transitions = [];
  for (const task of tasks) transitions.push(await store.transitions.list(task.id));
  return {
    projects: await store.projects.list(),
    tasks,
    dependencies: await store.dependencies.list(),
    transitions,
  };
}

function bookmarks(overrides: { items?: ReturnType<typeof makeItem>[] } = {}) {
  return makeBlueprint(
    `${ROOT}/context/specs/book.md`,
    'BOOK',
    overrides.items ?? [
      makeItem('BOOK-1', { checked: true }),
      makeItem('BOOK-2', { depends_on: ['BOOK-1'] }),
      makeItem('BOOK-3', {
        depends_on: ['BOOK-1', 'BOOK-2'],
        dependency_specs: [{ task_id: 'BOOK-2', policy: 'review_ready_ok' }],
      }),
      makeItem('BOOK-3A', { parent_id: 'BOOK-3' }),
      makeItem('BOOK-4', {
        dependency_specs: [{ task_id: 'BOOK-3', policy: 'artifact_ready', artifact_key: 'openapi' }],
      }),
    ],
    { title: 'Bookmarks' },
  );
}

describe('syncBlueprints', () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = openSqliteStore(':memory:');
  });
  afterEach(() => store.close());

  const task = (id: string): Promise<Task> => resolveTask(store, id, 'BOOK');

  it('creates the project, tasks and dependencies on the first sync', async () => {
    const report = await syncBlueprints(store, [bookmarks()], opts);
    expect(report.ok).toBe(true);
    expect(report.projects).toEqual([
      {
        project_id: expect.any(String),
        key: 'BOOK',
        created: ['BOOK-1', 'BOOK-2', 'BOOK-3', 'BOOK-3A', 'BOOK-4'],
        updated: [],
        unchanged: [],
        stale: [],
        orphaned: [],
      },
    ]);
    expect(await store.projects.getByKey('BOOK')).toMatchObject({
      title: 'Bookmarks',
      blueprint_file: 'context/specs/book.md',
    });
    expect(await task('BOOK-2')).toMatchObject({
      status: 'active',
      phase: 'pending',
      source_file: 'context/specs/book.md',
      source_line: 11,
      blueprint_order: 1,
    });
    expect((await task('BOOK-3A')).parent_id).toBe('BOOK-3');

    // [x] imports as completed, with the reason in the history.
    expect(await task('BOOK-1')).toMatchObject({ status: 'completed', phase: 'done' });
    expect(await store.transitions.list((await task('BOOK-1')).id)).toMatchObject([
      { to_status: 'completed', reason: 'imported as completed' },
    ]);
    expect(await store.transitions.list((await task('BOOK-2')).id)).toEqual([]);

    const deps = async (id: string): Promise<unknown[][]> => {
      const rows = [];
      for (const d of await store.dependencies.list({ taskId: (await task(id)).id })) {
        rows.push([
          (await store.tasks.get(d.depends_on_id))?.blueprint_id,
          d.policy,
          d.artifact_key,
          d.source,
        ]);
      }
      return rows;
    };
    expect((await deps('BOOK-3')).sort()).toEqual([
      ['BOOK-1', 'completion_required', null, 'blueprint'],
      ['BOOK-2', 'review_ready_ok', null, 'blueprint'],
    ]);
    expect(await deps('BOOK-4')).toEqual([['BOOK-3', 'artifact_ready', 'openapi', 'blueprint']]);
  });

  it('changes nothing on a second sync of the same files', async () => {
    await syncBlueprints(store, [bookmarks()], opts);
    const before = await snapshot(store);
    await new Promise((r) => setTimeout(r, 5));
    const report = await syncBlueprints(store, [bookmarks()], opts);
    expect(report.ok).toBe(true);
    expect(report.projects[0]).toMatchObject({
      created: [],
      updated: [],
      stale: [],
      orphaned: [],
      unchanged: ['BOOK-1', 'BOOK-2', 'BOOK-3', 'BOOK-3A', 'BOOK-4'],
    });
    expect(await snapshot(store)).toEqual(before);
  });

  it('updates changed content, keeps status and phase, and marks done tasks stale', async () => {
    await syncBlueprints(store, [bookmarks()], opts);
    const book2 = (await task('BOOK-2')).id;
    await store.transaction((tx) =>
      tx.tasks.transition(book2, { status: 'running', phase: 'test', reason: 'run' }),
    );
    const edited = bookmarks();
    edited.items = edited.items.map((item) =>
      item.id === 'BOOK-1' || item.id === 'BOOK-2'
        ? { ...item, acceptance_criteria: [...item.acceptance_criteria, 'more'] }
        : item,
    );
    const report = await syncBlueprints(store, [edited], opts);
    expect(report.projects[0]).toMatchObject({ updated: ['BOOK-1', 'BOOK-2'], stale: ['BOOK-1'] });
    expect(await task('BOOK-1')).toMatchObject({ status: 'completed', phase: 'done', stale: true });
    expect((await task('BOOK-1')).acceptance_criteria).toEqual(['BOOK-1 works', 'more']);
    expect(await task('BOOK-2')).toMatchObject({ status: 'running', phase: 'test', stale: false });
    expect(await store.transitions.list((await task('BOOK-2')).id)).toHaveLength(1);
  });

  it('writes its events in its transaction: each task created, each task gone stale, one synced; none when unchanged', async () => {
    const events = new EventLog(store);
    const withEvents = { ...opts, events };
    await syncBlueprints(store, [bookmarks()], withEvents);
    const first = await events.readFrom(0);
    expect(first.map((e) => `${e.type} ${e.blueprint_id ?? ''}`.trim())).toEqual([
      'task.created BOOK-1',
      'task.created BOOK-2',
      'task.created BOOK-3',
      'task.created BOOK-3A',
      'task.created BOOK-4',
      'blueprint.synced',
    ]);
    expect(first[0]).toMatchObject({ task_id: (await task('BOOK-1')).id, data: { title: 'Task BOOK-1' } });
    expect(first.at(-1)?.data).toEqual({ files: ['context/specs/book.md'], projects: ['BOOK'] });

    await syncBlueprints(store, [bookmarks()], withEvents);
    expect(await events.readFrom(first.at(-1)!.seq)).toEqual([]);

    const edited = bookmarks();
    edited.items = edited.items.map((item) =>
      item.id === 'BOOK-1' ? { ...item, acceptance_criteria: [...item.acceptance_criteria, 'more'] } : item,
    );
    await syncBlueprints(store, [edited], withEvents);
    const later = await events.readFrom(first.at(-1)!.seq);
    expect(later.map((e) => `${e.type} ${e.blueprint_id ?? ''}`.trim())).toEqual([
      'task.stale BOOK-1',
      'blueprint.synced',
    ]);
  });

  it('does not complete an existing task whose item gets ticked later', async () => {
    const first = bookmarks();
    await syncBlueprints(store, [first], opts);
    const ticked = bookmarks();
    ticked.items = ticked.items.map((item) => ({ ...item, checked: true }));
    const report = await syncBlueprints(store, [ticked], opts);
    expect(report.projects[0]?.updated).toEqual([]);
    expect((await task('BOOK-2')).status).toBe('active');
  });

  it('orphans tasks of removed items, never deletes them, and brings them back', async () => {
    await syncBlueprints(store, [bookmarks()], opts);
    const full = bookmarks();
    const without = { ...full, items: full.items.filter((i) => i.id !== 'BOOK-4') };
    let report = await syncBlueprints(store, [without], opts);
    expect(report.projects[0]?.orphaned).toEqual(['BOOK-4']);
    expect((await task('BOOK-4')).orphaned).toBe(true);
    const projectId = (await task('BOOK-1')).project_id;
    expect((await store.tasks.list({ projectId })).map((t) => t.blueprint_id)).not.toContain('BOOK-4');

    // Already orphaned: not reported again, nothing written.
    const before = await snapshot(store);
    report = await syncBlueprints(store, [without], opts);
    expect(report.projects[0]?.orphaned).toEqual([]);
    expect(await snapshot(store)).toEqual(before);

    report = await syncBlueprints(store, [full], opts);
    expect(report.projects[0]?.updated).toEqual(['BOOK-4']);
    expect((await task('BOOK-4')).orphaned).toBe(false);
  });

  it('only orphans tasks fed by the files being synced', async () => {
    const a = makeBlueprint(`${ROOT}/specs/a.md`, 'BOOK', [makeItem('BOOK-1'), makeItem('BOOK-2')]);
    const b = makeBlueprint(`${ROOT}/specs/b.md`, 'BOOK', [makeItem('BOOK-10', { depends_on: ['BOOK-1'] })]);
    const report = await syncBlueprints(store, [a, b], opts);
    expect(report.projects).toHaveLength(1);
    expect(report.projects[0]?.created).toEqual(['BOOK-1', 'BOOK-2', 'BOOK-10']);
    expect(await task('BOOK-10')).toMatchObject({ source_file: 'specs/b.md', blueprint_order: 2 });

    // Syncing b alone: BOOK-10 (from b) is orphaned, a's tasks are untouched and still resolve as upstreams.
    const bEdited = makeBlueprint(`${ROOT}/specs/b.md`, 'BOOK', [
      makeItem('BOOK-11', { depends_on: ['BOOK-2'] }),
    ]);
    const second = await syncBlueprints(store, [bEdited], opts);
    expect(second.ok).toBe(true);
    expect(second.projects[0]?.orphaned).toEqual(['BOOK-10']);
    expect((await task('BOOK-1')).orphaned).toBe(false);
    expect((await task('BOOK-2')).orphaned).toBe(false);
  });

  it('keeps manual dependencies when blueprint ones are replaced', async () => {
    await syncBlueprints(store, [bookmarks()], opts);
    const dep = {
      task_id: (await task('BOOK-4')).id,
      depends_on_id: (await task('BOOK-1')).id,
      policy: 'completion_required',
      artifact_key: null,
      source: 'manual',
    } as const;
    await store.transaction((tx) => tx.dependencies.add(dep));
    const edited = bookmarks();
    edited.items = edited.items.map((item) =>
      item.id === 'BOOK-4' ? { ...item, dependency_specs: [], depends_on: ['BOOK-2'] } : item,
    );
    await syncBlueprints(store, [edited], opts);
    const deps = [];
    for (const d of await store.dependencies.list({ taskId: (await task('BOOK-4')).id })) {
      deps.push([(await store.tasks.get(d.depends_on_id))?.blueprint_id, d.source]);
    }
    expect(deps.sort()).toEqual([
      ['BOOK-1', 'manual'],
      ['BOOK-2', 'blueprint'],
    ]);
  });

  it('writes a moved item’s new position but reports it unchanged', async () => {
    await syncBlueprints(store, [bookmarks()], opts);
    const moved = bookmarks();
    moved.items = moved.items.map((item) => ({ ...item, line: item.line + 5 }));
    const report = await syncBlueprints(store, [moved], opts);
    expect(report.projects[0]?.unchanged).toHaveLength(5);
    expect((await task('BOOK-1')).source_line).toBe(15);
  });

  describe('writes nothing when', () => {
    it('a blueprint has an error diagnostic', async () => {
      const bad = bookmarks();
      bad.diagnostics = [
        { code: 'BP-PARSE-005', severity: 'error', message: 'bad priority', file: bad.file, line: 3 },
      ];
      const report = await syncBlueprints(store, [bookmarks(), bad], opts);
      expect(report).toEqual({ ok: false, projects: [], diagnostics: bad.diagnostics });
      expect(await store.projects.list()).toEqual([]);
    });

    it('a dependency names no task of the project', async () => {
      await syncBlueprints(store, [bookmarks()], opts);
      const before = await snapshot(store);
      const edited = bookmarks();
      edited.items = [...edited.items, makeItem('BOOK-9', { depends_on: ['BOOK-404'], line: 99 })];
      const report = await syncBlueprints(store, [edited], opts);
      expect(report.ok).toBe(false);
      expect(report.diagnostics).toEqual([
        {
          code: 'BP-LINT-002',
          severity: 'error',
          message: 'task BOOK-9 depends on BOOK-404, which is not a task of project BOOK',
          file: edited.file,
          line: 99,
        },
      ]);
      expect(await snapshot(store)).toEqual(before);
    });

    it('the dependencies form a cycle, naming the whole cycle', async () => {
      const cyclic = makeBlueprint(`${ROOT}/c.md`, 'CYC', [
        makeItem('C-1', { depends_on: ['C-3'] }),
        makeItem('C-2', { depends_on: ['C-1'] }),
        makeItem('C-3', { depends_on: ['C-2'] }),
      ]);
      const report = await syncBlueprints(store, [cyclic], opts);
      expect(report.ok).toBe(false);
      expect(report.diagnostics).toMatchObject([
        {
          code: 'BP-LINT-003',
          severity: 'error',
          message: 'dependency cycle in project CYC: C-1 -> C-3 -> C-2 -> C-1',
          line: 10,
        },
      ]);
      expect(await store.projects.list()).toEqual([]);
    });

    it('two files of one project define the same id', async () => {
      const a = makeBlueprint(`${ROOT}/a.md`, 'BOOK', [makeItem('BOOK-1')]);
      const b = makeBlueprint(`${ROOT}/b.md`, 'BOOK', [makeItem('BOOK-1')]);
      const report = await syncBlueprints(store, [a, b], opts);
      expect(report.ok).toBe(false);
      expect(report.diagnostics).toMatchObject([
        {
          code: 'BP-LINT-001',
          file: `${ROOT}/b.md`,
          message: 'duplicate task id BOOK-1 in project BOOK (first defined in a.md line 10)',
        },
      ]);
      expect(await store.projects.list()).toEqual([]);
    });

    it('an error is thrown in the middle of the transaction', async () => {
      await syncBlueprints(store, [bookmarks()], opts);
      const before = await snapshot(store);
      // The same store on the same connection, failing on the second task it is asked to create.
      // The same store, failing after it created the first of the tasks it is asked to create.
      const failing = Object.assign(Object.create(store) as Store, {
        transaction: <T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> =>
          store.transaction((tx) => {
            const tasks = Object.create(tx.tasks, {
              createMany: {
                value: async (creations: Parameters<StoreTx['tasks']['createMany']>[0]) => {
                  await tx.tasks.create(creations[0]!.task, creations[0]!.reason);
                  throw new Error('disk on fire');
                },
              },
            }) as StoreTx['tasks'];
            return fn({ ...tx, tasks });
          }),
      });
      const edited = bookmarks();
      edited.items = [
        ...edited.items.map((item) => (item.id === 'BOOK-1' ? { ...item, title: 'changed' } : item)),
        makeItem('BOOK-7'),
        makeItem('BOOK-8'),
      ].filter((item) => item.id !== 'BOOK-4');
      await expect(syncBlueprints(failing, [edited], opts)).rejects.toThrow('disk on fire');
      expect(await snapshot(store)).toEqual(before);
    });
  });
});
