// What the Temporal client, the ITUVWorkflow and its activities say to each other: the workflow's
// type name, its input, its signals and queries, and the activities' inputs and answers. Imported by the workflow bundle, so nothing here (or below it)
// imports Node; the definitions are plain objects the SDK's client and workflow sides both accept.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ItuvPhase } from '../../contracts/task.js';
import type {
  SignalName,
  WorkflowArtifact,
  WorkflowPhase,
  WorkflowPhaseRecord,
  WorkflowStatus,
} from '../../contracts/workflow.js';
import type { Effect, MachineConfig, PhaseOutcomeInput, RunState, Step } from '../machine/index.js';

export const WORKFLOW_TYPE = 'ITUVWorkflow';

/** Owner recorded on the store's record of a run Temporal hosts (native hosts never claim it). */
export const TEMPORAL_OWNER = 'temporal';

/** The run as the client queued it (the machine's `start` already committed to the store). */
export interface ItuvWorkflowInput {
  state: RunState;
  config: MachineConfig;
  /** Heartbeat timeout of phase activities; a dead worker's phase is rerun this long after. */
  heartbeatTimeoutMs: number;
  /**
   * Past this many events in its history the workflow continues as new, carrying the run over
   * (default DEFAULT_CONTINUE_AS_NEW_AFTER; Temporal refuses a history past 51,200 events).
   */
  continueAsNewAfter?: number;
  /** What a run continued as new takes over from the one before it (absent on a first run). */
  carried?: CarriedRun;
}

export const DEFAULT_CONTINUE_AS_NEW_AFTER = 10_000;

/** A run's place when its workflow continues as new: its state stays in `state`. */
export interface CarriedRun {
  /** A phase the machine opened that has not started yet. */
  pendingRun: RunPhaseEffect | null;
  /** A backoff timer under way, as epoch ms. */
  timer: number | null;
  /** The phase attempts and artifacts the queries answer with, and when the first run started. */
  phases: WorkflowPhaseRecord[];
  artifacts: WorkflowArtifact[];
  updatedAt: string;
  startedAt: string;
}

// Signals (DESIGN §6), for Temporal's own tools (`temporal workflow signal`). Penguin's client sends
// `steer` instead: the signal is also a row in the workspace store (its id rides along), which the
// commit that applies it marks consumed, so the sender can wait until it took effect.
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal<[{ pause_after_phase?: boolean } | null]>('resume');
export const cancelSignal = defineSignal('cancel');
export const injectFeedbackSignal = defineSignal<[{ text: string } | string]>('inject_feedback');
export const reverifySignal = defineSignal<[unknown]>('reverify');

export interface SteerRequest {
  name: SignalName;
  payload: unknown;
  /** The store's signal record this delivers. */
  signalId: number;
}
export const steerSignal = defineSignal<[SteerRequest]>('steer');

export const statusQuery = defineQuery<WorkflowStatus>('get_status');
export const phaseQuery = defineQuery<WorkflowPhase | null>('get_phase');
export const artifactsQuery = defineQuery<WorkflowArtifact[]>('get_artifacts');
export const progressQuery = defineQuery<number>('get_progress');

/** The `commit` activity: carry out machine steps taken from `from` in one store transaction. */
export interface CommitInput {
  workflowId: string;
  from: RunState;
  steps: Step[];
  /** Store signal records these steps applied (or dropped): marked consumed in the same commit. */
  signals: number[];
}

/** null: committed (or already committed by an earlier try); else the step whose task move was refused. */
export type CommitAnswer = null | { index: number; reason: string; taskStatus: string | null };

export type RunPhaseEffect = Extract<Effect, { type: 'run_phase' }>;

export interface RunPhaseInput {
  workflowId: string;
  taskId: string;
  effect: RunPhaseEffect;
}

/** What a phase activity returns; gate failures and transient errors are thrown as failures. */
export type RunPhaseAnswer = Extract<PhaseOutcomeInput, { kind: 'passed' | 'needs_input' }>;

/** ApplicationFailure types a phase activity throws; the outcome rides in the failure's details. */
export const GATE_FAILED = 'PhaseGateFailed';
export const TRANSIENT = 'PhaseTransientError';
/** The worker stopped (shutdown) before the phase finished: another worker reruns it. */
export const WORKER_STOPPED = 'PhaseWorkerStopped';

export interface ItuvActivities {
  commit(input: CommitInput): Promise<CommitAnswer>;
  runPhase(input: RunPhaseInput): Promise<RunPhaseAnswer>;
}

export type { ItuvPhase };
