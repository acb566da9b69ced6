// `penguin run continuous` end to end (issue 12): the built CLI on a git repository made from
// test/fixtures/runmode (five tasks in a DAG, a scripted agent steered by RUNMODE_* variables), with
// real processes, real SQLite and real git. The preview, parallel runs in worktrees merged with the
// trailers, competing schedulers, SIGKILL and restart, the time limit, the failure policies, a merge
// conflict, the watchdog and routing refusals.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunPreview, RunSummary } from '../../src/contracts/runmode.js';
import { assertBuilt, FIXTURES, runCli, runJson, tempDir } from './run-cli.js';
import { spawnCli, waitUntil } from './spawn-cli.js';
import { describeWithTemporal, NAMESPACE } from '../orchestration/temporal/server.js';

const dirs: string[] = [];

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
}

/** The fixture as a committed git repository with a synced workspace, and a state dir for the agent. */
function workspace(
  extraSpec = '',
  edit?: (files: { spec: string; config: string }) => void,
): { dir: string; state: string; env: Record<string, string> } {
  const dir = tempDir('penguin-run-');
  const state = tempDir('penguin-run-state-');
  dirs.push(dir, state);
  cpSync(join(FIXTURES, 'runmode'), dir, { recursive: true });
  const specFile = join(dir, 'context', 'specs', 'run.md');
  const configFile = join(dir, 'penguin.yaml');
  const files = {
    spec: readFileSync(specFile, 'utf8').replace('## Usage Recipes', `${extraSpec}\n## Usage Recipes`),
    config: readFileSync(configFile, 'utf8'),
  };
  edit?.(files);
  writeFileSync(specFile, files.spec);
  writeFileSync(configFile, files.config);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, '-c', 'user.name=T', '-c', 'user.email=t@t.invalid', 'commit', '-qm', 'fixture');
  expect(runCli(['init'], { cwd: dir }).status).toBe(0);
  expect(runCli(['blueprint', 'sync'], { cwd: dir }).status).toBe(0);
  return { dir, state, env: { RUNMODE_STATE_DIR: state } };
}

/** The agent's log: one entry per IMPLEMENT, with the task, port and working directory. */
function agentCalls(state: string): { task: string; port: string; cwd: string }[] {
  const file = join(state, 'agent.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [task = '', , port = '', cwd = ''] = line.split(' ');
      return { task, port: port.slice('port='.length), cwd: cwd.slice('cwd='.length) };
    });
}

const names = (list: { blueprint_id: string }[]): string[] => list.map((t) => t.blueprint_id).sort();

