// Use case: what is ready in a project and why the rest waits (DESIGN §4), with the artifacts tasks
// have recorded counted, so that `artifact_ready` dependencies can be met.
import type { FrontierView, ReadyView } from '../contracts/views.js';
import { ArtifactStore } from '../ituv/artifacts.js';
import { storedProjectFrontier } from '../project/frontier.js';
import type { Workspace } from '../project/workspace.js';

export function projectFrontier(ws: Workspace, projectKey?: string): Promise<FrontierView> {
  return frontierOf(ws, projectKey, true);
}

/** The ready tasks alone, in pick order: the blocked tasks' explanations are not built. */
export async function projectReady(ws: Workspace, projectKey?: string): Promise<ReadyView> {
  const { project, ready } = await frontierOf(ws, projectKey, false);
  return { project, ready };
}

function frontierOf(
  ws: Workspace,
  projectKey: string | undefined,
  explainBlocked: boolean,
): Promise<FrontierView> {
  let artifacts: ArtifactStore | null = null;
  // Only upstreams of artifact_ready dependencies ask, so most frontiers never hash an artifact.
  const keys = (taskId: string): Promise<ReadonlySet<string>> => {
    artifacts ??= new ArtifactStore(ws.store, ws.paths.artifactsDir);
    return artifacts.artifactKeys(taskId);
  };
  return storedProjectFrontier(ws.store, ws.config.scheduler, projectKey, keys, { explainBlocked });
}
