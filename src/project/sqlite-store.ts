// The Store of src/project/store.ts on SQLite (better-sqlite3). Synchronous by design: a store call is
// one short transaction, and better-sqlite3's synchronous API keeps read-modify-write sequences atomic.
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { asStoreError, openDatabase, type Db, type OpenDatabaseOptions } from '../db/database.js';
import { migrate } from '../db/migrations.js';
import { ConflictError, NotFoundError, UsageError } from '../errors.js';
import { newProjectId, newTaskId } from './ids.js';
import { assertTransition, clearsStale, STATUS_PHASES } from './lifecycle.js';
import { projectMigrations } from './migrations.js';
import {
  TASK_PHASES,
  TASK_STATUSES,
  type CriterionOverride,
  type Dependency,
  type Project,
  type Task,
  type TaskPhase,
  type TaskStatus,
  type Transition,
} from './model.js';
import type {
  FrontierTask,
  NewTask,
  Store,
  TaskContentPatch,
  TaskDigest,
  TaskFilter,
  TransitionRequest,
} from './store.js';

type SqlValue = string | number | null;
type Statement = Database.Statement<unknown[]>;

/** Task columns in table order; `toRow` and `fromRow` convert between Task and these. */
const TASK_COLUMNS = [
  'id',
  'project_id',
  'blueprint_id',
  'parent_id',
  'title',
  'description',
  'acceptance_criteria',
  'recipe',
  'tests',
  'priority',
  'labels',
  'assignees',
  'required_tools',
  'skills',
  'due',
  'sequence',
  'estimate',
  'effort',
  'value',
  'risk',
  'agent_role',
  'parallelizable',
  'batch',
  'blueprint_order',
  'source_file',
  'source_line',
  'status',
  'phase',
  'content_hash',
  'stale',
  'orphaned',
  'overrides',
  'review_note',
  'reviewed_at',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof Task)[];

type TaskColumn = (typeof TASK_COLUMNS)[number];
type TaskRow = Record<TaskColumn, SqlValue>;

// Task rows are decoded by hand, not by a zod schema: listTasks decodes thousands of rows per sync and
// drift. The table's NOT NULL and CHECK constraints already hold the scalar columns to the model, so
// only the JSON columns need checking here; a corrupt value becomes a clear error, not a wrong value.
const overridesSchema = z.array(
  z.object({ criterion: z.number(), justification: z.string(), at: z.string() }),
);

