// Use cases of workflows (DESIGN §6, §8): start a task's run and host it until it settles, run just
// its next phase, re-run VERIFY with an override, steer and list runs, and the run mode line. Each
// returns a contract document (src/contracts/workflow.ts) for the CLI to render and the HTTP API to
// serve. They see orchestration only through the client and host of a WorkflowService; an interrupt
// (Ctrl-C) reaches them as an AbortSignal from the process entry point.
import type { VerifyResult } from '../contracts/phase-result.js';
import type { ItuvPhase } from '../contracts/task.js';
import {
  isSettled,
  isTerminal,
  WORKFLOW_STATES,
  type NextPhaseResult,
  type RunmodeLine,
  type VerifyAnswer,
  type WorkflowList,
  type WorkflowState,
  type WorkflowStatus,
} from '../contracts/workflow.js';
import { ConflictError, InterruptedError, UsageError } from '../errors.js';
import type { PenguinEvent } from '../events/types.js';
import { verify } from '../ituv/phases.js';
import { applyOverride } from '../ituv/verify.js';
import type { WorkflowService } from '../orchestration/workflow-service.js';
import type { Task } from '../project/model.js';
import { resolveProject, resolveTask as resolveStoredTask } from '../project/resolve.js';

export interface TaskRef {
  /** Task id or blueprint id. */
  ref: string;
  /** Disambiguates a blueprint id used in several projects. */
  projectKey?: string;
}

/** How a use case that hosts runs in this process is followed and stopped. */
export interface HostingOptions {
  /** Aborted by Ctrl-C or TERM: the host gives its runs back and the use case throws InterruptedError. */
  signal?: AbortSignal;
  /** Each event of the hosted run, as it is committed. */
  onEvent?: (event: PenguinEvent) => void;
  /** Called once hosting begins, with the workflow id. */
  onHosting?: (id: string) => void;
}

function resolveTask(service: WorkflowService, { ref, projectKey }: TaskRef): Promise<Task> {
  return resolveStoredTask(service.ws.store, ref, projectKey);
}

/**
 * Hosts workflows in this process until `id` settles (finishes, waits for a human, or pauses), then
 * gives every run it hosted back. Interrupted, it throws InterruptedError naming how to resume.
 */
