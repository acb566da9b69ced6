// Small helpers shared by the benchmarks: time a function over a few runs and report the median,
// so one noisy run on a shared 2-core machine does not decide a figure.

export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
  /** The target, e.g. "<= 1000 ms". */
  target: string;
  ok: boolean;
}

export async function medianMs(runs: number, fn: () => unknown | Promise<unknown>): Promise<number> {
  const times: number[] = [];
  // `npm run bench` runs node with --expose-gc: collecting before each run keeps the garbage of the
  // setup (a 100,000-task graph, a parsed blueprint) out of the figure being measured.
  const gc = (globalThis as { gc?: () => void }).gc;
  await fn(); // warm-up: JIT and statement caches, as in a long-lived process
  for (let i = 0; i < runs; i++) {
    gc?.();
    const started = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

export function atMost(name: string, value: number, unit: string, limit: number): BenchFigure {
  return { name, value, unit, target: `<= ${limit} ${unit}`, ok: value <= limit };
}

export function atLeast(name: string, value: number, unit: string, limit: number): BenchFigure {
  return { name, value, unit, target: `>= ${limit} ${unit}`, ok: value >= limit };
}
