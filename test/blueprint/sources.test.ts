import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveBlueprintSources } from '../../src/blueprint/sources.js';

const root = mkdtempSync(join(tmpdir(), 'penguin-sources-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

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
    const found = resolveBlueprintSources(root, [
      'context/specs/**/*.{md,yaml,yml,json}',
      'context/specs/*.md',
    ]);
    expect(found).toEqual([
      join(root, 'context/specs/a.yaml'),
      join(root, 'context/specs/b.md'),
      join(root, 'context/specs/sub/c.json'),
    ]);
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
