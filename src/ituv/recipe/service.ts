// A recipe's service: started in its own process group alongside the steps, polled until ready,
// and always torn down (whole group killed and waited for) when the recipe ends.
import { resolve } from 'node:path';
import type { RecipeService } from '../../blueprint/model.js';
import { runCommand, startProcess, type RunCommandResult, type RunningProcess } from '../process.js';
import { lastLine } from './shell.js';

/** Time between readiness polls. */
const POLL_INTERVAL_MS = 150;
/** A single readiness request or command may not take longer than this. */
const PROBE_LIMIT_MS = 5_000;
/** service.log keeps at most this much of the service's output (the tail). */
const MAX_LOG_CHARS = 1024 * 1024;

export interface StartedService {
  command: string;
  cwd: string;
  process: RunningProcess;
  /** The service's combined output so far. */
  log(): string;
  /** Set once the process has ended. */
  exitResult(): RunCommandResult | null;
}

export function startService(
  service: RecipeService,
  command: string,
  env: Record<string, string>,
  workspaceRoot: string,
): StartedService {
  const cwd = resolve(workspaceRoot, service.cwd ?? '.');
  const log = new TailLog(MAX_LOG_CHARS);
  let ended: RunCommandResult | null = null;
  const running = startProcess(command, {
    cwd,
    env,
    killGraceMs: 2_000,
    // Nothing of the service's own output is kept in memory beyond the log's tail.
    captureBytes: 0,
    onOutput: (_stream, chunk) => log.push(chunk),
  });
  void running.exited.then((result) => {
    ended = result;
  });
  return { command, cwd, process: running, log: () => log.text(), exitResult: () => ended };
}

/** The last `limit` characters of what was pushed, without copying the whole tail on every push. */
class TailLog {
  private readonly chunks: string[] = [];
  private length = 0;
  private dropped = 0;

  constructor(private readonly limit: number) {}

  push(chunk: string): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
    while (this.chunks.length > 1 && this.length - (this.chunks[0]?.length ?? 0) >= this.limit) {
      const first = this.chunks.shift() ?? '';
      this.length -= first.length;
      this.dropped += first.length;
    }
  }

  text(): string {
    const joined = this.chunks.join('');
    const cut = Math.max(0, joined.length - this.limit);
    const note = this.dropped + cut > 0 ? `(${this.dropped + cut} characters truncated)\n` : '';
    return note + joined.slice(cut);
  }
}

export interface ReadinessCheck {
  /** A URL polled until any HTTP answer below 500, or a shell command polled until it exits 0. */
  ready: string | null;
  env: Record<string, string>;
  /** How long to wait at most, and whether that limit is the recipe's remaining time. */
  limitMs: number;
  limitedByRecipe: boolean;
  signal?: AbortSignal;
}

/** Null when the service is ready, else why not (a sentence fragment after "the service"). */
export async function waitUntilReady(service: StartedService, check: ReadinessCheck): Promise<string | null> {
  const deadline = Date.now() + check.limitMs;
  const isUrl = check.ready !== null && /^https?:\/\//i.test(check.ready);
  for (;;) {
    const ended = service.exitResult();
    if (ended) return exitedEarly(service, ended);
    if (check.signal?.aborted) return 'was cancelled while starting';
    if (check.ready === null) return null;
    const probeMs = Math.max(1, Math.min(PROBE_LIMIT_MS, deadline - Date.now()));
    if (isUrl ? await urlAnswers(check.ready, probeMs) : await commandSucceeds(check, service.cwd, probeMs)) {
      // A probe may succeed against something else on the port while our service dies.
      const after = service.exitResult();
      return after ? exitedEarly(service, after) : null;
    }
    if (Date.now() >= deadline) {
      const why = check.limitedByRecipe ? " (the recipe's time ran out)" : '';
      return `was not ready after ${Math.round(check.limitMs / 1000)} s${why} (ready: ${check.ready})${outputTail(service.log())}`;
    }
    await Promise.race([sleep(POLL_INTERVAL_MS), service.process.exited]);
  }
}

function exitedEarly(service: StartedService, ended: RunCommandResult): string {
  const how = ended.startError
    ? `could not start (${ended.startError})`
    : ended.exitCode === null
      ? `was killed by ${ended.signal ?? 'a signal'}`
      : `exited with code ${ended.exitCode}`;
  return `${how} before it was ready${outputTail(service.log())}`;
}

function outputTail(log: string): string {
  const line = lastLine(log);
  return line ? `; its last output: ${JSON.stringify(line.length > 200 ? line.slice(-200) : line)}` : '';
}

async function urlAnswers(url: string, limitMs: number): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(limitMs) });
    await response.body?.cancel();
    return response.status < 500;
  } catch {
    return false;
  }
}

async function commandSucceeds(check: ReadinessCheck, cwd: string, limitMs: number): Promise<boolean> {
  const result = await runCommand(check.ready ?? 'true', {
    cwd,
    env: check.env,
    timeoutMs: limitMs,
    killGraceMs: 200,
    ...(check.signal ? { signal: check.signal } : {}),
  });
  return result.exitCode === 0 && !result.timedOut;
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
