// The ITUV run as a pure state machine (DESIGN §5-6): `step(state, input, config)` returns the next
// state and the effects a host must carry out. It owns every rule of a run: the phase order, the
// gate-failure loop back to IMPLEMENT, max_iterations and the fresh budget after a human's answer,
// retries with backoff, pause at a phase boundary and after one phase, cancel, the clarification
// resume, recovery of an attempt whose host died, and a VERIFY re-run with an override. It reads no
// clock and draws no random numbers (both come in with the inputs) and does no I/O, so the native host
// and a Temporal workflow can run the very same rules.
import type { ItuvPhase } from '../../contracts/task.js';
import {
  formatGateFailure,
  HOSTED_STATES,
  isTerminal,
  type SignalName,
  type WorkflowPhase,
  type WorkflowState,
} from '../../contracts/workflow.js';
import {
  idempotencyKey,
  nextPhase,
  progressAt,
  retryDelayMs,
  TASK_TARGET,
  type MachineConfig,
  type TaskTarget,
} from './rules.js';
import type {
  Effect,
  MachineInput,
  PhaseOutcomeInput,
  RunEvent,
  RunPosition,
  RunState,
  SignalInput,
  Step,
} from './types.js';

const ABANDONED = 'the host stopped before the phase finished';

type StartInput = Extract<MachineInput, { type: 'start' }>;

/** A new run for a task, queued for a host: the `start` input. */
export function startRun(input: StartInput): Step {
  const state: RunState = {
    ...input.subject,
    origin: input.origin,
    state: 'pending',
    phase: 'implement',
    iteration: 1,
    iteration_base: 0,
    attempt: 1,
    attempt_state: 'fresh',
    progress: 0,
    waiting_reason: null,
    question: null,
    last_failure: null,
    feedback: [...input.feedback],
    resumed: false,
    pause_requested: false,
    pause_after_phase: input.pause_after_phase,
    cancel_requested: false,
    not_before: null,
    reverifications: 0,
    finished_at: null,
  };
  return {
    state,
    effects: [
      {
        type: 'emit',
        event: { type: 'workflow.started', ...position(state), data: { origin: input.origin } },
      },
    ],
  };
}

/** The next state of the run and what the host must do; a finished run absorbs every input. */
export function step(state: RunState, input: MachineInput, config: MachineConfig): Step {
  if (isTerminal(state.state) || input.type === 'start') return { state, effects: [] };
  const run = new Transition(state, config, input.now);
  switch (input.type) {
    case 'claimed':
      run.claimed();
      break;
    case 'advance':
    case 'timer_fired':
      run.boundary();
      break;
    case 'phase_result':
      run.phaseResult(input.key, input.outcome, input.random ?? 0.5);
      break;
    case 'signal':
      run.signal(input.signal, input.hosted);
      break;
    case 'task_refused':
      run.taskRefused(input.reason, input.task_status);
      break;
  }
  return run.result();
}

export type Admission = { kind: 'deliver' } | { kind: 'ignore' } | { kind: 'refuse'; reason: string };

/**
 * Whether a signal may be sent to the run now: a finished run takes none (a second cancel of a
 * cancelled run is simply ignored), and a VERIFY re-run needs a run no host is running.
 */
export function admitSignal(state: RunState, name: SignalName, hosted: boolean): Admission {
  if (isTerminal(state.state)) {
    if (name === 'cancel' && state.state === 'cancelled') return { kind: 'ignore' };
    return {
      kind: 'refuse',
      reason: `workflow ${state.id} is ${state.state}; it cannot take the ${name} signal`,
    };
  }
  if (name === 'reverify' && hosted) {
    return {
      kind: 'refuse',
      reason: `task ${state.blueprint_id} has a running workflow ${state.id}; wait for it or cancel it first`,
    };
  }
  return { kind: 'deliver' };
}

function position(s: RunState): RunPosition {
  return { phase: s.phase, iteration: s.iteration, progress: s.progress };
}

type EventOf<T extends RunEvent['type']> = Extract<RunEvent, { type: T }>;

