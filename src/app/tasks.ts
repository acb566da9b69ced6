// Use cases of tasks: list, show one with its edges and history, the review and lifecycle moves (each
// read and made in one transaction), dependency edits with the cycle check, and the graph export.
import { DEPENDENCY_POLICIES, type DependencyPolicy } from '../contracts/blueprint.js';
import { TASK_STATUSES, type Dependency, type Task, type TaskStatus } from '../contracts/task.js';
import type {
  DependencyChange,
  DependencyList,
  DependencyRemoval,
  DependencyView,
  LifecycleMove,
  TaskDetail,
  TaskList,
  TaskShow,
} from '../contracts/views.js';
import { ConflictError, UsageError } from '../errors.js';
import { taskMoveEvents } from '../events/task-moves.js';
import type { WorkflowService } from '../orchestration/workflow-service.js';
import { addTaskDependency, listTaskDependencies, removeTaskDependency } from '../project/dependencies.js';
import { exportGraph, GRAPH_FORMATS, type GraphFormat } from '../project/graph-export.js';
import { resolveProject, resolveTask } from '../project/resolve.js';
import type { StoreTx, TaskFilter } from '../project/store.js';
import type { Workspace } from '../project/workspace.js';

export interface TaskRef {
  /** Task id or blueprint id. */
  ref: string;
  /** Disambiguates a blueprint id used in several projects. */
  projectKey?: string;
}

function parseChoice<T extends string>(value: string, choices: readonly T[], what: string): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`unknown ${what} ${value}; use one of ${choices.join(', ')}`);
}

/** Tasks of one project, or of every project when no key is given; orphaned tasks included. */
export async function listTasks(
  ws: Workspace,
  options: { projectKey?: string; status?: string } = {},
): Promise<TaskList> {
  const filter: TaskFilter = { includeOrphaned: true };
  if (options.projectKey !== undefined)
    filter.projectId = (await resolveProject(ws.store, options.projectKey)).id;
  if (options.status !== undefined)
    filter.status = parseChoice<TaskStatus>(options.status, TASK_STATUSES, 'status');
  const keys = new Map((await ws.store.projects.list()).map((p) => [p.id, p.key]));
  return {
    tasks: (await ws.store.tasks.list(filter)).map((task) => ({
      id: task.id,
      blueprint_id: task.blueprint_id,
      project: keys.get(task.project_id) ?? task.project_id,
      title: task.title,
      status: task.status,
      phase: task.phase,
      stale: task.stale,
      orphaned: task.orphaned,
      parent_id: task.parent_id,
      priority: task.priority,
    })),
  };
}

/** One task with its project key, dependencies both ways and its history. */
export async function taskDetail(ws: Workspace, { ref, projectKey }: TaskRef): Promise<TaskDetail> {
  // One snapshot: the task, its edges and its history as they were at one moment.
  return ws.store.read(async (store) => {
    const task = await resolveTask(store, ref, projectKey);
    const deps = await listTaskDependencies(store, task.id);
    const view = ({ task: other, dep }: { task: Task; dep: Dependency }): DependencyView => ({
      id: other.id,
      blueprint_id: other.blueprint_id,
      title: other.title,
      status: other.status,
      policy: dep.policy,
      artifact_key: dep.artifact_key,
      source: dep.source,
    });
    return {
      ...task,
      project: (await store.projects.get(task.project_id))?.key ?? task.project_id,
      dependencies: { upstream: deps.upstream.map(view), downstream: deps.downstream.map(view) },
      history: await store.transitions.list(task.id),
    };
  });
}

function withReason(action: string, reason: string | undefined): string {
  return reason === undefined || reason.trim() === ''
    ? `${action} by user`
    : `${action} by user: ${reason.trim()}`;
}

export type LifecycleAction = 'approve' | 'reopen' | 'cancel';

/** What each move says in the task's history and in its events. */
const MOVE_WORDS: Record<LifecycleAction, string> = {
  approve: 'approved',
  reopen: 'reopened',
  cancel: 'cancelled',
};

/**
 * A review decision or lifecycle move: approve (pending_review -> completed), reopen (-> active,
 * phase pending, so the task runs again) or cancel. The before-state is read in the transaction that
 * changes it, so the reported `from` is the status the move really left.
 */
