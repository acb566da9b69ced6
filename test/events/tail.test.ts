import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/db/database.js';
import { EventLog } from '../../src/events/log.js';
import { EventTail } from '../../src/events/tail.js';

describe('EventTail', () => {
  let dir: string;
  let dbs: Db[];

  function open(): Db {
    const db = openDatabase(join(dir, 'penguin.db'));
    dbs.push(db);
    return db;
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'penguin-tail-'));
    dbs = [];
  });

  afterEach(() => {
    for (const db of dbs) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('follows another connection in order, never twice, and resumes from a seq', async () => {
    const writer = new EventLog(open());
    const readerDb = open();
    new EventLog(readerDb); // migrations
    const tail = new EventTail(readerDb, { pollMs: 10, batchSize: 7 });
    const seen: number[] = [];
    const following = (async () => {
      for await (const event of tail) {
        seen.push(event.seq);
        if (seen.length === 100) tail.close();
      }
    })();
    for (let burst = 0; burst < 10; burst++) {
      writer.commit(() =>
        writer.db
          .transaction(() => {
            for (let i = 0; i < 10; i++)
              writer.append({
                type: 'agent.output',
                data: { stream: 'stdout', chunk: `${burst}:${i}`, burst, i },
              });
          })
          .immediate(),
      );
      await new Promise((r) => setTimeout(r, 5));
    }
    await following;
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));

    const resumed = new EventTail(readerDb, { afterSeq: 95 });
    expect(resumed.poll().map((e) => e.seq)).toEqual([96, 97, 98, 99, 100]);
    expect(resumed.poll()).toEqual([]);
    writer.append({ type: 'heartbeat' });
    expect(resumed.poll().map((e) => e.seq)).toEqual([101]);
    expect(resumed.lastSeq).toBe(101);
  });

  it('filters by workflow and ends a pending wait on close', async () => {
    const db = open();
    const log = new EventLog(db);
    log.append({ type: 'workflow.started', workflow_id: 'wf-1', data: { origin: null } });
    log.append({ type: 'workflow.started', workflow_id: 'wf-2', data: { origin: null } });
    const tail = new EventTail(db, { filter: { workflow_id: 'wf-2' }, pollMs: 60_000 });
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
