// A `command` agent: any coding-agent CLI run as a shell command in the workspace root, with the
// prompt on stdin and in $PENGUIN_PROMPT_FILE. The agent may report through $PENGUIN_RESULT_FILE;
// otherwise its exit code decides. Its output goes to stdout.log/stderr.log as it comes; only a
// capped tail is held for the summary, and live output is rate-limited (the logs have it all).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { filesChangedBetween, snapshotDirtyFiles } from '../git.js';
import {
  describeOutcome,
  killProcessGroup,
  reapMarked,
  runCommand,
  type RunCommandResult,
} from '../process.js';
import { AGENT_STATUSES, type AgentResult, type ArtifactFile } from '../results.js';
import type { AgentConfig, AgentRunInput } from './types.js';

/**
 * Holds the running agent's process group id (and, in process-group containment, the marker its
 * processes carry), one per line; removed when the run ends normally.
 */
export const AGENT_PGID_FILE = 'agent.pgid';

/**
 * Ends agents that outlived a crashed host: any earlier attempt directory of the workflow that
 * still holds an agent.pgid file belonged to a run that never finished, so its group (and every
 * process with its marker) is killed. In a PID namespace the host's death already ended them.
 * Returns the group ids it signalled.
 */
export function endOrphanedAgents(workflowRunsDir: string, except: string): number[] {
  if (!existsSync(workflowRunsDir)) return [];
  const ended: number[] = [];
  for (const entry of readdirSync(workflowRunsDir)) {
    const file = join(workflowRunsDir, entry, AGENT_PGID_FILE);
    if (join(workflowRunsDir, entry) === except || !existsSync(file)) continue;
    const [pgidLine, marker] = readFileSync(file, 'utf8').trim().split('\n');
    const pgid = Number(pgidLine);
    if (Number.isInteger(pgid) && pgid > 1) {
      killProcessGroup(pgid, 'SIGKILL');
      ended.push(pgid);
    }
    if (marker) reapMarked(marker.trim());
    rmSync(file, { force: true });
  }
  return ended;
}

export const agentResultFileSchema = z.object({
  status: z.enum(AGENT_STATUSES),
  summary: z.string().optional(),
  question: z.string().nullable().optional(),
  tokens: z.number().int().nonnegative().nullable().optional(),
});
export type AgentResultFile = z.infer<typeof agentResultFileSchema>;

/** How much of the agent's output goes into a failure summary. */
const OUTPUT_TAIL_CHARS = 800;
/** Live output may burst this much, then flows at LIVE_BYTES_PER_SECOND; the rest is only in the logs. */
const LIVE_BURST_BYTES = 1024 * 1024;
const LIVE_BYTES_PER_SECOND = 64 * 1024;

export async function runCommandAgent(agent: AgentConfig, input: AgentRunInput): Promise<AgentResult> {
  const started = Date.now();
  mkdirSync(input.outputDir, { recursive: true });
  const promptPath = join(input.outputDir, 'prompt.md');
  const resultPath = join(input.outputDir, 'result.json');
  writeFileSync(promptPath, input.prompt);
  // A result file left by an earlier iteration must not speak for this run.
  rmSync(resultPath, { force: true });
  const artifacts: ArtifactFile[] = [{ name: 'prompt.md', path: promptPath, kind: 'prompt' }];

  const base = {
    agent_id: agent.id,
    question: null,
    tokens: null,
    exit_code: null,
    changed_files: [],
    artifacts,
  };
  const command = agent.command?.trim();
  if (!command) {
    return {
      ...base,
      status: 'failed',
      summary: `agent ${agent.id} has no command configured`,
      duration_ms: 0,
    };
  }

  const before = await snapshotDirtyFiles(input.workspaceRoot);
  const stdoutPath = join(input.outputDir, 'stdout.log');
  const stderrPath = join(input.outputDir, 'stderr.log');
  const live = input.onOutput ? new LiveOutput(input.onOutput) : null;
  const outcome = await runCommand(command, {
    cwd: input.workspaceRoot,
    env: {
      ...(input.env ?? process.env),
      PENGUIN_TASK_ID: input.taskId,
      PENGUIN_BLUEPRINT_ID: input.blueprintId,
      PENGUIN_WORKFLOW_ID: input.workflowId,
      PENGUIN_PROMPT_FILE: promptPath,
      PENGUIN_RESULT_FILE: resultPath,
    },
    input: input.prompt,
    timeoutMs: input.timeoutMs,
    stdoutFile: stdoutPath,
    stderrFile: stderrPath,
    ...(input.signal ? { signal: input.signal } : {}),
    ...(live ? { onOutput: live.push } : {}),
    // Outside a PID namespace the agent's processes outlive a killed host; the file lets the next
    // attempt end them.
    onSpawn: (pgid, marker) =>
      writeFileSync(join(input.outputDir, AGENT_PGID_FILE), marker ? `${pgid}\n${marker}\n` : `${pgid}\n`),
  });
  live?.end();
  rmSync(join(input.outputDir, AGENT_PGID_FILE), { force: true });
  const after = await snapshotDirtyFiles(input.workspaceRoot);

  artifacts.push(
    { name: 'stdout.log', path: stdoutPath, kind: 'log' },
    { name: 'stderr.log', path: stderrPath, kind: 'log' },
  );
  const hasResultFile = existsSync(resultPath);
  if (hasResultFile) artifacts.push({ name: 'result.json', path: resultPath, kind: 'result' });

  const verdict = judge(agent, outcome, input.timeoutMs, hasResultFile ? resultPath : null);
  return {
    ...base,
    ...verdict,
    exit_code: outcome.exitCode,
    changed_files: filesChangedBetween(before, after),
    duration_ms: Date.now() - started,
  };
}

