// `/artifacts`: the evidence files recorded per task and workflow, and the download of one by its id.
// A download reads only a regular file inside the workspace's artifact directory: a row whose path
// has `..` or is absolute, a file replaced by a symlink, or one edited since it was recorded is
// refused, never followed.
import { resolveTask } from '../../project/resolve.js';
import { constants, createReadStream, fstatSync, openSync, realpathSync } from 'node:fs';
import { sep } from 'node:path';
import { z } from 'zod';
import { ArtifactListSchema, ArtifactParamsSchema, ArtifactQuerySchema } from '../../contracts/api.js';
import { ConflictError, NotFoundError } from '../../errors.js';
import { assertSafeArtifactName, type ArtifactRecord } from '../../ituv/artifacts.js';
import { ERROR_RESPONSES, type ApiApp, type ApiContext } from './shared.js';

const tags = ['artifacts'];

/** Opens the artifact's file for reading, or throws: it must be a regular file under `root`. */
function openArtifact(root: string, absolute: string, record: ArtifactRecord): number {
  const refuse = (why: string): never => {
    throw new ConflictError(`artifact ${record.id} (${record.path}) cannot be served: ${why}`);
  };
  try {
    assertSafeArtifactName(record.path, `of task ${record.task_id}`);
  } catch {
    refuse('its recorded path leaves the artifact directory');
  }
  let real: string;
  try {
    real = realpathSync(absolute);
  } catch {
    throw new NotFoundError(`artifact ${record.id} (${record.path}) is recorded but its file is gone`);
  }
  const realRoot = realpathSync(root);
  if (!real.startsWith(realRoot + sep) || real !== absolute.replace(root, realRoot)) {
    refuse('its path goes through a symlink');
  }
  // O_NOFOLLOW: a symlink swapped in after the check above is still not followed.
  const fd = openSync(absolute, constants.O_RDONLY | constants.O_NOFOLLOW);
  if (!fstatSync(fd).isFile()) refuse('it is not a regular file');
  return fd;
}

export function registerArtifactRoutes(app: ApiApp, { ws, service }: ApiContext): void {
  app.get(
    '/artifacts',
    {
      schema: {
        tags,
        summary: 'Artifacts recorded for a task and/or a workflow',
        querystring: ArtifactQuerySchema,
        response: { 200: ArtifactListSchema, ...ERROR_RESPONSES },
      },
    },
    async ({ query }) => {
      const taskId = query.task === undefined ? undefined : (await resolveTask(ws.store, query.task)).id;
      if (query.workflow !== undefined) await service.client.getStatus(query.workflow);
      const artifacts = await service.artifacts.list({
        ...(taskId === undefined ? {} : { taskId }),
        ...(query.workflow === undefined ? {} : { workflowId: query.workflow }),
      });
      return { artifacts };
    },
  );

  app.get(
    '/artifacts/:id/content',
    {
      schema: {
        tags,
        summary: "Download one artifact's file",
        params: ArtifactParamsSchema,
        response: {
          200: {
            description: 'the file, as recorded',
            content: { 'application/octet-stream': { schema: z.string() } },
          },
          ...ERROR_RESPONSES,
        },
      },
    },
    async ({ params }, reply) => {
      const record = (await service.artifacts.list()).find((a) => a.id === params.id);
      if (record === undefined) throw new NotFoundError(`no artifact ${params.id}`);
      const { artifacts } = service;
      const fd = openArtifact(artifacts.artifactsDir, artifacts.absolutePath(record), record);
      const stream = createReadStream('', { fd });
      if (!artifacts.verify(record)) {
        stream.destroy();
        throw new ConflictError(
          `artifact ${record.id} (${record.path}) changed since it was recorded (size or sha256 differ)`,
        );
      }
      const filename = record.name.split('/').at(-1) ?? record.name;
      return (
        reply
          .type('application/octet-stream')
          .header('content-disposition', `attachment; filename="${filename.replace(/["\\]/g, '_')}"`)
          .header('content-length', record.size)
          // A stream bypasses the serializer; the schema above only documents the bytes.
          .send(stream as unknown as string)
      );
    },
  );
}
