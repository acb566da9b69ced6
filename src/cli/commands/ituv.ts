// `penguin task ituv start|next|verify`: run a task through Implement, Test, Use, Verify.
import type { Command } from 'commander';
import { runNextPhase, startWorkflow, verifyAgain } from '../../app/workflows.js';
import { UsageError } from '../../errors.js';
import { action, type CliContext } from '../context.js';
import { renderEvidenceTable } from '../evidence.js';
import { withProject, type ProjectOption } from './shared.js';
import { hostingOptions, renderSettled, workflowLine } from './workflow-view.js';

function taskCommand(program: Command): Command {
  const task = program.commands.find((c) => c.name() === 'task');
  if (!task) throw new Error('the task command group must be registered before task ituv');
  return task;
}

function parseCriterion(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--override takes a criterion number (1, 2, ...), got '${text}'`);
  return n;
}

export function registerItuvCommands(program: Command, ctx: CliContext): void {
  const ituv = taskCommand(program)
    .command('ituv')
    .description('run a task through Implement, Test, Use, Verify');

  withProject(
    ituv
      .command('start')
      .description('start a workflow for the task and follow it (or leave it to a host with --detach)')
      .argument('<task>', 'task id or blueprint id'),
  )
    .option('--detach', 'only queue the workflow; `penguin worker` or another host runs it')
    .option('--feedback <text>', 'feedback for the first IMPLEMENT')
    .action(
      action(async (command: Command, ref: string) => {
        const out = ctx.output(command);
        const opts = command.opts<ProjectOption & { detach?: boolean; feedback?: string }>();
        const status = await startWorkflow(
          await ctx.workflows(command),
          {
            ref,
            projectKey: opts.project,
            detach: opts.detach === true,
            ...(opts.feedback ? { feedback: [opts.feedback] } : {}),
          },
          opts.detach ? {} : hostingOptions(ctx, out),
        );
        if (opts.detach) out.result(status, () => `queued ${workflowLine(status)}`);
        else renderSettled(ctx, out, status);
      }),
    );

  withProject(
    ituv
      .command('next')
      .description('run exactly the next phase of the task, then pause and print a summary')
      .argument('<task>', 'task id or blueprint id'),
  ).action(
    action(async (command: Command, ref: string) => {
      const out = ctx.output(command);
      const { project } = command.opts<ProjectOption>();
      const result = await runNextPhase(
        await ctx.workflows(command),
        { ref, projectKey: project },
        { signal: ctx.interruptSignal() },
      );
      out.result(result, () => [
        `${result.phase ?? '-'}: ${result.outcome}${result.summary ? ` — ${result.summary}` : ''}`,
        workflowLine(result.workflow),
      ]);
      if (result.workflow.state === 'failed' || result.workflow.state === 'cancelled') ctx.exitCode = 1;
    }),
  );

  withProject(
    ituv
      .command('verify')
      .description('re-run VERIFY alone over the latest phase results, optionally overriding a criterion')
      .argument('<task>', 'task id or blueprint id'),
  )
    .option('--override <n>', 'mark acceptance criterion N as met (needs --why)')
    .option('--why <text>', 'the justification recorded with the override')
    .action(
      action(async (command: Command, ref: string) => {
        const out = ctx.output(command);
        const opts = command.opts<ProjectOption & { override?: string; why?: string }>();
        if ((opts.override === undefined) !== (opts.why === undefined)) {
          throw new UsageError('--override and --why go together: name the criterion and say why it is met');
        }
        const override =
          opts.override === undefined
            ? undefined
            : { criterion: parseCriterion(opts.override), why: opts.why ?? '' };
        const answer = await verifyAgain(await ctx.workflows(command), {
          ref,
          projectKey: opts.project,
          ...(override ? { override } : {}),
        });
        const { task, verify: verdict } = answer;
        out.result(answer, () => [
          `${task.blueprint_id}: VERIFY ${verdict.passed ? 'passed' : 'failed'} (status ${task.status}, phase ${task.phase})`,
          renderEvidenceTable(verdict),
          ...verdict.failures.map((f) => `  - ${f}`),
        ]);
        if (!verdict.passed) ctx.exitCode = 1;
      }),
    );
}
