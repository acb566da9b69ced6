// Use case `penguin run continuous` (DESIGN §8, issue 12): resolves the project and the run's
// settings (parallelism, isolation, time limit), wires a workflow service whose host runs phases
// through the run-mode executor (worktrees, ports, routing, watchdog), and runs the scheduler until it
// stops; or, with `dryRun`, returns the frontier preview without starting anything. An interrupt
// (Ctrl-C) reaches it as an AbortSignal from the process entry point; events reach the caller as
// they are committed, for the CLI's live view or its one line per event.
import { watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import type { PenguinConfig } from '../config/schema.js';
import type { Isolation, RunPreview, RunSummary } from '../contracts/runmode.js';
import { UsageError } from '../errors.js';
import type { PenguinEvent } from '../events/types.js';
import { HOSTED_STATES } from '../orchestration/backend.js';
import type { WorkflowService } from '../orchestration/workflow-service.js';
import { resolveProject } from '../project/resolve.js';
import type { Workspace } from '../project/workspace.js';
import { hostHealthProbe } from '../scheduler/health.js';
import { Scheduler, waitingOf } from '../scheduler/loop.js';
import { selectDispatch, type Candidate } from '../scheduler/select.js';
import { currentBranch } from '../scheduler/worktree.js';
import { blueprintFiles, syncBlueprints } from './blueprints.js';
import { followFrontier, projectFrontier } from './frontier.js';
import { openWorkflowService } from './service.js';

export interface RunContinuousOptions {
  projectKey?: string;
  /** Overrides scheduler.ready_parallelism. */
  parallel?: number;
  /** `90`, `90s`, `5m`, `1h` (seconds without a unit). */
  timeLimit?: string;
  dryRun?: boolean;
  watch?: boolean;
}

export interface RunHosting {
  signal?: AbortSignal;
  /** Every event of the project, as it is committed. */
  onEvent?: (event: PenguinEvent) => void;
  /** Called once the run's settings are known, before anything starts. */
  onStart?: (settings: RunSettings) => void;
}

export interface RunSettings {
  project: string;
  parallelism: number;
  isolation: Isolation;
  baseBranch: string | null;
  timeLimitMs: number | null;
  timeboxSec: PenguinConfig['runmode']['ituv']['phase_timebox_sec'];
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A duration as milliseconds; a bad one is a usage error naming the option. */
export function parseDuration(text: string, option = '--time-limit'): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(text.trim());
  const value = match ? Number(match[1]) * UNITS[match[2] ?? 's']! : Number.NaN;
  if (!Number.isFinite(value) || value <= 0) {
    throw new UsageError(`${option} '${text}' is not a duration; use e.g. 90, 90s, 5m or 1h`);
  }
  return value;
}

async function settingsOf(
  ws: Workspace,
  options: RunContinuousOptions,
  projectKey: string,
): Promise<RunSettings> {
  const { scheduler } = ws.config;
  const parallelism = options.parallel ?? scheduler.ready_parallelism;
  if (!Number.isInteger(parallelism) || parallelism < 1) {
    throw new UsageError(`--parallel must be a positive integer, not ${String(options.parallel)}`);
  }
  const branch = await currentBranch(ws.paths.root);
  let isolation: Isolation;
  if (scheduler.isolation === 'worktree') {
    if (branch === null) {
      throw new UsageError(
        `scheduler.isolation is worktree but ${ws.paths.root} is not a git repository with a branch checked out; run git init and commit, or set scheduler.isolation to shared`,
      );
    }
    isolation = 'worktree';
  } else if (scheduler.isolation === 'shared') {
    isolation = 'shared';
  } else {
    isolation = branch !== null && parallelism > 1 ? 'worktree' : 'shared';
  }
  return {
    project: projectKey,
    parallelism,
    isolation,
    baseBranch: isolation === 'worktree' ? branch : null,
    timeLimitMs: options.timeLimit === undefined ? null : parseDuration(options.timeLimit),
    timeboxSec: ws.config.runmode.ituv.phase_timebox_sec,
  };
}

export async function runContinuous(
  ws: Workspace,
  options: RunContinuousOptions,
  hosting: RunHosting = {},
): Promise<RunSummary | RunPreview> {
  const project = await resolveProject(ws.store, options.projectKey);
  const settings = await settingsOf(ws, options, project.key);
  const service = openWorkflowService(ws);
  try {
    if (options.dryRun) return await preview(service, ws, project, settings);
    hosting.onStart?.(settings);
    const unsubscribe = hosting.onEvent
      ? await service.events.subscribe((event) => {
          if (event.project_id === project.id) hosting.onEvent?.(event);
        })
      : undefined;
    try {
      const scheduler = new Scheduler(
        {
          client: service.client,
          host: service.host,
          store: ws.store,
          events: service.events,
          project: { id: project.id, key: project.key },
          agents: ws.config.agents,
          root: ws.paths.root,
          penguinDir: ws.paths.penguinDir,
          frontier: followFrontier(ws, project.key),
          waitForChange: (signal) => blueprintChange(ws, signal),
          health: hostHealthProbe(),
        },
        {
          parallelism: settings.parallelism,
          onFailure: ws.config.scheduler.on_failure,
          timeLimitMs: settings.timeLimitMs,
          watch: options.watch === true,
          isolation: settings.isolation,
          baseBranch: settings.baseBranch,
          heartbeatMs: ws.config.runmode.health.heartbeat_sec * 1000,
          maxCpuPercent: ws.config.runmode.health.max_cpu_percent,
          maxMemoryPercent: ws.config.runmode.health.max_memory_percent,
        },
      );
      return await scheduler.run(hosting.signal);
    } finally {
      // Events committed by the last steps are published before the caller renders the summary.
      await service.events.flush();
      unsubscribe?.();
    }
  } finally {
    await service.close();
  }
}

/** `--dry-run`: what the loop would start first, in selection order, and why the rest waits. */
async function preview(
  service: WorkflowService,
  ws: Workspace,
  project: { id: string; key: string },
  settings: RunSettings,
): Promise<RunPreview> {
  const frontier = await projectFrontier(ws, project.key);
  const running = await service.client.list({ projectId: project.id, status: [...HOSTED_STATES] });
  const candidates: Candidate[] = [];
  for (const entry of frontier.ready) {
    const task = await ws.store.tasks.get(entry.id);
    if (task) candidates.push({ ...task, title: task.title });
  }
  const runningTasks = [];
  for (const run of running) {
    const task = await ws.store.tasks.get(run.task_id);
    const claim = await ws.store.claims.get(run.task_id);
    runningTasks.push({
      task_id: run.task_id,
      blueprint_id: run.blueprint_id,
      parallelizable: task?.parallelizable ?? null,
      agent_id: claim?.agent_id ?? null,
    });
  }
  const selection = selectDispatch({
    ready: candidates,
    running: runningTasks,
    parallelism: settings.parallelism,
    agents: ws.config.agents,
    lastUsed: new Map(),
  });
  const dispatch = new Map(selection.dispatch.map((d) => [d.task.id, d.agent?.id ?? null]));
  const waiting = new Map(selection.waiting.map((w) => [w.task.id, w.reason]));
  const refused = new Map(selection.refused.map((r) => [r.task.id, r.missing]));
  return {
    project: project.key,
    dry_run: true,
    parallelism: settings.parallelism,
    isolation: settings.isolation,
    ready: candidates.map((task, i) => {
      const missing = refused.get(task.id);
      return {
        position: i + 1,
        id: task.id,
        blueprint_id: task.blueprint_id,
        title: task.title,
        action: dispatch.has(task.id) ? 'dispatch' : missing ? 'refused' : 'wait',
        agent_id: dispatch.get(task.id) ?? null,
        reason: missing
          ? `no agent can take it: missing ${missing.join(', ')}`
          : (waiting.get(task.id) ?? null),
      };
    }),
    omitted: frontier.omitted,
    blocked: waitingOf(frontier, () => true),
    running: running.map((r) => r.id),
  };
}

/** `--watch`: resolves once a blueprint file changed and the blueprints were synced again. */
async function blueprintChange(ws: Workspace, signal: AbortSignal): Promise<void> {
  let dirs: string[];
  try {
    dirs = [...new Set(blueprintFiles(ws).map((file) => dirname(file)))];
  } catch {
    dirs = [ws.paths.root];
  }
  const watchers: FSWatcher[] = [];
  await new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | null = null;
    const done = (): void => {
      if (timer) clearTimeout(timer);
      for (const w of watchers) w.close();
      signal.removeEventListener('abort', done);
      resolve();
    };
    // Editors write a file in several steps: sync once they are done.
    const changed = (): void => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(done, 200);
    };
    signal.addEventListener('abort', done, { once: true });
    for (const dir of dirs) watchers.push(watch(dir, { recursive: false }, changed));
    if (signal.aborted) done();
  });
  if (signal.aborted) return;
  // A blueprint with errors is not synced (it writes nothing); the loop carries on with what it has.
  await syncBlueprints(ws).catch(() => undefined);
}
