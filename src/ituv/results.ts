// What each ITUV phase produces. The shapes are contracts (src/contracts/phase-result.ts, zod schemas
// with types by z.infer); this module names them for the ITUV parts that build them.
export {
  AGENT_STATUSES,
  type AgentReportedStatus,
  type AgentResult,
  type ArtifactFile,
  type CheckResult,
  type CriterionVerdict,
  type Evidence,
  type GateVerdict,
  type NetworkIsolation,
  type RecipeRunResult,
  type RecipeStepResult,
  type SkippedResult,
  type TestCaseResult,
  type TestRunResult,
  type VerifyResult,
} from '../contracts/phase-result.js';