export async function moveTask(
  ws: Workspace,
  action: LifecycleAction,
  options: TaskRef & { reason?: string },
): Promise<LifecycleMove> {
  return ws.store.transaction(async (tx) => {
    const before = await resolveTask(tx, options.ref, options.projectKey);
    const reason = withReason(MOVE_WORDS[action], options.reason);
    const after = await applyMove(tx, before, action, options.reason, reason);
    // In the move's transaction: the event log says what the history says, or neither is written.
    for (const draft of taskMoveEvents(before, after, reason)) await ws.events.append(tx, draft);
    return {
      id: after.id,
      blueprint_id: after.blueprint_id,
      from: before.status,
      status: after.status,
      phase: after.phase,
      stale: after.stale,
    };
  });
}

async function applyMove(
  tx: StoreTx,
  task: Task,
  action: LifecycleAction,
  note: string | undefined,
  reason: string,
): Promise<Task> {
  switch (action) {
    case 'approve':
      if (task.status !== 'pending_review') {
        throw new ConflictError(
          `task ${task.blueprint_id} is ${task.status}; only a task in pending_review can be approved`,
        );
      }
      await tx.tasks.updateContent(task.id, {
        review_note: note ?? null,
        reviewed_at: new Date().toISOString(),
      });
      return tx.tasks.transition(task.id, {
        status: 'completed',
        phase: 'done',
        reason,
      });
    case 'reopen':
      if (task.status === 'active') throw new ConflictError(`task ${task.blueprint_id} is already active`);
      return tx.tasks.transition(task.id, {
        status: 'active',
        phase: 'pending',
        reason,
      });
    case 'cancel':
      if (task.status === 'cancelled')
        throw new ConflictError(`task ${task.blueprint_id} is already cancelled`);
      return tx.tasks.transition(task.id, { status: 'cancelled', reason });
  }
}

/** Makes `task` depend on `dependsOn`; refused (naming the cycle) when it would close one. */
export async function addDependency(
  ws: Workspace,
  input: { task: string; dependsOn: string; projectKey?: string; policy?: string; artifactKey?: string },
): Promise<DependencyChange> {
  const policy =
    input.policy === undefined
      ? undefined
      : parseChoice<DependencyPolicy>(input.policy, DEPENDENCY_POLICIES, 'dependency policy');
  const { store } = ws;
  const dep = await addTaskDependency(store, ws.events, { ...input, policy });
  const name = async (id: string): Promise<string> => (await store.tasks.get(id))?.blueprint_id ?? id;
  return {
    task: await name(dep.task_id),
    depends_on: await name(dep.depends_on_id),
    policy: dep.policy,
    artifact_key: dep.artifact_key,
  };
}

export async function removeDependency(
  ws: Workspace,
  input: { task: string; dependsOn: string; projectKey?: string },
): Promise<DependencyRemoval> {
  const { store } = ws;
  const task = await resolveTask(store, input.task, input.projectKey);
  const upstream = await resolveTask(store, input.dependsOn, input.projectKey);
  await removeTaskDependency(store, ws.events, input);
  return { task: task.blueprint_id, depends_on: upstream.blueprint_id, removed: true };
}

export async function listDependencies(ws: Workspace, ref: TaskRef): Promise<DependencyList> {
  const detail = await taskDetail(ws, ref);
  return { task: detail.blueprint_id, ...detail.dependencies };
}

export interface GraphExport {
  project: string;
  format: GraphFormat;
  /** DOT or mermaid text; for `json`, the serialised JSON graph. */
  text: string;
}

export async function taskGraph(
  ws: Workspace,
  options: { projectKey?: string; format: string },
): Promise<GraphExport> {
  const format = parseChoice<GraphFormat>(options.format, GRAPH_FORMATS, 'graph format');
  const { project, tasks, dependencies } = await ws.store.read(async (store) => {
    const found = await resolveProject(store, options.projectKey);
    return {
      project: found,
      tasks: await store.tasks.list({ projectId: found.id, includeOrphaned: true }),
      dependencies: await store.dependencies.list({ projectId: found.id }),
    };
  });
  const text = exportGraph(tasks, dependencies, format);
  return { project: project.key, format, text };
}

export async function showTask(ws: Workspace, workflows: WorkflowService, ref: TaskRef): Promise<TaskShow> {
  const detail = await taskDetail(ws, ref);
  return { ...detail, evidence: await workflows.latestVerdict(detail) };
}
