// End to end through the built CLI: init, sync the bookmarks blueprint, read the frontier, review
// decisions, dependency edits, drift and graph export. Needs `npm run build` (npm test runs it).
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resolveTask } from '../../src/project/resolve.js';
import { openSqliteStore } from '../../src/project/sqlite/store.js';
import { assertBuilt, FIXTURES, runCli, runJson, tempDir, type RunOptions } from './run-cli.js';

const BOOKMARKS = join(FIXTURES, 'blueprints', 'bookmarks.md');
const ALL_IDS = ['BOOK-1', 'BOOK-2', 'BOOK-3', 'BOOK-3A', 'BOOK-4', 'BOOK-5'];

interface SyncJson {
  ok: boolean;
  projects: {
    project_id: string;
    key: string;
    created: string[];
    updated: string[];
    unchanged: string[];
    stale: string[];
    orphaned: string[];
  }[];
  diagnostics: unknown[];
}
interface FrontierJson {
  project: string;
  ready: { id: string; blueprint_id: string; title: string; priority: string | null; sort_key: unknown[] }[];
  blocked: {
    id: string;
    blueprint_id: string;
    blockers: { blueprint_id: string; policy: string | null; reason: string }[];
  }[];
}
interface TaskListJson {
  tasks: {
    id: string;
    blueprint_id: string;
    title: string;
    status: string;
    phase: string;
    stale: boolean;
    orphaned: boolean;
    parent_id: string | null;
    priority: string | null;
  }[];
}

let dir: string;
let cwd: RunOptions;
let spec: string;

