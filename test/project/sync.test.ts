import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { SqliteStore } from '../../src/project/sqlite-store.js';
import type { NewTask } from '../../src/project/store.js';
import { syncBlueprints } from '../../src/project/sync.js';
import { makeBlueprint, makeItem } from './helpers.js';

const ROOT = '/ws';
const opts = { workspaceRoot: ROOT };

/** Every row of the store's tables, to prove that something wrote nothing. */
function snapshot(store: SqliteStore): unknown {
  const all = (sql: string): unknown[] => store.db.prepare(sql).all();
  return {
    projects: all('SELECT * FROM projects ORDER BY id'),
    tasks: all('SELECT * FROM tasks ORDER BY id'),
    dependencies: all('SELECT * FROM dependencies ORDER BY task_id, depends_on_id'),
    transitions: all('SELECT * FROM transitions ORDER BY seq'),
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
    store = new SqliteStore(openDatabase(':memory:'));
  });
  afterEach(() => store.close());

  const task = (id: string) => store.resolveTask(id, 'BOOK');

  it('creates the project, tasks and dependencies on the first sync', () => {
    const report = syncBlueprints(store, [bookmarks()], opts);
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
    expect(store.getProjectByKey('BOOK')).toMatchObject({
      title: 'Bookmarks',
      blueprint_file: 'context/specs/book.md',
    });
    expect(task('BOOK-2')).toMatchObject({
      status: 'active',
      phase: 'pending',
      source_file: 'context/specs/book.md',
      source_line: 11,
      blueprint_order: 1,
    });
    expect(task('BOOK-3A').parent_id).toBe('BOOK-3');

    // [x] imports as completed, with the reason in the history.
    expect(task('BOOK-1')).toMatchObject({ status: 'completed', phase: 'done' });
    expect(store.listTransitions(task('BOOK-1').id)).toMatchObject([
      { to_status: 'completed', reason: 'imported as completed' },
    ]);
    expect(store.listTransitions(task('BOOK-2').id)).toEqual([]);

    const deps = (id: string) =>
      store
        .listDependencies({ taskId: task(id).id })
        .map((d) => [store.getTask(d.depends_on_id)?.blueprint_id, d.policy, d.artifact_key, d.source]);
    expect(deps('BOOK-3').sort()).toEqual([
      ['BOOK-1', 'completion_required', null, 'blueprint'],
      ['BOOK-2', 'review_ready_ok', null, 'blueprint'],
    ]);
    expect(deps('BOOK-4')).toEqual([['BOOK-3', 'artifact_ready', 'openapi', 'blueprint']]);
  });

  it('changes nothing on a second sync of the same files', async () => {
    syncBlueprints(store, [bookmarks()], opts);
    const before = snapshot(store);
    await new Promise((r) => setTimeout(r, 5));
    const report = syncBlueprints(store, [bookmarks()], opts);
    expect(report.ok).toBe(true);
    expect(report.projects[0]).toMatchObject({
      created: [],
      updated: [],
      stale: [],
      orphaned: [],
      unchanged: ['BOOK-1', 'BOOK-2', 'BOOK-3', 'BOOK-3A', 'BOOK-4'],
    });
    expect(snapshot(store)).toEqual(before);
  });

  it('updates changed content, keeps status and phase, and marks done tasks stale', () => {
    syncBlueprints(store, [bookmarks()], opts);
    store.transitionTask(task('BOOK-2').id, { status: 'running', phase: 'test', reason: 'run' });
    const edited = bookmarks();
    edited.items = edited.items.map((item) =>
      item.id === 'BOOK-1' || item.id === 'BOOK-2'
        ? { ...item, acceptance_criteria: [...item.acceptance_criteria, 'more'] }
        : item,
    );
    const report = syncBlueprints(store, [edited], opts);
    expect(report.projects[0]).toMatchObject({ updated: ['BOOK-1', 'BOOK-2'], stale: ['BOOK-1'] });
    expect(task('BOOK-1')).toMatchObject({ status: 'completed', phase: 'done', stale: true });
    expect(task('BOOK-1').acceptance_criteria).toEqual(['BOOK-1 works', 'more']);
    expect(task('BOOK-2')).toMatchObject({ status: 'running', phase: 'test', stale: false });
    expect(store.listTransitions(task('BOOK-2').id)).toHaveLength(1);
  });

  it('does not complete an existing task whose item gets ticked later', () => {
    const first = bookmarks();
    syncBlueprints(store, [first], opts);
    const ticked = bookmarks();
    ticked.items = ticked.items.map((item) => ({ ...item, checked: true }));
    const report = syncBlueprints(store, [ticked], opts);
    expect(report.projects[0]?.updated).toEqual([]);
    expect(task('BOOK-2').status).toBe('active');
  });

  it('orphans tasks of removed items, never deletes them, and brings them back', () => {
    syncBlueprints(store, [bookmarks()], opts);
    const full = bookmarks();
    const without = { ...full, items: full.items.filter((i) => i.id !== 'BOOK-4') };
    let report = syncBlueprints(store, [without], opts);
    expect(report.projects[0]?.orphaned).toEqual(['BOOK-4']);
    expect(task('BOOK-4').orphaned).toBe(true);
    expect(
      store.listTasks({ projectId: task('BOOK-1').project_id }).map((t) => t.blueprint_id),
    ).not.toContain('BOOK-4');

    // Already orphaned: not reported again, nothing written.
    const before = snapshot(store);
    report = syncBlueprints(store, [without], opts);
    expect(report.projects[0]?.orphaned).toEqual([]);
    expect(snapshot(store)).toEqual(before);

    report = syncBlueprints(store, [full], opts);
    expect(report.projects[0]?.updated).toEqual(['BOOK-4']);
    expect(task('BOOK-4').orphaned).toBe(false);
  });

  it('only orphans tasks fed by the files being synced', () => {
    const a = makeBlueprint(`${ROOT}/specs/a.md`, 'BOOK', [makeItem('BOOK-1'), makeItem('BOOK-2')]);
    const b = makeBlueprint(`${ROOT}/specs/b.md`, 'BOOK', [makeItem('BOOK-10', { depends_on: ['BOOK-1'] })]);
    const report = syncBlueprints(store, [a, b], opts);
    expect(report.projects).toHaveLength(1);
    expect(report.projects[0]?.created).toEqual(['BOOK-1', 'BOOK-2', 'BOOK-10']);
    expect(task('BOOK-10')).toMatchObject({ source_file: 'specs/b.md', blueprint_order: 2 });

    // Syncing b alone: BOOK-10 (from b) is orphaned, a's tasks are untouched and still resolve as upstreams.
    const bEdited = makeBlueprint(`${ROOT}/specs/b.md`, 'BOOK', [
      makeItem('BOOK-11', { depends_on: ['BOOK-2'] }),
    ]);
    const second = syncBlueprints(store, [bEdited], opts);
    expect(second.ok).toBe(true);
    expect(second.projects[0]?.orphaned).toEqual(['BOOK-10']);
    expect(task('BOOK-1').orphaned).toBe(false);
    expect(task('BOOK-2').orphaned).toBe(false);
  });

  it('keeps manual dependencies when blueprint ones are replaced', () => {
    syncBlueprints(store, [bookmarks()], opts);
    store.addDependency({
      task_id: task('BOOK-4').id,
      depends_on_id: task('BOOK-1').id,
      policy: 'completion_required',
      artifact_key: null,
      source: 'manual',
    });
    const edited = bookmarks();
    edited.items = edited.items.map((item) =>
      item.id === 'BOOK-4' ? { ...item, dependency_specs: [], depends_on: ['BOOK-2'] } : item,
    );
    syncBlueprints(store, [edited], opts);
    const deps = store
      .listDependencies({ taskId: task('BOOK-4').id })
      .map((d) => [store.getTask(d.depends_on_id)?.blueprint_id, d.source]);
    expect(deps.sort()).toEqual([
      ['BOOK-1', 'manual'],
      ['BOOK-2', 'blueprint'],
    ]);
  });

  it('writes a moved item’s new position but reports it unchanged', () => {
    syncBlueprints(store, [bookmarks()], opts);
    const moved = bookmarks();
    moved.items = moved.items.map((item) => ({ ...item, line: item.line + 5 }));
    const report = syncBlueprints(store, [moved], opts);
    expect(report.projects[0]?.unchanged).toHaveLength(5);
    expect(task('BOOK-1').source_line).toBe(15);
  });

  describe('writes nothing when', () => {
    it('a blueprint has an error diagnostic', () => {
      const bad = bookmarks();
      bad.diagnostics = [
        { code: 'BP-PARSE-005', severity: 'error', message: 'bad priority', file: bad.file, line: 3 },
      ];
      const report = syncBlueprints(store, [bookmarks(), bad], opts);
      expect(report).toEqual({ ok: false, projects: [], diagnostics: bad.diagnostics });
      expect(store.listProjects()).toEqual([]);
    });

    it('a dependency names no task of the project', () => {
      syncBlueprints(store, [bookmarks()], opts);
      const before = snapshot(store);
      const edited = bookmarks();
      edited.items = [...edited.items, makeItem('BOOK-9', { depends_on: ['BOOK-404'], line: 99 })];
      const report = syncBlueprints(store, [edited], opts);
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
      expect(snapshot(store)).toEqual(before);
    });

    it('the dependencies form a cycle, naming the whole cycle', () => {
      const cyclic = makeBlueprint(`${ROOT}/c.md`, 'CYC', [
        makeItem('C-1', { depends_on: ['C-3'] }),
        makeItem('C-2', { depends_on: ['C-1'] }),
        makeItem('C-3', { depends_on: ['C-2'] }),
      ]);
      const report = syncBlueprints(store, [cyclic], opts);
      expect(report.ok).toBe(false);
      expect(report.diagnostics).toMatchObject([
        {
          code: 'BP-LINT-003',
          severity: 'error',
          message: 'dependency cycle in project CYC: C-1 -> C-3 -> C-2 -> C-1',
          line: 10,
        },
      ]);
      expect(store.listProjects()).toEqual([]);
    });

    it('two files of one project define the same id', () => {
      const a = makeBlueprint(`${ROOT}/a.md`, 'BOOK', [makeItem('BOOK-1')]);
      const b = makeBlueprint(`${ROOT}/b.md`, 'BOOK', [makeItem('BOOK-1')]);
      const report = syncBlueprints(store, [a, b], opts);
      expect(report.ok).toBe(false);
      expect(report.diagnostics).toMatchObject([
        {
          code: 'BP-LINT-001',
          file: `${ROOT}/b.md`,
          message: 'duplicate task id BOOK-1 in project BOOK (first defined in a.md line 10)',
        },
      ]);
      expect(store.listProjects()).toEqual([]);
    });

    it('an error is thrown in the middle of the transaction', () => {
      syncBlueprints(store, [bookmarks()], opts);
      const before = snapshot(store);
      // The same store on the same connection, failing on the second task it is asked to create.
      class FailingStore extends SqliteStore {
        private creates = 0;
        override createTask(input: NewTask, reason?: string) {
          this.creates += 1;
          if (this.creates === 2) throw new Error('disk on fire');
          return super.createTask(input, reason);
        }
      }
      const failing = new FailingStore(store.db);
      const edited = bookmarks();
      edited.items = [
        ...edited.items.map((item) => (item.id === 'BOOK-1' ? { ...item, title: 'changed' } : item)),
        makeItem('BOOK-7'),
        makeItem('BOOK-8'),
      ].filter((item) => item.id !== 'BOOK-4');
      expect(() => syncBlueprints(failing, [edited], opts)).toThrow('disk on fire');
      expect(snapshot(store)).toEqual(before);
    });
  });
});
