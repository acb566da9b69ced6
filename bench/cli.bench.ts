// Whole-process CLI figures (issue 7 item 7): the built `penguin` spawned as a user runs it, timed from
// spawn to exit, median of 5 after a warm-up, with the child's peak RSS. `--version`, and `task ready`
// and `task frontier` on a generated 10,000-task workspace; bare `node -e 0` for reference.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateMarkdownBlueprint } from './foundation.bench.js';
import { atMost, type BenchFigure } from './measure.js';

// Compiled to dist-bench/bench/, so the repository is two levels up.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'penguin.js');
// GNU time reports the child's peak RSS (getrusage ru_maxrss) after it exits; without it RSS is n/a.
const TIME = '/usr/bin/time';
const RUNS = 5;

interface ProcessFigures {
  wallMs: number;
  /** Peak resident set of the child, MiB; NaN when it cannot be measured here. */
  peakMiB: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** One run: wall time around the spawn (output discarded, as to a file) and the child's peak RSS. */
function runOnce(args: readonly string[], cwd: string, rssFile: string): ProcessFigures {
  const measured = existsSync(TIME);
  const [command, ...rest] = measured
    ? [TIME, '-f', '%M', '-o', rssFile, process.execPath, ...args]
    : [process.execPath, ...args];
  const started = process.hrtime.bigint();
  const result = spawnSync(command!, rest, { cwd, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  const peakKiB = measured ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) : Number.NaN;
  return { wallMs, peakMiB: peakKiB / 1024 };
}

/** Median wall time and median peak RSS of RUNS runs after one warm-up (page cache, disk). */
function measure(args: readonly string[], cwd: string, rssFile: string): ProcessFigures {
  runOnce(args, cwd, rssFile);
  const runs = Array.from({ length: RUNS }, () => runOnce(args, cwd, rssFile));
  return { wallMs: median(runs.map((r) => r.wallMs)), peakMiB: median(runs.map((r) => r.peakMiB)) };
}

function cli(args: readonly string[], cwd: string): void {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`penguin ${args.join(' ')} failed: ${result.stderr}`);
}

function reference(name: string, value: number, unit: string): BenchFigure {
  return { name, value, unit, target: 'n/a', ok: true };
}

function memory(name: string, peakMiB: number, limit: number): BenchFigure {
  return Number.isNaN(peakMiB)
    ? { name, value: Number.NaN, unit: 'MiB', target: `<= ${limit} MiB (no ${TIME} here)`, ok: true }
    : atMost(name, peakMiB, 'MiB', limit);
}

export async function benchCli(): Promise<BenchFigure[]> {
  if (!existsSync(join(ROOT, 'dist', 'bundle', 'main.js'))) {
    throw new Error('dist/bundle/main.js is missing: run `npm run build` first (npm run bench does)');
  }
  const dir = mkdtempSync(join(tmpdir(), 'penguin-cli-bench-'));
  try {
    const ws = join(dir, 'ws');
    mkdirSync(join(ws, 'context', 'specs'), { recursive: true });
    cli(['init'], ws);
    // 10,000 tasks, each depending on up to two earlier ones: one ready, 9,999 blocked with a reason.
    writeFileSync(join(ws, 'context', 'specs', 'big.md'), generateMarkdownBlueprint(10_000));
    cli(['blueprint', 'sync'], ws);
    const rss = join(dir, 'rss.txt');

    const node = measure(['-e', '0'], dir, rss);
    const version = measure([BIN, '--version'], dir, rss);
    const ready = measure([BIN, 'task', 'ready'], ws, rss);
    const frontier = measure([BIN, 'task', 'frontier'], ws, rss);
    return [
      reference('node -e 0 (for reference)', node.wallMs, 'ms'),
      reference('  its peak RSS', node.peakMiB, 'MiB'),
      atMost('penguin --version', version.wallMs, 'ms', 100),
      reference('  its peak RSS', version.peakMiB, 'MiB'),
      atMost('penguin task ready, 10,000 tasks', ready.wallMs, 'ms', 200),
      memory('  its peak RSS', ready.peakMiB, 100),
      atMost('penguin task frontier, 10,000 tasks (9,999 blocked)', frontier.wallMs, 'ms', 200),
      memory('  its peak RSS', frontier.peakMiB, 100),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
