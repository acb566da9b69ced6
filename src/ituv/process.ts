// The one way Penguin runs an external command (agents, test runners, recipe steps, services,
// checks): in its own process group, so a timeout, a cancel or the end of the command kills the
// whole tree and nothing a coding agent spawned outlives its phase.
import { readdirSync, readFileSync } from 'node:fs';
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
  /** Called with the process group id once the command runs (to find it again after a crash). */
  onSpawn?: (pgid: number) => void;
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

/** A command started by `startProcess` that runs alongside the caller (e.g. a recipe's service). */
export interface RunningProcess {
  command: string;
  /** The leader of the process group; undefined when the command could not be started. */
  pid: number | undefined;
  /** Settles when the command ends (by itself, timeout, abort or `stop`). */
  exited: Promise<RunCommandResult>;
  /** Ends the whole process group (SIGTERM, then SIGKILL after the grace) and waits until it is gone. */
  stop(): Promise<RunCommandResult>;
}

/** Runs `command` through `/bin/sh -c` in a new process group and never throws for its failure. */
export async function runCommand(command: string, options: RunCommandOptions): Promise<RunCommandResult> {
  return startProcess(command, options).exited;
}

/**
 * Starts `command` like `runCommand` (own process group, timeout and abort kill the tree) but returns
 * at once, so the caller can run other commands while it lives.
 */
export function startProcess(command: string, options: RunCommandOptions): RunningProcess {
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
    const result = failedToStart(command, error, started);
    return { command, pid: undefined, exited: Promise.resolve(result), stop: () => Promise.resolve(result) };
  }
  const pid = child.pid;
  if (pid !== undefined) options.onSpawn?.(pid);
  const graceMs = options.killGraceMs ?? 2_000;
  const terminate = (): void => {
    killProcessGroup(pid, 'SIGTERM');
    setTimeout(() => killProcessGroup(pid, 'SIGKILL'), graceMs).unref();
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
  const exited = (async (): Promise<RunCommandResult> => {
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
      startError:
        spawnFailed && !timedOut && !aborted
          ? result.originalMessage || result.message || 'spawn failed'
          : null,
      durationMs: Date.now() - started,
    };
  })();
  const stop = async (): Promise<RunCommandResult> => {
    terminate();
    const result = await exited;
    await waitForProcessGroupExit(pid, graceMs + 5_000);
    return result;
  };
  return { command, pid, exited, stop };
}

/** Resolves true once no live process is left in the group led by `pid` (false if still alive at the limit). */
export async function waitForProcessGroupExit(pid: number | undefined, limitMs: number): Promise<boolean> {
  if (pid === undefined) return true;
  const deadline = Date.now() + limitMs;
  while (processGroupAlive(pid)) {
    if (Date.now() >= deadline) return false;
    killProcessGroup(pid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

/** True while the group led by `pgid` has a member that is not a zombie. */
export function processGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  // kill(0) also succeeds for zombies nobody has reaped yet (e.g. orphans of a PID 1 that does not
  // reap); on Linux /proc tells them apart. Elsewhere, trust kill(0).
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // Fields after "(comm) ": state ppid pgrp ...; comm may contain spaces, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') return true;
  }
  return false;
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
  if (result.timedOut)
    return `\`${result.command}\` timed out after ${Math.round((timeoutMs ?? 0) / 1000)} s and was killed`;
  if (result.aborted) return `\`${result.command}\` was cancelled`;
  if (result.signal) return `\`${result.command}\` was killed by ${result.signal}`;
  return `\`${result.command}\` exited with code ${result.exitCode}`;
}
