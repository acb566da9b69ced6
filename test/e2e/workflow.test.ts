// Durable runs across terminals, through the built CLI: a run started in one terminal is paused, fed
// back and resumed from others; the first terminal is killed; a new one finishes the run. Every
// "terminal" is a separate real process sharing only the workspace's SQLite database.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WorkflowStatus } from '../../src/orchestration/backend.js';
import { FIXTURES, runJson } from './run-cli.js';
import { backgroundCliScratch, spawnCli, waitUntil, type BackgroundCli } from './spawn-cli.js';
import { pidsWithMarker } from '../ituv/orphans.js';

// The CLI prints WorkflowStatus as JSON: the tests read it with the product's own type.
type WorkflowJson = WorkflowStatus;

interface AgentCall {
  event: 'started' | 'finished';
  pid: number;
  iteration: number;
  failures: string;
  feedback: string;
}

const { background, workspace: workspaceFrom } = backgroundCliScratch('penguin-e2e-workflow-');

function agentCalls(dir: string): AgentCall[] {
  const file = join(dir, 'agent-log.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AgentCall);
}

function status(dir: string, id: string): WorkflowJson {
  const result = runJson<WorkflowJson>(['workflow', 'status', id], { cwd: dir });
  expect(result.status, result.stderr).toBe(0);
  return result.json;
}

/** Terminal 1: `task ituv start S-1` hosting in the background, once its agent is at work. */
async function startInBackground(dir: string): Promise<{ t1: BackgroundCli; id: string }> {
  const t1 = spawnCli(['task', 'ituv', 'start', 'S-1', '--json'], { cwd: dir });
  background.push(t1);
  const id = await waitUntil('workflow list to show the run as running', () => {
    const list = runJson<{ workflows: WorkflowJson[] }>(['workflow', 'list'], { cwd: dir });
    return list.json.workflows.find((w) => w.blueprint_id === 'S-1' && w.state === 'running')?.id;
  });
  // The agent has started: IMPLEMENT is in flight (it sleeps about 2 s).
  await waitUntil('the agent to start', () => (agentCalls(dir).length > 0 ? true : undefined));
  return { t1, id };
}

/** No phase result was recorded twice: each (phase, iteration) finished once (abandoned attempts aside). */
function expectNoPhaseFinishedTwice(w: WorkflowJson): void {
  const keys = w.phases
    .filter((p) => p.outcome !== null && p.outcome !== 'abandoned')
    .map((p) => `${p.phase}:${p.iteration}`);
  expect(new Set(keys).size, `phases: ${keys.join(', ')}`).toBe(keys.length);
}

describe('a run steered from several terminals', () => {
  it('is paused, fed back and resumed from other terminals, and finished by a new one after the first is killed', async () => {
    const dir = workspaceFrom(join(FIXTURES, 'e2e-slow'), 'pause-feedback');
    const { t1, id } = await startInBackground(dir);

    // Terminal 2: the run mode line names the live run and its timebox.
    const line = runJson<{ workflow: WorkflowJson | null; timebox_left_sec: number | null }>(
      ['runmode', 'status'],
      {
        cwd: dir,
      },
    );
    expect(line.status, line.stderr).toBe(0);
    expect(line.json.workflow).toMatchObject({ id, blueprint_id: 'S-1', state: 'running' });
    // IMPLEMENT, unless this machine is slow enough that the 2 s agent already finished.
    expect(['implement', 'test']).toContain(line.json.workflow?.phase);
    expect(line.json.timebox_left_sec).toEqual(expect.any(Number));
    expect(line.json.timebox_left_sec).toBeGreaterThan(0);
    expect(line.json.timebox_left_sec).toBeLessThanOrEqual(600); // implement's default timebox

    // Terminal 2: pause. It lands at the next phase boundary, after the in-flight IMPLEMENT.
    const pause = runJson<WorkflowJson>(['workflow', 'pause', id], { cwd: dir });
    expect(pause.status, pause.stderr).toBe(0);
    const paused = await waitUntil('the run to pause', () => {
      const w = status(dir, id);
      return w.state === 'paused' ? w : undefined;
    });
    // Usually right after the first IMPLEMENT; on a slow machine maybe after the TEST that follows.
    expect(paused.phases[0]).toMatchObject({ phase: 'implement', iteration: 1, outcome: 'passed' });
    expect(
      paused.phases.every((p) => p.outcome !== null),
      'no phase is in flight',
    ).toBe(true);
    expect(paused.phases.some((p) => p.phase === 'implement' && p.iteration === 2)).toBe(false);

    // Terminal 2: feedback for the next IMPLEMENT, recorded while the run is paused.
    const feedback = runJson<WorkflowJson>(['workflow', 'feedback', id, 'use port 9'], { cwd: dir });
    expect(feedback.status, feedback.stderr).toBe(0);
    expect(feedback.json.state).toBe('paused');

    // Terminal 1 goes away. Its foreground host may already have returned when the run paused.
    if (!t1.alive()) {
      const exit = await t1.exited;
      expect(exit.code, t1.stderr()).toBe(0);
      expect((JSON.parse(t1.stdout()) as WorkflowJson).state).toBe('paused');
    }
    await t1.kill();

    // Terminal 3, a new process: resume and host the run to the end.
    const resume = runJson<WorkflowJson>(['workflow', 'resume', id], { cwd: dir });
    expect(resume.status, resume.stderr).toBe(0);
    expect(resume.json.state).toBe('completed');

    // The agent's first draft failed TEST; the next IMPLEMENT got the feedback given meanwhile.
    const calls = agentCalls(dir).filter((c) => c.event === 'started');
    expect(calls).toHaveLength(2);
    expect(calls[0]?.feedback).not.toContain('use port 9');
    expect(calls[1]?.feedback).toContain('use port 9');

    const final = status(dir, id);
    expect(final.state).toBe('completed');
    expect(final.phases.map((p) => `${p.phase}:${p.iteration}:${p.outcome}`)).toEqual([
      'implement:1:passed',
      'test:1:gate_failed',
      'implement:2:passed',
      'test:2:passed',
      'use:2:passed',
      'verify:2:passed',
    ]);
    expectNoPhaseFinishedTwice(final);
    const task = runJson<{ status: string; phase: string }>(['task', 'show', 'S-1'], { cwd: dir });
    expect(task.json).toMatchObject({ status: 'completed', phase: 'done' });
  }, 120_000);

  it('is taken over by a new terminal after the first one is killed mid-phase', async () => {
    const dir = workspaceFrom(join(FIXTURES, 'e2e-slow'), 'killed-mid-phase');
    const { t1, id } = await startInBackground(dir);

    // Kill terminal 1 while its agent sleeps inside IMPLEMENT: no pause, no clean shutdown.
    t1.child.kill('SIGKILL');
    expect((await t1.exited).signal).toBe('SIGKILL');
    const orphaned = status(dir, id);
    expect(orphaned.state).toBe('running');
    // The in-flight IMPLEMENT is listed, unfinished.
    expect(orphaned.phases).toMatchObject([{ phase: 'implement', iteration: 1, attempt: 1, outcome: null }]);

    // Terminal 3: resume takes the run over once the dead host's lease has expired, and finishes it.
    const resume = runJson<WorkflowJson>(['workflow', 'resume', id], { cwd: dir });
    expect(resume.status, resume.stderr).toBe(0);
    expect(resume.json.state).toBe('completed');

    const final = status(dir, id);
    expect(final.state).toBe('completed');
    expect(final.owner).toBeNull();
    expectNoPhaseFinishedTwice(final);
    // The killed attempt is recorded as abandoned and the in-flight IMPLEMENT reran as attempt 2;
    // the rest ran once each.
    expect(final.phases.map((p) => `${p.phase}:${p.iteration}:${p.attempt}:${p.outcome}`)).toEqual([
      'implement:1:1:abandoned',
      'implement:1:2:passed',
      'test:1:1:gate_failed',
      'implement:2:1:passed',
      'test:2:1:passed',
      'use:2:1:passed',
      'verify:2:1:passed',
    ]);
    const task = runJson<{ status: string; phase: string }>(['task', 'show', 'S-1'], { cwd: dir });
    expect(task.json).toMatchObject({ status: 'completed', phase: 'done' });
  }, 120_000);

  it('gives its run back at once when the hosting terminal gets Ctrl-C', async () => {
    const dir = workspaceFrom(join(FIXTURES, 'e2e-slow'), 'interrupted');
    const { t1, id } = await startInBackground(dir);
    const agentPid = agentCalls(dir)[0]?.pid as number;

    t1.child.kill('SIGINT');
    expect((await t1.exited).code).toBe(130);
    expect(t1.stderr()).toContain(`penguin workflow resume ${id}`);
    // No lease to wait out: the run has no owner any more, and the agent's process tree is gone.
    expect(status(dir, id).owner).toBeNull();
    // The pid the agent logged is one of its PID namespace; find it from the host by its environment.
    expect(agentPid).toBeGreaterThan(0);
    await waitUntil('the interrupted agent to be gone', () =>
      pidsWithMarker(`PENGUIN_WORKFLOW_ID=${id}`).length === 0 ? true : undefined,
    );

    const resume = runJson<WorkflowJson>(['workflow', 'resume', id], { cwd: dir });
    expect(resume.status, resume.stderr).toBe(0);
    expect(resume.json.state).toBe('completed');
    expectNoPhaseFinishedTwice(resume.json);
  }, 120_000);
});