/** One step's changes: a private copy of the state and the effects, in the order they must happen. */
class Transition {
  private readonly s: RunState;
  private readonly effects: Effect[] = [];

  constructor(
    state: RunState,
    private readonly config: MachineConfig,
    private readonly now: number,
  ) {
    this.s = { ...state, feedback: [...state.feedback] };
  }

  result(): Step {
    return { state: this.s, effects: this.effects };
  }

  // ---- inputs -------------------------------------------------------------------------------------

  claimed(): void {
    const { s } = this;
    if (!HOSTED_STATES.includes(s.state)) return;
    s.state = 'running';
    // The host that opened this attempt is gone: it will run again as a new attempt.
    if (s.attempt_state === 'open') this.abandonOpenAttempt();
    this.effects.push({ type: 'advance' });
  }

  /** At a phase boundary: requests first, then the backoff, then the next attempt. */
  boundary(): void {
    const { s, config } = this;
    if (s.state !== 'running' || s.attempt_state === 'open') return;
    if (s.cancel_requested) return this.cancelRun('cancelled by signal');
    if (s.pause_requested) return this.pause();
    if (s.not_before !== null && s.not_before > this.now) {
      this.effects.push({ type: 'start_timer', until: s.not_before });
      return;
    }
    const phase = s.phase;
    if (phase === null || phase === 'done') return this.complete();
    let recovered = false;
    if (s.attempt_state === 'spent') {
      if (s.attempt >= config.retry.max_attempts) {
        return this.fail(`${phase} was interrupted ${s.attempt} times`);
      }
      s.attempt += 1;
      s.attempt_state = 'fresh';
      recovered = true;
    }
    s.progress = progressAt(phase);
    // First, so that a task that refuses to run again drops the whole step (see move_task).
    this.moveTask(TASK_TARGET.running(phase), `workflow ${s.id}: ${phase} (iteration ${s.iteration})`, true);
    if (recovered) this.emit('workflow.retrying', { attempt: s.attempt, reason: 'recovered' });
    const key = idempotencyKey(s.id, phase, s.iteration, s.attempt);
    s.attempt_state = 'open';
    s.not_before = null;
    this.emit('workflow.phase_started', { attempt: s.attempt, idempotency_key: key });
    this.effects.push({
      type: 'run_phase',
      phase,
      iteration: s.iteration,
      attempt: s.attempt,
      key,
      feedback: [...s.feedback],
      resumed: s.resumed,
      timeout_ms: Math.round(config.timeboxSec[phase] * 1000),
      results_of_iteration: s.iteration,
    });
  }

  phaseResult(key: string, outcome: PhaseOutcomeInput, random: number): void {
    const { s } = this;
    // A result for an attempt that is not the open one (a late or duplicate report) changes nothing.
    if (s.state !== 'running' || s.attempt_state !== 'open' || key !== this.currentKey()) return;
    const phase = s.phase as ItuvPhase;
    switch (outcome.kind) {
      case 'passed':
        return this.passed(phase, outcome);
      case 'gate_failed':
        return this.gateFailed(phase, outcome);
      case 'needs_input':
        this.record('needs_input', outcome.question, outcome.result);
        return this.waitForHuman('agent_question', outcome.question, { phase, attempt: s.attempt + 1 });
      case 'transient_error':
        return this.transient(phase, outcome.summary, random);
      case 'timed_out':
        return this.transient(
          phase,
          `${phase} exceeded its timebox of ${this.config.timeboxSec[phase]} s and was stopped`,
          random,
        );
      case 'cancelled':
        this.record('cancelled', 'cancelled');
        s.attempt_state = 'spent';
        return this.cancelRun('cancelled by signal');
      case 'abandoned':
        this.abandonOpenAttempt();
        this.effects.push({ type: 'advance' });
        return;
    }
  }

  signal(signal: SignalInput, hosted: boolean): void {
    // Only a run its host is running takes a signal as a request for the next boundary.
    if (hosted && this.s.state === 'running') this.hostedSignal(signal);
    else this.unhostedSignal(signal);
  }

