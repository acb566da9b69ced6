// The native orchestration backend (DESIGN §6): durable ITUV runs in the workspace Store (its
// workflow repository; SQLite today). It is a host of the pure machine (../machine): every change of
// a run is a machine step, committed with its step records, task moves and events in one transaction
// (StepInterpreter), and this class only does the I/O around it: claiming runnable workflows with a
// lease, running phases through the injected PhaseExecutor with their timebox, timers, polling
// signals, and group commit. A workflow whose host died (lease expired) is recovered by any engine:
// the machine reruns its open attempt. The same object is the OrchestrationClient of the workspace.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ArtifactFileSchema } from '../../contracts/phase-result.js';
import {
  isSettled,
  type BackendHealth,
  type QueryAnswers,
  type QueryName,
  type ReverifyRequest,
  type SignalName,
  type StartOptions,
  type WorkflowListFilter,
  type WorkflowState,
  type WorkflowStatus,
  WORKFLOW_STATES,
} from '../../contracts/workflow.js';
import { ConflictError, NotFoundError, UsageError } from '../../errors.js';
import type { EventLog } from '../../events/log.js';
import type { EventType } from '../../events/types.js';
import type { Task } from '../../project/model.js';
import { resolveTask } from '../../project/resolve.js';
import type { Store, StoreTx, WorkflowRecord } from '../../contracts/store/index.js';
import type {
  HostOutcome,
  OrchestrationBackend,
  PhaseResults,
  RunUntilOptions,
  StartWrites,
  WorkflowHost,
} from '../backend.js';
import {
  admitSignal,
  type MachineConfig,
  type MachineInput,
  type PhaseOutcomeInput,
} from '../machine/index.js';
import type { PhaseContext, PhaseExecutor } from '../phase-executor.js';
import { checkSignal, pollUntil, startTaskRun, WorkflowReads } from '../store-runs.js';
import { StepInterpreter, type Applier, type HostPlan, type RunPlan } from './interpreter.js';
import { runState } from './records.js';

/** The machine's settings, from the workspace config (see factory.ts). */
export type NativeEngineConfig = MachineConfig;

export interface NativeEngineOptions {
  store: Store;
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
  /** Key of the attempt running now. */
  key: string | null;
  abortReason: AbortReason | null;
  /** Ends a backoff wait early (a signal arrived). */
  wake: (() => void) | null;
  done: Promise<void>;
}

interface PendingCheckpoint {
  run: (tx: StoreTx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** How an execution ended for the host: an outcome for the machine, or nothing to record. */
type Execution =
  { kind: 'outcome'; outcome: PhaseOutcomeInput } | { kind: 'dropped'; reason: 'lost' | 'shutdown' };

// Executors are plugged in from elsewhere: their answer is checked like any outside input.
const outcomeSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('passed'),
    summary: z.string(),
    result: z.unknown(),
    artifacts: z.array(ArtifactFileSchema).optional(),
  }),
  z.object({
    kind: z.literal('gate_failed'),
    summary: z.string(),
    result: z.unknown(),
    artifacts: z.array(ArtifactFileSchema).optional(),
  }),
  z.object({ kind: z.literal('needs_input'), question: z.string(), result: z.unknown().optional() }),
  z.object({ kind: z.literal('transient_error'), summary: z.string() }),
]);

const SETTLED_STATES = WORKFLOW_STATES.filter(isSettled);

export class NativeEngine implements OrchestrationBackend, WorkflowHost {
  readonly ownerId: string;
  private readonly store: Store;
  private readonly events: EventLog;
  private readonly executor: PhaseExecutor;
  private readonly machine: StepInterpreter;
  private readonly reads: WorkflowReads;
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
  /** Runs being taken by a start's commit, counted against maxConcurrent until they are hosted. */
  private reserved = 0;
  /** While shutting down: how long an aborted phase may take to return. */
  private graceMs: number;

