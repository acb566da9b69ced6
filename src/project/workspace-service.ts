// The service layer behind the CLI (and later the HTTP API): one object per workspace that knows
// its paths, its config and its store, and turns a user's request into calls on the project
// modules. The CLI only parses arguments and renders what these methods return.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadBlueprint } from '../blueprint/load.js';
import {
  hasErrors,
  type Blueprint,
  type Diagnostic,
  DEPENDENCY_POLICIES,
  type DependencyPolicy,
} from '../blueprint/model.js';
import { detectFormat } from '../blueprint/parse.js';
import { resolveBlueprintSources } from '../blueprint/sources.js';
import { loadConfig } from '../config/load.js';
import type { PenguinConfig } from '../config/schema.js';
import { findWorkspaceRoot, PENGUIN_DIR, workspacePaths, type WorkspacePaths } from '../config/workspace.js';
import { ConflictError, NotFoundError, UsageError } from '../errors.js';
import { addTaskDependency, listTaskDependencies, removeTaskDependency } from './dependencies.js';
import { computeDrift, type DriftReport } from './drift.js';
import { computeFrontier, type Frontier } from './frontier.js';
import { exportGraph, GRAPH_FORMATS, type GraphFormat } from './graph-export.js';
import {
  TASK_STATUSES,
  type Dependency,
  type Project,
  type Task,
  type TaskStatus,
  type Transition,
} from './model.js';
import { openStore, type SqliteStore } from './sqlite-store.js';
import { syncBlueprints, type SyncReport } from './sync.js';

export interface OpenWorkspaceOptions {
  /** An explicit workspace directory (--workspace); it must hold `.penguin/`. */
  workspace?: string;
  /** Where to start looking upward for `.penguin/` when no workspace is given. */
  cwd: string;
  env?: NodeJS.ProcessEnv;
}

export interface LintResult {
  ok: boolean;
  blueprints: Blueprint[];
}

/** One dependency edge as shown to a user: the other task and how the edge is held. */
export interface DependencyView {
  id: string;
  blueprint_id: string;
  title: string;
  status: TaskStatus;
  policy: DependencyPolicy;
  artifact_key: string | null;
  source: Dependency['source'];
}

export interface TaskDetail {
  project: string;
  task: Task;
  dependencies: { upstream: DependencyView[]; downstream: DependencyView[] };
  history: Transition[];
}

export interface FrontierView extends Frontier {
  project: string;
}

export interface DependencyChange {
  task: string;
  depends_on: string;
  policy: DependencyPolicy;
  artifact_key: string | null;
}

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
export function lintFiles(files: readonly string[], cwd: string): LintResult {
  const blueprints = assertFiles(files, cwd).map((file) => loadBlueprint(file));
  return { ok: !hasErrors(blueprints.flatMap((b) => b.diagnostics)), blueprints };
}

const hasGlobChars = (text: string): boolean => /[*?[\]{}]/.test(text);

export class Workspace {
  readonly paths: WorkspacePaths;
  readonly config: PenguinConfig;
  private readonly cwd: string;
  private openedStore: SqliteStore | null = null;

  constructor(root: string, cwd: string, env: NodeJS.ProcessEnv) {
    this.paths = workspacePaths(root);
    this.cwd = cwd;
    this.config = loadConfig(this.paths.root, env);
  }

  /** The task store, opened on first use so that commands that need no database never create one. */
  get store(): SqliteStore {
    this.openedStore ??= openStore(this.paths.dbFile);
    return this.openedStore;
  }

  close(): void {
    this.openedStore?.close();
    this.openedStore = null;
  }

  // ---- blueprints -------------------------------------------------------------------------

  /**
   * The blueprint files for a sync or a status: the given files and globs (relative to the current
   * directory), or the configured sources (relative to the workspace root) filtered by format.
   */
  blueprintFiles(filesOrGlobs?: readonly string[]): string[] {
    if (filesOrGlobs !== undefined && filesOrGlobs.length > 0) {
      const files = new Set<string>();
      for (const arg of filesOrGlobs) {
        const matched = hasGlobChars(arg)
          ? resolveBlueprintSources(this.cwd, [arg])
          : assertFiles([arg], this.cwd);
        if (matched.length === 0) throw new UsageError(`no blueprint files match ${arg}`);
        for (const file of matched) files.add(file);
      }
      return [...files];
    }
    const formats = new Set(this.config.blueprints.formats);
    const files = resolveBlueprintSources(this.paths.root, this.config.blueprints.sources).filter((file) => {
      const format = detectFormat(file);
      return format !== null && formats.has(format);
    });
    if (files.length === 0) {
      throw new UsageError(
        `no blueprint files match ${this.config.blueprints.sources.join(', ')} under ${this.paths.root}; pass files to sync or add blueprints to ${this.config.blueprints.default_dir}`,
      );
    }
    return files;
  }

