// `penguin demo [EXAMPLE] [--dir DIR]`: the whole ITUV loop on a bundled example.
import type { Command } from 'commander';
import { listExamples, runDemo } from '../../app/demo.js';
import { action, type CliContext } from '../context.js';
import { workflowLine } from './workflow-view.js';

export function registerDemoCommand(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description(`run a bundled example through ITUV in a scratch workspace (${listExamples().join(', ')})`)
    .argument('[example]', 'the example to run', 'runmode')
    .option('--dir <dir>', 'where to create the workspace (default: a new temporary directory)')
    .action(
      action(async (command: Command, example: string) => {
        const out = ctx.output(command);
        const { dir } = command.opts<{ dir?: string }>();
        const result = await runDemo(
          { example, ...(dir ? { dir } : {}) },
          {
            signal: ctx.interruptSignal(),
            onEvent: (event) => {
              if (event.type === 'workflow.phase_completed' || event.type === 'workflow.phase_failed') {
                out.progress(
                  `  ${event.blueprint_id ?? ''} ${event.phase ?? ''}: ${event.type.endsWith('completed') ? 'passed' : 'failed'}`,
                );
              }
            },
          },
        );
        out.result(result, () => [
          `demo workspace: ${result.workspace}`,
          ...result.runs.map((run) => `  ${workflowLine(run)}`),
          ...(result.commits && result.commits.length > 0
            ? [
                'merged into the base branch:',
                ...result.commits.map((c) => `  ${c.sha} ${c.subject}  (${c.trailers.join(', ')})`),
              ]
            : []),
          `Inspect it with: penguin --workspace ${result.workspace} task show ${result.runs[0]?.blueprint_id ?? 'TASK'}`,
        ]);
        if (result.runs.some((run) => run.state !== 'completed')) ctx.exitCode = 1;
      }),
    );
}