  constructor(options: NativeEngineOptions) {
    this.store = options.store;
    this.events = options.events;
    this.executor = options.executor;
    this.ownerId = options.ownerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.leaseMs = options.leaseMs ?? 15_000;
    this.pollMs = options.pollMs ?? 100;
    this.maxConcurrent = options.maxConcurrent ?? 16;
    this.abortGraceMs = options.abortGraceMs ?? 5_000;
    this.graceMs = this.abortGraceMs;
    this.onError =
      options.onError ??
      ((error) =>
        process.stderr.write(`penguin engine: ${error instanceof Error ? error.message : String(error)}\n`));
    if (this.events.store !== this.store) {
      throw new UsageError('the event log and the engine must share one store');
    }
    this.machine = new StepInterpreter(this.events, options.config);
    this.reads = new WorkflowReads(this.store);
  }

  // ---- WorkflowHost --------------------------------------------------------------------------------

  /** Begins hosting: claims runnable and orphaned workflows and polls signals until shutdown. */
  run(): void {
    if (this.hosting) return;
    this.hosting = true;
    this.graceMs = this.abortGraceMs;
    this.interval = setInterval(() => void this.tick(), this.pollMs);
    this.wakeUp();
  }

  async runUntil(
    predicate: () => boolean | Promise<boolean>,
    options: RunUntilOptions = {},
  ): Promise<HostOutcome> {
    this.run();
    return pollUntil(predicate, options, options.pollMs ?? Math.min(this.pollMs, 50));
  }

  /** Stops hosting: in-flight phases are aborted and their workflows released for any engine. */
  async shutdown(graceMs = this.abortGraceMs): Promise<void> {
    if (!this.hosting) return;
    this.hosting = false;
    this.graceMs = graceMs;
    if (this.interval) clearInterval(this.interval);
    this.interval = null;
    const running = [...this.runners.values()];
    for (const runner of running) this.abortRunner(runner, 'shutdown');
    await Promise.all(running.map((r) => r.done));
  }

  /** The older names of run() and shutdown(). */
  start(): void {
    this.run();
  }

  async stop(): Promise<void> {
    await this.shutdown();
  }

  async close(): Promise<void> {
    await this.shutdown();
  }

  get isHosting(): boolean {
    return this.hosting;
  }

  /** Ids of the workflows this engine is running now. */
  hostedWorkflows(): string[] {
    return [...this.runners.keys()];
  }

  private get host(): Applier {
    return { kind: 'host', owner: this.ownerId, leaseMs: this.leaseMs };
  }

  private wakeUp(): void {
    if (this.tickQueued || !this.hosting) return;
    this.tickQueued = true;
    setImmediate(() => {
      this.tickQueued = false;
      void this.tick();
    });
  }

  private async tick(): Promise<void> {
    if (!this.hosting || this.ticking) return;
    this.ticking = true;
    try {
      if (Date.now() - this.lastRenewal >= this.leaseMs / 3) await this.renewLeases();
      await this.pollSignals();
      await this.claim();
    } catch (error) {
      this.onError(error);
    } finally {
      this.ticking = false;
    }
  }

  private async renewLeases(): Promise<void> {
    this.lastRenewal = Date.now();
    if (this.runners.size === 0) return;
    const owned = new Set(
      await this.tx(async (tx) => {
        await tx.workflows.renewLeases(this.ownerId, Date.now() + this.leaseMs);
        return tx.workflows.ownedIds(this.ownerId);
      }),
    );
    // Another engine took a workflow over (our lease expired while we were stalled): let go of it.
    for (const runner of this.runners.values()) if (!owned.has(runner.id)) this.abortRunner(runner, 'lost');
  }

  /** Applies signals sent to the runs hosted here; a cancel stops the running phase at once. */
  private async pollSignals(): Promise<void> {
    if (this.runners.size === 0) return;
    const pending = await this.store.workflows.pendingSignalsOwnedBy(this.ownerId);
    const ids = new Set(pending.map((s) => s.workflow_id));
    for (const id of ids) {
      const runner = this.runners.get(id);
      if (!runner) continue;
      const plan = await this.tx(async (tx) => {
        const row = await tx.workflows.get(id);
        return row && this.owns(row) ? this.machine.apply(tx, row, this.host, { now: Date.now() }) : null;
      });
      if (plan?.aborts.includes(runner.key ?? '')) this.abortRunner(runner, 'cancel');
      else runner.wake?.();
    }
  }

