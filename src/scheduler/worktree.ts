// Git worktrees for isolated workflows (issue 12 item 4): each workflow of `run continuous` works on
// its own branch `penguin/<blueprint-id>` in `.penguin/worktrees/<blueprint-id>`, made from the base
// branch; after VERIFY its change is committed with the Penguin trailers, rebased onto the base and
// fast-forwarded into it, so two agents never write one checkout and a change lands whole or not at
// all. A rebase that conflicts is aborted and reported with the conflicting files; the branch stays.
// Real git through execa; concurrent merges of one process are serialised, other processes are kept
// apart by git's own ref locks (a lost race is retried).
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';

export interface WorktreePlan {
  worktree: string;
  branch: string;
  base: string;
}

export type MergeOutcome =
  | { kind: 'merged'; commit: string; changed: boolean }
  | { kind: 'conflict'; files: string[]; detail: string };

async function git(cwd: string, args: string[]): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  const run = await execa('git', args, { cwd, reject: false, stdin: 'ignore' });
  return { ok: run.exitCode === 0, stdout: run.stdout.trim(), stderr: run.stderr.trim() };
}

async function gitOk(cwd: string, args: string[]): Promise<string> {
  const run = await git(cwd, args);
  if (!run.ok) throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${run.stderr || run.stdout}`);
  return run.stdout;
}

/** The checked-out branch of the repository at `root`, or null (not a repository, detached HEAD). */
export async function currentBranch(root: string): Promise<string | null> {
  const run = await git(root, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
  return run.ok && run.stdout !== '' ? run.stdout : null;
}

export function worktreesDir(penguinDir: string): string {
  return join(penguinDir, 'worktrees');
}

/** A blueprint id as one path segment and a valid branch name component. */
export function safeName(blueprintId: string): string {
  return blueprintId.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
}

export function planWorktree(penguinDir: string, blueprintId: string, base: string): WorktreePlan {
  const name = safeName(blueprintId);
  return { worktree: join(worktreesDir(penguinDir), name), branch: `penguin/${name}`, base };
}

/** Makes the worktree (or finds it, e.g. after a crash): on its branch, or a new branch from base. */
export async function ensureWorktree(root: string, plan: WorktreePlan): Promise<void> {
  if (existsSync(join(plan.worktree, '.git'))) return;
  await git(root, ['worktree', 'prune']);
  const hasBranch = (await git(root, ['rev-parse', '--verify', '--quiet', `refs/heads/${plan.branch}`])).ok;
  const args = hasBranch
    ? ['worktree', 'add', '--quiet', plan.worktree, plan.branch]
    : ['worktree', 'add', '--quiet', '-b', plan.branch, plan.worktree, plan.base];
  await gitOk(root, args);
}

/** Git's identity for Penguin's commits when the repository has none configured. */
async function identity(cwd: string): Promise<string[]> {
  const email = await git(cwd, ['config', 'user.email']);
  return email.ok ? [] : ['-c', 'user.name=Penguin', '-c', 'user.email=penguin@localhost'];
}

export interface Trailers {
  task: string;
  blueprint: string;
  workflow: string;
}

/** Commits everything the workflow changed in its worktree; false when there was nothing. */
export async function commitWork(plan: WorktreePlan, subject: string, trailers: Trailers): Promise<boolean> {
  await gitOk(plan.worktree, ['add', '-A']);
  if ((await git(plan.worktree, ['diff', '--cached', '--quiet'])).ok) return false;
  const message = `${subject}\n\nPenguin-Task: ${trailers.task}\nPenguin-Blueprint: ${trailers.blueprint}\nPenguin-Workflow: ${trailers.workflow}\n`;
  await gitOk(plan.worktree, [
    ...(await identity(plan.worktree)),
    'commit',
    '--quiet',
    '--no-verify',
    '-m',
    message,
  ]);
  return true;
}

let mergeQueue: Promise<unknown> = Promise.resolve();

/** Runs `fn` after the merges this process started before it. */
function serialised<T>(fn: () => Promise<T>): Promise<T> {
  const next = mergeQueue.then(fn, fn);
  mergeQueue = next.catch(() => undefined);
  return next;
}

const MERGE_ATTEMPTS = 5;

/**
 * Rebases the branch onto the base and fast-forwards the base to it (the checkout at `root` is
 * updated when it has the base checked out). A conflict aborts the rebase and names the files.
 */
export function mergeIntoBase(root: string, plan: WorktreePlan): Promise<MergeOutcome> {
  return serialised(async () => {
    // A host killed mid-rebase leaves it under way in the worktree: start from the branch again.
    await git(plan.worktree, ['rebase', '--abort']);
    for (let attempt = 1; ; attempt++) {
      const rebase = await git(plan.worktree, [
        ...(await identity(plan.worktree)),
        'rebase',
        '--quiet',
        plan.base,
      ]);
      if (!rebase.ok) {
        const unmerged = await git(plan.worktree, ['diff', '--name-only', '--diff-filter=U']);
        await git(plan.worktree, ['rebase', '--abort']);
        const files = unmerged.stdout.split('\n').filter((f) => f !== '');
        return { kind: 'conflict', files, detail: rebase.stderr || rebase.stdout };
      }
      const head = await gitOk(plan.worktree, ['rev-parse', 'HEAD']);
      const baseHead = await gitOk(root, ['rev-parse', `refs/heads/${plan.base}`]);
      if (head === baseHead) return { kind: 'merged', commit: head, changed: false };
      const onBase = (await currentBranch(root)) === plan.base;
      const ff = onBase
        ? await git(root, ['merge', '--ff-only', '--quiet', plan.branch])
        : await git(root, ['update-ref', `refs/heads/${plan.base}`, head, baseHead]);
      if (ff.ok) return { kind: 'merged', commit: head, changed: true };
      // Another process moved the base between the rebase and the fast-forward: rebase again.
      if (attempt >= MERGE_ATTEMPTS) {
        return {
          kind: 'conflict',
          files: [],
          detail: `the base ${plan.base} would not fast-forward: ${ff.stderr}`,
        };
      }
    }
  });
}

/** Removes the worktree; the branch too when `deleteBranch` (it was merged). */
export async function removeWorktree(root: string, plan: WorktreePlan, deleteBranch: boolean): Promise<void> {
  if (existsSync(plan.worktree)) await git(root, ['worktree', 'remove', '--force', plan.worktree]);
  await git(root, ['worktree', 'prune']);
  if (deleteBranch) await git(root, ['branch', '--quiet', '-D', plan.branch]);
}

/** Worktree directories under `.penguin/worktrees/` that `keep` does not name (left by a crash). */
export function strayWorktrees(penguinDir: string, keep: ReadonlySet<string>): string[] {
  const dir = worktreesDir(penguinDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => resolve(dir, name))
    .filter((path) => !keep.has(path));
}

/**
 * Removes a stray worktree directory (its branch is kept: it may hold unmerged work), also one git
 * never finished making (a crash during `worktree add`), which git does not know as a worktree.
 */
export async function reapWorktree(root: string, path: string): Promise<void> {
  await git(root, ['worktree', 'remove', '--force', path]);
  rmSync(path, { recursive: true, force: true });
  await git(root, ['worktree', 'prune']);
}
