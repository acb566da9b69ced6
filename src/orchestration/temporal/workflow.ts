// The ITUVWorkflow (DESIGN §6): a Temporal workflow that hosts one ITUV run by interpreting the same
// pure machine the native host does (../machine). It keeps the run's state in its memory, steps the
// machine on every input (claimed, phase results, timers, signals) and hands each chain of steps to
// the `commit` activity, which writes their task moves, events and step records to the workspace
// store in one transaction (and marks the store's signal records it applied as consumed). `run_phase` effects become `runPhase` activities (startToCloseTimeout =
// the timebox, heartbeats), `start_timer` a durable sleep, `abort_phase` the cancellation of the
// running activity. Deterministic: time and randomness come from the workflow sandbox, and nothing
// reachable from here imports Node (the bundler refuses it).
import {
  ActivityCancellationType,
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  condition,
  continueAsNew,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  TimeoutFailure,
  workflowInfo,
} from '@temporalio/workflow';
import {
  isTerminal,
  type SignalName,
  type WorkflowArtifact,
  type WorkflowPhaseRecord,
  type WorkflowStatus,
} from '../../contracts/workflow.js';
import {
  admitSignal,
  parseSignal,
  step,
  type Effect,
  type MachineInput,
  type PhaseOutcomeInput,
  type RunState,
  type Step,
} from '../machine/index.js';
import {
  artifactsQuery,
  cancelSignal,
  DEFAULT_CONTINUE_AS_NEW_AFTER,
  GATE_FAILED,
  injectFeedbackSignal,
  pauseSignal,
  phaseQuery,
  progressQuery,
  resumeSignal,
  reverifySignal,
  statusQuery,
  steerSignal,
  TEMPORAL_OWNER,
  TRANSIENT,
  type CarriedRun,
  type ItuvActivities,
  type ItuvWorkflowInput,
  type RunPhaseEffect,
} from './api.js';

