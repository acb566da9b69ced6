// `penguin worker`: hosts this workspace's workflows (queued with --detach, or left by a killed
// host) until Ctrl-C, or with --until-idle until none is left to run; on the Temporal backend it is a
// Temporal worker on the workspace's task queue. A process entry point: Ctrl-C and TERM stop it
// cleanly (a running phase gets --grace to finish, then its run goes back) and it prints what it ran.
import type { Command } from 'commander';
import { runWorker } from '../../app/worker.js';
import { UsageError } from '../../errors.js';
import { action, type CliContext } from '../context.js';

export function registerWorkerCommand(program: Command, ctx: CliContext): void {
  program
    .command('worker')
    .description('host workflows of this workspace until Ctrl-C (or --until-idle)')
    .option('--until-idle', 'stop once no workflow is pending or running')
    .option('--grace <sec>', 'on Ctrl-C or TERM: how long a running phase has before it is stopped')
    .action(
      action(async (command: Command) => {
        const out = ctx.output(command);
        const { untilIdle, grace } = command.opts<{ untilIdle?: boolean; grace?: string }>();
        const graceSec = grace === undefined ? undefined : Number(grace);
        if (graceSec !== undefined && !(Number.isFinite(graceSec) && graceSec >= 0)) {
          throw new UsageError(`--grace must be a number of seconds >= 0 (got '${grace}')`);
        }
        const service = await ctx.workflows(command);
        out.progress(`worker hosting workflows of ${service.workspaceRoot} (Ctrl-C to stop)`);
        const result = await runWorker(service, {
          untilIdle: untilIdle === true,
          signal: ctx.interruptSignal(),
          ...(graceSec === undefined ? {} : { graceMs: graceSec * 1000 }),
        });
        out.result(result, () => `worker stopped; ran phases of ${result.workflows_run.length} workflow(s)`);
      }),
    );
}
