// runCommand and startProcess, the one way Penguin runs commands: output, stdin and only the given env,
// the whole process group killed at a timeout or stop(), and no wait on a child holding stdout.
import { describe, expect, it } from 'vitest';
import {
  processGroupAlive,
  runCommand,
  startProcess,
  waitForProcessGroupExit,
} from '../../src/ituv/process.js';

const base = { cwd: process.cwd(), env: { PATH: process.env.PATH } };

describe('runCommand', () => {
  it('captures output and the exit code', async () => {
    const result = await runCommand('echo out; echo err >&2; exit 3', base);
    expect(result).toMatchObject({ exitCode: 3, stdout: 'out\n', stderr: 'err\n', timedOut: false });
  });

  it('passes stdin and only the given environment', async () => {
    const result = await runCommand('cat; echo "[$HOME]"', { ...base, input: 'hello ' });
    expect(result.stdout).toBe('hello []\n');
  });

  it('kills the whole process tree at the timeout', async () => {
    const result = await runCommand('sleep 30 & sleep 30; echo never', {
      ...base,
      timeoutMs: 300,
      killGraceMs: 100,
    });
    expect(result.timedOut).toBe(true);
    expect(result.stdout).not.toContain('never');
    expect(result.durationMs).toBeLessThan(10_000);
  });

  it('does not wait for a background child that holds stdout open', async () => {
    const result = await runCommand('sleep 30 & echo started', { ...base, timeoutMs: 20_000 });
    expect(result.timedOut).toBe(false);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('started\n');
  });

  it('reports a missing working directory as a start error', async () => {
    const result = await runCommand('true', { ...base, cwd: '/nonexistent/dir' });
    expect(result.startError).toMatch(/nonexistent/);
  });
});

describe('startProcess', () => {
  it('runs alongside the caller and stop() ends the whole group', async () => {
    const running = startProcess('sleep 30 & echo up; sleep 30', { ...base, killGraceMs: 200 });
    expect(running.pid).toBeGreaterThan(0);
    let settled = false;
    void running.exited.then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(settled).toBe(false);
    expect(processGroupAlive(running.pid ?? 0)).toBe(true);
    const result = await running.stop();
    expect(result.stdout).toBe('up\n');
    expect(result.timedOut).toBe(false);
    expect(processGroupAlive(running.pid ?? 0)).toBe(false);
  });

  it('settles exited when the command ends by itself', async () => {
    const running = startProcess('exit 4', base);
    expect((await running.exited).exitCode).toBe(4);
    expect(await waitForProcessGroupExit(running.pid, 5_000)).toBe(true);
  });

  it('reports a start error without a pid', async () => {
    const running = startProcess('true', { ...base, cwd: '/nonexistent/dir' });
    const result = await running.stop();
    expect(result.startError).toMatch(/nonexistent/);
  });
});
