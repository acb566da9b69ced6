// The service layer in process, on a real temp workspace and SQLite store. Blueprints are built as
// objects (test/project/helpers.ts) so this does not depend on the parser; the CLI e2e tests cover
// the files.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { initWorkspace } from '../../src/config/workspace.js';
import { ConflictError, NotFoundError, UsageError } from '../../src/errors.js';
import { syncBlueprints } from '../../src/project/sync.js';
import { openWorkspace, type Workspace } from '../../src/project/workspace-service.js';
import { makeBlueprint, makeItem } from './helpers.js';

let dir: string;
let ws: Workspace | null = null;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'penguin-service-'));
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

describe('openWorkspace', () => {
  it('finds the workspace from a subdirectory and opens the store only when used', () => {
    initWorkspace(dir);
    const sub = join(dir, 'a', 'b');
    mkdirSync(sub, { recursive: true });
    ws = openWorkspace({ cwd: sub, env: {} });
    expect(ws.paths.root).toBe(dir);
    expect(existsSync(ws.paths.dbFile)).toBe(false);
    expect(ws.listTasks()).toEqual([]);
    expect(existsSync(ws.paths.dbFile)).toBe(true);
  });

  it('throws a UsageError naming the directory when there is no workspace', () => {
    expect(() => openWorkspace({ cwd: dir, env: {} })).toThrow(
      new UsageError(`no Penguin workspace here or above ${dir}; run \`penguin init\``),
    );
    expect(() => openWorkspace({ cwd: '/', workspace: dir, env: {} })).toThrow(UsageError);
  });

  it('loads the config with env overrides', () => {
    initWorkspace(dir);
    writeFileSync(join(dir, 'penguin.yaml'), 'scheduler:\n  max_frontier: 7\n');
    ws = openWorkspace({ cwd: dir, env: { PENGUIN_SCHEDULER_ON_FAILURE: 'stop' } });
    expect(ws.config.scheduler).toMatchObject({ max_frontier: 7, on_failure: 'stop' });
  });
});

describe('Workspace', () => {
  it('resolves the only project, and requires a key once there are several', () => {
    const w = open();
    expect(() => w.resolveProject()).toThrow(/no projects yet/);
    seed(w, 'APP');
    expect(w.resolveProject().key).toBe('APP');
    seed(w, 'WEB');
    expect(() => w.resolveProject()).toThrow(
      new UsageError('several projects exist (APP, WEB); pass --project KEY'),
    );
    expect(w.resolveProject('WEB').key).toBe('WEB');
    expect(() => w.resolveProject('NOPE')).toThrow(NotFoundError);
    expect(w.listTasks()).toHaveLength(6);
    expect(w.listTasks('WEB').map((t) => t.blueprint_id)).toEqual(['WEB-1', 'WEB-2', 'WEB-3']);
  });

  it('orders the frontier by the configured tie-breakers and caps it at max_frontier', () => {
    initWorkspace(dir);
    writeFileSync(join(dir, 'penguin.yaml'), 'scheduler:\n  max_frontier: 1\n');
    ws = openWorkspace({ cwd: dir, env: {} });
    seed(ws);
    const frontier = ws.frontier();
    expect(frontier.project).toBe('APP');
    expect(frontier.ready.map((t) => t.blueprint_id)).toEqual(['APP-1']);
    expect(frontier.omitted).toBe(1);
    expect(frontier.blocked.map((b) => b.blueprint_id)).toEqual(['APP-2']);
  });

  it('approves only a task in review, and records the note', () => {
    const w = open();
    seed(w);
    expect(() => w.approve('APP-1')).toThrow(
      new ConflictError('task APP-1 is active; only a task in pending_review can be approved'),
    );
    toReview(w, 'APP-1');
    const done = w.approve('APP-1', { reason: 'ship it' });
    expect(done).toMatchObject({ status: 'completed', phase: 'done', review_note: 'ship it' });
    expect(done.reviewed_at).not.toBeNull();
    expect(w.showTask('APP-1').history.at(-1)?.reason).toBe('approved by user: ship it');
    expect(w.frontier().ready.map((t) => t.blueprint_id)).toContain('APP-2');
  });

  it('cancels and reopens, refusing repeats', () => {
    const w = open();
    seed(w);
    expect(w.cancel('APP-1').status).toBe('cancelled');
    expect(() => w.cancel('APP-1')).toThrow(ConflictError);
    expect(w.frontier().blocked.find((b) => b.blueprint_id === 'APP-2')?.blockers[0]?.reason).toBe(
      'blocked by cancelled APP-1',
    );
    expect(w.reopen('APP-1')).toMatchObject({ status: 'active', phase: 'pending' });
    expect(() => w.reopen('APP-1')).toThrow(ConflictError);
  });

  it('adds, lists and removes dependencies by blueprint id, validating the policy', () => {
    const w = open();
    seed(w);
    expect(w.addDependency({ task: 'APP-3', dependsOn: 'APP-2', policy: 'review_ready_ok' })).toEqual({
      task: 'APP-3',
      depends_on: 'APP-2',
      policy: 'review_ready_ok',
      artifact_key: null,
    });
    expect(() => w.addDependency({ task: 'APP-1', dependsOn: 'APP-3' })).toThrow(/cycle/);
    expect(() => w.addDependency({ task: 'APP-3', dependsOn: 'APP-1', policy: 'soon' })).toThrow(
      /unknown dependency policy soon/,
    );
    expect(w.listDependencies('APP-3').upstream.map((d) => [d.blueprint_id, d.source])).toEqual([
      ['APP-2', 'manual'],
    ]);
    expect(w.removeDependency({ task: 'APP-3', dependsOn: 'APP-2' })).toEqual({
      task: 'APP-3',
      depends_on: 'APP-2',
    });
    expect(w.listDependencies('APP-3').upstream).toEqual([]);
  });

  it('rejects an unknown status filter and graph format', () => {
    const w = open();
    seed(w);
    expect(() => w.listTasks(undefined, 'done')).toThrow(UsageError);
    expect(() => w.graph(undefined, 'png')).toThrow(/unknown graph format png/);
    expect(w.graph(undefined, 'mermaid')).toContain('APP-2');
  });
});
