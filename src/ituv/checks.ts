// The `verification.checks` commands (lint, typecheck, ...) that VERIFY runs itself rather than
// trusting an agent's word. Run one after another: they usually compete for the same CPU.
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { describeOutcome, runCommand } from './process.js';
import type { CheckResult } from './results.js';

export const checkSpecSchema = z.object({
  name: z.string().trim().min(1, 'a check needs a name'),
  command: z.string().trim().min(1, 'a check needs a command'),
});
export type CheckSpec = z.infer<typeof checkSpecSchema>;

export interface RunChecksOptions {
  workspaceRoot: string;
  /** Per check. */
  timeoutMs: number;
  /** Environment of the commands; defaults to Penguin's own, as a CI job would have. */
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
}

/** How much of a failing check's output goes into its failure line. */
const OUTPUT_TAIL_LINES = 15;
const OUTPUT_TAIL_CHARS = 1_500;

export async function runChecks(
  checks: readonly CheckSpec[],
  options: RunChecksOptions,
): Promise<CheckResult[]> {
  const specs = checks.map((check, index) => {
    const parsed = checkSpecSchema.safeParse(check);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UsageError(`verification.checks[${index}]: ${issue?.message ?? 'invalid check'}.`);
    }
    return parsed.data;
  });
  const env = options.env ?? { ...process.env };
  const results: CheckResult[] = [];
  for (const check of specs) {
    if (options.signal?.aborted) {
      results.push({
        ...check,
        passed: false,
        failure: `check '${check.name}' was cancelled before it ran`,
        duration_ms: 0,
      });
      continue;
    }
    const outcome = await runCommand(check.command, {
      cwd: options.workspaceRoot,
      env,
      timeoutMs: options.timeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const passed =
      outcome.exitCode === 0 && !outcome.timedOut && !outcome.aborted && outcome.startError === null;
    let failure: string | null = null;
    if (!passed) {
      const tail = outputTail(`${outcome.stdout}\n${outcome.stderr}`);
      failure = `check '${check.name}' failed: ${describeOutcome(outcome, options.timeoutMs)}${tail ? `\n${tail}` : ''}`;
    }
    results.push({ ...check, passed, failure, duration_ms: outcome.durationMs });
  }
  return results;
}

/** The last lines of a command's output: where linters and compilers put their summary. */
function outputTail(output: string): string {
  const lines = output.split(/\r?\n/).filter((l) => l.trim().length > 0);
  const tail = lines.slice(-OUTPUT_TAIL_LINES).join('\n');
  return tail.length > OUTPUT_TAIL_CHARS ? `…${tail.slice(-OUTPUT_TAIL_CHARS)}` : tail;
}
