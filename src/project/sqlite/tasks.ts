// The project part of the Store on SQLite: projects, tasks, dependencies and transitions
// (contracts/store/tasks.ts), synchronous over better-sqlite3; the store (store.ts) runs each call in
// its unit of work. The lifecycle rules a write checks come from project/lifecycle.ts.
import { z } from 'zod';
import { ConflictError, NotFoundError } from '../../errors.js';
import type {
  DependencyFilter,
  DependencyRepository,
  DependencySet,
  DependencyTarget,
  FrontierGraph,
  FrontierTask,
  NewTask,
  ProjectRepository,
  TaskContentPatch,
  TaskCreation,
  TaskDigest,
  TaskFilter,
  TaskRepository,
  TransitionReader,
  TransitionRequest,
} from '../../contracts/store/index.js';
import { DEPENDENCY_POLICIES } from '../../contracts/blueprint.js';
import { newProjectId, newTaskId } from '../ids.js';
import { assertTransition, clearsStale, STATUS_PHASES } from '../lifecycle.js';
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
} from '../model.js';
import { nowIso as now, Where, type SqlValue, type Statements, type Sync } from './statements.js';

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

const TASK_SELECT = `SELECT ${TASK_COLUMNS.join(', ')} FROM tasks`;
const DEPENDENCY_SELECT = 'SELECT task_id, depends_on_id, policy, artifact_key, source FROM dependencies';

/** A frontier task as frontierTasks reads it: the task's rowid, then the FrontierTask fields in order. */
type FrontierRow = [
  number,
  string,
  string,
  string,
  TaskStatus,
  TaskPhase,
  number,
  number,
  FrontierTask['priority'],
  FrontierTask['sequence'],
  string | null,
  number | null,
  number | null,
  number | null,
  number | null,
  string,
];

/** The frontier's columns of each row, with its rowid, aggregated into one JSON array (FrontierRow). */
const FRONTIER_ROWS = `json_group_array(json_array(rowid, id, blueprint_id, title, status, phase, orphaned,
  blueprint_order, priority, sequence, due, estimate, effort, value, risk, created_at))`;

function decodeFrontierRows(json: string): { tasks: FrontierTask[]; rowids: number[] } {
  const rows = JSON.parse(json) as FrontierRow[];
  const tasks = new Array<FrontierTask>(rows.length);
  const rowids = new Array<number>(rows.length);
  // Indexing, not destructuring: this runs once per process, before the JIT has compiled it.
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    rowids[i] = row[0];
    tasks[i] = {
      id: row[1],
      blueprint_id: row[2],
      title: row[3],
      status: row[4],
      phase: row[5],
      orphaned: row[6] === 1,
      blueprint_order: row[7],
      priority: row[8],
      sequence: row[9],
      due: row[10],
      estimate: row[11],
      effort: row[12],
      value: row[13],
      risk: row[14],
      created_at: row[15],
    };
  }
  return { tasks, rowids };
}

/** A dependency's policy as its position in DEPENDENCY_POLICIES (FrontierEdges.policy). */
const POLICY_CODE = `CASE d.policy ${DEPENDENCY_POLICIES.map((p, i) => `WHEN '${p}' THEN ${i}`).join(' ')} END`;
// Positional parameters: binding 36 named ones per row costs more than the insert itself.
const TASK_INSERT = `INSERT INTO tasks (${TASK_COLUMNS.join(', ')}) VALUES (${TASK_COLUMNS.map(() => '?').join(', ')})`;

export class SqliteProjects implements Sync<ProjectRepository> {
  constructor(private readonly sql: Statements) {}

  get(id: string): Project | null {
    const row = this.sql.get('SELECT * FROM projects WHERE id = ?').get(id);
    return row === undefined ? null : projectRowSchema.parse(row);
  }

  getByKey(key: string): Project | null {
    const row = this.sql.get('SELECT * FROM projects WHERE key = ?').get(key);
    return row === undefined ? null : projectRowSchema.parse(row);
  }

  list(): Project[] {
    return this.sql
      .get('SELECT * FROM projects ORDER BY key')
      .all()
      .map((row) => projectRowSchema.parse(row));
  }

