// followProjectFrontier on a real SQLite store: a task move read back by id and judged again, moves of
// another project's tasks ignored, a sync (or any graph edit) read whole, and `explain` always whole.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';
import { EventLog } from '../../src/events/log.js';
import { taskMoveEvents } from '../../src/events/task-moves.js';
import { followProjectFrontier } from '../../src/project/frontier-follower.js';
import type { Task } from '../../src/project/model.js';
import { openSqliteStore, type SqliteStore } from '../../src/project/sqlite/store.js';
import { seedGraph } from '../scheduler/helpers.js';
import { newTask } from './task-factory.js';

let store: SqliteStore;
let events: EventLog;
let p: Task[];
let q: Task[];

beforeEach(async () => {
  store = openSqliteStore(':memory:');
  events = new EventLog(store);
  // P: P-1 <- P-2; Q: Q-1.
  p = (
    await seedGraph(store, 'P', [
      { task: (id) => newTask(id, 'P-1', { blueprint_order: 1 }), deps: [] },
      { task: (id) => newTask(id, 'P-2', { blueprint_order: 2 }), deps: [0] },
    ])
  ).tasks;
  q = (await seedGraph(store, 'Q', [{ task: (id) => newTask(id, 'Q-1'), deps: [] }])).tasks;
});

afterEach(() => store.close());

/** Moves `task` to `status` with its events, as a workflow or a lifecycle command does. */
async function move(task: Task, status: Task['status'], phase: Task['phase']): Promise<void> {
  await store.transaction(async (tx) => {
    const before = (await tx.tasks.get(task.id))!;
    const after = await tx.tasks.transition(task.id, { status, phase, reason: 'test' });
    for (const draft of taskMoveEvents(before, after, 'test')) await events.append(tx, draft);
  });
}

const ids = (ready: { blueprint_id: string }[]): string[] => ready.map((t) => t.blueprint_id);

describe('followProjectFrontier', () => {
  it('reads the graph once, then only the tasks the log says moved', async () => {
    const feed = followProjectFrontier(store, DEFAULT_CONFIG.scheduler, 'P');
    expect(await feed.ready()).toEqual({
      ready: [expect.objectContaining({ blueprint_id: 'P-1' })],
      blocked: 1,
      omitted: 0,
    });
    expect(feed.reads).toEqual({ whole: 1, byId: 0 });
    await move(p[0]!, 'running', 'implement');
    expect(ids((await feed.ready()).ready)).toEqual([]);
    await move(p[0]!, 'completed', 'done');
    expect(ids((await feed.ready()).ready)).toEqual(['P-2']);
    expect(feed.reads).toEqual({ whole: 1, byId: 2 });
    // Nothing new in the log: nothing read.
    await feed.ready();
    expect(feed.reads).toEqual({ whole: 1, byId: 2 });
  });

  it("ignores another project's moves and reads the graph whole after a sync", async () => {
    const feed = followProjectFrontier(store, DEFAULT_CONFIG.scheduler, 'P');
    await feed.ready();
    await move(q[0]!, 'cancelled', 'pending');
    await feed.ready();
    expect(feed.reads).toEqual({ whole: 1, byId: 0 });
    await store.transaction(async (tx) => {
      const created = await tx.tasks.create(newTask(p[0]!.project_id, 'P-3', { blueprint_order: 3 }));
      await events.append(tx, {
        type: 'task.created',
        task_id: created.id,
        project_id: created.project_id,
        data: { title: created.title },
      });
      await events.append(tx, {
        type: 'blueprint.synced',
        project_id: created.project_id,
        data: { files: [], projects: ['P'] },
      });
    });
    expect(ids((await feed.ready()).ready)).toEqual(['P-1', 'P-3']);
    expect(feed.reads.whole).toBe(2);
    // explain reads whole, and explains what waits.
    const explained = await feed.explain();
    expect(feed.reads.whole).toBe(3);
    expect(explained.blocked.map((b) => [b.blueprint_id, b.blockers.map((x) => x.blueprint_id)])).toEqual([
      ['P-2', ['P-1']],
    ]);
  });

  it("skips what does not move a task: a chatty agent's output costs no read of the graph", async () => {
    const feed = followProjectFrontier(store, DEFAULT_CONFIG.scheduler, 'P');
    await feed.ready();
    await store.transaction(async (tx) => {
      for (let k = 0; k < 2_500; k++) {
        await events.append(tx, {
          type: 'agent.output',
          project_id: p[0]!.project_id,
          task_id: p[0]!.id,
          data: { stream: 'stdout', chunk: `line ${k}` },
        });
      }
    });
    await move(p[0]!, 'running', 'implement');
    await move(p[0]!, 'completed', 'done');
    expect(ids((await feed.ready()).ready)).toEqual(['P-2']);
    expect(feed.reads).toEqual({ whole: 1, byId: 1 });
  });
});
