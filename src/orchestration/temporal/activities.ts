// The ITUVWorkflow's activities, bound to one workspace's store, event log and phase executor:
// `commit` carries out a chain of machine steps (task moves, events, step records, the run's new
// state) in one store transaction through the native host's own StepInterpreter, idempotently (a
// retried commit finds the record already moved on and writes nothing twice); `runPhase` runs one
// attempt with the same PhaseExecutor the native host uses, heartbeating, killing the agent's process
// tree on cancel, timebox or worker shutdown, and reports gate failures and transient errors as
// ApplicationFailures the workflow feeds back to the machine.
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import { HOSTED_STATES } from '../../contracts/workflow.js';
import type { Store } from '../../contracts/store/index.js';
import type { EventLog } from '../../events/log.js';
import type { EventType } from '../../events/types.js';
import type { MachineConfig, RunState } from '../machine/index.js';
import { StepInterpreter, type Applier } from '../native/interpreter.js';
import { iterationResults, runState } from '../native/records.js';
import type { PhaseContext, PhaseExecutor, PhaseOutcome } from '../phase-executor.js';
import {
  GATE_FAILED,
  TEMPORAL_OWNER,
  TRANSIENT,
  WORKER_STOPPED,
  type CommitAnswer,
  type CommitInput,
  type ItuvActivities,
  type RunPhaseAnswer,
  type RunPhaseInput,
} from './api.js';

/** A Temporal run's record keeps this lease, so that no native host ever claims it. */
const NEVER_EXPIRES = Number.MAX_SAFE_INTEGER;

export interface ActivityDeps {
  store: Store;
  events: EventLog;
  executor: PhaseExecutor;
  config: MachineConfig;
  /** Errors that must not fail a phase (an agent.output event that did not commit). */
  onError: (error: unknown) => void;
}

/** The phases running in this worker, so a shutdown can stop them once its grace time is over. */
export class RunningPhases {
  private readonly controllers = new Set<AbortController>();

  add(controller: AbortController): () => void {
    this.controllers.add(controller);
    return () => this.controllers.delete(controller);
  }

  get size(): number {
    return this.controllers.size;
  }

  stopAll(): void {
    for (const controller of this.controllers) controller.abort('shutdown');
  }
}

export function createActivities(deps: ActivityDeps, running: RunningPhases): ItuvActivities {
  const interpreter = new StepInterpreter(deps.events, deps.config);
  const applier: Applier = { kind: 'host', owner: TEMPORAL_OWNER, leaseMs: 0 };

  async function commit({ workflowId, from, steps, signals }: CommitInput): Promise<CommitAnswer> {
    return deps.store.transaction(async (tx) => {
      const row = await tx.workflows.get(workflowId);
      if (!row) {
        throw ApplicationFailure.nonRetryable(
          `workflow ${workflowId} has no record in this worker's store; is the worker on another workspace's task queue?`,
        );
      }
      // Where the record is: at `from` (nothing of this chain written yet), or at a step of it (an
      // earlier try of this commit got that far and its answer was lost).
      const current = canonical(runState(row));
      let done = 0;
      if (current !== canonical(from)) {
        done = steps.findLastIndex((s) => canonical(s.state) === current) + 1;
        if (done === 0) {
          throw ApplicationFailure.nonRetryable(
            `workflow ${workflowId}'s record in the store was changed by someone else; it cannot be committed`,
          );
        }
      }
      const rest = steps.slice(done);
      const refused = await interpreter.carryOutSteps(tx, rest, applier);
      const kept = refused ? rest.slice(0, refused.index) : rest;
      const end: RunState = kept.at(-1)?.state ?? steps[done - 1]?.state ?? from;
      const hosted = HOSTED_STATES.includes(end.state);
      await tx.workflows.save(end, hosted ? { kind: 'keep' } : { kind: 'release' });
      for (const id of signals) await tx.workflows.consumeSignal(id);
      if (hosted && row.owner !== TEMPORAL_OWNER) {
        await tx.workflows.claim(workflowId, TEMPORAL_OWNER, Date.now(), NEVER_EXPIRES);
      }
      return refused ? { ...refused, index: done + refused.index } : null;
    });
  }

  async function runPhase({ workflowId, taskId, effect }: RunPhaseInput): Promise<RunPhaseAnswer> {
    const activity = Context.current();
    const task = await deps.store.tasks.get(taskId);
    if (!task) throw transient(`no task '${taskId}' (workflow ${workflowId})`);
    const previousResults = iterationResults(
      await deps.store.workflows.passedSteps(workflowId, effect.results_of_iteration),
    );
    const controller = new AbortController();
    const forget = running.add(controller);
    const onCancel = (): void => controller.abort('cancel');
    activity.cancellationSignal.addEventListener('abort', onCancel);
    const timebox = setTimeout(() => controller.abort('timebox'), effect.timeout_ms);
    // Heartbeats say this worker lives (the SDK throttles them); a cancel arrives in their answer.
    const beat = setInterval(() => activity.heartbeat(), 250);
    const output: Promise<unknown>[] = [];
    let live = true;
    const ctx: PhaseContext = {
      workflowId,
      task,
      phase: effect.phase,
      iteration: effect.iteration,
      attempt: effect.attempt,
      idempotencyKey: effect.key,
      feedback: effect.feedback,
      previousResults,
      resumed: effect.resumed,
      signal: controller.signal,
      timeoutMs: effect.timeout_ms,
      emit: (type: EventType, data: Record<string, unknown>) => {
        if (!live) return;
        const draft = {
          project_id: task.project_id,
          task_id: task.id,
          blueprint_id: task.blueprint_id,
          workflow_id: workflowId,
          type,
          phase: effect.phase,
          iteration: effect.iteration,
          data,
        };
        output.push(deps.events.record(draft).catch(deps.onError));
        // The phase's progress is its heartbeat too (the SDK throttles them).
        activity.heartbeat({ outputs: output.length });
      },
    };
    let outcome: PhaseOutcome;
    try {
      outcome = await deps.executor.execute(ctx);
    } catch (error) {
      outcome = { kind: 'transient_error', summary: `${effect.phase} failed: ${message(error)}` };
    } finally {
      live = false;
      clearTimeout(timebox);
      clearInterval(beat);
      activity.cancellationSignal.removeEventListener('abort', onCancel);
      forget();
      // The phase's output commits before the workflow commits the phase's end.
      await Promise.all(output);
    }
    const reason: unknown = controller.signal.reason;
    if (controller.signal.aborted) {
      if (reason === 'shutdown' || activity.cancellationDetails?.workerShutdown) {
        throw ApplicationFailure.retryable(`the worker stopped during ${effect.phase}`, WORKER_STOPPED);
      }
      if (reason === 'cancel') throw new CancelledFailure(`${effect.phase} cancelled`);
      return Promise.reject(transient(`${effect.phase} exceeded its timebox and was stopped`));
    }
    switch (outcome.kind) {
      case 'passed':
      case 'needs_input':
        return outcome;
      case 'gate_failed':
        throw ApplicationFailure.create({
          type: GATE_FAILED,
          message: outcome.summary,
          nonRetryable: true,
          details: [outcome],
        });
      case 'transient_error':
        throw transient(outcome.summary);
      default:
        throw transient(`the ${effect.phase} executor returned an invalid outcome`);
    }
  }

  return { commit, runPhase };
}

function transient(summary: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: TRANSIENT,
    message: summary,
    details: [{ kind: 'transient_error', summary }],
  });
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** JSON with sorted keys: a record read back compares equal to the state it was saved from. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}