export async function ITUVWorkflow(input: ItuvWorkflowInput): Promise<RunState> {
  const { config } = input;
  // The store commit is local to the worker (no server round trip per step). A failed try (a locked
  // database) is retried with orchestration.retry's backoff until it succeeds: the run cannot go on
  // without it. Phases are retried by the machine instead (see runPhase).
  const { commit } = proxyLocalActivities<ItuvActivities>({
    startToCloseTimeout: '60s',
    retry: {
      initialInterval: Math.round(config.retry.initial_interval_sec * 1000),
      backoffCoefficient: config.retry.backoff,
      // Temporal refuses a cap below the first interval; the machine's backoff simply caps there.
      maximumInterval: Math.round(
        Math.max(config.retry.max_interval_sec, config.retry.initial_interval_sec) * 1000,
      ),
    },
  });
  let state: RunState = input.state;
  /** Bumped on every committed change, so waits wake up on a signal's step. */
  let version = 0;
  const { carried } = input;
  let pendingRun: RunPhaseEffect | null = carried?.pendingRun ?? null;
  let timer: number | null = carried?.timer ?? null;
  let running: { key: string; scope: CancellationScope } | null = null;
  const history = new PhaseHistory(Date.now(), carried);
  const startedAt = carried?.startedAt ?? workflowInfo().startTime.toISOString();
  const continueAfter = input.continueAsNewAfter ?? DEFAULT_CONTINUE_AS_NEW_AFTER;

  // One chain of steps at a time: the main loop and the signal handlers take turns.
  let turn: Promise<unknown> = Promise.resolve();
  function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const result = turn.then(fn);
    turn = result.catch(() => undefined);
    return result;
  }

  /** Steps the machine with `first` and the boundaries it reaches, commits, and notes what to do. */
  async function apply(first: MachineInput | null, signals: number[] = []): Promise<void> {
    const from = state;
    const steps: Step[] = [];
    let current = state;
    let next: MachineInput | undefined = first ?? undefined;
    while (next) {
      const result = step(current, next, config);
      steps.push(result);
      current = result.state;
      next = result.effects.some((e) => e.type === 'advance')
        ? { type: 'advance', now: Date.now() }
        : undefined;
    }
    if (signals.length === 0 && steps.every((s) => s.effects.length === 0 && s.state === from)) return;
    const refused = await commit({ workflowId: state.id, from, steps, signals });
    const kept = refused ? steps.slice(0, refused.index) : steps;
    state = kept.at(-1)?.state ?? from;
    for (const s of kept) note(s.effects);
    version += 1;
    if (refused) {
      await apply({
        type: 'task_refused',
        now: Date.now(),
        reason: refused.reason,
        task_status: refused.taskStatus as Extract<MachineInput, { type: 'task_refused' }>['task_status'],
      });
    }
  }

  /** What the committed effects leave for this host to do. */
  function note(effects: readonly Effect[]): void {
    for (const effect of effects) {
      history.apply(effect, Date.now());
      if (effect.type === 'run_phase') pendingRun = effect;
      else if (effect.type === 'start_timer') timer = effect.until;
      else if (effect.type === 'abort_phase' && running?.key === effect.key) running.scope.cancel();
    }
    if (state.state !== 'running') {
      pendingRun = null;
      timer = null;
    }
  }

  function signalInput(name: SignalName, payload: unknown): MachineInput | null {
    const signal = parseSignal(name, payload);
    return signal ? { type: 'signal', now: Date.now(), hosted: state.state === 'running', signal } : null;
  }

  const deliver = (name: SignalName, payload: unknown, signalId?: number): Promise<void> =>
    exclusive(async () => {
      const signals = signalId === undefined ? [] : [signalId];
      // Checked again in turn: a signal that raced the run's end is dropped, as admitSignal says
      // (its record is still marked consumed, so its sender stops waiting).
      const admitted = admitSignal(state, name, state.state === 'running').kind === 'deliver';
      await apply(admitted ? signalInput(name, payload) : null, signals);
    });

  setHandler(steerSignal, ({ name, payload, signalId }) => deliver(name, payload, signalId));
  setHandler(pauseSignal, () => deliver('pause', null));
  setHandler(resumeSignal, (payload) => deliver('resume', payload));
  setHandler(cancelSignal, () => deliver('cancel', null));
  setHandler(injectFeedbackSignal, (payload) => deliver('inject_feedback', payload));
  setHandler(reverifySignal, (payload) => deliver('reverify', payload));
  setHandler(statusQuery, () => history.status(state, startedAt));
  setHandler(phaseQuery, () => state.phase);
  setHandler(progressQuery, () => state.progress);
  setHandler(artifactsQuery, () => history.artifacts());

  // A run continued as new was claimed by the first one: it carries on where that one stopped.
  if (!carried) await exclusive(() => apply({ type: 'claimed', now: Date.now() }));
  // Set once this run has done something: a fresh run continues before its first step never.
  let progressed = false;
  while (!isTerminal(state.state)) {
    const long = workflowInfo().historyLength >= continueAfter || workflowInfo().continueAsNewSuggested;
    if (progressed && long) {
      // Between two steps, no phase running: the run goes on in a fresh history, with its place.
      await condition(allHandlersFinished);
      await continueAsNew<typeof ITUVWorkflow>({
        ...input,
        state,
        carried: {
          pendingRun,
          timer,
          ...history.snapshot(),
          startedAt,
        },
      });
    }
    const seen = version;
    progressed = true;
    const run = pendingRun as RunPhaseEffect | null;
    const until = timer as number | null;
    if (state.state === 'pending') {
      // Queued again (resumed or answered): this host takes it, as a native host claims it.
      await exclusive(() => apply({ type: 'claimed', now: Date.now() }));
    } else if (state.state === 'running' && run) {
      pendingRun = null;
      const outcome = await runPhase(input, state, run, (scope) => (running = { key: run.key, scope }));
      running = null;
      await exclusive(() =>
        apply({ type: 'phase_result', now: Date.now(), key: run.key, outcome, random: Math.random() }),
      );
    } else if (state.state === 'running' && until !== null) {
      timer = null;
      // A signal's step (version) ends the wait early, as it wakes a native host's backoff.
      await condition(() => version !== seen, Math.max(1, until - Date.now()));
      await exclusive(() => apply({ type: 'timer_fired', now: Date.now() }));
    } else {
      // Paused, waiting for a human, or running with nothing to do: until a signal changes that.
      await condition(() => version !== seen);
    }
  }
  await condition(allHandlersFinished);
  return state;
}

