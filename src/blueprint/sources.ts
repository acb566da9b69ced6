// Blueprint sources: glob patterns (blueprints.sources, or globs given on the command line) -> files.
// A source that is a symlink leading out of the workspace (a file link, or a file under a linked
// folder) is refused with a warning unless blueprints.follow_symlinks is true: a checked-out
// repository must not make Penguin read whatever a link in it points at.
import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { globSync } from 'tinyglobby';
import { SYMLINK_OUTSIDE_WORKSPACE } from './codes.js';
import type { Diagnostic } from './model.js';

export interface SourceOptions {
  /** The workspace root links must stay inside (default: the root patterns are relative to). */
  workspace?: string;
  /** blueprints.follow_symlinks: read links that lead outside the workspace too. */
  followSymlinks?: boolean;
}

export interface ResolvedSources {
  /** Absolute paths, sorted and deduplicated. */
  files: string[];
  /** One warning per source refused because it leads outside the workspace. */
  refused: Diagnostic[];
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The files of expandBlueprintSources, for callers that have no one to tell about refusals. */
export function resolveBlueprintSources(
  root: string,
  patterns: readonly string[],
  options: SourceOptions = {},
): string[] {
  return expandBlueprintSources(root, patterns, options).files;
}

/**
 * Expand blueprint source patterns relative to `root`. A pattern naming an existing file is taken as
 * is (its name may contain glob characters).
 */
export function expandBlueprintSources(
  root: string,
  patterns: readonly string[],
  options: SourceOptions = {},
): ResolvedSources {
  const found = new Set<string>();
  for (const pattern of patterns) {
    const direct = resolve(root, pattern);
    if (isFile(direct)) {
      found.add(direct);
      continue;
    }
    for (const path of globSync(pattern, {
      cwd: root,
      absolute: true,
      onlyFiles: true,
      expandDirectories: false,
    })) {
      found.add(resolve(path));
    }
  }

  const files: string[] = [];
  const refused: Diagnostic[] = [];
  const workspace = resolve(options.workspace ?? root);
  const realWorkspace = realpathOrSelf(workspace);
  for (const file of [...found].sort()) {
    // Only a path inside the workspace can be turned outside by a link; a source configured
    // outside it on purpose (`../shared/spec.md`) is read as configured.
    const target = realpathOrSelf(file);
    if (options.followSymlinks !== true && isInside(file, workspace) && !isInside(target, realWorkspace)) {
      refused.push({
        code: SYMLINK_OUTSIDE_WORKSPACE,
        severity: 'warning',
        message: `${relative(workspace, file)} leads through a symbolic link to ${target}, outside the workspace, and is not read (set blueprints.follow_symlinks: true in penguin.yaml to read it)`,
        file,
        line: 1,
      });
      continue;
    }
    files.push(file);
  }
  return { files, refused };
}
