// Small pure rules of the native engine: phase order, progress, retry backoff and the task
// status/phase each workflow state maps to (checked by the store's lifecycle rules).
import { ITUV_PHASES, type ItuvPhase, type TaskPhase, type TaskStatus } from '../../project/model.js';

export interface RetryConfig {
  max_attempts: number;
  initial_interval_sec: number;
  backoff: number;
  max_interval_sec: number;
}

const PHASE_START_PROGRESS: Record<ItuvPhase, number> = { implement: 0, test: 25, use: 50, verify: 75 };

/** Progress when `phase` starts; each phase is a quarter, done is 100. */
export function progressAt(phase: ItuvPhase | 'done'): number {
  return phase === 'done' ? 100 : PHASE_START_PROGRESS[phase];
}

/** The phase after `phase`, or 'done' after VERIFY. */
export function nextPhase(phase: ItuvPhase): ItuvPhase | 'done' {
  return ITUV_PHASES[ITUV_PHASES.indexOf(phase) + 1] ?? 'done';
}

/** Delay before attempt `failedAttempt + 1`: initial * backoff^(failedAttempt-1), capped. */
export function retryDelayMs(retry: RetryConfig, failedAttempt: number): number {
  const seconds = retry.initial_interval_sec * retry.backoff ** Math.max(0, failedAttempt - 1);
  return Math.round(Math.min(seconds, retry.max_interval_sec) * 1000);
}

export interface TaskTarget {
  status: TaskStatus;
  phase?: TaskPhase;
}

/** What the task becomes for each workflow state (DESIGN §4 invariants: running ⇔ an ITUV phase). */
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
