// What git says changed, on a real temp repository: modified, deleted, renamed and untracked files
// relative to the workspace, crediting a run only with its own changes, and the porcelain -z parser.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  changedFiles,
  filesChangedBetween,
  parsePorcelainZ,
  snapshotDirtyFiles,
} from '../../src/ituv/git.js';

let repo: string;

function git(cwd: string, ...args: string[]): void {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
}

/** A repo with one commit holding a.txt, b.txt, sub/c.txt and "with space.txt". */
function makeRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'penguin-git-'));
  git(dir, 'init', '-q');
  git(dir, 'config', 'user.email', 'test@example.com');
  git(dir, 'config', 'user.name', 'Penguin Test');
  mkdirSync(join(dir, 'sub'));
  for (const file of ['a.txt', 'b.txt', 'sub/c.txt', 'with space.txt'])
    writeFileSync(join(dir, file), `${file}\n`);
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'initial');
  return dir;
}

beforeAll(() => {
  repo = makeRepo();
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe('git changed files', () => {
  it('lists modified, deleted, renamed and untracked files (in new directories too), workspace-relative', async () => {
    expect(await changedFiles(repo)).toEqual([]);
    writeFileSync(join(repo, 'a.txt'), 'changed\n');
    unlinkSync(join(repo, 'b.txt'));
    writeFileSync(join(repo, 'with space.txt'), 'changed\n');
    mkdirSync(join(repo, 'new/deep'), { recursive: true });
    writeFileSync(join(repo, 'new/deep/d.txt'), 'new\n');
    git(repo, 'mv', 'sub/c.txt', 'sub/renamed.txt');
    expect(await changedFiles(repo)).toEqual([
      'a.txt',
      'b.txt',
      'new/deep/d.txt',
      'sub/c.txt',
      'sub/renamed.txt',
      'with space.txt',
    ]);
    // A workspace below the repository root sees only its own files, relative to itself.
    expect(await changedFiles(join(repo, 'sub'))).toEqual(['c.txt', 'renamed.txt']);
    git(repo, 'mv', 'sub/renamed.txt', 'sub/c.txt');
    git(repo, 'checkout', '-q', '--', '.');
    rmSync(join(repo, 'new'), { recursive: true });
  });

  it('credits a run only with what it changed, including files that were already dirty', async () => {
    writeFileSync(join(repo, 'a.txt'), 'dirty before the run\n');
    writeFileSync(join(repo, 'b.txt'), 'dirty before, untouched by the run\n');
    const before = await snapshotDirtyFiles(repo);
    writeFileSync(join(repo, 'a.txt'), 'changed again by the run\n');
    writeFileSync(join(repo, 'new.txt'), 'created by the run\n');
    renameSync(join(repo, 'with space.txt'), join(repo, 'moved.txt'));
    const after = await snapshotDirtyFiles(repo);
    expect(filesChangedBetween(before, after)).toEqual(['a.txt', 'moved.txt', 'new.txt', 'with space.txt']);
    git(repo, 'checkout', '-q', '--', '.');
    rmSync(join(repo, 'new.txt'));
    rmSync(join(repo, 'moved.txt'));
  });

  it('returns nothing outside a git repository', async () => {
    const plain = mkdtempSync(join(tmpdir(), 'penguin-nogit-'));
    writeFileSync(join(plain, 'x.txt'), 'x');
    try {
      expect(await snapshotDirtyFiles(plain)).toBeNull();
      expect(await changedFiles(plain)).toEqual([]);
      expect(filesChangedBetween(null, null)).toEqual([]);
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
  });

  it('parses porcelain -z entries, renames included', () => {
    expect(parsePorcelainZ(' M a.txt\0R  new name.txt\0old name.txt\0?? x/y.txt\0')).toEqual([
      'a.txt',
      'new name.txt',
      'old name.txt',
      'x/y.txt',
    ]);
    expect(parsePorcelainZ('')).toEqual([]);
  });
});
