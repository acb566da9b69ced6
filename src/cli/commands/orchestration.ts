// `penguin orchestration health|stop-dev`: whether the configured backend answers (exit 1 when it
// does not), and stopping the Temporal dev server Penguin auto-started for this workspace.
import type { Command } from 'commander';
import { orchestrationHealth, stopDevOrchestration } from '../../app/worker.js';
import { CheckFailedError } from '../../errors.js';
import { action, type CliContext } from '../context.js';

export function registerOrchestrationCommands(program: Command, ctx: CliContext): void {
  const group = program
    .command('orchestration')
    .description('the orchestration backend (native or temporal)');
  group
    .command('health')
    .description('check that the configured backend answers; exit 1 when it does not')
    .action(
      action(async (command: Command) => {
        const out = ctx.output(command);
        const health = await orchestrationHealth(await ctx.workflows(command));
        out.result(health, () => `${health.backend}: ${health.ok ? 'ok' : 'NOT OK'}: ${health.detail}`);
        if (!health.ok)
          throw new CheckFailedError(`the ${health.backend} backend is not healthy: ${health.detail}`);
      }),
    );
  group
    .command('stop-dev')
    .description('stop the Temporal dev server Penguin started for this workspace')
    .action(
      action(async (command: Command) => {
        const out = ctx.output(command);
        const result = await stopDevOrchestration(await ctx.workflows(command));
        out.result(result, () =>
          result.stopped
            ? `stopped the Temporal dev server at ${result.address ?? '?'} (pid ${result.pid ?? '?'})`
            : 'no Temporal dev server of this workspace is running',
        );
      }),
    );
}
