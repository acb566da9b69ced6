// The Temporal orchestration backend (DESIGN §6): the OrchestrationClient and the WorkflowHost of a
// workspace whose runs are ITUVWorkflows on a Temporal server. Starting a run commits the machine's
// `start` to the workspace store (the record callers read, as on native) and starts the workflow;
// signals are stored and sent to the workflow (`steer`), and the sender waits until a worker has
// committed the machine's step for it; status, lists, queries and phase results are read from the store the workflow's
// activities keep. The host is a Temporal worker on the workspace's task queue running the workflow
// bundle and the activities (activities.ts) with this process's PhaseExecutor.
import { join } from 'node:path';
import { Client, WorkflowNotFoundError, type Connection } from '@temporalio/client';
import { Worker, type NativeConnection } from '@temporalio/worker';
import {
  HOSTED_STATES,
  isTerminal,
  WORKFLOW_STATES,
  type BackendHealth,
  type QueryAnswers,
  type QueryName,
  type ReverifyRequest,
  type SignalName,
  type StartOptions,
  type WorkflowListFilter,
  type WorkflowStatus,
} from '../../contracts/workflow.js';
import type { Store, WorkflowRecord } from '../../contracts/store/index.js';
import { ConflictError, UsageError } from '../../errors.js';
import type { EventLog } from '../../events/log.js';
import type {
  HostOutcome,
  OrchestrationBackend,
  PhaseResults,
  RunUntilOptions,
  StartWrites,
  WorkflowHost,
} from '../backend.js';
import { admitSignal, type MachineConfig } from '../machine/index.js';
import { StepInterpreter } from '../native/interpreter.js';
import { checkSignal, pollUntil, startTaskRun, WorkflowReads } from '../store-runs.js';
import { runState } from '../native/records.js';
import type { PhaseExecutor } from '../phase-executor.js';
import { createActivities, RunningPhases } from './activities.js';
import { steerSignal, TEMPORAL_OWNER, WORKFLOW_TYPE, type ItuvWorkflowInput } from './api.js';
import { installRuntime, workflowBundle } from './bundle.js';
import { connectClient, connectWorker, type TemporalSettings } from './connection.js';
import { listening, splitAddress } from './dev-server.js';

export interface TemporalEngineOptions {
  store: Store;
  events: EventLog;
  executor: PhaseExecutor;
  config: MachineConfig;
  settings: TemporalSettings;
  /** How long a dead worker's phase goes unnoticed; default 5 s. */
  heartbeatTimeoutMs?: number;
  /** History length at which a run's workflow continues as new (tests set it low). */
  continueAsNewAfter?: number;
  /** How long a shutdown lets running phases finish before stopping them; default 5 s. */
  shutdownGraceMs?: number;
  /** Where the workflow bundle is cached; default .penguin/cache of the workspace. */
  bundleCacheDir?: string;
  onError?: (error: unknown) => void;
}

/** A Temporal run's record keeps this lease, so that no native host ever claims it. */
const NEVER_EXPIRES = Number.MAX_SAFE_INTEGER;
/** How long a signal's sender waits for a worker to apply it: hosting here, and not. */
const HOSTED_SIGNAL_WAIT_MS = 30_000;
const SIGNAL_WAIT_MS = 3_000;
/** temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW (the proto package is not ours). */
const TASK_QUEUE_TYPE_WORKFLOW = 1;

export class TemporalEngine implements OrchestrationBackend, WorkflowHost {
  private readonly store: Store;
  private readonly interpreter: StepInterpreter;
  private readonly reads: WorkflowReads;
  private readonly settings: TemporalSettings;
  private readonly heartbeatTimeoutMs: number;
  private readonly shutdownGraceMs: number;
  private readonly onError: (error: unknown) => void;
  private readonly running = new RunningPhases();
  private clientPromise: Promise<{ connection: Connection; client: Client }> | null = null;
  private worker: { worker: Worker; connection: NativeConnection; done: Promise<void> } | null = null;
  private workerStarting: Promise<void> | null = null;
  private hostError: unknown = null;
  /** A host started with run() alone reports a failed start; runUntil throws it instead. */
  private reportStartError = true;

  constructor(private readonly options: TemporalEngineOptions) {
    this.store = options.store;
    this.settings = options.settings;
    this.heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? 5_000;
    this.shutdownGraceMs = options.shutdownGraceMs ?? 5_000;
    this.onError =
      options.onError ??
      ((error) =>
        process.stderr.write(
          `penguin temporal: ${error instanceof Error ? error.message : String(error)}\n`,
        ));
    if (options.events.store !== options.store) {
      throw new UsageError('the event log and the engine must share one store');
    }
    this.interpreter = new StepInterpreter(options.events, options.config);
    this.reads = new WorkflowReads(options.store);
  }

  private client(): Promise<Client> {
    this.clientPromise ??= connectClient(this.settings).then((connection) => ({
      connection,
      client: new Client({ connection, namespace: this.settings.namespace }),
    }));
    this.clientPromise.catch(() => (this.clientPromise = null));
    return this.clientPromise.then((c) => c.client);
  }

