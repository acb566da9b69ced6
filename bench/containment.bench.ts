// Containment figures (issue 9): 1 GiB written by a command agent, and by a test runner, must leave
// the host's memory within about 100 MiB of its baseline, with every byte in stdout.log and the run
// ending normally. Each run is a fresh process (containment-host.ts) so earlier benchmarks' peaks do
// not count; the figure is its peak RSS while the command ran minus its RSS just before.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { containment } from '../src/ituv/process.js';
import { atMost, type BenchFigure } from './measure.js';

const GIB = 1024 * 1024 * 1024;
const MIB = 1024 * 1024;
const HOST = fileURLToPath(new URL('./containment-host.js', import.meta.url));

interface HostFigures {
  ok: boolean;
  baseline: number;
  peak: number;
  logBytes: number;
  live: number;
  ms: number;
}

function measure(kind: 'agent' | 'runner', bytes: number): HostFigures {
  const scratch = mkdtempSync(join(tmpdir(), 'penguin-bench-containment-'));
  try {
    const run = spawnSync(process.execPath, ['--expose-gc', HOST, kind, String(bytes), scratch], {
      encoding: 'utf8',
      maxBuffer: 1024 * 1024,
    });
    if (run.status !== 0) throw new Error(`containment host (${kind}) failed: ${run.stderr}`);
    return JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as HostFigures;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export function benchContainment(): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  console.log(`containment mode: ${containment().mode} (${containment().detail})`);
  for (const kind of ['agent', 'runner'] as const) {
    const run = measure(kind, GIB);
    const grew = (run.peak - run.baseline) / MIB;
    const whole = run.ok && run.logBytes >= GIB;
    console.log(
      `${kind}: ${whole ? 'ended normally, all 1 GiB in stdout.log' : 'DID NOT END NORMALLY'}; ` +
        `RSS ${(run.baseline / MIB).toFixed(0)} -> peak ${(run.peak / MIB).toFixed(0)} MiB; ` +
        `${(run.ms / 1000).toFixed(1)} s; live output forwarded ${(run.live / MIB).toFixed(1)} MiB`,
    );
    const figure = atMost(`peak RSS above baseline, 1 GiB of ${kind} output`, grew, 'MiB', 100);
    figures.push(whole ? figure : { ...figure, ok: false });
  }
  return Promise.resolve(figures);
}
