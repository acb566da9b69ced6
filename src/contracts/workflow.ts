// Contracts of orchestration (DESIGN §6): the states and status of a workflow, its phase records, the
// signal and query names with their payloads and answers, what callers pass to start one, the health
// answer, and the documents the workflow use cases return (`task ituv next|verify`, `runmode status`,
// `worker`). Every backend and every caller (CLI, HTTP API, scheduler) shares these shapes. Documents
// a command prints are strict, so a field added without its contract fails the CLI schema check.
import { z } from 'zod';
import { ArtifactFileSchema, VerifyResultSchema } from './phase-result.js';
import { ItuvPhaseSchema, TaskPhaseSchema, TaskStatusSchema, type ItuvPhase } from './task.js';

export const WORKFLOW_STATES = [
  'pending',
  'running',
  'paused',
  'waiting_input',
  'completed',
  'failed',
  'cancelled',
] as const;
export const WorkflowStateSchema = z.enum(WORKFLOW_STATES);
export type WorkflowState = z.infer<typeof WorkflowStateSchema>;

export const TERMINAL_STATES: readonly WorkflowState[] = ['completed', 'failed', 'cancelled'];
/** A run in these states needs a host: it is queued or a phase of it is under way. */
export const HOSTED_STATES: readonly WorkflowState[] = ['pending', 'running'];

export function isTerminal(state: WorkflowState): boolean {
  return TERMINAL_STATES.includes(state);
}

/** Settled: nothing happens until someone acts (finished, paused, or waiting for a human). */
export function isSettled(state: WorkflowState): boolean {
  return !HOSTED_STATES.includes(state);
}

/** Where a run is: an ITUV phase, 'done' after VERIFY passed. */
export const WorkflowPhaseSchema = z.union([ItuvPhaseSchema, z.literal('done')]);
export type WorkflowPhase = z.infer<typeof WorkflowPhaseSchema>;

/** How a phase attempt ended; `abandoned` = its host died or lost the lease before it finished. */
export const STEP_OUTCOMES = [
  'passed',
  'gate_failed',
  'needs_input',
  'transient_error',
  'cancelled',
  'abandoned',
] as const;
export const StepOutcomeSchema = z.enum(STEP_OUTCOMES);
export type StepOutcome = z.infer<typeof StepOutcomeSchema>;

export const WorkflowPhaseRecordSchema = z.strictObject({
  phase: ItuvPhaseSchema,
  iteration: z.number().int(),
  /** 1, 2, ... for the attempts of a run; 0 for a VERIFY re-run by `task ituv verify`. */
  attempt: z.number().int(),
  /** null while the attempt is in flight. */
  outcome: StepOutcomeSchema.nullable(),
  summary: z.string().nullable(),
  started_at: z.string(),
  finished_at: z.string().nullable(),
});
export type WorkflowPhaseRecord = z.infer<typeof WorkflowPhaseRecordSchema>;

export const WorkflowStatusSchema = z.strictObject({
  id: z.string(),
  task_id: z.string(),
  blueprint_id: z.string(),
  project_id: z.string(),
  state: WorkflowStateSchema,
  /** The phase running or to run next; 'done' after VERIFY passed. */
  phase: WorkflowPhaseSchema.nullable(),
  iteration: z.number().int(),
  attempt: z.number().int(),
  /** 0-100. */
  progress: z.number(),
  /** Why the workflow waits for a human ('clarification_needed', 'agent_question', ...). */
  waiting_reason: z.string().nullable(),
  /** The question asked, when an agent asked one. */
  question: z.string().nullable(),
  last_failure: z.string().nullable(),
  started_at: z.string(),
  updated_at: z.string(),
  finished_at: z.string().nullable(),
  /** Id of the host running the workflow now, if any. */
  owner: z.string().nullable(),
  phases: z.array(WorkflowPhaseRecordSchema),
});
export type WorkflowStatus = z.infer<typeof WorkflowStatusSchema>;

