// The VERIFY gate (DESIGN §5): Penguin, not the agent, decides whether a task is done. Each acceptance
// criterion needs evidence (a passing mapped test, a passing recipe step that covers it, or a human
// override with a justification), and the implement/tests/recipe/check gates must hold.
// Pure: the same phase results always give the same verdict, so it can be recomputed and replayed.
import { UsageError } from '../errors.js';
import type { CriterionOverride, Task } from '../project/model.js';
import type {
  AgentResult,
  CheckResult,
  CriterionVerdict,
  Evidence,
  GateVerdict,
  RecipeRunResult,
  RecipeStepResult,
  TestCaseResult,
  TestRunResult,
  VerifyResult,
} from './results.js';

export interface VerifyInput {
  task: Pick<Task, 'blueprint_id' | 'acceptance_criteria' | 'overrides' | 'recipe'>;
  implement: AgentResult | null;
  tests: TestRunResult | null;
  recipe: RecipeRunResult | null;
  /** The task names a recipe, so USE must have run and passed. */
  recipeRequired: boolean;
  checks: CheckResult[];
  /** verification.strict: failing checks fail the gate (else they are only reported). */
  strict: boolean;
  /** verification.allow_no_tests: a test run with zero cases is acceptable. */
  allowNoTests: boolean;
}

export function verifyTask(input: VerifyInput): VerifyResult {
  const gates = [
    implementGate(input.implement),
    testsGate(input),
    ...(input.recipeRequired || input.recipe !== null ? [recipeGate(input)] : []),
    ...input.checks.map((check) => checkGate(check, input.strict)),
  ];
  const criteria = input.task.acceptance_criteria.map((text, i) => judgeCriterion(i + 1, text, input));
  const failures: string[] = [];
  for (const gate of gates) {
    if (!gate.passed && gate.enforced !== false) failures.push(firstLine(gate.detail));
  }
  for (const verdict of criteria) {
    if (verdict.met) continue;
    const hasFailing = verdict.evidence.some((e) => !e.passed);
    failures.push(
      hasFailing
        ? `AC${verdict.number} failed: ${verdict.reason}`
        : `AC${verdict.number} (${short(verdict.text, 120)}) has no evidence: ${verdict.reason}`,
    );
  }
  return { passed: failures.length === 0, criteria, gates, failures };
}

// ---- criteria -----------------------------------------------------------------------------------

function judgeCriterion(n: number, text: string, input: VerifyInput): CriterionVerdict {
  const evidence: Evidence[] = [];
  const failing: string[] = [];
  const skipped: string[] = [];
  for (const testCase of input.tests?.cases ?? []) {
    if (!testCase.criteria.includes(n)) continue;
    if (testCase.status === 'passed') {
      evidence.push({ kind: 'test', ref: testCase.name, passed: true });
    } else if (testCase.status === 'skipped') {
      skipped.push(`test '${testCase.name}' was skipped`);
    } else {
      evidence.push({ kind: 'test', ref: testCase.name, passed: false });
      failing.push(describeFailedCase(testCase));
    }
  }
  const recipe = input.recipe;
  for (const step of recipe?.steps ?? []) {
    if (!recipe || !step.covers.includes(n)) continue;
    const ref = stepRef(recipe.recipe, step);
    evidence.push({ kind: 'recipe_step', ref, passed: step.passed });
    if (!step.passed) failing.push(`${ref} failed${step.failure ? `: ${firstLine(step.failure)}` : ''}`);
  }
  const override = latestOverride(input.task.overrides, n);
  if (override) {
    // A human said so: the override wins over failing evidence, which stays listed for the record.
    evidence.push({ kind: 'override', ref: override.justification, passed: true });
    return { number: n, text, met: true, evidence, reason: null };
  }
  if (failing.length > 0) return { number: n, text, met: false, evidence, reason: failing.join('; ') };
  if (evidence.some((e) => e.passed)) return { number: n, text, met: true, evidence, reason: null };
  const none = `no test named AC${n} and no recipe step covers ${n}`;
  return { number: n, text, met: false, evidence, reason: [none, ...skipped].join('; ') };
}

function describeFailedCase(testCase: TestCaseResult): string {
  const verb = testCase.status === 'error' ? 'errored' : 'failed';
  const message = testCase.message ? firstLine(testCase.message) : '';
  return `test '${testCase.name}' ${verb}${message ? `: ${message}` : ''}`;
}

/** `index` is the step's 1-based position, as the recipe runner reports it. */
function stepRef(recipe: string, step: RecipeStepResult): string {
  return `recipe '${recipe}' step ${step.index} (${step.kind} ${short(firstLine(step.run), 60)})`;
}

function latestOverride(overrides: readonly CriterionOverride[], n: number): CriterionOverride | null {
  let latest: CriterionOverride | null = null;
  for (const o of overrides) if (o.criterion === n && o.justification.trim().length > 0) latest = o;
  return latest;
}

