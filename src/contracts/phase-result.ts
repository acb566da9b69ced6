// Contracts of what each ITUV phase produces (DESIGN §5): the agent's result (IMPLEMENT), the test run
// (TEST), the recipe run (USE) and the VERIFY verdict with its evidence per criterion. These records
// are the evidence VERIFY judges, are stored as phase results by the orchestration backends, and are
// shown by `task show` and `task ituv verify`. A stored result is a PhaseResult: discriminated by
// phase and versioned, so a reader never has to guess what a stored JSON value is.
import { z } from 'zod';
import type { ItuvPhase } from './task.js';

export const ARTIFACT_KINDS = ['transcript', 'log', 'junit', 'prompt', 'result', 'file'] as const;
export const ArtifactKindSchema = z.enum(ARTIFACT_KINDS);
export type ArtifactKind = z.infer<typeof ArtifactKindSchema>;

/** A file kept as evidence; `path` is absolute until the artifact store records it. */
export const ArtifactFileSchema = z.object({
  name: z.string(),
  path: z.string(),
  kind: ArtifactKindSchema,
  /** Set for artifacts that satisfy `artifact_ready` dependents. */
  key: z.string().optional(),
});
export type ArtifactFile = z.infer<typeof ArtifactFileSchema>;

// ---- IMPLEMENT ----------------------------------------------------------------------------------

export const AGENT_STATUSES = ['done', 'partial', 'blocked', 'needs_input'] as const;
export const AgentReportedStatusSchema = z.enum(AGENT_STATUSES);
export type AgentReportedStatus = z.infer<typeof AgentReportedStatusSchema>;

export const AgentResultSchema = z.object({
  agent_id: z.string(),
  /**
   * done: the agent says it finished; partial/blocked: it did not; needs_input: it asks `question`;
   * failed: it exited non-zero without a result file; timed_out: killed at the timebox;
   * cancelled: killed by a cancel signal.
   */
  status: z.union([AgentReportedStatusSchema, z.enum(['failed', 'timed_out', 'cancelled'])]),
  summary: z.string(),
  question: z.string().nullable(),
  tokens: z.number().nullable(),
  exit_code: z.number().nullable(),
  /** Workspace-relative paths git reports as changed by this run. */
  changed_files: z.array(z.string()),
  duration_ms: z.number(),
  artifacts: z.array(ArtifactFileSchema),
});
export type AgentResult = z.infer<typeof AgentResultSchema>;

// ---- TEST ---------------------------------------------------------------------------------------

export const TestCaseResultSchema = z.object({
  name: z.string(),
  classname: z.string().nullable(),
  file: z.string().nullable(),
  /** Enclosing suite names, outermost first, joined with " > " (JUnit nesting, jest describe blocks). */
  suite: z.string().nullable().optional(),
  status: z.enum(['passed', 'failed', 'skipped', 'error']),
  message: z.string().nullable(),
  duration_ms: z.number().nullable(),
  /** The case names the task's blueprint id (DESIGN §5). */
  covers_task: z.boolean(),
  /** Criteria numbers named by `AC<n>` markers in the case name. */
  criteria: z.array(z.number()),
});
export type TestCaseResult = z.infer<typeof TestCaseResultSchema>;

export const TestRunResultSchema = z.object({
  /** The runner used: vitest, jest, node:test, pytest, go, or configured. */
  runner: z.string(),
  command: z.string().nullable(),
  /** How tests were chosen: the task's Tests:, test_mapping patterns, or a name filter. */
  selection: z.object({
    strategy: z.enum(['tests', 'patterns', 'filter', 'none']),
    files: z.array(z.string()),
    filter: z.string().nullable(),
  }),
  passed: z.boolean(),
  /** Why the phase failed (runner missing, crashed, no tests selected, N failing), else null. */
  failure: z.string().nullable(),
  cases: z.array(TestCaseResultSchema),
  counts: z.object({ passed: z.number(), failed: z.number(), skipped: z.number(), errors: z.number() }),
  duration_ms: z.number(),
  artifacts: z.array(ArtifactFileSchema),
});
export type TestRunResult = z.infer<typeof TestRunResultSchema>;

// ---- USE ----------------------------------------------------------------------------------------

export const RecipeStepResultSchema = z.object({
  index: z.number(),
  kind: z.enum(['shell', 'http', 'python', 'node']),
  /** The step as written (command, "METHOD /path" or code), secrets masked. */
  run: z.string(),
  passed: z.boolean(),
  /** Why it failed, one sentence; null when it passed. */
  failure: z.string().nullable(),
  covers: z.array(z.number()),
  duration_ms: z.number(),
  exit_code: z.number().nullable().optional(),
  status: z.number().nullable().optional(),
  timed_out: z.boolean().optional(),
});
export type RecipeStepResult = z.infer<typeof RecipeStepResultSchema>;

