// The workflow part of the Store (DESIGN §6, native backend): a workflow record is the machine's
// state of one run (contracts/run-state.ts) plus its host's lease; each phase attempt is a step
// record, its idempotency key unique so no attempt is recorded twice; signals are records too, so a
// process can steer a run hosted by another one. The rules that read and write these are the
// native host's (orchestration/native); the storage only keeps them.
import type { ArtifactFile } from '../phase-result.js';
import type { RunState } from '../run-state.js';
import type { ItuvPhase } from '../task.js';
import type { SignalName, StepOutcome, WorkflowListFilter } from '../workflow.js';

/** A run's state with who hosts it. */
export interface WorkflowRecord extends RunState {
  /** The host holding the run, if any. */
  owner: string | null;
  /** Epoch ms the owner's lease ends at; 0 for a run given back. */
  lease_expires_at: number | null;
  started_at: string;
  updated_at: string;
}

export interface StepRecord {
  id: number;
  workflow_id: string;
  phase: ItuvPhase;
  iteration: number;
  attempt: number;
  idempotency_key: string;
  /** null while the attempt is in flight. */
  outcome: StepOutcome | null;
  summary: string | null;
  /** The phase's result as it was recorded; null when it has none. */
  result: unknown;
  artifacts: ArtifactFile[];
  owner: string | null;
  started_at: string;
  finished_at: string | null;
}

/** An attempt that started (a `run_phase` effect). */
export interface OpenedStep {
  workflow_id: string;
  phase: ItuvPhase;
  iteration: number;
  attempt: number;
  key: string;
  owner: string;
}

/** How an attempt ended (a `record_step` effect): closes its open record, or adds a closed one. */
export interface ClosedStep extends Omit<OpenedStep, 'owner'> {
  owner: string | null;
  outcome: StepOutcome;
  summary: string | null;
  /** undefined when the phase gave none. */
  result?: unknown;
  artifacts: ArtifactFile[];
  /** The attempt was recorded as started (its record exists and is closed now). */
  opened: boolean;
}

export interface SignalRecord {
  id: number;
  workflow_id: string;
  name: SignalName;
  /** As it was sent; undefined when none was, or when the stored payload no longer parses. */
  payload: unknown;
  created_at: string;
  consumed_at: string | null;
}

/** What a save means for the run's lease: keep it, extend it to `until` (epoch ms), or let the run go. */
export type Lease = { kind: 'keep' } | { kind: 'renew'; until: number } | { kind: 'release' };

export interface WorkflowReader {
  get(id: string): Promise<WorkflowRecord | null>;
  /** The task's run that has not finished, if any (there is at most one). */
  liveForTask(taskId: string): Promise<WorkflowRecord | null>;
  /** Oldest first. */
  list(filter?: WorkflowListFilter): Promise<WorkflowRecord[]>;
  /** The run's attempts in the order they were recorded. */
  steps(workflowId: string): Promise<StepRecord[]>;
  /** The passed attempts of one iteration, in order. */
  passedSteps(workflowId: string, iteration: number): Promise<Pick<StepRecord, 'phase' | 'result'>[]>;
  /** Ids of runs any host may take at `now`: pending, or running with no live owner; oldest first. */
  claimable(now: number, limit: number): Promise<string[]>;
  /** Ids of the running runs `owner` holds. */
  ownedIds(owner: string): Promise<string[]>;
  /** Signals not consumed yet, in the order they were sent. */
  pendingSignals(workflowId: string): Promise<SignalRecord[]>;
  /** Pending signals of every running run `owner` holds, in the order they were sent. */
  pendingSignalsOwnedBy(owner: string): Promise<SignalRecord[]>;
}

export interface WorkflowRepository extends WorkflowReader {
  /** A new run's record, from the state the machine started it with; no owner. */
  insert(state: RunState): Promise<void>;
  /** Stores the machine's new state of the run and what it means for the lease. */
  save(state: RunState, lease: Lease): Promise<void>;
  /** Takes the run for `owner` until `leaseUntil` if it is still claimable at `now`; null if not. */
  claim(id: string, owner: string, now: number, leaseUntil: number): Promise<WorkflowRecord | null>;
  /** Gives a running run `owner` holds back: any host may claim it at once. */
  release(id: string, owner: string): Promise<void>;
  /** Extends the lease of every running run `owner` holds. */
  renewLeases(owner: string, leaseUntil: number): Promise<void>;
  openStep(step: OpenedStep): Promise<void>;
  recordStep(step: ClosedStep): Promise<void>;
  insertSignal(workflowId: string, name: SignalName, payload: unknown): Promise<void>;
  /** Marks a signal consumed; false if another host already did. */
  consumeSignal(id: number): Promise<boolean>;
}
