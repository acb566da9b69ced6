// The EventLog over a real (SQLite) store: what subscribers see. Gapless seq, publishing after the
// commit and never after a rollback are part of the Store contract (test/project/store.contract.ts).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventLog } from '../../src/events/log.js';
import type { PenguinEvent } from '../../src/events/types.js';
import { openSqliteStore, type SqliteStore } from '../../src/project/sqlite/store.js';

describe('EventLog', () => {
  let store: SqliteStore;
  let log: EventLog;

  beforeEach(() => {
    store = openSqliteStore(':memory:');
    log = new EventLog(store);
  });

  afterEach(() => store.close());

  it('keeps publishing to the others when a subscriber throws, and stops after unsubscribe', async () => {
    const seen: number[] = [];
    await log.subscribe(() => {
      throw new Error('a broken subscriber');
    });
    const unsubscribe = await log.subscribe((e) => seen.push(e.seq));
    await expect(log.record({ type: 'heartbeat' })).resolves.toMatchObject({ seq: 1 });
    unsubscribe();
    await log.record({ type: 'heartbeat' });
    expect(seen).toEqual([1]);
  });

  it('delivers what a subscriber appends while it is being published to, in order', async () => {
    const seen: PenguinEvent[] = [];
    const appended: Promise<PenguinEvent>[] = [];
    await log.subscribe((e) => {
      seen.push(e);
      if (e.type === 'workflow.started')
        appended.push(log.record({ type: 'heartbeat', data: { after: e.seq } }));
    });
    await log.record({ type: 'workflow.started', data: { origin: null } });
    await Promise.all(appended);
    expect(seen.map((e) => [e.seq, e.type])).toEqual([
      [1, 'workflow.started'],
      [2, 'heartbeat'],
    ]);
  });

  it('publishes one appending transaction’s events together, after it commits', async () => {
    const batches: number[][] = [];
    let current: number[] = [];
    await log.subscribe((e) => current.push(e.seq));
    await store.transaction(async (tx) => {
      for (let i = 0; i < 3; i++)
        await log.append(tx, { type: 'agent.output', data: { stream: 'stdout', chunk: String(i), i } });
      batches.push(current);
      current = [];
    });
    batches.push(current);
    expect(batches).toEqual([[], [1, 2, 3]]);
  });

  it('refuses an event whose data does not fit its type, and stores nothing', async () => {
    await expect(
      log.record({ type: 'workflow.failed', workflow_id: 'wf-1', data: { why: 'x' } }),
    ).rejects.toThrow('a workflow.failed event with invalid data: reason:');
    await expect(log.record({ type: 'agent.output', data: { stream: 'tty', chunk: 'x' } })).rejects.toThrow(
      /invalid data: stream:/,
    );
    expect(await store.events.lastSeq()).toBe(0);
    await log.record({ type: 'workflow.failed', workflow_id: 'wf-1', data: { reason: 'boom' } });
    const [read] = (await store.events.readPage(0, undefined, 10)).events;
    expect(read?.type === 'workflow.failed' && read.data.reason).toBe('boom');
  });
});
