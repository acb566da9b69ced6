import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { ConflictError, NotFoundError, UsageError } from '../../src/errors.js';
import { runCommand } from '../../src/ituv/process.js';
import { newTaskId } from '../../src/project/ids.js';
import { projectMigrations } from '../../src/project/migrations.js';
import { openStore, SqliteStore } from '../../src/project/sqlite-store.js';
import type { NewTask } from '../../src/project/store.js';
import { tempDir } from './helpers.js';
import { newTask as newProjectTask } from './task-factory.js';

/** A new task whose content hash is 'h' unless `overrides` sets one. */
function newTask(projectId: string, blueprintId: string, overrides: Partial<NewTask> = {}): NewTask {
  return newProjectTask(projectId, blueprintId, { content_hash: 'h', ...overrides });
}

describe('newTaskId', () => {
  it('gives short, distinct, base32 ids', () => {
    const ids = new Set(Array.from({ length: 2000 }, () => newTaskId()));
    expect(ids.size).toBe(2000);
    for (const id of ids) expect(id).toMatch(/^t-[0-9a-hjkmnp-tv-z]{8}$/);
  });
});

describe('SqliteStore', () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = new SqliteStore(openDatabase(':memory:'));
  });
  afterEach(() => store.close());

  it('applies its migrations once and records them', () => {
    const ids = store.db.prepare('SELECT id FROM schema_migrations').pluck().all();
    expect(ids).toEqual(projectMigrations.map((m) => m.id));
    // A second store on the same connection finds them applied and does not fail on CREATE TABLE.
    expect(() => new SqliteStore(store.db)).not.toThrow();
  });

  it('round-trips every task field', () => {
    const project = store.upsertProject({ key: 'BOOK', title: 'Bookmarks', blueprint_file: 'specs/book.md' });
    const created = store.createTask(
      newTask(project.id, 'BOOK-1', {
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
    expect(store.getTask(created.id)).toEqual(created);
    expect(store.getTaskByBlueprintId(project.id, 'BOOK-1')).toEqual(created);
    expect(created).toMatchObject({ stale: false, orphaned: false, overrides: [], parallelizable: false });
  });

  it('upserts a project without rewriting an unchanged one', () => {
    const first = store.upsertProject({ key: 'BOOK', title: 'A', blueprint_file: null });
    const same = store.upsertProject({ key: 'BOOK', title: 'A', blueprint_file: null });
    expect(same).toEqual(first);
    const renamed = store.upsertProject({ key: 'BOOK', title: 'B', blueprint_file: 'x.md' });
    expect(renamed.id).toBe(first.id);
    expect(store.getProject(first.id)).toMatchObject({ title: 'B', blueprint_file: 'x.md' });
    expect(store.listProjects()).toHaveLength(1);
  });

  it('lists tasks by project and status, leaving orphaned ones out unless asked', () => {
    const a = store.upsertProject({ key: 'A', title: null, blueprint_file: null });
    const b = store.upsertProject({ key: 'B', title: null, blueprint_file: null });
    store.createTask(newTask(a.id, 'A-1', { blueprint_order: 1 }));
    store.createTask(newTask(a.id, 'A-2', { blueprint_order: 0, status: 'completed', phase: 'done' }));
    store.createTask(newTask(a.id, 'A-3', { blueprint_order: 2, orphaned: true }));
    store.createTask(newTask(b.id, 'B-1'));
    expect(store.listTasks({ projectId: a.id }).map((t) => t.blueprint_id)).toEqual(['A-2', 'A-1']);
    expect(store.listTasks({ projectId: a.id, includeOrphaned: true }).map((t) => t.blueprint_id)).toEqual([
      'A-2',
      'A-1',
      'A-3',
    ]);
    expect(store.listTasks({ status: 'completed' }).map((t) => t.blueprint_id)).toEqual(['A-2']);
    expect(store.listTasks({ status: ['active', 'completed'] })).toHaveLength(3);
    expect(store.listTasks({ status: [] })).toEqual([]);
  });

  it('lists task digests of one project, orphaned included, in blueprint order', () => {
    const a = store.upsertProject({ key: 'A', title: null, blueprint_file: null });
    const b = store.upsertProject({ key: 'B', title: null, blueprint_file: null });
    const t2 = store.createTask(
      newTask(a.id, 'A-2', { blueprint_order: 2, orphaned: true, source_file: 'x.md' }),
    );
    const t1 = store.createTask(
      newTask(a.id, 'A-1', { blueprint_order: 1, status: 'completed', phase: 'done', stale: true }),
    );
    store.createTask(newTask(b.id, 'B-1'));
    expect(store.listTaskDigests(a.id)).toEqual([
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

  it('lists the frontier fields of one project, orphaned included, in blueprint order', () => {
    const a = store.upsertProject({ key: 'A', title: null, blueprint_file: null });
    const b = store.upsertProject({ key: 'B', title: null, blueprint_file: null });
    const t2 = store.createTask(
      newTask(a.id, 'A-2', { blueprint_order: 2, orphaned: true, priority: 'high', risk: 3 }),
    );
    const t1 = store.createTask(
      newTask(a.id, 'A-1', { blueprint_order: 1, sequence: 'beta', due: '2026-01-02' }),
    );
    store.createTask(newTask(b.id, 'B-1'));
    const rows = store.listFrontierTasks(a.id);
    expect(rows.map((r) => [r.id, r.orphaned])).toEqual([
      [t1.id, false],
      [t2.id, true],
    ]);
    // Exactly the frontier's fields, with the values the full task has.
    const full = store.getTask(t2.id)!;
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

  it('refuses a task created in a state the lifecycle forbids', () => {
    const p = store.upsertProject({ key: 'A', title: null, blueprint_file: null });
    expect(() => store.createTask(newTask(p.id, 'A-1', { status: 'running', phase: 'pending' }))).toThrow(
      ConflictError,
    );
  });

  it('keeps blueprint ids unique within a project', () => {
    const p = store.upsertProject({ key: 'A', title: null, blueprint_file: null });
    store.createTask(newTask(p.id, 'A-1'));
    expect(() => store.createTask(newTask(p.id, 'A-1'))).toThrow(/UNIQUE/);
  });

  describe('resolveTask', () => {
    it('finds a task by id, then by blueprint id, and explains misses and ambiguity', () => {
      const a = store.upsertProject({ key: 'A', title: null, blueprint_file: null });
      const b = store.upsertProject({ key: 'B', title: null, blueprint_file: null });
      const a1 = store.createTask(newTask(a.id, 'X-1'));
      const b1 = store.createTask(newTask(b.id, 'X-1'));
      const only = store.createTask(newTask(a.id, 'ONLY-1'));

      expect(store.resolveTask(a1.id).id).toBe(a1.id);
      expect(store.resolveTask('ONLY-1').id).toBe(only.id);
      expect(store.resolveTask('X-1', 'B').id).toBe(b1.id);
      expect(() => store.resolveTask('X-1')).toThrow(
        new UsageError("task 'X-1' exists in projects A, B; pass --project"),
      );
      expect(() => store.resolveTask('NOPE-1')).toThrow(new NotFoundError("no task 'NOPE-1'"));
      expect(() => store.resolveTask('NOPE-1', 'A')).toThrow(
        new NotFoundError("no task 'NOPE-1' in project A"),
      );
      expect(() => store.resolveTask('X-1', 'ZZZ')).toThrow(NotFoundError);
      // A task id of another project does not resolve inside project B.
      expect(() => store.resolveTask(a1.id, 'B')).toThrow(NotFoundError);
    });
  });

  describe('updateTaskContent', () => {
    it('writes a change and bumps updated_at, but leaves status and phase alone', async () => {
      const p = store.upsertProject({ key: 'A', title: null, blueprint_file: null });
      const task = store.createTask(newTask(p.id, 'A-1'));
      await new Promise((r) => setTimeout(r, 5));
      const patch = { title: 'New', status: 'completed' } as unknown as Parameters<
        SqliteStore['updateTaskContent']
      >[1];
      const updated = store.updateTaskContent(task.id, patch);
      expect(updated.title).toBe('New');
      expect(updated.status).toBe('active');
      expect(updated.updated_at > task.updated_at).toBe(true);
      expect(store.getTask(task.id)).toEqual(updated);
    });

    it('writes nothing for a patch that changes nothing', async () => {
      const p = store.upsertProject({ key: 'A', title: null, blueprint_file: null });
      const task = store.createTask(newTask(p.id, 'A-1', { labels: ['x'] }));
      await new Promise((r) => setTimeout(r, 5));
      expect(store.updateTaskContent(task.id, { title: task.title, labels: ['x'] })).toEqual(task);
      expect(store.getTask(task.id)?.updated_at).toBe(task.updated_at);
    });

    it('names the missing task', () => {
      expect(() => store.updateTaskContent('t-missing', { title: 'x' })).toThrow(
        new NotFoundError("no task 't-missing'"),
      );
    });
  });

  describe('transitionTask', () => {
    it('records each transition with its reason, and no row for a no-op', () => {
      const p = store.upsertProject({ key: 'A', title: null, blueprint_file: null });
      const task = store.createTask(newTask(p.id, 'A-1'));
      store.transitionTask(task.id, { status: 'running', phase: 'implement', reason: 'start' });
      store.transitionTask(task.id, { phase: 'test', reason: 'implement done' });
      store.transitionTask(task.id, { phase: 'test', reason: 'again' });
      const done = store.transitionTask(task.id, { status: 'completed', reason: 'verified' });
      expect(done).toMatchObject({ status: 'completed', phase: 'done' });
      expect(store.getTask(task.id)).toEqual(done);
      expect(
        store
          .listTransitions(task.id)
          .map((t) => [t.from_status, t.from_phase, t.to_status, t.to_phase, t.reason]),
      ).toEqual([
        ['active', 'pending', 'running', 'implement', 'start'],
        ['running', 'implement', 'running', 'test', 'implement done'],
        ['running', 'test', 'completed', 'done', 'verified'],
      ]);
    });

    it('rejects a forbidden move and writes nothing', () => {
      const p = store.upsertProject({ key: 'A', title: null, blueprint_file: null });
      const task = store.createTask(newTask(p.id, 'A-1', { status: 'completed', phase: 'done' }));
      expect(() =>
        store.transitionTask(task.id, { status: 'running', phase: 'implement', reason: 'x' }),
      ).toThrow(ConflictError);
      expect(store.getTask(task.id)).toEqual(task);
      expect(store.listTransitions(task.id)).toEqual([]);
    });

    it('clears stale on reopen', () => {
      const p = store.upsertProject({ key: 'A', title: null, blueprint_file: null });
      const task = store.createTask(
        newTask(p.id, 'A-1', { status: 'completed', phase: 'done', stale: true }),
      );
      const reopened = store.transitionTask(task.id, { status: 'active', reason: 'reopen' });
      expect(reopened).toMatchObject({ status: 'active', phase: 'pending', stale: false });
    });

    it('records the creation of a task imported in another state when given a reason', () => {
      const p = store.upsertProject({ key: 'A', title: null, blueprint_file: null });
      const task = store.createTask(
        newTask(p.id, 'A-1', { status: 'completed', phase: 'done' }),
        'imported as completed',
      );
      expect(store.listTransitions(task.id)).toMatchObject([
        { from_status: 'active', to_status: 'completed', to_phase: 'done', reason: 'imported as completed' },
      ]);
    });
  });

  describe('dependencies', () => {
    it('replaces only the dependencies of the given source', () => {
      const p = store.upsertProject({ key: 'A', title: null, blueprint_file: null });
      const [t1, t2, t3, t4] = ['A-1', 'A-2', 'A-3', 'A-4'].map((id) =>
        store.createTask(newTask(p.id, id)),
      ) as [
        ReturnType<SqliteStore['createTask']>,
        ReturnType<SqliteStore['createTask']>,
        ReturnType<SqliteStore['createTask']>,
        ReturnType<SqliteStore['createTask']>,
      ];
      store.setDependencies(t4.id, 'blueprint', [
        { depends_on_id: t1.id, policy: 'completion_required', artifact_key: null },
        { depends_on_id: t2.id, policy: 'artifact_ready', artifact_key: 'openapi' },
      ]);
      store.addDependency({
        task_id: t4.id,
        depends_on_id: t3.id,
        policy: 'review_ready_ok',
        artifact_key: null,
        source: 'manual',
      });
      store.setDependencies(t4.id, 'blueprint', [
        { depends_on_id: t2.id, policy: 'review_ready_ok', artifact_key: null },
      ]);
      expect(store.listDependencies({ taskId: t4.id })).toEqual(
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
      expect(store.listDependencies({ projectId: p.id })).toHaveLength(2);
      expect(store.listDependencies({ projectId: 'p-other' })).toEqual([]);

      expect(store.removeDependency(t4.id, t3.id)).toBe(true);
      expect(store.removeDependency(t4.id, t3.id)).toBe(false);
      expect(store.listDependencies()).toHaveLength(1);
    });

    it('keeps a manual dependency the blueprint also states', () => {
      const p = store.upsertProject({ key: 'A', title: null, blueprint_file: null });
      const up = store.createTask(newTask(p.id, 'A-1'));
      const down = store.createTask(newTask(p.id, 'A-2'));
      store.addDependency({
        task_id: down.id,
        depends_on_id: up.id,
        policy: 'review_ready_ok',
        artifact_key: null,
        source: 'manual',
      });
      store.setDependencies(down.id, 'blueprint', [
        { depends_on_id: up.id, policy: 'completion_required', artifact_key: null },
      ]);
      expect(store.listDependencies({ taskId: down.id })).toMatchObject([
        { source: 'manual', policy: 'review_ready_ok' },
      ]);
    });

    it('refuses a self-dependency and unknown tasks', () => {
      const p = store.upsertProject({ key: 'A', title: null, blueprint_file: null });
      const t = store.createTask(newTask(p.id, 'A-1'));
      const dep = {
        task_id: t.id,
        depends_on_id: t.id,
        policy: 'completion_required',
        artifact_key: null,
        source: 'manual',
      } as const;
      expect(() => store.addDependency(dep)).toThrow(ConflictError);
      expect(() => store.addDependency({ ...dep, depends_on_id: 't-nope' })).toThrow(
        new NotFoundError("no task 't-nope'"),
      );
    });
  });

  describe('transaction', () => {
    it('rolls everything back when fn throws, and nests as savepoints', () => {
      const p = store.upsertProject({ key: 'A', title: null, blueprint_file: null });
      expect(() =>
        store.transaction(() => {
          store.createTask(newTask(p.id, 'A-1'));
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect(store.listTasks()).toEqual([]);

      store.transaction(() => {
        store.createTask(newTask(p.id, 'A-2'));
        try {
          store.transaction(() => {
            store.createTask(newTask(p.id, 'A-3'));
            throw new Error('inner');
          });
        } catch {
          // The inner savepoint alone rolls back.
        }
      });
      expect(store.listTasks().map((t) => t.blueprint_id)).toEqual(['A-2']);
    });
  });
});

describe('SqliteStore on a file shared by two connections', () => {
  let dir: { dir: string; cleanup: () => void };
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.cleanup());

  it('sees the other connection’s writes', () => {
    const file = join(dir.dir, '.penguin', 'penguin.db');
    const a = openStore(file);
    const b = openStore(file);
    const p = a.upsertProject({ key: 'A', title: null, blueprint_file: null });
    const task = b.createTask(newTask(p.id, 'A-1'));
    a.transitionTask(task.id, { status: 'running', phase: 'implement', reason: 'a' });
    expect(b.getTask(task.id)?.status).toBe('running');
    a.close();
    b.close();
  });

  it('lets two processes interleave read-modify-write transactions without losing one or SQLITE_BUSY', async () => {
    const file = join(dir.dir, 'penguin.db');
    const setup = openStore(file);
    const p = setup.upsertProject({ key: 'A', title: null, blueprint_file: null });
    const task = setup.createTask(
      newTask(p.id, 'A-1', { status: 'running', phase: 'implement', estimate: 0 }),
    );
    setup.close();

    const root = resolve(import.meta.dirname, '../..');
    // vite-node takes a second or two to start; both children then begin writing at the same instant.
    const startAt = Date.now() + 6000;
    const command = `node_modules/.bin/vite-node test/fixtures/project/concurrent-writer.ts ${file} ${task.id} 300 ${startAt}`;
    const env = { PATH: process.env.PATH, HOME: process.env.HOME };
    const results = await Promise.all([
      runCommand(command, { cwd: root, env, timeoutMs: 120_000 }),
      runCommand(command, { cwd: root, env, timeoutMs: 120_000 }),
    ]);
    for (const result of results) {
      expect(result.stderr).not.toMatch(/SQLITE_BUSY/);
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain('done');
    }
    const check = openStore(file);
    expect(check.getTask(task.id)?.estimate).toBe(600);
    expect(check.listTransitions(task.id)).toHaveLength(600);
    check.close();
  });
});
