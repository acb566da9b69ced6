// `penguin workflow start|status|pause|resume|cancel|feedback|list`: steer durable ITUV runs, also
// ones hosted by another process (signals are stored rows, applied within a second).
import type { Command } from 'commander';
import {
  feedWorkflow,
  listWorkflows,
  resumeWorkflow,
  signalWorkflow,
  startWorkflow,
  workflowStatus,
} from '../../app/workflows.js';
import { action, type CliContext } from '../context.js';
import { withProject, type ProjectOption } from './shared.js';
import { hostingOptions, renderSettled, workflowLine, workflowTable } from './workflow-view.js';

export function registerWorkflowCommands(program: Command, ctx: CliContext): void {
  const workflow = program.command('workflow').description('start, inspect and steer ITUV workflows');

  withProject(
    workflow
      .command('start')
      .description('start a workflow for a task and follow it (or leave it to a host with --detach)')
      .argument('<task>', 'task id or blueprint id'),
  )
    .option('--detach', 'only queue the workflow; `penguin worker` or another host runs it')
    .action(
      action(async (command: Command, ref: string) => {
        const out = ctx.output(command);
        const { project, detach } = command.opts<ProjectOption & { detach?: boolean }>();
        const status = await startWorkflow(
          await ctx.workflows(command),
          { ref, projectKey: project, detach: detach === true },
          detach ? {} : hostingOptions(ctx, out),
        );
        if (detach) out.result(status, () => `queued ${workflowLine(status)}`);
        else renderSettled(ctx, out, status);
      }),
    );

  workflow
    .command('status')
    .description('one workflow: state, phase, iteration, progress and its phases')
    .argument('<workflow>', 'workflow id')
    .action(
      action(async (command: Command, id: string) => {
        const out = ctx.output(command);
        const status = await workflowStatus(await ctx.workflows(command), id);
        out.result(status, () => [
          workflowLine(status),
          ...status.phases.map(
            (p) =>
              `  ${p.phase} iteration ${p.iteration} attempt ${p.attempt}: ${p.outcome ?? 'running'}${p.summary ? ` — ${p.summary}` : ''}`,
          ),
        ]);
      }),
    );

  for (const name of ['pause', 'cancel'] as const) {
    workflow
      .command(name)
      .description(name === 'pause' ? 'pause at the next phase boundary' : 'cancel; kills the running phase')
      .argument('<workflow>', 'workflow id')
      .action(
        action(async (command: Command, id: string) => {
          const out = ctx.output(command);
          const status = await signalWorkflow(await ctx.workflows(command), id, name);
          out.result(status, () => `${name} sent: ${workflowLine(status)}`);
        }),
      );
  }

  workflow
    .command('resume')
    .description('resume a paused or waiting workflow and host it here until it settles (or --detach)')
    .argument('<workflow>', 'workflow id')
    .option('--detach', 'only send the signal; another host runs the workflow')
    .action(
      action(async (command: Command, id: string) => {
        const out = ctx.output(command);
        const { detach } = command.opts<{ detach?: boolean }>();
        const status = await resumeWorkflow(
          await ctx.workflows(command),
          id,
          { detach: detach === true },
          detach ? {} : hostingOptions(ctx, out),
        );
        if (detach) out.result(status, () => `resume sent: ${workflowLine(status)}`);
        else renderSettled(ctx, out, status);
      }),
    );

  workflow
    .command('feedback')
    .description('inject feedback into the next IMPLEMENT; answers a waiting workflow')
    .argument('<workflow>', 'workflow id')
    .argument('<text>', 'the feedback')
    .action(
      action(async (command: Command, id: string, text: string) => {
        const out = ctx.output(command);
        const status = await feedWorkflow(await ctx.workflows(command), id, text);
        out.result(status, () => `feedback recorded: ${workflowLine(status)}`);
      }),
    );

  withProject(workflow.command('list').description('list workflows'))
    .option('--status <states>', 'only these states (comma-separated)')
    .action(
      action(async (command: Command) => {
        const out = ctx.output(command);
        const opts = command.opts<ProjectOption & { status?: string }>();
        const list = await listWorkflows(await ctx.workflows(command), {
          projectKey: opts.project,
          status: opts.status,
        });
        out.result(list, () => workflowTable(list.workflows));
      }),
    );
}
