// `/blueprints`: lint a posted document (written to a private temporary file, linted as
// `blueprint lint` lints a file, reported under the name given), sync the configured sources, and
// drift status. Sync reads only the workspace's configured sources: a client cannot make the server
// read files of its choosing.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blueprintDrift, lintBlueprints, syncBlueprints } from '../../app/blueprints.js';
import { detectFormat } from '../../blueprint/parse.js';
import { LintRequestSchema, ProjectQuerySchema } from '../../contracts/api.js';
import { LintReportSchema, type BlueprintFormat, type LintReport } from '../../contracts/blueprint.js';
import { DriftViewSchema, SyncReportSchema } from '../../contracts/views.js';
import { ERROR_RESPONSES, type ApiApp, type ApiContext } from './shared.js';

const tags = ['blueprints'];

const EXTENSION: Record<BlueprintFormat, string> = { markdown: '.md', yaml: '.yaml', json: '.json' };

/** The name diagnostics are reported under: the client's, with an extension that fits the format. */
function documentName(format: BlueprintFormat, name: string | undefined): string {
  if (name !== undefined && detectFormat(name) === format) return name;
  return `${name ?? 'blueprint'}${EXTENSION[format]}`;
}

function lintDocument(format: BlueprintFormat, content: string, name: string | undefined): LintReport {
  const shown = documentName(format, name);
  const dir = mkdtempSync(join(tmpdir(), 'penguin-lint-'));
  try {
    const file = join(dir, shown);
    writeFileSync(file, content);
    const report = lintBlueprints([file], dir);
    // The temporary path means nothing to the client: report the document's name.
    return {
      ok: report.ok,
      files: report.files.map((linted) => ({
        ...linted,
        file: shown,
        diagnostics: linted.diagnostics.map((d) => ({
          ...d,
          file: shown,
          message: d.message.split(file).join(shown),
        })),
      })),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function registerBlueprintRoutes(app: ApiApp, { ws }: ApiContext): void {
  app.post(
    '/blueprints/lint',
    {
      schema: {
        tags,
        summary: 'Lint one blueprint document (markdown, yaml or json); no workspace change',
        body: LintRequestSchema,
        response: { 200: LintReportSchema, ...ERROR_RESPONSES },
      },
    },
    ({ body }) => lintDocument(body.format, body.content, body.name),
  );

  app.post(
    '/blueprints/sync',
    {
      schema: {
        tags,
        summary: "Sync the workspace's configured blueprint sources into tasks (nothing written on errors)",
        response: { 200: SyncReportSchema, ...ERROR_RESPONSES },
      },
    },
    async () => (await syncBlueprints(ws)).report,
  );

  app.get(
    '/blueprints/status',
    {
      schema: {
        tags,
        summary: 'Drift between the blueprints and the tasks: stale, orphaned, new and changed items',
        querystring: ProjectQuerySchema,
        response: { 200: DriftViewSchema, ...ERROR_RESPONSES },
      },
    },
    async ({ query }) =>
      await blueprintDrift(ws, query.project === undefined ? {} : { projectKey: query.project }),
  );
}