beforeAll(() => assertBuilt());
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('penguin run continuous', () => {
  it('--dry-run previews the frontier in selection order with why each blocked task waits', () => {
    const { dir } = workspace();
    const { json, status } = runJson<RunPreview>(['run', 'continuous', '--dry-run', '--parallel', '2'], {
      cwd: dir,
    });
    expect(status).toBe(0);
    expect(json).toMatchObject({ project: 'RUN', dry_run: true, parallelism: 2, isolation: 'worktree' });
    expect(json.ready.map((r) => [r.blueprint_id, r.action])).toEqual([
      ['RUN-1', 'dispatch'],
      ['RUN-2', 'dispatch'],
      ['RUN-5', 'wait'],
    ]);
    expect(json.ready[2]?.reason).toBe('no free slot (2 of 2 running)');
    expect(json.blocked.map((b) => b.blueprint_id)).toEqual(['RUN-3', 'RUN-4']);
    expect(json.blocked[0]?.reasons.join('; ')).toMatch(/RUN-1 is active.*needs completed; RUN-2 is active/);
    // Nothing ran.
    expect(readdirSync(join(dir, '.penguin')).includes('worktrees')).toBe(false);
    const human = runCli(['run', 'continuous', '--dry-run'], { cwd: dir });
    expect(human.stdout).toMatch(/1\s+RUN-1\s+dispatch/);
    expect(human.stdout).toMatch(/RUN-4\s+RUN-3 is active/);
  }, 60_000);

  it('runs independent tasks in parallel worktrees and merges each with the trailers', () => {
    const { dir, state, env } = workspace();
    // A worktree a crash left behind, which no claim names: reaped at start.
    git(
      dir,
      'worktree',
      'add',
      '--quiet',
      '-b',
      'penguin/STRAY',
      join(dir, '.penguin', 'worktrees', 'STRAY'),
    );
    const run = runJson<RunSummary>(['run', 'continuous', '--parallel', '2'], { cwd: dir, env });
    expect(run.status).toBe(0);
    expect(run.json).toMatchObject({ stopped: 'idle', isolation: 'worktree', failed: [], waiting: [] });
    expect(names(run.json.completed)).toEqual(['RUN-1', 'RUN-2', 'RUN-3', 'RUN-4', 'RUN-5']);
    expect(run.json.completed.every((t) => t.iterations === 1)).toBe(true);

    const calls = agentCalls(state);
    expect(calls.map((c) => c.task).sort()).toEqual(['RUN-1', 'RUN-2', 'RUN-3', 'RUN-4', 'RUN-5']);
    for (const call of calls) {
      expect(call.cwd).toBe(join(dir, '.penguin', 'worktrees', call.task));
      expect(Number(call.port)).toBeGreaterThan(0);
    }
    expect(new Set(calls.map((c) => c.port)).size).toBe(calls.length);
    // DAG order: RUN-3 after both of its upstreams, RUN-4 after RUN-3.
    const order = calls.map((c) => c.task);
    expect(order.indexOf('RUN-3')).toBeGreaterThan(Math.max(order.indexOf('RUN-1'), order.indexOf('RUN-2')));
    expect(order.indexOf('RUN-4')).toBeGreaterThan(order.indexOf('RUN-3'));

    // One commit per task on main, each with the three trailers; worktrees and branches gone.
    const log = git(dir, 'log', '--format=%s%n%(trailers:only,unfold)%x00', 'main');
    const commits = log
      .split('\0')
      .map((c) => c.trim())
      .filter((c) => c !== '' && !c.startsWith('fixture'));
    expect(commits).toHaveLength(5);
    for (const commit of commits) {
      expect(commit).toMatch(/Penguin-Task: t-\w+\nPenguin-Blueprint: RUN-\d\nPenguin-Workflow: wf-\w+/);
    }
    for (const t of [1, 2, 3, 4, 5]) {
      expect(readFileSync(join(dir, 'out', `RUN-${t}.txt`), 'utf8')).toBe(`RUN-${t} done\n`);
    }
    // The stray worktree's branch is kept: it may hold work nobody merged.
    expect(git(dir, 'branch', '--list', '--format=%(refname:short)', 'penguin/*')).toBe('penguin/STRAY');
    expect(readdirSync(join(dir, '.penguin', 'worktrees'))).toEqual([]);
    expect(git(dir, 'worktree', 'list').split('\n')).toHaveLength(1);
  }, 120_000);

  it('several schedulers started at once run every task exactly once', async () => {
    const { dir, state, env } = workspace();
    const schedulers = [1, 2, 3].map(() =>
      spawnCli(['run', 'continuous', '--parallel', '2', '--json'], {
        cwd: dir,
        env: { ...env, RUNMODE_SLEEP_MS: '300' },
      }),
    );
    const ends = await Promise.all(schedulers.map((s) => s.exited));
    for (const [i, end] of ends.entries()) expect(end.code, schedulers[i]?.stderr()).toBe(0);
    const calls = agentCalls(state)
      .map((c) => c.task)
      .sort();
    expect(calls).toEqual(['RUN-1', 'RUN-2', 'RUN-3', 'RUN-4', 'RUN-5']);
    const summaries = schedulers.map((s) => JSON.parse(s.stdout()) as RunSummary);
    const completed = summaries.flatMap((s) => s.completed.map((t) => t.blueprint_id)).sort();
    expect(completed).toEqual(['RUN-1', 'RUN-2', 'RUN-3', 'RUN-4', 'RUN-5']);
    const tasks = runJson<{ tasks: { blueprint_id: string; status: string }[] }>(['task', 'list'], {
      cwd: dir,
    });
    expect(tasks.json.tasks.every((t) => t.status === 'completed')).toBe(true);
  }, 180_000);

  it('a scheduler and task ituv start never run one task twice', async () => {
    const { dir, state, env } = workspace();
    const slow = { ...env, RUNMODE_SLEEP_MS: '400' };
    const scheduler = spawnCli(['run', 'continuous', '--parallel', '1', '--json'], { cwd: dir, env: slow });
    const manual = runCli(['task', 'ituv', 'start', 'RUN-1', '--json'], { cwd: dir, env: slow });
    const end = await scheduler.exited;
    expect(end.code, scheduler.stderr()).toBe(0);
    // Whoever got RUN-1 first ran it; the other was refused (exit 2) or found it done.
    expect([0, 2], `${manual.stdout}\n${manual.stderr}`).toContain(manual.status);
    expect(agentCalls(state).filter((c) => c.task === 'RUN-1')).toHaveLength(1);
  }, 180_000);

  it('recovers after SIGKILL without rerunning finished tasks', async () => {
    const { dir, state, env } = workspace();
    const slow = { ...env, RUNMODE_SLEEP_MS: '1500' };
    const first = spawnCli(['run', 'continuous', '--parallel', '2'], { cwd: dir, env: slow });
    // Killed while its second round (RUN-3, or RUN-5) is implementing, after RUN-1 and RUN-2 merged.
    await waitUntil(
      'two merges and a third agent',
      () =>
        first.stdout().match(/scheduler\.merged/g)?.length === 2 && agentCalls(state).length >= 3
          ? true
          : undefined,
      90_000,
    );
    await first.kill();
    const second = runJson<RunSummary>(['run', 'continuous', '--parallel', '2'], { cwd: dir, env: slow });
    expect(second.status, second.stderr).toBe(0);
    expect(second.json.failed).toEqual([]);
    const calls = agentCalls(state).map((c) => c.task);
    // Finished before the kill: never again. In flight at the kill: at most once more.
    expect(calls.filter((t) => t === 'RUN-1')).toHaveLength(1);
    expect(calls.filter((t) => t === 'RUN-2')).toHaveLength(1);
    for (const t of ['RUN-3', 'RUN-4', 'RUN-5']) {
      expect(calls.filter((c) => c === t).length).toBeGreaterThanOrEqual(1);
      expect(calls.filter((c) => c === t).length).toBeLessThanOrEqual(2);
    }
    const tasks = runJson<{ tasks: { status: string }[] }>(['task', 'list'], { cwd: dir });
    expect(tasks.json.tasks.every((t) => t.status === 'completed')).toBe(true);
    expect(readdirSync(join(dir, '.penguin', 'worktrees'))).toEqual([]);
  }, 240_000);

  it("a worker that takes over a dead scheduler's run finishes it in the claim's worktree and merges it", async () => {
    const { dir, state, env } = workspace();
    const slow = { ...env, RUNMODE_SLEEP_MS: '1500' };
    // Two at once, so the runs are isolated in worktrees.
    const scheduler = spawnCli(['run', 'continuous', '--parallel', '2'], { cwd: dir, env: slow });
    await waitUntil('the first IMPLEMENT', () => (agentCalls(state).length >= 1 ? true : undefined), 60_000);
    await scheduler.kill();
    const [first] = agentCalls(state);
    expect(first?.cwd).toBe(join(dir, '.penguin', 'worktrees', first?.task ?? ''));
    // The run is orphaned; a plain worker takes it over once its lease runs out.
    const worker = runCli(['worker', '--until-idle'], { cwd: dir, env: slow });
    expect(worker.status, worker.stderr).toBe(0);
    const again = agentCalls(state).filter((c) => c.task === first?.task);
    expect(again.length).toBeGreaterThanOrEqual(2);
    for (const call of again) expect(call.cwd).toBe(join(dir, '.penguin', 'worktrees', call.task));
    // VERIFY passed on the worker: the work was committed with the trailers and merged into main.
    expect(git(dir, 'log', '--format=%(trailers:key=Penguin-Blueprint,valueonly)', 'main')).toContain(
      first?.task ?? '?',
    );
    expect(readFileSync(join(dir, 'out', `${first?.task}.txt`), 'utf8')).toBe(`${first?.task} done\n`);
  }, 180_000);

  it('stops cleanly at the time limit, hands running work back, and a restart finishes it', () => {
    const { dir, state, env } = workspace();
    const slow = { ...env, RUNMODE_SLEEP_MS: '3000' };
    const limited = runJson<RunSummary>(['run', 'continuous', '--time-limit', '1s'], { cwd: dir, env: slow });
    expect(limited.status).toBe(0);
    expect(limited.json.stopped).toBe('time_limit');
    expect(limited.json.handed_back).toHaveLength(1);
    const rest = runJson<RunSummary>(['run', 'continuous'], { cwd: dir, env });
    expect(rest.status).toBe(0);
    expect(rest.json.stopped).toBe('idle');
    expect(names(rest.json.completed)).toEqual(['RUN-1', 'RUN-2', 'RUN-3', 'RUN-4', 'RUN-5']);
    expect(agentCalls(state).length).toBeGreaterThanOrEqual(5);
    expect(runCli(['run', 'continuous', '--time-limit', 'soon'], { cwd: dir }).stderr).toMatch(
      /--time-limit 'soon' is not a duration/,
    );
  }, 120_000);

  it('pause_dependents holds what depends on a failed task and runs the rest', () => {
    const { dir, env } = workspace();
    const run = runJson<RunSummary>(['run', 'continuous', '--parallel', '2'], {
      cwd: dir,
      env: { ...env, RUNMODE_CRASH: 'RUN-1' },
    });
    expect(run.status).toBe(1);
    expect(names(run.json.failed)).toEqual(['RUN-1']);
    expect(names(run.json.completed)).toEqual(['RUN-2', 'RUN-5']);
    expect(run.json.held.map((h) => h.blueprint_id)).toEqual(['RUN-3', 'RUN-4']);
    expect(run.json.held[0]?.reasons.join('; ')).toMatch(/RUN-1 failed/);
    expect(run.json.held[1]?.reasons).toContain('held: upstream RUN-1 failed');
    const frontier = runJson<{ blocked: { blueprint_id: string; blockers: { kind: string }[] }[] }>(
      ['task', 'frontier'],
      { cwd: dir },
    );
    expect(
      frontier.json.blocked.find((b) => b.blueprint_id === 'RUN-4')?.blockers.map((b) => b.kind),
    ).toContain('held');
    // The failed task's branch is kept for a look; its worktree is gone.
    expect(git(dir, 'branch', '--list', '--format=%(refname:short)', 'penguin/*')).toBe('penguin/RUN-1');
    expect(readdirSync(join(dir, '.penguin', 'worktrees'))).toEqual([]);
  }, 120_000);

  it('on_failure stop lets the running task finish and starts nothing after a failure', () => {
    const { dir, state, env } = workspace();
    const run = runJson<RunSummary>(['run', 'continuous', '--parallel', '1'], {
      cwd: dir,
      env: { ...env, RUNMODE_CRASH: 'RUN-1', PENGUIN_SCHEDULER_ON_FAILURE: 'stop' },
    });
    expect(run.status).toBe(1);
    expect(run.json.stopped).toBe('failure');
    expect(names(run.json.failed)).toEqual(['RUN-1']);
    expect(run.json.completed).toEqual([]);
    expect(agentCalls(state).every((c) => c.task === 'RUN-1')).toBe(true);
  }, 120_000);

  it('on_failure continue runs everything not waiting on the failed task', () => {
    const { dir, env } = workspace();
    const run = runJson<RunSummary>(['run', 'continuous', '--parallel', '2'], {
      cwd: dir,
      env: { ...env, RUNMODE_CRASH: 'RUN-1', PENGUIN_SCHEDULER_ON_FAILURE: 'continue' },
    });
    expect(run.status).toBe(1);
    expect(names(run.json.completed)).toEqual(['RUN-2', 'RUN-5']);
    expect(run.json.held).toEqual([]);
    expect(run.json.blocked.map((b) => b.blueprint_id)).toEqual(['RUN-3', 'RUN-4']);
  }, 120_000);

  it('two agents editing one file end as one merged change and one conflict reported', () => {
    const { dir, env } = workspace();
    const run = runJson<RunSummary>(['run', 'continuous', '--parallel', '2'], {
      cwd: dir,
      env: { ...env, RUNMODE_SHARED: 'RUN-1,RUN-2', RUNMODE_SLEEP_MS: '200' },
    });
    expect(run.status).toBe(0);
    const merged = run.json.completed
      .map((t) => t.blueprint_id)
      .filter((id) => id === 'RUN-1' || id === 'RUN-2');
    expect(merged).toHaveLength(1);
    const [conflicted] = run.json.waiting;
    expect(conflicted).toBeDefined();
    expect(conflicted?.reason).toMatch(/merging penguin\/RUN-\d into main failed: conflicts in shared\.txt/);
    // Main has the winner's file whole; the loser's branch and worktree are kept for the human.
    expect(readFileSync(join(dir, 'shared.txt'), 'utf8')).toBe(`written by ${merged[0]}\n`);
    expect(git(dir, 'branch', '--list', '--format=%(refname:short)', 'penguin/*')).toBe(
      `penguin/${conflicted?.blueprint_id}`,
    );
    expect(existsSync(join(dir, '.penguin', 'worktrees', conflicted?.blueprint_id ?? '', 'shared.txt'))).toBe(
      true,
    );
    const tasks = runJson<{ tasks: { blueprint_id: string; status: string }[] }>(['task', 'list'], {
      cwd: dir,
    });
    expect(tasks.json.tasks.find((t) => t.blueprint_id === conflicted?.blueprint_id)?.status).toBe(
      'waiting_input',
    );
  }, 120_000);

  it('the watchdog asks for clarification when the agent repeats the same change', () => {
    const { dir, state, env } = workspace();
    const run = runJson<RunSummary>(['run', 'continuous'], {
      cwd: dir,
      env: { ...env, RUNMODE_SAME: 'RUN-5' },
    });
    expect(run.status).toBe(0);
    const waiting = run.json.waiting.find((t) => t.blueprint_id === 'RUN-5');
    expect(waiting).toMatchObject({ state: 'waiting_input', iterations: 2 });
    expect(waiting?.reason).toMatch(/same change in iterations 1, 2 \(runmode\.watchdog\.repeat_limit 2\)/);
    expect(agentCalls(state).filter((c) => c.task === 'RUN-5')).toHaveLength(2);
  }, 120_000);

  it('the watchdog also stops an agent that says the same thing every time', () => {
    const { dir, env } = workspace();
    const run = runJson<RunSummary>(['run', 'continuous'], {
      cwd: dir,
      env: { ...env, RUNMODE_SAME_OUTPUT: 'RUN-5' },
    });
    expect(run.status).toBe(0);
    const waiting = run.json.waiting.find((t) => t.blueprint_id === 'RUN-5');
    expect(waiting?.reason).toMatch(/same output in iterations 1, 2/);
  }, 120_000);

  it('reports a task no agent can take with what is missing, and runs the rest', () => {
    const extra =
      '\n- [ ] RUN-6 Needs a reviewer {priority=critical, agent_role=reviewer, skills=rust}\n  - Acceptance: reviewed.\n';
    const { dir, env } = workspace(extra);
    const run = runJson<RunSummary>(['run', 'continuous', '--parallel', '2'], { cwd: dir, env });
    expect(run.status).toBe(0);
    expect(run.json.refused).toEqual([{ blueprint_id: 'RUN-6', missing: ['role reviewer', 'skill rust'] }]);
    expect(run.json.completed).toHaveLength(5);
    const preview = runJson<RunPreview>(['run', 'continuous', '--dry-run'], { cwd: dir });
    expect(preview.json.ready.map((r) => [r.blueprint_id, r.action, r.reason])).toEqual([
      ['RUN-6', 'refused', 'no agent can take it: missing role reviewer, skill rust'],
    ]);
  }, 120_000);
});

