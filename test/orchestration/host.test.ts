// The native engine as a WorkflowHost (DESIGN §6): hosting until a predicate holds or an interrupt,
// and shutdown giving the runs back at once with their phase's process tree ended.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NativeEngine } from '../../src/orchestration/native/engine.js';
import {
  makeWorkspace,
  processAlive,
  ScriptedExecutor,
  seedTasks,
  TEST_CONFIG,
  until,
  type Workspace,
} from './helpers.js';

describe('NativeEngine as a WorkflowHost', () => {
  let ws: Workspace;
  let e: NativeEngine;

  beforeEach(() => {
    ws = makeWorkspace();
  });

  afterEach(async () => {
    await e.close();
    await ws.cleanup();
  });

  it('hosts until the predicate holds, or until its signal aborts; shutdown gives the runs back at once', async () => {
    const [fast, slow] = await seedTasks(ws.store, 'BOOK', ['BOOK-1', 'BOOK-2']);
    const executor = new ScriptedExecutor(ws.dir);
    executor.script(slow!.id, { implement: { action: 'pass', sleepMs: 60_000 } });
    e = new NativeEngine({
      store: ws.store,
      events: ws.events,
      executor,
      config: TEST_CONFIG,
      pollMs: 50,
      leaseMs: 60_000,
    });
    const done = await e.startWorkflow(fast!.id);
    const finished = async (): Promise<boolean> => (await e.getStatus(done)).state === 'completed';
    expect(await e.runUntil(finished)).toBe('done');

    const stuck = await e.startWorkflow(slow!.id);
    const interrupt = new AbortController();
    const pidFile = join(ws.dir, `${stuck}_implement_1_1.pid`);
    const hosting = e.runUntil(() => false, { signal: interrupt.signal });
    await until('the agent to start', () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').length > 0);
    interrupt.abort('SIGINT');
    expect(await hosting).toBe('aborted');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await e.shutdown(500);
    expect(e.isHosting).toBe(false);
    // Given back without waiting for the 60 s lease: any host may claim it now.
    expect(await e.getStatus(stuck)).toMatchObject({ state: 'running', owner: null });
    await until('the agent to be killed', () => !processAlive(pid), 10_000);
  });
});
