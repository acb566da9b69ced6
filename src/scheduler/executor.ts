// The executor `run continuous` hosts workflows with (issue 12 items 4 and 6). It wraps the real ITUV
// executor and, for a task a scheduler has claimed, runs every phase the way the claim says: in the
// claim's git worktree, with its loopback port (PENGUIN_PORT, `{{ port }}`) and the agent it was
// routed to. After VERIFY passes it commits the change with the Penguin trailers and merges it into
// the base branch; a conflict makes the run wait for a human, naming the files. Around IMPLEMENT it
// keeps two host-side rules: the watchdog (the same diff on `runmode.watchdog.repeat_limit`
// iterations in a row asks for clarification) and one retry on the agent's `fallback` after an empty
// result. The claim is read from the store, so whichever run-mode host takes a workflow runs it alike.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { AgentConfig, PenguinConfig } from '../config/schema.js';
import { readPhaseResult } from '../contracts/phase-result.js';
import type { ClaimRecord, StoreReader } from '../contracts/store/index.js';
import type { ItuvExecutorFactory } from '../orchestration/workflow-service.js';
import type { PhaseContext, PhaseExecutor, PhaseOutcome } from '../orchestration/phase-executor.js';
import { commitWork, ensureWorktree, mergeIntoBase, type WorktreePlan } from './worktree.js';

export interface RunModeExecutorOptions {
  root: string;
  penguinDir: string;
  config: PenguinConfig;
  store: Pick<StoreReader, 'claims'>;
  ituv: ItuvExecutorFactory;
  env?: NodeJS.ProcessEnv;
}

export class RunModeExecutor implements PhaseExecutor {
  private readonly plain: PhaseExecutor;

  constructor(private readonly options: RunModeExecutorOptions) {
    this.plain = options.ituv();
  }

  async execute(ctx: PhaseContext): Promise<PhaseOutcome> {
    const claim = await this.options.store.claims.get(ctx.task.id);
    // A run nobody scheduled (`task ituv start`), or one left by an older claim: as it is.
    if (!claim || (claim.workflow_id !== null && claim.workflow_id !== ctx.workflowId)) {
      return this.plain.execute(ctx);
    }
    const plan = planOf(claim);
    if (plan) await ensureWorktree(this.options.root, plan);
    // A workspace below the repository's top holds the same place inside the worktree.
    const root = plan ? join(plan.worktree, await this.prefix()) : this.options.root;
    const agent = this.agentOf(claim);
    const run = (chosen: AgentConfig | null): Promise<PhaseOutcome> =>
      this.executorFor(claim, root, chosen).execute(ctx);
    let outcome = await run(agent);
    if (ctx.phase === 'implement' && outcome.kind === 'passed') {
      const fallback = this.fallbackAfterEmpty(outcome);
      if (fallback) {
        ctx.emit('workflow.retrying', {
          attempt: ctx.attempt,
          reason: `the agent's result was empty; retrying once on its fallback ${fallback.id}`,
        });
        outcome = await run(fallback);
      }
      if (outcome.kind === 'passed' && !ctx.resumed) {
        const repeat = await this.watchdog(ctx, root, plan, outcome);
        if (repeat) return repeat;
      }
    }
    if (ctx.phase === 'verify' && outcome.kind === 'passed' && plan) return this.deliver(ctx, plan, outcome);
    return outcome;
  }

  private prefixOf: Promise<string> | null = null;

  /** The workspace root's path inside its git repository ('' at the top). */
  private prefix(): Promise<string> {
    this.prefixOf ??= execa('git', ['rev-parse', '--show-prefix'], {
      cwd: this.options.root,
      reject: false,
    }).then((run) => (run.exitCode === 0 ? run.stdout.trim() : ''));
    return this.prefixOf;
  }

  private agentOf(claim: ClaimRecord): AgentConfig | null {
    return this.options.config.agents.find((a) => a.id === claim.agent_id) ?? null;
  }

  private executorFor(claim: ClaimRecord, root: string, agent: AgentConfig | null): PhaseExecutor {
    const { config } = this.options;
    const env: NodeJS.ProcessEnv = { ...(this.options.env ?? process.env) };
    if (claim.port !== null) env.PENGUIN_PORT = String(claim.port);
    return this.options.ituv({
      workspaceRoot: root,
      // The routed agent is the only one IMPLEMENT may select.
      config: agent ? { ...config, agents: [agent] } : config,
      env,
      ...(claim.port !== null ? { port: claim.port } : {}),
    });
  }

  /** The fallback of the agent that gave an empty result (exit 0, no change, no summary), if any. */
  private fallbackAfterEmpty(outcome: Extract<PhaseOutcome, { kind: 'passed' }>): AgentConfig | null {
    const result = readPhaseResult('implement', outcome.result);
    if (!result || result.exit_code !== 0 || result.changed_files.length > 0) return null;
    // What the command agent says when it wrote no result file and printed nothing.
    const empty = [`agent ${result.agent_id} finished`, 'agent reported done', ''];
    if (!empty.includes(result.summary.trim())) return null;
    const agents = this.options.config.agents;
    const fallbackId = agents.find((a) => a.id === result.agent_id)?.fallback ?? null;
    return agents.find((a) => a.id === fallbackId) ?? null;
  }

