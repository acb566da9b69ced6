// `penguin demo` (the default, `runmode`): the run-mode showcase on examples/runmode-service, end to
// end with the built CLI: two tasks side by side in worktrees, one fixed on its second iteration, one
// started by an artifact, and a history whose commits carry the Penguin trailers.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoResult } from '../../src/contracts/workflow.js';
import { assertBuilt, runCli, runJson, tempDir } from './run-cli.js';

describe('penguin demo (run mode)', () => {
  let scratch: string;
  beforeAll(() => {
    assertBuilt();
    scratch = tempDir('penguin-run-demo-');
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('runs the notes DAG two at a time in worktrees and merges each task with its trailers', () => {
    const dir = join(scratch, 'demo');
    const { json, status, stderr } = runJson<DemoResult>(['demo', '--dir', dir], { cwd: scratch });
    expect(status, stderr).toBe(0);
    expect(json.example).toBe('runmode');
    const byTask = new Map(json.runs.map((r) => [r.blueprint_id, r]));
    expect([...byTask.keys()].sort()).toEqual(['NOTE-1', 'NOTE-2', 'NOTE-3', 'NOTE-4', 'NOTE-5']);
    expect(json.runs.every((r) => r.state === 'completed')).toBe(true);
    // NOTE-3's first implementation fails TEST; the second iteration passes.
    expect(byTask.get('NOTE-3')?.iteration).toBe(2);
    expect(
      byTask
        .get('NOTE-3')
        ?.phases.map((p) => `${p.phase}:${p.outcome}`)
        .slice(0, 2),
    ).toEqual(['implement:passed', 'test:gate_failed']);
    // NOTE-1 and NOTE-2 ran at the same time.
    const span = (id: string): [number, number] => {
      const run = byTask.get(id)!;
      return [Date.parse(run.started_at), Date.parse(run.finished_at ?? run.updated_at)];
    };
    const [a0, a1] = span('NOTE-1');
    const [b0, b1] = span('NOTE-2');
    expect(a0 < b1 && b0 < a1).toBe(true);
    expect(json.commits?.map((c) => c.subject.split(':')[0]).sort()).toEqual([
      'NOTE-1',
      'NOTE-2',
      'NOTE-3',
      'NOTE-4',
      'NOTE-5',
    ]);
    for (const commit of json.commits ?? []) {
      expect(commit.trailers.map((t) => t.split(':')[0])).toEqual([
        'Penguin-Task',
        'Penguin-Blueprint',
        'Penguin-Workflow',
      ]);
    }
    // The workspace stays usable: NOTE-5 was started by NOTE-4's artifact and shows its evidence.
    const show = runJson<{ status: string; evidence: { passed: boolean } }>(
      ['--workspace', dir, 'task', 'show', 'NOTE-5'],
      { cwd: scratch },
    );
    expect(show.json).toMatchObject({ status: 'completed', evidence: { passed: true } });
    const human = runCli(['demo', 'runmode', '--dir', join(scratch, 'again')], { cwd: scratch });
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(
      /merged into the base branch:\n\s+\w+ NOTE-\d: .*\(Penguin-Task: t-\w+, Penguin-Blueprint: NOTE-\d, Penguin-Workflow: wf-\w+\)/,
    );
  }, 180_000);
});
