// The Temporal backend as the factory hands it out: the same client and host, with the engine (and
// the Temporal SDK, whose worker loads a native library) imported on first use, so that commands on
// the native backend, and Temporal commands that never reach the server, do not pay for loading it.
import type {
  BackendHealth,
  QueryAnswers,
  QueryName,
  ReverifyRequest,
  SignalName,
  StartOptions,
  WorkflowListFilter,
  WorkflowStatus,
} from '../../contracts/workflow.js';
import type {
  HostOutcome,
  OrchestrationBackend,
  PhaseResults,
  RunUntilOptions,
  StartWrites,
  WorkflowHost,
} from '../backend.js';
import type { TemporalEngine, TemporalEngineOptions } from './engine.js';

export class LazyTemporalEngine implements OrchestrationBackend, WorkflowHost {
  private loaded: Promise<TemporalEngine> | null = null;

  constructor(private readonly options: TemporalEngineOptions) {}

  private engine(): Promise<TemporalEngine> {
    this.loaded ??= import('./engine.js').then(({ TemporalEngine }) => new TemporalEngine(this.options));
    return this.loaded;
  }

  run(): void {
    // A failure to load shows again, thrown, in the runUntil or call that follows.
    this.engine().then(
      (e) => e.run(),
      () => undefined,
    );
  }

  async runUntil(
    predicate: () => boolean | Promise<boolean>,
    options?: RunUntilOptions,
  ): Promise<HostOutcome> {
    return (await this.engine()).runUntil(predicate, options);
  }

  async shutdown(graceMs?: number): Promise<void> {
    if (this.loaded) await (await this.loaded).shutdown(graceMs);
  }

  async close(): Promise<void> {
    if (this.loaded) await (await this.loaded).close();
  }

  async startWorkflow(taskId: string, opts?: StartOptions, alsoWrite?: StartWrites): Promise<string> {
    return (await this.engine()).startWorkflow(taskId, opts, alsoWrite);
  }

  async getStatus(id: string): Promise<WorkflowStatus> {
    return (await this.engine()).getStatus(id);
  }

  async signal(id: string, name: SignalName, payload?: unknown): Promise<void> {
    return (await this.engine()).signal(id, name, payload);
  }

  async query<N extends QueryName>(id: string, name: N): Promise<QueryAnswers[N]> {
    return (await this.engine()).query(id, name);
  }

  async cancel(id: string): Promise<void> {
    return (await this.engine()).cancel(id);
  }

  async list(filter?: WorkflowListFilter): Promise<WorkflowStatus[]> {
    return (await this.engine()).list(filter);
  }

  async phaseResults(id: string): Promise<PhaseResults> {
    return (await this.engine()).phaseResults(id);
  }

  async reverify(id: string, request: ReverifyRequest): Promise<void> {
    return (await this.engine()).reverify(id, request);
  }

  async health(): Promise<BackendHealth> {
    return (await this.engine()).health();
  }
}
