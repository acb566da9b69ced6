// The native orchestration engine (DESIGN §6): durable ITUV runs on the workspace SQLite database.
// Any process that hosts an engine claims runnable workflows with a lease, runs their phases through
// the injected PhaseExecutor and commits each phase result, the workflow row, the task transition
// and the events in one transaction. A workflow whose host died (lease expired) is recovered by any
// engine: committed phases are never rerun; the in-flight one reruns with attempt + 1.
import { formatGateFailure } from '../../ituv/phases.js';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../../db/database.js';
import { ConflictError, NotFoundError, UsageError } from '../../errors.js';
import type { EventLog } from '../../events/log.js';
import type { EventDraft, EventType } from '../../events/types.js';
import type { ItuvPhase, Task } from '../../project/model.js';
import type { Store } from '../../project/store.js';
import {
  isTerminal,
  QUERY_NAMES,
  SIGNAL_NAMES,
  type BackendHealth,
  type OrchestrationBackend,
  type QueryName,
  type SignalName,
  type StartOptions,
  type WorkflowListFilter,
  type WorkflowState,
  type WorkflowStatus,
} from '../backend.js';
import {
  idempotencyKey,
  type PhaseContext,
  type PhaseExecutor,
  type PhaseOutcome,
} from '../phase-executor.js';
import {
  nextPhase,
  progressAt,
  retryDelayMs,
  TASK_TARGET,
  type RetryConfig,
  type TaskTarget,
} from './policy.js';
import {
  newWorkflowId,
  parseFeedback,
  WorkflowRepository,
  type SignalRow,
  type WorkflowPatch,
  type WorkflowRow,
} from './repository.js';

export interface NativeEngineConfig {
  retry: RetryConfig;
  timeboxSec: Record<ItuvPhase, number>;
  /** Gate-failure loops before the run waits for a human. */
  maxIterations: number;
  /** VERIFY pass completes the task; otherwise it goes to pending_review. */
  autoApprove: boolean;
}

/** A task store sharing its connection, so engine writes join the store's transactions. */
export type EngineStore = Store & { readonly db: Db };

export interface NativeEngineOptions {
  store: EngineStore;
  events: EventLog;
  executor: PhaseExecutor;
  config: NativeEngineConfig;
  /** Identifies this host in the workflows it owns; unique per engine instance. */
  ownerId?: string;
  /** How long a claim lives without renewal; renewed every third of it. */
  leaseMs?: number;
  /** How often signals and runnable workflows are polled (<= 250 ms keeps signals within a second). */
  pollMs?: number;
  /** Workflows this engine runs at once. */
  maxConcurrent?: number;
  /** How long an aborted executor may take to return before its outcome is recorded anyway. */
  abortGraceMs?: number;
  /** Errors of the background loop (a locked database past the busy timeout, a bug). */
  onError?: (error: unknown) => void;
}

type AbortReason = 'cancel' | 'timebox' | 'lost' | 'shutdown';

interface Runner {
  id: string;
  controller: AbortController | null;
  abortReason: AbortReason | null;
  /** Ends a backoff wait early (a signal arrived). */
  wake: (() => void) | null;
  done: Promise<void>;
}

interface StepPlan {
  row: WorkflowRow;
  task: Task;
  phase: ItuvPhase;
  iteration: number;
  attempt: number;
  key: string;
  feedback: string[];
  previousResults: Partial<Record<ItuvPhase, unknown>>;
  resumed: boolean;
}

/** What task and workflow events are about; `id` is the workflow, null for a task-only event. */
type EventSubject = Pick<
  WorkflowRow,
  'project_id' | 'task_id' | 'blueprint_id' | 'phase' | 'iteration' | 'progress'
> & {
  id: string | null;
};

interface PendingCheckpoint {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Next = { kind: 'run'; plan: StepPlan } | { kind: 'wait'; until: number } | { kind: 'stop' };

type ExecutionResult =
  PhaseOutcome | { kind: 'cancelled' } | { kind: 'dropped'; reason: 'lost' | 'shutdown' };

const artifactSchema = z.object({
  name: z.string(),
  path: z.string(),
  kind: z.enum(['transcript', 'log', 'junit', 'prompt', 'result', 'file']),
  key: z.string().optional(),
});
// Executors are plugged in from elsewhere: their answer is checked like any outside input.
const outcomeSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('passed'),
    summary: z.string(),
    result: z.unknown(),
    artifacts: z.array(artifactSchema).optional(),
  }),
  z.object({
    kind: z.literal('gate_failed'),
    summary: z.string(),
    result: z.unknown(),
    artifacts: z.array(artifactSchema).optional(),
  }),
  z.object({ kind: z.literal('needs_input'), question: z.string(), result: z.unknown().optional() }),
  z.object({ kind: z.literal('transient_error'), summary: z.string() }),
]);

/** `resume` may ask the run to pause again after one phase (`task ituv next`). */
const resumePayloadSchema = z.object({ pause_after_phase: z.boolean().optional() }).nullable();

