// The machine's run policy (exponential backoff up to the cap, phase order and progress) and
// createBackend: the native engine built from the config, and temporal refused as not available yet.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';
import { EventLog } from '../../src/events/log.js';
import { createBackend, nativeEngineConfig } from '../../src/orchestration/factory.js';
import { NativeEngine } from '../../src/orchestration/native/engine.js';
import { nextPhase, progressAt, retryDelayMs } from '../../src/orchestration/machine/index.js';
import { openSqliteStore } from '../../src/project/sqlite/store.js';

describe('orchestration policy', () => {
  it('backs off exponentially up to the cap', () => {
    const retry = { max_attempts: 5, initial_interval_sec: 1, backoff: 2, max_interval_sec: 5 };
    expect([1, 2, 3, 4, 5].map((a) => retryDelayMs(retry, a))).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
    expect(retryDelayMs({ ...retry, backoff: 1 }, 4)).toBe(1_000);
  });

  it('orders phases and maps them to progress', () => {
    expect(['implement', 'test', 'use', 'verify'].map((p) => nextPhase(p as 'implement'))).toEqual([
      'test',
      'use',
      'verify',
      'done',
    ]);
    expect([progressAt('implement'), progressAt('use'), progressAt('done')]).toEqual([0, 50, 100]);
  });
});

describe('createBackend', () => {
  const store = openSqliteStore(':memory:');
  const events = new EventLog(store);
  const executor = { execute: () => Promise.reject(new Error('unused')) };

  it('builds the native engine from the workspace config', async () => {
    const backend = createBackend(DEFAULT_CONFIG, { store, events, executor });
    expect(backend).toBeInstanceOf(NativeEngine);
    expect(await backend.health()).toMatchObject({ ok: true, backend: 'native' });
    expect(nativeEngineConfig(DEFAULT_CONFIG)).toEqual({
      retry: { max_attempts: 3, initial_interval_sec: 1, backoff: 2, max_interval_sec: 60 },
      timeboxSec: { implement: 600, test: 300, use: 180, verify: 120 },
      maxIterations: 3,
      autoApprove: true,
    });
    await backend.close();
  });

  it('builds the Temporal backend when configured, without reaching a server until used', async () => {
    const config = {
      ...DEFAULT_CONFIG,
      orchestration: {
        ...DEFAULT_CONFIG.orchestration,
        backend: 'temporal' as const,
        temporal: { ...DEFAULT_CONFIG.orchestration.temporal, address: '127.0.0.1:1', auto_start: false },
      },
    };
    const backend = createBackend(config, { store, events, executor });
    expect(backend).not.toBeInstanceOf(NativeEngine);
    expect(await backend.health()).toEqual({
      ok: false,
      backend: 'temporal',
      detail: 'no Temporal server answers at 127.0.0.1:1',
    });
    await backend.close();
  });
});
