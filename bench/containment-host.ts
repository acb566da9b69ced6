// A fresh process for one containment measurement (spawned by containment.bench.ts, so the peak RSS
// of earlier benchmarks does not count): runs a command agent or a test runner that writes `bytes`
// of output, samples this process's RSS meanwhile, and prints one JSON line with the figures.
// Usage: node containment-host.js agent|runner <bytes> <scratch dir>
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runCommandAgent } from '../src/ituv/agents/command-agent.js';
import { runTests } from '../src/ituv/tests/runner.js';

const [kind, bytesArg, scratch] = process.argv.slice(2);
const bytes = Number(bytesArg);
if ((kind !== 'agent' && kind !== 'runner') || !Number.isFinite(bytes) || !scratch) {
  throw new Error('usage: containment-host.js agent|runner <bytes> <scratch dir>');
}
const workspace = join(scratch, 'ws');
const outputDir = join(scratch, 'out');
mkdirSync(workspace, { recursive: true });
const flood = `head -c ${bytes} /dev/zero | tr '\\0' x`;

const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
await new Promise((resolve) => setTimeout(resolve, 100));
const baseline = process.memoryUsage().rss;
let peak = baseline;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 20);

const started = Date.now();
let ok: boolean;
let logBytes: number;
let live = 0;
if (kind === 'agent') {
  const result = await runCommandAgent(
    { id: 'flood', kind: 'command', command: `${flood}; echo; echo flood done` },
    {
      prompt: 'write a lot',
      workspaceRoot: workspace,
      taskId: 't-1',
      blueprintId: 'FLOOD-1',
      workflowId: 'wf-1',
      outputDir,
      timeoutMs: 600_000,
      env: { PATH: process.env.PATH },
      // As the engine does: every live chunk becomes an event (here only counted).
      onOutput: (_stream, chunk) => (live += chunk.length),
    },
  );
  ok = result.status === 'done';
  logBytes = statSync(join(outputDir, 'stdout.log')).size;
} else {
  const junit = '<testsuites><testcase name="FLOOD-1 AC1"/></testsuites>';
  const result = await runTests(
    { blueprint_id: 'FLOOD-1', tests: [] },
    {
      workspaceRoot: workspace,
      patterns: [],
      command: `${flood}; echo '${junit}' > {junit}`,
      allowNoTests: false,
      timeoutMs: 600_000,
      outputDir,
    },
  );
  ok = result.passed;
  logBytes = statSync(join(outputDir, 'stdout.log')).size;
}
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);
process.stdout.write(`${JSON.stringify({ ok, baseline, peak, logBytes, live, ms: Date.now() - started })}\n`);
