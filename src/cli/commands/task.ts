// `penguin task list|show|ready|frontier|approve|reopen|cancel|deps add|deps remove|deps list`.
import type { Command } from 'commander';
import { projectFrontier, projectReady } from '../../app/frontier.js';
import {
  addDependency,
  listDependencies,
  listTasks,
  moveTask,
  removeDependency,
  showTask,
  type LifecycleAction,
} from '../../app/tasks.js';
import type { FrontierView, ReadyTask } from '../../contracts/views.js';
import { renderEvidenceTable } from '../evidence.js';
import type { Task } from '../../project/model.js';
import { action, type CliContext } from '../context.js';
import { table, type Output } from '../output.js';
import { withProject, type ProjectOption } from './shared.js';

interface ReasonOption extends ProjectOption {
  reason?: string;
}

function flags(task: Pick<Task, 'stale' | 'orphaned'>): string {
  return [task.stale ? 'stale' : '', task.orphaned ? 'orphaned' : ''].filter(Boolean).join(',');
}

function registerLifecycle(
  tasks: Command,
  ctx: CliContext,
  name: LifecycleAction,
  description: string,
): void {
  withProject(tasks.command(name).description(description).argument('<task>', 'task id or blueprint id'))
    .option('--reason <text>', 'why; recorded in the task history')
    .action(
      action(async (command: Command, ref: string) => {
        const out = ctx.output(command);
        const opts = command.opts<ReasonOption>();
        const move = await moveTask(await ctx.workspace(command), name, {
          ref,
          projectKey: opts.project,
          reason: opts.reason,
        });
        out.result(move, () => `${move.blueprint_id}: ${move.from} -> ${move.status} (phase ${move.phase})`);
      }),
    );
}

function renderFrontierReady(out: Output, ready: readonly ReadyTask[]): string[] {
  return table(
    ['#', 'TASK', 'PRIORITY', 'TITLE'],
    ready.map((t, i) => [i + 1, t.blueprint_id, t.priority, t.title]),
    out.paint('no task is ready', 'dim'),
  );
}

/** Each blocked task, then its blockers indented (a plain loop: tens of thousands of lines). */
function blockedLines(blocked: FrontierView['blocked']): string[] {
  const lines: string[] = [];
  for (const task of blocked) {
    lines.push(`${task.blueprint_id} ${task.title}`);
    for (const blocker of task.blockers) lines.push(`  - ${blocker.reason}`);
  }
  return lines;
}

