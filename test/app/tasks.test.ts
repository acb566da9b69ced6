// The task use cases (src/app/tasks.ts, frontier.ts) in process, on a real temp workspace and SQLite store. Blueprints are built as
// objects (test/project/helpers.ts) so this does not depend on the parser; the CLI e2e tests cover
// the files.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { initWorkspace } from '../../src/config/workspace.js';
import { ConflictError, NotFoundError, UsageError } from '../../src/errors.js';
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
import { resolveProject } from '../../src/project/resolve.js';
import { openWorkspace, type Workspace } from '../../src/project/workspace.js';
import { makeBlueprint, makeItem } from '../project/helpers.js';

let dir: string;
let ws: Workspace | null = null;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'penguin-app-tasks-'));
});
afterEach(() => {
  ws?.close();
  ws = null;
  rmSync(dir, { recursive: true, force: true });
});

function open(): Workspace {
  initWorkspace(dir);
  ws = openWorkspace({ cwd: dir, env: {} });
  return ws;
}

function seed(workspace: Workspace, key = 'APP'): void {
  const blueprint = makeBlueprint(join(dir, 'context', 'specs', `${key}.md`), key, [
    makeItem(`${key}-1`, { priority: 'high' }),
    makeItem(`${key}-2`, { depends_on: [`${key}-1`] }),
    makeItem(`${key}-3`, { priority: 'low' }),
  ]);
  const report = syncBlueprints(workspace.store, [blueprint], { workspaceRoot: dir });
  expect(report.ok).toBe(true);
}

function toReview(workspace: Workspace, ref: string): void {
  const task = workspace.store.resolveTask(ref);
  workspace.store.transitionTask(task.id, { status: 'running', phase: 'implement', reason: 'test' });
  workspace.store.transitionTask(task.id, { status: 'pending_review', phase: 'done', reason: 'test' });
}

describe('task use cases', () => {
  it('resolves the only project, and requires a key once there are several', () => {
    const w = open();
    expect(() => resolveProject(w.store)).toThrow(/no projects yet/);
    seed(w, 'APP');
    expect(resolveProject(w.store).key).toBe('APP');
    seed(w, 'WEB');
    expect(() => resolveProject(w.store)).toThrow(
      new UsageError('several projects exist (APP, WEB); pass --project KEY'),
    );
    expect(resolveProject(w.store, 'WEB').key).toBe('WEB');
    expect(() => resolveProject(w.store, 'NOPE')).toThrow(NotFoundError);
    expect(listTasks(w).tasks).toHaveLength(6);
    expect(listTasks(w, { projectKey: 'WEB' }).tasks.map((t) => t.blueprint_id)).toEqual([
      'WEB-1',
      'WEB-2',
      'WEB-3',
    ]);
  });

  it('orders the frontier by the configured tie-breakers and caps it at max_frontier', () => {
    initWorkspace(dir);
    writeFileSync(join(dir, 'penguin.yaml'), 'scheduler:\n  max_frontier: 1\n');
    ws = openWorkspace({ cwd: dir, env: {} });
    seed(ws);
    const frontier = projectFrontier(ws);
    expect(frontier.project).toBe('APP');
    expect(frontier.ready.map((t) => t.blueprint_id)).toEqual(['APP-1']);
    expect(frontier.omitted).toBe(1);
    expect(frontier.blocked.map((b) => b.blueprint_id)).toEqual(['APP-2']);
  });

  it('approves only a task in review, and records the note', () => {
    const w = open();
    seed(w);
    expect(() => moveTask(w, 'approve', { ref: 'APP-1' })).toThrow(
      new ConflictError('task APP-1 is active; only a task in pending_review can be approved'),
    );
    toReview(w, 'APP-1');
    const move = moveTask(w, 'approve', { ref: 'APP-1', reason: 'ship it' });
    expect(move).toMatchObject({
      blueprint_id: 'APP-1',
      from: 'pending_review',
      status: 'completed',
      phase: 'done',
    });
    const done = taskDetail(w, { ref: 'APP-1' });
    expect(done.review_note).toBe('ship it');
    expect(done.reviewed_at).not.toBeNull();
    expect(done.history.at(-1)?.reason).toBe('approved by user: ship it');
    expect(projectFrontier(w).ready.map((t) => t.blueprint_id)).toContain('APP-2');
  });

  it('cancels and reopens, refusing repeats', () => {
    const w = open();
    seed(w);
    expect(moveTask(w, 'cancel', { ref: 'APP-1' })).toMatchObject({ from: 'active', status: 'cancelled' });
    expect(() => moveTask(w, 'cancel', { ref: 'APP-1' })).toThrow(ConflictError);
    expect(projectFrontier(w).blocked.find((b) => b.blueprint_id === 'APP-2')?.blockers[0]?.reason).toBe(
      'blocked by cancelled APP-1',
    );
    expect(moveTask(w, 'reopen', { ref: 'APP-1' })).toMatchObject({
      from: 'cancelled',
      status: 'active',
      phase: 'pending',
    });
    expect(() => moveTask(w, 'reopen', { ref: 'APP-1' })).toThrow(ConflictError);
  });

  it('adds, lists and removes dependencies by blueprint id, validating the policy', () => {
    const w = open();
    seed(w);
    expect(addDependency(w, { task: 'APP-3', dependsOn: 'APP-2', policy: 'review_ready_ok' })).toEqual({
      task: 'APP-3',
      depends_on: 'APP-2',
      policy: 'review_ready_ok',
      artifact_key: null,
    });
    expect(() => addDependency(w, { task: 'APP-1', dependsOn: 'APP-3' })).toThrow(/cycle/);
    expect(() => addDependency(w, { task: 'APP-3', dependsOn: 'APP-1', policy: 'soon' })).toThrow(
      /unknown dependency policy soon/,
    );
    expect(listDependencies(w, { ref: 'APP-3' }).upstream.map((d) => [d.blueprint_id, d.source])).toEqual([
      ['APP-2', 'manual'],
    ]);
    expect(removeDependency(w, { task: 'APP-3', dependsOn: 'APP-2' })).toEqual({
      task: 'APP-3',
      depends_on: 'APP-2',
      removed: true,
    });
    expect(listDependencies(w, { ref: 'APP-3' }).upstream).toEqual([]);
  });

  it('rejects an unknown status filter and graph format', () => {
    const w = open();
    seed(w);
    expect(() => listTasks(w, { status: 'done' })).toThrow(UsageError);
    expect(() => taskGraph(w, { format: 'png' })).toThrow(/unknown graph format png/);
    expect(taskGraph(w, { format: 'mermaid' }).text).toContain('APP-2');
  });
});
