// The one way Penguin runs an external command (agents, test runners, recipe steps, services,
// checks, git). Containment (DESIGN §5, issue 9): nothing a command starts outlives it.
//
// - pid-namespace mode (Linux with a working `unshare`): the command runs as the child of a tiny init
//   shell in a fresh PID namespace. When that init exits, the kernel kills everything left in the
//   namespace, setsid'ed and double-forked children included. `unshare --kill-child` kills the init
//   when unshare dies, and `setpriv --pdeathsig KILL` kills unshare when the host dies, even by
//   SIGKILL. So the tree ends with the command, at its timeout, on stop, and with its host.
// - process-group mode (the fallback): the command leads its own process group, and a reaper also
//   kills every process that still carries the command's marker in its environment (Linux /proc),
//   which catches setsid'ed children that left the group. A host killed by SIGKILL leaves them
//   running; command agents record their group and marker so the next attempt ends them.
//
// A command is done when its direct child exits: what it left holding the pipes is killed, the
// pipes are drained briefly and then closed. Output is streamed to files as it comes; only a capped
// head and tail of each stream is held in memory.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  createWriteStream,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
  type WriteStream,
} from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import type { ContainmentMode } from '../contracts/views.js';

export type { ContainmentMode } from '../contracts/views.js';

export interface Containment {
  mode: ContainmentMode;
  /** One line for `penguin status`: how commands are contained here, or why only by group. */
  detail: string;
  /** The argv that starts a command in its own PID namespace; empty in process-group mode. */
  prefix: readonly string[];
}

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
  /** Called once the command runs, with its process group id and reaper marker (to end it after a crash). */
  onSpawn?: (pgid: number, marker: string | null) => void;
  /** Every byte of stdout is written here as it comes (the file is replaced). */
  stdoutFile?: string;
  /** Every byte of stderr is written here as it comes (the file is replaced). */
  stderrFile?: string;
  /** At most this many bytes of each stream are kept in memory (head and tail); default 1 MiB. */
  captureBytes?: number;
  /** Force a mode (tests, or a caller that contains the command itself); default: the probed one. */
  containment?: ContainmentMode;
}

export interface RunCommandResult {
  command: string;
  exitCode: number | null;
  /** The signal that ended the process, if any. */
  signal: string | null;
  /** The captured stdout: all of it, or its head and tail around "(N bytes truncated)". */
  stdout: string;
  stderr: string;
  /** How many bytes each stream produced in all. */
  stdoutBytes: number;
  stderrBytes: number;
  timedOut: boolean;
  aborted: boolean;
  /** Set when the command could not be started at all (missing cwd, spawn error). */
  startError: string | null;
  durationMs: number;
  containment: ContainmentMode;
}

/** The default in-memory cap per stream. */
export const DEFAULT_CAPTURE_BYTES = 1024 * 1024;
/** After the direct child exits, how long pipes still held open elsewhere may deliver output. */
const DRAIN_MS = 200;
/** How long, at most, the end of the output may wait for a slow disk after the command exited. */
const MAX_DISK_WAIT_MS = 60_000;
/** The environment variable that marks every process of one command (process-group mode). */
export const MARKER_VARIABLE = 'PENGUIN_PROCESS_MARKER';

// The init of the namespace: runs the command as its child (a PID 1 would ignore SIGTERM) and
// exits with its status; its exit ends the namespace.
const INIT_SCRIPT = '"$@"; exit $?';

let probed: Containment | undefined;

/** How commands are contained on this machine: probed once per process, then cached. */
export function containment(): Containment {
  probed ??= probeContainment();
  return probed;
}

/** The PID-namespace command lines to try, best first (exported for tests). */
export function namespaceCandidates(uid = process.getuid?.() ?? -1): string[][] {
  const unshare = ['setpriv', '--pdeathsig', 'KILL', 'unshare'];
  // Its own /proc, so `ps` and `pkill` inside see (and can signal) only the command's processes;
  // slave propagation lets later host mounts in but none of the command's out.
  const pid = ['--pid', '--fork', '--kill-child', '--mount-proc', '--propagation', 'slave'];
  // Without root, a user namespace lends the rights; mapping the user to itself keeps its identity.
  const userNs = [
    [...unshare, '--user', '--map-current-user', ...pid],
    [...unshare, '--user', '--map-root-user', ...pid],
  ];
  return uid === 0 ? [[...unshare, ...pid], ...userNs] : userNs;
}

