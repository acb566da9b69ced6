// Git worktrees of run mode (src/scheduler/worktree.ts) on real repositories: a worktree on its own
// branch, a commit with the Penguin trailers, rebase and fast-forward into the base (checked out or
// not), a conflict named by its files with the branch kept, and stray worktrees reaped.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  commitWork,
  currentBranch,
  ensureWorktree,
  mergeIntoBase,
  planWorktree,
  reapWorktree,
  removeWorktree,
  strayWorktrees,
} from '../../src/scheduler/worktree.js';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@t.invalid', ...args], {
    cwd,
    encoding: 'utf8',
  }).trim();
}

const TRAILERS = { task: 't-1', blueprint: 'A-1', workflow: 'wf-1' };

describe('run-mode worktrees', () => {
  let repo: string;
  let penguinDir: string;

  beforeEach(() => {
    repo = mkdtempSync(join(tmpdir(), 'penguin-worktree-'));
    writeFileSync(join(repo, 'shared.txt'), 'base\n');
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'base');
    penguinDir = join(repo, '.penguin');
    mkdirSync(penguinDir);
    writeFileSync(join(penguinDir, '.gitignore'), '*\n');
  });
  afterEach(() => rmSync(repo, { recursive: true, force: true }));

  it('commits a change with the trailers and fast-forwards the checked-out base to it', async () => {
    expect(await currentBranch(repo)).toBe('main');
    const plan = planWorktree(penguinDir, 'A-1', 'main');
    expect(plan).toEqual({
      worktree: join(penguinDir, 'worktrees', 'A-1'),
      branch: 'penguin/A-1',
      base: 'main',
    });
    await ensureWorktree(repo, plan);
    await ensureWorktree(repo, plan); // found again, e.g. after a crash
    expect(await commitWork(plan, 'A-1: nothing yet', TRAILERS)).toBe(false);
    writeFileSync(join(plan.worktree, 'a.txt'), 'a\n');
    expect(await commitWork(plan, 'A-1: add a', TRAILERS)).toBe(true);
    const merged = await mergeIntoBase(repo, plan);
    expect(merged).toMatchObject({ kind: 'merged', changed: true });
    // The checkout of the base is updated, and its history is linear.
    expect(readFileSync(join(repo, 'a.txt'), 'utf8')).toBe('a\n');
    expect(git(repo, 'log', '-1', '--format=%s%n%(trailers:only,unfold)')).toBe(
      'A-1: add a\nPenguin-Task: t-1\nPenguin-Blueprint: A-1\nPenguin-Workflow: wf-1',
    );
    expect(git(repo, 'rev-list', '--merges', '--count', 'main')).toBe('0');
    await removeWorktree(repo, plan, true);
    expect(existsSync(plan.worktree)).toBe(false);
    expect(git(repo, 'branch', '--list', 'penguin/*')).toBe('');
  });

  it('rebases onto a base that moved, and moves a base that is not checked out by its ref', async () => {
    git(repo, 'checkout', '-q', '-b', 'other');
    const plan = planWorktree(penguinDir, 'A-2', 'main');
    await ensureWorktree(repo, plan);
    writeFileSync(join(plan.worktree, 'b.txt'), 'b\n');
    await commitWork(plan, 'A-2: add b', TRAILERS);
    // Meanwhile main gets another commit (another task merged).
    const side = planWorktree(penguinDir, 'A-3', 'main');
    await ensureWorktree(repo, side);
    writeFileSync(join(side.worktree, 'c.txt'), 'c\n');
    await commitWork(side, 'A-3: add c', TRAILERS);
    expect(await mergeIntoBase(repo, side)).toMatchObject({ kind: 'merged' });
    expect(await mergeIntoBase(repo, plan)).toMatchObject({ kind: 'merged', changed: true });
    expect(git(repo, 'log', '--format=%s', 'main').split('\n')).toEqual(['A-2: add b', 'A-3: add c', 'base']);
    // The checkout stayed on its own branch, untouched.
    expect(await currentBranch(repo)).toBe('other');
    expect(existsSync(join(repo, 'b.txt'))).toBe(false);
  });

  it('reports a conflict with its files, leaves the base alone and keeps the branch', async () => {
    const first = planWorktree(penguinDir, 'A-4', 'main');
    const second = planWorktree(penguinDir, 'A-5', 'main');
    for (const [plan, text] of [
      [first, 'first\n'],
      [second, 'second\n'],
    ] as const) {
      await ensureWorktree(repo, plan);
      writeFileSync(join(plan.worktree, 'shared.txt'), text);
      await commitWork(plan, `${plan.branch}: edit`, TRAILERS);
    }
    expect(await mergeIntoBase(repo, first)).toMatchObject({ kind: 'merged' });
    const before = git(repo, 'rev-parse', 'main');
    const conflict = await mergeIntoBase(repo, second);
    expect(conflict).toMatchObject({ kind: 'conflict', files: ['shared.txt'] });
    expect(git(repo, 'rev-parse', 'main')).toBe(before);
    expect(readFileSync(join(repo, 'shared.txt'), 'utf8')).toBe('first\n');
    // The rebase was aborted: the branch still holds its own change, ready to be resolved.
    expect(readFileSync(join(second.worktree, 'shared.txt'), 'utf8')).toBe('second\n');
    expect(git(second.worktree, 'status', '--porcelain')).toBe('');
  });

  it('finds and reaps worktree directories no claim names, keeping their branches', async () => {
    const kept = planWorktree(penguinDir, 'A-8', 'main');
    const stray = planWorktree(penguinDir, 'A-9', 'main');
    await ensureWorktree(repo, kept);
    await ensureWorktree(repo, stray);
    mkdirSync(join(penguinDir, 'worktrees', 'half-made'));
    const found = strayWorktrees(penguinDir, new Set([kept.worktree])).sort();
    expect(found).toEqual([stray.worktree, join(penguinDir, 'worktrees', 'half-made')].sort());
    for (const path of found) await reapWorktree(repo, path);
    expect(strayWorktrees(penguinDir, new Set([kept.worktree]))).toEqual([]);
    expect(existsSync(kept.worktree)).toBe(true);
    expect(git(repo, 'branch', '--list', '--format=%(refname:short)', 'penguin/*').split('\n')).toEqual([
      'penguin/A-8',
      'penguin/A-9',
    ]);
  });
});
