// A process running the BUILT Temporal backend (dist/) as a worker, for the worker-restart test: it
// hosts ITUVWorkflows of one task queue, runs every phase as a real child process (phase.mjs) and is
// killed with SIGKILL mid-phase; a new one finishes the run.
// Usage: node worker.mjs <dbFile> <dir> <address> <taskQueue>
// <dir>/script.json maps task ids to {"phase:iteration:attempt": {"action", "sleepMs"}}; default pass.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScriptedPhase } from '../../fixtures/orchestration/scripted-phase.mjs';

const dist = fileURLToPath(new URL('../../../dist/', import.meta.url));
const { openSqliteStore } = await import(join(dist, 'project/sqlite/store.js'));
const { EventLog } = await import(join(dist, 'events/log.js'));
const { TemporalEngine } = await import(join(dist, 'orchestration/temporal/engine.js'));
const { runCommand } = await import(join(dist, 'ituv/process.js'));

const [dbFile, dir, address, taskQueue] = process.argv.slice(2);
const scriptFile = join(dir, 'script.json');
const scripts = existsSync(scriptFile) ? JSON.parse(readFileSync(scriptFile, 'utf8')) : {};

const executor = {
  execute(ctx) {
    const script = scripts[ctx.task.id] ?? {};
    const step = script[`${ctx.phase}:${ctx.iteration}:${ctx.attempt}`] ?? { action: 'pass', sleepMs: 100 };
    return runScriptedPhase(ctx, { dir, runCommand, ...step, containment: 'process-group' });
  },
};

const store = openSqliteStore(dbFile);
const events = new EventLog(store);
const engine = new TemporalEngine({
  store,
  events,
  executor,
  config: {
    retry: { max_attempts: 3, initial_interval_sec: 0.05, backoff: 2, max_interval_sec: 0.2 },
    timeboxSec: { implement: 60, test: 60, use: 60, verify: 60 },
    maxIterations: 3,
    autoApprove: true,
  },
  settings: { address, namespace: 'penguin', taskQueue, autoStart: false, penguinDir: null, say: () => {} },
  heartbeatTimeoutMs: 2_000,
  bundleCacheDir: join(dir, 'bundle-cache'),
});
// Ready once the worker polls: a health answer after run() has started it.
engine.run();
await engine.runUntil(async () => (await engine.health()).detail.includes('hosting as a worker'));
process.on('SIGTERM', () => {
  void engine
    .close()
    .then(() => store.close())
    .then(() => process.exit(0));
});
process.stdout.write('ready\n');
