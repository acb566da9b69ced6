// What only the SQLite store does, beyond the Store contract (test/project/store.contract.ts): its
// migrations, under the ids the parts used when each applied its own, so an existing workspace opens
// without a change; the read-only view of a workspace Penguin cannot write; SQLite's own errors.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/database.js';
import { migrate } from '../../../src/db/migrations.js';
import {
  ALL_MIGRATIONS,
  artifactMigrations,
  eventMigrations,
  orchestrationMigrations,
  projectMigrations,
} from '../../../src/project/sqlite/migrations.js';
import { openSqliteSnapshot, openSqliteStore, SqliteStore } from '../../../src/project/sqlite/store.js';
import { tempDir } from '../helpers.js';
import { newTask } from '../task-factory.js';

const IDS = [
  'project-001-initial',
  'events-001',
  'orchestration-001',
  'orchestration-002',
  'artifacts-001',
  'scheduler-001',
];

describe('SQLite store migrations', () => {
  let dir: { dir: string; cleanup: () => void };
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.cleanup());

  it('applies every part’s migrations once, under their released ids', async () => {
    const db = openDatabase(':memory:');
    const store = new SqliteStore(db);
    expect(db.prepare('SELECT id FROM schema_migrations ORDER BY id').pluck().all()).toEqual([...IDS].sort());
    expect(ALL_MIGRATIONS.map((m) => m.id).sort()).toEqual([...IDS].sort());
    // A second store on the same connection finds them applied and does not fail on CREATE TABLE.
    expect(() => new SqliteStore(db)).not.toThrow();
    expect(migrate(db, ALL_MIGRATIONS)).toEqual([]);
    await store.close();
  });

  it('opens a workspace whose parts applied their migrations themselves, in the old order', async () => {
    const file = join(dir.dir, 'penguin.db');
    const old = openDatabase(file);
    // The order the old parts opened in: the task store, the event log, the artifact store, the engine.
    for (const list of [projectMigrations, eventMigrations, artifactMigrations, orchestrationMigrations]) {
      migrate(old, list);
    }
    old.close();
    const store = openSqliteStore(file, { mustExist: true });
    const p = await store.transaction((tx) =>
      tx.projects.upsert({ key: 'A', title: null, blueprint_file: null }),
    );
    await store.transaction((tx) => tx.tasks.create(newTask(p.id, 'A-1', { content_hash: 'h' })));
    expect(await store.tasks.list()).toHaveLength(1);
    await store.close();
    const check = openDatabase(file);
    expect(check.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(IDS.length);
    check.close();
  });

  it('orchestration-002 derives attempt_state of live runs from their steps', async () => {
    const db = openDatabase(':memory:');
    migrate(db, orchestrationMigrations.slice(0, 1));
    const now = new Date().toISOString();
    const insert = db.prepare(
      `INSERT INTO workflows (id, task_id, project_id, blueprint_id, state, phase, iteration, attempt, started_at, updated_at)
       VALUES (?, ?, 'p-1', 'B', ?, ?, 1, ?, ?, ?)`,
    );
    const step = db.prepare(
      `INSERT INTO workflow_steps (workflow_id, phase, iteration, attempt, idempotency_key, outcome, started_at)
       VALUES (?, ?, 1, ?, ?, ?, ?)`,
    );
    insert.run('wf-open', 't-1', 'running', 'test', 2, now, now);
    step.run('wf-open', 'test', 2, 'wf-open:test:1:2', null, now);
    insert.run('wf-spent', 't-2', 'paused', 'implement', 1, now, now);
    step.run('wf-spent', 'implement', 1, 'wf-spent:implement:1:1', 'abandoned', now);
    insert.run('wf-fresh', 't-3', 'paused', 'use', 1, now, now);
    step.run('wf-fresh', 'test', 1, 'wf-fresh:test:1:1', 'passed', now);

    const store = new SqliteStore(db);
    const state = async (id: string): Promise<string | undefined> =>
      (await store.workflows.get(id))?.attempt_state;
    expect([await state('wf-open'), await state('wf-spent'), await state('wf-fresh')]).toEqual([
      'open',
      'spent',
      'fresh',
    ]);
    expect(await store.workflows.get('wf-open')).toMatchObject({
      reverifications: 0,
      feedback: [],
      resumed: false,
    });
    await store.close();
  });
});

describe('SQLite store specifics', () => {
  let dir: { dir: string; cleanup: () => void };
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.cleanup());

  it('names SQLite’s constraint in the error for a blueprint id used twice', async () => {
    const store = new SqliteStore(openDatabase(':memory:'));
    const p = await store.transaction((tx) =>
      tx.projects.upsert({ key: 'A', title: null, blueprint_file: null }),
    );
    await store.transaction((tx) => tx.tasks.create(newTask(p.id, 'A-1')));
    await expect(store.transaction((tx) => tx.tasks.create(newTask(p.id, 'A-1')))).rejects.toThrow(/UNIQUE/);
    await store.close();
  });

  it('reads a snapshot migrated in a private copy, and refuses writes as read-only', async () => {
    const penguinDir = join(dir.dir, '.penguin');
    mkdirSync(penguinDir);
    const file = join(penguinDir, 'penguin.db');
    // A workspace synced by a version whose store held only the project tables.
    const old = openDatabase(file);
    migrate(old, projectMigrations);
    old.close();
    const writer = openSqliteStore(file);
    const p = await writer.transaction((tx) =>
      tx.projects.upsert({ key: 'A', title: null, blueprint_file: null }),
    );
    await writer.close();
    const bare = openDatabase(file);
    bare.prepare("DELETE FROM schema_migrations WHERE id <> 'project-001-initial'").run();
    bare.exec(
      'DROP TABLE events; DROP TABLE workflow_steps; DROP TABLE signals; DROP TABLE workflows; DROP TABLE artifacts; DROP TABLE scheduler_claims',
    );
    bare.close();
    const store = openSqliteSnapshot(file);
    expect((await store.projects.list()).map((x) => x.id)).toEqual([p.id]);
    // Every part's tables are there to read (empty).
    expect(await store.workflows.list()).toEqual([]);
    expect(await store.events.lastSeq()).toBe(0);
    await expect(
      store.transaction((tx) => tx.projects.upsert({ key: 'B', title: null, blueprint_file: null })),
    ).rejects.toMatchObject({ code: expect.stringMatching(/^SQLITE_READONLY/) });
    await store.close();
  });
});
