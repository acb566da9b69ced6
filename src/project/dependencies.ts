// `task deps add|remove|list`: manual dependency edits, checked against the whole project graph
// (DESIGN §4: cycles are rejected at `deps add`). Talks to the Store interface only.
import type { DependencyPolicy } from '../blueprint/model.js';
import type { EventLog } from '../events/log.js';
import { ConflictError, NotFoundError, UsageError } from '../errors.js';
import type { Dependency, Task } from './model.js';
import { resolveTask } from './resolve.js';
import type { Store, StoreReader } from './store.js';

export interface AddDependencyInput {
  /** The dependent task: task id or blueprint id. */
  task: string;
  /** The upstream task it will depend on: task id or blueprint id. */
  dependsOn: string;
  projectKey?: string;
  /** Default completion_required. */
  policy?: DependencyPolicy;
  /** Required for, and only allowed with, artifact_ready. */
  artifactKey?: string;
}

export interface RemoveDependencyInput {
  task: string;
  dependsOn: string;
  projectKey?: string;
}

export interface TaskDependencies {
  /** What the task depends on, in blueprint order. */
  upstream: { task: Task; dep: Dependency }[];
  /** What depends on the task, in blueprint order. */
  downstream: { task: Task; dep: Dependency }[];
}

function where(task: Task): string {
  return task.source_file === null
    ? ''
    : ` (${task.source_file}${task.source_line === null ? '' : `:${task.source_line}`})`;
}

function subjectOf(task: Task): { task_id: string; project_id: string; blueprint_id: string } {
  return { task_id: task.id, project_id: task.project_id, blueprint_id: task.blueprint_id };
}

function byBlueprintOrder(a: { task: Task }, b: { task: Task }): number {
  return (
    a.task.blueprint_order - b.task.blueprint_order ||
    (a.task.id < b.task.id ? -1 : a.task.id > b.task.id ? 1 : 0)
  );
}

/**
 * Records that `task` depends on `dependsOn` (source 'manual'). An existing dependency between the
 * two is replaced, so this also changes a policy; re-adding the same dependency writes nothing.
 */
export async function addTaskDependency(
  store: Store,
  events: Pick<EventLog, 'append'>,
  input: AddDependencyInput,
): Promise<Dependency> {
  const policy = input.policy ?? 'completion_required';
  const artifactKey = input.artifactKey === undefined || input.artifactKey === '' ? null : input.artifactKey;
  if (policy === 'artifact_ready' && artifactKey === null) {
    throw new UsageError('an artifact_ready dependency needs an artifact key (--artifact-key)');
  }
  if (policy !== 'artifact_ready' && artifactKey !== null) {
    throw new UsageError(`an artifact key only applies to artifact_ready dependencies, not ${policy}`);
  }

  return store.transaction(async (tx) => {
    const task = await resolveTask(tx, input.task, input.projectKey);
    const upstream = await resolveTask(tx, input.dependsOn, input.projectKey);
    if (task.project_id !== upstream.project_id) {
      throw new UsageError(
        `${task.blueprint_id} and ${upstream.blueprint_id} are in different projects; a dependency must stay inside one project`,
      );
    }
    if (task.id === upstream.id) throw new UsageError(`${task.blueprint_id} cannot depend on itself`);

    const deps = await tx.dependencies.list({ projectId: task.project_id });
    const dep: Dependency = {
      task_id: task.id,
      depends_on_id: upstream.id,
      policy,
      artifact_key: artifactKey,
      source: 'manual',
    };
    const existing = deps.find((d) => d.task_id === task.id && d.depends_on_id === upstream.id);
    if (existing && existing.policy === policy && existing.artifact_key === artifactKey) return existing;

    const tasks = await tx.tasks.list({ projectId: task.project_id, includeOrphaned: true });
    // The graph library is loaded here, for the cycle check, and not by every task command.
    const { wouldCreateCycle } = await import('./dag.js');
    const cycle = wouldCreateCycle(tasks, deps, dep);
    if (cycle !== null) {
      const names = new Map(tasks.map((t) => [t.id, t.blueprint_id]));
      const path = cycle.map((id) => names.get(id) ?? id).join(' -> ');
      throw new ConflictError(
        `adding ${task.blueprint_id} -> ${upstream.blueprint_id} would create a cycle: ${path}`,
      );
    }
    await tx.dependencies.add(dep);
    // In the edit's transaction: whoever keeps a frontier in memory (Run Mode) learns the graph moved.
    await events.append(tx, {
      type: 'dependency.added',
      ...subjectOf(task),
      data: { depends_on: upstream.blueprint_id, policy, artifact_key: artifactKey },
    });
    return dep;
  });
}

/**
 * Removes the dependency of `task` on `dependsOn`. A dependency written in the blueprint is refused:
 * the next sync would bring it back, so the blueprint is the place to remove it.
 */
export async function removeTaskDependency(
  store: Store,
  events: Pick<EventLog, 'append'>,
  input: RemoveDependencyInput,
): Promise<void> {
  await store.transaction(async (tx) => {
    const task = await resolveTask(tx, input.task, input.projectKey);
    const upstream = await resolveTask(tx, input.dependsOn, input.projectKey);
    const existing = (await tx.dependencies.list({ taskId: task.id })).find(
      (d) => d.task_id === task.id && d.depends_on_id === upstream.id,
    );
    if (existing === undefined) {
      throw new NotFoundError(`${task.blueprint_id} does not depend on ${upstream.blueprint_id}`);
    }
    if (existing.source === 'blueprint') {
      throw new UsageError(
        `${task.blueprint_id} depends on ${upstream.blueprint_id} in its blueprint${where(task)}; remove it there and sync`,
      );
    }
    await tx.dependencies.remove(task.id, upstream.id);
    await events.append(tx, {
      type: 'dependency.removed',
      ...subjectOf(task),
      data: { depends_on: upstream.blueprint_id },
    });
  });
}

/** The dependencies of `task` in both directions, with the task at the other end. */
export async function listTaskDependencies(
  store: StoreReader,
  task: string,
  projectKey?: string,
): Promise<TaskDependencies> {
  const subject = await resolveTask(store, task, projectKey);
  const upstream: TaskDependencies['upstream'] = [];
  const downstream: TaskDependencies['downstream'] = [];
  for (const dep of await store.dependencies.list({ projectId: subject.project_id })) {
    if (dep.task_id === subject.id) {
      const other = await store.tasks.get(dep.depends_on_id);
      if (other) upstream.push({ task: other, dep });
    } else if (dep.depends_on_id === subject.id) {
      const other = await store.tasks.get(dep.task_id);
      if (other) downstream.push({ task: other, dep });
    }
  }
  upstream.sort(byBlueprintOrder);
  downstream.sort(byBlueprintOrder);
  return { upstream, downstream };
}