function parsePayload(signal: SignalRow): unknown {
  if (signal.payload === null) return null;
  try {
    return JSON.parse(signal.payload) as unknown;
  } catch {
    return null;
  }
}

const feedbackPayloadSchema = z.union([
  z.string().trim().min(1),
  z.object({ text: z.string().trim().min(1) }).transform((p) => p.text),
]);

const LIVE_WAIT_STATES: readonly WorkflowState[] = [
  'completed',
  'failed',
  'cancelled',
  'waiting_input',
  'paused',
];

export class NativeEngine implements OrchestrationBackend {
  readonly ownerId: string;
  private readonly store: EngineStore;
  private readonly events: EventLog;
  private readonly executor: PhaseExecutor;
  private readonly config: NativeEngineConfig;
  private readonly repo: WorkflowRepository;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly maxConcurrent: number;
  private readonly abortGraceMs: number;
  private readonly onError: (error: unknown) => void;
  private readonly runners = new Map<string, Runner>();
  private readonly pendingCheckpoints: PendingCheckpoint[] = [];
  private hosting = false;
  private interval: NodeJS.Timeout | null = null;
  private ticking = false;
  private tickQueued = false;
  private lastRenewal = 0;

  constructor(options: NativeEngineOptions) {
    this.store = options.store;
    this.events = options.events;
    this.executor = options.executor;
    this.config = options.config;
    this.ownerId = options.ownerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.leaseMs = options.leaseMs ?? 15_000;
    this.pollMs = options.pollMs ?? 100;
    this.maxConcurrent = options.maxConcurrent ?? 16;
    this.abortGraceMs = options.abortGraceMs ?? 5_000;
    this.onError =
      options.onError ??
      ((error) =>
        process.stderr.write(`penguin engine: ${error instanceof Error ? error.message : String(error)}\n`));
    if (this.events.db !== this.store.db) {
      throw new UsageError('the event log and the task store must share one database connection');
    }
    this.repo = new WorkflowRepository(this.store.db);
  }

  // ---- hosting ---------------------------------------------------------------------------------

  /** Begins hosting: claims runnable and orphaned workflows and polls signals until stop(). */
  start(): void {
    if (this.hosting) return;
    this.hosting = true;
    this.interval = setInterval(() => this.tick(), this.pollMs);
    this.wakeUp();
  }

  /** Stops hosting: in-flight phases are aborted and their workflows released for any engine. */
  async stop(): Promise<void> {
    if (!this.hosting) return;
    this.hosting = false;
    if (this.interval) clearInterval(this.interval);
    this.interval = null;
    const running = [...this.runners.values()];
    for (const runner of running) this.abortRunner(runner, 'shutdown');
    await Promise.all(running.map((r) => r.done));
  }

  async close(): Promise<void> {
    await this.stop();
  }

  get isHosting(): boolean {
    return this.hosting;
  }

  /** Ids of the workflows this engine is running now. */
  hostedWorkflows(): string[] {
    return [...this.runners.keys()];
  }

  private wakeUp(): void {
    if (this.tickQueued || !this.hosting) return;
    this.tickQueued = true;
    setImmediate(() => {
      this.tickQueued = false;
      this.tick();
    });
  }

  private tick(): void {
    if (!this.hosting || this.ticking) return;
    this.ticking = true;
    try {
      if (Date.now() - this.lastRenewal >= this.leaseMs / 3) this.renewLeases();
      this.pollSignals();
      this.claim();
    } catch (error) {
      this.onError(error);
    } finally {
      this.ticking = false;
    }
  }

  private renewLeases(): void {
    this.lastRenewal = Date.now();
    if (this.runners.size === 0) return;
    this.repo.renewLeases(this.ownerId, this.leaseMs);
    const owned = this.repo.ownedIds(this.ownerId);
    // Another engine took a workflow over (our lease expired while we were stalled): let go of it.
    for (const runner of this.runners.values()) if (!owned.has(runner.id)) this.abortRunner(runner, 'lost');
  }

  private pollSignals(): void {
    if (this.runners.size === 0) return;
    for (const signal of this.repo.pendingSignalsOwnedBy(this.ownerId)) {
      const runner = this.runners.get(signal.workflow_id);
      if (!runner) continue;
      this.tx(() => {
        const row = this.repo.get(signal.workflow_id);
        if (row && this.repo.consumeSignal(signal.id)) this.applyHostedSignal(row, signal);
      });
      if (signal.name === 'cancel') this.abortRunner(runner, 'cancel');
      else runner.wake?.();
    }
  }

  private claim(): void {
    const capacity = this.maxConcurrent - this.runners.size;
    if (capacity <= 0) return;
    const ids = this.repo.claimable(Date.now(), capacity);
    if (ids.length === 0) return;
    const claimed = this.tx(() =>
      ids
        .map((id) => this.repo.claim(id, this.ownerId, this.leaseMs))
        .filter((r): r is WorkflowRow => r !== undefined),
    );
    for (const row of claimed) this.host(row.id);
  }

