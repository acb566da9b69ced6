// The state of one ITUV run (DESIGN §6) as plain JSON: what the pure machine (orchestration/machine)
// steps, what a native host keeps in its workflow row (through the Store's workflow repository,
// contracts/store/workflows.ts) and what a Temporal workflow will keep in memory. It lives here, a
// leaf, because both the machine and the storage implementations read it.
import { z } from 'zod';
import { WorkflowPhaseSchema, WorkflowStateSchema } from './workflow.js';

/**
 * Where the current attempt (`phase`, `iteration`, `attempt`) stands: not started yet (`fresh`),
 * started and without a result (`open`: its phase is running, or its host died), or started and
 * closed without a result (`spent`: abandoned at a pause or a cancel; the next start retries it).
 */
export const ATTEMPT_STATES = ['fresh', 'open', 'spent'] as const;
export type AttemptState = (typeof ATTEMPT_STATES)[number];

export const RunStateSchema = z.object({
  id: z.string(),
  task_id: z.string(),
  project_id: z.string(),
  blueprint_id: z.string(),
  origin: z.string().nullable(),
  state: WorkflowStateSchema,
  phase: WorkflowPhaseSchema.nullable(),
  iteration: z.number().int(),
  /** Iterations up to this one were spent before the last human input (the max_iterations budget). */
  iteration_base: z.number().int(),
  attempt: z.number().int(),
  attempt_state: z.enum(ATTEMPT_STATES),
  progress: z.number(),
  waiting_reason: z.string().nullable(),
  question: z.string().nullable(),
  last_failure: z.string().nullable(),
  /** Injected feedback and earlier gate failures, oldest first. */
  feedback: z.array(z.string()),
  /** A human resumed or answered the run since its phase last asked for input. */
  resumed: z.boolean(),
  pause_requested: z.boolean(),
  /** Pause as soon as the next phase has a result (`task ituv next`). */
  pause_after_phase: z.boolean(),
  cancel_requested: z.boolean(),
  /** Epoch ms before which the next attempt must not start (retry backoff). */
  not_before: z.number().nullable(),
  /** VERIFY re-runs recorded so far (`task ituv verify`). */
  reverifications: z.number().int(),
  finished_at: z.string().nullable(),
});
export type RunState = z.infer<typeof RunStateSchema>;
