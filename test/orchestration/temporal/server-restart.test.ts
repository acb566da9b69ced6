// Durability of the server's own state: the Temporal dev server (on a database file) is stopped in
// the middle of a phase and started again on the same file; the worker reconnects and the run
// completes, with every phase after the interrupted one run once.
import { freeLoopbackPort } from '../../../src/ituv/port.js';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startDevServer, type DevServer } from '../../../src/orchestration/temporal/dev-server.js';
import { TemporalEngine } from '../../../src/orchestration/temporal/engine.js';
import {
  makeWorkspace,
  ScriptedExecutor,
  seedTasks,
  TEST_CONFIG,
  until,
  type Workspace,
} from '../helpers.js';
import { describeWithTemporal, NAMESPACE } from './server.js';

function sideEffects(dir: string): string[] {
  const file = join(dir, 'sidefx.log');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

describeWithTemporal('a Temporal server restarted mid-phase', (shared) => {
  let ws: Workspace | undefined;
  let engine: TemporalEngine | undefined;
  let server: DevServer | undefined;
  let dataDir: string | undefined;

  afterEach(async () => {
    await engine?.close();
    await server?.stop();
    await ws?.cleanup();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('completes the run on the same database file', async () => {
    ws = makeWorkspace();
    dataDir = mkdtempSync(join(tmpdir(), 'penguin-temporal-db-'));
    const port = await freeLoopbackPort();
    const options = {
      binary: shared.binary(),
      port,
      namespace: NAMESPACE,
      dbFile: join(dataDir, 'temporal.db'),
    };
    server = await startDevServer(options);
    const [task] = await seedTasks(ws.store, 'BOOK', ['BOOK-1']);
    const executor = new ScriptedExecutor(ws.dir);
    executor.script(task!.id, { implement: { action: 'pass', sleepMs: 2_000 } });
    engine = new TemporalEngine({
      store: ws.store,
      events: ws.events,
      executor,
      config: TEST_CONFIG,
      settings: shared.settings({ address: server.address }),
      heartbeatTimeoutMs: 2_000,
      shutdownGraceMs: 0,
    });
    engine.run();
    const id = await engine.startWorkflow(task!.id);
    await until('IMPLEMENT to start', () => existsSync(join(ws!.dir, `${id}_implement_1_1.pid`)));

    await server.stop();
    server = await startDevServer(options);

    const status = await until(
      'the run to finish after the restart',
      async () => {
        const s = await engine!.getStatus(id);
        return ['completed', 'failed', 'cancelled'].includes(s.state) ? s : null;
      },
      90_000,
    );
    expect(status.state).toBe('completed');
    const ran = sideEffects(ws.dir).map((key) => key.split(':')[1]);
    // IMPLEMENT ran once or, if the server gave up on the attempt it could not hear from, twice.
    expect(ran.filter((p) => p === 'implement').length).toBeGreaterThanOrEqual(1);
    expect(ran.filter((p) => p !== 'implement')).toEqual(['test', 'use', 'verify']);
    expect(await ws.store.tasks.get(task!.id)).toMatchObject({ status: 'completed', phase: 'done' });
  }, 120_000);
});