// ---- gates --------------------------------------------------------------------------------------

function implementGate(implement: AgentResult | null): GateVerdict {
  if (!implement) return { name: 'implement', passed: false, detail: 'IMPLEMENT has no recorded result' };
  const summary = implement.summary.trim() ? `: ${firstLine(implement.summary)}` : '';
  if (implement.status === 'done') {
    return { name: 'implement', passed: true, detail: `agent ${implement.agent_id} finished${summary}` };
  }
  return {
    name: 'implement',
    passed: false,
    detail: `IMPLEMENT did not finish: agent ${implement.agent_id} reported ${implement.status}${summary}`,
  };
}

function testsGate(input: VerifyInput): GateVerdict {
  const { tests, allowNoTests } = input;
  const id = input.task.blueprint_id;
  if (!tests) {
    return allowNoTests
      ? { name: 'tests', passed: true, detail: 'no test run (allowed by verification.allow_no_tests)' }
      : { name: 'tests', passed: false, detail: `no test run was recorded for ${id}` };
  }
  const { passed, failed, skipped, errors } = tests.counts;
  const tally = `${passed} passed, ${failed} failed, ${errors} errors, ${skipped} skipped`;
  if (!tests.passed) {
    return { name: 'tests', passed: false, detail: `tests failed: ${tests.failure ?? tally}` };
  }
  // Fail closed: a run that says "passed" but holds a failing case is not believed.
  const bad = tests.cases.filter((c) => c.status === 'failed' || c.status === 'error');
  if (bad.length > 0) {
    return {
      name: 'tests',
      passed: false,
      detail: `tests failed: ${bad.map(describeFailedCase).join('; ')}`,
    };
  }
  const ran = tests.cases.filter((c) => c.status === 'passed').length;
  if (ran === 0 && !allowNoTests) {
    return {
      name: 'tests',
      passed: false,
      detail: `no tests ran for ${id} (set verification.allow_no_tests to accept this)`,
    };
  }
  return {
    name: 'tests',
    passed: true,
    detail: ran === 0 ? 'no tests (allowed by verification.allow_no_tests)' : tally,
  };
}

function recipeGate(input: VerifyInput): GateVerdict {
  const { recipe } = input;
  if (!recipe) {
    return { name: 'recipe', passed: false, detail: `recipe '${input.task.recipe ?? '?'}' did not run` };
  }
  const failedStep = recipe.steps.find((s) => !s.passed);
  if (!recipe.passed || failedStep) {
    const why =
      recipe.failure ?? (failedStep ? `${stepRef(recipe.recipe, failedStep)} failed` : 'it did not pass');
    return { name: 'recipe', passed: false, detail: `recipe '${recipe.recipe}' failed: ${why}` };
  }
  const n = recipe.steps.length;
  return {
    name: 'recipe',
    passed: true,
    detail: `recipe '${recipe.recipe}': ${n} ${n === 1 ? 'step' : 'steps'} passed`,
  };
}

function checkGate(check: CheckResult, strict: boolean): GateVerdict {
  const detail = check.passed ? 'passed' : (check.failure ?? `check '${check.name}' failed`);
  return {
    name: `check:${check.name}`,
    passed: check.passed,
    detail: strict || check.passed ? detail : `${detail} (not enforced: verification.strict is false)`,
    enforced: strict,
  };
}

// ---- overrides ----------------------------------------------------------------------------------

/**
 * Marks criterion `criterion` (1-based) as met by a human decision. Returns the task's new override
 * list (a later override of the same criterion replaces the earlier one); the caller stores it.
 */
export function applyOverride(
  task: Pick<Task, 'blueprint_id' | 'acceptance_criteria' | 'overrides'>,
  criterion: number,
  justification: string,
  now: Date = new Date(),
): CriterionOverride[] {
  const count = task.acceptance_criteria.length;
  if (!Number.isInteger(criterion) || criterion < 1 || criterion > count) {
    throw new UsageError(
      `task ${task.blueprint_id} has no acceptance criterion ${criterion} (it has ${count}; criteria are numbered from 1).`,
    );
  }
  const text = justification.trim();
  if (text.length === 0) {
    throw new UsageError(
      `an override of ${task.blueprint_id} AC${criterion} needs a non-empty justification.`,
    );
  }
  return [
    ...task.overrides.filter((o) => o.criterion !== criterion),
    { criterion, justification: text, at: now.toISOString() },
  ].sort((a, b) => a.criterion - b.criterion);
}

// ---- text helpers -------------------------------------------------------------------------------

function firstLine(text: string): string {
  const line = text.split(/\r?\n/).find((l) => l.trim().length > 0) ?? '';
  return short(line.trim(), 300);
}

function short(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
