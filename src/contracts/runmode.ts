// Contracts of continuous run mode (`penguin run continuous`, DESIGN §8, issue 12): the preview
// `--dry-run` prints and the summary document `--json` prints at the end.
import { z } from 'zod';
import { WorkflowStateSchema } from './workflow.js';

export const ISOLATION_MODES = ['worktree', 'shared'] as const;
export const IsolationSchema = z.enum(ISOLATION_MODES);
export type Isolation = z.infer<typeof IsolationSchema>;

/** Why the loop ended. */
export const STOP_REASONS = ['idle', 'time_limit', 'interrupted', 'failure'] as const;
export const StopReasonSchema = z.enum(STOP_REASONS);
export type StopReason = z.infer<typeof StopReasonSchema>;

/** A task the loop ran (or adopted after a restart), as it ended. */
export const RunTaskOutcomeSchema = z.strictObject({
  task_id: z.string(),
  blueprint_id: z.string(),
  workflow_id: z.string(),
  state: WorkflowStateSchema,
  /** ITUV iterations the run took. */
  iterations: z.number().int(),
  /** Why it failed or waits; null when completed. */
  reason: z.string().nullable(),
});
export type RunTaskOutcome = z.infer<typeof RunTaskOutcomeSchema>;

/** A task that is not ready, with each reason. */
export const WaitingTaskSchema = z.strictObject({
  blueprint_id: z.string(),
  reasons: z.array(z.string()),
});
export type WaitingTask = z.infer<typeof WaitingTaskSchema>;

export const RefusedTaskSchema = z.strictObject({
  blueprint_id: z.string(),
  /** What no configured agent offers (`role reviewer`, `skill rust`, `tool docker`). */
  missing: z.array(z.string()),
});
export type RefusedTask = z.infer<typeof RefusedTaskSchema>;

/** `run continuous --json`: one document once the loop has ended. */
export const RunSummarySchema = z.strictObject({
  project: z.string(),
  stopped: StopReasonSchema,
  elapsed_ms: z.number(),
  parallelism: z.number().int(),
  isolation: IsolationSchema,
  /** Workflows this run started or adopted. */
  dispatched: z.number().int(),
  completed: z.array(RunTaskOutcomeSchema),
  failed: z.array(RunTaskOutcomeSchema),
  /** Waiting for a human (a question, a merge conflict, the watchdog, out of iterations) or paused. */
  waiting: z.array(RunTaskOutcomeSchema),
  /** Held downstream of a failed task (scheduler.on_failure). */
  held: z.array(WaitingTaskSchema),
  /** Every other task that is not ready when the loop ended, with its blockers. */
  blocked: z.array(WaitingTaskSchema),
  /** Ready tasks no agent can take. */
  refused: z.array(RefusedTaskSchema),
  /** Still running when the loop ended (time limit, interrupt): handed back, a restart carries on. */
  handed_back: z.array(z.string()),
});
export type RunSummary = z.infer<typeof RunSummarySchema>;

export const PreviewEntrySchema = z.strictObject({
  position: z.number().int(),
  id: z.string(),
  blueprint_id: z.string(),
  title: z.string(),
  /** What the loop would do with it first: start it, let it wait, or refuse it (no agent). */
  action: z.enum(['dispatch', 'wait', 'refused']),
  agent_id: z.string().nullable(),
  reason: z.string().nullable(),
});
export type PreviewEntry = z.infer<typeof PreviewEntrySchema>;

/** `run continuous --dry-run --json`: the frontier in selection order, and why the rest waits. */
export const RunPreviewSchema = z.strictObject({
  project: z.string(),
  dry_run: z.literal(true),
  parallelism: z.number().int(),
  isolation: IsolationSchema,
  ready: z.array(PreviewEntrySchema),
  /** Ready tasks past scheduler.max_frontier. */
  omitted: z.number().int(),
  blocked: z.array(WaitingTaskSchema),
  /** Workflows of the project running now (another scheduler or host). */
  running: z.array(z.string()),
});
export type RunPreview = z.infer<typeof RunPreviewSchema>;

export const RunContinuousOutputSchema = z.union([RunSummarySchema, RunPreviewSchema]);
