// One ITUV phase for one task, with the real parts: the coding agent (IMPLEMENT), the targeted test
// runner (TEST), the usage recipe runner (USE) and the VERIFY gate. Orchestration decides when a
// phase runs and what happens after; this module only runs it and says how it went.
import { mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadBlueprint } from '../blueprint/load.js';
import type { Blueprint, Recipe } from '../blueprint/model.js';
import type { PenguinConfig } from '../config/schema.js';
import type { Dependency, ItuvPhase, Task } from '../project/model.js';
import type { StoreReader } from '../project/store.js';
import { manualAgentResult, runAgent } from './agents/index.js';
import { endOrphanedAgents } from './agents/command-agent.js';
import { selectAgent } from './agents/select.js';
import { runChecks } from './checks.js';
import { buildPrompt } from './prompt.js';
import { freeLoopbackPort } from './port.js';
import { runRecipe } from './recipe/runner.js';
import { readPhaseResult, type PhaseResultOf } from '../contracts/phase-result.js';
import { isGateFailure } from '../contracts/workflow.js';
import type { AgentResult, ArtifactFile, RecipeRunResult } from './results.js';
import { runTests } from './tests/runner.js';
import { verifyTask } from './verify.js';

export interface ItuvServices {
  workspaceRoot: string;
  config: PenguinConfig;
  store: StoreReader;
  /** Scratch directory for phase outputs before they are recorded as artifacts. */
  runsDir: string;
  /** The environment agents, tests and checks inherit (recipes only see usage_runner.pass_env). */
  env?: NodeJS.ProcessEnv;
  /**
   * The loopback port this workflow's programs should listen on (run mode gives each parallel
   * workflow its own): PENGUIN_PORT for recipes, `{{ port }}` in recipes and usage_runner.base_url.
   * Agents and tests get PENGUIN_PORT through `env`. Without one, USE picks a free port.
   */
  port?: number;
}

/** `{{ port }}` in a configured URL, with the workflow's port. */
export function withPort(template: string, port: number | undefined): string {
  return port === undefined ? template : template.replace(/\{\{\s*port\s*\}\}/g, String(port));
}

export interface PhaseRequest {
  task: Task;
  workflowId: string;
  phase: ItuvPhase;
  iteration: number;
  attempt: number;
  /** Injected feedback and earlier gate failures, oldest first. */
  feedback: string[];
  /** Stored results of this iteration's earlier phases (PhaseResult envelopes or bare results). */
  previousResults: Partial<Record<ItuvPhase, unknown>>;
  /** A human resumed or answered the workflow since it last waited. */
  resumed: boolean;
  signal: AbortSignal;
  timeoutMs: number;
  onOutput?: (stream: 'stdout' | 'stderr', chunk: string) => void;
}

/**
 * passed: the phase's gate holds; failed: a gate failure (loops back to IMPLEMENT); needs_input: a
 * human must answer; error: a transient failure worth retrying (agent crash, timeout).
 */
export interface PhaseRun<P extends ItuvPhase = ItuvPhase> {
  verdict: 'passed' | 'failed' | 'needs_input' | 'error';
  summary: string;
  question?: string;
  result: PhaseResultOf<P>;
  artifacts: ArtifactFile[];
}

export async function runItuvPhase(services: ItuvServices, request: PhaseRequest): Promise<PhaseRun> {
  const outputDir = join(
    services.runsDir,
    request.workflowId,
    `${request.phase}-${request.iteration}-${request.attempt}`,
  );
  mkdirSync(outputDir, { recursive: true });
  switch (request.phase) {
    case 'implement':
      return implement(services, request, outputDir);
    case 'test':
      return test(services, request, outputDir);
    case 'use':
      return use(services, request, outputDir);
    case 'verify':
      return verify(services, request);
  }
}

// A host runs IMPLEMENT and USE of many tasks fed by the same file: parse it once per version.
const parsed = new Map<string, { mtimeMs: number; size: number; blueprint: Blueprint }>();