type Verdict = Pick<AgentResult, 'status' | 'summary' | 'question' | 'tokens'>;

/** Timeout and cancel win over anything the agent wrote; then the result file; then the exit code. */
function judge(
  agent: AgentConfig,
  outcome: RunCommandResult,
  timeoutMs: number,
  resultPath: string | null,
): Verdict {
  const shown = { ...outcome, command: shortCommand(outcome.command) };
  const none = { question: null, tokens: null };
  if (outcome.timedOut)
    return { ...none, status: 'timed_out', summary: `agent ${describeOutcome(shown, timeoutMs)}` };
  if (outcome.aborted) return { ...none, status: 'cancelled', summary: `agent ${describeOutcome(shown)}` };
  if (resultPath !== null) return readResultFile(resultPath);
  if (outcome.startError === null && outcome.exitCode === 0) {
    return { ...none, status: 'done', summary: `agent ${agent.id} finished${tail(outcome.stdout, ': ')}` };
  }
  return {
    ...none,
    status: 'failed',
    summary: `agent ${describeOutcome(shown)}${tail(outcome.stderr || outcome.stdout, ': ')}`,
  };
}

function readResultFile(path: string): Verdict {
  const failed = (problem: string): Verdict => ({
    status: 'failed',
    summary: `agent result file ${path} ${problem}`,
    question: null,
    tokens: null,
  });
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return failed(`is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = agentResultFileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    return failed(`is invalid: ${problems.join('; ')}`);
  }
  const { status, summary, question, tokens } = parsed.data;
  const said = summary?.trim() ?? '';
  return {
    status,
    summary: said || `agent reported ${status}`,
    // An agent that needs input but asks nothing still needs a question a human can answer.
    question: question?.trim() || (status === 'needs_input' ? said || 'the agent asked for input' : null),
    tokens: tokens ?? null,
  };
}

/** The command as shown in summaries: first line, at most 80 characters. */
function shortCommand(command: string): string {
  const firstLine = command.split('\n')[0] ?? '';
  if (firstLine === command && command.length <= 80) return command;
  return `${firstLine.slice(0, 79)}…`;
}

/** The end of an output, where agents put their conclusion; empty when there is none. */
function tail(output: string, prefix: string): string {
  const trimmed = output.trim();
  if (!trimmed) return '';
  return prefix + (trimmed.length > OUTPUT_TAIL_CHARS ? `…${trimmed.slice(-OUTPUT_TAIL_CHARS)}` : trimmed);
}

/**
 * Forwards live output at a bounded rate (a token bucket: a burst, then a steady flow), so an agent
 * that floods its stdout cannot flood the event log too. What is held back is counted and said.
 */
class LiveOutput {
  private tokens = LIVE_BURST_BYTES;
  private last = Date.now();
  private skipped = 0;

  constructor(private readonly forward: (stream: 'stdout' | 'stderr', chunk: string) => void) {}

  readonly push = (stream: 'stdout' | 'stderr', chunk: string): void => {
    const now = Date.now();
    this.tokens = Math.min(
      LIVE_BURST_BYTES,
      this.tokens + ((now - this.last) / 1000) * LIVE_BYTES_PER_SECOND,
    );
    this.last = now;
    const size = Buffer.byteLength(chunk);
    if (size > this.tokens) {
      this.skipped += size;
      return;
    }
    this.tokens -= size;
    this.forward(stream, this.notice() + chunk);
  };

  /** Says how much was held back, if anything was, once the agent has ended. */
  end(): void {
    const notice = this.notice();
    if (notice) this.forward('stderr', notice);
  }

  private notice(): string {
    if (this.skipped === 0) return '';
    const text = `\n[penguin: ${this.skipped} bytes of output not shown live; stdout.log and stderr.log have everything]\n`;
    this.skipped = 0;
    return text;
  }
}