export const NetworkIsolationSchema = z.object({
  requested: z.boolean(),
  applied: z.boolean(),
  /** How (e.g. "linux network namespace") or why not, said plainly. */
  detail: z.string(),
});
export type NetworkIsolation = z.infer<typeof NetworkIsolationSchema>;

export const RecipeRunResultSchema = z.object({
  recipe: z.string(),
  passed: z.boolean(),
  failure: z.string().nullable(),
  steps: z.array(RecipeStepResultSchema),
  service: z
    .object({ command: z.string(), started: z.boolean(), ready: z.boolean(), stopped: z.boolean() })
    .nullable(),
  network: NetworkIsolationSchema,
  duration_ms: z.number(),
  artifacts: z.array(ArtifactFileSchema),
});
export type RecipeRunResult = z.infer<typeof RecipeRunResultSchema>;

/** USE of a task without a recipe, or one that could not run (usage_runner disabled, recipe unknown). */
export const SkippedResultSchema = z.object({ skipped: z.string() });
export type SkippedResult = z.infer<typeof SkippedResultSchema>;

// ---- VERIFY -------------------------------------------------------------------------------------

export const CheckResultSchema = z.object({
  name: z.string(),
  command: z.string(),
  passed: z.boolean(),
  failure: z.string().nullable(),
  duration_ms: z.number(),
});
export type CheckResult = z.infer<typeof CheckResultSchema>;

export const EVIDENCE_KINDS = ['test', 'recipe_step', 'override'] as const;
export const EvidenceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('test'), ref: z.string(), passed: z.boolean() }),
  z.object({ kind: z.literal('recipe_step'), ref: z.string(), passed: z.boolean() }),
  /** `ref` is the justification. */
  z.object({ kind: z.literal('override'), ref: z.string(), passed: z.literal(true) }),
]);
export type Evidence = z.infer<typeof EvidenceSchema>;

export const CriterionVerdictSchema = z.object({
  /** 1-based criterion number. */
  number: z.number(),
  text: z.string(),
  met: z.boolean(),
  evidence: z.array(EvidenceSchema),
  /** Why it is not met (no evidence, failing test X, failing step Y); null when met. */
  reason: z.string().nullable(),
});
export type CriterionVerdict = z.infer<typeof CriterionVerdictSchema>;

export const GateVerdictSchema = z.object({
  name: z.union([z.enum(['implement', 'tests', 'recipe']), z.templateLiteral(['check:', z.string()])]),
  passed: z.boolean(),
  detail: z.string(),
  /** False for a gate that is reported but does not decide the verdict (checks when not strict). */
  enforced: z.boolean().optional(),
});
export type GateVerdict = z.infer<typeof GateVerdictSchema>;

export const VerifyResultSchema = z.object({
  passed: z.boolean(),
  criteria: z.array(CriterionVerdictSchema),
  gates: z.array(GateVerdictSchema),
  /** One line per reason the gate failed; empty when it passed. */
  failures: z.array(z.string()),
});
export type VerifyResult = z.infer<typeof VerifyResultSchema>;

// ---- the stored phase result --------------------------------------------------------------------

/** Bumped when a result shape changes incompatibly; readers then convert older versions. */
export const PHASE_RESULT_VERSION = 1;

const envelope = <P extends ItuvPhase, R extends z.ZodType>(phase: P, result: R) =>
  z.object({ phase: z.literal(phase), version: z.literal(PHASE_RESULT_VERSION), result });

export const PhaseResultSchema = z.discriminatedUnion('phase', [
  envelope('implement', AgentResultSchema),
  envelope('test', TestRunResultSchema),
  envelope('use', z.union([RecipeRunResultSchema, SkippedResultSchema])),
  envelope('verify', VerifyResultSchema),
]);
export type PhaseResult = z.infer<typeof PhaseResultSchema>;
/** What each phase's result is. */
export interface PhaseResultMap {
  implement: AgentResult;
  test: TestRunResult;
  use: RecipeRunResult | SkippedResult;
  verify: VerifyResult;
}
export type PhaseResultOf<P extends ItuvPhase> = PhaseResultMap[P];

/** The envelope a phase result is stored in. */
export function phaseResult<P extends ItuvPhase>(phase: P, result: PhaseResultOf<P>): PhaseResult {
  return { phase, version: PHASE_RESULT_VERSION, result } as PhaseResult;
}

/**
 * Reads a stored result of `phase`: a PhaseResult envelope, or a bare result stored before results
 * were versioned. Anything else (a foreign executor's result, a corrupt row) is null; never throws.
 */
export function readPhaseResult<P extends ItuvPhase>(phase: P, stored: unknown): PhaseResultOf<P> | null {
  const wrapped =
    stored !== null && typeof stored === 'object' && 'version' in stored && 'phase' in stored
      ? stored
      : { phase, version: PHASE_RESULT_VERSION, result: stored };
  const parsed = PhaseResultSchema.safeParse(wrapped);
  if (!parsed.success || parsed.data.phase !== phase) return null;
  return parsed.data.result as PhaseResultOf<P>;
}