  upsert(input: { key: string; title: string | null; blueprint_file: string | null }): Project {
    const existing = this.getByKey(input.key);
    if (existing === null) {
      const at = now();
      const project: Project = { id: newProjectId(), ...input, created_at: at, updated_at: at };
      this.sql
        .get(
          `INSERT INTO projects (id, key, title, blueprint_file, created_at, updated_at)
           VALUES (@id, @key, @title, @blueprint_file, @created_at, @updated_at)`,
        )
        .run(project);
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
    this.sql
      .get(
        'UPDATE projects SET title = @title, blueprint_file = @blueprint_file, updated_at = @updated_at WHERE id = @id',
      )
      .run(project);
    return project;
  }
}

export class SqliteTasks implements Sync<TaskRepository> {
  constructor(private readonly sql: Statements) {}

  get(id: string): Task | null {
    const row = this.sql.get(`${TASK_SELECT} WHERE id = ?`).get(id);
    return row === undefined ? null : fromRow(row);
  }

  getByBlueprintId(projectId: string, blueprintId: string): Task | null {
    const row = this.sql
      .get(`${TASK_SELECT} WHERE project_id = ? AND blueprint_id = ?`)
      .get(projectId, blueprintId);
    return row === undefined ? null : fromRow(row);
  }

  findByBlueprintId(blueprintId: string): Task[] {
    return this.sql
      .get(`${TASK_SELECT} WHERE blueprint_id = ? ORDER BY project_id, id`)
      .all(blueprintId)
      .map((row) => fromRow(row));
  }

  list(filter: TaskFilter = {}): Task[] {
    const where = new Where()
      .eq('project_id = ?', filter.projectId)
      .in('status', filter.status)
      .when(filter.includeOrphaned !== true, 'orphaned = 0');
    if (where.empty) return [];
    return this.sql
      .get(`${TASK_SELECT}${where} ORDER BY project_id, blueprint_order, id`)
      .all(...where.params)
      .map((row) => fromRow(row));
  }

  listFrontierTasks(projectId: string): FrontierTask[] {
    return this.frontierTasks(projectId).tasks;
  }

  /**
   * The frontier's fields of a project's tasks, with each task's rowid (for indexing edges). Named
   * columns only: a 10,000-task frontier must not decode every list and text.
   */
  private frontierTasks(projectId: string): { tasks: FrontierTask[]; rowids: number[] } {
    // One JSON document rather than a row per task: building 10,000 row arrays costs better-sqlite3
    // more than SQLite's serialising them and V8's parsing them together (see docs/benchmarks.md).
    // The aggregate takes the rows in the order of the index it scans, blueprint order; naming the
    // index saves an ORDER BY inside the aggregate, which would sort them again.
    const json = this.sql
      .get(`SELECT ${FRONTIER_ROWS} FROM tasks INDEXED BY tasks_project_order WHERE project_id = ?`)
      .pluck()
      .get(projectId) as string;
    return decodeFrontierRows(json);
  }

  /** The frontier's fields of the tasks with these ids (those that exist), in blueprint order. */
  frontierTasksById(ids: readonly string[]): FrontierTask[] {
    if (ids.length === 0) return [];
    const json = this.sql
      .get(
        `SELECT ${FRONTIER_ROWS} FROM (SELECT rowid, * FROM tasks WHERE id IN (SELECT value FROM json_each(?))
         ORDER BY project_id, blueprint_order, id)`,
      )
      .pluck()
      .get(JSON.stringify(ids)) as string;
    return decodeFrontierRows(json).tasks;
  }

