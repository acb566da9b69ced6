// What git says changed in a workspace, so IMPLEMENT can record the files an agent touched.
// Only dirty files are looked at (and hashed): a clean tree costs one `git status`, whatever its size.
import { createHash } from 'node:crypto';
import { readFileSync, realpathSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { runCommand } from './process.js';

/** Workspace-relative path -> content hash ('deleted' when gone, 'unreadable' for a directory/socket). */
export type DirtySnapshot = ReadonlyMap<string, string>;

/** Generous: git status on a big repo with a cold cache can take a while. */
const GIT_TIMEOUT_MS = 60_000;

/**
 * Workspace-relative paths git reports as modified, added, deleted, renamed or untracked, limited
 * to the workspace directory. No git repo (or no git at all) -> [].
 */
export async function changedFiles(workspaceRoot: string): Promise<string[]> {
  const snapshot = await snapshotDirtyFiles(workspaceRoot);
  return snapshot === null ? [] : [...snapshot.keys()].sort();
}

/** Dirty files with their content hashes; null when the workspace is not inside a git work tree. */
export async function snapshotDirtyFiles(workspaceRoot: string): Promise<DirtySnapshot | null> {
  const top = await git(workspaceRoot, 'git rev-parse --show-toplevel');
  if (top === null) return null;
  const repoRoot = top.trim();
  // `-- .` limits the listing to the workspace when it is a subdirectory of the repository;
  // porcelain paths are always relative to the repository root.
  const status = await git(workspaceRoot, 'git status --porcelain -z --untracked-files=all -- .');
  if (status === null) return null;
  // git reports the real path of the top level; compare against the real path of the workspace.
  const realRoot = realpathSync(workspaceRoot);
  const snapshot = new Map<string, string>();
  for (const repoPath of parsePorcelainZ(status)) {
    const absolute = join(repoRoot, repoPath);
    const path = relative(realRoot, absolute).split(sep).join('/');
    if (path.startsWith('../')) continue;
    snapshot.set(path, hashFile(absolute));
  }
  return snapshot;
}

/**
 * Files the run changed: dirty after but not before, plus files dirty before whose content changed.
 * A file that was dirty before and is clean after (the agent reverted it) also counts.
 */
export function filesChangedBetween(before: DirtySnapshot | null, after: DirtySnapshot | null): string[] {
  if (after === null) return [];
  const changed = new Set<string>();
  for (const [path, hash] of after) {
    if (before?.get(path) !== hash) changed.add(path);
  }
  for (const path of before?.keys() ?? []) {
    if (!after.has(path)) changed.add(path);
  }
  return [...changed].sort();
}

/**
 * Paths from `git status --porcelain -z`: entries are `XY path`, NUL-terminated; a rename or copy
 * is followed by an extra entry holding the original path, which also counts as changed.
 */
export function parsePorcelainZ(output: string): string[] {
  const entries = output.split('\0');
  const paths: string[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] ?? '';
    if (entry.length < 4) continue;
    const code = entry.slice(0, 2);
    paths.push(entry.slice(3));
    if (code.includes('R') || code.includes('C')) {
      const original = entries[i + 1];
      if (original) paths.push(original);
      i++;
    }
  }
  return [...new Set(paths)];
}

function hashFile(path: string): string {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'deleted' : 'unreadable';
  }
}

/** Stdout of a git command, or null when it failed (not a repository, git missing). */
async function git(cwd: string, command: string): Promise<string | null> {
  const result = await runCommand(command, {
    cwd,
    // Optional locks off: a status taken while an agent runs must not block the agent's own git.
    env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' },
    timeoutMs: GIT_TIMEOUT_MS,
  });
  return result.exitCode === 0 ? result.stdout : null;
}