/** Runs one attempt as an activity and turns how it ended into the machine's phase outcome. */
async function runPhase(
  input: ItuvWorkflowInput,
  state: RunState,
  effect: RunPhaseEffect,
  started: (scope: CancellationScope) => void,
): Promise<PhaseOutcomeInput> {
  const { runPhase: activity } = proxyActivities<ItuvActivities>({
    // The attempt's idempotency key: a history replayed against code that runs phases in another
    // order no longer matches (nondeterminism), rather than silently taking the old results.
    activityId: effect.key,
    startToCloseTimeout: effect.timeout_ms,
    heartbeatTimeout: input.heartbeatTimeoutMs,
    // The machine retries (attempts, backoff from orchestration.retry, recorded like on native):
    // Temporal runs each attempt once.
    retry: { maximumAttempts: 1 },
    // A cancel waits until the activity has killed the agent's process tree.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  const scope = new CancellationScope();
  started(scope);
  try {
    return await scope.run(() => activity({ workflowId: state.id, taskId: state.task_id, effect }));
  } catch (error) {
    return failedOutcome(error, effect);
  }
}

function failedOutcome(error: unknown, effect: RunPhaseEffect): PhaseOutcomeInput {
  if (isCancellation(error) || error instanceof CancelledFailure) return { kind: 'cancelled' };
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof CancelledFailure) return { kind: 'cancelled' };
  if (cause instanceof TimeoutFailure) {
    // The timebox; a heartbeat that stopped means the worker died: the attempt is abandoned.
    return cause.timeoutType === 'START_TO_CLOSE' ? { kind: 'timed_out' } : { kind: 'abandoned' };
  }
  if (cause instanceof ApplicationFailure) {
    const detail = cause.details?.[0] as PhaseOutcomeInput | undefined;
    if (cause.type === GATE_FAILED && detail?.kind === 'gate_failed') return detail;
    if (cause.type === TRANSIENT && detail?.kind === 'transient_error') return detail;
    if (cause.type === TRANSIENT || cause.type === GATE_FAILED) {
      return { kind: 'transient_error', summary: cause.message };
    }
    return { kind: 'abandoned' };
  }
  return {
    kind: 'transient_error',
    summary: `${effect.phase} failed: ${error instanceof Error ? error.message : String(error)}`,
  };
}

/** The run's phase attempts and artifacts as the workflow saw them, for its queries. */
class PhaseHistory {
  private readonly phases: WorkflowPhaseRecord[];
  private readonly found: WorkflowArtifact[];
  private updated: string;

  constructor(now: number, carried?: CarriedRun) {
    this.phases = carried ? carried.phases.map((p) => ({ ...p })) : [];
    this.found = carried ? [...carried.artifacts] : [];
    this.updated = carried?.updatedAt ?? new Date(now).toISOString();
  }

  /** What a run continued as new needs to answer the queries as this one would. */
  snapshot(): Pick<CarriedRun, 'phases' | 'artifacts' | 'updatedAt'> {
    return {
      phases: this.phases.map((p) => ({ ...p })),
      artifacts: [...this.found],
      updatedAt: this.updated,
    };
  }

  apply(effect: Effect, now: number): void {
    const at = new Date(now).toISOString();
    this.updated = at;
    if (effect.type === 'run_phase') {
      const { phase, iteration, attempt } = effect;
      this.phases.push({
        phase,
        iteration,
        attempt,
        outcome: null,
        summary: null,
        started_at: at,
        finished_at: null,
      });
    } else if (effect.type === 'record_step') {
      const { phase, iteration, attempt, outcome, summary } = effect;
      const open = effect.opened
        ? this.phases.find((p) => p.phase === phase && p.iteration === iteration && p.attempt === attempt)
        : undefined;
      if (open) Object.assign(open, { outcome, summary, finished_at: at });
      else this.phases.push({ phase, iteration, attempt, outcome, summary, started_at: at, finished_at: at });
      for (const a of effect.artifacts) this.found.push({ ...a, phase, iteration, attempt });
    }
  }

  artifacts(): WorkflowArtifact[] {
    return [...this.found];
  }

  status(s: RunState, startedAt: string): WorkflowStatus {
    return {
      id: s.id,
      task_id: s.task_id,
      blueprint_id: s.blueprint_id,
      project_id: s.project_id,
      state: s.state,
      phase: s.phase,
      iteration: s.iteration,
      attempt: s.attempt,
      progress: s.progress,
      waiting_reason: s.waiting_reason,
      question: s.question,
      last_failure: s.last_failure,
      started_at: startedAt,
      updated_at: this.updated,
      finished_at: s.finished_at,
      owner: isTerminal(s.state) ? null : TEMPORAL_OWNER,
      phases: this.phases.map((p) => ({ ...p })),
    };
  }
}
