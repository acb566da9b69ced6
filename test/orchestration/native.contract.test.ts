// The orchestration contract run against the native (SQLite) engine.
import { NativeEngine } from '../../src/orchestration/native/engine.js';
import { describeBackendContract } from './contract.js';

describeBackendContract('native', ({ store, events, executor, config }) => {
  const engine = new NativeEngine({
    store,
    events,
    executor,
    config,
    pollMs: 50,
    leaseMs: 5_000,
    abortGraceMs: 2_000,
  });
  engine.start();
  return engine;
});