export async function followWorkflow(
  service: WorkflowService,
  id: string,
  options: HostingOptions = {},
): Promise<WorkflowStatus> {
  const { client, host } = service;
  await client.getStatus(id);
  const unsubscribe = options.onEvent
    ? await service.events.subscribe((event) => {
        if (event.workflow_id === id) options.onEvent?.(event);
      })
    : undefined;
  options.onHosting?.(id);
  try {
    const outcome = await host.runUntil(async () => isSettled((await client.getStatus(id)).state), {
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (outcome === 'aborted') {
      const reason: unknown = options.signal?.reason;
      const by = typeof reason === 'string' ? reason : 'an interrupt';
      throw new InterruptedError(`stopped by ${by}; resume with \`penguin workflow resume ${id}\``);
    }
    return await client.getStatus(id);
  } finally {
    unsubscribe?.();
    // Ctrl-C or a TERM: the workflows go back at once (the running phase's process tree is killed
    // and it reruns on the next host) instead of waiting for the lease to run out.
    await host.shutdown();
  }
}

/** Who started a run, as its `workflow.started` event says: a command, the HTTP API or Run Mode. */
export type WorkflowOrigin = 'cli' | 'api' | 'scheduler';

/**
 * `task ituv start`, `workflow start`: queues a workflow for the task, then (unless `detach`) hosts
 * it here until it settles. Returns the queued or the final status.
 */
export async function startWorkflow(
  service: WorkflowService,
  task: TaskRef & { feedback?: string[]; detach?: boolean; origin?: WorkflowOrigin },
  hosting: HostingOptions = {},
): Promise<WorkflowStatus> {
  const resolved = await resolveTask(service, task);
  const id = await service.client.startWorkflow(resolved.id, {
    origin: task.origin ?? 'cli',
    ...(task.feedback ? { feedback: task.feedback } : {}),
  });
  if (task.detach) return service.client.getStatus(id);
  return followWorkflow(service, id, hosting);
}

/** `workflow resume`: resumes a paused or waiting run and (unless `detach`) hosts it until it settles. */
export async function resumeWorkflow(
  service: WorkflowService,
  id: string,
  options: { detach?: boolean } = {},
  hosting: HostingOptions = {},
): Promise<WorkflowStatus> {
  await service.client.signal(id, 'resume');
  if (options.detach) return service.client.getStatus(id);
  return followWorkflow(service, id, hosting);
}

/**
 * `task ituv next`: runs exactly the next phase of the task. Starts a workflow (or resumes its
 * paused or waiting one) that pauses again as soon as that phase has a result, hosting it here.
 */
export async function runNextPhase(
  service: WorkflowService,
  task: TaskRef,
  hosting: HostingOptions = {},
): Promise<NextPhaseResult> {
  const { client } = service;
  const resolved = await resolveTask(service, task);
  const live = (await service.runsOf(resolved)).find((w) => !isTerminal(w.state));
  let id: string;
  let before = 0;
  if (!live) {
    id = await client.startWorkflow(resolved.id, { origin: 'cli', pauseAfterPhase: true });
  } else if (live.state === 'paused' || live.state === 'waiting_input') {
    id = live.id;
    before = live.phases.length;
    await client.signal(id, 'resume', { pause_after_phase: true });
  } else {
    throw new ConflictError(
      `workflow ${live.id} of ${resolved.blueprint_id} is ${live.state}; pause it first or follow it with \`penguin workflow status ${live.id}\``,
    );
  }
  const workflow = await followWorkflow(service, id, hosting);
  const ran = workflow.phases.slice(before).at(-1) ?? null;
  return {
    phase: ran?.phase ?? null,
    outcome: ran?.outcome ?? null,
    summary: ran?.summary ?? null,
    workflow,
  };
}

/**
 * `task ituv verify`: re-runs VERIFY (checks included) over the newest phase results of the task's
 * latest workflow, with the override (if any) applied. The verdict goes to the task's live workflow
 * as a `reverify` signal, which records it (and the override) and completes the run when it passed.
 * Without a live workflow the override is recorded on the task and nothing else changes.
 */
export async function verifyAgain(
  service: WorkflowService,
  task: TaskRef & { override?: { criterion: number; why: string } },
): Promise<VerifyAnswer> {
  const { client, ws } = service;
  const before = await resolveTask(service, task);
  const overrides = task.override
    ? applyOverride(before, task.override.criterion, task.override.why)
    : before.overrides;
  // The newest run is the live one, when there is one: a task has at most one live run.
  const latest = (await service.runsOf(before))[0] ?? null;
  const live = latest && !isTerminal(latest.state) ? latest : null;
  const run = await verify(
    { workspaceRoot: ws.paths.root, config: ws.config },
    {
      task: { ...before, overrides },
      previousResults: latest ? await client.phaseResults(latest.id) : {},
      timeoutMs: ws.config.runmode.ituv.phase_timebox_sec.verify * 1000,
      signal: new AbortController().signal,
    },
  );
  const verdict: VerifyResult = run.result;
  const override = task.override
    ? { criterion: task.override.criterion, justification: task.override.why }
    : null;
  if (live) {
    await client.reverify(live.id, {
      verdict: { passed: verdict.passed, summary: run.summary, result: run.result },
      override,
    });
  } else if (task.override) {
    await ws.store.transaction((tx) => tx.tasks.updateContent(before.id, { overrides }));
  }
  const after = (await ws.store.tasks.get(before.id)) ?? before;
  return {
    task: { id: after.id, blueprint_id: after.blueprint_id, status: after.status, phase: after.phase },
    verify: verdict,
  };
}

export async function workflowStatus(service: WorkflowService, id: string): Promise<WorkflowStatus> {
  return service.client.getStatus(id);
}

/** `workflow pause|cancel`: sends the signal; returns the status at the moment it was stored. */
export async function signalWorkflow(
  service: WorkflowService,
  id: string,
  name: 'pause' | 'cancel',
): Promise<WorkflowStatus> {
  await service.client.signal(id, name);
  return service.client.getStatus(id);
}

/** `workflow feedback`: feedback for the next IMPLEMENT; it answers a waiting run. */
export async function feedWorkflow(
  service: WorkflowService,
  id: string,
  text: string,
): Promise<WorkflowStatus> {
  await service.client.signal(id, 'inject_feedback', { text });
  return service.client.getStatus(id);
}

/** `workflow list`: of one project and/or in some states (`status` is comma-separated). */
export async function listWorkflows(
  service: WorkflowService,
  filter: { projectKey?: string; status?: string },
): Promise<WorkflowList> {
  const projectId = filter.projectKey
    ? (await resolveProject(service.ws.store, filter.projectKey)).id
    : undefined;
  let states: WorkflowState[] | undefined;
  if (filter.status) {
    const names = filter.status.split(',').map((s) => s.trim());
    const bad = names.find((s) => !(WORKFLOW_STATES as readonly string[]).includes(s));
    if (bad !== undefined)
      throw new UsageError(`unknown workflow status '${bad}'; use one of ${WORKFLOW_STATES.join(', ')}`);
    states = names as WorkflowState[];
  }
  const workflows = await service.client.list({
    ...(projectId ? { projectId } : {}),
    ...(states ? { status: states } : {}),
  });
  return { workflows };
}

/** `runmode status`: the newest live workflow, its phase and what is left of its timebox. */
export async function runmodeStatus(service: WorkflowService, now = Date.now()): Promise<RunmodeLine> {
  const live = (await service.client.list({})).filter((w) => !isTerminal(w.state));
  const current = live.sort((a, b) => b.updated_at.localeCompare(a.updated_at))[0] ?? null;
  if (!current || current.state !== 'running' || current.phase === null || current.phase === 'done') {
    return { workflow: current, timebox_left_sec: null };
  }
  // The in-flight attempt is the phase record without an outcome yet.
  const inFlight = current.phases.find((p) => p.outcome === null);
  const startedAt = Date.parse(inFlight?.started_at ?? current.updated_at);
  const timebox = service.ws.config.runmode.ituv.phase_timebox_sec[current.phase as ItuvPhase];
  const left = Math.max(0, Math.round(timebox - (now - startedAt) / 1000));
  return { workflow: current, timebox_left_sec: left };
}
