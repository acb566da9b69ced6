// Use cases of the processes that run workflows and of the backend behind them: run a worker
// (`penguin worker`: host this workspace's workflows, queued with --detach or left by a host that
// died, until stopped, or with `untilIdle` until none is left to run), the backend's health
// (`penguin orchestration health`) and stopping the Temporal dev server Penguin started for the
// workspace (`penguin orchestration stop-dev`).
import type { StopDevResult } from '../contracts/cli.js';
import { HOSTED_STATES, type BackendHealth, type WorkerResult } from '../contracts/workflow.js';
import { stopDevServer } from '../orchestration/temporal/dev-server.js';
import type { WorkflowService } from '../orchestration/workflow-service.js';

/** How often a worker with `untilIdle` looks for work left. */
const IDLE_POLL_MS = 250;

export async function runWorker(
  service: WorkflowService,
  options: { untilIdle?: boolean; signal?: AbortSignal; graceMs?: number } = {},
): Promise<WorkerResult> {
  const { client, host } = service;
  const hosted = new Set<string>();
  const unsubscribe = await service.events.subscribe((event) => {
    if (event.type === 'workflow.phase_started' && event.workflow_id) hosted.add(event.workflow_id);
  });
  try {
    // Stopped by the signal (Ctrl-C) or, with untilIdle, once nothing is queued or running.
    const idle = async (): Promise<boolean> =>
      options.untilIdle === true && (await client.list({ status: [...HOSTED_STATES] })).length === 0;
    await host.runUntil(idle, {
      pollMs: IDLE_POLL_MS,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } finally {
    unsubscribe();
    // Without a grace time given, each backend's own default applies.
    await host.shutdown(options.graceMs);
  }
  return { stopped: true, workflows_run: [...hosted] };
}

/** The configured backend's answer: reachable, and what it is doing. */
export function orchestrationHealth(service: WorkflowService): Promise<BackendHealth> {
  return service.client.health();
}

/** Stops the Temporal dev server recorded under the workspace's .penguin/, if one runs. */
export async function stopDevOrchestration(service: WorkflowService): Promise<StopDevResult> {
  const stopped = await stopDevServer(service.ws.paths.penguinDir);
  return { stopped: stopped !== null, pid: stopped?.pid ?? null, address: stopped?.address ?? null };
}