// ---- starting, listing ----------------------------------------------------------------------------

export const StartOptionsSchema = z.object({
  /** Free-form origin shown in events (cli, api, scheduler). */
  origin: z.string().optional(),
  /** Feedback handed to the first IMPLEMENT. */
  feedback: z.array(z.string()).optional(),
  /** Pause as soon as the first phase has a result (`task ituv next`). */
  pauseAfterPhase: z.boolean().optional(),
});
export type StartOptions = z.infer<typeof StartOptionsSchema>;

export const WorkflowListFilterSchema = z.object({
  projectId: z.string().optional(),
  taskId: z.string().optional(),
  status: z.union([WorkflowStateSchema, z.array(WorkflowStateSchema)]).optional(),
});
export type WorkflowListFilter = z.infer<typeof WorkflowListFilterSchema>;

export const BackendHealthSchema = z.strictObject({
  ok: z.boolean(),
  backend: z.enum(['native', 'temporal']),
  detail: z.string(),
});
export type BackendHealth = z.infer<typeof BackendHealthSchema>;

// ---- signals ------------------------------------------------------------------------------------

export const SIGNAL_NAMES = ['pause', 'resume', 'cancel', 'inject_feedback', 'reverify'] as const;
export const SignalNameSchema = z.enum(SIGNAL_NAMES);
export type SignalName = z.infer<typeof SignalNameSchema>;

/** `resume` may ask the run to pause again after one phase (`task ituv next`). */
export const ResumePayloadSchema = z.object({ pause_after_phase: z.boolean().optional() }).nullable();

/** `inject_feedback` takes `{ text }` or the text itself. */
export const FeedbackPayloadSchema = z.union([
  z.string().trim().min(1),
  z.object({ text: z.string().trim().min(1) }).transform((p) => p.text),
]);

/** A VERIFY verdict reached over the run's newest phase results (`task ituv verify`). */
export const ReverifyVerdictSchema = z.object({
  passed: z.boolean(),
  summary: z.string(),
  /** The VerifyResult, stored as the phase result of the re-run. */
  result: z.unknown(),
});
export type ReverifyVerdict = z.infer<typeof ReverifyVerdictSchema>;

/** A human's decision that a criterion is met, recorded on the task with the re-run. */
export const OverrideRequestSchema = z.object({
  criterion: z.number().int().min(1),
  justification: z.string().trim().min(1),
});
export type OverrideRequest = z.infer<typeof OverrideRequestSchema>;

/** `reverify`: the verdict of VERIFY re-run with the override (if any) applied. */
export const ReverifyPayloadSchema = z.object({
  verdict: ReverifyVerdictSchema,
  override: OverrideRequestSchema.nullable().default(null),
});
export type ReverifyRequest = z.input<typeof ReverifyPayloadSchema>;
export type ReverifyPayload = z.output<typeof ReverifyPayloadSchema>;

// ---- queries ------------------------------------------------------------------------------------

export const QUERY_NAMES = ['status', 'phase', 'artifacts', 'progress'] as const;
export const QueryNameSchema = z.enum(QUERY_NAMES);
export type QueryName = z.infer<typeof QueryNameSchema>;

/** One artifact a committed phase attempt reported: the answer of the `artifacts` query, per item. */
export const WorkflowArtifactSchema = ArtifactFileSchema.extend({
  phase: ItuvPhaseSchema,
  iteration: z.number().int(),
  attempt: z.number().int(),
});
export type WorkflowArtifact = z.infer<typeof WorkflowArtifactSchema>;

/** What each query answers. */
export interface QueryAnswers {
  status: WorkflowStatus;
  phase: WorkflowStatus['phase'];
  progress: number;
  artifacts: WorkflowArtifact[];
}

// ---- documents of the workflow use cases ------------------------------------------------------------

