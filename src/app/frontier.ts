// Use case: what is ready in a project and why the rest waits (DESIGN §4), with the artifacts tasks
// have recorded counted, so that `artifact_ready` dependencies can be met; read once, or followed
// through the event log by Run Mode.
import type { FrontierView, ReadyView } from '../contracts/views.js';
import { ArtifactStore } from '../ituv/artifacts.js';
import { storedProjectFrontier } from '../project/frontier.js';
import { followProjectFrontier, type FrontierFeed } from '../project/frontier-follower.js';
import type { Workspace } from '../project/workspace.js';

export function projectFrontier(ws: Workspace, projectKey?: string): Promise<FrontierView> {
  return frontierOf(ws, projectKey, true);
}

/** The ready tasks alone, in pick order: the blocked tasks' explanations are not built. */
export async function projectReady(ws: Workspace, projectKey?: string): Promise<ReadyView> {
  const { project, ready } = await frontierOf(ws, projectKey, false);
  return { project, ready };
}

/** The project's frontier kept in memory and brought up to date from the event log on each call. */
export function followFrontier(ws: Workspace, projectKey?: string): FrontierFeed {
  return followProjectFrontier(ws.store, ws.config.scheduler, projectKey, artifactKeysOf(ws));
}

function frontierOf(
  ws: Workspace,
  projectKey: string | undefined,
  explainBlocked: boolean,
): Promise<FrontierView> {
  return storedProjectFrontier(ws.store, ws.config.scheduler, projectKey, artifactKeysOf(ws), {
    explainBlocked,
  });
}

/** The keys of a task's valid artifacts, from an artifact store opened on first use. */
function artifactKeysOf(ws: Workspace): (taskId: string) => Promise<ReadonlySet<string>> {
  let artifacts: ArtifactStore | null = null;
  // Only upstreams of artifact_ready dependencies ask, so most frontiers never hash an artifact.
  return (taskId) => {
    artifacts ??= new ArtifactStore(ws.store, ws.paths.artifactsDir);
    return artifacts.artifactKeys(taskId);
  };
}
