// Use case `penguin demo`: copies an example workspace (examples/<name>) to a scratch directory, syncs
// it and runs every task through ITUV in frontier order, with the example's scripted agent. It shows
// the whole loop on a real program without any AI service. An example whose config runs more than one
// workflow at once (scheduler.ready_parallelism) runs with `run continuous` instead: the run-mode
// showcase, with the commits its worktrees merged.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBlueprint } from '../blueprint/load.js';
import { resolveBlueprintSources } from '../blueprint/sources.js';
import { initWorkspace } from '../config/workspace.js';
import type { DemoResult, WorkflowStatus } from '../contracts/workflow.js';
import { UsageError } from '../errors.js';
import { openWorkflowService } from './service.js';
import { syncBlueprints } from '../project/sync.js';
import { openWorkspace } from '../project/workspace.js';
import { projectFrontier } from './frontier.js';
import { runContinuous } from './runmode.js';
import { startWorkflow, type HostingOptions } from './workflows.js';

const EXAMPLES_DIR = fileURLToPath(new URL('../../examples/', import.meta.url));

export function listExamples(): string[] {
  return readdirSync(EXAMPLES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** Example names may be given with or without the `-service` suffix (`node`, `python-service`). */
function exampleDir(name: string): string {
  const known = listExamples();
  const match = known.find((e) => e === name || e === `${name}-service`);
  if (!match) throw new UsageError(`no example '${name}'; choose one of ${known.join(', ')}`);
  return join(EXAMPLES_DIR, match);
}

/** The commits run mode made (those with a Penguin-Task trailer), oldest first; none without git. */
function penguinCommits(workspace: string): NonNullable<DemoResult['commits']> {
  try {
    const log = execFileSync(
      'git',
      ['log', '--reverse', '--format=%h%x1f%s%x1f%(trailers:only,unfold)%x1e'],
      {
        cwd: workspace,
        encoding: 'utf8',
      },
    );
    return log
      .split('\x1e')
      .map((entry) => entry.trim().split('\x1f'))
      .filter(([, , trailers]) => trailers?.includes('Penguin-Task:'))
      .map(([sha = '', subject = '', trailers = '']) => ({
        sha,
        subject,
        trailers: trailers.split('\n').filter((line) => line !== ''),
      }));
  } catch {
    return [];
  }
}

export async function runDemo(
  options: { example: string; dir?: string },
  hosting: HostingOptions = {},
): Promise<DemoResult> {
  const source = exampleDir(options.example);
  const workspace = options.dir ? resolve(options.dir) : mkdtempSync(join(tmpdir(), 'penguin-demo-'));
  if (options.dir && existsSync(workspace) && readdirSync(workspace).length > 0) {
    throw new UsageError(`${workspace} is not empty; the demo needs an empty or new directory`);
  }
  cpSync(source, workspace, { recursive: true });
  // A git repository lets IMPLEMENT record the files each agent run changed.
  const git = (...args: string[]): void => {
    execFileSync('git', args, { cwd: workspace, stdio: 'ignore' });
  };
  try {
    git('init', '-q');
    git('add', '-A');
    git('-c', 'user.email=demo@penguin.invalid', '-c', 'user.name=Penguin demo', 'commit', '-qm', 'example');
  } catch {
    // Without git the demo still runs; changed files are just not recorded.
  }
  initWorkspace(workspace);
  const ws = openWorkspace({ workspace, cwd: workspace });
  const service = openWorkflowService(ws);
  const runs: WorkflowStatus[] = [];
  try {
    const sources = resolveBlueprintSources(ws.paths.root, ws.config.blueprints.sources);
    const sync = await syncBlueprints(ws.store, sources.map(loadBlueprint), {
      workspaceRoot: ws.paths.root,
      events: service.events,
    });
    if (!sync.ok)
      throw new UsageError(`the example's blueprint does not sync: ${sync.diagnostics[0]?.message ?? ''}`);
    if (ws.config.scheduler.ready_parallelism > 1) {
      // The run-mode showcase: the whole DAG with `run continuous`, tasks side by side in worktrees.
      for (const project of sync.projects) await runContinuous(ws, { projectKey: project.key }, hosting);
      const all = await service.client.list({});
      runs.push(...all.sort((a, b) => a.started_at.localeCompare(b.started_at)));
      return { example: options.example, workspace, runs, commits: penguinCommits(workspace) };
    }
    for (const project of sync.projects) {
      // Run the head of the frontier until nothing is ready; a failed run stops the demo.
      for (;;) {
        const next = (await projectFrontier(ws, project.key)).ready[0];
        if (!next) break;
        const final = await startWorkflow(service, { ref: next.id }, hosting);
        runs.push(final);
        if (final.state !== 'completed') return { example: options.example, workspace, runs };
      }
    }
    return { example: options.example, workspace, runs };
  } finally {
    await service.close();
    await ws.close();
  }
}
