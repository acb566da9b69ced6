// Durability on Temporal: the worker process is SIGKILLed in the middle of a phase; a new worker
// process resumes the run from its history: the phases that had finished are not run again (their
// side effects are counted in a file), the interrupted one reruns as a new attempt, and the workflow
// completes. Workers run the BUILT backend (dist/; `npm test` builds first).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { PhaseExecutor } from '../../../src/orchestration/phase-executor.js';
import { TemporalEngine } from '../../../src/orchestration/temporal/engine.js';
import {
  killChild,
  makeWorkspace,
  processAlive,
  seedTasks,
  sideEffects,
  TEST_CONFIG,
  until,
  type Workspace,
} from '../helpers.js';
import { describeWithTemporal } from './server.js';

const WORKER = resolve(import.meta.dirname, 'worker.mjs');
const BUILT = resolve(import.meta.dirname, '../../../dist/orchestration/temporal/engine.js');

const neverRuns: PhaseExecutor = {
  execute: () => Promise.reject(new Error('the test process never hosts')),
};

function spawnWorker(ws: Workspace, address: string, taskQueue: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [WORKER, ws.dbFile, ws.dir, address, taskQueue], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolvePromise, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolvePromise(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready: ${stderr}`)));
  });
}

describeWithTemporal('temporal worker restart', (server) => {
  let ws: Workspace;
  let client: TemporalEngine;
  const workers: ChildProcess[] = [];

  beforeEach(() => {
    if (!existsSync(BUILT))
      throw new Error('the restart test runs the built backend: run `npm run build` first');
    ws = makeWorkspace();
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => killChild(w, 'SIGKILL')));
    await client.close();
    await ws.cleanup();
  });

  it('resumes a run on a new worker after SIGKILL mid-phase, rerunning no finished phase', async () => {
    const [task] = await seedTasks(ws.store, 'BOOK', ['BOOK-1']);
    // TEST's first attempt runs long enough to be killed in; every other phase takes 100 ms.
    writeFileSync(
      join(ws.dir, 'script.json'),
      JSON.stringify({ [task!.id]: { 'test:1:1': { action: 'pass', sleepMs: 60_000 } } }),
    );
    const settings = server.settings();
    client = new TemporalEngine({
      store: ws.store,
      events: ws.events,
      executor: neverRuns,
      config: TEST_CONFIG,
      settings,
    });
    const first = await spawnWorker(ws, settings.address, settings.taskQueue);
    workers.push(first);
    const id = await client.startWorkflow(task!.id);
    const pidFile = join(ws.dir, `${id}_test_1_1.pid`);
    await until('TEST to start', () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').length > 0);

    await killChild(first, 'SIGKILL');
    // The agent the killed worker left behind: end it, as containment would.
    const orphan = Number(readFileSync(pidFile, 'utf8'));
    if (processAlive(orphan)) process.kill(orphan, 'SIGKILL');
    workers.push(await spawnWorker(ws, settings.address, settings.taskQueue));

    const status = await until(
      'the run to finish on the new worker',
      async () => {
        const s = await client.getStatus(id);
        return ['completed', 'failed', 'cancelled'].includes(s.state) ? s : null;
      },
      60_000,
    );
    expect(status.state).toBe('completed');
    expect(status.phases.map((p) => `${p.phase}#${p.attempt}:${p.outcome}`)).toEqual([
      'implement#1:passed',
      'test#1:abandoned',
      'test#2:passed',
      'use#1:passed',
      'verify#1:passed',
    ]);
    // Each finished phase ran once; the killed attempt never finished.
    expect(sideEffects(ws.dir)).toEqual([
      `${id}:implement:1:1`,
      `${id}:test:1:2`,
      `${id}:use:1:1`,
      `${id}:verify:1:1`,
    ]);
    expect(await ws.store.tasks.get(task!.id)).toMatchObject({ status: 'completed', phase: 'done' });
  }, 90_000);
});
