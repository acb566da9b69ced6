// The one way the CLI, the HTTP API and the use cases open a workspace's orchestration: a
// WorkflowService whose host runs phases through the run-mode executor. For a task a scheduler
// claimed, that runs every phase in the claim's worktree, port and agent, whichever host (`run
// continuous`, `penguin worker`, `serve`, a foreground `workflow resume`) takes the workflow over;
// for any other task it is the plain ITUV executor, so nothing else changes.
import { WorkflowService } from '../orchestration/workflow-service.js';
import type { Workspace } from '../project/workspace.js';
import { RunModeExecutor } from '../scheduler/executor.js';

export function openWorkflowService(ws: Workspace): WorkflowService {
  return new WorkflowService(ws, {
    executor: (ituv) =>
      new RunModeExecutor({
        root: ws.paths.root,
        penguinDir: ws.paths.penguinDir,
        config: ws.config,
        store: ws.store,
        ituv,
      }),
  });
}
