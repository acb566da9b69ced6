// `penguin status`: the workspace at a glance: each project's tasks by status, what is ready and
// blocked, stale or orphaned work, and the live workflows.
import type { Command } from 'commander';
import { isTerminal } from '../../orchestration/backend.js';
import { TASK_STATUSES } from '../../project/model.js';
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
        const ws = ctx.workspace(command);
        const service = ctx.workflows(command);
        const projects = ws.listProjects().map((project) => {
          const tasks = ws.listTasks(project.key);
          const frontier = service.frontier(project.key);
          const byStatus = Object.fromEntries(
            TASK_STATUSES.map((status) => [status, tasks.filter((t) => t.status === status).length]),
          );
          return {
            key: project.key,
            tasks: tasks.length,
            by_status: byStatus,
            ready: frontier.ready.length + frontier.omitted,
            blocked: frontier.blocked.length,
            stale: tasks.filter((t) => t.stale).length,
            orphaned: tasks.filter((t) => t.orphaned).length,
            next: frontier.ready[0]?.blueprint_id ?? null,
          };
        });
        const live = (await service.backend.list({})).filter((w) => !isTerminal(w.state));
        out.result(
          { root: ws.paths.root, backend: ws.config.orchestration.backend, projects, live_workflows: live },
          () => [
            `workspace ${ws.paths.root} (backend ${ws.config.orchestration.backend})`,
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
          ],
        );
      }),
    );
}