/** The blueprint a task was synced from, or null when its file is gone or no longer parses. */
export function blueprintOf(services: Pick<ItuvServices, 'workspaceRoot'>, task: Task): Blueprint | null {
  if (!task.source_file) return null;
  const file = resolve(services.workspaceRoot, task.source_file);
  try {
    const { mtimeMs, size } = statSync(file);
    const cached = parsed.get(file);
    if (cached && cached.mtimeMs === mtimeMs && cached.size === size) return cached.blueprint;
    const blueprint = loadBlueprint(file);
    parsed.set(file, { mtimeMs, size, blueprint });
    return blueprint;
  } catch {
    return null;
  }
}

export function recipeOf(blueprint: Blueprint | null, task: Task): Recipe | null {
  if (!task.recipe || !blueprint) return null;
  return blueprint.recipes.find((recipe) => recipe.name === task.recipe) ?? null;
}

async function implement(
  services: ItuvServices,
  request: PhaseRequest,
  outputDir: string,
): Promise<PhaseRun<'implement'>> {
  const { task } = request;
  const agent = selectAgent(services.config.agents, task);
  if (agent.kind === 'manual' && request.resumed) {
    // A human did the work and resumed the workflow.
    const result: AgentResult = {
      ...manualAgentResult(agent, task.blueprint_id),
      status: 'done',
      summary: 'a human implemented the task and resumed the workflow',
      question: null,
    };
    return { verdict: 'passed', summary: result.summary, result, artifacts: [] };
  }
  // An earlier attempt whose host was killed may have left its agent running: end it first, so
  // two agents never edit the workspace at once.
  endOrphanedAgents(join(services.runsDir, request.workflowId), outputDir);
  const blueprint = blueprintOf(services, task);
  const upstream: { task: Task; policy: Dependency['policy'] }[] = [];
  for (const dep of await services.store.dependencies.list({ taskId: task.id })) {
    const other = await services.store.tasks.get(dep.depends_on_id);
    if (other !== null) upstream.push({ task: other, policy: dep.policy });
  }
  const prompt = buildPrompt({
    task,
    blueprint,
    upstream,
    recipe: recipeOf(blueprint, task),
    failures: request.feedback.filter(isGateFailure),
    feedback: request.feedback.filter((text) => !isGateFailure(text)),
    iteration: request.iteration,
  });
  const result = await runAgent(agent, {
    prompt,
    workspaceRoot: services.workspaceRoot,
    taskId: task.id,
    blueprintId: task.blueprint_id,
    workflowId: request.workflowId,
    outputDir,
    timeoutMs: request.timeoutMs,
    signal: request.signal,
    env: services.env ?? process.env,
    ...(request.onOutput ? { onOutput: request.onOutput } : {}),
  });
  const artifacts = result.artifacts;
  switch (result.status) {
    case 'done':
      return { verdict: 'passed', summary: result.summary, result, artifacts };
    case 'needs_input':
    case 'blocked': {
      const question = result.question ?? result.summary;
      return { verdict: 'needs_input', summary: result.summary, question, result, artifacts };
    }
    case 'partial':
      return {
        verdict: 'failed',
        summary: `agent reported partial work: ${result.summary}`,
        result,
        artifacts,
      };
    case 'failed':
    case 'timed_out':
    case 'cancelled':
      return { verdict: 'error', summary: result.summary, result, artifacts };
  }
}

