// `penguin recipe run NAME [--blueprint FILE]`: run one usage recipe against the real program.
import type { Command } from 'commander';
import { runRecipeByName } from '../../app/recipes.js';
import { findWorkspaceRoot } from '../../config/workspace.js';
import { action, type CliContext } from '../context.js';
import { displayPath } from './shared.js';

export function registerRecipeCommands(program: Command, ctx: CliContext): void {
  const recipe = program.command('recipe').description('usage recipes');
  recipe
    .command('run')
    .description('run one usage recipe (service, steps, expectations) and report each step')
    .argument('<name>', 'the recipe name')
    .option('--blueprint <file>', 'the blueprint holding the recipe (default: the workspace blueprints)')
    .action(
      action(async (command: Command, name: string) => {
        const out = ctx.output(command);
        const { blueprint } = command.opts<{ blueprint?: string }>();
        const inWorkspace =
          ctx.globals(command).workspace !== undefined || findWorkspaceRoot(ctx.io.cwd) !== null;
        // Outside a workspace a recipe still runs from its blueprint, with default settings.
        const ws = inWorkspace || blueprint === undefined ? ctx.workspace(command) : null;
        const result = await runRecipeByName({
          name,
          ws,
          cwd: ctx.io.cwd,
          ...(blueprint ? { blueprint } : {}),
        });
        out.result(result, () => [
          `recipe ${result.recipe} (${displayPath(result.file, ctx.io.cwd)}): ${result.passed ? 'passed' : 'FAILED'}`,
          ...result.steps.map(
            (s) =>
              `  ${s.passed ? 'ok  ' : 'FAIL'} step ${s.index} ${s.kind} ${s.run.split('\n')[0] ?? ''}${s.failure ? ` — ${s.failure}` : ''}`,
          ),
          ...(result.network.requested ? [`  network: ${result.network.detail}`] : []),
          ...result.artifacts
            .filter((a) => a.kind === 'transcript')
            .map((a) => `  transcript: ${displayPath(a.path, ctx.io.cwd)}`),
          ...(result.failure && result.steps.every((s) => s.passed) ? [`  ${result.failure}`] : []),
        ]);
        if (!result.passed) ctx.exitCode = 1;
      }),
    );
}