  frontierGraph(projectId: string): FrontierGraph {
    const { tasks, rowids } = this.frontierTasks(projectId);
    const indexOf = new Map<number, number>();
    for (let i = 0; i < rowids.length; i++) indexOf.set(rowids[i]!, i);
    // Joined in SQL, four values per edge in one flat JSON array: the task rowids of both ends, the
    // policy's code, and a text that is NULL but for the rare edge whose upstream is missing (its id)
    // or that names an artifact (the key).
    const json = this.sql
      .get(
        `SELECT group_concat(t.rowid || ',' || ifnull(u.rowid, 'null') || ',' || ${POLICY_CODE} || ',' ||
                json_quote(CASE WHEN u.rowid IS NULL THEN d.depends_on_id ELSE d.artifact_key END), ',')
         FROM tasks t JOIN dependencies d ON d.task_id = t.id LEFT JOIN tasks u ON u.id = d.depends_on_id
         WHERE t.project_id = ?`,
      )
      .pluck()
      .get(projectId) as string | null;
    const flat = JSON.parse(`[${json ?? ''}]`) as (number | string | null)[];
    const m = flat.length / 4;
    const dependent = new Int32Array(m);
    const upstream = new Int32Array(m);
    const policy = new Uint8Array(m);
    const artifactKeys = new Map<number, string>();
    const missingIds = new Map<number, string>();
    for (let k = 0; k < m; k++) {
      const up = flat[k * 4 + 1] as number | null;
      const text = flat[k * 4 + 3] as string | null;
      dependent[k] = indexOf.get(flat[k * 4] as number) ?? -1;
      policy[k] = flat[k * 4 + 2] as number;
      const ui = up === null ? undefined : indexOf.get(up);
      upstream[k] = ui ?? -1;
      if (ui === undefined) {
        // Missing, or a task of another project: either way not a task of this frontier.
        missingIds.set(k, up === null ? (text ?? '') : this.taskIdOfRow(up));
      } else if (text !== null) artifactKeys.set(k, text);
    }
    return { tasks, edges: { dependent, upstream, policy, artifactKeys, missingIds } };
  }

  private taskIdOfRow(rowid: number): string {
    return this.sql.get('SELECT id FROM tasks WHERE rowid = ?').pluck().get(rowid) as string;
  }