async function test(
  services: ItuvServices,
  request: PhaseRequest,
  outputDir: string,
): Promise<PhaseRun<'test'>> {
  const { config } = services;
  const result = await runTests(request.task, {
    workspaceRoot: services.workspaceRoot,
    patterns:
      config.blueprints.test_mapping.strategy === 'explicit' ? [] : config.blueprints.test_mapping.patterns,
    ...(config.test_runner.command ? { command: config.test_runner.command } : {}),
    ...(config.test_runner.junit ? { junit: config.test_runner.junit } : {}),
    allowNoTests: config.verification.allow_no_tests,
    timeoutMs: request.timeoutMs,
    outputDir,
    signal: request.signal,
    env: services.env ?? process.env,
  });
  const summary = result.passed
    ? `${result.counts.passed} test(s) passed (${result.runner})`
    : (result.failure ?? 'tests failed');
  return { verdict: result.passed ? 'passed' : 'failed', summary, result, artifacts: result.artifacts };
}

async function use(
  services: ItuvServices,
  request: PhaseRequest,
  outputDir: string,
): Promise<PhaseRun<'use'>> {
  const { task } = request;
  const runner = services.config.usage_runner;
  if (!task.recipe) {
    return {
      verdict: 'passed',
      summary: 'no usage recipe for this task',
      result: { skipped: 'no recipe' },
      artifacts: [],
    };
  }
  if (!runner.enabled) {
    const summary = `task ${task.blueprint_id} names recipe "${task.recipe}" but usage_runner.enabled is false`;
    return { verdict: 'failed', summary, result: { skipped: summary }, artifacts: [] };
  }
  const recipe = recipeOf(blueprintOf(services, task), task);
  if (!recipe) {
    const summary = `recipe "${task.recipe}" of ${task.blueprint_id} is not defined in ${task.source_file ?? 'its blueprint'}`;
    return { verdict: 'failed', summary, result: { skipped: summary }, artifacts: [] };
  }
  // Run mode gives the workflow its port; any other run gets a free one for its recipe.
  const port = services.port ?? (await freeLoopbackPort());
  const result = await runRecipe(recipe, {
    workspaceRoot: services.workspaceRoot,
    ...(runner.base_url ? { baseUrl: withPort(runner.base_url, port) } : {}),
    vars: { port: String(port) },
    env: { PENGUIN_PORT: String(port) },
    passEnv: runner.pass_env,
    allowCommands: runner.allow_commands,
    network: runner.network,
    timeoutSec: Math.min(runner.timeout_sec, Math.ceil(request.timeoutMs / 1000)),
    sourceEnv: services.env ?? process.env,
    transcriptDir: outputDir,
    signal: request.signal,
  });
  const summary = result.passed
    ? `recipe "${recipe.name}" passed`
    : (result.failure ?? `recipe "${recipe.name}" failed`);
  return { verdict: result.passed ? 'passed' : 'failed', summary, result, artifacts: result.artifacts };
}

/** The VERIFY gate over this iteration's phase results (also used by `task ituv verify`). */
export async function verify(
  services: Omit<ItuvServices, 'runsDir' | 'store'>,
  request: Pick<PhaseRequest, 'task' | 'previousResults' | 'timeoutMs' | 'signal'>,
): Promise<PhaseRun<'verify'>> {
  const { config } = services;
  const checks = await runChecks(config.verification.checks, {
    workspaceRoot: services.workspaceRoot,
    timeoutMs: request.timeoutMs,
    env: services.env ?? process.env,
    signal: request.signal,
  });
  const previous = request.previousResults;
  const result = verifyTask({
    task: request.task,
    implement: readPhaseResult('implement', previous.implement),
    tests: readPhaseResult('test', previous.test),
    recipe: recipeRun(readPhaseResult('use', previous.use)),
    recipeRequired: request.task.recipe !== null,
    checks,
    strict: config.verification.strict,
    allowNoTests: config.verification.allow_no_tests,
  });
  const summary = result.passed
    ? `all ${result.criteria.length} acceptance criteria have evidence`
    : result.failures.join('; ');
  return { verdict: result.passed ? 'passed' : 'failed', summary, result, artifacts: [] };
}

/** A USE result that is a recipe run (not a skipped USE), or null. */
function recipeRun(result: PhaseResultOf<'use'> | null): RecipeRunResult | null {
  return result !== null && 'steps' in result ? result : null;
}
