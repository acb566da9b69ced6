// Picks the orchestration backend named by `orchestration.backend` (the env override
// PENGUIN_ORCHESTRATION_BACKEND is already applied by config loading).
import type { PenguinConfig } from '../config/schema.js';
import { UsageError } from '../errors.js';
import type { EventLog } from '../events/log.js';
import type { OrchestrationBackend } from './backend.js';
import {
  NativeEngine,
  type EngineStore,
  type NativeEngineConfig,
  type NativeEngineOptions,
} from './native/engine.js';
import type { PhaseExecutor } from './phase-executor.js';

/** The parts of penguin.yaml orchestration reads. */
export type OrchestrationSettings = Pick<PenguinConfig, 'orchestration' | 'verification'> & {
  runmode: Pick<PenguinConfig['runmode'], 'ituv'>;
};

export interface BackendDeps {
  store: EngineStore;
  events: EventLog;
  executor: PhaseExecutor;
  /** Engine tuning (lease, poll interval, concurrency) for the native backend. */
  native?: Omit<NativeEngineOptions, 'store' | 'events' | 'executor' | 'config'>;
}

/** The native engine settings from the workspace config. */
export function nativeEngineConfig(config: OrchestrationSettings): NativeEngineConfig {
  return {
    retry: { ...config.orchestration.retry },
    timeboxSec: { ...config.runmode.ituv.phase_timebox_sec },
    maxIterations: config.runmode.ituv.max_iterations,
    autoApprove: config.verification.auto_approve,
  };
}

export function createBackend(config: OrchestrationSettings, deps: BackendDeps): OrchestrationBackend {
  const backend = config.orchestration.backend;
  switch (backend) {
    case 'native':
      return new NativeEngine({
        ...deps.native,
        store: deps.store,
        events: deps.events,
        executor: deps.executor,
        config: nativeEngineConfig(config),
      });
    case 'temporal':
      throw new UsageError('the temporal backend is not available yet; set orchestration.backend to native');
    default:
      throw new UsageError(`unknown orchestration backend '${String(backend)}'; use native or temporal`);
  }
}
