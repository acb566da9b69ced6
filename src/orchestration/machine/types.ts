// The machine's vocabulary: the state of one run (plain JSON, so a host can store it in a row or keep
// it in a Temporal workflow's memory), the inputs a host feeds it and the effects it asks the host to
// carry out. Hosts turn the world into inputs and effects into I/O; the rules are in step.ts.
import { z } from 'zod';
import type { EventData, EventType } from '../../contracts/event.js';
import { ArtifactFileSchema } from '../../contracts/phase-result.js';
import type { ItuvPhase, TaskPhase, TaskStatus } from '../../contracts/task.js';
import type { RunState } from '../../contracts/run-state.js';
import type {
  OverrideRequest,
  ReverifyVerdict,
  StepOutcome,
  WorkflowPhase,
} from '../../contracts/workflow.js';

// The run's state is a contract of its own (the storage implementations keep it too).
export {
  ATTEMPT_STATES,
  RunStateSchema,
  type AttemptState,
  type RunState,
} from '../../contracts/run-state.js';

/** Which task and project a run is about. */
export type RunSubject = Pick<RunState, 'id' | 'task_id' | 'project_id' | 'blueprint_id'>;

// ---- inputs -------------------------------------------------------------------------------------

export type PhaseArtifact = z.infer<typeof ArtifactFileSchema>;

/** How an attempt ended, as its host saw it. */
export type PhaseOutcomeInput =
  | { kind: 'passed'; summary: string; result?: unknown; artifacts?: PhaseArtifact[] }
  | { kind: 'gate_failed'; summary: string; result?: unknown; artifacts?: PhaseArtifact[] }
  | { kind: 'needs_input'; question: string; result?: unknown }
  | { kind: 'transient_error'; summary: string }
  /** The host stopped the phase at its timebox. */
  | { kind: 'timed_out' }
  /** The host stopped the phase after a cancel (abort_phase). */
  | { kind: 'cancelled' }
  /** The attempt ended without a result (its worker died). */
  | { kind: 'abandoned' };

export type SignalInput =
  | { name: 'pause' }
  | { name: 'resume'; pause_after_phase: boolean }
  | { name: 'cancel' }
  | { name: 'inject_feedback'; text: string }
  | { name: 'reverify'; verdict: ReverifyVerdict; override: OverrideRequest | null };

/** Every input carries the current time (epoch ms): the machine never reads a clock. */
export type MachineInput =
  | {
      type: 'start';
      now: number;
      subject: RunSubject;
      origin: string | null;
      feedback: string[];
      pause_after_phase: boolean;
    }
  /** A host took the run (queued, or orphaned by a host that died). */
  | { type: 'claimed'; now: number }
  /** At a phase boundary: asked for by an `advance` effect. */
  | { type: 'advance'; now: number }
  /** `random` in [0, 1) spreads a retry delay (retry.jitter). */
  | { type: 'phase_result'; now: number; key: string; outcome: PhaseOutcomeInput; random?: number }
  | { type: 'timer_fired'; now: number }
  /** `hosted`: applied by the host running the run now, rather than by whoever sent it. */
  | { type: 'signal'; now: number; hosted: boolean; signal: SignalInput }
  /** The task refused the move a `move_task` effect marked `required` asked for. */
  | { type: 'task_refused'; now: number; reason: string; task_status: TaskStatus | null };

// ---- effects ------------------------------------------------------------------------------------

/** Where in the run an event or a task move happened: what events report. */
export interface RunPosition {
  phase: WorkflowPhase | null;
  iteration: number;
  progress: number;
}

type WorkflowEventType = Extract<EventType, `workflow.${string}`>;

/** The workflow events a run emits (DESIGN §7), with the data their contract gives them. */
export type RunEvent = {
  [T in WorkflowEventType]: RunPosition & { type: T; data: EventData<T>; artifacts?: PhaseArtifact[] };
}[WorkflowEventType];

export type Effect =
  /** Open the attempt (record it as started) and run the phase; feed its phase_result back. */
  | {
      type: 'run_phase';
      phase: ItuvPhase;
      iteration: number;
      attempt: number;
      key: string;
      feedback: string[];
      resumed: boolean;
      timeout_ms: number;
      /** The phase sees the passed results of this iteration's earlier phases. */
      results_of_iteration: number;
    }
  /** Stop the running attempt `key` (kill its process tree); its result comes back as `cancelled`. */
  | { type: 'abort_phase'; key: string; reason: 'cancel' }
  /** Record how attempt `key` ended: close the open record, or add a closed one (`opened: false`). */
  | {
      type: 'record_step';
      key: string;
      phase: ItuvPhase;
      iteration: number;
      attempt: number;
      outcome: StepOutcome;
      summary: string | null;
      result?: unknown;
      artifacts: PhaseArtifact[];
      opened: boolean;
    }
  /** Feed `timer_fired` at `until` (epoch ms). */
  | { type: 'start_timer'; until: number }
  /**
   * Move the task unless it is already there, reporting the move as task events at `at`. A required
   * move is the first effect of its step: when the task refuses it, the host drops the step and
   * feeds `task_refused` instead. Other moves are skipped when refused.
   */
  | {
      type: 'move_task';
      status: TaskStatus;
      phase?: TaskPhase;
      reason: string;
      required: boolean;
      at: RunPosition;
    }
  | { type: 'emit'; event: RunEvent }
  /** The run waits until a human resumes or answers it. */
  | { type: 'wait_for_human'; reason: string; question: string | null }
  /** Record a criterion override on the task (`task ituv verify --override`). */
  | { type: 'record_override'; criterion: number; justification: string; at: string }
  /** Step again with `advance` in the same commit (a phase boundary was reached). */
  | { type: 'advance' }
  /** The run is over; a host lets go of it. */
  | { type: 'finish'; outcome: 'completed' | 'failed' | 'cancelled'; reason: string };

export interface Step {
  state: RunState;
  effects: Effect[];
}
