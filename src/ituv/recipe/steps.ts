// Runs one recipe step (shell, http, python, node) and judges it against its expectations. Every
// process goes through runCommand, so a step that hangs is killed with its whole process tree.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RecipeStep } from '../../blueprint/model.js';
import { runCommand, type RunCommandResult } from '../process.js';
import { compileTextExpectation, getJsonPath, InvalidExpectationError, jsonSubsetMismatch } from './match.js';
import { refuseCommand, refuseCommandLine } from './guard.js';
import { lastLine, shellJoin } from './shell.js';
import {
  expandDeep,
  expandRecord,
  expandString,
  stringify,
  UnknownTemplateNameError,
  type TemplateScope,
} from './template.js';
import { clip, type HttpExchange } from './transcript.js';

/** The previous http step's answer: `{{ }}` reads its JSON fields; python/node steps get it as `response`. */
export interface LastResponse {
  status: number;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  json: unknown;
  text: string;
}

export interface StepRunContext {
  /** 1-based position in the recipe. */
  index: number;
  step: RecipeStep;
  workspaceRoot: string;
  /** The recipe environment (base + recipe `env`); step `env` is added on top. */
  env: Record<string, string>;
  /** Captured variables; `capture` adds to it. */
  vars: Record<string, string>;
  lastResponse: LastResponse | null;
  baseUrl: string | null;
  timeoutMs: number;
  /** True when `timeoutMs` is what is left of the recipe's time rather than the step's own limit. */
  limitedByRecipe: boolean;
  signal?: AbortSignal;
  /** A private directory for the step's helper files. */
  scratchDir: string;
  allowCommands: readonly string[];
}

export interface StepOutcome {
  /** Why the step failed, as the end of a sentence starting with the step's name; null if it passed. */
  failure: string | null;
  /** What ran after expansion. */
  ran: string;
  timedOut: boolean;
  exitCode?: number | null;
  stdout?: string;
  stderr?: string;
  status?: number | null;
  http?: HttpExchange;
  captured?: Record<string, string>;
  /** Set by http steps that got an answer. */
  response?: LastResponse;
}

/** Runs the step; never throws for a step failure. */
export async function runStep(ctx: StepRunContext): Promise<StepOutcome> {
  try {
    switch (ctx.step.kind) {
      case 'shell':
        return await runShellStep(ctx);
      case 'http':
        return await runHttpStep(ctx);
      case 'python':
      case 'node':
        return await runCodeStep(ctx);
    }
  } catch (error) {
    // Whatever goes wrong in a step is that step's failure, never an exception out of the run.
    const message = error instanceof Error ? error.message : String(error);
    const failure =
      error instanceof UnknownTemplateNameError
        ? `cannot be expanded: ${message}`
        : error instanceof InvalidExpectationError
          ? `has an invalid expectation: ${message}`
          : `could not run: ${message}`;
    return { failure, ran: ctx.step.run, timedOut: false };
  }
}

export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

function scopeOf(ctx: StepRunContext): TemplateScope {
  return { vars: ctx.vars, response: ctx.lastResponse?.json, env: ctx.env };
}

function stepEnv(ctx: StepRunContext): Record<string, string> {
  return { ...ctx.env, ...expandRecord(ctx.step.env, scopeOf(ctx)) };
}

function timeoutReason(ctx: StepRunContext): string {
  const why = ctx.limitedByRecipe ? " (the recipe's time ran out)" : '';
  return `timed out after ${formatSeconds(ctx.timeoutMs)} and was killed${why}`;
}