  taskRefused(reason: string, taskStatus: string | null): void {
    const { s } = this;
    if (taskStatus === null || taskStatus === 'cancelled' || taskStatus === 'archived') {
      return this.cancelRun(`stopped: task ${s.blueprint_id} is ${taskStatus ?? 'gone'}`);
    }
    this.fail(reason);
  }

  // ---- phase outcomes ---------------------------------------------------------------------------

  private passed(phase: ItuvPhase, outcome: Extract<PhaseOutcomeInput, { kind: 'passed' }>): void {
    const { s } = this;
    const artifacts = outcome.artifacts ?? [];
    this.record('passed', outcome.summary, outcome.result, artifacts);
    s.attempt_state = 'fresh';
    const next = nextPhase(phase);
    this.pauseIfStepping();
    this.emit(
      'workflow.phase_completed',
      { attempt: s.attempt, summary: outcome.summary },
      { progress: progressAt(next), artifacts },
    );
    if (next === 'done') return this.complete();
    s.phase = next;
    s.attempt = 1;
    s.progress = progressAt(next);
    s.resumed = false;
    s.last_failure = null;
    this.effects.push({ type: 'advance' });
  }

  private gateFailed(phase: ItuvPhase, outcome: Extract<PhaseOutcomeInput, { kind: 'gate_failed' }>): void {
    const { s, config } = this;
    const artifacts = outcome.artifacts ?? [];
    this.record('gate_failed', outcome.summary, outcome.result, artifacts);
    s.attempt_state = 'fresh';
    this.pauseIfStepping();
    // The failure goes to the next IMPLEMENT with the human feedback.
    const failure = formatGateFailure(phase, s.iteration, outcome.summary);
    s.feedback.push(failure);
    s.last_failure = failure;
    this.emit(
      'workflow.phase_failed',
      { attempt: s.attempt, kind: 'gate_failed', summary: outcome.summary },
      { artifacts },
    );
    if (s.iteration - s.iteration_base >= config.maxIterations) {
      return this.waitForHuman('clarification_needed', null, { phase: 'implement', attempt: 1 });
    }
    s.phase = 'implement';
    s.iteration += 1;
    s.attempt = 1;
    s.progress = 0;
    s.resumed = false;
    this.effects.push({ type: 'advance' });
  }

  private transient(phase: ItuvPhase, summary: string, random: number): void {
    const { s, config } = this;
    this.record('transient_error', summary);
    s.attempt_state = 'spent';
    this.emit('workflow.phase_failed', { attempt: s.attempt, kind: 'transient_error', summary });
    if (s.attempt >= config.retry.max_attempts) {
      return this.fail(`${phase} failed ${s.attempt} times; last: ${summary}`);
    }
    const delayMs = retryDelayMs(config.retry, s.attempt, random);
    s.attempt += 1;
    s.attempt_state = 'fresh';
    s.not_before = this.now + delayMs;
    s.last_failure = summary;
    this.emit('workflow.retrying', { attempt: s.attempt, delay_ms: delayMs, reason: summary });
    this.effects.push({ type: 'advance' });
  }

  /** `task ituv next` runs one phase: once it has a result, the run pauses at this boundary. */
  private pauseIfStepping(): void {
    if (!this.s.pause_after_phase) return;
    this.s.pause_requested = true;
    this.s.pause_after_phase = false;
  }

  // ---- signals ----------------------------------------------------------------------------------

  /** The host applies it: a phase may be running, so pause and cancel wait for its boundary. */
  private hostedSignal(signal: SignalInput): void {
    const { s } = this;
    const inFlight = s.attempt_state === 'open';
    switch (signal.name) {
      case 'cancel':
        if (!inFlight) return this.cancelRun('cancelled by signal');
        s.cancel_requested = true;
        this.effects.push({ type: 'abort_phase', key: this.currentKey(), reason: 'cancel' });
        return;
      case 'pause':
        if (!inFlight) return this.pause();
        s.pause_requested = true;
        return;
      case 'resume':
        s.pause_requested = false;
        return;
      case 'inject_feedback':
        return this.addFeedback(signal.text);
      case 'reverify':
        // Refused before it is sent (admitSignal): the running run will judge VERIFY itself.
        return;
    }
  }

