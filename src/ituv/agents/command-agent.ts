// A `command` agent: any coding-agent CLI run as a shell command in the workspace root, with the
// prompt on stdin and in $PENGUIN_PROMPT_FILE. The agent may report through $PENGUIN_RESULT_FILE;
// otherwise its exit code decides.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { filesChangedBetween, snapshotDirtyFiles } from '../git.js';
import { describeOutcome, killProcessGroup, runCommand, type RunCommandResult } from '../process.js';
import { AGENT_STATUSES, type AgentResult, type ArtifactFile } from '../results.js';
import type { AgentConfig, AgentRunInput } from './types.js';

/** What an agent may write to $PENGUIN_RESULT_FILE; unknown keys are ignored. */
/** Holds the running agent's process group id; removed when the run ends normally. */
export const AGENT_PGID_FILE = 'agent.pgid';

/**
 * Ends agents that outlived a crashed host: any earlier attempt directory of the workflow that
 * still holds an agent.pgid file belonged to a run that never finished, so its group is killed.
 * Returns the group ids it signalled.
 */
export function endOrphanedAgents(workflowRunsDir: string, except: string): number[] {
  if (!existsSync(workflowRunsDir)) return [];
  const ended: number[] = [];
  for (const entry of readdirSync(workflowRunsDir)) {
    const file = join(workflowRunsDir, entry, AGENT_PGID_FILE);
    if (join(workflowRunsDir, entry) === except || !existsSync(file)) continue;
    const pgid = Number(readFileSync(file, 'utf8').trim());
    if (Number.isInteger(pgid) && pgid > 1) {
      killProcessGroup(pgid, 'SIGKILL');
      ended.push(pgid);
    }
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
    ...(input.signal ? { signal: input.signal } : {}),
    ...(input.onOutput ? { onOutput: input.onOutput } : {}),
    // If this host dies, the agent's group outlives it; the file lets the next attempt end it.
    onSpawn: (pgid) => writeFileSync(join(input.outputDir, AGENT_PGID_FILE), String(pgid)),
  });
  rmSync(join(input.outputDir, AGENT_PGID_FILE), { force: true });
  const after = await snapshotDirtyFiles(input.workspaceRoot);

  const stdoutPath = join(input.outputDir, 'stdout.log');
  const stderrPath = join(input.outputDir, 'stderr.log');
  writeFileSync(stdoutPath, outcome.stdout);
  writeFileSync(stderrPath, outcome.stderr);
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
