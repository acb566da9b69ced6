// `penguin worker`: hosts this workspace's workflows (queued with --detach, or left by a killed
// host) until stopped, or with --until-idle until none is left to run.
import type { Command } from 'commander';
import { action, type CliContext } from '../context.js';

const IDLE_POLL_MS = 250;

export function registerWorkerCommand(program: Command, ctx: CliContext): void {
  program
    .command('worker')
    .description('host workflows of this workspace until Ctrl-C (or --until-idle)')
    .option('--until-idle', 'stop once no workflow is pending or running')
    .action(
      action(async (command: Command) => {
        const out = ctx.output(command);
        const { untilIdle } = command.opts<{ untilIdle?: boolean }>();
        const service = ctx.workflows(command);
        const hosted = new Set<string>();
        const unsubscribe = service.events.subscribe((event) => {
          if (event.type === 'workflow.phase_started' && event.workflow_id) hosted.add(event.workflow_id);
        });
        service.backend.start();
        out.progress(`worker hosting workflows of ${service.workspaceRoot} (Ctrl-C to stop)`);
        await new Promise<void>((resolve) => {
          const stop = (): void => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
          if (untilIdle) {
            const timer = setInterval(() => {
              void service.backend.list({}).then((runs) => {
                const busy = runs.some((run) => run.state === 'pending' || run.state === 'running');
                if (!busy) {
                  clearInterval(timer);
                  resolve();
                }
              });
            }, IDLE_POLL_MS);
          }
        });
        unsubscribe();
        await service.backend.stop();
        out.result(
          { stopped: true, workflows_run: [...hosted] },
          () => `worker stopped; ran phases of ${hosted.size} workflow(s)`,
        );
      }),
    );
}
