// `penguin blueprint lint|sync|status`.
import type { Command } from 'commander';
import { blueprintDrift, lintBlueprints, syncBlueprints } from '../../app/blueprints.js';
import { action, type CliContext } from '../context.js';
import { table } from '../output.js';
import { countSummary, diagnosticLine, withProject, type ProjectOption } from './shared.js';

export function registerBlueprintCommands(program: Command, ctx: CliContext): void {
  const group = program.command('blueprint').description('lint blueprints and sync them into tasks');

  group
    .command('lint')
    .description('parse and lint blueprint files (works outside a workspace); exit 1 on any error')
    .argument('<file...>', 'blueprint files (.md, .yaml, .yml, .json)')
    .action(
      action((command: Command, files: string[]) => {
        const out = ctx.output(command);
        const result = lintBlueprints(files, ctx.io.cwd);
        if (!result.ok) ctx.exitCode = 1;
        const diagnostics = result.files.flatMap((b) => b.diagnostics);
        out.result(result, () => [
          ...diagnostics.map((d) => diagnosticLine(d, ctx.io.cwd, out)),
          `${result.files.length} file${result.files.length === 1 ? '' : 's'}, ${result.files.reduce((n, b) => n + b.items.length, 0)} tasks: ${countSummary(diagnostics)}`,
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
      action(async (command: Command, files: string[]) => {
        const out = ctx.output(command);
        const { report, frontiers } = await syncBlueprints(await ctx.workspace(command), files, (count) =>
          out.progress(`syncing ${count} blueprint file${count === 1 ? '' : 's'}...`),
        );
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
            ...frontiers.flatMap((frontier) => {
              const head = frontier.ready
                .slice(0, 5)
                .map((t, i) => `  ${i + 1}. ${t.blueprint_id} ${t.title}`);
              return [
                `Ready in ${frontier.project}: ${frontier.ready.length + frontier.omitted} task(s), ${frontier.blocked.length} blocked`,
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
    action(async (command: Command, files: string[]) => {
      const out = ctx.output(command);
      const { project } = command.opts<ProjectOption>();
      const report = await blueprintDrift(await ctx.workspace(command), { projectKey: project, files });
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
