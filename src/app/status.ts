// Use case: the workspace at a glance (`penguin status`): each project's tasks by status, what is
// ready and blocked, stale or orphaned work, and the live workflows.
import { TASK_STATUSES, type TaskStatus } from '../contracts/task.js';
import type { ProjectStatus, WorkspaceStatus } from '../contracts/views.js';
import { containment } from '../ituv/process.js';
import { isTerminal } from '../orchestration/backend.js';
import type { WorkflowService } from '../orchestration/workflow-service.js';
import type { Workspace } from '../project/workspace.js';
import { projectFrontier } from './frontier.js';

export async function workspaceStatus(ws: Workspace, workflows: WorkflowService): Promise<WorkspaceStatus> {
  const projects: ProjectStatus[] = [];
  for (const project of await ws.store.projects.list()) {
    const tasks = await ws.store.tasks.list({ projectId: project.id, includeOrphaned: true });
    const frontier = await projectFrontier(ws, project.key);
    const byStatus = Object.fromEntries(TASK_STATUSES.map((status) => [status, 0])) as Record<
      TaskStatus,
      number
    >;
    for (const task of tasks) byStatus[task.status] += 1;
    projects.push({
      key: project.key,
      tasks: tasks.length,
      by_status: byStatus,
      ready: frontier.ready.length + frontier.omitted,
      blocked: frontier.blocked.length,
      stale: tasks.filter((t) => t.stale).length,
      orphaned: tasks.filter((t) => t.orphaned).length,
      next: frontier.ready[0]?.blueprint_id ?? null,
    });
  }
  const live = (await workflows.client.list({})).filter((w) => !isTerminal(w.state));
  const { mode, detail } = containment();
  return {
    root: ws.paths.root,
    backend: ws.config.orchestration.backend,
    containment: { mode, detail },
    projects,
    live_workflows: live,
  };
}
