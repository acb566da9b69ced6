// runChecks, the `verification.checks` VERIFY runs itself: pass and fail with output, a missing
// command, a timeout, an aborted signal, and a check configured without a name or command.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { runChecks } from '../../src/ituv/checks.js';

let workspace: string;
const env = { PATH: process.env.PATH };

beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'penguin-checks-'));
  writeFileSync(join(workspace, 'lint-me.txt'), 'clean\n');
});

afterAll(() => rmSync(workspace, { recursive: true, force: true }));

describe('runChecks', () => {
  it('runs every check in the workspace root and reports pass and fail with output', async () => {
    const results = await runChecks(
      [
        { name: 'lint', command: 'grep -q clean lint-me.txt' },
        { name: 'typecheck', command: 'echo "src/a.ts(3,1): error TS2322: bad type"; exit 2' },
        { name: 'env', command: 'test "$CHECK_FLAG" = on' },
      ],
      { workspaceRoot: workspace, timeoutMs: 20_000, env: { ...env, CHECK_FLAG: 'on' } },
    );
    expect(results.map((r) => [r.name, r.passed])).toEqual([
      ['lint', true],
      ['typecheck', false],
      ['env', true],
    ]);
    expect(results[0]).toMatchObject({ command: 'grep -q clean lint-me.txt', failure: null });
    expect(results[1]?.failure).toBe(
      'check \'typecheck\' failed: `echo "src/a.ts(3,1): error TS2322: bad type"; exit 2` exited with code 2\n' +
        'src/a.ts(3,1): error TS2322: bad type',
    );
  });

  it('fails a missing command and a check that outlives its timeout', async () => {
    const results = await runChecks(
      [
        { name: 'missing', command: 'definitely-not-a-command-penguin' },
        { name: 'hang', command: 'sleep 30 & sleep 30' },
      ],
      { workspaceRoot: workspace, timeoutMs: 500, env },
    );
    expect(results[0]?.passed).toBe(false);
    expect(results[0]?.failure).toMatch(/exited with code 127/);
    expect(results[1]?.passed).toBe(false);
    expect(results[1]?.failure).toMatch(/^check 'hang' failed: `sleep 30 & sleep 30` timed out after/);
  });

  it('does not start checks once the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const marker = join(workspace, 'ran.txt');
    const results = await runChecks([{ name: 'touch', command: `touch ${marker}` }], {
      workspaceRoot: workspace,
      timeoutMs: 5_000,
      env,
      signal: controller.signal,
    });
    expect(results).toEqual([
      {
        name: 'touch',
        command: `touch ${marker}`,
        passed: false,
        failure: "check 'touch' was cancelled before it ran",
        duration_ms: 0,
      },
    ]);
  });

  it('rejects a check without a name or command', async () => {
    await expect(
      runChecks([{ name: ' ', command: 'true' }], { workspaceRoot: workspace, timeoutMs: 1_000 }),
    ).rejects.toThrow(UsageError);
    await expect(
      runChecks([{ name: 'x', command: '' }], { workspaceRoot: workspace, timeoutMs: 1_000 }),
    ).rejects.toThrow('verification.checks[0]: a check needs a command.');
  });
});
