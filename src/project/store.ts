// The task store contract. SqliteStore is the one implementation today; DESIGN §10 plans a
// PostgreSQL one, so nothing above this interface may reach for SQL.
import type { Dependency, Project, Task, TaskPhase, TaskStatus, Transition } from './model.js';

export interface TaskFilter {
  projectId?: string;
  status?: TaskStatus | TaskStatus[];
  includeOrphaned?: boolean;
}

/** Fields a caller may set when creating a task; the store fills ids, timestamps and defaults. */
export type NewTask = Omit<
  Task,
  'id' | 'created_at' | 'updated_at' | 'stale' | 'orphaned' | 'overrides' | 'review_note' | 'reviewed_at'
> &
  Partial<Pick<Task, 'id' | 'stale' | 'orphaned'>>;

/** Content fields sync may update; never status or phase (those go through `transitionTask`). */
export type TaskContentPatch = Partial<
  Omit<Task, 'id' | 'project_id' | 'blueprint_id' | 'status' | 'phase' | 'created_at' | 'updated_at'>
>;

export interface TransitionRequest {
  status?: TaskStatus;
  phase?: TaskPhase;
  reason: string;
}

/**
 * The fields sync and drift compare, for every task of a project; reading these instead of whole
 * tasks keeps a 10,000-task reconcile fast.
 */
export type TaskDigest = Pick<
  Task,
  | 'id'
  | 'blueprint_id'
  | 'blueprint_order'
  | 'source_file'
  | 'source_line'
  | 'status'
  | 'phase'
  | 'content_hash'
  | 'stale'
  | 'orphaned'
>;

/** The fields the frontier reads (order, readiness, tie-breakers, the ready list): no lists, no text blobs. */
export type FrontierTask = Pick<
  Task,
  | 'id'
  | 'blueprint_id'
  | 'title'
  | 'status'
  | 'phase'
  | 'orphaned'
  | 'blueprint_order'
  | 'priority'
  | 'sequence'
  | 'due'
  | 'estimate'
  | 'effort'
  | 'value'
  | 'risk'
  | 'created_at'
>;

export interface Store {
  /** Runs `fn` in one transaction (nested calls join the outer one). Throws roll everything back. */
  transaction<T>(fn: () => T): T;

  getProject(id: string): Project | null;
  getProjectByKey(key: string): Project | null;
  listProjects(): Project[];
  /** Creates the project for `key`, or updates its title/blueprint file. */
  upsertProject(input: { key: string; title: string | null; blueprint_file: string | null }): Project;

  getTask(id: string): Task | null;
  getTaskByBlueprintId(projectId: string, blueprintId: string): Task | null;
  /**
   * Finds a task by task id or blueprint id (DESIGN §4); `projectKey` disambiguates a blueprint id
   * used in several projects. Throws NotFoundError / UsageError (ambiguous) with a clear sentence.
   */
  resolveTask(ref: string, projectKey?: string): Task;
  listTasks(filter?: TaskFilter): Task[];
  /** The frontier's fields of every task of the project, orphaned ones included, in blueprint order. */
  listFrontierTasks(projectId: string): FrontierTask[];
  /** Digests of every task of the project, orphaned ones included, in blueprint order. */
  listTaskDigests(projectId: string): TaskDigest[];
  /**
   * Inserts a task. With `reason`, the creation is also recorded in the history as a transition from
   * active/pending to the task's status and phase (sync records "imported as completed" this way).
   */
  createTask(task: NewTask, reason?: string): Task;
  updateTaskContent(id: string, patch: TaskContentPatch): Task;
  /**
   * Changes status and/or phase after checking the lifecycle rules (DESIGN §4); records the
   * transition with its reason. Throws ConflictError for a transition that is not allowed.
   */
  transitionTask(id: string, request: TransitionRequest): Task;
  listTransitions(taskId: string): Transition[];

  listDependencies(filter?: { projectId?: string; taskId?: string }): Dependency[];
  /** Replaces every dependency of `taskId` that came from `source`. */
  setDependencies(
    taskId: string,
    source: Dependency['source'],
    deps: Omit<Dependency, 'task_id' | 'source'>[],
  ): void;
  addDependency(dep: Dependency): void;
  /** Returns whether a dependency was removed. */
  removeDependency(taskId: string, dependsOnId: string): boolean;

  close(): void;
}
