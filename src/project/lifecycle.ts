// The task lifecycle of DESIGN §4 as data: which status may follow which, and which phases each status
// allows. `assertTransition` resolves a request against these tables; the store records the result.
import { ConflictError } from '../errors.js';
import { ITUV_PHASES, type Task, type TaskPhase, type TaskStatus } from './model.js';
import type { TransitionRequest } from './store.js';

/**
 * Status moves to a DIFFERENT status. Staying in the same status (a phase change) is always a move;
 * whether the new phase fits is the job of STATUS_PHASES.
 * - running -> active is a pause or an interrupted run: the phase goes back to `pending` (not
 *   `blocked`) because the durable engine, not the task row, remembers which phases finished, and a
 *   paused task must look like any other task that is waiting to be started.
 * - archived is final.
 */
export const STATUS_MOVES: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  pending: ['active', 'cancelled', 'archived'],
  active: ['running', 'cancelled', 'archived'],
  running: ['waiting_input', 'failed', 'completed', 'pending_review', 'active', 'cancelled', 'archived'],
  waiting_input: ['running', 'active', 'failed', 'cancelled', 'archived'],
  pending_review: ['completed', 'active', 'cancelled', 'archived'],
  completed: ['active', 'cancelled', 'archived'],
  failed: ['active', 'cancelled', 'archived'],
  cancelled: ['active', 'archived'],
  archived: [],
};

const AT_REST: readonly TaskPhase[] = ['pending', 'done', 'blocked'];

/**
 * The phases each status allows; the first is the default when a request names no phase and the
 * current phase does not fit. Encodes the invariants: running <=> an ITUV phase; pending_review and
 * completed => done; waiting_input and failed => blocked; active (also after a reopen) => pending.
 */
export const STATUS_PHASES: Readonly<Record<TaskStatus, readonly TaskPhase[]>> = {
  pending: ['pending'],
  active: ['pending'],
  running: ITUV_PHASES,
  waiting_input: ['blocked'],
  pending_review: ['done'],
  completed: ['done'],
  failed: ['blocked'],
  cancelled: AT_REST,
  archived: AT_REST,
};

function listWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

/**
 * The status and phase `task` ends in after `req`, or a ConflictError naming the task and the rule
 * broken. When `req` leaves out the status, the status stays; when it leaves out the phase, the
 * current phase stays if the target status allows it, else the status's default phase.
 * The result equals the task's current state for a request that changes nothing.
 */
export function assertTransition(
  task: Task,
  req: TransitionRequest,
): { status: TaskStatus; phase: TaskPhase } {
  const from = task.status;
  const to = req.status ?? from;
  if (to !== from && !STATUS_MOVES[from].includes(to)) {
    const allowed = STATUS_MOVES[from];
    const why =
      allowed.length === 0 ? `${from} is final` : `from ${from} a task may only go to ${listWords(allowed)}`;
    throw new ConflictError(`task ${task.blueprint_id} cannot go from ${from} to ${to}: ${why}`);
  }
  const phases = STATUS_PHASES[to];
  const phase = req.phase ?? (phases.includes(task.phase) ? task.phase : (phases[0] as TaskPhase));
  if (!phases.includes(phase)) {
    throw new ConflictError(
      `task ${task.blueprint_id} cannot be ${to} in phase ${phase}: ${to} requires phase ${listWords(phases)}`,
    );
  }
  return { status: to, phase };
}

/**
 * Whether a move clears the `stale` flag: a reopen (the work will be done again) or a fresh pass of
 * the gates (running -> completed / pending_review). Approving a stale pending_review task keeps it
 * stale: nobody re-verified the changed content.
 */
export function clearsStale(from: TaskStatus, to: TaskStatus): boolean {
  if (to === 'active' && from !== 'active') return true;
  return from === 'running' && (to === 'completed' || to === 'pending_review');
}