const projectRowSchema = z.object({
  id: z.string(),
  key: z.string(),
  title: z.string().nullable(),
  blueprint_file: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

const transitionRowSchema = z.object({
  task_id: z.string(),
  at: z.string(),
  from_status: z.enum(TASK_STATUSES),
  to_status: z.enum(TASK_STATUSES),
  from_phase: z.enum(TASK_PHASES),
  to_phase: z.enum(TASK_PHASES),
  reason: z.string(),
});

function corrupt(taskId: string, column: string, text: string): Error {
  return new Error(`the task store holds an invalid ${column} for task ${taskId}: ${text}`);
}

function stringList(text: string, taskId: string, column: string): string[] {
  if (text === '[]') return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw corrupt(taskId, column, text);
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
    throw corrupt(taskId, column, text);
  return value as string[];
}

function overridesOf(text: string, taskId: string): CriterionOverride[] {
  if (text === '[]') return [];
  try {
    return overridesSchema.parse(JSON.parse(text));
  } catch {
    throw corrupt(taskId, 'overrides', text);
  }
}

/** A row as SQLite returns it; the CHECK constraints of the tasks table hold the enum columns. */
type StoredTaskRow = Omit<
  Task,
  | 'acceptance_criteria'
  | 'tests'
  | 'labels'
  | 'assignees'
  | 'required_tools'
  | 'skills'
  | 'parallelizable'
  | 'stale'
  | 'orphaned'
  | 'overrides'
> &
  Record<
    'acceptance_criteria' | 'tests' | 'labels' | 'assignees' | 'required_tools' | 'skills' | 'overrides',
    string
  > & { parallelizable: number | null; stale: number; orphaned: number };

function fromRow(raw: unknown): Task {
  const row = raw as StoredTaskRow;
  return {
    ...row,
    acceptance_criteria: stringList(row.acceptance_criteria, row.id, 'acceptance_criteria'),
    tests: stringList(row.tests, row.id, 'tests'),
    labels: stringList(row.labels, row.id, 'labels'),
    assignees: stringList(row.assignees, row.id, 'assignees'),
    required_tools: stringList(row.required_tools, row.id, 'required_tools'),
    skills: stringList(row.skills, row.id, 'skills'),
    parallelizable: row.parallelizable === null ? null : row.parallelizable !== 0,
    stale: row.stale !== 0,
    orphaned: row.orphaned !== 0,
    overrides: overridesOf(row.overrides, row.id),
  };
}

function toRow(task: Task): TaskRow {
  return {
    ...task,
    acceptance_criteria: JSON.stringify(task.acceptance_criteria),
    tests: JSON.stringify(task.tests),
    labels: JSON.stringify(task.labels),
    assignees: JSON.stringify(task.assignees),
    required_tools: JSON.stringify(task.required_tools),
    skills: JSON.stringify(task.skills),
    parallelizable: task.parallelizable === null ? null : task.parallelizable ? 1 : 0,
    stale: task.stale ? 1 : 0,
    orphaned: task.orphaned ? 1 : 0,
    overrides: JSON.stringify(task.overrides),
  };
}

/** Whether two rows differ in anything but `updated_at`. */
function rowsDiffer(a: TaskRow, b: TaskRow): boolean {
  return TASK_COLUMNS.some((column) => column !== 'updated_at' && a[column] !== b[column]);
}

const now = (): string => new Date().toISOString();

const TASK_SELECT = `SELECT ${TASK_COLUMNS.join(', ')} FROM tasks`;
// Positional parameters: binding 36 named ones per row costs more than the insert itself.
const TASK_INSERT = `INSERT INTO tasks (${TASK_COLUMNS.join(', ')}) VALUES (${TASK_COLUMNS.map(() => '?').join(', ')})`;

export class SqliteStore implements Store {
  readonly db: Db;
  /** Statements built from a filter's shape (listTasks, listDependencies), cached by their SQL. */
  private readonly statements = new Map<string, Statement>();

  constructor(db: Db) {
    this.db = db;
    migrate(db, projectMigrations);
  }

  private stmt(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare<unknown[]>(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /**
   * The outermost call takes the write lock at BEGIN (IMMEDIATE), so two penguin processes never both
   * read and then both write; nested calls become savepoints. `fn` must be synchronous.
   */
  transaction<T>(fn: () => T): T {
    const run = this.db.transaction(fn);
    return this.db.inTransaction ? run() : run.immediate();
  }

  /**
   * For the store's own multi-statement methods: inside a caller's transaction they simply join it
   * (a savepoint per call would double the cost of a 10,000-task sync); outside one they get their own
   * IMMEDIATE transaction.
   */
  private atomic<T>(fn: () => T): T {
    return this.db.inTransaction ? fn() : this.db.transaction(fn).immediate();
  }

  // --- projects ---------------------------------------------------------------------------------

  getProject(id: string): Project | null {
    const row = this.stmt('SELECT * FROM projects WHERE id = ?').get(id);
    return row === undefined ? null : projectRowSchema.parse(row);
  }

  getProjectByKey(key: string): Project | null {
    const row = this.stmt('SELECT * FROM projects WHERE key = ?').get(key);
    return row === undefined ? null : projectRowSchema.parse(row);
  }

  listProjects(): Project[] {
    return this.stmt('SELECT * FROM projects ORDER BY key')
      .all()
      .map((row) => projectRowSchema.parse(row));
  }

  upsertProject(input: { key: string; title: string | null; blueprint_file: string | null }): Project {
    return this.atomic(() => {
      const existing = this.getProjectByKey(input.key);
      if (existing === null) {
        const at = now();
        const project: Project = { id: newProjectId(), ...input, created_at: at, updated_at: at };
        this.stmt(
          `INSERT INTO projects (id, key, title, blueprint_file, created_at, updated_at)
           VALUES (@id, @key, @title, @blueprint_file, @created_at, @updated_at)`,
        ).run(project);
        return project;
      }
      // Unchanged input writes nothing, so a re-sync leaves updated_at alone.
      if (existing.title === input.title && existing.blueprint_file === input.blueprint_file) return existing;
      const project: Project = {
        ...existing,
        title: input.title,
        blueprint_file: input.blueprint_file,
        updated_at: now(),
      };
      this.stmt(
        'UPDATE projects SET title = @title, blueprint_file = @blueprint_file, updated_at = @updated_at WHERE id = @id',
      ).run(project);
      return project;
    });
  }

  // --- tasks ------------------------------------------------------------------------------------

  getTask(id: string): Task | null {
    const row = this.stmt(`${TASK_SELECT} WHERE id = ?`).get(id);
    return row === undefined ? null : fromRow(row);
  }

  getTaskByBlueprintId(projectId: string, blueprintId: string): Task | null {
    const row = this.stmt(`${TASK_SELECT} WHERE project_id = ? AND blueprint_id = ?`).get(
      projectId,
      blueprintId,
    );
    return row === undefined ? null : fromRow(row);
  }

  resolveTask(ref: string, projectKey?: string): Task {
    const project = projectKey === undefined ? null : this.getProjectByKey(projectKey);
    if (projectKey !== undefined && project === null) throw new NotFoundError(`no project '${projectKey}'`);
    const byId = this.getTask(ref);
    if (byId !== null && (project === null || byId.project_id === project.id)) return byId;
    if (project !== null) {
      const task = this.getTaskByBlueprintId(project.id, ref);
      if (task === null) throw new NotFoundError(`no task '${ref}' in project ${project.key}`);
      return task;
    }
    const matches = this.stmt(`${TASK_SELECT} WHERE blueprint_id = ?`)
      .all(ref)
      .map((row) => fromRow(row));
    const [first] = matches;
    if (first === undefined) throw new NotFoundError(`no task '${ref}'`);
    if (matches.length === 1) return first;
    const keys = matches.map((task) => this.getProject(task.project_id)?.key ?? task.project_id).sort();
    throw new UsageError(`task '${ref}' exists in projects ${keys.join(', ')}; pass --project`);
  }

  listTasks(filter: TaskFilter = {}): Task[] {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (filter.projectId !== undefined) {
      where.push('project_id = ?');
      params.push(filter.projectId);
    }
    if (filter.status !== undefined) {
      const statuses = Array.isArray(filter.status) ? filter.status : [filter.status];
      if (statuses.length === 0) return [];
      where.push(`status IN (${statuses.map(() => '?').join(', ')})`);
      params.push(...statuses);
    }
    if (filter.includeOrphaned !== true) where.push('orphaned = 0');
    const sql = `${TASK_SELECT}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY project_id, blueprint_order, id`;
    return this.stmt(sql)
      .all(...params)
      .map((row) => fromRow(row));
  }

  listFrontierTasks(projectId: string): FrontierTask[] {
    // Named columns only: the frontier of a 10,000-task project must not decode every list and text.
    const rows = this.stmt(
      `SELECT id, blueprint_id, title, status, phase, orphaned, blueprint_order, priority, sequence, due,
              estimate, effort, value, risk, created_at
       FROM tasks WHERE project_id = ? ORDER BY blueprint_order, id`,
    ).all(projectId) as (Omit<FrontierTask, 'orphaned'> & { orphaned: number })[];
    return rows.map((row) => ({ ...row, orphaned: row.orphaned === 1 }));
  }

  listTaskDigests(projectId: string): TaskDigest[] {
    // Raw rows (arrays) skip building one object per row twice: this runs on every sync and drift.
    const rows = this.stmt(
      `SELECT id, blueprint_id, blueprint_order, source_file, source_line, status, phase, content_hash, stale, orphaned
       FROM tasks WHERE project_id = ? ORDER BY blueprint_order, id`,
    )
      .raw(true)
      .all(projectId) as [
      string,
      string,
      number,
      string | null,
      number | null,
      TaskStatus,
      TaskPhase,
      string,
      number,
      number,
    ][];
    return rows.map(
      ([
        id,
        blueprint_id,
        blueprint_order,
        source_file,
        source_line,
        status,
        phase,
        content_hash,
        stale,
        orphaned,
      ]) => ({
        id,
        blueprint_id,
        blueprint_order,
        source_file,
        source_line,
        status,
        phase,
        content_hash,
        stale: stale !== 0,
        orphaned: orphaned !== 0,
      }),
    );
  }

  /**
   * Inserts `input`. When `reason` is given the creation is also recorded in the history, as a
   * transition from active/pending to the task's status and phase (sync: "imported as completed").
   */
  createTask(input: NewTask, reason?: string): Task {
    if (!STATUS_PHASES[input.status].includes(input.phase)) {
      throw new ConflictError(
        `task ${input.blueprint_id} cannot be created ${input.status} in phase ${input.phase}`,
      );
    }
    const at = now();
    const task: Task = {
      ...input,
      id: input.id ?? newTaskId(),
      stale: input.stale ?? false,
      orphaned: input.orphaned ?? false,
      overrides: [],
      review_note: null,
      reviewed_at: null,
      created_at: at,
      updated_at: at,
    };
    this.atomic(() => {
      const row = toRow(task);
      this.stmt(TASK_INSERT).run(TASK_COLUMNS.map((column) => row[column]));
      if (reason !== undefined) {
        this.recordTransition({
          task_id: task.id,
          at,
          from_status: 'active',
          to_status: task.status,
          from_phase: 'pending',
          to_phase: task.phase,
          reason,
        });
      }
    });
    return task;
  }

  private requireTask(id: string): Task {
    const task = this.getTask(id);
    if (task === null) throw new NotFoundError(`no task '${id}'`);
    return task;
  }

  private writeTask(task: Task): void {
    const assignments = TASK_COLUMNS.filter((c) => c !== 'id').map((c) => `${c} = @${c}`);
    this.stmt(`UPDATE tasks SET ${assignments.join(', ')} WHERE id = @id`).run(toRow(task));
  }

  /** Applies `patch`; a patch that changes nothing writes nothing (updated_at stays). */
  updateTaskContent(id: string, patch: TaskContentPatch): Task {
    return this.atomic(() => {
      const task = this.requireTask(id);
      // Identity, lifecycle and creation time are not content, whatever the caller's object holds.
      const next: Task = {
        ...task,
        ...patch,
        id: task.id,
        project_id: task.project_id,
        blueprint_id: task.blueprint_id,
        status: task.status,
        phase: task.phase,
        created_at: task.created_at,
      };
      if (!rowsDiffer(toRow(task), toRow(next))) return task;
      next.updated_at = now();
      this.writeTask(next);
      return next;
    });
  }

  transitionTask(id: string, request: TransitionRequest): Task {
    return this.atomic(() => {
      const task = this.requireTask(id);
      const { status, phase } = assertTransition(task, request);
      if (status === task.status && phase === task.phase) return task;
      const at = now();
      const next: Task = {
        ...task,
        status,
        phase,
        stale: clearsStale(task.status, status) ? false : task.stale,
        updated_at: at,
      };
      this.writeTask(next);
      this.recordTransition({
        task_id: id,
        at,
        from_status: task.status,
        to_status: status,
        from_phase: task.phase,
        to_phase: phase,
        reason: request.reason,
      });
      return next;
    });
  }

  private recordTransition(transition: Transition): void {
    this.stmt(
      `INSERT INTO transitions (task_id, at, from_status, to_status, from_phase, to_phase, reason)
       VALUES (@task_id, @at, @from_status, @to_status, @from_phase, @to_phase, @reason)`,
    ).run(transition);
  }

  listTransitions(taskId: string): Transition[] {
    return this.stmt(
      'SELECT task_id, at, from_status, to_status, from_phase, to_phase, reason FROM transitions WHERE task_id = ? ORDER BY seq',
    )
      .all(taskId)
      .map((row) => transitionRowSchema.parse(row));
  }

  // --- dependencies -----------------------------------------------------------------------------

  listDependencies(filter: { projectId?: string; taskId?: string } = {}): Dependency[] {
    const where: string[] = [];
    const params: string[] = [];
    if (filter.projectId !== undefined) {
      where.push('t.project_id = ?');
      params.push(filter.projectId);
    }
    if (filter.taskId !== undefined) {
      where.push('d.task_id = ?');
      params.push(filter.taskId);
    }
    const join = filter.projectId !== undefined ? ' JOIN tasks t ON t.id = d.task_id' : '';
    const sql = `SELECT d.task_id, d.depends_on_id, d.policy, d.artifact_key, d.source FROM dependencies d${join}${
      where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''
    } ORDER BY d.task_id, d.depends_on_id`;
    return this.stmt(sql).all(...params) as Dependency[]; // policy and source are held by the table's CHECK constraints
  }

  /**
   * Replaces the `source` dependencies of `taskId`. A pair that already exists under the other
   * source is left as it is: a manual dependency the blueprint now also states stays manual, so the
   * user's choice of policy wins. An unchanged set writes nothing.
   */
  setDependencies(
    taskId: string,
    source: Dependency['source'],
    deps: Omit<Dependency, 'task_id' | 'source'>[],
  ): void {
    this.atomic(() => {
      const current = this.listDependencies({ taskId }).filter((d) => d.source === source);
      const key = (d: Omit<Dependency, 'task_id' | 'source'>): string =>
        JSON.stringify([d.depends_on_id, d.policy, d.artifact_key]);
      const currentKeys = new Set(current.map(key));
      const wanted = new Set(deps.map(key));
      if (currentKeys.size === wanted.size && [...wanted].every((k) => currentKeys.has(k))) return;
      this.stmt('DELETE FROM dependencies WHERE task_id = ? AND source = ?').run(taskId, source);
      const insert = this.stmt(
        `INSERT INTO dependencies (task_id, depends_on_id, policy, artifact_key, source) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (task_id, depends_on_id) DO NOTHING`,
      );
      for (const dep of deps) insert.run(taskId, dep.depends_on_id, dep.policy, dep.artifact_key, source);
    });
  }

  /** Adds `dep`, replacing an existing dependency between the same two tasks. */
  addDependency(dep: Dependency): void {
    this.atomic(() => {
      const task = this.requireTask(dep.task_id);
      this.requireTask(dep.depends_on_id);
      if (dep.task_id === dep.depends_on_id) {
        throw new ConflictError(`task ${task.blueprint_id} cannot depend on itself`);
      }
      this.stmt(
        `INSERT INTO dependencies (task_id, depends_on_id, policy, artifact_key, source) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (task_id, depends_on_id) DO UPDATE SET policy = excluded.policy,
           artifact_key = excluded.artifact_key, source = excluded.source`,
      ).run(dep.task_id, dep.depends_on_id, dep.policy, dep.artifact_key, dep.source);
    });
  }

  removeDependency(taskId: string, dependsOnId: string): boolean {
    return (
      this.stmt('DELETE FROM dependencies WHERE task_id = ? AND depends_on_id = ?').run(taskId, dependsOnId)
        .changes > 0
    );
  }

  close(): void {
    this.db.close();
  }
}

/**
 * Opens the workspace database at `dbFile` (created if needed, unless `mustExist`) and the task store
 * on it. A damaged file is a StoreError naming it.
 */
export function openStore(dbFile: string, options?: OpenDatabaseOptions): SqliteStore {
  const db = openDatabase(dbFile, options);
  try {
    return new SqliteStore(db);
  } catch (error) {
    db.close();
    throw asStoreError(error, dbFile);
  }
}
