// `penguin runmode status`: one line on what the run is doing now.
import type { Command } from 'commander';
import { runmodeStatus } from '../../app/workflows.js';
import { action, type CliContext } from '../context.js';
import { workflowLine } from './workflow-view.js';

export function registerRunmodeCommands(program: Command, ctx: CliContext): void {
  const runmode = program.command('runmode').description('continuous run mode');
  runmode
    .command('status')
    .description('one line: the current workflow, phase, iteration, progress and timebox left')
    .action(
      action(async (command: Command) => {
        const out = ctx.output(command);
        const line = await runmodeStatus(await ctx.workflows(command));
        out.result(line, () =>
          line.workflow === null
            ? 'idle: no live workflow'
            : `${workflowLine(line.workflow)}${line.timebox_left_sec === null ? '' : `, ${line.timebox_left_sec} s left in the timebox`}`,
        );
      }),
    );
}