  /** Nobody runs the run now (queued, paused, waiting, or its host died): applied at once. */
  private unhostedSignal(signal: SignalInput): void {
    const { s } = this;
    switch (signal.name) {
      case 'cancel':
        return this.cancelRun('cancelled by signal');
      case 'pause':
        if (s.state === 'pending' || s.state === 'running') this.pause();
        return;
      case 'resume':
        if (signal.pause_after_phase) s.pause_after_phase = true;
        if (s.state === 'paused') return this.resume({});
        if (s.state === 'waiting_input') {
          return this.resume(s.waiting_reason === 'clarification_needed' ? this.freshBudget() : {});
        }
        return;
      case 'inject_feedback':
        this.addFeedback(signal.text);
        // An answer to a waiting run restarts IMPLEMENT with a fresh iteration budget.
        if (s.state === 'waiting_input') this.resume(this.freshBudget());
        return;
      case 'reverify':
        return this.reverify(signal.verdict, signal.override);
    }
  }

  /** After a human's input the run starts IMPLEMENT again with max_iterations new iterations. */
  private freshBudget(): Partial<RunState> {
    const { s } = this;
    return {
      phase: 'implement',
      iteration: s.iteration + 1,
      iteration_base: s.iteration,
      attempt: 1,
      attempt_state: 'fresh',
    };
  }

  private addFeedback(text: string): void {
    this.emit('workflow.feedback', { text });
    this.s.feedback.push(text);
  }

  /**
   * VERIFY re-run over the run's newest phase results, outside any attempt (`task ituv verify`): it
   * is recorded as attempt 0 of VERIFY. A pass completes the run; a failure changes nothing else.
   */
  private reverify(
    verdict: Extract<SignalInput, { name: 'reverify' }>['verdict'],
    override: Extract<SignalInput, { name: 'reverify' }>['override'],
  ): void {
    const { s } = this;
    s.reverifications += 1;
    const key = idempotencyKey(s.id, 'verify', s.iteration, `reverify-${s.reverifications}`);
    const at: RunPosition = { phase: 'verify', iteration: s.iteration, progress: progressAt('verify') };
    if (verdict.passed) {
      this.moveTask(TASK_TARGET.running('verify'), `workflow ${s.id}: VERIFY passed when re-run`, true, at);
    }
    if (override) {
      this.effects.push({ type: 'record_override', ...override, at: new Date(this.now).toISOString() });
    }
    const outcome = verdict.passed ? 'passed' : 'gate_failed';
    this.effects.push({
      type: 'record_step',
      key,
      phase: 'verify',
      iteration: s.iteration,
      attempt: 0,
      outcome,
      summary: verdict.summary,
      result: verdict.result,
      artifacts: [],
      opened: false,
    });
    if (verdict.passed) {
      this.emit('workflow.phase_completed', { attempt: 0, summary: verdict.summary, rerun: true }, at);
      return this.complete();
    }
    this.emit(
      'workflow.phase_failed',
      { attempt: 0, kind: 'gate_failed', summary: verdict.summary, rerun: true },
      at,
    );
  }

  // ---- where a run goes -------------------------------------------------------------------------

  private complete(): void {
    const { s, config } = this;
    this.abandonOpenAttempt();
    s.state = 'completed';
    s.phase = 'done';
    s.progress = 100;
    s.finished_at = this.isoNow();
    this.moveTask(TASK_TARGET.done(config.autoApprove), 'ITUV passed: VERIFY gate met', false);
    this.emit('workflow.completed', { auto_approved: config.autoApprove });
    this.effects.push({ type: 'finish', outcome: 'completed', reason: 'VERIFY passed' });
  }

