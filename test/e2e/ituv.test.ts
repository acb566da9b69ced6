// ITUV end to end through the built CLI, with real agents (scripted), real test runners (node:test,
// pytest) and real recipes: a right implementation passes all four phases with evidence for every
// criterion; a wrong one fails naming the unmet criteria and the failing tests; a criterion with no
// evidence fails VERIFY even when every test passes, until a human overrides it.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowStatus } from '../../src/orchestration/backend.js';
import { assertBuilt, FIXTURES, REPO_ROOT, runCli, runJson, tempDir, syncedWorkspace } from './run-cli.js';

// The CLI prints WorkflowStatus as JSON: the tests read it with the product's own type.
type WorkflowJson = WorkflowStatus;

interface EvidenceJson {
  passed: boolean;
  criteria: {
    number: number;
    text: string;
    met: boolean;
    evidence: { kind: string; ref: string; passed: boolean }[];
    reason: string | null;
  }[];
  gates: { name: string; passed: boolean; detail: string }[];
  failures: string[];
}

interface TaskJson {
  blueprint_id: string;
  status: string;
  phase: string;
  overrides: { criterion: number; justification: string }[];
  evidence: EvidenceJson | null;
}

interface NextJson {
  phase: string | null;
  outcome: string | null;
  summary: string | null;
  workflow: WorkflowJson;
}

interface VerifyJson {
  task: { blueprint_id: string; status: string; phase: string };
  verify: EvidenceJson;
}

const ALL_PASSED = ['implement:passed', 'test:passed', 'use:passed', 'verify:passed'];