  /** Parses, lints and reconciles; with any error diagnostic nothing is written. */
  syncSources(filesOrGlobs?: readonly string[]): SyncReport {
    const blueprints = this.blueprintFiles(filesOrGlobs).map((file) => loadBlueprint(file));
    return syncBlueprints(this.store, blueprints, { workspaceRoot: this.paths.root });
  }

  /** Drift between the configured blueprints and the store; `projectKey` narrows it to one project. */
  blueprintStatus(
    projectKey?: string,
    filesOrGlobs?: readonly string[],
  ): DriftReport & { diagnostics: Diagnostic[] } {
    const blueprints = this.blueprintFiles(filesOrGlobs).map((file) => loadBlueprint(file));
    const drift = computeDrift(this.store, blueprints, {
      workspaceRoot: this.paths.root,
      testPatterns: this.config.blueprints.test_mapping.patterns,
    });
    const projects =
      projectKey === undefined ? drift.projects : drift.projects.filter((p) => p.key === projectKey);
    if (projectKey !== undefined && projects.length === 0) {
      throw new NotFoundError(
        `no blueprint feeds project ${projectKey}; known: ${drift.projects.map((p) => p.key).join(', ') || 'none'}`,
      );
    }
    return { projects, diagnostics: blueprints.flatMap((b) => b.diagnostics) };
  }

  // ---- projects and tasks -----------------------------------------------------------------

  /** The project meant: the one named, or the only one there is. */
  resolveProject(projectKey?: string): Project {
    const projects = this.store.listProjects();
    if (projectKey !== undefined) {
      const project = this.store.getProjectByKey(projectKey);
      if (project === null) {
        throw new NotFoundError(
          `no project ${projectKey}; known projects: ${projects.map((p) => p.key).join(', ') || 'none'}`,
        );
      }
      return project;
    }
    const [only] = projects;
    if (only === undefined) throw new UsageError('no projects yet; run `penguin blueprint sync` first');
    if (projects.length > 1) {
      throw new UsageError(
        `several projects exist (${projects.map((p) => p.key).join(', ')}); pass --project KEY`,
      );
    }
    return only;
  }

  listProjects(): Project[] {
    return this.store.listProjects();
  }

  /** Tasks of one project, or of every project when no key is given; orphaned tasks included. */
  listTasks(projectKey?: string, status?: string): Task[] {
    const filter: Parameters<SqliteStore['listTasks']>[0] = { includeOrphaned: true };
    if (projectKey !== undefined) filter.projectId = this.resolveProject(projectKey).id;
    if (status !== undefined) filter.status = parseStatus(status);
    return this.store.listTasks(filter);
  }

  showTask(ref: string, projectKey?: string): TaskDetail {
    const task = this.store.resolveTask(ref, projectKey);
    const deps = listTaskDependencies(this.store, task.id);
    const view = ({ task: other, dep }: { task: Task; dep: Dependency }): DependencyView => ({
      id: other.id,
      blueprint_id: other.blueprint_id,
      title: other.title,
      status: other.status,
      policy: dep.policy,
      artifact_key: dep.artifact_key,
      source: dep.source,
    });
    return {
      project: this.store.getProject(task.project_id)?.key ?? task.project_id,
      task,
      dependencies: { upstream: deps.upstream.map(view), downstream: deps.downstream.map(view) },
      history: this.store.listTransitions(task.id),
    };
  }

  /**
   * The ready tasks and the blocked ones with reasons. `artifactKeys` comes from the artifact store
   * (a layer above this one) so that `artifact_ready` dependencies can be met.
   */
  frontier(projectKey?: string, artifactKeys?: (taskId: string) => ReadonlySet<string>): FrontierView {
    const project = this.resolveProject(projectKey);
    const { scheduler } = this.config;
    const frontier = computeFrontier({
      tasks: this.store.listTasks({ projectId: project.id, includeOrphaned: true }),
      dependencies: this.store.listDependencies({ projectId: project.id }),
      ...(artifactKeys ? { artifactKeys } : {}),
      tieBreakers: scheduler.tie_breakers,
      onFailure: scheduler.on_failure,
      maxFrontier: scheduler.max_frontier,
    });
    return { project: project.key, ...frontier };
  }

  // ---- reviews and lifecycle ----------------------------------------------------------------

  /** pending_review -> completed, recording who decided and why. */
  approve(ref: string, options: { projectKey?: string; reason?: string } = {}): Task {
    return this.store.transaction(() => {
      const task = this.store.resolveTask(ref, options.projectKey);
      if (task.status !== 'pending_review') {
        throw new ConflictError(
          `task ${task.blueprint_id} is ${task.status}; only a task in pending_review can be approved`,
        );
      }
      const reason = withReason('approved', options.reason);
      this.store.updateTaskContent(task.id, {
        review_note: options.reason ?? null,
        reviewed_at: new Date().toISOString(),
      });
      return this.store.transitionTask(task.id, { status: 'completed', phase: 'done', reason });
    });
  }