  private fail(reason: string): void {
    const { s } = this;
    this.abandonOpenAttempt();
    this.moveTask(TASK_TARGET.failed, `workflow ${s.id} failed: ${reason}`, false);
    s.state = 'failed';
    s.last_failure = reason;
    s.finished_at = this.isoNow();
    this.emit('workflow.failed', { reason });
    this.effects.push({ type: 'finish', outcome: 'failed', reason });
  }

  private cancelRun(reason: string): void {
    const { s } = this;
    this.abandonOpenAttempt();
    this.moveTask(TASK_TARGET.cancelled, `workflow ${s.id} ${reason}`, false);
    s.state = 'cancelled';
    s.cancel_requested = false;
    s.pause_requested = false;
    s.finished_at = this.isoNow();
    this.emit('workflow.cancelled', { reason });
    this.effects.push({ type: 'finish', outcome: 'cancelled', reason });
  }

  private pause(): void {
    const { s } = this;
    this.abandonOpenAttempt();
    this.moveTask(TASK_TARGET.paused, `workflow ${s.id} paused`, false);
    s.state = 'paused';
    s.pause_requested = false;
    this.emit('workflow.paused', { next_phase: s.phase });
  }

  private waitForHuman(
    reason: string,
    question: string | null,
    resumeAt: { phase: WorkflowPhase; attempt: number },
  ): void {
    const { s } = this;
    // Events report where the run resumes, like its status does.
    s.phase = resumeAt.phase;
    s.attempt = resumeAt.attempt;
    s.attempt_state = 'fresh';
    this.moveTask(TASK_TARGET.waitingInput, `workflow ${s.id} waits for input: ${question ?? reason}`, false);
    s.state = 'waiting_input';
    s.waiting_reason = reason;
    s.question = question;
    s.resumed = false;
    // Waiting for a human is a stop of its own: a pause asked for meanwhile is used up by it.
    s.pause_requested = false;
    this.emit('workflow.waiting_input', { reason, question, last_failure: s.last_failure });
    this.effects.push({ type: 'wait_for_human', reason, question });
  }

  private resume(patch: Partial<RunState>): void {
    const { s } = this;
    const from: WorkflowState = s.state;
    this.emit('workflow.resumed', { from });
    Object.assign(s, patch, {
      state: 'pending',
      waiting_reason: null,
      question: null,
      resumed: true,
      not_before: null,
    } satisfies Partial<RunState>);
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private currentKey(): string {
    const { s } = this;
    return idempotencyKey(s.id, s.phase as ItuvPhase, s.iteration, s.attempt);
  }

  /** Closes the open attempt (if any) as abandoned; the next start of the run retries it. */
  private abandonOpenAttempt(): void {
    if (this.s.attempt_state !== 'open') return;
    this.record('abandoned', ABANDONED);
    this.s.attempt_state = 'spent';
  }

  /** Records how the open attempt ended. */
  private record(
    outcome: Extract<Effect, { type: 'record_step' }>['outcome'],
    summary: string,
    result?: unknown,
    artifacts: Extract<Effect, { type: 'record_step' }>['artifacts'] = [],
  ): void {
    const { s } = this;
    this.effects.push({
      type: 'record_step',
      key: this.currentKey(),
      phase: s.phase as ItuvPhase,
      iteration: s.iteration,
      attempt: s.attempt,
      outcome,
      summary,
      ...(result === undefined ? {} : { result }),
      artifacts,
      opened: true,
    });
  }

  private moveTask(target: TaskTarget, reason: string, required: boolean, at = position(this.s)): void {
    this.effects.push({ type: 'move_task', ...target, reason, required, at });
  }

  private emit<T extends RunEvent['type']>(
    type: T,
    data: EventOf<T>['data'],
    fields: Partial<RunPosition> & { artifacts?: EventOf<T>['artifacts'] } = {},
  ): void {
    const { artifacts, ...at } = fields;
    const event = {
      type,
      ...position(this.s),
      ...at,
      ...(artifacts && artifacts.length > 0 ? { artifacts } : {}),
      data,
    } as EventOf<T>;
    this.effects.push({ type: 'emit', event });
  }

  private isoNow(): string {
    return new Date(this.now).toISOString();
  }
}
