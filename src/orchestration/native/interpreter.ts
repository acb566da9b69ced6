// The native host's one commit path: it loads a run's state from its record, steps the machine and
// carries out the effects that are writes (the new state, step records, task moves, events, an
// override) in the caller's transaction (`tx`), so they commit together; events are published after
// the commit. What is left for after the commit (run a phase, wait for a timer, stop a running phase)
// comes back as a plan. Every write of a run (state, steps, signals, task moves, events, overrides)
// goes through here; only the host's own lease (claim, renew, release) is written by the engine.
import { taskMoveEvents } from '../../events/task-moves.js';
import type { Lease, SignalRecord, StoreTx, WorkflowRecord } from '../../contracts/store/index.js';
import type { SignalName } from '../../contracts/workflow.js';
import { ConflictError, NotFoundError } from '../../errors.js';
import type { EventLog } from '../../events/log.js';
import type { EventDraft } from '../../events/types.js';
import { applyOverride } from '../../ituv/verify.js';
import type { ItuvPhase, Task } from '../../project/model.js';
import {
  parseSignal,
  step,
  startRun,
  type Effect,
  type MachineConfig,
  type MachineInput,
  type RunPosition,
  type RunState,
  type SignalInput,
  type Step,
} from '../machine/index.js';
import { iterationResults, runState } from './records.js';

export type RunEffect = Extract<Effect, { type: 'run_phase' }>;

/** An attempt to run once the commit is done. */
export interface RunPlan {
  effect: RunEffect;
  task: Task;
  previousResults: Partial<Record<ItuvPhase, unknown>>;
}

/** What the host does after the commit. */
export interface HostPlan {
  state: RunState;
  run: RunPlan | null;
  /** Epoch ms to feed `timer_fired` at. */
  timer: number | null;
  /** Keys of attempts to stop now (a cancel reached a running phase). */
  aborts: string[];
}

/** Who applies the inputs: the run's host (with its id and lease), or a caller while nobody hosts it. */
export type Applier = { kind: 'host'; owner: string; leaseMs: number } | { kind: 'caller' };

/** The first effect of a step was a required task move the task refused. */
class Refused {
  constructor(
    readonly reason: string,
    readonly taskStatus: Task['status'] | null,
  ) {}
}

export class StepInterpreter {
  constructor(
    private readonly events: EventLog,
    private readonly config: MachineConfig,
  ) {}

  /** A new run (the machine's start input), committed in the caller's transaction. */
  async start(tx: StoreTx, input: Extract<MachineInput, { type: 'start' }>): Promise<RunState> {
    const started = startRun(input);
    await tx.workflows.insert(started.state);
    await this.carryOut(tx, started, { kind: 'caller' }, emptyPlan(started.state));
    return started.state;
  }

  /**
   * Carries out the writes of steps the machine took elsewhere (a Temporal workflow steps it in its
   * own memory) in the caller's transaction, in order. Returns where a step's required task move was
   * refused (nothing of that step is written; the steps before it are), or null.
   */
  async carryOutSteps(
    tx: StoreTx,
    steps: readonly Step[],
    applier: Applier,
  ): Promise<{ index: number; reason: string; taskStatus: Task['status'] | null } | null> {
    for (const [index, result] of steps.entries()) {
      const refused = await this.carryOut(tx, result, applier, emptyPlan(result.state));
      if (refused) return { index, reason: refused.reason, taskStatus: refused.taskStatus };
    }
    return null;
  }

  /**
   * Stores a signal for the run of `row`. A host running it consumes it within a poll interval;
   * otherwise the caller applies it (and any left pending) now.
   */
  async signal(
    tx: StoreTx,
    row: WorkflowRecord,
    name: SignalName,
    payload: unknown,
    hosted: boolean,
  ): Promise<void> {
    await tx.workflows.insertSignal(row.id, name, payload);
    if (!hosted) await this.apply(tx, row, { kind: 'caller' }, { now: Date.now() });
  }

  /**
   * Steps the run of `row` with `input` (if any), then with its pending signals, then with `last`
   * (if any) and the boundaries the steps reach, and saves the final state once. Signals come before
   * a boundary so that a pause or cancel sent during a phase is seen before the next one starts.
   */
  async apply(
    tx: StoreTx,
    row: WorkflowRecord,
    applier: Applier,
    inputs: { input?: MachineInput; last?: MachineInput; now: number },
  ): Promise<HostPlan> {
    let plan = emptyPlan(runState(row));
    let advance = false;
    if (inputs.input) advance = await this.stepOnce(tx, plan, inputs.input, applier);
    for (const signal of await tx.workflows.pendingSignals(row.id)) {
      if (!(await tx.workflows.consumeSignal(signal.id))) continue;
      const parsed = parseSignalRecord(signal);
      if (parsed) {
        const hosted = applier.kind === 'host';
        const input: MachineInput = { type: 'signal', now: inputs.now, hosted, signal: parsed };
        advance = (await this.stepOnce(tx, plan, input, applier)) || advance;
      }
    }
    let next: MachineInput | undefined =
      inputs.last ?? (advance ? { type: 'advance', now: inputs.now } : undefined);
    while (next) {
      next = (await this.stepOnce(tx, plan, next, applier))
        ? { type: 'advance', now: inputs.now }
        : undefined;
    }
    plan = { ...plan, run: plan.state.state === 'running' ? plan.run : null };
    await tx.workflows.save(plan.state, leaseAfter(plan, applier));
    return plan;
  }