let scratch: string;
beforeAll(() => {
  assertBuilt();
  scratch = tempDir('penguin-e2e-ituv-');
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A fresh copy of a workspace source, initialised and synced like a user would. */
function workspaceFrom(source: string, name: string): string {
  return syncedWorkspace(source, join(scratch, name));
}

function phasesOf(w: WorkflowJson): string[] {
  return w.phases.map((p) => `${p.phase}:${p.outcome}`);
}

/** Starts and hosts the task's workflow to the end; it must complete with all four phases passed. */
function runToCompletion(dir: string, id: string): WorkflowJson {
  const run = runJson<WorkflowJson>(['task', 'ituv', 'start', id], { cwd: dir });
  expect(run.status, run.stderr).toBe(0);
  expect(run.json.blueprint_id).toBe(id);
  expect(run.json.state).toBe('completed');
  expect(phasesOf(run.json)).toEqual(ALL_PASSED);
  return run.json;
}

/** `task show --json` must say completed/done with met evidence for every criterion. */
function expectVerified(dir: string, id: string, criteria: number): TaskJson {
  const show = runJson<TaskJson>(['task', 'show', id], { cwd: dir });
  expect(show.status, show.stderr).toBe(0);
  expect(show.json.status).toBe('completed');
  expect(show.json.phase).toBe('done');
  const evidence = show.json.evidence;
  expect(evidence, 'task show --json carries the latest VERIFY verdict').not.toBeNull();
  expect(evidence?.passed).toBe(true);
  expect(evidence?.failures).toEqual([]);
  expect(evidence?.criteria.map((c) => c.number)).toEqual(Array.from({ length: criteria }, (_, i) => i + 1));
  for (const criterion of evidence?.criteria ?? []) {
    expect(criterion.met, `AC${criterion.number} is met`).toBe(true);
    // Evidence per criterion: its own passing test (named "ID ACn", pytest: test_ID_ACn_...).
    const test = criterion.evidence.find((e) => e.kind === 'test');
    expect(test?.passed).toBe(true);
    expect(test?.ref).toMatch(new RegExp(`${id.replace('-', '[-_]')}[ _]AC${criterion.number}(?!\\d)`));
  }
  return show.json;
}

describe('task ituv on the node example', () => {
  it('runs GREET-1, then the newly ready GREET-2, through all four phases with evidence', () => {
    const dir = workspaceFrom(join(REPO_ROOT, 'examples', 'node-service'), 'node-right');

    const before = runJson<{ ready: { blueprint_id: string }[] }>(['task', 'frontier'], { cwd: dir });
    expect(before.json.ready.map((t) => t.blueprint_id)).toEqual(['GREET-1']);

    const first = runToCompletion(dir, 'GREET-1');
    expect(first.phases.map((p) => p.iteration)).toEqual([1, 1, 1, 1]);
    const greet1 = expectVerified(dir, 'GREET-1', 2);
    // The recipe step covering both criteria counts as evidence too.
    expect(greet1.evidence?.criteria[1]?.evidence).toContainEqual({
      kind: 'recipe_step',
      ref: expect.stringContaining("recipe 'health' step 1") as unknown as string,
      passed: true,
    });

    const after = runJson<{ ready: { blueprint_id: string }[]; blocked: unknown[] }>(['task', 'frontier'], {
      cwd: dir,
    });
    expect(after.json.ready.map((t) => t.blueprint_id)).toEqual(['GREET-2']);
    expect(after.json.blocked).toEqual([]);

    runToCompletion(dir, 'GREET-2');
    expectVerified(dir, 'GREET-2', 2);
    const done = runJson<{ ready: unknown[] }>(['task', 'ready'], { cwd: dir });
    expect(done.json.ready).toEqual([]);
  }, 120_000);

  it('fails a wrong GREET-2 at TEST, and VERIFY names the unmet criteria and their failing tests', () => {
    const dir = workspaceFrom(join(REPO_ROOT, 'examples', 'node-service'), 'node-wrong');
    runToCompletion(dir, 'GREET-1');
    const wrong = { cwd: dir, env: { PENGUIN_EXAMPLE_VARIANT: 'wrong' } };

    const implement = runJson<NextJson>(['task', 'ituv', 'next', 'GREET-2'], wrong);
    expect(implement.status, implement.stderr).toBe(0);
    expect(implement.json.phase).toBe('implement');
    expect(implement.json.outcome).toBe('passed');
    expect(implement.json.summary).toContain('applied wrong for GREET-2');
    expect(implement.json.workflow.state).toBe('paused');

    const test = runJson<NextJson>(['task', 'ituv', 'next', 'GREET-2'], wrong);
    expect(test.status, test.stderr).toBe(0);
    expect(test.json.phase).toBe('test');
    expect(test.json.outcome).toBe('gate_failed');
    expect(test.json.summary).toContain('GREET-2 AC1 greets by name');
    expect(test.json.summary).toContain('GREET-2 AC2 a missing name answers 400');
    expect(test.json.workflow.id).toBe(implement.json.workflow.id);
    expect(test.json.workflow.state).toBe('paused');

    const verify = runJson<VerifyJson>(['task', 'ituv', 'verify', 'GREET-2'], { cwd: dir });
    expect(verify.status).toBe(1);
    expect(verify.json.verify.passed).toBe(false);
    expect(verify.json.task.status).not.toBe('completed');
    const [ac1, ac2] = verify.json.verify.criteria;
    expect(ac1?.met).toBe(false);
    expect(ac1?.reason).toContain('GREET-2 AC1 greets by name');
    expect(ac1?.evidence).toContainEqual({ kind: 'test', ref: 'GREET-2 AC1 greets by name', passed: false });
    expect(ac2?.met).toBe(false);
    expect(ac2?.reason).toContain('GREET-2 AC2 a missing name answers 400');
    const failures = verify.json.verify.failures;
    expect(failures.some((f) => f.startsWith('AC1') && f.includes('GREET-2 AC1 greets by name'))).toBe(true);
    expect(
      failures.some((f) => f.startsWith('AC2') && f.includes('GREET-2 AC2 a missing name answers 400')),
    ).toBe(true);
    expect(verify.json.verify.gates.find((g) => g.name === 'tests')?.passed).toBe(false);

    // Without --json the same verdict is a readable table and a failed check.
    const text = runCli(['task', 'ituv', 'verify', 'GREET-2'], { cwd: dir });
    expect(text.status).toBe(1);
    expect(text.stdout).toContain('VERIFY failed');
    expect(text.stdout).toContain('GREET-2 AC1 greets by name');
  }, 120_000);
});

describe('task ituv on the python example', () => {
  it('runs CONV-1 and CONV-2 through all four phases with pytest evidence', () => {
    const dir = workspaceFrom(join(REPO_ROOT, 'examples', 'python-service'), 'python-right');
    const first = runToCompletion(dir, 'CONV-1');
    expect(first.phases.find((p) => p.phase === 'test')?.summary).toContain('pytest');
    expectVerified(dir, 'CONV-1', 2);
    const ready = runJson<{ ready: { blueprint_id: string }[] }>(['task', 'ready'], { cwd: dir });
    expect(ready.json.ready.map((t) => t.blueprint_id)).toEqual(['CONV-2']);
    runToCompletion(dir, 'CONV-2');
    expectVerified(dir, 'CONV-2', 2);
  }, 120_000);
});

describe('VERIFY without evidence', () => {
  it('refuses a criterion no test or recipe covers, waits for a human, and accepts an override', () => {
    const dir = workspaceFrom(join(FIXTURES, 'e2e-verify'), 'verify');

    const run = runJson<WorkflowJson>(['task', 'ituv', 'start', 'X-1'], { cwd: dir });
    // Iterations used up on a failing gate: a failed check, so exit 1.
    expect(run.status, run.stderr).toBe(1);
    // Every gate before VERIFY passed; VERIFY alone refuses "done".
    expect(phasesOf(run.json)).toEqual([
      'implement:passed',
      'test:passed',
      'use:passed',
      'verify:gate_failed',
    ]);
    const verifyPhase = run.json.phases.at(-1);
    expect(verifyPhase?.summary).toMatch(/AC2 .*has no evidence/);
    expect(verifyPhase?.summary).not.toMatch(/AC1/);
    // max_iterations: 1 — no second IMPLEMENT; the run waits for a human.
    expect(run.json.state).toBe('waiting_input');
    expect(run.json.waiting_reason).toBe('clarification_needed');
    expect(run.json.last_failure).toMatch(/AC2 .*has no evidence/);

    const shown = runJson<TaskJson>(['task', 'show', 'X-1'], { cwd: dir });
    expect(shown.json.status).not.toBe('completed');
    expect(shown.json.evidence?.passed).toBe(false);
    expect(shown.json.evidence?.criteria.map((c) => c.met)).toEqual([true, false]);

    // Re-running VERIFY alone, without an override, still fails for AC2 only.
    const again = runJson<VerifyJson>(['task', 'ituv', 'verify', 'X-1'], { cwd: dir });
    expect(again.status).toBe(1);
    expect(again.json.verify.failures).toEqual([expect.stringMatching(/^AC2 .*has no evidence/)]);

    const usage = runCli(['task', 'ituv', 'verify', 'X-1', '--override', '2'], { cwd: dir });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/--why/);

    const override = runJson<VerifyJson>(
      ['task', 'ituv', 'verify', 'X-1', '--override', '2', '--why', 'checked by hand'],
      { cwd: dir },
    );
    expect(override.status, override.stderr).toBe(0);
    expect(override.json.verify.passed).toBe(true);
    expect(override.json.verify.criteria[1]?.evidence).toContainEqual({
      kind: 'override',
      ref: 'checked by hand',
      passed: true,
    });
    expect(override.json.task).toMatchObject({ status: 'completed', phase: 'done' });

    const workflow = runJson<WorkflowJson>(['workflow', 'status', run.json.id], { cwd: dir });
    expect(workflow.json.state).toBe('completed');

    const done = runJson<TaskJson>(['task', 'show', 'X-1'], { cwd: dir });
    expect(done.json.status).toBe('completed');
    expect(done.json.overrides).toMatchObject([{ criterion: 2, justification: 'checked by hand' }]);
    // The evidence shown for a completed task is the verdict that completed it (with the override).
    expect(done.json.evidence?.passed).toBe(true);
    expect(done.json.evidence?.criteria[1]).toMatchObject({ number: 2, met: true });
  }, 120_000);
});

describe('the IMPLEMENT prompt after a gate failure', () => {
  it('lists the failure as a previous attempt, not as feedback from a human', () => {
    const dir = workspaceFrom(join(FIXTURES, 'e2e-slow'), 'prompt');
    const run = runJson<WorkflowJson>(['task', 'ituv', 'start', 'S-1'], { cwd: dir });
    expect(run.status, run.stderr).toBe(0);
    expect(run.json.state).toBe('completed');
    // The slow agent's first draft fails TEST; the second IMPLEMENT fixes it.
    expect(run.json.phases.map((p) => `${p.phase}:${p.iteration}:${p.outcome}`)).toEqual([
      'implement:1:passed',
      'test:1:gate_failed',
      'implement:2:passed',
      'test:2:passed',
      'use:2:passed',
      'verify:2:passed',
    ]);
    const calls = readFileSync(join(dir, 'agent-log.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as { event: string; iteration: number; failures: string; feedback: string },
      )
      .filter((c) => c.event === 'started');
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({ failures: '', feedback: '' });
    expect(calls[1]?.failures).toContain('S-1 AC1 sum adds two numbers');
    expect(calls[1]?.iteration).toBe(2);
    expect(calls[1]?.feedback).toBe('');
  }, 120_000);
});
