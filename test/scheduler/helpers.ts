// Shared by the scheduler tests and the run-mode bench: a project of tasks with their dependencies
// seeded in one transaction, and what a Scheduler run in-process on the native engine takes (its
// dependencies; options with shared isolation, no limits, no back-off, overridden per case).
import type { PenguinConfig } from '../../src/config/schema.js';
import type { EventLog } from '../../src/events/log.js';
import type { NativeEngine } from '../../src/orchestration/native/engine.js';
import { followProjectFrontier } from '../../src/project/frontier-follower.js';
import type { Project, Task } from '../../src/project/model.js';
import type { NewTask, Store } from '../../src/project/store.js';
import type { HealthProbe } from '../../src/scheduler/health.js';
import type { SchedulerDeps, SchedulerOptions } from '../../src/scheduler/loop.js';

export function schedulerOptions(overrides: Partial<SchedulerOptions> = {}): SchedulerOptions {
  return {
    parallelism: 1,
    onFailure: 'pause_dependents',
    timeLimitMs: null,
    watch: false,
    isolation: 'shared',
    baseBranch: null,
    heartbeatMs: 60_000,
    maxCpuPercent: 100,
    maxMemoryPercent: 100,
    ...overrides,
  };
}

/** Creates project `key` with `tasks` (in order) and each one's completion_required dependencies (by index). */
export function seedGraph(
  store: Store,
  key: string,
  tasks: readonly { task: (projectId: string) => NewTask; deps: readonly number[] }[],
): Promise<{ project: Project; tasks: Task[] }> {
  return store.transaction(async (tx) => {
    const project = await tx.projects.upsert({ key, title: key, blueprint_file: null });
    const created = await tx.tasks.createMany(tasks.map((t) => ({ task: t.task(project.id) })));
    for (const [i, { deps }] of tasks.entries()) {
      await tx.dependencies.set(
        created[i]!.id,
        'blueprint',
        deps.map((d) => ({
          depends_on_id: created[d]!.id,
          policy: 'completion_required',
          artifact_key: null,
        })),
      );
    }
    return { project, tasks: created };
  });
}

/** A Scheduler's dependencies on one native engine (client and host), its store and event log. */
export function engineDeps(input: {
  engine: NativeEngine;
  store: Store;
  events: EventLog;
  project: Project;
  dir: string;
  scheduler: Pick<PenguinConfig['scheduler'], 'tie_breakers' | 'on_failure' | 'max_frontier'>;
  health?: HealthProbe;
}): SchedulerDeps {
  const { engine, store, project } = input;
  return {
    client: engine,
    host: engine,
    store,
    events: input.events,
    project: { id: project.id, key: project.key },
    agents: [],
    root: input.dir,
    penguinDir: input.dir,
    frontier: followProjectFrontier(store, input.scheduler, project.key),
    health: input.health ?? (() => ({ cpu_percent: 0, memory_percent: 0 })),
  };
}