  // ---- WorkflowHost --------------------------------------------------------------------------------

  run(): void {
    if (this.worker || this.workerStarting) return;
    this.workerStarting = this.startWorker()
      .catch((error: unknown) => {
        this.hostError = error;
        if (this.reportStartError) this.onError(error);
      })
      .finally(() => (this.workerStarting = null));
  }

  private async startWorker(): Promise<void> {
    installRuntime();
    await this.client(); // the server (auto-started) and the namespace first
    const { settings } = this;
    const cacheDir =
      this.options.bundleCacheDir ?? (settings.penguinDir ? join(settings.penguinDir, 'cache') : undefined);
    const [bundle, connection] = await Promise.all([workflowBundle(cacheDir), connectWorker(settings)]);
    const worker = await Worker.create({
      connection,
      namespace: settings.namespace,
      taskQueue: settings.taskQueue,
      workflowBundle: bundle,
      activities: createActivities(
        {
          store: this.store,
          events: this.options.events,
          executor: this.options.executor,
          config: this.options.config,
          onError: this.onError,
        },
        this.running,
      ),
      // A killed worker's sticky queue would hold the next workflow task for 10 s.
      stickyQueueScheduleToStartTimeout: '1s',
      // Heartbeats carry cancels back: send them at least every second.
      maxHeartbeatThrottleInterval: '1s',
      defaultHeartbeatThrottleInterval: '1s',
      // Penguin stops running phases itself, after the grace time each shutdown is given; the SDK
      // must not cut them short first.
      shutdownGraceTime: '1 hour',
    });
    const done = worker.run().catch((error: unknown) => {
      this.hostError = error;
      this.onError(error);
    });
    this.worker = { worker, connection, done };
    await this.sweepEnded().catch((error: unknown) => this.onError(error));
  }

  /**
   * Runs the store shows live whose workflows Temporal has closed (terminated with Temporal's own
   * tools while no signal came): recorded as ended (endedInTemporal) when a worker starts. A run
   * Temporal does not know at all is left alone: that is a server without this workspace's history
   * (another address, a wiped dev server), not a run that ended.
   */
  private async sweepEnded(): Promise<void> {
    const live = WORKFLOW_STATES.filter((state) => !isTerminal(state));
    const runs = await this.store.workflows.list({ status: live });
    if (runs.length === 0) return;
    const client = await this.client();
    for (const run of runs) {
      if (run.owner !== TEMPORAL_OWNER) continue;
      const described = await client.workflow
        .getHandle(run.id)
        .describe()
        .catch(() => null);
      if (described && described.status.name !== 'RUNNING') await this.endedInTemporal(run.id);
    }
  }

  async runUntil(
    predicate: () => boolean | Promise<boolean>,
    options: RunUntilOptions = {},
  ): Promise<HostOutcome> {
    this.reportStartError = false;
    this.run();
    // A worker that cannot start (no server, no namespace) fails the caller, not just a log line.
    await this.workerStarting;
    return pollUntil(predicate, options, options.pollMs ?? 50, () => {
      if (this.hostError) throw this.hostError;
    });
  }

  /**
   * Stops the worker: it polls no more, running phases get up to `graceMs` to finish, then are
   * stopped (process trees killed) and reported as interrupted, so another worker reruns them.
   */
  async shutdown(graceMs = this.shutdownGraceMs): Promise<void> {
    await this.workerStarting;
    const hosted = this.worker;
    if (!hosted) return;
    this.worker = null;
    const stopping = setTimeout(() => this.running.stopAll(), graceMs);
    try {
      hosted.worker.shutdown();
    } catch {
      // Already stopping (its run() failed): wait for it below.
    }
    await hosted.done;
    clearTimeout(stopping);
    await hosted.connection.close();
  }

  async close(): Promise<void> {
    await this.shutdown();
    const client = await this.clientPromise?.catch(() => null);
    this.clientPromise = null;
    await client?.connection.close();
  }

  // ---- OrchestrationClient -----------------------------------------------------------------------

  async startWorkflow(taskId: string, opts: StartOptions = {}, alsoWrite?: StartWrites): Promise<string> {
    const client = await this.client();
    const state = await this.store.transaction(async (tx) => {
      const started = await startTaskRun(tx, this.interpreter, taskId, opts);
      // Temporal hosts it: no native host may claim it.
      await tx.workflows.claim(started.id, TEMPORAL_OWNER, Date.now(), NEVER_EXPIRES);
      await alsoWrite?.(tx, started.id);
      return started;
    });
    const input: ItuvWorkflowInput = {
      state,
      config: this.options.config,
      heartbeatTimeoutMs: this.heartbeatTimeoutMs,
      ...(this.options.continueAsNewAfter === undefined
        ? {}
        : { continueAsNewAfter: this.options.continueAsNewAfter }),
    };
    try {
      await client.workflow.start(WORKFLOW_TYPE, {
        taskQueue: this.settings.taskQueue,
        workflowId: state.id,
        args: [input],
      });
    } catch (error) {
      const reason = `Temporal did not start it: ${error instanceof Error ? error.message : String(error)}`;
      await this.store.transaction((tx) =>
        tx.workflows.save(
          { ...state, state: 'failed', last_failure: reason, finished_at: new Date().toISOString() },
          { kind: 'release' },
        ),
      );
      throw new ConflictError(`workflow ${state.id} for task ${state.blueprint_id} failed: ${reason}`);
    }
    return state.id;
  }

