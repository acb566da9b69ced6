// `penguin demo`: both bundled examples run every task through ITUV with their scripted agents.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli } from './run-cli.js';

interface DemoJson {
  workspace: string;
  runs: { blueprint_id: string; state: string; phases: { phase: string; outcome: string }[] }[];
}

describe('penguin demo', () => {
  let scratch: string;
  beforeAll(() => {
    assertBuilt();
    scratch = mkdtempSync(join(tmpdir(), 'penguin-demo-test-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  for (const [example, ids] of [
    ['node', ['GREET-1', 'GREET-2']],
    ['python', ['CONV-1', 'CONV-2']],
  ] as const) {
    it(`runs the ${example} example to completion in dependency order`, () => {
      const dir = join(scratch, example);
      const result = runCli(['demo', example, '--dir', dir, '--json'], { cwd: scratch });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      const demo = JSON.parse(result.stdout) as DemoJson;
      expect(demo.workspace).toBe(dir);
      expect(demo.runs.map((r) => [r.blueprint_id, r.state])).toEqual(ids.map((id) => [id, 'completed']));
      for (const run of demo.runs) {
        expect(run.phases.map((p) => `${p.phase}:${p.outcome}`)).toEqual([
          'implement:passed',
          'test:passed',
          'use:passed',
          'verify:passed',
        ]);
      }
      // The workspace stays usable with the normal commands.
      const show = runCli(['--workspace', dir, 'task', 'show', ids[0], '--json'], { cwd: scratch });
      const task = JSON.parse(show.stdout) as { status: string; evidence: { passed: boolean } };
      expect(task.status).toBe('completed');
      expect(task.evidence.passed).toBe(true);

      const status = JSON.parse(
        runCli(['--workspace', dir, 'status', '--json'], { cwd: scratch }).stdout,
      ) as {
        projects: { tasks: number; by_status: Record<string, number>; ready: number; next: string | null }[];
        live_workflows: unknown[];
      };
      expect(status.projects).toHaveLength(1);
      expect(status.projects[0]).toMatchObject({ tasks: 2, ready: 0, next: null });
      expect(status.projects[0]?.by_status.completed).toBe(2);
      expect(status.live_workflows).toEqual([]);
    }, 120_000);
  }

  it('refuses an unknown example with a one-line error', () => {
    const result = runCli(['demo', 'cobol'], { cwd: scratch });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/no example 'cobol'; choose one of node-service, python-service/);
  });
});
