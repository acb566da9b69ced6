// `penguin worker`: hosts this workspace's workflows (queued with --detach, or left by a killed
// host) until Ctrl-C, or with --until-idle until none is left to run. A process entry point: Ctrl-C
// and TERM stop it cleanly (its runs go back at once) and it still prints what it ran.
import type { Command } from 'commander';
import { runWorker } from '../../app/worker.js';
import { action, type CliContext } from '../context.js';

export function registerWorkerCommand(program: Command, ctx: CliContext): void {
  program
    .command('worker')
    .description('host workflows of this workspace until Ctrl-C (or --until-idle)')
    .option('--until-idle', 'stop once no workflow is pending or running')
    .action(
      action(async (command: Command) => {
        const out = ctx.output(command);
        const { untilIdle } = command.opts<{ untilIdle?: boolean }>();
        const service = await ctx.workflows(command);
        out.progress(`worker hosting workflows of ${service.workspaceRoot} (Ctrl-C to stop)`);
        const result = await runWorker(service, {
          untilIdle: untilIdle === true,
          signal: ctx.interruptSignal(),
        });
        out.result(result, () => `worker stopped; ran phases of ${result.workflows_run.length} workflow(s)`);
      }),
    );
}
