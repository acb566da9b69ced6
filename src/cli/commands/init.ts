// `penguin init [DIR]`: create a workspace (idempotent).
import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { initWorkspace } from '../../config/workspace.js';
import { action, type CliContext } from '../context.js';

export function registerInitCommand(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description(
      'create a Penguin workspace (.penguin/, penguin.yaml, context/specs/) in DIR or the current directory',
    )
    .argument('[dir]', 'the directory to initialise')
    .action(
      action((command: Command, dir: string | undefined) => {
        const target = resolve(ctx.io.cwd, dir ?? ctx.globals(command).workspace ?? '.');
        const result = initWorkspace(target);
        const out = ctx.output(command);
        out.result(
          {
            root: result.paths.root,
            created: result.created,
            created_paths: result.createdPaths,
            paths: result.paths,
          },
          () => {
            const shown = relative(ctx.io.cwd, result.paths.root) || '.';
            if (!result.created) return `Penguin workspace already initialised in ${shown}`;
            return [
              `Initialised a Penguin workspace in ${shown}`,
              ...result.createdPaths.map((path) => `  created ${path}`),
              `Next: add a blueprint to context/specs/ and run \`penguin blueprint sync\``,
            ];
          },
        );
      }),
    );
}
