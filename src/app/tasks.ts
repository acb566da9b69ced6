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
import type { WorkflowService } from '../orchestration/workflow-service.js';
import { addTaskDependency, listTaskDependencies, removeTaskDependency } from '../project/dependencies.js';
import { exportGraph, GRAPH_FORMATS, type GraphFormat } from '../project/graph-export.js';
import { resolveProject } from '../project/resolve.js';
import type { TaskFilter } from '../project/store.js';
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
export function listTasks(ws: Workspace, options: { projectKey?: string; status?: string } = {}): TaskList {
  const filter: TaskFilter = { includeOrphaned: true };
  if (options.projectKey !== undefined) filter.projectId = resolveProject(ws.store, options.projectKey).id;
  if (options.status !== undefined)
    filter.status = parseChoice<TaskStatus>(options.status, TASK_STATUSES, 'status');
  const keys = new Map(ws.store.listProjects().map((p) => [p.id, p.key]));
  return {
    tasks: ws.store.listTasks(filter).map((task) => ({
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
export function taskDetail(ws: Workspace, { ref, projectKey }: TaskRef): TaskDetail {
  const { store } = ws;
  const task = store.resolveTask(ref, projectKey);
  const deps = listTaskDependencies(store, task.id);
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
    project: store.getProject(task.project_id)?.key ?? task.project_id,
    dependencies: { upstream: deps.upstream.map(view), downstream: deps.downstream.map(view) },
    history: store.listTransitions(task.id),
  };
}

function withReason(action: string, reason: string | undefined): string {
  return reason === undefined || reason.trim() === ''
    ? `${action} by user`
    : `${action} by user: ${reason.trim()}`;
}

export type LifecycleAction = 'approve' | 'reopen' | 'cancel';

/**
 * A review decision or lifecycle move: approve (pending_review -> completed), reopen (-> active,
 * phase pending, so the task runs again) or cancel. The before-state is read in the transaction that
 * changes it, so the reported `from` is the status the move really left.
 */
export function moveTask(
  ws: Workspace,
  action: LifecycleAction,
  options: TaskRef & { reason?: string },
): LifecycleMove {
  const { store } = ws;
  return store.transaction(() => {
    const before = store.resolveTask(options.ref, options.projectKey);
    const after = applyMove(ws, before, action, options.reason);
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

function applyMove(ws: Workspace, task: Task, action: LifecycleAction, reason: string | undefined): Task {
  const { store } = ws;
  switch (action) {
    case 'approve':
      if (task.status !== 'pending_review') {
        throw new ConflictError(
          `task ${task.blueprint_id} is ${task.status}; only a task in pending_review can be approved`,
        );
      }
      store.updateTaskContent(task.id, {
        review_note: reason ?? null,
        reviewed_at: new Date().toISOString(),
      });
      return store.transitionTask(task.id, {
        status: 'completed',
        phase: 'done',
        reason: withReason('approved', reason),
      });
    case 'reopen':
      if (task.status === 'active') throw new ConflictError(`task ${task.blueprint_id} is already active`);
      return store.transitionTask(task.id, {
        status: 'active',
        phase: 'pending',
        reason: withReason('reopened', reason),
      });
    case 'cancel':
      if (task.status === 'cancelled')
        throw new ConflictError(`task ${task.blueprint_id} is already cancelled`);
      return store.transitionTask(task.id, { status: 'cancelled', reason: withReason('cancelled', reason) });
  }
}

/** Makes `task` depend on `dependsOn`; refused (naming the cycle) when it would close one. */
export function addDependency(
  ws: Workspace,
  input: { task: string; dependsOn: string; projectKey?: string; policy?: string; artifactKey?: string },
): DependencyChange {
  const policy =
    input.policy === undefined
      ? undefined
      : parseChoice<DependencyPolicy>(input.policy, DEPENDENCY_POLICIES, 'dependency policy');
  const { store } = ws;
  const dep = addTaskDependency(store, { ...input, policy });
  const name = (id: string): string => store.getTask(id)?.blueprint_id ?? id;
  return {
    task: name(dep.task_id),
    depends_on: name(dep.depends_on_id),
    policy: dep.policy,
    artifact_key: dep.artifact_key,
  };
}

export function removeDependency(
  ws: Workspace,
  input: { task: string; dependsOn: string; projectKey?: string },
): DependencyRemoval {
  const { store } = ws;
  const task = store.resolveTask(input.task, input.projectKey);
  const upstream = store.resolveTask(input.dependsOn, input.projectKey);
  removeTaskDependency(store, input);
  return { task: task.blueprint_id, depends_on: upstream.blueprint_id, removed: true };
}

export function listDependencies(ws: Workspace, ref: TaskRef): DependencyList {
  const detail = taskDetail(ws, ref);
  return { task: detail.blueprint_id, ...detail.dependencies };
}

export interface GraphExport {
  project: string;
  format: GraphFormat;
  /** DOT or mermaid text; for `json`, the serialised JSON graph. */
  text: string;
}

export function taskGraph(ws: Workspace, options: { projectKey?: string; format: string }): GraphExport {
  const format = parseChoice<GraphFormat>(options.format, GRAPH_FORMATS, 'graph format');
  const project = resolveProject(ws.store, options.projectKey);
  const tasks = ws.store.listTasks({ projectId: project.id, includeOrphaned: true });
  const text = exportGraph(tasks, ws.store.listDependencies({ projectId: project.id }), format);
  return { project: project.key, format, text };
}

export async function showTask(ws: Workspace, workflows: WorkflowService, ref: TaskRef): Promise<TaskShow> {
  const detail = taskDetail(ws, ref);
  return { ...detail, evidence: await workflows.latestVerdict(detail) };
}