beforeAll(() => assertBuilt());
beforeEach(() => {
  dir = tempDir();
  cwd = { cwd: dir };
  expect(runCli(['init'], cwd).status).toBe(0);
  spec = join(dir, 'context', 'specs', 'bookmarks.md');
  copyFileSync(BOOKMARKS, spec);
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function sync(args: string[] = []): SyncJson {
  const result = runJson<SyncJson>(['blueprint', 'sync', ...args], cwd);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return result.json;
}

function frontier(): FrontierJson {
  const result = runJson<FrontierJson>(['task', 'frontier'], cwd);
  expect(result.status).toBe(0);
  return result.json;
}

function blockedOf(f: FrontierJson, id: string): FrontierJson['blocked'][number] | undefined {
  return f.blocked.find((b) => b.blueprint_id === id);
}

/** Moves a task to pending_review through the real store, standing in for a finished ITUV run. */
async function finishRun(blueprintId: string): Promise<void> {
  const store = openSqliteStore(join(dir, '.penguin', 'penguin.db'));
  try {
    const task = await resolveTask(store, blueprintId);
    await store.transaction(async (tx) => {
      await tx.tasks.transition(task.id, {
        status: 'running',
        phase: 'implement',
        reason: 'test: run started',
      });
      await tx.tasks.transition(task.id, {
        status: 'pending_review',
        phase: 'done',
        reason: 'test: gates passed',
      });
    });
  } finally {
    await store.close();
  }
}

describe('bookmarks end to end', () => {
  it('syncs the configured sources and puts BOOK-1 first, BOOK-2 blocked by it', () => {
    const report = sync();
    expect(report.ok).toBe(true);
    expect(report.projects).toHaveLength(1);
    const [book] = report.projects;
    expect(book).toMatchObject({ key: 'BOOK', updated: [], unchanged: [], stale: [], orphaned: [] });
    expect([...(book?.created ?? [])].sort()).toEqual(ALL_IDS);

    const f = frontier();
    expect(f.project).toBe('BOOK');
    expect(f.ready[0]).toMatchObject({ blueprint_id: 'BOOK-1', priority: 'high' });
    expect(Object.keys(f.ready[0] ?? {})).toEqual(
      expect.arrayContaining(['id', 'blueprint_id', 'title', 'priority', 'sort_key']),
    );
    const book2 = blockedOf(f, 'BOOK-2');
    expect(book2?.blockers).toEqual([
      expect.objectContaining({ blueprint_id: 'BOOK-1', policy: 'completion_required' }),
    ]);
    expect(book2?.blockers[0]?.reason).toContain('BOOK-1');

    const ready = runJson<{ ready: { blueprint_id: string }[] }>(['task', 'ready'], cwd);
    expect(ready.json.ready.map((t) => t.blueprint_id)).toEqual(f.ready.map((t) => t.blueprint_id));
  });

  it('lists tasks with the public JSON shape and filters by status', () => {
    sync([spec]);
    const list = runJson<TaskListJson>(['task', 'list'], cwd).json;
    expect(list.tasks.map((t) => t.blueprint_id).sort()).toEqual(ALL_IDS);
    const book3a = list.tasks.find((t) => t.blueprint_id === 'BOOK-3A');
    expect(book3a).toMatchObject({
      status: 'active',
      phase: 'pending',
      stale: false,
      orphaned: false,
      parent_id: 'BOOK-3',
      priority: 'medium',
    });
    for (const key of [
      'id',
      'blueprint_id',
      'title',
      'status',
      'phase',
      'stale',
      'orphaned',
      'parent_id',
      'priority',
    ]) {
      expect(book3a).toHaveProperty(key);
    }
    expect(runJson<TaskListJson>(['task', 'list', '--status', 'completed'], cwd).json.tasks).toEqual([]);
    const bad = runCli(['task', 'list', '--status', 'done'], cwd);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^error: unknown status done; use one of pending, active/);
  });

  it('reports everything unchanged on a second sync, and an edited item as updated', () => {
    sync();
    const second = sync();
    expect(second.projects[0]).toMatchObject({ created: [], updated: [], stale: [], orphaned: [] });
    expect([...(second.projects[0]?.unchanged ?? [])].sort()).toEqual(ALL_IDS);

    writeFileSync(
      spec,
      readFileSync(spec, 'utf8').replace(
        'BOOK-5 API reference page',
        'BOOK-5 API reference page with examples',
      ),
    );
    const third = sync();
    expect(third.projects[0]?.updated).toEqual(['BOOK-5']);
    expect(third.projects[0]?.created).toEqual([]);
    const show = runJson<{ title: string; status: string }>(['task', 'show', 'BOOK-5'], cwd).json;
    expect(show).toMatchObject({ title: 'API reference page with examples', status: 'active' });
  });

  it('approves a task in review, which unblocks its dependent; approving an active task is refused', async () => {
    sync();
    const early = runCli(['task', 'approve', 'BOOK-1'], cwd);
    expect(early.status).toBe(2);
    expect(early.stderr).toBe(
      'error: task BOOK-1 is active; only a task in pending_review can be approved\n',
    );

    await finishRun('BOOK-1');
    const approved = runJson<{ blueprint_id: string; from: string; status: string; phase: string }>(
      ['task', 'approve', 'BOOK-1', '--reason', 'looks good'],
      cwd,
    );
    expect(approved.status).toBe(0);
    expect(approved.json).toMatchObject({
      blueprint_id: 'BOOK-1',
      from: 'pending_review',
      status: 'completed',
      phase: 'done',
    });

    const f = frontier();
    expect(f.ready.map((t) => t.blueprint_id)).toContain('BOOK-2');
    expect(blockedOf(f, 'BOOK-2')).toBeUndefined();

    const show = runJson<{
      history: { to_status: string; reason: string }[];
      reviewed_at: string | null;
      review_note: string | null;
    }>(['task', 'show', 'BOOK-1'], cwd).json;
    expect(show.history.at(-1)).toMatchObject({
      to_status: 'completed',
      reason: 'approved by user: looks good',
    });
    expect(show.review_note).toBe('looks good');
    expect(show.reviewed_at).not.toBeNull();
  });

  it('keeps BOOK-2 blocked by a cancelled BOOK-1, and a reopen makes BOOK-1 ready again', () => {
    sync();
    const cancelled = runCli(['task', 'cancel', 'BOOK-1', '--reason', 'scope cut'], cwd);
    expect(cancelled.status).toBe(0);
    expect(cancelled.stdout).toBe('BOOK-1: active -> cancelled (phase pending)\n');

    const f = frontier();
    expect(f.ready.map((t) => t.blueprint_id)).not.toContain('BOOK-1');
    expect(blockedOf(f, 'BOOK-2')?.blockers).toEqual([
      expect.objectContaining({ blueprint_id: 'BOOK-1', reason: 'blocked by cancelled BOOK-1' }),
    ]);

    const human = runCli(['task', 'frontier'], cwd);
    expect(human.stdout).toContain('blocked by cancelled BOOK-1');

    expect(runCli(['task', 'cancel', 'BOOK-1'], cwd).status).toBe(2);
    expect(runCli(['task', 'reopen', 'BOOK-1'], cwd).status).toBe(0);
    expect(frontier().ready[0]?.blueprint_id).toBe('BOOK-1');
  });

  it('shows a task with its dependencies both ways and its history', () => {
    sync();
    runCli(['task', 'cancel', 'BOOK-2', '--reason', 'later'], cwd);
    const show = runJson<{
      blueprint_id: string;
      acceptance_criteria: string[];
      project: string;
      dependencies: {
        upstream: { blueprint_id: string; policy: string }[];
        downstream: { blueprint_id: string; policy: string }[];
      };
      history: { from_status: string; to_status: string; reason: string }[];
    }>(['task', 'show', 'BOOK-2'], cwd).json;
    expect(show.project).toBe('BOOK');
    expect(show.acceptance_criteria).toHaveLength(2);
    expect(show.dependencies.upstream).toEqual([
      expect.objectContaining({ blueprint_id: 'BOOK-1', policy: 'completion_required' }),
    ]);
    expect(show.dependencies.downstream).toEqual([
      expect.objectContaining({ blueprint_id: 'BOOK-3', policy: 'review_ready_ok' }),
    ]);
    expect(show.history.at(-1)).toMatchObject({
      from_status: 'active',
      to_status: 'cancelled',
      reason: 'cancelled by user: later',
    });

    const missing = runCli(['task', 'show', 'BOOK-99'], cwd);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('BOOK-99');
  });

  it('adds, lists and removes a manual dependency, and refuses one that closes a cycle', () => {
    sync();
    const cycle = runCli(['task', 'deps', 'add', 'BOOK-1', 'BOOK-5'], cwd);
    expect(cycle.status).toBe(2);
    expect(cycle.stdout).toBe('');
    expect(cycle.stderr).toMatch(/^error: adding BOOK-1 -> BOOK-5 would create a cycle: .*BOOK-5.*BOOK-1/);
    expect(cycle.stderr.trimEnd().split('\n')).toHaveLength(1);

    const added = runJson(['task', 'deps', 'add', 'BOOK-5', 'BOOK-4', '--policy', 'review_ready_ok'], cwd);
    expect(added.status).toBe(0);
    expect(added.json).toEqual({
      task: 'BOOK-5',
      depends_on: 'BOOK-4',
      policy: 'review_ready_ok',
      artifact_key: null,
    });

    const list = runJson<{ upstream: { blueprint_id: string; source: string }[] }>(
      ['task', 'deps', 'list', 'BOOK-5'],
      cwd,
    ).json;
    expect(list.upstream.map((d) => [d.blueprint_id, d.source])).toEqual([
      ['BOOK-3', 'blueprint'],
      ['BOOK-4', 'manual'],
    ]);
    expect(blockedOf(frontier(), 'BOOK-5')?.blockers.map((b) => b.blueprint_id)).toEqual([
      'BOOK-3',
      'BOOK-4',
    ]);

    expect(runCli(['task', 'deps', 'remove', 'BOOK-5', 'BOOK-4'], cwd).status).toBe(0);
    const after = runJson<{ upstream: { blueprint_id: string }[] }>(
      ['task', 'deps', 'list', 'BOOK-5'],
      cwd,
    ).json;
    expect(after.upstream.map((d) => d.blueprint_id)).toEqual(['BOOK-3']);

    const badPolicy = runCli(['task', 'deps', 'add', 'BOOK-5', 'BOOK-4', '--policy', 'whenever'], cwd);
    expect(badPolicy.status).toBe(2);
    expect(badPolicy.stderr).toMatch(/unknown dependency policy whenever/);
  });

  it('exports the graph as dot, mermaid and json', () => {
    sync();
    const dot = runCli(['graph', 'show', '--format', 'dot'], cwd);
    expect(dot.status).toBe(0);
    expect(dot.stdout).toMatch(/^digraph/);
    expect(dot.stdout).toContain('BOOK-3A');
    const mermaid = runCli(['graph', 'show', '--format', 'mermaid'], cwd);
    expect(mermaid.stdout).toMatch(/^(graph|flowchart)/);
    const json = runJson<{ project: string; format: string; graph: unknown }>(
      ['graph', 'show', '--format', 'json'],
      cwd,
    );
    expect(json.json).toMatchObject({ project: 'BOOK', format: 'json' });
    expect(typeof json.json.graph).toBe('object');
    const bad = runCli(['graph', 'show', '--format', 'png'], cwd);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown graph format png/);
  });

  it('reports drift: new items before the sync, orphaned ones after an item is removed', () => {
    const before = runJson<{ projects: { key: string; new: string[]; project_id: string | null }[] }>(
      ['blueprint', 'status'],
      cwd,
    );
    expect(before.status).toBe(0);
    expect(before.json.projects[0]).toMatchObject({ key: 'BOOK', project_id: null });
    expect([...(before.json.projects[0]?.new ?? [])].sort()).toEqual(ALL_IDS);

    sync();
    const text = readFileSync(spec, 'utf8');
    const start = text.indexOf('- [ ] BOOK-5');
    const end = text.indexOf('```md');
    writeFileSync(spec, text.slice(0, start) + text.slice(end));
    const report = sync();
    expect(report.projects[0]?.orphaned).toEqual(['BOOK-5']);
    const status = runJson<{ projects: { orphaned: string[]; new: string[] }[] }>(
      ['blueprint', 'status', '--project', 'BOOK'],
      cwd,
    );
    expect(status.json.projects[0]).toMatchObject({ orphaned: ['BOOK-5'], new: [] });
    const list = runJson<TaskListJson>(['task', 'list'], cwd).json;
    expect(list.tasks.find((t) => t.blueprint_id === 'BOOK-5')).toMatchObject({ orphaned: true });
  });

  it('uses scheduler config for the frontier (max_frontier from the environment)', async () => {
    sync();
    await finishRun('BOOK-1');
    runCli(['task', 'approve', 'BOOK-1'], cwd);
    expect(frontier().ready.length).toBeGreaterThan(1);
    const capped = runJson<FrontierJson & { omitted: number }>(['task', 'frontier'], {
      ...cwd,
      env: { PENGUIN_SCHEDULER_MAX_FRONTIER: '1' },
    });
    expect(capped.json.ready).toHaveLength(1);
    expect(capped.json.omitted).toBeGreaterThan(0);
  });

  it('requires --project once the workspace has several projects', () => {
    sync();
    writeFileSync(
      join(dir, 'context', 'specs', 'other.md'),
      '---\ntitle: Other\nproject_key: OTH\n---\n## Tasks\n- [ ] OTH-1 Something {estimate=1}\n  - Acceptance: it works\n',
    );
    sync();
    const ambiguous = runCli(['task', 'frontier'], cwd);
    expect(ambiguous.status).toBe(2);
    expect(ambiguous.stderr).toBe('error: several projects exist (BOOK, OTH); pass --project KEY\n');
    const oth = runJson<FrontierJson>(['task', 'frontier', '--project', 'OTH'], cwd);
    expect(oth.json.ready.map((t) => t.blueprint_id)).toEqual(['OTH-1']);
    const unknown = runCli(['task', 'frontier', '--project', 'NOPE'], cwd);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('NOPE');
  });
});
