// The project part of the Store (DESIGN §4, §10): the repositories of projects, tasks, their
// dependencies and the history of status and phase moves, as every storage implementation (SQLite
// today, PostgreSQL later) provides them. Readers are what `store.*` and `store.read` hand out;
// repositories add the writes and exist only on a transaction (`store.transaction(async (tx) => ...)`).
// The lifecycle rules a write checks are project/lifecycle.ts; resolving a user's task reference is
// project/resolve.ts, above these primitives.
import type { Dependency, Project, Task, TaskPhase, TaskStatus, Transition } from '../task.js';

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

/** A task to create and, optionally, the reason its creation is recorded in the history with. */
export interface TaskCreation {
  task: NewTask;
  /**
   * With a reason, the creation is also recorded as a transition from active/pending to the task's
   * status and phase (sync records "imported as completed" this way).
   */
  reason?: string;
}

/** Content fields sync may update; never status or phase (those go through `transition`). */
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

/**
 * A project's dependencies as the frontier reads them: edge k runs from task `dependent[k]` to task
 * `upstream[k]`, both positions in the task list handed over with them, so that joining 300,000 edges
 * to their tasks costs no lookup by string id.
 */
export interface FrontierEdges {
  readonly dependent: Int32Array;
  /** -1 when the edge names no task of the list (`missingIds` says which id). */
  readonly upstream: Int32Array;
  /** The policy as its position in DEPENDENCY_POLICIES. */
  readonly policy: Uint8Array;
  /** The artifact key of each artifact_ready edge that has one, by edge. */
  readonly artifactKeys: ReadonlyMap<number, string>;
  /** The depends_on_id of each edge whose upstream is -1, by edge. */
  readonly missingIds: ReadonlyMap<number, string>;
}

/** Everything the frontier of one project reads: its tasks in blueprint order and their edges. */
export interface FrontierGraph {
  tasks: FrontierTask[];
  edges: FrontierEdges;
}

export interface DependencyFilter {
  projectId?: string;
  taskId?: string;
}

/** A dependency as `dependencies.set` takes it: the dependent and the source are given once. */
export type DependencyTarget = Omit<Dependency, 'task_id' | 'source'>;

/** One task's dependencies of one source, as `dependencies.setMany` replaces them. */
export interface DependencySet {
  taskId: string;
  source: Dependency['source'];
  deps: readonly DependencyTarget[];
}

export interface ProjectReader {
  get(id: string): Promise<Project | null>;
  getByKey(key: string): Promise<Project | null>;
  /** Every project, by key. */
  list(): Promise<Project[]>;
}

export interface ProjectRepository extends ProjectReader {
  /** Creates the project for `key`, or updates its title/blueprint file; unchanged input writes nothing. */
  upsert(input: { key: string; title: string | null; blueprint_file: string | null }): Promise<Project>;
}

export interface TaskReader {
  get(id: string): Promise<Task | null>;
  getByBlueprintId(projectId: string, blueprintId: string): Promise<Task | null>;
  /** The tasks with this blueprint id, in every project (resolving an id used in several). */
  findByBlueprintId(blueprintId: string): Promise<Task[]>;
  /** By project, then blueprint order, then id; orphaned tasks only with `includeOrphaned`. */
  list(filter?: TaskFilter): Promise<Task[]>;
  /** The frontier's fields of every task of the project, orphaned ones included, in blueprint order. */
  listFrontierTasks(projectId: string): Promise<FrontierTask[]>;
  /**
   * The frontier's fields of the tasks with these ids that exist (of any project), in blueprint
   * order: what a frontier kept in memory re-reads after a few of its tasks moved.
   */
  frontierTasksById(ids: readonly string[]): Promise<FrontierTask[]>;
  /** The frontier's tasks of the project (as listFrontierTasks) with its dependencies as edges. */
  frontierGraph(projectId: string): Promise<FrontierGraph>;
  /** Digests of every task of the project, orphaned ones included, in blueprint order. */
  listDigests(projectId: string): Promise<TaskDigest[]>;
}

export interface TaskRepository extends TaskReader {
  /**
   * Inserts a task (refused with a ConflictError in a status and phase the lifecycle does not
   * allow together). With `reason`, the creation is also recorded in the history.
   */
  create(task: NewTask, reason?: string): Promise<Task>;
  /** `create` for many tasks at once (sync's bulk path), in order. */
  createMany(creations: readonly TaskCreation[]): Promise<Task[]>;
  /** Applies `patch` (NotFoundError for an unknown id); a patch that changes nothing writes nothing. */
  updateContent(id: string, patch: TaskContentPatch): Promise<Task>;
  /** `updateContent` for many tasks at once, in order. */
  updateContentMany(patches: readonly { id: string; patch: TaskContentPatch }[]): Promise<Task[]>;
  /**
   * Changes status and/or phase after checking the lifecycle rules (DESIGN §4) and records the
   * transition with its reason; a request that changes nothing records nothing. ConflictError for a
   * move that is not allowed, NotFoundError for an unknown id.
   */
  transition(id: string, request: TransitionRequest): Promise<Task>;
}

export interface TransitionReader {
  /** The task's history, oldest first. */
  list(taskId: string): Promise<Transition[]>;
}

export interface DependencyReader {
  /** Ordered by task id, then upstream id. */
  list(filter?: DependencyFilter): Promise<Dependency[]>;
}

export interface DependencyRepository extends DependencyReader {
  /**
   * Replaces the `source` dependencies of `taskId`. A pair that already exists under the other
   * source is left as it is (a manual dependency the blueprint now also states stays manual). An
   * unchanged set writes nothing.
   */
  set(taskId: string, source: Dependency['source'], deps: readonly DependencyTarget[]): Promise<void>;
  /** `set` for many tasks at once (sync's bulk path). */
  setMany(sets: readonly DependencySet[]): Promise<void>;
  /**
   * Adds `dep`, replacing an existing dependency between the same two tasks. NotFoundError for an
   * unknown task, ConflictError for a task depending on itself.
   */
  add(dep: Dependency): Promise<void>;
  /** Returns whether a dependency was removed. */
  remove(taskId: string, dependsOnId: string): Promise<boolean>;
}