  /**
   * The watchdog: after each IMPLEMENT, a fingerprint of the workspace's diff from the base and one
   * of the agent's output (when it printed anything), by iteration, in the run's scratch directory.
   * Either the same on `repeat_limit` iterations in a row makes the run wait for a human.
   */
  private async watchdog(
    ctx: PhaseContext,
    root: string,
    plan: WorktreePlan | null,
    outcome: Extract<PhaseOutcome, { kind: 'passed' }>,
  ): Promise<PhaseOutcome | null> {
    const limit = this.options.config.runmode.watchdog.repeat_limit;
    const diff = await diffFingerprint(root, plan?.base ?? 'HEAD');
    const output = outputFingerprint(outcome);
    const dir = join(this.options.penguinDir, 'runs', ctx.workflowId);
    const file = join(dir, 'watchdog.json');
    let seen: Record<string, { diff: string | null; output: string | null }> = {};
    try {
      seen = JSON.parse(readFileSync(file, 'utf8')) as typeof seen;
    } catch {
      // First IMPLEMENT of the run.
    }
    seen[String(ctx.iteration)] = { diff, output };
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, JSON.stringify(seen));
    const iterations = Array.from({ length: limit }, (_, i) => ctx.iteration - limit + 1 + i);
    const repeated = (kind: 'diff' | 'output', value: string | null): boolean =>
      value !== null && iterations.every((i) => seen[String(i)]?.[kind] === value);
    const what = repeated('diff', diff) ? 'change' : repeated('output', output) ? 'output' : null;
    if (what === null) return null;
    const reason = `the agent produced the same ${what} in iterations ${iterations.join(', ')} (runmode.watchdog.repeat_limit ${limit})`;
    ctx.emit('workflow.clarification_needed', { reason, iterations });
    return {
      kind: 'needs_input',
      question: `clarification needed: ${reason}; say what to do differently with \`penguin workflow feedback ${ctx.workflowId} "..."\``,
    };
  }

  /** After VERIFY passed: commit with the trailers, merge into the base; a conflict waits for a human. */
  private async deliver(
    ctx: PhaseContext,
    plan: WorktreePlan,
    outcome: Extract<PhaseOutcome, { kind: 'passed' }>,
  ): Promise<PhaseOutcome> {
    const { task } = ctx;
    await commitWork(plan, `${task.blueprint_id}: ${task.title}`, {
      task: task.id,
      blueprint: task.blueprint_id,
      workflow: ctx.workflowId,
    });
    const merged = await mergeIntoBase(this.options.root, plan);
    if (merged.kind === 'conflict') {
      const files = merged.files.length > 0 ? `conflicts in ${merged.files.join(', ')}` : merged.detail;
      const question = `merging ${plan.branch} into ${plan.base} failed: ${files}; the branch is kept in ${plan.worktree}: resolve it there (commit on ${plan.branch}), then \`penguin workflow resume ${ctx.workflowId} --detach\` and \`penguin run continuous\``;
      ctx.emit('scheduler.merge_conflict', { branch: plan.branch, base: plan.base, files: merged.files });
      return { kind: 'needs_input', question };
    }
    ctx.emit('scheduler.merged', { branch: plan.branch, base: plan.base, commit: merged.commit });
    return { ...outcome, summary: `${outcome.summary}; merged ${plan.branch} into ${plan.base}` };
  }
}

export function planOf(claim: ClaimRecord): WorktreePlan | null {
  return claim.worktree !== null && claim.branch !== null && claim.base !== null
    ? { worktree: claim.worktree, branch: claim.branch, base: claim.base }
    : null;
}

/** Agent output past this size is not fingerprinted (only the diff counts then). */
const MAX_OUTPUT_BYTES = 8 * 1024 * 1024;

/** A hash of what the agent printed (its stdout.log artifact), or null when it printed nothing. */
function outputFingerprint(outcome: Extract<PhaseOutcome, { kind: 'passed' }>): string | null {
  const log = outcome.artifacts?.find((a) => a.name === 'stdout.log');
  if (!log) return null;
  try {
    if (statSync(log.path).size > MAX_OUTPUT_BYTES) return null;
    const text = readFileSync(log.path);
    return text.toString('utf8').trim() === '' ? null : createHash('sha256').update(text).digest('hex');
  } catch {
    return null;
  }
}

/** A hash of the work tree's difference from `base` (tracked changes and untracked files), or null outside git. */
async function diffFingerprint(root: string, base: string): Promise<string | null> {
  const diff = await execa('git', ['diff', base, '--binary', '--', '.'], { cwd: root, reject: false });
  if (diff.exitCode !== 0) return null;
  const untracked = await execa('git', ['ls-files', '--others', '--exclude-standard', '-z'], {
    cwd: root,
    reject: false,
  });
  const hash = createHash('sha256').update(diff.stdout);
  for (const file of untracked.stdout
    .split('\0')
    .filter((f) => f !== '')
    .sort()) {
    hash.update(`\0${file}\0`);
    try {
      hash.update(readFileSync(join(root, file)));
    } catch {
      // Gone between the listing and the read: its name still counts.
    }
  }
  return hash.digest('hex');
}
