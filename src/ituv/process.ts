// The one way Penguin runs an external command (agents, test runners, recipe steps, services,
// checks): in its own process group, so a timeout, a cancel or the end of the command kills the
// whole tree and nothing a coding agent spawned outlives its phase.
import { execa, type ResultPromise } from 'execa';

export interface RunCommandOptions {
  cwd: string;
  /** The complete environment; nothing of Penguin's own environment leaks in unless passed here. */
  env: Record<string, string | undefined>;
  /** Written to stdin, which is then closed. */
  input?: string;
  /** Kill the process tree after this long. */
  timeoutMs?: number;
  /** Kill the process tree when this aborts (cancel signal). */
  signal?: AbortSignal;
  /** Live output, e.g. to publish agent.output events. */
  onOutput?: (stream: 'stdout' | 'stderr', chunk: string) => void;
  /** Grace between SIGTERM and SIGKILL. */
  killGraceMs?: number;
}

export interface RunCommandResult {
  command: string;
  exitCode: number | null;
  /** The signal that ended the process, if any. */
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  aborted: boolean;
  /** Set when the command could not be started at all (missing cwd, spawn error). */
  startError: string | null;
  durationMs: number;
}

/** Sends `signal` to every process in the group led by `pid`; a group already gone is fine. */
export function killProcessGroup(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group has already exited.
  }
}

/** Runs `command` through `/bin/sh -c` in a new process group and never throws for its failure. */
export async function runCommand(command: string, options: RunCommandOptions): Promise<RunCommandResult> {
  const started = Date.now();
  let timedOut = false;
  let aborted = false;
  let child: ResultPromise<{ shell: true; reject: false; detached: true; encoding: 'utf8' }>;
  try {
    child = execa(command, {
      shell: true,
      cwd: options.cwd,
      env: options.env,
      extendEnv: false,
      detached: true,
      reject: false,
      stripFinalNewline: false,
      encoding: 'utf8',
      ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
    });
  } catch (error) {
    return failedToStart(command, error, started);
  }
  const pid = child.pid;
  const terminate = (): void => {
    killProcessGroup(pid, 'SIGTERM');
    setTimeout(() => killProcessGroup(pid, 'SIGKILL'), options.killGraceMs ?? 2_000).unref();
  };
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          terminate();
        }, options.timeoutMs);
  const onAbort = (): void => {
    aborted = true;
    terminate();
  };
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.onOutput) {
    const onOutput = options.onOutput;
    child.stdout?.on('data', (chunk: Buffer | string) => onOutput('stdout', chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer | string) => onOutput('stderr', chunk.toString()));
  }
  // Background children may hold stdout open after the main process exits; end them so the
  // result is not held hostage until the timeout.
  child.on('exit', () => killProcessGroup(pid, 'SIGKILL'));
  const result = await child;
  if (timer) clearTimeout(timer);
  options.signal?.removeEventListener('abort', onAbort);
  killProcessGroup(pid, 'SIGKILL');
  const spawnFailed = result.failed && result.exitCode === undefined && result.signal === undefined;
  return {
    command,
    exitCode: result.exitCode ?? null,
    signal: result.signal ?? null,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    timedOut,
    aborted,
    startError: spawnFailed && !timedOut && !aborted ? (result.originalMessage || result.message || "spawn failed") : null,
    durationMs: Date.now() - started,
  };
}

function failedToStart(command: string, error: unknown, started: number): RunCommandResult {
  return {
    command,
    exitCode: null,
    signal: null,
    stdout: '',
    stderr: '',
    timedOut: false,
    aborted: false,
    startError: error instanceof Error ? error.message : String(error),
    durationMs: Date.now() - started,
  };
}

/** A one-line description of how a command ended, for failure summaries. */
export function describeOutcome(result: RunCommandResult, timeoutMs?: number): string {
  if (result.startError) return `could not start \`${result.command}\`: ${result.startError}`;
  if (result.timedOut) return `\`${result.command}\` timed out after ${Math.round((timeoutMs ?? 0) / 1000)} s and was killed`;
  if (result.aborted) return `\`${result.command}\` was cancelled`;
  if (result.signal) return `\`${result.command}\` was killed by ${result.signal}`;
  return `\`${result.command}\` exited with code ${result.exitCode}`;
}