describe('penguin run continuous, fallback agent', () => {
  it('retries an empty agent result once on the agent’s fallback', () => {
    const { dir, state, env } = workspace('', (files) => {
      // RUN-5 needs a skill only `scripted` has, so routing sends it there and nowhere else.
      files.spec = files.spec.replace(
        'RUN-5 A file on its own {priority=low}',
        'RUN-5 A file on its own {priority=low, skills=solo}',
      );
      files.config = files.config.replace(
        '    capacity: 4\n',
        '    capacity: 4\n    skills: [solo]\n    fallback: backup\n  - id: backup\n    command: node agent/write.mjs backup\n',
      );
    });
    const run = runCli(['run', 'continuous'], { cwd: dir, env: { ...env, RUNMODE_EMPTY: 'RUN-5' } });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /workflow\.retrying\s+RUN-5 implement iteration 1\s+the agent's result was empty; retrying once on its fallback backup/,
    );
    expect(run.stdout).toMatch(/RUN-5\s+completed\s+1/);
    // Once by `scripted` (empty), once more by `backup`, in the same attempt.
    expect(agentCalls(state).filter((c) => c.task === 'RUN-5')).toHaveLength(2);
  }, 120_000);
});

describe('penguin run continuous --watch', () => {
  it('waits when idle, runs a task added to the blueprint, and stops cleanly on TERM', async () => {
    const { dir, state, env } = workspace();
    const watcher = spawnCli(['run', 'continuous', '--watch', '--parallel', '1'], { cwd: dir, env });
    await waitUntil(
      'the first idle',
      () => (watcher.stdout().includes('scheduler.idle') ? true : undefined),
      90_000,
    );
    expect(agentCalls(state)).toHaveLength(5);
    const spec = join(dir, 'context', 'specs', 'run.md');
    const added =
      '- [ ] RUN-7 Added while watching\n  - Acceptance: out/RUN-7.txt says it is done.\n  - Tests: tests/RUN-7.test.mjs\n';
    writeFileSync(
      join(dir, 'tests', 'RUN-7.test.mjs'),
      readFileSync(join(dir, 'tests', 'RUN-5.test.mjs'), 'utf8').replaceAll('RUN-5', 'RUN-7'),
    );
    writeFileSync(spec, readFileSync(spec, 'utf8').replace('## Usage Recipes', `${added}\n## Usage Recipes`));
    await waitUntil(
      'RUN-7 done',
      () => (/workflow\.completed\s+RUN-7/.test(watcher.stdout()) ? true : undefined),
      90_000,
    );
    watcher.child.kill('SIGTERM');
    const end = await watcher.exited;
    expect(end.code, watcher.stderr()).toBe(0);
    expect(watcher.stdout()).toMatch(/run continuous stopped \(interrupted\)/);
    expect(agentCalls(state).map((c) => c.task)).toContain('RUN-7');
  }, 180_000);
});

