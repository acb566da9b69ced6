// `penguin status`: the workspace at a glance: each project's tasks by status, what is ready and
// blocked, stale or orphaned work, and the live workflows.
import type { Command } from 'commander';
import { workspaceStatus } from '../../app/status.js';
import { action, type CliContext } from '../context.js';
import { table } from '../output.js';
import { workflowLine } from './workflow-view.js';

export function registerStatusCommand(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description('the workspace at a glance: tasks by status, ready and blocked, live workflows')
    .action(
      action(async (command: Command) => {
        const out = ctx.output(command);
        const status = await workspaceStatus(await ctx.workspace(command), await ctx.workflows(command));
        const { projects, live_workflows: live } = status;
        out.result(status, () => [
          `workspace ${status.root} (backend ${status.backend})`,
          ...table(
            ['PROJECT', 'TASKS', 'DONE', 'RUNNING', 'READY', 'BLOCKED', 'STALE', 'ORPHANED', 'NEXT'],
            projects.map((p) => [
              p.key,
              p.tasks,
              (p.by_status.completed ?? 0) + (p.by_status.pending_review ?? 0),
              p.by_status.running ?? 0,
              p.ready,
              p.blocked,
              p.stale,
              p.orphaned,
              p.next,
            ]),
            'no projects yet: run `penguin blueprint sync`',
          ),
          ...(live.length === 0
            ? ['no live workflows']
            : ['live workflows:', ...live.map((w) => `  ${workflowLine(w)}`)]),
        ]);
      }),
    );
}
