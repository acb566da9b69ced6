// What each ITUV phase produces. These records are the evidence VERIFY judges, are stored as phase
// results by the orchestration engine, and are shown by `task show`; they must stay JSON-serialisable.

/** A file kept as evidence; `path` is absolute until the artifact store records it. */
export interface ArtifactFile {
  name: string;
  path: string;
  kind: 'transcript' | 'log' | 'junit' | 'prompt' | 'result' | 'file';
  /** Set for artifacts that satisfy `artifact_ready` dependents. */
  key?: string;
}

// ---- IMPLEMENT ----------------------------------------------------------------------------------

export const AGENT_STATUSES = ['done', 'partial', 'blocked', 'needs_input'] as const;
export type AgentReportedStatus = (typeof AGENT_STATUSES)[number];

export interface AgentResult {
  agent_id: string;
  /**
   * done: the agent says it finished; partial/blocked: it did not; needs_input: it asks `question`;
   * failed: it exited non-zero without a result file; timed_out: killed at the timebox;
   * cancelled: killed by a cancel signal.
   */
  status: AgentReportedStatus | 'failed' | 'timed_out' | 'cancelled';
  summary: string;
  question: string | null;
  tokens: number | null;
  exit_code: number | null;
  /** Workspace-relative paths git reports as changed by this run. */
  changed_files: string[];
  duration_ms: number;
  artifacts: ArtifactFile[];
}

// ---- TEST ---------------------------------------------------------------------------------------

export interface TestCaseResult {
  name: string;
  classname: string | null;
  file: string | null;
  /** Enclosing suite names, outermost first, joined with " > " (JUnit nesting, jest describe blocks). */
  suite?: string | null;
  status: 'passed' | 'failed' | 'skipped' | 'error';
  message: string | null;
  duration_ms: number | null;
  /** The case names the task's blueprint id (DESIGN §5). */
  covers_task: boolean;
  /** Criteria numbers named by `AC<n>` markers in the case name. */
  criteria: number[];
}

export interface TestRunResult {
  /** The runner used: vitest, jest, node:test, pytest, go, or configured. */
  runner: string;
  command: string | null;
  /** How tests were chosen: the task's Tests:, test_mapping patterns, or a name filter. */
  selection: { strategy: 'tests' | 'patterns' | 'filter' | 'none'; files: string[]; filter: string | null };
  passed: boolean;
  /** Why the phase failed (runner missing, crashed, no tests selected, N failing), else null. */
  failure: string | null;
  cases: TestCaseResult[];
  counts: { passed: number; failed: number; skipped: number; errors: number };
  duration_ms: number;
  artifacts: ArtifactFile[];
}

// ---- USE ----------------------------------------------------------------------------------------

export interface RecipeStepResult {
  index: number;
  kind: 'shell' | 'http' | 'python' | 'node';
  /** The step as written (command, "METHOD /path" or code), secrets masked. */
  run: string;
  passed: boolean;
  /** Why it failed, one sentence; null when it passed. */
  failure: string | null;
  covers: number[];
  duration_ms: number;
  exit_code?: number | null;
  status?: number | null;
  timed_out?: boolean;
}

export interface NetworkIsolation {
  requested: boolean;
  applied: boolean;
  /** How (e.g. "linux network namespace") or why not, said plainly. */
  detail: string;
}

export interface RecipeRunResult {
  recipe: string;
  passed: boolean;
  failure: string | null;
  steps: RecipeStepResult[];
  service: { command: string; started: boolean; ready: boolean; stopped: boolean } | null;
  network: NetworkIsolation;
  duration_ms: number;
  artifacts: ArtifactFile[];
}

// ---- VERIFY -------------------------------------------------------------------------------------

export interface CheckResult {
  name: string;
  command: string;
  passed: boolean;
  failure: string | null;
  duration_ms: number;
}

export type Evidence =
  | { kind: 'test'; ref: string; passed: boolean }
  | { kind: 'recipe_step'; ref: string; passed: boolean }
  | { kind: 'override'; ref: string; passed: true };

export interface CriterionVerdict {
  /** 1-based criterion number. */
  number: number;
  text: string;
  met: boolean;
  evidence: Evidence[];
  /** Why it is not met (no evidence, failing test X, failing step Y); null when met. */
  reason: string | null;
}

export interface GateVerdict {
  name: 'implement' | 'tests' | 'recipe' | `check:${string}`;
  passed: boolean;
  detail: string;
  /** False for a gate that is reported but does not decide the verdict (checks when not strict). */
  enforced?: boolean;
}

export interface VerifyResult {
  passed: boolean;
  criteria: CriterionVerdict[];
  gates: GateVerdict[];
  /** One line per reason the gate failed; empty when it passed. */
  failures: string[];
}
