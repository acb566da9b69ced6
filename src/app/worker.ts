// Use case: run a worker (`penguin worker`): host this workspace's workflows (queued with --detach,
// or left by a host that died) until stopped, or with `untilIdle` until none is left to run.
import { HOSTED_STATES, type WorkerResult } from '../contracts/workflow.js';
import type { WorkflowService } from '../orchestration/workflow-service.js';

/** How often a worker with `untilIdle` looks for work left. */
const IDLE_POLL_MS = 250;

export async function runWorker(
  service: WorkflowService,
  options: { untilIdle?: boolean; signal?: AbortSignal } = {},
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
    await host.shutdown();
  }
  return { stopped: true, workflows_run: [...hosted] };
}
