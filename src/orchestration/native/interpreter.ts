// The native host's one commit path: it loads a run's state from its row, steps the machine and
// carries out the effects that are writes (the new state, step records, task moves, events, an
// override) in the caller's transaction, so they commit together; events are published after the
// commit. What is left for after the commit (run a phase, wait for a timer, stop a running phase)
// comes back as a plan. Every write of a run (state, steps, signals, task moves, events, overrides)
// goes through here; only the host's own lease (claim, renew, release) is written by the engine.
import { ConflictError, NotFoundError } from '../../errors.js';
import type { EventLog } from '../../events/log.js';
import type { EventDraft } from '../../events/types.js';
import { applyOverride } from '../../ituv/verify.js';
import type { SignalName } from '../../contracts/workflow.js';
import type { ItuvPhase, Task } from '../../project/model.js';
import type { Store } from '../../project/store.js';
import type { Db } from '../../db/database.js';
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
import { runState, WorkflowRepository, type Lease, type SignalRow, type WorkflowRow } from './repository.js';

/** A task store sharing its connection, so engine writes join the store's transactions. */
export type EngineStore = Store & { readonly db: Db };

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
    private readonly store: EngineStore,
    private readonly events: EventLog,
    private readonly repo: WorkflowRepository,
    private readonly config: MachineConfig,
  ) {}

  /** A new run (the machine's start input), committed in the caller's transaction. */
  start(input: Extract<MachineInput, { type: 'start' }>): RunState {
    const started = startRun(input);
    this.repo.insert(started.state);
    this.carryOut(started, { kind: 'caller' }, emptyPlan(started.state));
    return started.state;
  }

  /**
   * Stores a signal for the run of `row`. A host running it consumes it within a poll interval;
   * otherwise the caller applies it (and any left pending) now.
   */
  signal(row: WorkflowRow, name: SignalName, payload: unknown, hosted: boolean): void {
    this.repo.insertSignal(row.id, name, payload);
    if (!hosted) this.apply(row, { kind: 'caller' }, { now: Date.now() });
  }

  /**
   * Steps the run of `row` with `input` (if any), then with its pending signals, then with `last`
   * (if any) and the boundaries the steps reach, and saves the final state once. Signals come before
   * a boundary so that a pause or cancel sent during a phase is seen before the next one starts.
   */
  apply(
    row: WorkflowRow,
    applier: Applier,
    inputs: { input?: MachineInput; last?: MachineInput; now: number },
  ): HostPlan {
    let plan = emptyPlan(runState(row));
    let advance = false;
    if (inputs.input) advance = this.stepOnce(plan, inputs.input, applier);
    for (const signal of this.repo.pendingSignals(row.id)) {
      if (!this.repo.consumeSignal(signal.id)) continue;
      const parsed = parseSignalRow(signal);
      if (parsed) {
        const hosted = applier.kind === 'host';
        advance =
          this.stepOnce(plan, { type: 'signal', now: inputs.now, hosted, signal: parsed }, applier) ||
          advance;
      }
    }
    let next: MachineInput | undefined =
      inputs.last ?? (advance ? { type: 'advance', now: inputs.now } : undefined);
    while (next) {
      next = this.stepOnce(plan, next, applier) ? { type: 'advance', now: inputs.now } : undefined;
    }
    plan = { ...plan, run: plan.state.state === 'running' ? plan.run : null };
    this.repo.save(plan.state, leaseAfter(plan, applier));
    return plan;
  }

  /** One machine step on `plan.state`; returns whether it asked for a boundary step next. */
  private stepOnce(plan: HostPlan, input: MachineInput, applier: Applier): boolean {
    const result = step(plan.state, input, this.config);
    const refused = this.carryOut(result, applier, plan);
    if (refused) {
      // Nothing of the refused step was written: step the same state with the refusal instead.
      const instead: MachineInput = {
        type: 'task_refused',
        now: input.now,
        reason: refused.reason,
        task_status: refused.taskStatus,
      };
      return this.stepOnce(plan, instead, applier);
    }
    plan.state = result.state;
    return result.effects.some((e) => e.type === 'advance');
  }

  /** Carries out a step's writes in order and notes the rest in `plan`. */
  private carryOut(result: Step, applier: Applier, plan: HostPlan): Refused | null {
    const subject = result.state;
    let moved: Task | null = null;
    for (const [index, effect] of result.effects.entries()) {
      switch (effect.type) {
        case 'move_task': {
          const outcome = this.moveTask(subject, effect);
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
          this.events.append({
            ...eventSubject(subject),
            ...positionFields(effect.event),
            type: effect.event.type,
            ...(effect.event.artifacts ? { artifacts: effect.event.artifacts } : {}),
            data: effect.event.data,
          });
          continue;
        case 'run_phase': {
          if (applier.kind !== 'host') continue; // only a host starts phases (the machine asks hosts only)
          this.repo.openStep(subject.id, effect, applier.owner);
          const task = moved ?? this.store.getTask(subject.task_id);
          if (!task) throw new NotFoundError(`no task '${subject.task_id}' (workflow ${subject.id})`);
          plan.run = {
            effect,
            task,
            previousResults: this.repo.iterationResults(subject.id, effect.results_of_iteration),
          };
          continue;
        }
        case 'record_step':
          this.repo.recordStep(subject.id, effect, applier.kind === 'host' ? applier.owner : 'cli');
          continue;
        case 'record_override': {
          const task = this.store.getTask(subject.task_id);
          if (!task) throw new NotFoundError(`no task '${subject.task_id}' (workflow ${subject.id})`);
          const overrides = applyOverride(task, effect.criterion, effect.justification, new Date(effect.at));
          this.store.updateTaskContent(task.id, { overrides });
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
  private moveTask(subject: RunState, effect: Extract<Effect, { type: 'move_task' }>): Task | Refused {
    const task = this.store.getTask(subject.task_id);
    if (!task) return new Refused(`no task '${subject.task_id}' (workflow ${subject.id})`, null);
    if (task.status === effect.status && (effect.phase === undefined || task.phase === effect.phase))
      return task;
    let after: Task;
    try {
      after = this.store.transitionTask(task.id, {
        status: effect.status,
        ...(effect.phase ? { phase: effect.phase } : {}),
        reason: effect.reason,
      });
    } catch (error) {
      if (error instanceof ConflictError) return new Refused(error.message, task.status);
      throw error;
    }
    const at = positionFields(effect.at);
    const report = (type: 'task.status_changed' | 'task.phase_changed', from: string, to: string): void => {
      this.events.append({
        ...eventSubject(subject),
        ...at,
        type,
        data: { from, to, reason: effect.reason },
      });
    };
    if (after.status !== task.status) report('task.status_changed', task.status, after.status);
    if (after.phase !== task.phase) report('task.phase_changed', task.phase, after.phase);
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

function parseSignalRow(signal: SignalRow): SignalInput | null {
  let payload: unknown = null;
  if (signal.payload !== null) {
    try {
      payload = JSON.parse(signal.payload) as unknown;
    } catch {
      return null;
    }
  }
  return parseSignal(signal.name, payload);
}