  private async claim(): Promise<void> {
    const capacity = this.maxConcurrent - this.runners.size - this.reserved;
    if (capacity <= 0) return;
    const ids = await this.store.workflows.claimable(Date.now(), capacity);
    if (ids.length === 0) return;
    const claimed = await this.tx(async (tx) => {
      const plans: { id: string; plan: HostPlan }[] = [];
      for (const id of ids) {
        const plan = await this.take(tx, id);
        if (plan) plans.push({ id, plan });
      }
      return plans;
    });
    for (const { id, plan } of claimed) if (plan.state.state === 'running') this.hostRun(id, plan);
  }

  /** Leases run `id` to this host and steps it as claimed; null when another host has it. */
  private async take(tx: StoreTx, id: string): Promise<HostPlan | null> {
    const now = Date.now();
    const row = await tx.workflows.claim(id, this.ownerId, now, now + this.leaseMs);
    if (!row) return null;
    return this.machine.apply(tx, row, this.host, {
      input: { type: 'claimed', now: Date.now() },
      now: Date.now(),
    });
  }

  private owns(row: WorkflowRecord): boolean {
    return row.owner === this.ownerId && row.state === 'running';
  }

  private hostRun(id: string, first: HostPlan): void {
    const runner: Runner = {
      id,
      controller: null,
      key: null,
      abortReason: null,
      wake: null,
      done: Promise.resolve(),
    };
    this.runners.set(id, runner);
    runner.done = this.drive(runner, first)
      .catch(async (error: unknown) => {
        this.onError(error);
        // A failed boundary (e.g. the database stayed locked): give the run back for a later claim.
        await this.release(id).catch((releaseError: unknown) => this.onError(releaseError));
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

  /** Runs the plans of one workflow until the machine leaves nothing for this host to do. */
  private async drive(runner: Runner, first: HostPlan): Promise<void> {
    let plan: HostPlan | null = first;
    while (plan) {
      const run: RunPlan | null = plan.run;
      const timer: number | null = plan.timer;
      if (run) {
        const execution = await this.execute(runner, run);
        if (execution.kind === 'dropped') {
          if (execution.reason === 'shutdown') await this.release(runner.id);
          return;
        }
        const input: MachineInput = {
          type: 'phase_result',
          now: Date.now(),
          key: run.effect.key,
          outcome: execution.outcome,
          random: Math.random(),
        };
        plan = await this.checkpoint((tx) => this.stepHosted(tx, runner.id, input));
      } else if (timer !== null) {
        await this.waitUntil(runner, timer);
        if (runner.abortReason === 'lost') return;
        if (runner.abortReason === 'shutdown') return this.release(runner.id);
        runner.abortReason = null;
        plan = await this.checkpoint((tx) => this.stepHosted(tx, runner.id, undefined));
      } else {
        return;
      }
    }
  }

  /** A step of a run hosted here; null when it is no longer ours (fenced: lease lost, finished). */
  private async stepHosted(
    tx: StoreTx,
    id: string,
    input: MachineInput | undefined,
  ): Promise<HostPlan | null> {
    const row = await tx.workflows.get(id);
    if (!row || !this.owns(row)) return null;
    const now = Date.now();
    return this.machine.apply(
      tx,
      row,
      this.host,
      input ? { input, now } : { last: { type: 'timer_fired', now }, now },
    );
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
  private release(id: string): Promise<void> {
    return this.tx((tx) => tx.workflows.release(id, this.ownerId));
  }

  // ---- one phase -------------------------------------------------------------------------------

  private async execute(runner: Runner, plan: RunPlan): Promise<Execution> {
    const { effect } = plan;
    const controller = new AbortController();
    runner.controller = controller;
    runner.key = effect.key;
    runner.abortReason = null;
    let live = true;
    const timebox = setTimeout(() => this.abortRunner(runner, 'timebox'), effect.timeout_ms);
    const ctx: PhaseContext = {
      workflowId: runner.id,
      task: plan.task,
      phase: effect.phase,
      iteration: effect.iteration,
      attempt: effect.attempt,
      idempotencyKey: effect.key,
      feedback: effect.feedback,
      previousResults: plan.previousResults,
      resumed: effect.resumed,
      signal: controller.signal,
      timeoutMs: effect.timeout_ms,
      emit: (type: EventType, data: Record<string, unknown>) => {
        // Output after the phase ended (or from a run we no longer own) would follow its status event.
        if (!live || runner.abortReason === 'lost') return;
        // Queued on the store now, so it commits before the checkpoint that ends the phase.
        this.events
          .record({
            project_id: plan.task.project_id,
            task_id: plan.task.id,
            blueprint_id: plan.task.blueprint_id,
            workflow_id: runner.id,
            type,
            phase: effect.phase,
            iteration: effect.iteration,
            data,
          })
          .catch((error: unknown) => this.onError(error));
      },
    };
    let graceTimer: NodeJS.Timeout | undefined;
    const afterAbort = new Promise<'grace'>((resolve) => {
      controller.signal.addEventListener('abort', () => {
        graceTimer = setTimeout(() => resolve('grace'), this.graceMs);
      });
    });
    const execution = (async (): Promise<PhaseOutcomeInput> => {
      try {
        const parsed = outcomeSchema.safeParse(await this.executor.execute(ctx));
        if (parsed.success) return parsed.data;
        return {
          kind: 'transient_error',
          summary: `the ${effect.phase} executor returned an invalid outcome`,
        };
      } catch (error) {
        return {
          kind: 'transient_error',
          summary: `${effect.phase} failed: ${error instanceof Error ? error.message : String(error)}`,
        };
      }
    })();
    const raced = await Promise.race([execution, afterAbort]);
    live = false;
    clearTimeout(timebox);
    if (graceTimer) clearTimeout(graceTimer);
    runner.controller = null;
    runner.key = null;
    // Set by abortRunner while we awaited; TypeScript cannot see that.
    const reason = runner.abortReason as AbortReason | null;
    switch (reason) {
      case 'lost':
      case 'shutdown':
        return { kind: 'dropped', reason };
      case 'cancel':
        return { kind: 'outcome', outcome: { kind: 'cancelled' } };
      case 'timebox':
        return { kind: 'outcome', outcome: { kind: 'timed_out' } };
      default:
        return {
          kind: 'outcome',
          outcome:
            raced === 'grace'
              ? { kind: 'transient_error', summary: `${effect.phase} did not return` }
              : raced,
        };
    }
  }

  // ---- transactions ------------------------------------------------------------------------------

  /** One store transaction; the events it appends are published after it commits. */
  private tx<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.store.transaction(fn);
  }

  /**
   * Group commit: checkpoints requested in the same turn of the event loop (many workflows crossing
   * a phase boundary) share one transaction, so one fsync covers them all. Each runs in its own
   * savepoint: a throw rolls back only that checkpoint and rejects only its caller; every caller
   * resumes only after the shared commit.
   */
  private checkpoint<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pendingCheckpoints.push({ run: fn, resolve: resolve as (value: unknown) => void, reject });
      if (this.pendingCheckpoints.length === 1) setImmediate(() => void this.flushCheckpoints());
    });
  }

