// `npm run bench`: runs every benchmark and prints each figure against its issue's target.
// Exits 0 even when a target is missed: figures are reported, not asserted (see docs/benchmarks.md).
import { benchApi } from './api.bench.js';
import { benchCli } from './cli.bench.js';
import { benchContainment } from './containment.bench.js';
import { benchFoundation } from './foundation.bench.js';
import { benchOrchestration } from './orchestration.bench.js';
import { benchTemporal } from './temporal.bench.js';
import { benchScheduler } from './scheduler.bench.js';
import type { BenchFigure } from './measure.js';

const suites: [string, () => Promise<BenchFigure[]>][] = [
  ['foundation (issue: blueprint, store, sync, frontier)', benchFoundation],
  ['native orchestration', benchOrchestration],
  ['temporal orchestration (issue 11: native and Temporal, same workload)', benchTemporal],
  ['containment (issue 9: bounded output)', benchContainment],
  ['http api (issue 10: penguin serve)', benchApi],
  ['cli start-up (whole processes)', benchCli],
  ['run mode (issue 12: scheduler, worktrees)', benchScheduler],
];

const only = process.argv[2];
for (const [title, run] of suites) {
  if (only && !title.includes(only)) continue;
  console.log(`\n## ${title}`);
  const figures = await run();
  for (const f of figures) {
    const value = Number.isNaN(f.value) ? 'n/a' : f.value >= 100 ? f.value.toFixed(0) : f.value.toFixed(2);
    console.log(
      `${f.ok ? 'ok  ' : 'MISS'}  ${f.name.padEnd(58)} ${`${value} ${f.unit}`.padStart(16)}   target ${f.target}`,
    );
  }
}