async function runShellStep(ctx: StepRunContext): Promise<StepOutcome> {
  const command = expandString(ctx.step.run, scopeOf(ctx));
  const refused = await refuseCommandLine(command, ctx.allowCommands);
  if (refused) return { failure: refused, ran: command, timedOut: false };
  const env = stepEnv(ctx);
  const result = await runCommand(command, {
    cwd: ctx.workspaceRoot,
    env,
    timeoutMs: ctx.timeoutMs,
    killGraceMs: 500,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  return judgeProcess(
    ctx,
    command,
    result,
    (code) =>
      `expected exit code ${ctx.step.expect_exit ?? 0} but it exited with ${code}${outputHint(result)}`,
  );
}

async function runCodeStep(ctx: StepRunContext): Promise<StepOutcome> {
  const python = ctx.step.kind === 'python';
  const program = python ? 'python3' : 'node';
  const refused = refuseCommand(program, ctx.allowCommands);
  if (refused) return { failure: refused, ran: ctx.step.run, timedOut: false };
  const dir = ctx.scratchDir;
  const harness = join(dir, python ? 'harness.py' : 'harness.mjs');
  const contextFile = join(dir, `step-${ctx.index}.context.json`);
  const codeFile = join(dir, `step-${ctx.index}.code${python ? '.py' : '.js'}`);
  const context = {
    response: responseBinding(ctx.lastResponse),
    vars: ctx.vars,
    workspace: ctx.workspaceRoot,
  };
  await writeFile(harness, python ? PYTHON_HARNESS : NODE_HARNESS, 'utf8');
  await writeFile(contextFile, JSON.stringify(context), 'utf8');
  await writeFile(codeFile, ctx.step.run, 'utf8');
  const result = await runCommand(shellJoin([program, harness, contextFile, codeFile]), {
    cwd: ctx.workspaceRoot,
    env: stepEnv(ctx),
    timeoutMs: ctx.timeoutMs,
    killGraceMs: 500,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  return judgeProcess(ctx, ctx.step.run, result, (code) => {
    const raised = lastLine(result.stderr);
    return raised ? `raised ${raised}` : `exited with code ${code}`;
  });
}

/** `response` for python/node code: the previous JSON body, else its text, else null. */
function responseBinding(last: LastResponse | null): unknown {
  if (last === null) return null;
  return last.json === undefined ? last.text : last.json;
}

function judgeProcess(
  ctx: StepRunContext,
  ran: string,
  result: RunCommandResult,
  wrongExit: (code: string) => string,
): StepOutcome {
  const outcome: StepOutcome = {
    failure: null,
    ran,
    timedOut: result.timedOut,
    exitCode: result.exitCode,
    stdout: clip(result.stdout),
    stderr: clip(result.stderr),
  };
  const fail = (failure: string): StepOutcome => ({ ...outcome, failure });
  if (result.startError) return fail(`could not start: ${result.startError}`);
  if (result.timedOut) return fail(timeoutReason(ctx));
  if (result.aborted) return fail('was cancelled');
  if (result.exitCode !== (ctx.step.expect_exit ?? 0)) {
    return fail(
      wrongExit(result.exitCode === null ? `signal ${result.signal ?? 'unknown'}` : String(result.exitCode)),
    );
  }
  const scope = scopeOf(ctx);
  for (const [stream, expected] of [
    ['stdout', ctx.step.expect_stdout],
    ['stderr', ctx.step.expect_stderr],
  ] as const) {
    if (expected === undefined) continue;
    const actual = stream === 'stdout' ? result.stdout : result.stderr;
    const expectation = compileTextExpectation(expandString(expected, scope));
    if (!expectation.test(actual))
      return fail(`expected ${stream} ${expectation.describe}; it was ${snippet(actual)}`);
  }
  return outcome;
}

function outputHint(result: RunCommandResult): string {
  const line = lastLine(result.stderr) || lastLine(result.stdout);
  return line ? ` (${snippet(line)})` : '';
}

function snippet(text: string): string {
  const cut = text.length > 200 ? `…${text.slice(-200)}` : text;
  return JSON.stringify(cut);
}

// The path may hold `{{ name }}` placeholders with spaces; it is expanded before use.
const HTTP_RUN = /^\s*([A-Za-z]+)\s+(\S.*?)\s*$/;

async function runHttpStep(ctx: StepRunContext): Promise<StepOutcome> {
  const { step } = ctx;
  const parsed = HTTP_RUN.exec(step.run);
  if (!parsed?.[1] || !parsed[2]) {
    return { failure: 'is not of the form "METHOD /path"', ran: step.run, timedOut: false };
  }
  const scope = scopeOf(ctx);
  const method = parsed[1].toUpperCase();
  const target = expandString(parsed[2], scope);
  const ran = `${method} ${target}`;
  if (ctx.baseUrl === null && !/^https?:\/\//i.test(target)) {
    return {
      failure:
        'has no base URL: the recipe has no service with a ready URL and usage_runner.base_url is not set',
      ran,
      timedOut: false,
    };
  }
  let url: URL;
  try {
    url = new URL(target, ctx.baseUrl ?? undefined);
  } catch {
    return { failure: `has an invalid URL \`${target}\``, ran, timedOut: false };
  }
  const headers = expandRecord(step.headers, scope);
  let body: string | null = null;
  if (step.body !== undefined && step.body !== null) {
    const expanded = expandDeep(step.body, scope);
    if (typeof expanded === 'string') body = expanded;
    else {
      body = JSON.stringify(expanded);
      if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
        headers['content-type'] = 'application/json';
      }
    }
  }
  const exchange: HttpExchange = { request: { method, url: url.href, headers, body }, response: null };
  const timeoutSignal = AbortSignal.timeout(Math.max(1, ctx.timeoutMs));
  const signal = ctx.signal ? AbortSignal.any([timeoutSignal, ctx.signal]) : timeoutSignal;
  let status: number;
  let text: string;
  let responseHeaders: Record<string, string>;
  try {
    const response = await fetch(url, { method, headers, ...(body === null ? {} : { body }), signal });
    status = response.status;
    responseHeaders = Object.fromEntries(response.headers.entries());
    text = await response.text();
  } catch (error) {
    const base = { ran, http: exchange, status: null };
    if (ctx.signal?.aborted) return { ...base, failure: 'was cancelled', timedOut: false };
    if (timeoutSignal.aborted) return { ...base, failure: timeoutReason(ctx), timedOut: true };
    return { ...base, failure: `could not reach ${url.href}: ${networkError(error)}`, timedOut: false };
  }
  exchange.response = { status, headers: responseHeaders, body: clip(text) };
  const json = parseJson(text);
  const outcome: StepOutcome = {
    failure: null,
    ran,
    timedOut: false,
    status,
    http: exchange,
    response: { status, json, text },
  };
  const fail = (failure: string): StepOutcome => ({ ...outcome, failure });
  if (step.expect_status !== undefined) {
    if (status !== step.expect_status) {
      return fail(`expected status ${step.expect_status} but got ${status}${bodyHint(text)}`);
    }
  } else if (status >= 400) {
    // Without expect_status an error answer is a failure; a recipe expecting one says so.
    return fail(`got status ${status} (set expect_status to expect it)${bodyHint(text)}`);
  }
  const nextScope: TemplateScope = { ...scope, response: json };
  if (step.expect_json !== undefined) {
    if (json === undefined) return fail(`expected a JSON response but got ${snippet(text)}`);
    const mismatch = jsonSubsetMismatch(expandDeep(step.expect_json, nextScope), json);
    if (mismatch) return fail(`response JSON does not match expect_json: ${mismatch}`);
  }
  if (step.capture) {
    const captured: Record<string, string> = {};
    for (const [name, path] of Object.entries(step.capture)) {
      let found: ReturnType<typeof getJsonPath>;
      try {
        found = getJsonPath(json, path);
      } catch (error) {
        return fail(`cannot capture ${name}: ${(error as Error).message}`);
      }
      if (!found.found) return fail(`cannot capture ${name}: \`${path}\` is not in the response`);
      captured[name] = stringify(found.value);
    }
    Object.assign(ctx.vars, captured);
    outcome.captured = captured;
  }
  return outcome;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function bodyHint(text: string): string {
  return text.trim() === '' ? '' : `: ${snippet(text.trim())}`;
}

function networkError(error: unknown): string {
  const cause =
    error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

// The harnesses bind `response` and `vars` from a JSON file, then run the step's code. Python code
// runs at module level, so an exception prints a traceback whose last line names it.
const PYTHON_HARNESS = `import json, sys
with open(sys.argv[1], encoding="utf-8") as _penguin_file:
    _penguin_context = json.load(_penguin_file)
response = _penguin_context["response"]
vars = _penguin_context["vars"]
with open(sys.argv[2], encoding="utf-8") as _penguin_file:
    _penguin_code = _penguin_file.read()
del _penguin_file, _penguin_context
exec(compile(_penguin_code, "<recipe step>", "exec"))
`;

// JavaScript code runs as the body of an async function (so it may `await` and `throw`); `require`
// resolves from the workspace.
const NODE_HARNESS = `import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const context = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const code = readFileSync(process.argv[3], 'utf8');
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
try {
  await new AsyncFunction('response', 'vars', 'require', code)(
    context.response,
    context.vars,
    createRequire(context.workspace + '/'),
  );
} catch (error) {
  process.stderr.write((error instanceof Error ? (error.stack ?? String(error)).split('\\n')[0] : 'Error: ' + String(error)) + '\\n');
  process.exit(1);
}
`;
