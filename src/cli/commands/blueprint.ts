// `penguin blueprint lint|sync|status`.
import type { Command } from 'commander';
import type { Blueprint } from '../../blueprint/model.js';
import { lintFiles } from '../../project/workspace-service.js';
import { action, type CliContext } from '../context.js';
import { table } from '../output.js';
import { countSummary, diagnosticLine, withProject, type ProjectOption } from './shared.js';

/** The public JSON form of a linted file (docs/cli.md). */
function blueprintJson(blueprint: Blueprint): Record<string, unknown> {
  return {
    file: blueprint.file,
    format: blueprint.format,
    project_key: blueprint.project_key,
    title: blueprint.title,
    items: blueprint.items,
    recipes: blueprint.recipes,
    validation: blueprint.validation,
    diagnostics: blueprint.diagnostics,
  };
}

export function registerBlueprintCommands(program: Command, ctx: CliContext): void {
  const group = program.command('blueprint').description('lint blueprints and sync them into tasks');

  group
    .command('lint')
    .description('parse and lint blueprint files (works outside a workspace); exit 1 on any error')
    .argument('<file...>', 'blueprint files (.md, .yaml, .yml, .json)')
    .action(
      action((command: Command, files: string[]) => {
        const out = ctx.output(command);
        const result = lintFiles(files, ctx.io.cwd);
        if (!result.ok) ctx.exitCode = 1;
        const diagnostics = result.blueprints.flatMap((b) => b.diagnostics);
        out.result({ ok: result.ok, files: result.blueprints.map(blueprintJson) }, () => [
          ...diagnostics.map((d) => diagnosticLine(d, ctx.io.cwd, out)),
          `${result.blueprints.length} file${result.blueprints.length === 1 ? '' : 's'}, ${result.blueprints.reduce((n, b) => n + b.items.length, 0)} tasks: ${countSummary(diagnostics)}`,
        ]);
      }),
    );

  group
    .command('sync')
    .description(
      'reconcile tasks with blueprints (default: the configured sources); nothing is written on errors',
    )
    .argument('[files...]', 'blueprint files or globs (default: blueprints.sources)')
    .action(
      action((command: Command, files: string[]) => {
        const out = ctx.output(command);
        const ws = ctx.workspace(command);
        const sources = ws.blueprintFiles(files);
        out.progress(`syncing ${sources.length} blueprint file${sources.length === 1 ? '' : 's'}...`);
        const report = ws.syncSources(sources);
        if (!report.ok) ctx.exitCode = 1;
        out.result(report, () => {
          const lines = report.diagnostics.map((d) => diagnosticLine(d, ctx.io.cwd, out));
          if (!report.ok)
            return [...lines, `sync refused: ${countSummary(report.diagnostics)}; nothing was written`];
          return [
            ...lines,
            ...table(
              ['PROJECT', 'CREATED', 'UPDATED', 'UNCHANGED', 'STALE', 'ORPHANED'],
              report.projects.map((p) => [
                p.key,
                p.created.length,
                p.updated.length,
                p.unchanged.length,
                p.stale.length,
                p.orphaned.length,
              ]),
            ),
            // What to do next: the head of each synced project's frontier.
            ...report.projects.flatMap((p) => {
              const frontier = ctx.workflows(command).frontier(p.key);
              const head = frontier.ready
                .slice(0, 5)
                .map((t, i) => `  ${i + 1}. ${t.blueprint_id} ${t.title}`);
              return [
                `Ready in ${p.key}: ${frontier.ready.length + frontier.omitted} task(s), ${frontier.blocked.length} blocked`,
                ...head,
              ];
            }),
            out.paint('See `penguin task frontier` for the order and every blocker.', 'dim'),
          ];
        });
      }),
    );

  withProject(
    group
      .command('status')
      .description(
        'drift between blueprints and tasks: stale, orphaned, new, changed, criteria without tests',
      )
      .argument('[files...]', 'blueprint files or globs (default: blueprints.sources)'),
  ).action(
    action((command: Command, files: string[]) => {
      const out = ctx.output(command);
      const { project } = command.opts<ProjectOption>();
      const report = ctx.workspace(command).blueprintStatus(project, files);
      out.result(report, () =>
        report.projects.flatMap((p) => {
          const list = (ids: string[]): string => (ids.length === 0 ? '-' : ids.join(', '));
          return [
            out.paint(`${p.key}${p.project_id === null ? ' (never synced)' : ''}`, 'bold'),
            `  new:      ${list(p.new)}`,
            `  changed:  ${list(p.changed)}`,
            `  stale:    ${list(p.stale)}`,
            `  orphaned: ${list(p.orphaned)}`,
            `  criteria without a mapped test: ${p.unmapped_criteria.length}`,
            ...p.unmapped_criteria.map((c) => `    ${c.blueprint_id} #${c.criterion}: ${c.text}`),
          ];
        }),
      );
    }),
  );
}