  /** One machine step on `plan.state`; returns whether it asked for a boundary step next. */
  private async stepOnce(
    tx: StoreTx,
    plan: HostPlan,
    input: MachineInput,
    applier: Applier,
  ): Promise<boolean> {
    const result = step(plan.state, input, this.config);
    const refused = await this.carryOut(tx, result, applier, plan);
    if (refused) {
      // Nothing of the refused step was written: step the same state with the refusal instead.
      const instead: MachineInput = {
        type: 'task_refused',
        now: input.now,
        reason: refused.reason,
        task_status: refused.taskStatus,
      };
      return this.stepOnce(tx, plan, instead, applier);
    }
    plan.state = result.state;
    return result.effects.some((e) => e.type === 'advance');
  }

  /** Carries out a step's writes in order and notes the rest in `plan`. */
  private async carryOut(
    tx: StoreTx,
    result: Step,
    applier: Applier,
    plan: HostPlan,
  ): Promise<Refused | null> {
    const subject = result.state;
    let moved: Task | null = null;
    for (const [index, effect] of result.effects.entries()) {
      switch (effect.type) {
        case 'move_task': {
          const outcome = await this.moveTask(tx, subject, effect);
          if (outcome instanceof Refused) {
            if (!effect.required) continue;
            // The machine puts a required move first, so nothing of the step is written yet.
            if (index !== 0) throw new Error(`a required task move must come first (workflow ${subject.id})`);
            return outcome;
          }
          moved = outcome;
          continue;
        }
        case 'emit':
          await this.events.append(tx, {
            ...eventSubject(subject),
            ...positionFields(effect.event),
            type: effect.event.type,
            ...(effect.event.artifacts ? { artifacts: effect.event.artifacts } : {}),
            data: effect.event.data,
          });
          continue;
        case 'run_phase': {
          if (applier.kind !== 'host') continue; // only a host starts phases (the machine asks hosts only)
          await tx.workflows.openStep({
            workflow_id: subject.id,
            phase: effect.phase,
            iteration: effect.iteration,
            attempt: effect.attempt,
            key: effect.key,
            owner: applier.owner,
          });
          const task = moved ?? (await tx.tasks.get(subject.task_id));
          if (!task) throw new NotFoundError(`no task '${subject.task_id}' (workflow ${subject.id})`);
          plan.run = {
            effect,
            task,
            previousResults: iterationResults(
              await tx.workflows.passedSteps(subject.id, effect.results_of_iteration),
            ),
          };
          continue;
        }
        case 'record_step':
          await tx.workflows.recordStep({
            workflow_id: subject.id,
            key: effect.key,
            phase: effect.phase,
            iteration: effect.iteration,
            attempt: effect.attempt,
            outcome: effect.outcome,
            summary: effect.summary,
            ...(effect.result === undefined ? {} : { result: effect.result }),
            artifacts: effect.artifacts,
            opened: effect.opened,
            owner: applier.kind === 'host' ? applier.owner : 'cli',
          });
          continue;
        case 'record_override': {
          const task = await tx.tasks.get(subject.task_id);
          if (!task) throw new NotFoundError(`no task '${subject.task_id}' (workflow ${subject.id})`);
          const overrides = applyOverride(task, effect.criterion, effect.justification, new Date(effect.at));
          await tx.tasks.updateContent(task.id, { overrides });
          continue;
        }
        case 'start_timer':
          plan.timer = effect.until;
          continue;
        case 'abort_phase':
          plan.aborts.push(effect.key);
          continue;
        case 'advance':
        case 'wait_for_human':
        case 'finish':
          // Carried by the saved state: the host stops hosting a run that is no longer running.
          continue;
      }
    }
    return null;
  }

  /** Moves the task unless it is already there and reports the move as task.* events. */
  private async moveTask(
    tx: StoreTx,
    subject: RunState,
    effect: Extract<Effect, { type: 'move_task' }>,
  ): Promise<Task | Refused> {
    const task = await tx.tasks.get(subject.task_id);
    if (!task) return new Refused(`no task '${subject.task_id}' (workflow ${subject.id})`, null);
    if (task.status === effect.status && (effect.phase === undefined || task.phase === effect.phase))
      return task;
    let after: Task;
    try {
      after = await tx.tasks.transition(task.id, {
        status: effect.status,
        ...(effect.phase ? { phase: effect.phase } : {}),
        reason: effect.reason,
      });
    } catch (error) {
      if (error instanceof ConflictError) return new Refused(error.message, task.status);
      throw error;
    }
    const context = { workflow_id: subject.id, ...positionFields(effect.at) };
    for (const draft of taskMoveEvents(task, after, effect.reason, context))
      await this.events.append(tx, draft);
    return after;
  }
}

/** Where in the run an event happened, as event fields. */
function positionFields(at: RunPosition): Pick<EventDraft, 'phase' | 'iteration' | 'progress'> {
  return {
    iteration: at.iteration,
    progress: at.progress,
    ...(at.phase === null ? {} : { phase: at.phase }),
  };
}

function emptyPlan(state: RunState): HostPlan {
  return { state, run: null, timer: null, aborts: [] };
}

function eventSubject(
  s: RunState,
): Pick<EventDraft, 'project_id' | 'task_id' | 'blueprint_id' | 'workflow_id'> {
  return { project_id: s.project_id, task_id: s.task_id, blueprint_id: s.blueprint_id, workflow_id: s.id };
}

/** A run no longer running has no host; a host renews its lease whenever it starts a phase. */
function leaseAfter(plan: HostPlan, applier: Applier): Lease {
  if (plan.state.state !== 'running') return { kind: 'release' };
  if (applier.kind === 'host' && plan.run) return { kind: 'renew', until: Date.now() + applier.leaseMs };
  return { kind: 'keep' };
}

function parseSignalRecord(signal: SignalRecord): SignalInput | null {
  return parseSignal(signal.name, signal.payload ?? null);
}
