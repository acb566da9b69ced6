// The service behind `task ituv ...`, `workflow ...`, `runmode status` (and the HTTP API): one
// workspace's orchestration backend wired to the real ITUV executor, the event log and the artifact
// store. Commands stay thin: they parse, call a method here, render.
import { join } from 'node:path';
import { ConflictError, InterruptedError, UsageError } from '../errors.js';
import { EventLog } from '../events/log.js';
import type { PenguinEvent } from '../events/types.js';
import { ArtifactStore } from '../ituv/artifacts.js';
import { verify } from '../ituv/phases.js';
import type { VerifyResult } from '../ituv/results.js';
import { applyOverride } from '../ituv/verify.js';
import type { ItuvPhase, Task } from '../project/model.js';
import type { FrontierView } from '../contracts/views.js';
import { storedProjectFrontier } from '../project/frontier.js';
import { resolveProject } from '../project/resolve.js';
import type { Workspace } from '../project/workspace.js';
import { isTerminal, WORKFLOW_STATES, type WorkflowState, type WorkflowStatus } from './backend.js';
import { createBackend } from './factory.js';
import { ItuvPhaseExecutor } from './ituv-executor.js';
import type { NativeEngine } from './native/engine.js';

/** How long a CLI host's claim on a workflow lives without renewal (renewed every third of it). */
const CLI_LEASE_MS = 6_000;

export interface NextPhaseResult {
  /** The phase that ran, its outcome and summary (null when none ran, e.g. a cancelled run). */
  phase: ItuvPhase | null;
  outcome: string | null;
  summary: string | null;
  workflow: WorkflowStatus;
}

export interface RunmodeLine {
  workflow: WorkflowStatus | null;
  /** Seconds left in the current phase's timebox, when a phase is running. */
  timebox_left_sec: number | null;
}

export class WorkflowService {
  readonly events: EventLog;
  readonly artifacts: ArtifactStore;
  private engine: NativeEngine | null = null;
  private removeSignalHandlers: (() => void) | null = null;

  constructor(private readonly ws: Workspace) {
    this.events = new EventLog(ws.store.db);
    this.artifacts = new ArtifactStore(ws.store.db, ws.paths.artifactsDir);
  }

  /**
   * The orchestration backend, built on first use: commands that only read artifacts or events
   * (`task frontier`) must not depend on the backend being available.
   */
  get backend(): NativeEngine {
    if (!this.engine) {
      const { ws } = this;
      const executor = new ItuvPhaseExecutor(
        {
          workspaceRoot: ws.paths.root,
          config: ws.config,
          store: ws.store,
          runsDir: join(ws.paths.penguinDir, 'runs'),
        },
        this.artifacts,
      );
      // A CLI host may be closed or killed at any time: a short lease lets the next terminal take
      // over its workflows within seconds.
      this.engine = createBackend(ws.config, {
        store: ws.store,
        events: this.events,
        executor,
        native: { leaseMs: CLI_LEASE_MS },
      }) as NativeEngine;
    }
    return this.engine;
  }

  get workspaceRoot(): string {
    return this.ws.paths.root;
  }

  async close(): Promise<void> {
    await this.engine?.close();
    this.engine = null;
  }

  /** The project's frontier with recorded artifacts counted, so `artifact_ready` dependencies can be met. */
  frontier(projectKey?: string): FrontierView {
    return storedProjectFrontier(this.ws.store, this.ws.config.scheduler, projectKey, (taskId) =>
      this.artifacts.artifactKeys(taskId),
    );
  }

  resolveTask(ref: string, projectKey?: string): Task {
    return this.ws.store.resolveTask(ref, projectKey);
  }

  /** Queues a workflow for the task; a host (this process when hosting, `serve`, `worker`) runs it. */
  async start(
    ref: string,
    options: { projectKey?: string; feedback?: string[] } = {},
  ): Promise<WorkflowStatus> {
    const task = this.resolveTask(ref, options.projectKey);
    const id = await this.backend.startWorkflow(task.id, {
      origin: 'cli',
      ...(options.feedback ? { feedback: options.feedback } : {}),
    });
    return this.backend.getStatus(id);
  }

