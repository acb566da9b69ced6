// Runs the BUILT penguin CLI (bin/penguin.js -> dist/) as a real child process. The e2e and cli
// tests need `npm run build` first; `npm test` does that before vitest.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliOutputSchema } from '../../src/contracts/cli.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(REPO_ROOT, 'bin', 'penguin.js');
export const FIXTURES = join(REPO_ROOT, 'test', 'fixtures');

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  env?: Record<string, string>;
}

export function assertBuilt(): void {
  if (!existsSync(join(REPO_ROOT, 'dist', 'cli', 'main.js'))) {
    throw new Error('dist/cli/main.js is missing: run `npm run build` before the CLI tests (npm test does)');
  }
}

export function runCli(args: readonly string[], options: RunOptions): CliResult {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...options.env };
  // The tests decide the config; PENGUIN_* from the developer's shell must not leak in.
  for (const key of Object.keys(env))
    if (key.startsWith('PENGUIN_') && !(options.env && key in options.env)) delete env[key];
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env,
    encoding: 'utf8',
    timeout: 60_000, // a safety bound only
  });
  if (result.error) throw result.error;
  if (result.status === null)
    throw new Error(`penguin ${args.join(' ')} was killed by ${String(result.signal)}`);
  if (args.includes('--json') && result.stdout !== '') assertJsonContract(args, result.stdout);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The command words of `args`: global options skipped, up to the first option of the command. */
function commandWords(args: readonly string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg === '--workspace') i += 1;
    else if (arg === '--json' || arg === '--debug') continue;
    else if (arg.startsWith('-')) break;
    else words.push(arg);
  }
  return words;
}

/**
 * Every --json document an end-to-end test sees must match its command's schema in
 * src/contracts/cli.ts: the CLI contract cannot drift from what the commands print.
 */
export function assertJsonContract(args: readonly string[], stdout: string): void {
  const words = commandWords(args);
  const found = cliOutputSchema(words);
  if (found === null)
    throw new Error(`no --json schema for \`penguin ${words.join(' ')}\` in src/contracts/cli.ts`);
  const parsed = found.schema.safeParse(JSON.parse(stdout));
  if (!parsed.success) {
    throw new Error(`penguin ${found.command} --json does not match its schema:\n${parsed.error.message}`);
  }
}

/** Runs with --json and parses stdout, which must be exactly one JSON document. */
export function runJson<T = Record<string, unknown>>(
  args: readonly string[],
  options: RunOptions,
): CliResult & { json: T } {
  const result = runCli([...args, '--json'], options);
  let json: T;
  try {
    json = JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(
      `stdout of penguin ${args.join(' ')} --json is not one JSON document:\n${result.stdout}\nstderr:\n${result.stderr}`,
    );
  }
  return { ...result, json };
}

export function tempDir(prefix = 'penguin-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Copies a workspace source (an example or a fixture) to `dir`, then runs `init` and `blueprint
 * sync` there as a user would; both must succeed.
 */
export function syncedWorkspace(source: string, dir: string): string {
  cpSync(source, dir, { recursive: true });
  const init = runCli(['init'], { cwd: dir });
  if (init.status !== 0) throw new Error(`penguin init failed in ${dir}: ${init.stderr}`);
  const sync = runCli(['blueprint', 'sync'], { cwd: dir });
  if (sync.status !== 0) throw new Error(`penguin blueprint sync failed in ${dir}: ${sync.stderr}`);
  return dir;
}