  private host(id: string): void {
    const runner: Runner = { id, controller: null, abortReason: null, wake: null, done: Promise.resolve() };
    this.runners.set(id, runner);
    runner.done = this.drive(runner)
      .catch((error: unknown) => {
        this.onError(error);
        // A failed boundary (e.g. the database stayed locked): give the run back for a later claim.
        try {
          this.release(id);
        } catch (releaseError) {
          this.onError(releaseError);
        }
      })
      .finally(() => {
        this.runners.delete(id);
        this.wakeUp();
      });
  }

  private abortRunner(runner: Runner, reason: AbortReason): void {
    // A cancel or a lost lease outranks a timebox already under way; shutdown outranks nothing.
    if (runner.abortReason === null || reason === 'cancel' || reason === 'lost') runner.abortReason = reason;
    runner.controller?.abort(reason);
    runner.wake?.();
  }

  private async drive(runner: Runner): Promise<void> {
    let next = await this.checkpoint(() => this.beginNext(runner.id));
    for (;;) {
      if (next.kind === 'stop') return;
      if (next.kind === 'wait') {
        await this.waitUntil(runner, next.until);
        if (runner.abortReason === 'lost') return;
        if (runner.abortReason === 'shutdown') return this.release(runner.id);
        runner.abortReason = null;
        next = await this.checkpoint(() => this.beginNext(runner.id));
        continue;
      }
      const plan = next.plan;
      const result = await this.execute(runner, plan);
      if (result.kind === 'dropped') {
        if (result.reason === 'shutdown') this.release(runner.id);
        return;
      }
      next = await this.checkpoint(() => this.finish(runner.id, plan, result));
    }
  }