  /** Hosts workflows in this process until `id` settles (finishes, waits for a human, or pauses). */
  async runInForeground(id: string, onEvent?: (event: PenguinEvent) => void): Promise<WorkflowStatus> {
    const unsubscribe = onEvent
      ? this.events.subscribe((event) => {
          if (event.workflow_id === id) onEvent(event);
        })
      : undefined;
    // Ctrl-C or a TERM: give the workflows back at once (the running phase's process tree is
    // killed and it reruns on the next host) instead of leaving them to the lease timeout.
    const interrupted = new Promise<never>((_, reject) => {
      const onSignal = (signal: NodeJS.Signals): void =>
        reject(new InterruptedError(`stopped by ${signal}; resume with \`penguin workflow resume ${id}\``));
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      this.removeSignalHandlers = () => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      };
    });
    try {
      return await Promise.race([this.backend.runToCompletion(id), interrupted]);
    } finally {
      this.removeSignalHandlers?.();
      unsubscribe?.();
      await this.backend.stop();
    }
  }

  /**
   * Runs exactly the next phase of the task: starts a workflow (or resumes its paused or waiting
   * one) that pauses again as soon as that phase has a result, hosting it here until then.
   */
  async next(ref: string, projectKey?: string): Promise<NextPhaseResult> {
    const task = this.resolveTask(ref, projectKey);
    const live = (await this.backend.list({ taskId: task.id })).find((w) => !isTerminal(w.state));
    let id: string;
    let before = 0;
    if (!live) {
      id = await this.backend.startWorkflow(task.id, { origin: 'cli', pauseAfterPhase: true });
    } else if (live.state === 'paused' || live.state === 'waiting_input') {
      id = live.id;
      before = live.phases.length;
      await this.backend.signal(id, 'resume', { pause_after_phase: true });
    } else {
      throw new ConflictError(
        `workflow ${live.id} of ${task.blueprint_id} is ${live.state}; pause it first or follow it with \`penguin workflow status ${live.id}\``,
      );
    }
    const workflow = await this.runInForeground(id);
    const ran = workflow.phases.slice(before).at(-1) ?? null;
    return {
      phase: ran?.phase ?? null,
      outcome: ran?.outcome ?? null,
      summary: ran?.summary ?? null,
      workflow,
    };
  }

  /** The task's workflows, newest first. */
  private async runsOf(task: Task): Promise<WorkflowStatus[]> {
    const runs = await this.backend.list({ taskId: task.id });
    return runs.sort((a, b) => b.started_at.localeCompare(a.started_at));
  }

  /** The task's newest workflow, or null. */
  async latestFor(task: Task): Promise<WorkflowStatus | null> {
    return (await this.runsOf(task))[0] ?? null;
  }

  async status(id: string): Promise<WorkflowStatus> {
    return this.backend.getStatus(id);
  }

  async signal(id: string, name: 'pause' | 'resume' | 'cancel'): Promise<WorkflowStatus> {
    await this.backend.signal(id, name);
    return this.backend.getStatus(id);
  }

  async feedback(id: string, text: string): Promise<WorkflowStatus> {
    await this.backend.signal(id, 'inject_feedback', { text });
    return this.backend.getStatus(id);
  }

  async list(filter: { projectKey?: string; status?: string }): Promise<WorkflowStatus[]> {
    const projectId = filter.projectKey ? resolveProject(this.ws.store, filter.projectKey).id : undefined;
    let states: WorkflowState[] | undefined;
    if (filter.status) {
      states = filter.status.split(',').map((s) => s.trim()) as WorkflowState[];
      const bad = states.find((s) => !WORKFLOW_STATES.includes(s));
      if (bad)
        throw new UsageError(`unknown workflow status '${bad}'; use one of ${WORKFLOW_STATES.join(', ')}`);
    }
    return this.backend.list({ ...(projectId ? { projectId } : {}), ...(states ? { status: states } : {}) });
  }

  /** The run mode line: the newest live workflow, its phase and what is left of its timebox. */
  async runmode(): Promise<RunmodeLine> {
    const live = (await this.backend.list({})).filter((w) => !isTerminal(w.state));
    const current = live.sort((a, b) => b.updated_at.localeCompare(a.updated_at))[0] ?? null;
    if (!current || current.state !== 'running' || current.phase === null || current.phase === 'done') {
      return { workflow: current, timebox_left_sec: null };
    }
    // The in-flight attempt is the phase record without an outcome yet.
    const inFlight = current.phases.find((p) => p.outcome === null);
    const startedAt = Date.parse(inFlight?.started_at ?? current.updated_at);
    const timebox = this.ws.config.runmode.ituv.phase_timebox_sec[current.phase as ItuvPhase];
    const left = Math.max(0, Math.round(timebox - (Date.now() - startedAt) / 1000));
    return { workflow: current, timebox_left_sec: left };
  }

  /** The newest VERIFY verdict recorded for the task, for `task show`. */
  async latestVerdict(task: Task): Promise<VerifyResult | null> {
    for (const run of await this.runsOf(task)) {
      const results = this.backend.phaseResults(run.id);
      const verdict = results.verify;
      if (verdict && typeof verdict === 'object' && 'criteria' in verdict) return verdict as VerifyResult;
    }
    return null;
  }

  /**
   * Re-runs VERIFY alone over the newest phase results of the task's latest workflow, after
   * recording an override when one is given. A pass completes the task (or sends it to review).
   */
  async verifyAgain(
    ref: string,
    options: { projectKey?: string; override?: { criterion: number; why: string } } = {},
  ): Promise<{ task: Task; verdict: VerifyResult }> {
    let task = this.resolveTask(ref, options.projectKey);
    if (options.override) {
      const overrides = applyOverride(task, options.override.criterion, options.override.why);
      task = this.ws.store.updateTaskContent(task.id, { overrides });
    }
    const latest = await this.latestFor(task);
    const previousResults = latest ? this.backend.phaseResults(latest.id) : {};
    const run = await verify(
      { workspaceRoot: this.ws.paths.root, config: this.ws.config },
      {
        task,
        previousResults,
        timeoutMs: this.ws.config.runmode.ituv.phase_timebox_sec.verify * 1000,
        signal: new AbortController().signal,
      },
    );
    const verdict = run.result as VerifyResult;
    if (latest)
      this.backend.recordVerdict(latest.id, {
        passed: verdict.passed,
        summary: run.summary,
        result: verdict,
      });
    if (verdict.passed && task.status !== 'completed' && task.status !== 'pending_review') {
      task = this.backend.completeVerifiedTask(task.id, 'VERIFY passed when re-run by `task ituv verify`');
    }
    return { task, verdict };
  }
}
