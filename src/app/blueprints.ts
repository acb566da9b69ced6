// Use cases of blueprints: lint files (no workspace needed), sync them into tasks, and report drift
// between the files and the store. Each returns a contract DTO the CLI renders and the API serves.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadBlueprint } from '../blueprint/load.js';
import { hasErrors } from '../blueprint/model.js';
import type { LintedFile, LintReport } from '../contracts/blueprint.js';
import { detectFormat } from '../blueprint/parse.js';
import { expandBlueprintSources, type ResolvedSources } from '../blueprint/sources.js';
import type { DriftView, FrontierView, SyncReport } from '../contracts/views.js';
import { NotFoundError, UsageError } from '../errors.js';
import { computeDrift } from '../project/drift.js';
import { syncBlueprints as reconcile } from '../project/sync.js';
import type { Workspace } from '../project/workspace.js';
import { projectFrontier } from './frontier.js';

/** Checks that each path is an existing file; a typo should not read as "no errors". */
function assertFiles(files: readonly string[], cwd: string): string[] {
  if (files.length === 0) throw new UsageError('no blueprint files given');
  return files.map((file) => {
    const abs = resolve(cwd, file);
    if (!existsSync(abs)) throw new UsageError(`${file}: no such file`);
    if (!statSync(abs).isFile()) throw new UsageError(`${file}: not a file`);
    return abs;
  });
}

/** Parses and lints each file (no workspace needed). */
export function lintBlueprints(files: readonly string[], cwd: string): LintReport {
  const linted = assertFiles(files, cwd).map((file): LintedFile => {
    const { format, project_key, title, items, recipes, validation, diagnostics } = loadBlueprint(file);
    return { file, format, project_key, title, items, recipes, validation, diagnostics };
  });
  return { ok: !hasErrors(linted.flatMap((b) => b.diagnostics)), files: linted };
}

const hasGlobChars = (text: string): boolean => /[*?[\]{}]/.test(text);

/**
 * The blueprint files for a sync or a status: the given files and globs (relative to the current
 * directory), or the configured sources (relative to the workspace root) filtered by format.
 */
export function blueprintFiles(ws: Workspace, filesOrGlobs?: readonly string[]): string[] {
  return blueprintSources(ws, filesOrGlobs).files;
}

/** blueprintFiles, with a warning for each source refused for leading outside the workspace. */
function blueprintSources(ws: Workspace, filesOrGlobs?: readonly string[]): ResolvedSources {
  const refused: ResolvedSources['refused'] = [];
  const expand = (root: string, patterns: readonly string[]): string[] => {
    const sources = expandBlueprintSources(root, patterns, {
      workspace: ws.paths.root,
      followSymlinks: ws.config.blueprints.follow_symlinks,
    });
    refused.push(...sources.refused);
    return sources.files;
  };
  if (filesOrGlobs !== undefined && filesOrGlobs.length > 0) {
    const files = new Set<string>();
    for (const arg of filesOrGlobs) {
      const matched = hasGlobChars(arg) ? expand(ws.cwd, [arg]) : assertFiles([arg], ws.cwd);
      if (matched.length === 0) throw new UsageError(`no blueprint files match ${arg}`);
      for (const file of matched) files.add(file);
    }
    return { files: [...files], refused };
  }
  const { blueprints } = ws.config;
  const formats = new Set(blueprints.formats);
  const files = expand(ws.paths.root, blueprints.sources).filter((file) => {
    const format = detectFormat(file);
    return format !== null && formats.has(format);
  });
  if (files.length === 0) {
    throw new UsageError(
      `no blueprint files match ${blueprints.sources.join(', ')} under ${ws.paths.root}; pass files to sync or add blueprints to ${blueprints.default_dir}`,
    );
  }
  return { files, refused };
}

/** Parses, lints and reconciles `files` (from blueprintFiles); with any error diagnostic nothing is written. */
export function syncBlueprintFiles(ws: Workspace, files: readonly string[]): Promise<SyncReport> {
  const blueprints = files.map((file) => loadBlueprint(file));
  return reconcile(ws.store, blueprints, { workspaceRoot: ws.paths.root, events: ws.events });
}

/** Drift between the blueprints and the store; `projectKey` narrows it to one project. */
export async function blueprintDrift(
  ws: Workspace,
  options: { projectKey?: string; files?: readonly string[] } = {},
): Promise<DriftView> {
  const { files, refused } = blueprintSources(ws, options.files);
  const blueprints = files.map((file) => loadBlueprint(file));
  const drift = await computeDrift(ws.store, blueprints, {
    workspaceRoot: ws.paths.root,
    testPatterns: ws.config.blueprints.test_mapping.patterns,
  });
  const { projectKey } = options;
  const projects =
    projectKey === undefined ? drift.projects : drift.projects.filter((p) => p.key === projectKey);
  if (projectKey !== undefined && projects.length === 0) {
    throw new NotFoundError(
      `no blueprint feeds project ${projectKey}; known: ${drift.projects.map((p) => p.key).join(', ') || 'none'}`,
    );
  }
  return { projects, diagnostics: [...refused, ...blueprints.flatMap((b) => b.diagnostics)] };
}

export interface SyncOutcome {
  report: SyncReport;
  /** After a sync that wrote, each synced project's frontier: what to do next. */
  frontiers: FrontierView[];
}

/**
 * Resolves the files (see blueprintFiles), syncs them and reads each synced project's frontier.
 * `onFiles` hears how many files will be read before the work starts (progress on a terminal).
 */
export async function syncBlueprints(
  ws: Workspace,
  filesOrGlobs?: readonly string[],
  onFiles?: (count: number) => void,
): Promise<SyncOutcome> {
  const { files, refused } = blueprintSources(ws, filesOrGlobs);
  onFiles?.(files.length);
  const synced = await syncBlueprintFiles(ws, files);
  const report = { ...synced, diagnostics: [...refused, ...synced.diagnostics] };
  const frontiers: FrontierView[] = [];
  if (report.ok) for (const p of report.projects) frontiers.push(await projectFrontier(ws, p.key));
  return { report, frontiers };
}
