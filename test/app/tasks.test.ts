// The task use cases (src/app/tasks.ts, frontier.ts) in process, on a real temp workspace and SQLite store. Blueprints are built as
// objects (test/project/helpers.ts) so this does not depend on the parser; the CLI e2e tests cover
// the files.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { initWorkspace } from '../../src/config/workspace.js';
import { ConflictError, NotFoundError, UsageError } from '../../src/errors.js';
import { EventLog } from '../../src/events/log.js';
import { syncBlueprints } from '../../src/project/sync.js';
import { projectFrontier } from '../../src/app/frontier.js';
import {
  addDependency,
  listDependencies,
  listTasks,
  moveTask,
  removeDependency,
  taskDetail,
  taskGraph,
} from '../../src/app/tasks.js';
import { resolveProject, resolveTask } from '../../src/project/resolve.js';
import { openWorkspace, type Workspace } from '../../src/project/workspace.js';
import { makeBlueprint, makeItem } from '../project/helpers.js';

let dir: string;
let ws: Workspace | null = null;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'penguin-app-tasks-'));
});
afterEach(async () => {
  await ws?.close();
  ws = null;
  rmSync(dir, { recursive: true, force: true });
});

function open(): Workspace {
  initWorkspace(dir);
  ws = openWorkspace({ cwd: dir, env: {} });
  return ws;
}

async function seed(workspace: Workspace, key = 'APP'): Promise<void> {
  const blueprint = makeBlueprint(join(dir, 'context', 'specs', `${key}.md`), key, [
    makeItem(`${key}-1`, { priority: 'high' }),
    makeItem(`${key}-2`, { depends_on: [`${key}-1`] }),
    makeItem(`${key}-3`, { priority: 'low' }),
  ]);
  const report = await syncBlueprints(workspace.store, [blueprint], { workspaceRoot: dir });
  expect(report.ok).toBe(true);
}

async function toReview(workspace: Workspace, ref: string): Promise<void> {
  const task = await resolveTask(workspace.store, ref);
  await workspace.store.transaction(async (tx) => {
    await tx.tasks.transition(task.id, { status: 'running', phase: 'implement', reason: 'test' });
    await tx.tasks.transition(task.id, { status: 'pending_review', phase: 'done', reason: 'test' });
  });
}