  /** Back to active (phase pending) so the task runs again. */
  reopen(ref: string, options: { projectKey?: string; reason?: string } = {}): Task {
    return this.store.transaction(() => {
      const task = this.store.resolveTask(ref, options.projectKey);
      if (task.status === 'active') throw new ConflictError(`task ${task.blueprint_id} is already active`);
      return this.store.transitionTask(task.id, {
        status: 'active',
        phase: 'pending',
        reason: withReason('reopened', options.reason),
      });
    });
  }

  cancel(ref: string, options: { projectKey?: string; reason?: string } = {}): Task {
    return this.store.transaction(() => {
      const task = this.store.resolveTask(ref, options.projectKey);
      if (task.status === 'cancelled')
        throw new ConflictError(`task ${task.blueprint_id} is already cancelled`);
      return this.store.transitionTask(task.id, {
        status: 'cancelled',
        reason: withReason('cancelled', options.reason),
      });
    });
  }

  // ---- dependencies and graph ---------------------------------------------------------------

  addDependency(input: {
    task: string;
    dependsOn: string;
    projectKey?: string;
    policy?: string;
    artifactKey?: string;
  }): DependencyChange {
    const policy = input.policy === undefined ? undefined : parsePolicy(input.policy);
    const dep = addTaskDependency(this.store, { ...input, policy });
    return this.describeChange(dep);
  }

  removeDependency(input: { task: string; dependsOn: string; projectKey?: string }): {
    task: string;
    depends_on: string;
  } {
    const task = this.store.resolveTask(input.task, input.projectKey);
    const upstream = this.store.resolveTask(input.dependsOn, input.projectKey);
    removeTaskDependency(this.store, input);
    return { task: task.blueprint_id, depends_on: upstream.blueprint_id };
  }

  listDependencies(ref: string, projectKey?: string): TaskDetail['dependencies'] & { task: string } {
    const detail = this.showTask(ref, projectKey);
    return { task: detail.task.blueprint_id, ...detail.dependencies };
  }

  graph(projectKey: string | undefined, format: string): string {
    if (!(GRAPH_FORMATS as readonly string[]).includes(format)) {
      throw new UsageError(`unknown graph format ${format}; use one of ${GRAPH_FORMATS.join(', ')}`);
    }
    const project = this.resolveProject(projectKey);
    const tasks = this.store.listTasks({ projectId: project.id, includeOrphaned: true });
    return exportGraph(tasks, this.store.listDependencies({ projectId: project.id }), format as GraphFormat);
  }

  private describeChange(dep: Dependency): DependencyChange {
    const name = (id: string): string => this.store.getTask(id)?.blueprint_id ?? id;
    return {
      task: name(dep.task_id),
      depends_on: name(dep.depends_on_id),
      policy: dep.policy,
      artifact_key: dep.artifact_key,
    };
  }
}

function withReason(action: string, reason: string | undefined): string {
  return reason === undefined || reason.trim() === ''
    ? `${action} by user`
    : `${action} by user: ${reason.trim()}`;
}

function parseStatus(status: string): TaskStatus {
  if ((TASK_STATUSES as readonly string[]).includes(status)) return status as TaskStatus;
  throw new UsageError(`unknown status ${status}; use one of ${TASK_STATUSES.join(', ')}`);
}

function parsePolicy(policy: string): DependencyPolicy {
  if ((DEPENDENCY_POLICIES as readonly string[]).includes(policy)) return policy as DependencyPolicy;
  throw new UsageError(`unknown dependency policy ${policy}; use one of ${DEPENDENCY_POLICIES.join(', ')}`);
}

/** Finds the workspace (explicit or by walking up), loads its config; the store opens on first use. */
export function openWorkspace(options: OpenWorkspaceOptions): Workspace {
  const env = options.env ?? process.env;
  if (options.workspace !== undefined) {
    const root = resolve(options.cwd, options.workspace);
    if (!existsSync(resolve(root, PENGUIN_DIR))) {
      throw new UsageError(
        `${root} is not a Penguin workspace (no ${PENGUIN_DIR}/); run \`penguin init ${options.workspace}\``,
      );
    }
    return new Workspace(root, options.cwd, env);
  }
  const root = findWorkspaceRoot(options.cwd);
  if (root === null) {
    throw new UsageError(`no Penguin workspace here or above ${resolve(options.cwd)}; run \`penguin init\``);
  }
  return new Workspace(root, options.cwd, env);
}