export function registerTaskCommands(program: Command, ctx: CliContext): void {
  const tasks = program
    .command('task')
    .description('inspect tasks, their dependencies, the ready frontier; review decisions');

  withProject(tasks.command('list').description('list tasks'))
    .option('--status <status>', 'only tasks with this status')
    .action(
      action(async (command: Command) => {
        const out = ctx.output(command);
        const opts = command.opts<ProjectOption & { status?: string }>();
        const list = await listTasks(await ctx.workspace(command), {
          projectKey: opts.project,
          status: opts.status,
        });
        out.result(list, () =>
          table(
            ['TASK', 'STATUS', 'PHASE', 'PRIORITY', 'FLAGS', 'TITLE'],
            list.tasks.map((t) => [t.blueprint_id, t.status, t.phase, t.priority, flags(t), t.title]),
            'no tasks',
          ),
        );
      }),
    );

  withProject(
    tasks
      .command('show')
      .description('one task with its dependencies and history')
      .argument('<task>', 'task id or blueprint id'),
  ).action(
    action(async (command: Command, ref: string) => {
      const out = ctx.output(command);
      const { project } = command.opts<ProjectOption>();
      const task = await showTask(await ctx.workspace(command), await ctx.workflows(command), {
        ref,
        projectKey: project,
      });
      const { evidence } = task;
      out.result(task, () => [
        out.paint(`${task.blueprint_id} ${task.title}`, 'bold'),
        `  id:       ${task.id} (project ${task.project})`,
        `  status:   ${task.status} (phase ${task.phase})${flags(task) ? ` [${flags(task)}]` : ''}`,
        `  priority: ${task.priority ?? '-'}`,
        ...(task.source_file === null ? [] : [`  source:   ${task.source_file}:${task.source_line ?? '?'}`]),
        ...(task.description === null ? [] : [`  ${task.description}`]),
        'Acceptance criteria:',
        ...(task.acceptance_criteria.length === 0
          ? ['  (none)']
          : task.acceptance_criteria.map((c, i) => `  ${i + 1}. ${c}`)),
        'Depends on:',
        ...(task.dependencies.upstream.length === 0
          ? ['  (none)']
          : task.dependencies.upstream.map((d) => `  ${d.blueprint_id} [${d.policy}] ${d.status}`)),
        'Needed by:',
        ...(task.dependencies.downstream.length === 0
          ? ['  (none)']
          : task.dependencies.downstream.map((d) => `  ${d.blueprint_id} [${d.policy}] ${d.status}`)),
        'Evidence (latest VERIFY):',
        ...(evidence === null
          ? ['  (not verified yet)']
          : renderEvidenceTable(evidence)
              .split('\n')
              .map((l) => `  ${l}`)),
        ...(task.overrides.length === 0
          ? []
          : ['Overrides:', ...task.overrides.map((o) => `  AC${o.criterion}: ${o.justification} (${o.at})`)]),
        'History:',
        ...(task.history.length === 0
          ? ['  (none)']
          : task.history.map(
              (h) =>
                `  ${h.at} ${h.from_status}/${h.from_phase} -> ${h.to_status}/${h.to_phase}: ${h.reason}`,
            )),
      ]);
    }),
  );

  withProject(
    tasks.command('ready').description('the ready tasks, in the order they would be picked'),
  ).action(
    action(async (command: Command) => {
      const out = ctx.output(command);
      const { project } = command.opts<ProjectOption>();
      const ready = await projectReady(await ctx.workspace(command), project);
      out.result(ready, () => renderFrontierReady(out, ready.ready));
    }),
  );

  withProject(
    tasks.command('frontier').description('ready tasks in order, and every blocked task with its blockers'),
  ).action(
    action(async (command: Command) => {
      const out = ctx.output(command);
      const { project } = command.opts<ProjectOption>();
      const frontier = await projectFrontier(await ctx.workspace(command), project);
      out.result(frontier, () => [
        out.paint(`Ready (${frontier.project})`, 'bold'),
        ...renderFrontierReady(out, frontier.ready),
        ...(frontier.omitted > 0
          ? [out.paint(`  ... and ${frontier.omitted} more (scheduler.max_frontier)`, 'dim')]
          : []),
        out.paint('Blocked', 'bold'),
        ...(frontier.blocked.length === 0
          ? [out.paint('nothing is blocked', 'dim')]
          : blockedLines(frontier.blocked)),
      ]);
    }),
  );

  registerLifecycle(tasks, ctx, 'approve', 'approve a task in review (pending_review -> completed)');
  registerLifecycle(tasks, ctx, 'reopen', 'reopen a task so it runs again (-> active, phase pending)');
  registerLifecycle(tasks, ctx, 'cancel', 'cancel a task; its dependents stay blocked');

  const deps = tasks.command('deps').description('add, remove and list task dependencies');

  withProject(
    deps
      .command('add')
      .description('make TASK depend on DEP (refused when it would create a cycle)')
      .argument('<task>', 'the dependent task')
      .argument('<dep>', 'the task it depends on'),
  )
    .option(
      '--policy <policy>',
      'completion_required | review_ready_ok | artifact_ready',
      'completion_required',
    )
    .option('--artifact-key <key>', 'the artifact an artifact_ready dependency waits for')
    .action(
      action(async (command: Command, task: string, dep: string) => {
        const out = ctx.output(command);
        const opts = command.opts<ProjectOption & { policy: string; artifactKey?: string }>();
        const change = await addDependency(await ctx.workspace(command), {
          task,
          dependsOn: dep,
          projectKey: opts.project,
          policy: opts.policy,
          artifactKey: opts.artifactKey,
        });
        out.result(
          change,
          () =>
            `${change.task} now depends on ${change.depends_on} (${change.policy}${change.artifact_key ? `, artifact ${change.artifact_key}` : ''})`,
        );
      }),
    );

  withProject(
    deps
      .command('remove')
      .description('remove the dependency of TASK on DEP')
      .argument('<task>')
      .argument('<dep>'),
  ).action(
    action(async (command: Command, task: string, dep: string) => {
      const out = ctx.output(command);
      const { project } = command.opts<ProjectOption>();
      const removed = await removeDependency(await ctx.workspace(command), {
        task,
        dependsOn: dep,
        projectKey: project,
      });
      out.result(removed, () => `${removed.task} no longer depends on ${removed.depends_on}`);
    }),
  );

  withProject(
    deps.command('list').description('what TASK depends on and what depends on it').argument('<task>'),
  ).action(
    action(async (command: Command, task: string) => {
      const out = ctx.output(command);
      const { project } = command.opts<ProjectOption>();
      const list = await listDependencies(await ctx.workspace(command), { ref: task, projectKey: project });
      const rows = (side: typeof list.upstream): (string | null)[][] =>
        side.map((d) => [d.blueprint_id, d.policy, d.artifact_key, d.source, d.status]);
      out.result(list, () => [
        `${list.task} depends on:`,
        ...table(['TASK', 'POLICY', 'ARTIFACT', 'SOURCE', 'STATUS'], rows(list.upstream)),
        `needed by:`,
        ...table(['TASK', 'POLICY', 'ARTIFACT', 'SOURCE', 'STATUS'], rows(list.downstream)),
      ]);
    }),
  );
}