describe('task use cases', () => {
  it('resolves the only project, and requires a key once there are several', async () => {
    const w = open();
    await expect(resolveProject(w.store)).rejects.toThrow(/no projects yet/);
    await seed(w, 'APP');
    expect((await resolveProject(w.store)).key).toBe('APP');
    await seed(w, 'WEB');
    await expect(resolveProject(w.store)).rejects.toThrow(
      new UsageError('several projects exist (APP, WEB); pass --project KEY'),
    );
    expect((await resolveProject(w.store, 'WEB')).key).toBe('WEB');
    await expect(resolveProject(w.store, 'NOPE')).rejects.toThrow(NotFoundError);
    expect((await listTasks(w)).tasks).toHaveLength(6);
    expect((await listTasks(w, { projectKey: 'WEB' })).tasks.map((t) => t.blueprint_id)).toEqual([
      'WEB-1',
      'WEB-2',
      'WEB-3',
    ]);
  });

  it('orders the frontier by the configured tie-breakers and caps it at max_frontier', async () => {
    initWorkspace(dir);
    writeFileSync(join(dir, 'penguin.yaml'), 'scheduler:\n  max_frontier: 1\n');
    ws = openWorkspace({ cwd: dir, env: {} });
    await seed(ws);
    const frontier = await projectFrontier(ws);
    expect(frontier.project).toBe('APP');
    expect(frontier.ready.map((t) => t.blueprint_id)).toEqual(['APP-1']);
    expect(frontier.omitted).toBe(1);
    expect(frontier.blocked.map((b) => b.blueprint_id)).toEqual(['APP-2']);
  });

  it('approves only a task in review, and records the note', async () => {
    const w = open();
    await seed(w);
    await expect(moveTask(w, 'approve', { ref: 'APP-1' })).rejects.toThrow(
      new ConflictError('task APP-1 is active; only a task in pending_review can be approved'),
    );
    await toReview(w, 'APP-1');
    const move = await moveTask(w, 'approve', { ref: 'APP-1', reason: 'ship it' });
    expect(move).toMatchObject({
      blueprint_id: 'APP-1',
      from: 'pending_review',
      status: 'completed',
      phase: 'done',
    });
    const done = await taskDetail(w, { ref: 'APP-1' });
    expect(done.review_note).toBe('ship it');
    expect(done.reviewed_at).not.toBeNull();
    expect(done.history.at(-1)?.reason).toBe('approved by user: ship it');
    expect((await projectFrontier(w)).ready.map((t) => t.blueprint_id)).toContain('APP-2');
  });

  it('records each move in the event log as the history says it, and a refused move not at all', async () => {
    const w = open();
    await seed(w);
    const events = new EventLog(w.store);
    const start = await events.lastSeq();
    await moveTask(w, 'cancel', { ref: 'APP-1', reason: 'not now' });
    await expect(moveTask(w, 'cancel', { ref: 'APP-1' })).rejects.toThrow(ConflictError);
    await moveTask(w, 'reopen', { ref: 'APP-1' });
    const moves = (await events.readFrom(start)).map((e) => [e.type, e.blueprint_id, e.data]);
    expect(moves).toEqual([
      [
        'task.status_changed',
        'APP-1',
        { from: 'active', to: 'cancelled', reason: 'cancelled by user: not now' },
      ],
      ['task.status_changed', 'APP-1', { from: 'cancelled', to: 'active', reason: 'reopened by user' }],
    ]);
  });

  it('cancels and reopens, refusing repeats', async () => {
    const w = open();
    await seed(w);
    expect(await moveTask(w, 'cancel', { ref: 'APP-1' })).toMatchObject({
      from: 'active',
      status: 'cancelled',
    });
    await expect(moveTask(w, 'cancel', { ref: 'APP-1' })).rejects.toThrow(ConflictError);
    expect(
      (await projectFrontier(w)).blocked.find((b) => b.blueprint_id === 'APP-2')?.blockers[0]?.reason,
    ).toBe('blocked by cancelled APP-1');
    expect(await moveTask(w, 'reopen', { ref: 'APP-1' })).toMatchObject({
      from: 'cancelled',
      status: 'active',
      phase: 'pending',
    });
    await expect(moveTask(w, 'reopen', { ref: 'APP-1' })).rejects.toThrow(ConflictError);
  });

  it('adds, lists and removes dependencies by blueprint id, validating the policy', async () => {
    const w = open();
    await seed(w);
    expect(await addDependency(w, { task: 'APP-3', dependsOn: 'APP-2', policy: 'review_ready_ok' })).toEqual({
      task: 'APP-3',
      depends_on: 'APP-2',
      policy: 'review_ready_ok',
      artifact_key: null,
    });
    await expect(addDependency(w, { task: 'APP-1', dependsOn: 'APP-3' })).rejects.toThrow(/cycle/);
    await expect(addDependency(w, { task: 'APP-3', dependsOn: 'APP-1', policy: 'soon' })).rejects.toThrow(
      /unknown dependency policy soon/,
    );
    expect(
      (await listDependencies(w, { ref: 'APP-3' })).upstream.map((d) => [d.blueprint_id, d.source]),
    ).toEqual([['APP-2', 'manual']]);
    expect(await removeDependency(w, { task: 'APP-3', dependsOn: 'APP-2' })).toEqual({
      task: 'APP-3',
      depends_on: 'APP-2',
      removed: true,
    });
    expect((await listDependencies(w, { ref: 'APP-3' })).upstream).toEqual([]);
  });

  it('rejects an unknown status filter and graph format', async () => {
    const w = open();
    await seed(w);
    await expect(listTasks(w, { status: 'done' })).rejects.toThrow(UsageError);
    await expect(taskGraph(w, { format: 'png' })).rejects.toThrow(/unknown graph format png/);
    expect((await taskGraph(w, { format: 'mermaid' })).text).toContain('APP-2');
  });
});