  private async flushCheckpoints(): Promise<void> {
    const batch = this.pendingCheckpoints.splice(0);
    const settled: (() => void)[] = [];
    try {
      await this.tx(async (tx) => {
        for (const item of batch) {
          try {
            const value = await tx.savepoint(() => item.run(tx));
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

  // ---- OrchestrationClient -----------------------------------------------------------------------

  async startWorkflow(taskId: string, opts: StartOptions = {}, alsoWrite?: StartWrites): Promise<string> {
    let reserved = false;
    try {
      const { id, plan } = await this.checkpoint(async (tx) => {
        const state = await startTaskRun(tx, this.machine, taskId, opts);
        await alsoWrite?.(tx, state.id);
        // Hosting here with room to spare: the run is taken in the start's own commit, rather than
        // by the next tick (a commit and a poll saved on the way to its first phase).
        if (!this.hosting || this.runners.size + this.reserved >= this.maxConcurrent) {
          return { id: state.id, plan: null };
        }
        this.reserved++;
        reserved = true;
        return { id: state.id, plan: await this.take(tx, state.id) };
      });
      if (plan?.state.state === 'running') {
        // Shut down while the start committed: the run goes back for any host at once.
        if (this.hosting) this.hostRun(id, plan);
        else await this.release(id);
      }
      return id;
    } finally {
      if (reserved) this.reserved--;
      this.wakeUp();
    }
  }

  getStatus(id: string): Promise<WorkflowStatus> {
    return this.reads.getStatus(id);
  }

  async signal(id: string, name: SignalName, payload?: unknown): Promise<void> {
    await this.deliverSignal(id, name, payload);
  }

  /** Validates, stores and (for a run nobody hosts) applies a signal, all before it returns. */
  private async deliverSignal(id: string, name: SignalName, payload: unknown): Promise<void> {
    checkSignal(id, name, payload);
    await this.tx(async (tx) => {
      const row = await this.reads.row(tx, id);
      const hosted =
        row.state === 'running' && row.owner !== null && (row.lease_expires_at ?? 0) >= Date.now();
      const admission = admitSignal(runState(row), name, hosted);
      if (admission.kind === 'refuse') throw new ConflictError(admission.reason);
      if (admission.kind === 'ignore') return;
      await this.machine.signal(tx, row, name, payload, hosted);
    });
    // Hosted here: apply now rather than at the next poll.
    if (this.runners.has(id)) await this.pollSignals();
    this.wakeUp();
  }

  query<N extends QueryName>(id: string, name: N): Promise<QueryAnswers[N]> {
    return this.reads.query(id, name);
  }

  async cancel(id: string): Promise<void> {
    await this.signal(id, 'cancel');
  }

  list(filter: WorkflowListFilter = {}): Promise<WorkflowStatus[]> {
    return this.reads.list(filter);
  }

  async health(): Promise<BackendHealth> {
    const store = await this.store.health();
    if (!store.ok) return { ok: false, backend: 'native', detail: store.detail };
    return {
      ok: true,
      backend: 'native',
      detail: `${this.hosting ? `hosting ${this.runners.size} workflow(s) as ${this.ownerId}` : 'not hosting'}; ${store.detail}`,
    };
  }

  /** The newest committed result of each phase (passed or gate failed), e.g. for `task show`. */
  phaseResults(id: string): Promise<PhaseResults> {
    return this.reads.phaseResults(id);
  }

  async reverify(id: string, request: ReverifyRequest): Promise<void> {
    await this.signal(id, 'reverify', request);
  }

  /**
   * A VERIFY pass reached outside the run, handed to the task's live workflow as a re-run verdict:
   * the run completes and the task becomes completed (or pending_review). Refused when the task has
   * no live workflow or a host is running it.
   */
  async completeVerifiedTask(taskId: string, reason: string): Promise<Task> {
    const task = (await this.store.tasks.get(taskId)) ?? (await resolveTask(this.store, taskId));
    const live = await this.store.workflows.liveForTask(task.id);
    if (!live) {
      throw new ConflictError(`task ${task.blueprint_id} has no live workflow to complete; start one`);
    }
    await this.deliverSignal(live.id, 'reverify', {
      verdict: { passed: true, summary: reason, result: null },
    });
    const after = await this.store.tasks.get(task.id);
    if (!after) throw new NotFoundError(`no task '${task.id}'`);
    return after;
  }

  /** Resolves once the workflow is in one of `states` (polling, so runs hosted elsewhere count too). */
  async waitFor(
    id: string,
    states: readonly WorkflowState[],
    timeoutMs = Number.POSITIVE_INFINITY,
  ): Promise<WorkflowStatus> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await this.getStatus(id);
      if (states.includes(status.state)) return status;
      if (Date.now() > deadline) {
        throw new ConflictError(
          `workflow ${id} is still ${status.state} after ${Math.round(timeoutMs / 1000)} s`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(this.pollMs, 50)));
    }
  }

  /** Foreground use: hosts until the workflow finishes or needs a human. */
  async runToCompletion(id: string, timeoutMs?: number): Promise<WorkflowStatus> {
    this.run();
    return this.waitFor(id, SETTLED_STATES, timeoutMs);
  }
}
