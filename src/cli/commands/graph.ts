// `penguin graph show --format dot|json|mermaid`.
import type { Command } from 'commander';
import { taskGraph } from '../../app/tasks.js';
import { GRAPH_FORMATS } from '../../project/graph-export.js';
import { action, type CliContext } from '../context.js';
import { withProject, type ProjectOption } from './shared.js';

export function registerGraphCommands(program: Command, ctx: CliContext): void {
  const graph = program.command('graph').description('export the task dependency graph');

  withProject(graph.command('show').description('print the task graph of a project'))
    .option('--format <format>', GRAPH_FORMATS.join(' | '), 'dot')
    .action(
      action(async (command: Command) => {
        const out = ctx.output(command);
        const opts = command.opts<ProjectOption & { format: string }>();
        const graph = await taskGraph(await ctx.workspace(command), {
          projectKey: opts.project,
          format: opts.format,
        });
        if (out.json) {
          // Under --json the graph is one field; a JSON graph is embedded as an object, not a string.
          out.result(
            {
              project: graph.project,
              format: graph.format,
              graph: graph.format === 'json' ? (JSON.parse(graph.text) as unknown) : graph.text,
            },
            () => '',
          );
        } else {
          out.raw(graph.text);
        }
      }),
    );
}
