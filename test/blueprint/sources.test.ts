// Source expansion: globs to sorted absolute files, and symlinks that lead out of the workspace.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expandBlueprintSources, resolveBlueprintSources } from '../../src/blueprint/sources.js';

const root = mkdtempSync(join(tmpdir(), 'penguin-sources-'));
const outside = mkdtempSync(join(tmpdir(), 'penguin-outside-'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

mkdirSync(join(root, 'context/specs/sub'), { recursive: true });
for (const file of [
  'context/specs/b.md',
  'context/specs/a.yaml',
  'context/specs/sub/c.json',
  'context/specs/notes.txt',
  'odd[1].md',
]) {
  writeFileSync(join(root, file), '');
}

describe('resolveBlueprintSources', () => {
  it('expands globs relative to the root into sorted, deduplicated absolute paths', () => {
    const found = expandBlueprintSources(root, [
      'context/specs/**/*.{md,yaml,yml,json}',
      'context/specs/*.md',
    ]);
    expect(found).toEqual({
      files: [
        join(root, 'context/specs/a.yaml'),
        join(root, 'context/specs/b.md'),
        join(root, 'context/specs/sub/c.json'),
      ],
      refused: [],
    });
  });

  it('takes an existing file as is, even with glob characters in its name', () => {
    expect(resolveBlueprintSources(root, ['odd[1].md', join(root, 'context/specs/b.md')])).toEqual([
      join(root, 'context/specs/b.md'),
      join(root, 'odd[1].md'),
    ]);
  });

  it('gives nothing for patterns that match nothing', () => {
    expect(resolveBlueprintSources(root, ['missing/**/*.md', 'nope.md'])).toEqual([]);
  });
});

describe('symlinks leading outside the workspace', () => {
  const ws = mkdtempSync(join(root, 'ws-'));
  mkdirSync(join(ws, 'specs/inner'), { recursive: true });
  writeFileSync(join(ws, 'specs/real.md'), '');
  writeFileSync(join(outside, 'secret.md'), '');
  mkdirSync(join(outside, 'shared'));
  writeFileSync(join(outside, 'shared/s.md'), '');
  symlinkSync(join(outside, 'secret.md'), join(ws, 'specs/link.md'));
  symlinkSync(join(outside, 'shared'), join(ws, 'specs/shared'));
  // A link that stays inside the workspace is an ordinary source.
  symlinkSync(join(ws, 'specs/real.md'), join(ws, 'specs/inner/alias.md'));

  it('are refused with a warning naming the link and its target', () => {
    const { files, refused } = expandBlueprintSources(ws, ['specs/**/*.md']);
    expect(files).toEqual([join(ws, 'specs/inner/alias.md'), join(ws, 'specs/real.md')]);
    expect(refused.map((d) => [d.code, d.severity, d.file, d.line])).toEqual([
      ['BP-PARSE-035', 'warning', join(ws, 'specs/link.md'), 1],
      ['BP-PARSE-035', 'warning', join(ws, 'specs/shared/s.md'), 1],
    ]);
    expect(refused[0]!.message).toContain('specs/link.md leads through a symbolic link to');
    expect(refused[0]!.message).toContain('blueprints.follow_symlinks: true');
  });

  it('are refused when named directly, and judged against the workspace, not the directory globbed from', () => {
    const named = expandBlueprintSources(join(ws, 'specs'), ['link.md', 'real.md'], { workspace: ws });
    expect(named.files).toEqual([join(ws, 'specs/real.md')]);
    expect(named.refused).toHaveLength(1);
  });

  it('are read with followSymlinks', () => {
    const { files, refused } = expandBlueprintSources(ws, ['specs/**/*.md'], { followSymlinks: true });
    expect(files).toHaveLength(4);
    expect(refused).toEqual([]);
  });

  it('leave a source configured outside the workspace on purpose alone', () => {
    const { files, refused } = expandBlueprintSources(ws, [join(outside, 'secret.md')]);
    expect(files).toEqual([join(outside, 'secret.md')]);
    expect(refused).toEqual([]);
  });
});