  listDigests(projectId: string): TaskDigest[] {
    // Raw rows (arrays) skip building one object per row twice: this runs on every sync and drift.
    const rows = this.sql
      .get(
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

  create(input: NewTask, reason?: string): Task {
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
    const row = toRow(task);
    this.sql.get(TASK_INSERT).run(TASK_COLUMNS.map((column) => row[column]));
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
    return task;
  }

  createMany(creations: readonly TaskCreation[]): Task[] {
    return creations.map(({ task, reason }) => this.create(task, reason));
  }

  private require(id: string): Task {
    const task = this.get(id);
    if (task === null) throw new NotFoundError(`no task '${id}'`);
    return task;
  }

  private write(task: Task): void {
    const assignments = TASK_COLUMNS.filter((c) => c !== 'id').map((c) => `${c} = @${c}`);
    this.sql.get(`UPDATE tasks SET ${assignments.join(', ')} WHERE id = @id`).run(toRow(task));
  }

  updateContent(id: string, patch: TaskContentPatch): Task {
    const task = this.require(id);
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
    this.write(next);
    return next;
  }

  updateContentMany(patches: readonly { id: string; patch: TaskContentPatch }[]): Task[] {
    return patches.map(({ id, patch }) => this.updateContent(id, patch));
  }

  transition(id: string, request: TransitionRequest): Task {
    const task = this.require(id);
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
    // A move changes four columns: the rest of the row (its lists as JSON) is not written again.
    this.sql
      .get('UPDATE tasks SET status = ?, phase = ?, stale = ?, updated_at = ? WHERE id = ?')
      .run(status, phase, next.stale ? 1 : 0, at, id);
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
  }

  private recordTransition(transition: Transition): void {
    this.sql
      .get(
        `INSERT INTO transitions (task_id, at, from_status, to_status, from_phase, to_phase, reason)
       VALUES (@task_id, @at, @from_status, @to_status, @from_phase, @to_phase, @reason)`,
      )
      .run(transition);
  }
}

export class SqliteTransitions implements Sync<TransitionReader> {
  constructor(private readonly sql: Statements) {}

  list(taskId: string): Transition[] {
    return this.sql
      .get(
        'SELECT task_id, at, from_status, to_status, from_phase, to_phase, reason FROM transitions WHERE task_id = ? ORDER BY seq',
      )
      .all(taskId)
      .map((row) => transitionRowSchema.parse(row));
  }
}

export class SqliteDependencies implements Sync<DependencyRepository> {
  constructor(
    private readonly sql: Statements,
    private readonly tasks: SqliteTasks,
  ) {}

  list(filter: DependencyFilter = {}): Dependency[] {
    const where = new Where().eq('t.project_id = ?', filter.projectId).eq('d.task_id = ?', filter.taskId);
    const join = filter.projectId !== undefined ? ' JOIN tasks t ON t.id = d.task_id' : '';
    const sql = `SELECT d.task_id, d.depends_on_id, d.policy, d.artifact_key, d.source FROM dependencies d${join}${where} ORDER BY d.task_id, d.depends_on_id`;
    return this.sql.get(sql).all(...where.params) as Dependency[]; // policy and source are held by the table's CHECK constraints
  }

  set(taskId: string, source: Dependency['source'], deps: readonly DependencyTarget[]): void {
    const current = this.sql.get(`${DEPENDENCY_SELECT} WHERE task_id = ? AND source = ?`).all(taskId, source);
    this.replace(taskId, source, current as Dependency[], deps);
  }

  setMany(sets: readonly DependencySet[]): void {
    // The current dependencies of every task named, in one query (its ids as one JSON parameter)
    // rather than one per task: a 10,000-item first sync sets 10,000 tasks' dependencies.
    const ids = [...new Set(sets.map((set) => set.taskId))];
    const current = new Map<string, Dependency[]>();
    const rows = this.sql
      .get(`${DEPENDENCY_SELECT} WHERE task_id IN (SELECT value FROM json_each(?))`)
      .all(JSON.stringify(ids)) as Dependency[];
    for (const dep of rows) {
      const list = current.get(dep.task_id);
      if (list === undefined) current.set(dep.task_id, [dep]);
      else list.push(dep);
    }
    const done = new Set<string>();
    for (const { taskId, source, deps } of sets) {
      // A task named twice is read again: the first set changed what it has.
      if (done.has(taskId)) this.set(taskId, source, deps);
      else
        this.replace(
          taskId,
          source,
          (current.get(taskId) ?? []).filter((d) => d.source === source),
          deps,
        );
      done.add(taskId);
    }
  }

  /** Replaces the `source` dependencies of `taskId`, which are `current` now; the same set writes nothing. */
  private replace(
    taskId: string,
    source: Dependency['source'],
    current: readonly Dependency[],
    deps: readonly DependencyTarget[],
  ): void {
    const key = (d: DependencyTarget): string => JSON.stringify([d.depends_on_id, d.policy, d.artifact_key]);
    const currentKeys = new Set(current.map(key));
    const wanted = new Set(deps.map(key));
    if (currentKeys.size === wanted.size && [...wanted].every((k) => currentKeys.has(k))) return;
    if (current.length > 0) {
      this.sql.get('DELETE FROM dependencies WHERE task_id = ? AND source = ?').run(taskId, source);
    }
    const insert = this.sql.get(
      `INSERT INTO dependencies (task_id, depends_on_id, policy, artifact_key, source) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (task_id, depends_on_id) DO NOTHING`,
    );
    for (const dep of deps) insert.run(taskId, dep.depends_on_id, dep.policy, dep.artifact_key, source);
  }

  add(dep: Dependency): void {
    const task = this.tasks.get(dep.task_id);
    if (task === null) throw new NotFoundError(`no task '${dep.task_id}'`);
    if (this.tasks.get(dep.depends_on_id) === null) throw new NotFoundError(`no task '${dep.depends_on_id}'`);
    if (dep.task_id === dep.depends_on_id) {
      throw new ConflictError(`task ${task.blueprint_id} cannot depend on itself`);
    }
    this.sql
      .get(
        `INSERT INTO dependencies (task_id, depends_on_id, policy, artifact_key, source) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (task_id, depends_on_id) DO UPDATE SET policy = excluded.policy,
           artifact_key = excluded.artifact_key, source = excluded.source`,
      )
      .run(dep.task_id, dep.depends_on_id, dep.policy, dep.artifact_key, dep.source);
  }

  remove(taskId: string, dependsOnId: string): boolean {
    return (
      this.sql
        .get('DELETE FROM dependencies WHERE task_id = ? AND depends_on_id = ?')
        .run(taskId, dependsOnId).changes > 0
    );
  }
}
