// Runs a recipe in this process: environment, service start + readiness, the steps in order, then
// teardown, transcripts and artifacts. Network isolation is decided by the caller (runner.ts); this
// code is the same whether it runs on the host or inside a network namespace.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Recipe, RecipeStep } from '../../blueprint/model.js';
import type { ArtifactFile, NetworkIsolation, RecipeRunResult, RecipeStepResult } from '../results.js';
import { checkArtifactPatterns, collectArtifacts } from './artifacts.js';
import { buildBaseEnv, createMasker, maskDeep, secretValues } from './environment.js';
import { DEFAULT_READY_TIMEOUT_SEC, type RecipeRunOptions } from './options.js';
import { startService, waitUntilReady, type StartedService } from './service.js';
import { refuseCommandLine } from './guard.js';
import { shortText } from './shell.js';
import { formatSeconds, runStep, type LastResponse } from './steps.js';
import { expandRecord, expandString, UnknownTemplateNameError, type TemplateScope } from './template.js';
import {
  writeServiceLog,
  writeTranscript,
  type Transcript,
  type TranscriptService,
  type TranscriptStep,
} from './transcript.js';

type ServiceState = NonNullable<RecipeRunResult['service']>;

/** Runs `recipe` on whatever network this process has; `network` is reported as given. */
export async function executeRecipe(
  recipe: Recipe,
  options: RecipeRunOptions,
  network: NetworkIsolation,
): Promise<RecipeRunResult> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const timeoutMs = Math.max(0, (recipe.timeout_sec ?? options.timeoutSec) * 1000);
  const deadline = started + timeoutMs;
  const sourceEnv = options.sourceEnv ?? process.env;
  const secrets = secretValues(sourceEnv, options.passEnv);
  const mask = createMasker(secrets);
  await mkdir(options.transcriptDir, { recursive: true });
  const scratchDir = await mkdtemp(join(tmpdir(), 'penguin-recipe-'));
  const home = join(scratchDir, 'home');
  await mkdir(home);

  const baseEnv = { ...buildBaseEnv(sourceEnv, options.passEnv, home), ...options.env };
  const vars: Record<string, string> = { ...options.vars };
  const steps: RecipeStepResult[] = [];
  const transcriptSteps: TranscriptStep[] = [];
  const serviceState: ServiceState | null = recipe.service
    ? { command: recipe.service.command, started: false, ready: false, stopped: false }
    : null;
  let service: StartedService | null = null;
  let serviceTranscript: TranscriptService | null = null;
  let recipeEnv: Record<string, string> = baseEnv;
  let failure: string | null = checkArtifactPatterns(recipe.artifacts);

  try {
    if (failure === null) {
      try {
        recipeEnv = { ...baseEnv, ...expandRecord(recipe.env, { vars, response: undefined, env: baseEnv }) };
      } catch (error) {
        failure = `the recipe env cannot be expanded: ${templateMessage(error)}`;
      }
    }

    let baseUrl: string | null = options.baseUrl ?? null;
    if (failure === null && recipe.service) {
      const spec = recipe.service;
      const scope: TemplateScope = { vars, response: undefined, env: recipeEnv };
      let command = spec.command;
      let ready: string | null = spec.ready ?? null;
      let serviceEnv = recipeEnv;
      try {
        command = expandString(spec.command, scope);
        ready = ready === null ? null : expandString(ready, scope);
        serviceEnv = { ...recipeEnv, ...expandRecord(spec.env, scope) };
      } catch (error) {
        failure = `the service cannot be expanded: ${templateMessage(error)}`;
      }
      if (failure === null) failure = await checkService(command, ready, options.allowCommands);
      if (failure === null && serviceState) {
        if (ready !== null && isUrl(ready)) baseUrl = new URL(ready).origin;
        service = startService(spec, command, serviceEnv, options.workspaceRoot);
        serviceState.started = service.process.pid !== undefined;
        serviceTranscript = {
          command,
          cwd: service.cwd,
          ready,
          pid: service.process.pid ?? null,
          ready_ok: false,
          exit_code: null,
          signal: null,
        };
        const readyLimit = (spec.ready_timeout_sec ?? DEFAULT_READY_TIMEOUT_SEC) * 1000;
        const remaining = deadline - Date.now();
        const notReady = await waitUntilReady(service, {
          ready,
          env: serviceEnv,
          limitMs: Math.max(0, Math.min(readyLimit, remaining)),
          limitedByRecipe: remaining < readyLimit,
          ...(options.signal ? { signal: options.signal } : {}),
        });
        if (notReady === null) {
          serviceState.ready = true;
          serviceTranscript.ready_ok = true;
        } else {
          failure = `the service \`${shortText(command)}\` ${notReady}`;
        }
      }
    }

    let lastResponse: LastResponse | null = null;
    for (const [position, step] of recipe.steps.entries()) {
      if (failure !== null) break;
      const index = position + 1;
      const label = stepLabel(index, step);
      if (options.signal?.aborted) {
        failure = `the recipe was cancelled before ${label}`;
        break;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        failure = `the recipe timed out after ${formatSeconds(timeoutMs)} before ${label}`;
        break;
      }
      const ownLimit = step.timeout_sec === undefined ? Infinity : step.timeout_sec * 1000;
      const stepStarted = Date.now();
      const outcome = await runStep({
        index,
        step,
        workspaceRoot: options.workspaceRoot,
        env: recipeEnv,
        vars,
        lastResponse,
        baseUrl,
        timeoutMs: Math.min(ownLimit, remaining),
        limitedByRecipe: remaining < ownLimit,
        ...(options.signal ? { signal: options.signal } : {}),
        scratchDir,
        allowCommands: options.allowCommands,
      });
      if (outcome.response) lastResponse = outcome.response;
      const duration = Date.now() - stepStarted;
      const stepFailure = outcome.failure === null ? null : `${label} ${outcome.failure}`;
      steps.push({
        index,
        kind: step.kind,
        run: step.run,
        passed: stepFailure === null,
        failure: stepFailure,
        covers: step.covers ?? [],
        duration_ms: duration,
        ...(outcome.exitCode !== undefined ? { exit_code: outcome.exitCode } : {}),
        ...(outcome.status !== undefined ? { status: outcome.status } : {}),
        ...(outcome.timedOut ? { timed_out: true } : {}),
      });
      transcriptSteps.push({
        index,
        kind: step.kind,
        name: step.name ?? null,
        ran: outcome.ran,
        started_at: new Date(stepStarted).toISOString(),
        duration_ms: duration,
        passed: stepFailure === null,
        failure: stepFailure,
        ...(outcome.exitCode !== undefined ? { exit_code: outcome.exitCode } : {}),
        ...(outcome.timedOut ? { timed_out: true } : {}),
        ...(outcome.stdout !== undefined ? { stdout: outcome.stdout } : {}),
        ...(outcome.stderr !== undefined ? { stderr: outcome.stderr } : {}),
        ...(outcome.http ? { http: outcome.http } : {}),
        ...(outcome.captured ? { captured: outcome.captured } : {}),
      });
      failure = stepFailure;
    }
  } finally {
    // Teardown always: whatever happened above, the service's whole process group goes.
    if (service && serviceState) {
      const ended = await service.process.stop();
      serviceState.stopped = true;
      if (serviceTranscript) {
        serviceTranscript.exit_code = ended.exitCode;
        serviceTranscript.signal = ended.signal;
      }
    }
    await rm(scratchDir, { recursive: true, force: true });
  }

  const artifacts: ArtifactFile[] = [];
  // Collected before the transcript is written, so it can say what was left out and why.
  const collected =
    checkArtifactPatterns(recipe.artifacts) === null
      ? await collectArtifacts(
          options.workspaceRoot,
          recipe.artifacts,
          secrets.length > 0 ? { mask, dir: join(options.transcriptDir, 'artifacts') } : null,
        )
      : { artifacts: [], leftOut: [] };
  const transcript: Transcript = {
    recipe: recipe.name,
    started_at: startedAt,
    finished_at: new Date().toISOString(),
    passed: failure === null,
    failure,
    network,
    env_names: Object.keys(recipeEnv).sort(),
    service: serviceTranscript,
    steps: transcriptSteps,
    ...(collected.leftOut.length > 0 ? { artifacts_left_out: collected.leftOut } : {}),
  };
  artifacts.push({
    name: 'transcript.json',
    path: await writeTranscript(options.transcriptDir, maskDeep(transcript, mask)),
    kind: 'transcript',
  });
  if (service) {
    artifacts.push({
      name: 'service.log',
      path: await writeServiceLog(options.transcriptDir, mask(service.log())),
      kind: 'log',
    });
  }
  artifacts.push(...collected.artifacts);
  // Paths and the isolation report hold no recipe output; everything else is masked.
  return {
    recipe: recipe.name,
    passed: failure === null,
    failure: failure === null ? null : mask(failure),
    steps: maskDeep(steps, mask),
    service: maskDeep(serviceState, mask),
    network,
    duration_ms: Date.now() - started,
    artifacts,
  };
}

/** How failures name a step: `step 2 "create item" (\`POST /items\`)`. */
export function stepLabel(index: number, step: RecipeStep): string {
  const name = step.name ? ` ${JSON.stringify(step.name)}` : '';
  const what =
    step.kind === 'python' || step.kind === 'node'
      ? `${step.kind}: \`${shortText(step.run)}\``
      : `\`${shortText(step.run)}\``;
  return `step ${index}${name} (${what})`;
}

function isUrl(text: string): boolean {
  return /^https?:\/\//i.test(text);
}

/** Why the service may not start (not allow-listed, bad ready URL), or null. */
async function checkService(
  command: string,
  ready: string | null,
  allowCommands: readonly string[],
): Promise<string | null> {
  const refused =
    (await refuseCommandLine(command, allowCommands)) ??
    (ready !== null && !isUrl(ready) ? await refuseCommandLine(ready, allowCommands) : null);
  if (refused !== null) return `the service ${refused}`;
  if (ready !== null && isUrl(ready) && !URL.canParse(ready))
    return `the service's ready URL \`${ready}\` is not a valid URL`;
  return null;
}

function templateMessage(error: unknown): string {
  if (error instanceof UnknownTemplateNameError) return error.message;
  throw error;
}
