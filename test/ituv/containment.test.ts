// Containment (issue 9): nothing a command starts outlives it, whether it ends by itself, is killed
// at its timeout, is stopped, or its host is SIGKILLed; a detached child holding the pipes never
// makes a command outlast its own exit; output is streamed to files and held in memory only capped.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  containment,
  namespaceCandidates,
  probeContainment,
  runCommand,
  startProcess,
  type ContainmentMode,
} from '../../src/ituv/process.js';
import {
  detachedSleeper,
  untilDetached,
  killMarked,
  newMarker,
  sleeperStarted,
  survivors,
} from './orphans.js';

const base = { cwd: process.cwd(), env: { PATH: process.env.PATH } };
const scratch = mkdtempSync(join(tmpdir(), 'penguin-containment-'));
afterEach(killMarked);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const modes: ContainmentMode[] =
  containment().mode === 'pid-namespace' ? ['pid-namespace', 'process-group'] : ['process-group'];

describe.each(modes)('containment: %s', (mode) => {
  const opts = { ...base, containment: mode };

  it('reports the mode it ran in', async () => {
    const result = await runCommand('true', opts);
    expect(result.containment).toBe(mode);
  });

  it('ends a setsid child when the command exits', async () => {
    const marker = newMarker();
    const result = await runCommand(`${detachedSleeper(marker)} & ${untilDetached(marker)}; echo done`, opts);
    expect(result).toMatchObject({ exitCode: 0, stdout: 'done\n', timedOut: false });
    expect(await survivors(marker)).toEqual([]);
  });

  it('ends a setsid child at the timeout', async () => {
    const marker = newMarker();
    const result = await runCommand(`${detachedSleeper(marker)} & sleep 400`, {
      ...opts,
      timeoutMs: 500,
      killGraceMs: 100,
    });
    expect(result.timedOut).toBe(true);
    expect(await survivors(marker)).toEqual([]);
  });

  it('ends a setsid child of a process that is stopped', async () => {
    const marker = newMarker();
    const running = startProcess(`${detachedSleeper(marker)} & echo up; sleep 400`, {
      ...opts,
      killGraceMs: 100,
    });
    await sleeperStarted(marker);
    await running.stop();
    expect(await survivors(marker)).toEqual([]);
  });

  it('is done when the command exits, although a detached child holds its stdout', async () => {
    // Before: the pipe held the result until the timeout, so an instant command "timed out".
    const result = await runCommand('setsid sleep 30 & echo started', { ...opts, timeoutMs: 20_000 });
    expect(result).toMatchObject({ timedOut: false, exitCode: 0, stdout: 'started\n' });
  });
});

describe.runIf(modes.includes('pid-namespace'))('pid-namespace mode', () => {
  // Before: the host's death left the whole tree running (nothing tied it to the host).
  it.each(['command', 'agent', 'runner', 'step', 'service'])(
    'ends a setsid child of a %s when its host is SIGKILLed',
    async (kind) => {
      const dist = resolve('dist');
      expect(existsSync(join(dist, 'ituv/process.js')), 'run npm run build first').toBe(true);
      const marker = newMarker();
      const host = spawn(
        process.execPath,
        [
          resolve('test/fixtures/ituv/host-runs-command.mjs'),
          dist,
          kind,
          `${detachedSleeper(marker)} & sleep 400`,
        ],
        { cwd: scratch, env: { PATH: process.env.PATH }, stdio: 'ignore' },
      );
      try {
        await sleeperStarted(marker);
        host.kill('SIGKILL');
        expect(await survivors(marker)).toEqual([]);
      } finally {
        host.kill('SIGKILL');
      }
    },
  );

  it('runs the command in a fresh PID namespace', async () => {
    // PID 1 is Penguin's init shell; the command itself is its child.
    const result = await runCommand('echo $$', base);
    expect(result.stdout).toBe('2\n');
  });
});

describe('probeContainment', () => {
  it('falls back to the process group, saying why, when no namespace command works', () => {
    const probed = probeContainment([['penguin-no-such-program', '--pid']]);
    expect(probed.mode).toBe('process-group');
    expect(probed.prefix).toEqual([]);
    expect(probed.detail).toMatch(/^process group and reaper: PID namespaces unavailable \(.*ENOENT.*\)$/);
  });

  it('offers the user-namespace variants to a non-root user', () => {
    const candidates = namespaceCandidates(1000).map((argv) => argv.join(' '));
    expect(candidates).toEqual([
      expect.stringContaining('unshare --user --map-current-user --pid --fork --kill-child'),
      expect.stringContaining('unshare --user --map-root-user --pid --fork --kill-child'),
    ]);
    expect(candidates.every((line) => line.startsWith('setpriv --pdeathsig KILL '))).toBe(true);
  });
});

describe('bounded output', () => {
  it('streams all output to the files and keeps only a capped head and tail in memory', async () => {
    const stdoutFile = join(scratch, 'big.stdout');
    const stderrFile = join(scratch, 'big.stderr');
    const total = 5 * 1024 * 1024;
    const result = await runCommand(
      `echo first; head -c ${total} /dev/zero | tr '\\0' a; echo; echo last; echo oops >&2`,
      { ...base, stdoutFile, stderrFile, captureBytes: 64 * 1024 },
    );
    expect(result.exitCode).toBe(0);
    expect(statSync(stdoutFile).size).toBe(total + 'first\n\nlast\n'.length);
    expect(readFileSync(stderrFile, 'utf8')).toBe('oops\n');
    expect(result.stdoutBytes).toBe(total + 'first\n\nlast\n'.length);
    expect(result.stdout.length).toBeLessThan(70 * 1024);
    expect(result.stdout.startsWith('first\n')).toBe(true);
    expect(result.stdout.endsWith('\nlast\n')).toBe(true);
    expect(result.stdout).toMatch(/\(\d+ bytes truncated\)/);
    expect(result.stderr).toBe('oops\n');
  });
});
