// The orchestration contract of DESIGN §6, in two halves. Callers (CLI, HTTP API, scheduler) see an
// OrchestrationClient and nothing else; processes that run workflows (worker, serve, a foreground
// `task ituv start`) hold a WorkflowHost. The native engine (SQLite) and the Temporal backend both
// provide the two and run the same contract test suite. The shapes are contracts
// (src/contracts/workflow.ts); this module names them for orchestration's callers.
import type { StoreTx } from '../contracts/store/index.js';
import type { ItuvPhase } from '../contracts/task.js';
import type {
  BackendHealth,
  QueryAnswers,
  QueryName,
  ReverifyRequest,
  SignalName,
  StartOptions,
  WorkflowListFilter,
  WorkflowStatus,
} from '../contracts/workflow.js';

export {
  HOSTED_STATES,
  isSettled,
  isTerminal,
  QUERY_NAMES,
  SIGNAL_NAMES,
  TERMINAL_STATES,
  WORKFLOW_STATES,
  type BackendHealth,
  type QueryAnswers,
  type QueryName,
  type ReverifyRequest,
  type SignalName,
  type StartOptions,
  type StepOutcome,
  type WorkflowArtifact,
  type WorkflowListFilter,
  type WorkflowPhaseRecord,
  type WorkflowState,
  type WorkflowStatus,
} from '../contracts/workflow.js';

/**
 * Writes made in the start's own store transaction once the run exists: Run Mode's claim on the task
 * and the claim learning its workflow, so that claim and run commit together or not at all. A throw
 * refuses the start and nothing is written.
 */
export type StartWrites = (tx: StoreTx, workflowId: string) => Promise<void>;

/** The stored result of each phase, as the phase produced it (read it with readPhaseResult). */
export type PhaseResults = Partial<Record<ItuvPhase, unknown>>;

export interface OrchestrationClient {
  /** Queues a run for the task (active or waiting for input, no other live run); a host runs it. */
  startWorkflow(taskId: string, opts?: StartOptions, alsoWrite?: StartWrites): Promise<string>;
  getStatus(id: string): Promise<WorkflowStatus>;
  /**
   * Steers a run, also one hosted by another process: `pause` (at the next phase boundary),
   * `resume` (`{pause_after_phase?}`), `cancel` (kills the running phase), `inject_feedback`
   * (`{text}` or the text), `reverify` (see reverify()).
   */
  signal(id: string, name: SignalName, payload?: unknown): Promise<void>;
  query<N extends QueryName>(id: string, name: N): Promise<QueryAnswers[N]>;
  cancel(id: string): Promise<void>;
  list(filter?: WorkflowListFilter): Promise<WorkflowStatus[]>;
  /** The newest committed result (passed or gate failed) of each phase, across iterations. */
  phaseResults(id: string): PhaseResults | Promise<PhaseResults>;
  /**
   * Hands the run a VERIFY verdict reached over its newest phase results, with the override that was
   * applied (if any): a pass completes the run, a failure is recorded and changes nothing else.
   * Refused for a run a host is running or one that has finished.
   */
  reverify(id: string, request: ReverifyRequest): Promise<void>;
  health(): Promise<BackendHealth>;
}

export type HostOutcome = 'done' | 'aborted';

export interface RunUntilOptions {
  /** Stops waiting (not hosting) when aborted: the caller then shuts the host down. */
  signal?: AbortSignal;
  /** How often the predicate is asked; default 50 ms. */
  pollMs?: number;
}

export interface WorkflowHost {
  /** Begins hosting in the background: claims runnable and orphaned workflows until shutdown. */
  run(): void;
  /** Hosts until `predicate` holds ('done') or `signal` aborts ('aborted'). */
  runUntil(predicate: () => boolean | Promise<boolean>, options?: RunUntilOptions): Promise<HostOutcome>;
  /**
   * Stops hosting: every running phase is stopped (its process tree killed) and has up to `graceMs`
   * to return; the runs are given back at once, so any host can take them over.
   */
  shutdown(graceMs?: number): Promise<void>;
}

/** A client with the resources it holds, as a backend's contract tests drive it. */
export interface OrchestrationBackend extends OrchestrationClient {
  close(): Promise<void>;
}