  getStatus(id: string): Promise<WorkflowStatus> {
    return this.reads.getStatus(id);
  }

  async signal(id: string, name: SignalName, payload?: unknown): Promise<void> {
    checkSignal(id, name, payload);
    const row = await this.reads.row(this.store, id);
    const admission = admitSignal(runState(row), name, row.state === 'running');
    if (admission.kind === 'refuse') throw new ConflictError(admission.reason);
    if (admission.kind === 'ignore') return;
    const client = await this.client();
    const signalId = await this.store.transaction(async (tx) => {
      await tx.workflows.insertSignal(id, name, payload ?? null);
      return (await tx.workflows.pendingSignals(id)).at(-1)!.id;
    });
    try {
      await client.workflow.getHandle(id).signal(steerSignal, { name, payload: payload ?? null, signalId });
    } catch (error) {
      await this.store.transaction((tx) => tx.workflows.consumeSignal(signalId));
      if (error instanceof WorkflowNotFoundError) {
        const after = await this.endedInTemporal(id);
        // What a cancel asks for is what the run now is.
        if (name === 'cancel' && after.state === 'cancelled') return;
        throw new ConflictError(`workflow ${id} is ${after.state}; it cannot take the ${name} signal`);
      }
      throw error;
    }
    await this.applied(id, signalId);
  }

  /**
   * For a run Temporal no longer has open: when the store still shows it live, it ended in Temporal
   * without finishing here (terminated from outside Penguin, say), and no worker will ever step it
   * again. It is cancelled through the machine, as a signal to a run nobody hosts is, so that its
   * task is free again and its events tell what happened. Returns the record as it now is.
   */
  private async endedInTemporal(id: string): Promise<WorkflowRecord> {
    return this.store.transaction(async (tx) => {
      const row = await this.reads.row(tx, id);
      if (isTerminal(row.state)) return row;
      await this.interpreter.signal(tx, row, 'cancel', null, false);
      return this.reads.row(tx, id);
    });
  }

  /**
   * Waits until a worker applied signal `signalId` (its commit consumed the record), so that what the
   * caller reads next reflects it; when no worker takes it soon (or none polls the task queue at
   * all), it stays queued in Temporal and is applied when one runs.
   */
  private async applied(id: string, signalId: number): Promise<void> {
    const hosting = this.worker !== null || this.workerStarting !== null;
    if (!hosting && !(await this.anyWorkerPolls())) return;
    const deadline = Date.now() + (hosting ? HOSTED_SIGNAL_WAIT_MS : SIGNAL_WAIT_MS);
    while (Date.now() < deadline) {
      const pending = await this.store.workflows.pendingSignals(id);
      if (!pending.some((s) => s.id === signalId)) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Whether the task queue has had a workflow poller lately (a dead worker's lingers for minutes). */
  private async anyWorkerPolls(): Promise<boolean> {
    try {
      const client = await this.client();
      const answer = await client.workflowService.describeTaskQueue({
        namespace: this.settings.namespace,
        taskQueue: { name: this.settings.taskQueue },
        taskQueueType: TASK_QUEUE_TYPE_WORKFLOW,
      });
      return (answer.pollers ?? []).length > 0;
    } catch {
      return true;
    }
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

  phaseResults(id: string): Promise<PhaseResults> {
    return this.reads.phaseResults(id);
  }

  async reverify(id: string, request: ReverifyRequest): Promise<void> {
    await this.signal(id, 'reverify', request);
  }

  async health(): Promise<BackendHealth> {
    const { address, namespace, taskQueue } = this.settings;
    const target = splitAddress(address);
    // A health check looks; it does not start a dev server.
    if (!this.clientPromise && target && !(await listening(target.host, target.port))) {
      return { ok: false, backend: 'temporal', detail: `no Temporal server answers at ${address}` };
    }
    try {
      const client = await this.client();
      await client.workflowService.describeNamespace({ namespace });
      const live = (await this.store.workflows.list({ status: [...HOSTED_STATES] })).length;
      return {
        ok: true,
        backend: 'temporal',
        detail: `server ${address}, namespace ${namespace}, task queue ${taskQueue}; ${this.worker ? 'hosting as a worker' : 'not hosting'}; ${live} live workflow(s)`,
      };
    } catch (error) {
      return {
        ok: false,
        backend: 'temporal',
        detail: error instanceof Error ? error.message : String(error),
      };
    }
  }
}
