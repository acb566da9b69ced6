// EventTail, which follows the log from another process: two stores on one database file, the tail on
// one seeing the other's events in order, never twice, resuming from a seq, filtered by workflow.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventLog } from '../../src/events/log.js';
import { EventTail } from '../../src/events/tail.js';
import { openSqliteStore, type SqliteStore } from '../../src/project/sqlite/store.js';
import { tempDir } from '../project/helpers.js';

describe('EventTail', () => {
  let dir: { dir: string; cleanup: () => void };
  let stores: SqliteStore[];

  function open(): SqliteStore {
    const store = openSqliteStore(join(dir.dir, 'penguin.db'));
    stores.push(store);
    return store;
  }

  beforeEach(() => {
    dir = tempDir('penguin-tail-');
    stores = [];
  });

  afterEach(async () => {
    for (const store of stores) await store.close();
    dir.cleanup();
  });

  it('follows another store in order, never twice, and resumes from a seq', async () => {
    const writerStore = open();
    const writer = new EventLog(writerStore);
    const reader = open();
    const tail = new EventTail(reader, { pollMs: 10, batchSize: 7 });
    const seen: number[] = [];
    const following = (async () => {
      for await (const event of tail) {
        seen.push(event.seq);
        if (seen.length === 100) tail.close();
      }
    })();
    for (let burst = 0; burst < 10; burst++) {
      await writerStore.transaction(async (tx) => {
        for (let i = 0; i < 10; i++)
          await writer.append(tx, {
            type: 'agent.output',
            data: { stream: 'stdout', chunk: `${burst}:${i}`, burst, i },
          });
      });
      await new Promise((r) => setTimeout(r, 5));
    }
    await following;
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));

    const resumed = new EventTail(reader, { afterSeq: 95 });
    expect((await resumed.poll()).map((e) => e.seq)).toEqual([96, 97, 98, 99, 100]);
    expect(await resumed.poll()).toEqual([]);
    await writer.record({ type: 'heartbeat' });
    expect((await resumed.poll()).map((e) => e.seq)).toEqual([101]);
    expect(resumed.lastSeq).toBe(101);
  });

  it('filters by workflow and ends a pending wait on close', async () => {
    const store = open();
    const log = new EventLog(store);
    await log.record({ type: 'workflow.started', workflow_id: 'wf-1', data: { origin: null } });
    await log.record({ type: 'workflow.started', workflow_id: 'wf-2', data: { origin: null } });
    const tail = new EventTail(store, { filter: { workflow_id: 'wf-2' }, pollMs: 60_000 });
    const seen: string[] = [];
    const following = (async () => {
      for await (const event of tail) seen.push(`${event.seq}:${event.workflow_id}`);
    })();
    await new Promise((r) => setTimeout(r, 50));
    tail.close();
    await following;
    expect(seen).toEqual(['2:wf-2']);
  });
});
