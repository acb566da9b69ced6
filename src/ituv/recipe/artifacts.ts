// recipe.artifacts: workspace-relative paths or globs collected after the run. A pattern may never
// reach outside the workspace (absolute, `~` or `..`), and a match that resolves outside it through a
// symlink is left out.
import { realpath } from 'node:fs/promises';
import { basename, isAbsolute, relative, resolve, sep } from 'node:path';
import { glob } from 'tinyglobby';
import type { ArtifactFile } from '../results.js';

/** Null when every pattern stays inside the workspace, else a sentence naming the first that does not. */
export function checkArtifactPatterns(patterns: readonly string[]): string | null {
  for (const pattern of patterns) {
    const normalized = pattern.replace(/\\/g, '/');
    if (isAbsolute(pattern) || normalized.startsWith('/') || normalized.startsWith('~')) {
      return `recipe artifact \`${pattern}\` is an absolute path; artifact paths must be relative to the workspace root`;
    }
    if (normalized.split('/').includes('..')) {
      return `recipe artifact \`${pattern}\` leaves the workspace (\`..\`); artifact paths must stay inside the workspace root`;
    }
  }
  return null;
}

export function artifactKeyOf(path: string): string {
  const name = basename(path);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** The files the patterns match now, as `file` artifacts with absolute paths, in sorted order. */
export async function collectArtifacts(
  workspaceRoot: string,
  patterns: readonly string[],
): Promise<ArtifactFile[]> {
  if (patterns.length === 0) return [];
  const root = await realpath(workspaceRoot);
  const matches = await glob([...patterns], { cwd: workspaceRoot, onlyFiles: true, dot: true });
  const artifacts: ArtifactFile[] = [];
  for (const match of [...new Set(matches)].sort()) {
    let real: string;
    try {
      real = await realpath(resolve(workspaceRoot, match));
    } catch {
      continue;
    }
    const inside = relative(root, real);
    if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) continue;
    // The file's stem is its artifact key: `artifacts: [docs/export_schema.json]` satisfies a
    // dependent's `artifact_ready` spec with `artifact_key: export_schema`.
    artifacts.push({
      name: match,
      path: resolve(workspaceRoot, match),
      kind: 'file',
      key: artifactKeyOf(match),
    });
  }
  return artifacts;
}
