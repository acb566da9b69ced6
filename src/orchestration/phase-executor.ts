// The seam between orchestration and the ITUV phases: the machine decides what runs, a host runs it
// and records the outcome, a PhaseExecutor does one phase. The real one (agents, test runner, recipe
// runner, VERIFY gate) is plugged in by the caller; tests plug in scripted ones.
import type { EventType } from '../events/types.js';
import type { ItuvPhase, Task } from '../project/model.js';
import type { PhaseArtifact } from './machine/index.js';

export { idempotencyKey } from './machine/index.js';

export interface PhaseContext {
  workflowId: string;
  task: Task;
  phase: ItuvPhase;
  iteration: number;
  attempt: number;
  /** `workflow:phase:iteration:attempt`: the same key is never executed twice by the engine. */
  idempotencyKey: string;
  /** Injected feedback and previous gate failures, oldest first (used by IMPLEMENT). */
  feedback: string[];
  /** Stored results of this iteration's passed phases (VERIFY judges them; read with readPhaseResult). */
  previousResults: Partial<Record<ItuvPhase, unknown>>;
  /** True when a human resumed or answered this workflow since the phase last asked for input. */
  resumed: boolean;
  /** Aborted on cancel or at the timebox: the executor must kill its process tree and return. */
  signal: AbortSignal;
  /** The phase timebox; the engine enforces it too. */
  timeoutMs: number;
  /** Publishes an event for this workflow (agent.output, ...), committed at once. */
  emit(type: EventType, data: Record<string, unknown>): void;
}

export type { PhaseArtifact };

/** `result` is stored as it is given (the ITUV executor gives a PhaseResult envelope). */
export type PhaseOutcome =
  | { kind: 'passed'; summary: string; result: unknown; artifacts?: PhaseArtifact[] }
  | { kind: 'gate_failed'; summary: string; result: unknown; artifacts?: PhaseArtifact[] }
  | { kind: 'needs_input'; question: string; result?: unknown }
  | { kind: 'transient_error'; summary: string };

export interface PhaseExecutor {
  /** A thrown error counts as a transient failure. */
  execute(ctx: PhaseContext): Promise<PhaseOutcome>;
}
