// Builds the orchestration named by `orchestration.backend` (the env override
// PENGUIN_ORCHESTRATION_BACKEND is already applied by config loading): the client every caller uses and
// the host a process runs workflows with. The one place that knows the concrete backends: native
// (the SQLite engine) and temporal (ITUVWorkflows on a Temporal server, connected on first use).
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import type { PenguinConfig } from '../config/schema.js';
import { UsageError } from '../errors.js';
import type { EventLog } from '../events/log.js';
import type { OrchestrationBackend, OrchestrationClient, WorkflowHost } from './backend.js';
import type { MachineConfig } from './machine/index.js';
import type { Store } from '../project/store.js';
import { NativeEngine, type NativeEngineOptions } from './native/engine.js';
import type { PhaseExecutor } from './phase-executor.js';
import type { TemporalEngineOptions } from './temporal/engine.js';
import { LazyTemporalEngine } from './temporal/lazy.js';

/** The parts of penguin.yaml orchestration reads. */
export type OrchestrationSettings = Pick<PenguinConfig, 'orchestration' | 'verification'> & {
  runmode: Pick<PenguinConfig['runmode'], 'ituv'>;
};

export interface BackendDeps {
  store: Store;
  events: EventLog;
  executor: PhaseExecutor;
  /** Engine tuning (lease, poll interval, concurrency) for the native backend. */
  native?: Omit<NativeEngineOptions, 'store' | 'events' | 'executor' | 'config'>;
  /** For the Temporal backend: the workspace's .penguin/ (dev server, bundle cache) and tuning. */
  temporal?: Omit<TemporalEngineOptions, 'store' | 'events' | 'executor' | 'config' | 'settings'> & {
    penguinDir?: string | null;
    say?: (line: string) => void;
  };
}

/** One workspace's orchestration: what callers use, what a hosting process runs, and its release. */
export interface Orchestration {
  client: OrchestrationClient;
  host: WorkflowHost;
  /** Stops hosting and frees what the backend holds. */
  close(): Promise<void>;
}

/** The machine's settings from the workspace config. */
export function machineConfig(config: OrchestrationSettings): MachineConfig {
  return {
    retry: { ...config.orchestration.retry },
    timeboxSec: { ...config.runmode.ituv.phase_timebox_sec },
    maxIterations: config.runmode.ituv.max_iterations,
    autoApprove: config.verification.auto_approve,
  };
}

/** The older name of machineConfig. */
export const nativeEngineConfig = machineConfig;

export function createOrchestration(config: OrchestrationSettings, deps: BackendDeps): Orchestration {
  const engine = build(config, deps);
  return { client: engine, host: engine, close: () => engine.close() };
}

/** A client with its close(), as a backend's contract tests drive it. */
export function createBackend(config: OrchestrationSettings, deps: BackendDeps): OrchestrationBackend {
  return build(config, deps);
}

/**
 * The task queue a workspace's Temporal runs and workers meet on: the configured one, suffixed with
 * the identity of the workspace's store (a hash of its .penguin/ path), so that workspaces sharing a
 * server (the first one's auto-started dev server answers every other's default address) never run
 * each other's workflows against the wrong store.
 */
export function workspaceTaskQueue(queue: string, penguinDir: string | null): string {
  if (!penguinDir) return queue;
  let path = penguinDir;
  try {
    path = realpathSync(penguinDir);
  } catch {
    // Not there (yet): its path as given still names it.
  }
  return `${queue}-${createHash('sha256').update(path).digest('hex').slice(0, 10)}`;
}

function build(config: OrchestrationSettings, deps: BackendDeps): NativeEngine | LazyTemporalEngine {
  const backend = config.orchestration.backend;
  switch (backend) {
    case 'native':
      return new NativeEngine({
        ...deps.native,
        store: deps.store,
        events: deps.events,
        executor: deps.executor,
        config: machineConfig(config),
      });
    case 'temporal': {
      const { penguinDir, say, ...tuning } = deps.temporal ?? {};
      const t = config.orchestration.temporal;
      return new LazyTemporalEngine({
        ...tuning,
        store: deps.store,
        events: deps.events,
        executor: deps.executor,
        config: machineConfig(config),
        settings: {
          address: t.address,
          namespace: t.namespace,
          taskQueue: workspaceTaskQueue(t.task_queue, penguinDir ?? null),
          autoStart: t.auto_start,
          penguinDir: penguinDir ?? null,
          say: say ?? ((line) => process.stderr.write(`${line}\n`)),
        },
      });
    }
    default:
      throw new UsageError(`unknown orchestration backend '${String(backend)}'; use native or temporal`);
  }
}