/** Trial-runs each candidate (is the command PID 1 of a new namespace?); the first that works wins. */
export function probeContainment(candidates: string[][] = namespaceCandidates()): Containment {
  if (process.platform !== 'linux') {
    return groupOnly(`${process.platform} has no PID namespaces`);
  }
  const reasons: string[] = [];
  for (const prefix of candidates) {
    const [program, ...args] = prefix;
    if (program === undefined) continue;
    const trial = spawnSync(program, [...args, '/bin/sh', '-c', 'test "$$" = 1'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 10_000,
      encoding: 'utf8',
    });
    if (trial.status === 0) {
      return {
        mode: 'pid-namespace',
        detail: `each command in its own PID namespace (${prefix.join(' ')})`,
        prefix,
      };
    }
    const why = trial.error?.message ?? (trial.stderr.trim().split('\n')[0] || `exit code ${trial.status}`);
    reasons.push(why);
  }
  return groupOnly(`PID namespaces unavailable (${[...new Set(reasons)].join('; ')})`);
}

function groupOnly(reason: string): Containment {
  return { mode: 'process-group', detail: `process group and reaper: ${reason}`, prefix: [] };
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

/**
 * Signals every live process whose environment holds `PENGUIN_PROCESS_MARKER=marker` (Linux; a
 * no-op elsewhere or for processes of other users). Returns how many it signalled.
 */
export function signalMarked(marker: string, signal: NodeJS.Signals = 'SIGKILL'): number {
  const needle = Buffer.from(`${MARKER_VARIABLE}=${marker}\0`);
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return 0;
  }
  let count = 0;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let environ: Buffer;
    try {
      environ = readFileSync(`/proc/${entry}/environ`);
    } catch {
      continue;
    }
    if (environ.indexOf(needle) === -1) continue;
    try {
      process.kill(Number(entry), signal);
      count++;
    } catch {
      // gone meanwhile
    }
  }
  return count;
}

/** Kills the marked processes until none is left (they may fork while we look); bounded passes. */
export function reapMarked(marker: string): void {
  for (let pass = 0; pass < 10 && signalMarked(marker, 'SIGKILL') > 0; pass++);
}

/** A command started by `startProcess` that runs alongside the caller (e.g. a recipe's service). */
export interface RunningProcess {
  command: string;
  /** The leader of the process group; undefined when the command could not be started. */
  pid: number | undefined;
  /** Settles when the command ends (by itself, timeout, abort or `stop`). */
  exited: Promise<RunCommandResult>;
  /** Ends the whole tree (SIGTERM, then SIGKILL after the grace) and waits until it is gone. */
  stop(): Promise<RunCommandResult>;
}

/** Runs `command` through `/bin/sh -c`, contained, and never throws for its failure. */
export async function runCommand(command: string, options: RunCommandOptions): Promise<RunCommandResult> {
  return startProcess(command, options).exited;
}

