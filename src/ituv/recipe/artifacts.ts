// recipe.artifacts: workspace-relative paths or globs collected after the run. A pattern may never
// reach outside the workspace (absolute, `~` or `..`), and a match that resolves outside it through a
// symlink is left out. When the recipe has secrets, a text file is collected as a masked copy (the
// workspace file stays as the recipe left it); binary files are collected as they are.
import { mkdir, open, readFile, realpath, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { glob } from 'tinyglobby';
import type { ArtifactFile } from '../results.js';
import type { Masker } from './environment.js';

/** Text artifacts are masked in memory; a larger one is left out rather than recorded unmasked. */
export const MAX_MASKED_ARTIFACT_BYTES = 64 * 1024 * 1024;
/** A NUL byte among the first this many bytes makes a file binary. */
const SNIFF_BYTES = 8192;

export interface ArtifactMasking {
  mask: Masker;
  /** Where masked copies go (under the transcript directory). */
  dir: string;
}

export interface CollectedArtifacts {
  artifacts: ArtifactFile[];
  /** Matches not collected, with why (e.g. too large to mask). */
  leftOut: { name: string; reason: string }[];
}

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

/**
 * The files the patterns match now, as `file` artifacts with absolute paths, in sorted order; with
 * `masking`, text files are masked copies.
 */
export async function collectArtifacts(
  workspaceRoot: string,
  patterns: readonly string[],
  masking: ArtifactMasking | null = null,
): Promise<CollectedArtifacts> {
  const artifacts: ArtifactFile[] = [];
  const leftOut: CollectedArtifacts['leftOut'] = [];
  if (patterns.length === 0) return { artifacts, leftOut };
  const root = await realpath(workspaceRoot);
  const matches = await glob([...patterns], { cwd: workspaceRoot, onlyFiles: true, dot: true });
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
    let path = resolve(workspaceRoot, match);
    if (masking) {
      const masked = await maskedCopy(real, join(masking.dir, match), masking.mask);
      if (typeof masked !== 'string') {
        leftOut.push({ name: match, reason: masked.reason });
        continue;
      }
      path = masked;
    }
    artifacts.push({ name: match, path, kind: 'file', key: artifactKeyOf(match) });
  }
  return { artifacts, leftOut };
}

/** The path to record for `source`: a masked copy at `target` for a text file, else `source` itself. */
async function maskedCopy(
  source: string,
  target: string,
  mask: Masker,
): Promise<string | { reason: string }> {
  if (await isBinary(source)) return source;
  const size = (await stat(source)).size;
  if (size > MAX_MASKED_ARTIFACT_BYTES) {
    return { reason: `a text file of ${size} bytes is too large to mask (the limit is 64 MiB)` };
  }
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, mask(await readFile(source, 'utf8')), 'utf8');
  return target;
}

async function isBinary(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await file.read(buffer, 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead).includes(0);
  } finally {
    await file.close();
  }
}
