// Small rules of an ITUV run (DESIGN §5-6): phase order, progress, retry backoff, the idempotency
// key of an attempt, the task status/phase each workflow state maps to, and who may start a run.
// Pure like the rest of the machine: no clock, no randomness (both come in as arguments).
import { ITUV_PHASES, type ItuvPhase, type TaskPhase, type TaskStatus } from '../../contracts/task.js';
import type { WorkflowPhase } from '../../contracts/workflow.js';

export interface RetryConfig {
  max_attempts: number;
  initial_interval_sec: number;
  backoff: number;
  max_interval_sec: number;
  /** Spread of the delay either side, as a fraction of it (0.2 = +-20 %); 0 or absent: none. */
  jitter?: number;
}

/** What the machine needs from the workspace configuration. */
export interface MachineConfig {
  retry: RetryConfig;
  timeboxSec: Record<ItuvPhase, number>;
  /** Gate-failure loops before the run waits for a human. */
  maxIterations: number;
  /** VERIFY pass completes the task; otherwise it goes to pending_review. */
  autoApprove: boolean;
}

const PHASE_START_PROGRESS: Record<ItuvPhase, number> = { implement: 0, test: 25, use: 50, verify: 75 };

/** Progress when `phase` starts; each phase is a quarter, done is 100. */
export function progressAt(phase: WorkflowPhase): number {
  return phase === 'done' ? 100 : PHASE_START_PROGRESS[phase];
}

/** The phase after `phase`, or 'done' after VERIFY. */
export function nextPhase(phase: ItuvPhase): WorkflowPhase {
  return ITUV_PHASES[ITUV_PHASES.indexOf(phase) + 1] ?? 'done';
}

/**
 * Delay before attempt `failedAttempt + 1`: initial * backoff^(failedAttempt-1), capped, then spread
 * by the jitter with `random` (a number in [0, 1) handed in by the host; 0.5 means no spread).
 */
export function retryDelayMs(retry: RetryConfig, failedAttempt: number, random = 0.5): number {
  const seconds = retry.initial_interval_sec * retry.backoff ** Math.max(0, failedAttempt - 1);
  const capped = Math.min(seconds, retry.max_interval_sec);
  const spread = (retry.jitter ?? 0) * (2 * random - 1);
  return Math.max(0, Math.round(capped * (1 + spread) * 1000));
}

/** `workflow:phase:iteration:attempt`: the same key is never executed twice. */
export function idempotencyKey(
  workflowId: string,
  phase: ItuvPhase,
  iteration: number,
  attempt: number | string,
): string {
  return `${workflowId}:${phase}:${iteration}:${attempt}`;
}

export interface TaskTarget {
  status: TaskStatus;
  phase?: TaskPhase;
}

/** What the task becomes for each workflow state (DESIGN §4 invariants: running <=> an ITUV phase). */
export const TASK_TARGET = {
  running: (phase: ItuvPhase): TaskTarget => ({ status: 'running', phase }),
  // A paused run hands the task back to the ready pool's state; its phase restarts from pending.
  paused: { status: 'active', phase: 'pending' } as TaskTarget,
  waitingInput: { status: 'waiting_input', phase: 'blocked' } as TaskTarget,
  failed: { status: 'failed', phase: 'blocked' } as TaskTarget,
  cancelled: { status: 'cancelled' } as TaskTarget,
  done: (autoApprove: boolean): TaskTarget => ({
    status: autoApprove ? 'completed' : 'pending_review',
    phase: 'done',
  }),
};

/** Statuses a task may start a run from: ready work, or work waiting for a human's answer. */
const STARTABLE: readonly TaskStatus[] = ['active', 'waiting_input'];

/** Why `task` may not start a workflow, or null when it may. */
export function startRefusal(task: { id: string; blueprint_id: string; status: TaskStatus }): string | null {
  return STARTABLE.includes(task.status)
    ? null
    : `task ${task.blueprint_id} (${task.id}) is ${task.status}; a workflow starts only from an active task`;
}
