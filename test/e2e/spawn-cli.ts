// Runs the BUILT penguin CLI in the background, like a command left running in another terminal,
// so a test can steer it from other processes and kill it. The synchronous variant is run-cli.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { assertBuilt, BIN, syncedWorkspace, tempDir, type RunOptions } from './run-cli.js';

export interface BackgroundCli {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal) once the process has ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Whether the process is still running. */
  alive(): boolean;
  /** SIGKILL, if it still runs; resolves when it has ended. */
  kill(): Promise<void>;
}

export function spawnCli(args: readonly string[], options: RunOptions): BackgroundCli {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...options.env };
  // Same rule as runCli: the test decides the PENGUIN_* configuration.
  for (const key of Object.keys(env))
    if (key.startsWith('PENGUIN_') && !(options.env && key in options.env)) delete env[key];
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`penguin ${args.join(' ')} did not start`);
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  let ended = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      ended = true;
      resolve({ code, signal });
    });
  });
  return {
    child,
    pid: child.pid,
    stdout: () => out,
    stderr: () => err,
    exited,
    alive: () => !ended && child.exitCode === null && child.signalCode === null,
    async kill() {
      if (!ended) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Polls `check` until it returns a value (not undefined), or throws after `timeoutMs`. */
export async function waitUntil<T>(
  what: string,
  check: () => T | undefined,
  timeoutMs = 20_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * For a describe block (or file) of tests that leave CLIs running: checks the build, makes one
 * scratch directory, kills what a test started in the background after it (a failed test must not
 * leave a host running) and removes the directory at the end. `workspace` copies a source there,
 * initialised and synced like a user would.
 */
export function backgroundCliScratch(prefix: string): {
  background: BackgroundCli[];
  workspace: (source: string, name: string) => string;
} {
  let scratch = '';
  const background: BackgroundCli[] = [];
  beforeAll(() => {
    assertBuilt();
    scratch = tempDir(prefix);
  });
  afterEach(async () => {
    await Promise.all(background.splice(0).map((cli) => cli.kill()));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  return { background, workspace: (source, name) => syncedWorkspace(source, join(scratch, name)) };
}