/** Starts `command` like `runCommand` but returns at once, so the caller can run others meanwhile. */
export function startProcess(command: string, options: RunCommandOptions): RunningProcess {
  const started = Date.now();
  const contained = options.containment ?? containment().mode;
  const prefix = contained === 'pid-namespace' ? containment().prefix : [];
  const inNamespace = prefix.length > 0;
  const mode: ContainmentMode = inNamespace ? 'pid-namespace' : 'process-group';
  const marker = inNamespace ? null : randomUUID();
  const notStarted = (message: string): RunningProcess => {
    const result = emptyResult(command, mode, started, message);
    // The output files hold what the command wrote: nothing.
    for (const path of [options.stdoutFile, options.stderrFile]) if (path) touch(path);
    return { command, pid: undefined, exited: Promise.resolve(result), stop: () => Promise.resolve(result) };
  };
  const cwdProblem = directoryProblem(options.cwd);
  if (cwdProblem) return notStarted(cwdProblem);

  const argv = inNamespace
    ? [...prefix, '/bin/sh', '-c', INIT_SCRIPT, 'penguin-init', '/bin/sh', '-c', command]
    : ['/bin/sh', '-c', command];
  const env = marker === null ? options.env : { ...options.env, [MARKER_VARIABLE]: marker };
  let child: ChildProcess;
  try {
    child = spawn(argv[0] as string, argv.slice(1), {
      cwd: options.cwd,
      env: definedOnly(env),
      detached: true,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
  } catch (error) {
    return notStarted(messageOf(error));
  }
  const pid = child.pid;
  const graceMs = options.killGraceMs ?? 2_000;
  const limit = options.captureBytes ?? DEFAULT_CAPTURE_BYTES;
  const live = options.onOutput;
  const stdout = new StreamSink(
    child.stdout,
    limit,
    options.stdoutFile,
    live && ((text) => live('stdout', text)),
  );
  const stderr = new StreamSink(
    child.stderr,
    limit,
    options.stderrFile,
    live && ((text) => live('stderr', text)),
  );
  if (options.input !== undefined && child.stdin) {
    // A command that exits without reading its input closes the pipe: EPIPE is not our failure.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input);
  }

  let timedOut = false;
  let aborted = false;
  const killAll = (signal: NodeJS.Signals): void => {
    killProcessGroup(pid, signal);
    if (marker !== null) {
      if (signal === 'SIGKILL') reapMarked(marker);
      else signalMarked(marker, signal);
    }
  };
  let killTimer: NodeJS.Timeout | undefined;
  const terminate = (): void => {
    killAll('SIGTERM');
    killTimer ??= setTimeout(() => killAll('SIGKILL'), graceMs);
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
  if (pid !== undefined) options.onSpawn?.(pid, marker);

  const exited = new Promise<RunCommandResult>((resolveResult) => {
    let spawnError: string | null = null;
    child.once('error', (error) => {
      spawnError = messageOf(error);
      // No 'exit' follows a failed spawn.
      if (pid === undefined) void finish(null, null);
    });
    child.once('exit', (code, signal) => void finish(code, signal));
    let finished = false;
    const finish = async (code: number | null, signal: NodeJS.Signals | null): Promise<void> => {
      if (finished) return;
      finished = true;
      if (timer) clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      // The command is done: whatever it left behind goes now, and may not hold the pipes hostage.
      killAll('SIGKILL');
      await Promise.all([stdout.close(DRAIN_MS), stderr.close(DRAIN_MS)]);
      resolveResult({
        command,
        exitCode: code,
        signal,
        stdout: stdout.text(),
        stderr: stderr.text(),
        stdoutBytes: stdout.bytes,
        stderrBytes: stderr.bytes,
        timedOut,
        aborted,
        startError: pid === undefined ? (spawnError ?? 'spawn failed') : null,
        durationMs: Date.now() - started,
        containment: mode,
      });
    };
  });
  const stop = async (): Promise<RunCommandResult> => {
    terminate();
    const result = await exited;
    await waitForProcessGroupExit(pid, graceMs + 5_000);
    return result;
  };
  return { command, pid, exited, stop };
}

/**
 * One output stream of a command: every chunk goes to its file (with backpressure, so a fast writer
 * waits for the disk rather than filling memory) and to a capped capture of the first and last bytes.
 */
class StreamSink {
  bytes = 0;
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private readonly tail: Buffer[] = [];
  private tailBytes = 0;
  private readonly headLimit: number;
  private readonly tailLimit: number;
  private readonly file: WriteStream | null;
  private readonly decoder = new StringDecoder('utf8');
  private readonly ended: Promise<void>;
  /** Paused until the file catches up: then the time waiting is ours, not a pipe holder's. */
  private waitingForDisk = false;

  constructor(
    private readonly stream: Readable | null,
    limit: number,
    path: string | undefined,
    private readonly live: ((text: string) => void) | undefined,
  ) {
    this.headLimit = Math.floor(limit / 4);
    this.tailLimit = limit - this.headLimit;
    this.file = path === undefined ? null : createWriteStream(path);
    // A full disk must not fail the command: stop writing, keep capturing.
    this.file?.on('error', () => undefined);
    this.ended = new Promise((resolve) => {
      if (!stream) return resolve();
      stream.once('close', resolve);
      stream.once('end', resolve);
      stream.once('error', () => resolve());
    });
    stream?.on('data', (chunk: Buffer) => this.take(chunk));
  }

  private take(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.file && !this.file.destroyed && !this.file.write(chunk) && !this.waitingForDisk) {
      this.waitingForDisk = true;
      this.stream?.pause();
      this.file.once('drain', () => {
        this.waitingForDisk = false;
        this.stream?.resume();
      });
    }
    if (this.live) {
      const text = this.decoder.write(chunk);
      if (text) this.live(text);
    }
    let rest = chunk;
    if (this.headBytes < this.headLimit) {
      const part = rest.subarray(0, this.headLimit - this.headBytes);
      this.head.push(part);
      this.headBytes += part.length;
      rest = rest.subarray(part.length);
    }
    if (rest.length === 0) return;
    this.tail.push(rest);
    this.tailBytes += rest.length;
    // Drop whole chunks from the front while the rest still covers the tail limit.
    while (this.tail.length > 1 && this.tailBytes - (this.tail[0]?.length ?? 0) >= this.tailLimit) {
      this.tailBytes -= this.tail.shift()?.length ?? 0;
    }
  }

  /**
   * Waits for the stream to end, giving up after `drainMs` without progress of our own (a pipe held
   * open by a process that escaped), then closes it and flushes the file. Time spent waiting for the
   * disk does not count, so the last output of a fast writer is never cut.
   */
  async close(drainMs: number): Promise<void> {
    const deadline = Date.now() + MAX_DISK_WAIT_MS;
    let ended = false;
    void this.ended.then(() => (ended = true));
    while (!ended) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.ended, new Promise((resolve) => (timer = setTimeout(resolve, drainMs)))]);
      if (timer) clearTimeout(timer);
      if (ended || !this.waitingForDisk || Date.now() >= deadline) break;
    }
    this.stream?.destroy();
    const rest = this.live ? this.decoder.end() : '';
    if (rest) this.live?.(rest);
    const file = this.file;
    if (file && !file.destroyed) await new Promise<void>((resolve) => file.end(resolve));
  }

  /** The captured text: all of it, or the head and the tail around the number of bytes left out. */
  text(): string {
    const head = Buffer.concat(this.head);
    let tail = Buffer.concat(this.tail);
    if (tail.length > this.tailLimit) tail = tail.subarray(tail.length - this.tailLimit);
    const dropped = this.bytes - head.length - tail.length;
    if (dropped <= 0) return Buffer.concat([head, tail]).toString('utf8');
    return `${head.toString('utf8')}\n(${dropped} bytes truncated)\n${tail.toString('utf8')}`;
  }
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

function directoryProblem(cwd: string): string | null {
  try {
    return statSync(cwd).isDirectory() ? null : `the working directory ${cwd} is not a directory`;
  } catch {
    return `the working directory ${cwd} does not exist`;
  }
}

function touch(path: string): void {
  try {
    writeFileSync(path, '');
  } catch {
    // A missing directory: the caller sees no file, as with any other write failure.
  }
}

function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) out[name] = value;
  return out;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function emptyResult(
  command: string,
  mode: ContainmentMode,
  started: number,
  startError: string,
): RunCommandResult {
  return {
    command,
    exitCode: null,
    signal: null,
    stdout: '',
    stderr: '',
    stdoutBytes: 0,
    stderrBytes: 0,
    timedOut: false,
    aborted: false,
    startError,
    durationMs: Date.now() - started,
    containment: mode,
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
