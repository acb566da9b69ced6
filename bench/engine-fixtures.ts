// What the engine benches run workflows with: a machine config with short retry backoff and an
// instant in-process phase executor, so that their figures are the engines' own cost.
import type { MachineConfig } from '../src/orchestration/machine/index.js';
import type { PhaseContext, PhaseExecutor, PhaseOutcome } from '../src/orchestration/phase-executor.js';

export const BENCH_ENGINE_CONFIG: MachineConfig = {
  retry: { max_attempts: 3, initial_interval_sec: 0.01, backoff: 2, max_interval_sec: 0.1 },
  timeboxSec: { implement: 60, test: 60, use: 60, verify: 60 },
  maxIterations: 3,
  autoApprove: true,
};

/** Every phase passes at once. */
export const instantExecutor: PhaseExecutor = {
  execute: (ctx: PhaseContext): Promise<PhaseOutcome> =>
    Promise.resolve({ kind: 'passed', summary: `${ctx.phase} ok`, result: { phase: ctx.phase } }),
};
