// One workspace's orchestration, wired: the client (built by the factory from the config, with the
// real ITUV executor), the host a process runs workflows with, the event log and the artifact store.
// The workflow use cases (src/app/workflows.ts) and `task show` take one of these; nothing here is a
// use case, installs a process signal handler, or knows which backend it is.
import { join } from 'node:path';
import { readPhaseResult, type VerifyResult } from '../contracts/phase-result.js';
import type { EventLog } from '../events/log.js';
import { ArtifactStore } from '../ituv/artifacts.js';
import type { ItuvServices } from '../ituv/phases.js';
import type { Task } from '../project/model.js';
import type { Workspace } from '../project/workspace.js';
import type { OrchestrationClient, WorkflowHost, WorkflowStatus } from './backend.js';
import { createOrchestration, type Orchestration } from './factory.js';
import { ItuvPhaseExecutor } from './ituv-executor.js';
import type { PhaseExecutor } from './phase-executor.js';

/** Builds the real ITUV executor with some of its services replaced (another root, env, port). */
export type ItuvExecutorFactory = (
  overrides?: Partial<Pick<ItuvServices, 'workspaceRoot' | 'config' | 'env' | 'port'>>,
) => PhaseExecutor;

export interface WorkflowServiceOptions {
  /**
   * The executor this service's host runs phases with, built from the real one's factory; `run
   * continuous` wraps it to run each workflow in its own worktree. Default: the real one as it is.
   */
  executor?: (ituv: ItuvExecutorFactory) => PhaseExecutor;
}

/** How long a CLI host's claim on a workflow lives without renewal (renewed every third of it). */
const CLI_LEASE_MS = 6_000;

export class WorkflowService {
  readonly events: EventLog;
  readonly artifacts: ArtifactStore;
  private orchestration: Orchestration | null = null;

  constructor(
    readonly ws: Workspace,
    private readonly options: WorkflowServiceOptions = {},
  ) {
    this.events = ws.events;
    this.artifacts = new ArtifactStore(ws.store, ws.paths.artifactsDir);
  }

  /**
   * Built on first use: commands that only read artifacts or events must not depend on the backend
   * being available.
   */
  private get built(): Orchestration {
    if (!this.orchestration) {
      const { ws } = this;
      const ituv: ItuvExecutorFactory = (overrides = {}) =>
        new ItuvPhaseExecutor(
          {
            workspaceRoot: ws.paths.root,
            config: ws.config,
            store: ws.store,
            runsDir: join(ws.paths.penguinDir, 'runs'),
            ...overrides,
          },
          this.artifacts,
        );
      const executor = this.options.executor ? this.options.executor(ituv) : ituv();
      // A CLI host may be closed or killed at any time: a short lease lets the next terminal take
      // over its workflows within seconds.
      this.orchestration = createOrchestration(ws.config, {
        store: ws.store,
        events: this.events,
        executor,
        native: { leaseMs: CLI_LEASE_MS },
        temporal: { penguinDir: ws.paths.penguinDir },
      });
    }
    return this.orchestration;
  }

  /** What every caller uses to start, steer and read workflows. */
  get client(): OrchestrationClient {
    return this.built.client;
  }

  /** What a process that runs workflows (worker, a foreground `task ituv start`) holds. */
  get host(): WorkflowHost {
    return this.built.host;
  }

  get workspaceRoot(): string {
    return this.ws.paths.root;
  }

  async close(): Promise<void> {
    await this.orchestration?.close();
    this.orchestration = null;
  }

  /** The task's workflows, newest first. */
  async runsOf(task: Pick<Task, 'id'>): Promise<WorkflowStatus[]> {
    const runs = await this.client.list({ taskId: task.id });
    return runs.sort((a, b) => b.started_at.localeCompare(a.started_at));
  }

  /** The newest VERIFY verdict recorded for the task, for `task show`. */
  async latestVerdict(task: Pick<Task, 'id'>): Promise<VerifyResult | null> {
    for (const run of await this.runsOf(task)) {
      const verdict = readPhaseResult('verify', (await this.client.phaseResults(run.id)).verify);
      if (verdict) return verdict;
    }
    return null;
  }
}
