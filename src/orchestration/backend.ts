// The orchestration contract of DESIGN §6. The native engine (SQLite) and the Temporal backend both
// implement it and run the same contract test suite; callers (CLI, API, scheduler) see only this.
import type { ItuvPhase } from '../project/model.js';
import type { EventArtifact } from '../events/types.js';

export const SIGNAL_NAMES = ['pause', 'resume', 'cancel', 'inject_feedback'] as const;
export type SignalName = (typeof SIGNAL_NAMES)[number];

export const QUERY_NAMES = ['status', 'phase', 'artifacts', 'progress'] as const;
export type QueryName = (typeof QUERY_NAMES)[number];

export const WORKFLOW_STATES = [
  'pending',
  'running',
  'paused',
  'waiting_input',
  'completed',
  'failed',
  'cancelled',
] as const;
export type WorkflowState = (typeof WORKFLOW_STATES)[number];

export const TERMINAL_STATES: readonly WorkflowState[] = ['completed', 'failed', 'cancelled'];

export function isTerminal(state: WorkflowState): boolean {
  return TERMINAL_STATES.includes(state);
}

/** How a phase attempt ended; `abandoned` = its host died or lost the lease before it finished. */
export type StepOutcome =
  'passed' | 'gate_failed' | 'needs_input' | 'transient_error' | 'cancelled' | 'abandoned';

export interface WorkflowPhaseRecord {
  phase: ItuvPhase;
  iteration: number;
  attempt: number;
  /** null while the attempt is in flight. */
  outcome: StepOutcome | null;
  summary: string | null;
  started_at: string;
  finished_at: string | null;
}

export interface WorkflowStatus {
  id: string;
  task_id: string;
  blueprint_id: string;
  project_id: string;
  state: WorkflowState;
  /** The phase running or to run next; 'done' after VERIFY passed. */
  phase: ItuvPhase | 'done' | null;
  iteration: number;
  attempt: number;
  /** 0-100. */
  progress: number;
  /** Why the workflow waits for a human ('clarification_needed', 'agent_question', ...). */
  waiting_reason: string | null;
  /** The question asked, when an agent asked one. */
  question: string | null;
  last_failure: string | null;
  started_at: string;
  updated_at: string;
  finished_at: string | null;
  /** Id of the engine hosting the run now, if any. */
  owner: string | null;
  phases: WorkflowPhaseRecord[];
}

export interface StartOptions {
  /** Free-form origin shown in events (cli, api, scheduler). */
  origin?: string;
  /** Feedback handed to the first IMPLEMENT. */
  feedback?: string[];
  /** Pause as soon as the first phase has a result (`task ituv next`). */
  pauseAfterPhase?: boolean;
}

export interface WorkflowListFilter {
  projectId?: string;
  taskId?: string;
  status?: WorkflowState | WorkflowState[];
}

export interface BackendHealth {
  ok: boolean;
  backend: 'native' | 'temporal';
  detail: string;
}

export interface OrchestrationBackend {
  startWorkflow(taskId: string, opts?: StartOptions): Promise<string>;
  getStatus(id: string): Promise<WorkflowStatus>;
  /** `inject_feedback` takes `{ text: string }` (or the text itself) as payload. */
  signal(id: string, name: SignalName, payload?: unknown): Promise<void>;
  query(id: string, name: QueryName): Promise<unknown>;
  cancel(id: string): Promise<void>;
  list(filter?: WorkflowListFilter): Promise<WorkflowStatus[]>;
  health(): Promise<BackendHealth>;
  close(): Promise<void>;
}

/** Answer of query(id, 'artifacts'): every artifact a committed phase reported. */
export interface WorkflowArtifact extends EventArtifact {
  phase: ItuvPhase;
  iteration: number;
  attempt: number;
}
