// The backend switch (DESIGN §2, §6): the same workspace and code run on Temporal or on native by
// configuration alone (`orchestration.backend`, or PENGUIN_ORCHESTRATION_BACKEND), and native keeps
// working when no Temporal server is there at all. A namespace the server lacks is created.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { createOrchestration, type Orchestration } from '../../../src/orchestration/factory.js';
import { connectClient } from '../../../src/orchestration/temporal/connection.js';
import { makeWorkspace, ScriptedExecutor, seedTasks, type Workspace } from '../helpers.js';
import { describeWithTemporal } from './server.js';

describeWithTemporal('the orchestration backend switch', (server) => {
  let ws: Workspace;
  let orchestration: Orchestration | undefined;

  beforeEach(() => {
    ws = makeWorkspace();
  });

  afterEach(async () => {
    await orchestration?.close();
    orchestration = undefined;
    await ws.cleanup();
  });

  function configure(address: string): void {
    const queue = server.settings().taskQueue;
    writeFileSync(
      join(ws.dir, 'penguin.yaml'),
      `orchestration:\n  temporal:\n    address: "${address}"\n    task_queue: ${queue}\n    auto_start: false\n`,
    );
  }

  async function runOne(env: NodeJS.ProcessEnv): Promise<{ backend: string; owners: (string | null)[] }> {
    const config = loadConfig(ws.dir, env);
    const [task] = await seedTasks(ws.store, 'BOOK', ['BOOK-1']);
    const executor = new ScriptedExecutor(ws.dir);
    orchestration = createOrchestration(config, { store: ws.store, events: ws.events, executor });
    const { client, host } = orchestration;
    const id = await client.startWorkflow(task!.id);
    const owners: (string | null)[] = [];
    await host.runUntil(async () => {
      const status = await client.getStatus(id);
      owners.push(status.owner);
      return status.state === 'completed';
    });
    expect(await ws.store.tasks.get(task!.id)).toMatchObject({ status: 'completed', phase: 'done' });
    return { backend: (await client.health()).backend, owners };
  }

  it('runs on Temporal when PENGUIN_ORCHESTRATION_BACKEND=temporal, with no code change', async () => {
    configure(server.address());
    const run = await runOne({ PENGUIN_ORCHESTRATION_BACKEND: 'temporal' });
    expect(run.backend).toBe('temporal');
    expect(run.owners).toContain('temporal');
  }, 60_000);

  it('runs on native by default, with no Temporal server to be found', async () => {
    configure('127.0.0.1:1');
    const run = await runOne({});
    expect(run.backend).toBe('native');
    expect(run.owners).not.toContain('temporal');
  }, 60_000);

  it('creates the configured namespace when the server has none of that name', async () => {
    const settings = server.settings({ namespace: `penguin-${Date.now()}` });
    const connection = await connectClient(settings);
    const described = await connection.workflowService.describeNamespace({ namespace: settings.namespace });
    expect(described.namespaceInfo?.name).toBe(settings.namespace);
    await connection.close();
  }, 30_000);

  it('keeps the runs of two workspaces on one server and one task_queue apart', async () => {
    const other = makeWorkspace();
    try {
      const queue = server.settings().taskQueue;
      const orchestrationOf = (w: Workspace): Orchestration => {
        writeFileSync(
          join(w.dir, 'penguin.yaml'),
          `orchestration:\n  backend: temporal\n  temporal:\n    address: "${server.address()}"\n    task_queue: ${queue}\n    auto_start: false\n`,
        );
        return createOrchestration(loadConfig(w.dir, {}), {
          store: w.store,
          events: w.events,
          executor: new ScriptedExecutor(w.dir),
          temporal: { penguinDir: w.dir },
        });
      };
      const [mine] = await seedTasks(ws.store, 'BOOK', ['BOOK-1']);
      const [theirs] = await seedTasks(other.store, 'SHOP', ['SHOP-1']);
      orchestration = orchestrationOf(ws);
      const elsewhere = orchestrationOf(other);
      // Queued first, with no host of its own workspace running: this workspace's worker must not take it.
      const queued = await elsewhere.client.startWorkflow(theirs!.id);
      const id = await orchestration.client.startWorkflow(mine!.id);
      await orchestration.host.runUntil(
        async () => (await orchestration!.client.getStatus(id)).state === 'completed',
      );
      expect((await elsewhere.client.getStatus(queued)).state).toBe('pending');

      await elsewhere.host.runUntil(
        async () => (await elsewhere.client.getStatus(queued)).state === 'completed',
      );
      expect(await other.store.tasks.get(theirs!.id)).toMatchObject({ status: 'completed' });
      await elsewhere.close();
    } finally {
      await other.cleanup();
    }
  }, 60_000);
});