describe('penguin run continuous, a workspace below the repository top', () => {
  it('runs each workflow in the same folder of its worktree', () => {
    const top = tempDir('penguin-run-top-');
    const state = tempDir('penguin-run-state-');
    dirs.push(top, state);
    const dir = join(top, 'app');
    cpSync(join(FIXTURES, 'runmode'), dir, { recursive: true });
    git(top, 'init', '-q', '-b', 'main');
    git(top, 'add', '-A');
    git(top, '-c', 'user.name=T', '-c', 'user.email=t@t.invalid', 'commit', '-qm', 'fixture');
    expect(runCli(['init'], { cwd: dir }).status).toBe(0);
    expect(runCli(['blueprint', 'sync'], { cwd: dir }).status).toBe(0);
    const run = runJson<RunSummary>(['run', 'continuous', '--parallel', '2'], {
      cwd: dir,
      env: { RUNMODE_STATE_DIR: state },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.json.completed).toHaveLength(5);
    for (const call of agentCalls(state)) {
      expect(call.cwd).toBe(join(dir, '.penguin', 'worktrees', call.task, 'app'));
    }
    expect(readFileSync(join(dir, 'out', 'RUN-4.txt'), 'utf8')).toBe('RUN-4 done\n');
  }, 120_000);
});

describe('penguin run continuous, shared isolation', () => {
  it('runs in the workspace itself when isolation is shared', () => {
    const { dir, state, env } = workspace();
    mkdirSync(join(dir, 'out'), { recursive: true });
    const run = runJson<RunSummary>(['run', 'continuous', '--parallel', '2'], {
      cwd: dir,
      env: { ...env, PENGUIN_SCHEDULER_ISOLATION: 'shared' },
    });
    expect(run.status).toBe(0);
    expect(run.json.isolation).toBe('shared');
    expect(run.json.completed).toHaveLength(5);
    expect(agentCalls(state).every((c) => c.cwd === dir)).toBe(true);
    expect(git(dir, 'log', '--oneline').split('\n')).toHaveLength(1);
  }, 120_000);
});

describeWithTemporal('penguin run continuous on Temporal', (server) => {
  it('runs the DAG with two workflows at once in worktrees, by configuration alone', () => {
    const { dir, state } = workspace();
    const env = {
      RUNMODE_STATE_DIR: state,
      PENGUIN_ORCHESTRATION_BACKEND: 'temporal',
      PENGUIN_ORCHESTRATION_TEMPORAL_ADDRESS: server.address(),
      PENGUIN_ORCHESTRATION_TEMPORAL_AUTO_START: 'false',
    };
    const run = runJson<RunSummary>(['run', 'continuous', '--parallel', '2'], { cwd: dir, env });
    expect(run.status, run.stderr).toBe(0);
    expect(run.json).toMatchObject({ stopped: 'idle', isolation: 'worktree', failed: [], waiting: [] });
    expect(names(run.json.completed)).toEqual(['RUN-1', 'RUN-2', 'RUN-3', 'RUN-4', 'RUN-5']);
    // Each IMPLEMENT ran in its task's worktree, and each task was merged as one commit.
    for (const call of agentCalls(state))
      expect(call.cwd).toBe(join(dir, '.penguin', 'worktrees', call.task));
    const subjects = git(dir, 'log', '--format=%s', 'main').split('\n');
    expect(subjects.filter((s) => s !== 'fixture')).toHaveLength(5);
    // The runs were Temporal workflows: the server has each of them, completed.
    for (const task of run.json.completed) {
      const described = execFileSync(
        server.binary(),
        [
          'workflow',
          'describe',
          '--address',
          server.address(),
          '-n',
          NAMESPACE,
          '-w',
          task.workflow_id ?? '',
          '-o',
          'json',
        ],
        { encoding: 'utf8' },
      );
      expect(described).toContain('WORKFLOW_EXECUTION_STATUS_COMPLETED');
    }
  }, 180_000);
});
