// The orchestration contract (test/orchestration/contract.ts) run unchanged against the Temporal
// backend on a real dev server: ITUVWorkflows, a worker in this process, the workspace's store.
import { TemporalEngine } from '../../../src/orchestration/temporal/engine.js';
import { describeBackendContract } from '../contract.js';
import { describeWithTemporal } from './server.js';

describeWithTemporal('temporal backend', (server) => {
  describeBackendContract('temporal', ({ store, events, executor, config }) => {
    const engine = new TemporalEngine({
      store,
      events,
      executor,
      config,
      settings: server.settings(),
      heartbeatTimeoutMs: 2_000,
      shutdownGraceMs: 0,
    });
    engine.run();
    return engine;
  });
});
