// How a user names a project: by key, or not at all when the workspace has just one. One rule for the
// CLI, the HTTP API and the scheduler, with the sentence that says what to do when it does not resolve.
import { NotFoundError, UsageError } from '../errors.js';
import type { Project } from './model.js';
import type { Store } from './store.js';

/** The project meant: the one named, or the only one there is. */
export function resolveProject(store: Store, projectKey?: string): Project {
  const projects = store.listProjects();
  const known = (): string => projects.map((p) => p.key).join(', ') || 'none';
  if (projectKey !== undefined) {
    const project = store.getProjectByKey(projectKey);
    if (project === null) throw new NotFoundError(`no project ${projectKey}; known projects: ${known()}`);
    return project;
  }
  const [only] = projects;
  if (only === undefined) throw new UsageError('no projects yet; run `penguin blueprint sync` first');
  if (projects.length > 1) throw new UsageError(`several projects exist (${known()}); pass --project KEY`);
  return only;
}
