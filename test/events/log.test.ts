import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/db/database.js';
import { EventLog } from '../../src/events/log.js';
import type { PenguinEvent } from '../../src/events/types.js';

describe('EventLog', () => {
  let dir: string;
  let dbs: Db[];

  function open(): { db: Db; log: EventLog } {
    const db = openDatabase(join(dir, 'penguin.db'));
    dbs.push(db);
    return { db, log: new EventLog(db) };
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'penguin-events-'));
    dbs = [];
  });

  afterEach(() => {
    for (const db of dbs) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('assigns a gapless seq across interleaved writers on two connections, rollbacks included', () => {
    const a = open();
    const b = open();
    let rolledBack = 0;
    for (let i = 0; i < 60; i++) {
      const writer = i % 2 === 0 ? a : b;
      const fail = i % 7 === 3;
      try {
        writer.log.commit(() =>
          writer.db
            .transaction(() => {
              writer.log.append({ type: 'heartbeat', data: { i } });
              writer.log.append({ type: 'heartbeat', data: { i, second: true } });
              if (fail) throw new Error('rolled back on purpose');
            })
            .immediate(),
        );
      } catch {
        rolledBack++;
      }
    }
    const fromA = a.log.readFrom(0, undefined, 1_000);
    expect(fromA.map((e) => e.seq)).toEqual(Array.from({ length: (60 - rolledBack) * 2 }, (_, i) => i + 1));
    expect(b.log.readFrom(0, undefined, 1_000)).toEqual(fromA);
    expect(fromA.some((e) => (e.data as { i?: number }).i === 3)).toBe(false);
    expect(a.log.lastSeq()).toBe(fromA.length);
  });

  it('publishes only after the commit, and nothing for a rollback', () => {
    const { db, log } = open();
    const seen: PenguinEvent[] = [];
    log.subscribe((e) => seen.push(e));

    expect(() =>
      log.commit(() =>
        db
          .transaction(() => {
            log.append({ type: 'workflow.started', workflow_id: 'wf-1', data: { origin: null } });
            throw new Error('boom');
          })
          .immediate(),
      ),
    ).toThrow('boom');
    log.flush();
    expect(seen).toEqual([]);

    let seenInside = -1;
    log.commit(() =>
      db
        .transaction(() => {
          log.append({ type: 'workflow.started', workflow_id: 'wf-2', data: { origin: 'cli' } });
          log.flush(); // inside the transaction: must not publish yet
          seenInside = seen.length;
        })
        .immediate(),
    );
    expect(seenInside).toBe(0);
    expect(seen.map((e) => [e.seq, e.workflow_id])).toEqual([[1, 'wf-2']]);
    expect(seen[0]?.data).toEqual({ origin: 'cli' });
  });

  it('self-commits an append made outside a transaction', () => {
    const { log } = open();
    const seen: number[] = [];
    log.subscribe((e) => seen.push(e.seq));
    const event = log.append({
      type: 'heartbeat',
      progress: 5,
      artifacts: [{ name: 'a', path: '/x', kind: 'log' }],
    });
    expect(event.seq).toBe(1);
    expect(seen).toEqual([1]);
    expect(log.readFrom(0)[0]).toMatchObject({
      seq: 1,
      type: 'heartbeat',
      progress: 5,
      artifacts: [{ name: 'a' }],
      data: {},
    });
  });

  it('delivers events from other connections in order when it publishes, never twice', () => {
    const a = open();
    const b = open();
    const seen: number[] = [];
    a.log.subscribe((e) => seen.push(e.seq));
    b.log.append({ type: 'heartbeat' });
    b.log.append({ type: 'heartbeat' });
    a.log.append({ type: 'heartbeat' });
    a.log.flush();
    b.log.append({ type: 'heartbeat' });
    a.log.append({ type: 'heartbeat' });
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });

  it('resumes a subscriber after its last seq, with a filter', () => {
    const { log } = open();
    for (let i = 0; i < 5; i++)
      log.append({
        type: i % 2 ? 'agent.output' : 'heartbeat',
        workflow_id: `wf-${i % 2}`,
        data: { stream: 'stdout', chunk: String(i), i },
      });
    const seen: number[] = [];
    log.subscribe((e) => seen.push(e.seq), { afterSeq: 2, filter: { types: ['heartbeat'] } });
    expect(seen).toEqual([3, 5]);
    log.append({ type: 'agent.output', data: { stream: 'stdout', chunk: '' } });
    log.append({ type: 'heartbeat' });
    expect(seen).toEqual([3, 5, 7]);
  });

  it('reads pages with filters and limits', () => {
    const { log } = open();
    for (let i = 0; i < 10; i++) {
      log.append({
        type: i < 5 ? 'agent.output' : 'heartbeat',
        workflow_id: i % 2 ? 'wf-a' : 'wf-b',
        task_id: 't-1',
        data: { stream: 'stdout', chunk: String(i), i },
      });
    }
    expect(log.readFrom(0, { workflow_id: 'wf-a' }).map((e) => e.seq)).toEqual([2, 4, 6, 8, 10]);
    expect(log.readFrom(4, { workflow_id: 'wf-a', types: ['heartbeat'] }).map((e) => e.seq)).toEqual([
      6, 8, 10,
    ]);
    expect(log.readFrom(0, undefined, 3).map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(log.readFrom(0, { types: [] })).toEqual([]);
    // A filtered page that matches nothing still moves the cursor past what it scanned.
    expect(log.readPage(0, { task_id: 't-none' })).toEqual({ events: [], cursor: 10 });
    expect(log.readPage(0, { workflow_id: 'wf-a' }, 2)).toMatchObject({ cursor: 4 });
  });

  it('refuses an event whose data does not fit its type, and stores nothing', () => {
    const { log } = open();
    expect(() => log.append({ type: 'workflow.failed', workflow_id: 'wf-1', data: { why: 'x' } })).toThrow(
      /a workflow.failed event with invalid data/,
    );
    expect(() => log.append({ type: 'agent.output', data: { stream: 'tty', chunk: 'x' } })).toThrow(
      /invalid data/,
    );
    expect(log.lastSeq()).toBe(0);
    const ok = log.append({ type: 'workflow.failed', workflow_id: 'wf-1', data: { reason: 'boom' } });
    const [read] = log.readFrom(0);
    expect(read?.type === 'workflow.failed' && read.data.reason).toBe('boom');
    expect(ok.seq).toBe(1);
  });
});
