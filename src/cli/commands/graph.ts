// `penguin graph show --format dot|json|mermaid`.
import type { Command } from 'commander';
import { GRAPH_FORMATS } from '../../project/graph-export.js';
import { action, type CliContext } from '../context.js';
import { withProject, type ProjectOption } from './shared.js';

export function registerGraphCommands(program: Command, ctx: CliContext): void {
  const graph = program.command('graph').description('export the task dependency graph');

  withProject(graph.command('show').description('print the task graph of a project'))
    .option('--format <format>', GRAPH_FORMATS.join(' | '), 'dot')
    .action(
      action((command: Command) => {
        const out = ctx.output(command);
        const opts = command.opts<ProjectOption & { format: string }>();
        const ws = ctx.workspace(command);
        const text = ws.graph(opts.project, opts.format);
        if (out.json) {
          const project = ws.resolveProject(opts.project).key;
          // Under --json the graph is one field; a JSON graph is embedded as an object, not a string.
          out.result(
            {
              project,
              format: opts.format,
              graph: opts.format === 'json' ? (JSON.parse(text) as unknown) : text,
            },
            () => '',
          );
        } else {
          out.raw(text);
        }
      }),
    );
}