  private waitUntil(runner: Runner, until: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        runner.wake = null;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, until - Date.now()));
      runner.wake = done;
      if (runner.abortReason !== null) done();
    });
  }

  /** Gives a workflow back (shutdown): any engine may claim it now; its open attempt reruns. */
  private release(id: string): void {
    this.tx(() => {
      const row = this.repo.get(id);
      if (row?.owner === this.ownerId && row.state === 'running')
        this.repo.update(id, { owner: null, lease_expires_at: 0 });
    });
  }

  // ---- one phase -------------------------------------------------------------------------------

  private async execute(runner: Runner, plan: StepPlan): Promise<ExecutionResult> {
    const controller = new AbortController();
    runner.controller = controller;
    runner.abortReason = null;
    let live = true;
    const timeoutMs = Math.round(this.config.timeboxSec[plan.phase] * 1000);
    const timebox = setTimeout(() => this.abortRunner(runner, 'timebox'), timeoutMs);
    const ctx: PhaseContext = {
      workflowId: plan.row.id,
      task: plan.task,
      phase: plan.phase,
      iteration: plan.iteration,
      attempt: plan.attempt,
      idempotencyKey: plan.key,
      feedback: plan.feedback,
      previousResults: plan.previousResults,
      resumed: plan.resumed,
      signal: controller.signal,
      timeoutMs,
      emit: (type: EventType, data: Record<string, unknown>) => {
        // Output after the phase ended (or from a run we no longer own) would follow its status event.
        if (!live || runner.abortReason === 'lost') return;
        this.events.append({
          ...this.eventBase(plan.row),
          type,
          phase: plan.phase,
          iteration: plan.iteration,
          data,
        });
      },
    };
    let graceTimer: NodeJS.Timeout | undefined;
    const afterAbort = new Promise<'grace'>((resolve) => {
      controller.signal.addEventListener('abort', () => {
        graceTimer = setTimeout(() => resolve('grace'), this.abortGraceMs);
      });
    });
    const execution = (async (): Promise<PhaseOutcome> => {
      try {
        const parsed = outcomeSchema.safeParse(await this.executor.execute(ctx));
        if (parsed.success) return parsed.data as PhaseOutcome;
        return { kind: 'transient_error', summary: `the ${plan.phase} executor returned an invalid outcome` };
      } catch (error) {
        return {
          kind: 'transient_error',
          summary: `${plan.phase} failed: ${error instanceof Error ? error.message : String(error)}`,
        };
      }
    })();
    const raced = await Promise.race([execution, afterAbort]);
    live = false;
    clearTimeout(timebox);
    if (graceTimer) clearTimeout(graceTimer);
    runner.controller = null;
    // Set by abortRunner while we awaited; TypeScript cannot see that.
    const reason = runner.abortReason as AbortReason | null;
    switch (reason) {
      case 'lost':
        return { kind: 'dropped', reason: 'lost' };
      case 'shutdown':
        return { kind: 'dropped', reason: 'shutdown' };
      case 'cancel':
        return { kind: 'cancelled' };
      case 'timebox':
        return {
          kind: 'transient_error',
          summary: `${plan.phase} exceeded its timebox of ${this.config.timeboxSec[plan.phase]} s and was stopped`,
        };
      default:
        return raced === 'grace'
          ? { kind: 'transient_error', summary: `${plan.phase} did not return` }
          : raced;
    }
  }

  // ---- state machine (each function runs inside one transaction) --------------------------------

  /** At a phase boundary: applies signals and requests, then opens the next attempt. */
  private beginNext(id: string): Next {
    let row = this.repo.get(id);
    if (!row || row.owner !== this.ownerId || row.state !== 'running') return { kind: 'stop' };
    for (const signal of this.repo.pendingSignals(id)) {
      if (this.repo.consumeSignal(signal.id)) this.applyHostedSignal(row, signal);
      row = this.repo.get(id) ?? row;
    }
    if (row.cancel_requested) {
      this.finalizeCancelled(row, 'cancelled by signal');
      return { kind: 'stop' };
    }
    if (row.pause_requested) {
      this.pauseAt(row);
      return { kind: 'stop' };
    }
    if (row.not_before !== null && row.not_before > Date.now())
      return { kind: 'wait', until: row.not_before };
    const phase = row.phase;
    if (phase === null || phase === 'done') {
      this.complete(row);
      return { kind: 'stop' };
    }
    let attempt = row.attempt;
    const existing = this.repo.step(idempotencyKey(id, phase, row.iteration, attempt));
    if (existing) {
      // The previous host died (or released the run) during this attempt: it reruns as a new one.
      if (existing.outcome === null) {
        this.repo.finishStep(existing.idempotency_key, {
          outcome: 'abandoned',
          summary: 'the host stopped before the phase finished',
          result: undefined,
          artifacts: [],
        });
      }
      if (attempt >= this.config.retry.max_attempts) {
        this.fail(row, `${phase} was interrupted ${attempt} times`);
        return { kind: 'stop' };
      }
      attempt += 1;
      this.emit(row, 'workflow.retrying', {
        phase,
        iteration: row.iteration,
        data: { attempt, reason: 'recovered' },
      });
    }
    const task = this.moveTaskForPhase(row, phase);
    if (!task) return { kind: 'stop' };
    const key = idempotencyKey(id, phase, row.iteration, attempt);
    this.repo.insertStep({
      workflow_id: id,
      phase,
      iteration: row.iteration,
      attempt,
      key,
      owner: this.ownerId,
    });
    const progress = progressAt(phase);
    this.repo.update(id, {
      attempt,
      progress,
      not_before: null,
      lease_expires_at: Date.now() + this.leaseMs,
    });
    row = { ...row, attempt, progress };
    this.emit(row, 'workflow.phase_started', {
      phase,
      iteration: row.iteration,
      data: { attempt, idempotency_key: key },
    });
    return {
      kind: 'run',
      plan: {
        row,
        task,
        phase,
        iteration: row.iteration,
        attempt,
        key,
        feedback: parseFeedback(row),
        previousResults: this.repo.iterationResults(id, row.iteration),
        resumed: row.resumed === 1,
      },
    };
  }

  /** Records an attempt's outcome and moves the workflow on. */
  private finish(id: string, plan: StepPlan, result: ExecutionResult): Next {
    const row = this.repo.get(id);
    // Fenced: a run we no longer own (lease lost) must not write its result.
    if (!row || row.owner !== this.ownerId || row.state !== 'running') return { kind: 'stop' };
    const at = { phase: plan.phase, iteration: plan.iteration };
    switch (result.kind) {
      case 'dropped':
        return { kind: 'stop' };
      case 'cancelled':
        this.repo.finishStep(plan.key, {
          outcome: 'cancelled',
          summary: 'cancelled',
          result: undefined,
          artifacts: [],
        });
        this.finalizeCancelled(row, 'cancelled by signal');
        return { kind: 'stop' };
      case 'passed': {
        const artifacts = result.artifacts ?? [];
        this.repo.finishStep(plan.key, {
          outcome: 'passed',
          summary: result.summary,
          result: result.result,
          artifacts,
        });
        const next = nextPhase(plan.phase);
        this.pauseIfStepping(row);
        this.emit(row, 'workflow.phase_completed', {
          ...at,
          progress: progressAt(next),
          artifacts,
          data: { attempt: plan.attempt, summary: result.summary },
        });
        if (next === 'done') {
          this.complete(row);
          return { kind: 'stop' };
        }
        this.repo.update(id, {
          phase: next,
          attempt: 1,
          progress: progressAt(next),
          resumed: 0,
          last_failure: null,
        });
        return this.beginNext(id);
      }
      case 'gate_failed': {
        const artifacts = result.artifacts ?? [];
        this.repo.finishStep(plan.key, {
          outcome: 'gate_failed',
          summary: result.summary,
          result: result.result,
          artifacts,
        });
        this.pauseIfStepping(row);
        const failure = formatGateFailure(plan.phase, plan.iteration, result.summary);
        const feedback = [...parseFeedback(row), failure];
        this.emit(row, 'workflow.phase_failed', {
          ...at,
          artifacts,
          data: { attempt: plan.attempt, kind: 'gate_failed', summary: result.summary },
        });
        if (plan.iteration - row.iteration_base >= this.config.maxIterations) {
          this.repo.update(id, { feedback: JSON.stringify(feedback), last_failure: failure });
          this.wait({ ...row, last_failure: failure }, 'clarification_needed', null, {
            phase: 'implement',
            attempt: 1,
          });
          return { kind: 'stop' };
        }
        this.repo.update(id, {
          phase: 'implement',
          iteration: plan.iteration + 1,
          attempt: 1,
          progress: 0,
          feedback: JSON.stringify(feedback),
          last_failure: failure,
          resumed: 0,
        });
        return this.beginNext(id);
      }
      case 'needs_input': {
        this.repo.finishStep(plan.key, {
          outcome: 'needs_input',
          summary: result.question,
          result: result.result,
          artifacts: [],
        });
        this.wait(row, 'agent_question', result.question, { phase: plan.phase, attempt: plan.attempt + 1 });
        return { kind: 'stop' };
      }
      case 'transient_error': {
        this.repo.finishStep(plan.key, {
          outcome: 'transient_error',
          summary: result.summary,
          result: undefined,
          artifacts: [],
        });
        this.emit(row, 'workflow.phase_failed', {
          ...at,
          data: { attempt: plan.attempt, kind: 'transient_error', summary: result.summary },
        });
        if (plan.attempt >= this.config.retry.max_attempts) {
          this.fail(row, `${plan.phase} failed ${plan.attempt} times; last: ${result.summary}`);
          return { kind: 'stop' };
        }
        const delayMs = retryDelayMs(this.config.retry, plan.attempt);
        this.repo.update(id, {
          attempt: plan.attempt + 1,
          not_before: Date.now() + delayMs,
          last_failure: result.summary,
        });
        this.emit(row, 'workflow.retrying', {
          ...at,
          data: { attempt: plan.attempt + 1, delay_ms: delayMs, reason: result.summary },
        });
        return this.beginNext(id);
      }
    }
  }

  private complete(row: WorkflowRow): void {
    this.repo.abandonOpenSteps(row.id);
    const done: WorkflowRow = { ...row, phase: 'done', progress: 100 };
    this.moveTask(done, TASK_TARGET.done(this.config.autoApprove), 'ITUV passed: VERIFY gate met', true);
    this.repo.update(row.id, {
      state: 'completed',
      phase: 'done',
      progress: 100,
      owner: null,
      lease_expires_at: null,
      finished_at: new Date().toISOString(),
    });
    this.emit(done, 'workflow.completed', { data: { auto_approved: this.config.autoApprove } });
  }

  private fail(row: WorkflowRow, reason: string): void {
    this.repo.abandonOpenSteps(row.id);
    this.moveTask(row, TASK_TARGET.failed, `workflow ${row.id} failed: ${reason}`, true);
    this.repo.update(row.id, {
      state: 'failed',
      last_failure: reason,
      owner: null,
      lease_expires_at: null,
      finished_at: new Date().toISOString(),
    });
    this.emit(row, 'workflow.failed', { data: { reason } });
  }

  private finalizeCancelled(row: WorkflowRow, reason: string): void {
    this.repo.abandonOpenSteps(row.id);
    this.moveTask(row, TASK_TARGET.cancelled, `workflow ${row.id} ${reason}`, true);
    this.repo.update(row.id, {
      state: 'cancelled',
      owner: null,
      lease_expires_at: null,
      cancel_requested: 0,
      pause_requested: 0,
      finished_at: new Date().toISOString(),
    });
    this.emit(row, 'workflow.cancelled', { data: { reason } });
  }

  private pauseAt(row: WorkflowRow): void {
    this.repo.abandonOpenSteps(row.id);
    this.moveTask(row, TASK_TARGET.paused, `workflow ${row.id} paused`, true);
    this.repo.update(row.id, { state: 'paused', owner: null, lease_expires_at: null, pause_requested: 0 });
    this.emit(row, 'workflow.paused', { data: { next_phase: row.phase } });
  }

  private wait(current: WorkflowRow, reason: string, question: string | null, resumeAt: WorkflowPatch): void {
    // Events report where the run resumes, like its status does.
    const row: WorkflowRow = { ...current, ...resumeAt };
    this.moveTask(
      row,
      TASK_TARGET.waitingInput,
      `workflow ${row.id} waits for input: ${question ?? reason}`,
      true,
    );
    this.repo.update(row.id, {
      ...resumeAt,
      state: 'waiting_input',
      waiting_reason: reason,
      question,
      owner: null,
      lease_expires_at: null,
      resumed: 0,
    });
    this.emit(row, 'workflow.waiting_input', {
      data: { reason, question, last_failure: row.last_failure },
    });
  }

  /** A consumed signal for a workflow this engine runs: recorded as a request taken at the boundary. */
  private applyHostedSignal(row: WorkflowRow, signal: SignalRow): void {
    switch (signal.name) {
      case 'cancel':
        this.repo.update(row.id, { cancel_requested: 1 });
        return;
      case 'pause':
        this.repo.update(row.id, { pause_requested: 1 });
        return;
      case 'resume':
        if (row.pause_requested) this.repo.update(row.id, { pause_requested: 0 });
        return;
      case 'inject_feedback':
        this.addFeedback(row, signal);
        return;
    }
  }

  /** A signal for a workflow nobody runs now (pending, paused, waiting, or its host died): applied at once. */
  private applyUnhostedSignal(row: WorkflowRow, signal: SignalRow): void {
    switch (signal.name) {
      case 'cancel':
        this.finalizeCancelled(row, 'cancelled by signal');
        return;
      case 'pause':
        if (row.state === 'pending' || row.state === 'running') this.pauseAt(row);
        return;
      case 'resume':
        if (resumePayloadSchema.safeParse(parsePayload(signal)).data?.pause_after_phase) {
          this.repo.update(row.id, { pause_after_phase: 1 });
        }
        if (row.state === 'paused') this.resumeTo(row, {});
        else if (row.state === 'waiting_input') {
          this.resumeTo(
            row,
            row.waiting_reason === 'clarification_needed'
              ? {
                  phase: 'implement',
                  iteration: row.iteration + 1,
                  iteration_base: row.iteration,
                  attempt: 1,
                }
              : {},
          );
        }
        return;
      case 'inject_feedback': {
        const feedback = this.addFeedback(row, signal);
        // An answer to a waiting run restarts IMPLEMENT with a fresh iteration budget.
        if (row.state === 'waiting_input') {
          this.resumeTo(
            { ...row, feedback },
            { phase: 'implement', iteration: row.iteration + 1, iteration_base: row.iteration, attempt: 1 },
          );
        }
        return;
      }
    }
  }

  /** `task ituv next` runs one phase: once it has a result, the run pauses at this boundary. */
  private pauseIfStepping(row: WorkflowRow): void {
    if (row.pause_after_phase) this.repo.update(row.id, { pause_requested: 1, pause_after_phase: 0 });
  }

  private resumeTo(row: WorkflowRow, patch: WorkflowPatch): void {
    this.repo.update(row.id, {
      ...patch,
      state: 'pending',
      waiting_reason: null,
      question: null,
      resumed: 1,
      not_before: null,
      owner: null,
      lease_expires_at: null,
    });
    this.emit(row, 'workflow.resumed', { data: { from: row.state } });
  }

  private addFeedback(row: WorkflowRow, signal: SignalRow): string {
    const text = feedbackPayloadSchema.parse(signal.payload === null ? null : JSON.parse(signal.payload));
    const feedback = JSON.stringify([...parseFeedback(row), text]);
    this.repo.update(row.id, { feedback });
    this.emit(row, 'workflow.feedback', { data: { text } });
    return feedback;
  }

  // ---- task transitions and events ---------------------------------------------------------------

  /** Moves the task into `phase` when an attempt starts; a task changed elsewhere ends the run. */
  private moveTaskForPhase(row: WorkflowRow, phase: ItuvPhase): Task | null {
    const task = this.store.getTask(row.task_id);
    if (!task || task.status === 'cancelled' || task.status === 'archived') {
      this.finalizeCancelled(row, `stopped: task ${row.blueprint_id} is ${task?.status ?? 'gone'}`);
      return null;
    }
    try {
      const reason = `workflow ${row.id}: ${phase} (iteration ${row.iteration})`;
      return this.moveTask(row, TASK_TARGET.running(phase), reason, false, task);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      this.fail(row, error.message);
      return null;
    }
  }

  /**
   * Transitions the task unless it is already there and emits task.* events. With `bestEffort` a
   * transition the lifecycle refuses (the task was changed by hand meanwhile) is skipped.
   */
  private moveTask(
    row: EventSubject,
    target: TaskTarget,
    reason: string,
    bestEffort: boolean,
    current?: Task,
  ): Task {
    const task = current ?? this.store.getTask(row.task_id);
    if (!task) throw new NotFoundError(`no task '${row.task_id}' (workflow ${row.id ?? 'none'})`);
    if (task.status === target.status && (target.phase === undefined || task.phase === target.phase))
      return task;
    let moved: Task;
    try {
      moved = this.store.transitionTask(task.id, {
        status: target.status,
        ...(target.phase ? { phase: target.phase } : {}),
        reason,
      });
    } catch (error) {
      if (bestEffort && error instanceof ConflictError) return task;
      throw error;
    }
    if (moved.status !== task.status) {
      this.emit(row, 'task.status_changed', { data: { from: task.status, to: moved.status, reason } });
    }
    if (moved.phase !== task.phase) {
      this.emit(row, 'task.phase_changed', { data: { from: task.phase, to: moved.phase, reason } });
    }
    return moved;
  }

  private eventBase(
    row: EventSubject,
  ): Pick<EventDraft, 'project_id' | 'task_id' | 'blueprint_id' | 'workflow_id'> {
    return {
      project_id: row.project_id,
      task_id: row.task_id,
      blueprint_id: row.blueprint_id,
      ...(row.id === null ? {} : { workflow_id: row.id }),
    };
  }

  private emit(
    row: EventSubject,
    type: EventType,
    fields: Partial<Pick<EventDraft, 'phase' | 'iteration' | 'progress' | 'artifacts'>> & {
      data: Record<string, unknown>;
    },
  ): void {
    this.events.append({
      ...this.eventBase(row),
      type,
      phase: fields.phase ?? row.phase ?? undefined,
      iteration: fields.iteration ?? row.iteration,
      progress: fields.progress ?? row.progress,
      ...(fields.artifacts && fields.artifacts.length > 0 ? { artifacts: fields.artifacts } : {}),
      data: fields.data,
    });
  }

  /** One store transaction whose events are published after it commits. */
  private tx<T>(fn: () => T): T {
    return this.events.commit(() => this.store.transaction(fn));
  }

  /**
   * Group commit: checkpoints requested in the same turn of the event loop (many workflows crossing
   * a phase boundary) share one transaction, so one fsync covers them all. Each runs in its own
   * savepoint: a throw rolls back only that checkpoint and rejects only its caller; every caller
   * resumes only after the shared commit.
   */
  private checkpoint<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pendingCheckpoints.push({ run: fn, resolve: resolve as (value: unknown) => void, reject });
      if (this.pendingCheckpoints.length === 1) setImmediate(() => this.flushCheckpoints());
    });
  }

  private flushCheckpoints(): void {
    const batch = this.pendingCheckpoints.splice(0);
    const settled: (() => void)[] = [];
    try {
      this.tx(() => {
        for (const item of batch) {
          try {
            const value = this.store.transaction(item.run);
            settled.push(() => item.resolve(value));
          } catch (error) {
            settled.push(() => item.reject(error));
          }
        }
      });
    } catch (error) {
      // The shared commit failed (e.g. the database stayed locked): nothing of the batch persisted.
      for (const item of batch) item.reject(error);
      return;
    }
    for (const settle of settled) settle();
  }

  // ---- OrchestrationBackend ----------------------------------------------------------------------

  async startWorkflow(taskId: string, opts: StartOptions = {}): Promise<string> {
    const id = await this.checkpoint(() => {
      const task = this.store.getTask(taskId) ?? this.store.resolveTask(taskId);
      const live = this.repo.liveForTask(task.id);
      if (live) {
        throw new ConflictError(
          `task ${task.blueprint_id} (${task.id}) already has a live workflow ${live.id} (${live.state})`,
        );
      }
      if (task.status !== 'active' && task.status !== 'waiting_input') {
        throw new ConflictError(
          `task ${task.blueprint_id} (${task.id}) is ${task.status}; a workflow starts only from an active task`,
        );
      }
      const workflowId = newWorkflowId();
      this.repo.insert({
        id: workflowId,
        task_id: task.id,
        project_id: task.project_id,
        blueprint_id: task.blueprint_id,
        feedback: opts.feedback ?? [],
        origin: opts.origin ?? null,
        pause_after_phase: opts.pauseAfterPhase === true,
      });
      const row = this.repo.get(workflowId);
      if (!row) throw new NotFoundError(`workflow ${workflowId} vanished while it was created`);
      this.emit(row, 'workflow.started', { data: { origin: opts.origin ?? null } });
      return workflowId;
    });
    this.wakeUp();
    return id;
  }

  async getStatus(id: string): Promise<WorkflowStatus> {
    return this.repo.status(this.row(id));
  }

  async signal(id: string, name: SignalName, payload?: unknown): Promise<void> {
    if (!SIGNAL_NAMES.includes(name)) {
      throw new UsageError(`unknown signal '${String(name)}'; use one of ${SIGNAL_NAMES.join(', ')}`);
    }
    if (name === 'inject_feedback' && !feedbackPayloadSchema.safeParse(payload).success) {
      throw new UsageError(`inject_feedback for workflow ${id} needs non-empty feedback text`);
    }
    this.tx(() => {
      const row = this.row(id);
      if (isTerminal(row.state)) {
        if (name === 'cancel' && row.state === 'cancelled') return;
        throw new ConflictError(`workflow ${id} is ${row.state}; it cannot take the ${name} signal`);
      }
      this.repo.insertSignal(id, name, payload);
      const hosted =
        row.state === 'running' && row.owner !== null && (row.lease_expires_at ?? 0) >= Date.now();
      if (hosted) return; // its host consumes it within a poll interval
      for (const signal of this.repo.pendingSignals(id)) {
        const current = this.row(id);
        if (isTerminal(current.state)) break;
        if (this.repo.consumeSignal(signal.id)) this.applyUnhostedSignal(current, signal);
      }
    });
    const runner = this.runners.get(id);
    if (runner) {
      // Hosted here: apply now rather than at the next poll.
      this.pollSignals();
    }
    this.wakeUp();
  }

  async query(id: string, name: QueryName): Promise<unknown> {
    const row = this.row(id);
    switch (name) {
      case 'status':
        return this.repo.status(row);
      case 'phase':
        return row.phase;
      case 'progress':
        return row.progress;
      case 'artifacts':
        return this.repo.artifacts(id);
      default:
        throw new UsageError(`unknown query '${String(name)}'; use one of ${QUERY_NAMES.join(', ')}`);
    }
  }

  async cancel(id: string): Promise<void> {
    await this.signal(id, 'cancel');
  }

  async list(filter: WorkflowListFilter = {}): Promise<WorkflowStatus[]> {
    return this.repo.list(filter).map((row) => this.repo.status(row));
  }

  async health(): Promise<BackendHealth> {
    try {
      this.store.db.prepare('SELECT 1').get();
      return {
        ok: true,
        backend: 'native',
        detail: `${this.hosting ? `hosting ${this.runners.size} workflow(s) as ${this.ownerId}` : 'not hosting'}; database ${this.store.db.name}`,
      };
    } catch (error) {
      return { ok: false, backend: 'native', detail: error instanceof Error ? error.message : String(error) };
    }
  }

  /** The newest committed result of each phase (passed or gate failed), e.g. for `task show`. */
  phaseResults(id: string): Partial<Record<ItuvPhase, unknown>> {
    this.row(id);
    return this.repo.latestResults(id);
  }

  /**
   * Records a VERIFY verdict reached outside the run (`task ituv verify`) as the workflow's newest
   * verify step, so `task show` and later runs see it. Attempt 0 marks it as re-run by a person.
   */
  recordVerdict(id: string, verdict: { passed: boolean; summary: string; result: unknown }): void {
    this.tx(() => {
      const row = this.row(id);
      const key = `${id}:verify:${row.iteration}:manual-${Date.now()}`;
      this.repo.insertStep({
        workflow_id: id,
        phase: 'verify',
        iteration: row.iteration,
        attempt: 0,
        key,
        owner: 'cli',
      });
      const outcome = verdict.passed ? 'passed' : 'gate_failed';
      this.repo.finishStep(key, { outcome, summary: verdict.summary, result: verdict.result, artifacts: [] });
      this.emit(row, verdict.passed ? 'workflow.phase_completed' : 'workflow.phase_failed', {
        phase: 'verify',
        data: { attempt: 0, kind: outcome, summary: verdict.summary, rerun: true },
      });
    });
  }

  /**
   * Marks a task done after VERIFY passed outside a workflow run (`task ituv verify`, e.g. after a
   * criterion override): the task goes completed (or pending_review without auto-approve) through
   * the lifecycle's moves, and a workflow still waiting or paused for it completes too. Refused
   * while a host is running a phase of it.
   */
  completeVerifiedTask(taskId: string, reason: string): Task {
    return this.tx(() => {
      let task = this.store.getTask(taskId) ?? this.store.resolveTask(taskId);
      const live = this.repo.liveForTask(task.id);
      if (
        live &&
        live.state === 'running' &&
        live.owner !== null &&
        (live.lease_expires_at ?? 0) >= Date.now()
      ) {
        throw new ConflictError(
          `task ${task.blueprint_id} has a running workflow ${live.id}; wait for it or cancel it first`,
        );
      }
      const subject: EventSubject = live ?? {
        id: null,
        project_id: task.project_id,
        task_id: task.id,
        blueprint_id: task.blueprint_id,
        phase: 'verify',
        iteration: 0,
        progress: 75,
      };
      const target = TASK_TARGET.done(this.config.autoApprove);
      // Already done (completed or in review) stays as it is.
      if (task.status !== 'completed' && task.status !== 'pending_review') {
        // The lifecycle reaches completed/pending_review only from running, so walk there.
        if (task.status === 'failed' || task.status === 'cancelled') {
          task = this.moveTask(subject, { status: 'active', phase: 'pending' }, reason, false, task);
        }
        if (task.status === 'active' || task.status === 'waiting_input') {
          task = this.moveTask(subject, TASK_TARGET.running('verify'), reason, false, task);
        }
        task = this.moveTask({ ...subject, phase: 'done', progress: 100 }, target, reason, false, task);
      }
      if (live) this.complete({ ...live, owner: null });
      return task;
    });
  }

  /** Resolves once the workflow is in one of `states` (polling, so runs hosted elsewhere count too). */
  async waitFor(
    id: string,
    states: readonly WorkflowState[],
    timeoutMs = Number.POSITIVE_INFINITY,
  ): Promise<WorkflowStatus> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const row = this.row(id);
      if (states.includes(row.state)) return this.repo.status(row);
      if (Date.now() > deadline) {
        throw new ConflictError(
          `workflow ${id} is still ${row.state} after ${Math.round(timeoutMs / 1000)} s`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(this.pollMs, 50)));
    }
  }

  /** Foreground use (CLI): hosts until the workflow finishes or needs a human. */
  async runToCompletion(id: string, timeoutMs?: number): Promise<WorkflowStatus> {
    this.start();
    return this.waitFor(id, LIVE_WAIT_STATES, timeoutMs);
  }

  private row(id: string): WorkflowRow {
    const row = this.repo.get(id);
    if (!row) throw new NotFoundError(`no workflow '${id}'`);
    return row;
  }
}
