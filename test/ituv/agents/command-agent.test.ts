// The command and manual agents, with real scripts from test/fixtures/agents: prompt on stdin and in a
// file, result files, clear failure summaries, changed files credited through git, logs and the live
// rate limit, and containment: timeouts and cancellation kill the whole tree, no detached child is left.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runAgent } from '../../../src/ituv/agents/index.js';
import type { AgentConfig, AgentRunInput } from '../../../src/ituv/agents/types.js';
import { detachedSleeper, untilDetached, killMarked, newMarker, survivors, track } from '../orphans.js';

const AGENTS = resolve('test/fixtures/agents');
let scratch: string;
let counter = 0;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'penguin-agent-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
afterEach(killMarked);

function git(cwd: string, ...args: string[]): void {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
}

/** A fresh workspace; with `repo`, a git repository with one commit holding README.md. */
function workspace(repo = false): string {
  const dir = join(scratch, `ws-${++counter}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'README.md'), '# fixture\n');
  if (repo) {
    git(dir, 'init', '-q');
    git(dir, 'config', 'user.email', 'test@example.com');
    git(dir, 'config', 'user.name', 'Penguin Test');
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'initial');
  }
  return dir;
}

function agent(command: string): AgentConfig {
  return { id: 'fixture', role: 'implementer', kind: 'command', command };
}

function input(workspaceRoot: string, extra: Partial<AgentRunInput> = {}): AgentRunInput {
  return {
    prompt: '# Task BOOK-1\n\nRead PORT from the environment.\n',
    workspaceRoot,
    taskId: 't-1',
    blueprintId: 'BOOK-1',
    workflowId: 'wf-1',
    outputDir: join(scratch, `out-${++counter}`),
    timeoutMs: 60_000,
    env: { PATH: process.env.PATH },
    ...extra,
  };
}

const script = (name: string): string => `sh ${AGENTS}/${name}`;

describe('command agent', () => {
  it('runs in the workspace with the prompt on stdin and in $PENGUIN_PROMPT_FILE, and the PENGUIN_ env', async () => {
    const ws = workspace();
    const run = input(ws, { env: { PATH: process.env.PATH, FIXTURE_BASE_VAR: 'from-base' } });
    const result = await runAgent(agent(script('inspect.sh')), run);
    expect(result).toMatchObject({
      agent_id: 'fixture',
      status: 'done',
      exit_code: 0,
      question: null,
      tokens: null,
    });
    expect(result.summary).toBe('agent fixture finished: all done');
    const out = run.outputDir;
    expect(readFileSync(join(out, 'stdin.txt'), 'utf8')).toBe(run.prompt);
    expect(readFileSync(join(out, 'prompt.md'), 'utf8')).toBe(run.prompt);
    expect(readFileSync(join(out, 'env.txt'), 'utf8').split('\n')).toEqual([
      'task=t-1',
      'blueprint=BOOK-1',
      'workflow=wf-1',
      `prompt_file=${join(out, 'prompt.md')}`,
      `result_file=${join(out, 'result.json')}`,
      'base=from-base',
      `cwd=${ws}`,
      '',
    ]);
    expect(result.artifacts.map((a) => [a.name, a.kind])).toEqual([
      ['prompt.md', 'prompt'],
      ['stdout.log', 'log'],
      ['stderr.log', 'log'],
    ]);
    expect(readFileSync(join(out, 'stdout.log'), 'utf8')).toBe('all done\n');
    // Not a git repository: nothing to credit.
    expect(result.changed_files).toEqual([]);
  });

  it('takes a valid result file and records the files it changed in git', async () => {
    const ws = workspace(true);
    writeFileSync(join(ws, 'README.md'), '# dirty before the agent ran\n');
    const run = input(ws);
    // A stale result file from an earlier iteration must be removed before the run.
    mkdirSync(run.outputDir, { recursive: true });
    writeFileSync(join(run.outputDir, 'result.json'), '{"status":"blocked"}');
    const result = await runAgent(agent(script('write-file.sh')), run);
    expect(result).toMatchObject({
      status: 'done',
      summary: 'added src/feature.js',
      tokens: 1234,
      exit_code: 0,
    });
    expect(result.changed_files).toEqual(['src/feature.js']);
    expect(result.artifacts.map((a) => a.name)).toContain('result.json');
  });

  it('passes on a needs_input question', async () => {
    const result = await runAgent(agent(script('needs-input.sh')), input(workspace()));
    expect(result).toMatchObject({
      status: 'needs_input',
      summary: 'PORT is ambiguous',
      question: 'Should PORT default to 8080 or 3000?',
    });
  });

  it('fails with a clear summary for an invalid or unparseable result file', async () => {
    const badStatusRun = input(workspace());
    const badStatus = await runAgent(agent(script('bad-status.sh')), badStatusRun);
    expect(badStatus.status).toBe('failed');
    expect(badStatus.summary).toMatch(
      new RegExp(
        `^agent result file ${join(badStatusRun.outputDir, 'result.json')} is invalid: status: .*done.*needs_input`,
      ),
    );
    const badJson = await runAgent(agent(script('bad-json.sh')), input(workspace()));
    expect(badJson.status).toBe('failed');
    expect(badJson.summary).toMatch(/result\.json is not valid JSON: /);
  });

  it('fails on a non-zero exit without a result file, quoting the command and its stderr', async () => {
    const command = script('exit-3.sh');
    const result = await runAgent(agent(command), input(workspace()));
    expect(result).toMatchObject({ status: 'failed', exit_code: 3 });
    expect(result.summary).toBe(`agent \`${command}\` exited with code 3: cannot reach the model API`);
  });

  it('shows only the first line of a long command in the summary', async () => {
    const result = await runAgent(agent('exit 4 # first line\necho never'), input(workspace()));
    expect(result.summary).toBe('agent `exit 4 # first line…` exited with code 4');
  });

  it('fails an agent without a command and one whose command does not exist', async () => {
    const none = await runAgent({ id: 'empty', kind: 'command', command: null }, input(workspace()));
    expect(none).toMatchObject({ status: 'failed', summary: 'agent empty has no command configured' });
    const missing = await runAgent(agent('no-such-agent-cli --go'), input(workspace()));
    expect(missing).toMatchObject({ status: 'failed', exit_code: 127 });
    expect(missing.summary).toMatch(/^agent `no-such-agent-cli --go` exited with code 127: .*not found/);
  });

  it('keeps a large output whole in the logs and streams it live', async () => {
    const run = input(workspace());
    let streamed = 0;
    const result = await runAgent(agent(`node ${AGENTS}/chatty.mjs`), {
      ...run,
      onOutput: (_stream, chunk) => {
        streamed += chunk.length;
      },
    });
    expect(result.status).toBe('done');
    const stdoutSize = statSync(join(run.outputDir, 'stdout.log')).size;
    expect(stdoutSize).toBeGreaterThan(2_000_000);
    expect(readFileSync(join(run.outputDir, 'stderr.log'), 'utf8').split('\n')).toHaveLength(1001);
    expect(streamed).toBeGreaterThan(1_000_000);
    expect(result.summary.endsWith('chatty agent finished')).toBe(true);
  });

  it('streams a flood to its logs, holds back live output past the rate limit, and says so', async () => {
    // Before: all output was buffered in memory and every chunk went live (to the event log).
    const run = input(workspace());
    let streamed = '';
    const total = 20 * 1024 * 1024;
    const result = await runAgent(agent(`head -c ${total} /dev/zero | tr '\\0' x; echo; echo flood done`), {
      ...run,
      onOutput: (_stream, chunk) => {
        streamed += chunk.length > 200 ? chunk.slice(-200) : chunk;
      },
    });
    expect(result.status).toBe('done');
    expect(statSync(join(run.outputDir, 'stdout.log')).size).toBe(total + '\nflood done\n'.length);
    expect(streamed).toMatch(
      /\[penguin: \d+ bytes of output not shown live; stdout.log and stderr.log have everything\]/,
    );
    expect(result.summary.endsWith('flood done')).toBe(true);
    expect(result.summary.length).toBeLessThan(1_000);
  });

  it('is done when it exits, whatever it left holding its pipes, and leaves no detached child', async () => {
    // Before: the detached child kept stdout open, so an agent that finished at once timed out.
    const marker = newMarker();
    const run = input(workspace(), { timeoutMs: 15_000 });
    const result = await runAgent(
      agent(`${detachedSleeper(marker)} & ${untilDetached(marker)}; echo done`),
      run,
    );
    expect(result.status).toBe('done');
    expect(await survivors(marker)).toEqual([]);
  });

  it('leaves no detached child after a timebox kill', async () => {
    const marker = newMarker();
    const run = input(workspace(), { timeoutMs: 1_000 });
    const result = await runAgent(agent(`${detachedSleeper(marker)} & sleep 400`), run);
    expect(result.status).toBe('timed_out');
    expect(await survivors(marker)).toEqual([]);
  });

  it('times out and kills the whole process tree, grandchildren included', async () => {
    const pidFile = track(join(scratch, `grandchild-${++counter}.pid`));
    const run = input(workspace(), { timeoutMs: 2_000, env: { PATH: process.env.PATH, PID_FILE: pidFile } });
    const result = await runAgent(agent(script('sleeper.sh')), run);
    expect(result.status).toBe('timed_out');
    expect(result.summary).toMatch(/^agent `sh .*sleeper\.sh` timed out after 2 s and was killed$/);
    expect(readFileSync(pidFile, 'utf8').trim()).not.toBe('');
    // The pid it wrote is one of its own PID namespace: look for the processes from the host.
    expect(await survivors(pidFile)).toEqual([]);
  });

  it('is cancelled by the abort signal', async () => {
    const pidFile = track(join(scratch, `grandchild-${++counter}.pid`));
    const controller = new AbortController();
    const run = input(workspace(), {
      signal: controller.signal,
      env: { PATH: process.env.PATH, PID_FILE: pidFile },
    });
    const pending = runAgent(agent(script('sleeper.sh')), run);
    await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', 10_000);
    controller.abort();
    const result = await pending;
    expect(result.status).toBe('cancelled');
    expect(await survivors(pidFile)).toEqual([]);
  });
});

describe('manual agent', () => {
  it('asks a human to implement the task and resume, with the prompt kept for them', async () => {
    const run = input(workspace());
    const result = await runAgent({ id: 'manual', kind: 'manual' }, run);
    expect(result).toMatchObject({
      agent_id: 'manual',
      status: 'needs_input',
      question: 'waiting for a human to implement BOOK-1 and resume the workflow',
      exit_code: null,
      changed_files: [],
    });
    expect(readFileSync(join(run.outputDir, 'prompt.md'), 'utf8')).toBe(run.prompt);
  });
});

/** Alive means: exists and is not a zombie (an orphan PID 1 has not reaped yet). */
async function waitFor(condition: () => boolean, limitMs: number): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}
