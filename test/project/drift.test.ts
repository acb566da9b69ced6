// computeDrift on a real store: new, changed, stale and orphaned items without writing anything,
// criteria mapped through Tests: files and {id} patterns, and only the given files' tasks judged.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { computeDrift } from '../../src/project/drift.js';
import { resolveTask } from '../../src/project/resolve.js';
import { openSqliteStore, type SqliteStore } from '../../src/project/sqlite/store.js';
import { syncBlueprints } from '../../src/project/sync.js';
import { makeBlueprint, makeItem, tempDir } from './helpers.js';

describe('computeDrift', () => {
  let store: SqliteStore;
  let ws: { dir: string; cleanup: () => void };
  beforeEach(() => {
    store = openSqliteStore(':memory:');
    ws = tempDir('penguin-drift-');
  });
  afterEach(async () => {
    await store.close();
    ws.cleanup();
  });

  const write = (path: string, text: string) => {
    mkdirSync(join(ws.dir, path, '..'), { recursive: true });
    writeFileSync(join(ws.dir, path), text);
  };
  const spec = (items: ReturnType<typeof makeItem>[]) =>
    makeBlueprint(join(ws.dir, 'specs/book.md'), 'BOOK', items);
  const noCriteria = { acceptance_criteria: [] };

  it('reports an unsynced project as all new', async () => {
    const report = await computeDrift(store, [spec([makeItem('BOOK-1', noCriteria)])], {
      workspaceRoot: ws.dir,
      testPatterns: [],
    });
    expect(report.projects).toEqual([
      {
        key: 'BOOK',
        project_id: null,
        stale: [],
        orphaned: [],
        new: ['BOOK-1'],
        changed: [],
        unmapped_criteria: [],
      },
    ]);
  });

  it('reports items in document order, however the blueprint lists them, with every unmapped criterion', async () => {
    const items = [
      makeItem('BOOK-3', { order: 3, acceptance_criteria: ['c one'] }),
      makeItem('BOOK-1', { order: 1, acceptance_criteria: ['a one', 'a two'] }),
      makeItem('BOOK-2', { order: 2, ...noCriteria }),
    ];
    const report = await computeDrift(store, [spec(items)], { workspaceRoot: ws.dir, testPatterns: [] });
    expect(report.projects[0]?.new).toEqual(['BOOK-1', 'BOOK-2', 'BOOK-3']);
    expect(report.projects[0]?.unmapped_criteria).toEqual([
      { blueprint_id: 'BOOK-1', criterion: 1, text: 'a one' },
      { blueprint_id: 'BOOK-1', criterion: 2, text: 'a two' },
      { blueprint_id: 'BOOK-3', criterion: 1, text: 'c one' },
    ]);
  });

  it('finds new, changed, stale and orphaned items without writing anything', async () => {
    const items = [
      makeItem('BOOK-1', noCriteria),
      makeItem('BOOK-2', noCriteria),
      makeItem('BOOK-3', noCriteria),
    ];
    await syncBlueprints(store, [spec(items)], { workspaceRoot: ws.dir });
    const done = await resolveTask(store, 'BOOK-1');
    await store.transaction((tx) => tx.tasks.transition(done.id, { status: 'running', reason: 'r' }));
    await store.transaction((tx) => tx.tasks.transition(done.id, { status: 'completed', reason: 'r' }));
    const before = await store.tasks.list({ includeOrphaned: true });

    const edited = spec([
      { ...makeItem('BOOK-1', noCriteria), title: 'edited' },
      { ...makeItem('BOOK-2', noCriteria), title: 'edited too' },
      makeItem('BOOK-4', noCriteria),
    ]);
    const report = await computeDrift(store, [edited], { workspaceRoot: ws.dir, testPatterns: [] });
    expect(report.projects[0]).toEqual({
      key: 'BOOK',
      project_id: done.project_id,
      stale: ['BOOK-1'],
      orphaned: ['BOOK-3'],
      new: ['BOOK-4'],
      changed: ['BOOK-1', 'BOOK-2'],
      unmapped_criteria: [],
    });
    expect(await store.tasks.list({ includeOrphaned: true })).toEqual(before);

    // After the sync the flags carry the drift: BOOK-1 stays stale, BOOK-3 stays orphaned.
    await syncBlueprints(store, [edited], { workspaceRoot: ws.dir });
    const after = (await computeDrift(store, [edited], { workspaceRoot: ws.dir, testPatterns: [] }))
      .projects[0];
    expect(after).toMatchObject({ stale: ['BOOK-1'], orphaned: ['BOOK-3'], new: [], changed: [] });
  });

  it('maps criteria through Tests: files and {id} patterns, as given and lower-cased', async () => {
    write(
      'test/health.test.ts',
      `it('BOOK-1 AC1 health answers ok', () => {});\nit('AC3 anything', () => {});\n`,
    );
    write(
      'test/book-2.test.ts',
      `it('BOOK-2 AC2 url unique', () => {});\nit('BOOK-9 AC1 not mine', () => {});\n`,
    );
    write('test/BOOK-3.spec.ts', `// no markers at all\nit('BOOK-3 lists', () => {});\n`);
    write('node_modules/x/test/book-2.test.ts', `it('AC1', () => {});\n`);
    const items = [
      makeItem('BOOK-1', {
        acceptance_criteria: ['health', 'port', 'third'],
        tests: ['test/health.test.ts'],
      }),
      makeItem('BOOK-2', { acceptance_criteria: ['survives', 'unique'], tests: ['BOOK-2 url'] }),
      makeItem('BOOK-3', { acceptance_criteria: ['lists'], tests: ['test/*.spec.ts'] }),
    ];
    const report = await computeDrift(store, [spec(items)], {
      workspaceRoot: ws.dir,
      testPatterns: ['**/{id}.test.ts'],
    });
    expect(report.projects[0]?.unmapped_criteria).toEqual([
      { blueprint_id: 'BOOK-1', criterion: 2, text: 'port' },
      // BOOK-9's AC1 in the lower-cased pattern's file does not count for BOOK-2.
      { blueprint_id: 'BOOK-2', criterion: 1, text: 'survives' },
      // A mapped file without AC markers maps no criterion.
      { blueprint_id: 'BOOK-3', criterion: 1, text: 'lists' },
    ]);
  });

  it('does not judge tasks of other files of the project', async () => {
    const other = makeBlueprint(join(ws.dir, 'specs/other.md'), 'BOOK', [makeItem('BOOK-50', noCriteria)]);
    await syncBlueprints(store, [spec([makeItem('BOOK-1', noCriteria)]), other], { workspaceRoot: ws.dir });
    const report = await computeDrift(store, [spec([makeItem('BOOK-1', noCriteria)])], {
      workspaceRoot: ws.dir,
      testPatterns: [],
    });
    expect(report.projects[0]?.orphaned).toEqual([]);
  });
});
