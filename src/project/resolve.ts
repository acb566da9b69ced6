// How a user names a project and a task: a project by key, or not at all when the workspace has just
// one; a task by task id or blueprint id, with the project's key when a blueprint id is used in
// several projects (DESIGN §4). One rule for the CLI, the HTTP API and the scheduler, with the
// sentence that says what to do when it does not resolve. Written against the Store's readers, so it
// works on any storage and inside a transaction as well (a transaction is a reader).
import { NotFoundError, UsageError } from '../errors.js';
import type { Project, Task } from './model.js';
import type { StoreReader } from './store.js';

/** The project meant: the one named, or the only one there is. */
export async function resolveProject(store: StoreReader, projectKey?: string): Promise<Project> {
  const projects = await store.projects.list();
  const known = (): string => projects.map((p) => p.key).join(', ') || 'none';
  if (projectKey !== undefined) {
    const project = projects.find((p) => p.key === projectKey) ?? null;
    if (project === null) throw new NotFoundError(`no project ${projectKey}; known projects: ${known()}`);
    return project;
  }
  const [only] = projects;
  if (only === undefined) throw new UsageError('no projects yet; run `penguin blueprint sync` first');
  if (projects.length > 1) throw new UsageError(`several projects exist (${known()}); pass --project KEY`);
  return only;
}

/**
 * The task `ref` names: a task id (inside `projectKey`'s project when one is given), else a blueprint
 * id. NotFoundError for none, UsageError for a blueprint id of several projects without a key.
 */
export async function resolveTask(store: StoreReader, ref: string, projectKey?: string): Promise<Task> {
  const project = projectKey === undefined ? null : await store.projects.getByKey(projectKey);
  if (projectKey !== undefined && project === null) throw new NotFoundError(`no project '${projectKey}'`);
  const byId = await store.tasks.get(ref);
  if (byId !== null && (project === null || byId.project_id === project.id)) return byId;
  if (project !== null) {
    const task = await store.tasks.getByBlueprintId(project.id, ref);
    if (task === null) throw new NotFoundError(`no task '${ref}' in project ${project.key}`);
    return task;
  }
  const matches = await store.tasks.findByBlueprintId(ref);
  const [first] = matches;
  if (first === undefined) throw new NotFoundError(`no task '${ref}'`);
  if (matches.length === 1) return first;
  const keys: string[] = [];
  for (const task of matches) keys.push((await store.projects.get(task.project_id))?.key ?? task.project_id);
  throw new UsageError(`task '${ref}' exists in projects ${keys.sort().join(', ')}; pass --project`);
}