/** `task ituv next`: the phase that ran (null when none did, e.g. a cancelled run) and the run after it. */
export const NextPhaseResultSchema = z.strictObject({
  phase: ItuvPhaseSchema.nullable(),
  outcome: StepOutcomeSchema.nullable(),
  summary: z.string().nullable(),
  workflow: WorkflowStatusSchema,
});
export type NextPhaseResult = z.infer<typeof NextPhaseResultSchema>;

/** `task ituv verify`: the task after the re-run and the verdict. */
export const VerifyAnswerSchema = z.strictObject({
  task: z.strictObject({
    id: z.string(),
    blueprint_id: z.string(),
    status: TaskStatusSchema,
    phase: TaskPhaseSchema,
  }),
  verify: VerifyResultSchema,
});
export type VerifyAnswer = z.infer<typeof VerifyAnswerSchema>;

/** `runmode status`: the newest live workflow and what is left of its phase's timebox. */
export const RunmodeLineSchema = z.strictObject({
  workflow: WorkflowStatusSchema.nullable(),
  /** Seconds left in the current phase's timebox, when a phase is running. */
  timebox_left_sec: z.number().nullable(),
});
export type RunmodeLine = z.infer<typeof RunmodeLineSchema>;

/** `workflow list`. */
export const WorkflowListSchema = z.strictObject({ workflows: z.array(WorkflowStatusSchema) });
export type WorkflowList = z.infer<typeof WorkflowListSchema>;

/** `worker`: it stopped, and the workflows it ran phases of. */
export const WorkerResultSchema = z.strictObject({
  stopped: z.literal(true),
  workflows_run: z.array(z.string()),
});
export type WorkerResult = z.infer<typeof WorkerResultSchema>;

/** `demo`: the scratch workspace and the final status of every run, in the order they ran. */
export const DemoResultSchema = z.strictObject({
  example: z.string(),
  workspace: z.string(),
  runs: z.array(WorkflowStatusSchema),
  /** The run-mode showcase: the commits merged into the base branch, with their Penguin trailers. */
  commits: z
    .array(z.strictObject({ sha: z.string(), subject: z.string(), trailers: z.array(z.string()) }))
    .optional(),
});
export type DemoResult = z.infer<typeof DemoResultSchema>;

// ---- feedback entries ---------------------------------------------------------------------------

// A gate failure travels to the next IMPLEMENT in the run's feedback list, next to human feedback;
// the orchestration machine writes it in this form and the prompt recognises it by the same form,
// so it can show earlier failures under their own heading.
const GATE_FAILURE = /^(IMPLEMENT|TEST|USE|VERIFY) failed \(iteration \d+\): /;

/** The feedback entry a gate failure of `phase` in `iteration` becomes. */
export function formatGateFailure(phase: ItuvPhase, iteration: number, summary: string): string {
  return `${phase.toUpperCase()} failed (iteration ${iteration}): ${summary}`;
}

/** Whether a feedback entry is a gate failure (else it came from a human). */
export function isGateFailure(entry: string): boolean {
  return GATE_FAILURE.test(entry);
}

/** The `--json` document of each workflow command (merged into the CLI contract, contracts/cli.ts). */
export const WORKFLOW_CLI_OUTPUTS: Record<string, z.ZodType> = {
  'task ituv start': WorkflowStatusSchema,
  'task ituv next': NextPhaseResultSchema,
  'task ituv verify': VerifyAnswerSchema,
  'workflow start': WorkflowStatusSchema,
  'workflow status': WorkflowStatusSchema,
  'workflow pause': WorkflowStatusSchema,
  'workflow resume': WorkflowStatusSchema,
  'workflow cancel': WorkflowStatusSchema,
  'workflow feedback': WorkflowStatusSchema,
  'workflow list': WorkflowListSchema,
  'runmode status': RunmodeLineSchema,
  worker: WorkerResultSchema,
  demo: DemoResultSchema,
};
