// `/projects`, `/frontier` (ready tasks in order, blocked ones with every reason) and `/graph` (the
// task DAG as JSON, DOT or mermaid), read through the same use cases as `task frontier` and
// `graph show`.
import { projectFrontier } from '../../app/frontier.js';
import { taskGraph } from '../../app/tasks.js';
import { GraphQuerySchema, ProjectListSchema, ProjectQuerySchema } from '../../contracts/api.js';
import { GraphDocumentSchema } from '../../contracts/cli.js';
import { FrontierViewSchema } from '../../contracts/views.js';
import { ERROR_RESPONSES, type ApiApp, type ApiContext } from './shared.js';

const tags = ['projects'];

export function registerProjectRoutes(app: ApiApp, { ws }: ApiContext): void {
  app.get(
    '/projects',
    { schema: { tags, summary: 'Every project', response: { 200: ProjectListSchema, ...ERROR_RESPONSES } } },
    async () => ({ projects: await ws.store.projects.list() }),
  );

  app.get(
    '/frontier',
    {
      schema: {
        tags,
        summary: 'What is ready in a project, in order, and why the rest waits',
        querystring: ProjectQuerySchema,
        response: { 200: FrontierViewSchema, ...ERROR_RESPONSES },
      },
    },
    async ({ query }) => await projectFrontier(ws, query.project),
  );

  app.get(
    '/graph',
    {
      schema: {
        tags,
        summary: 'The task graph of a project: JSON (an object), DOT or mermaid (text)',
        querystring: GraphQuerySchema,
        response: { 200: GraphDocumentSchema, ...ERROR_RESPONSES },
      },
    },
    async ({ query }) => {
      const graph = await taskGraph(ws, {
        format: query.format,
        ...(query.project === undefined ? {} : { projectKey: query.project }),
      });
      return {
        project: graph.project,
        format: graph.format,
        graph: graph.format === 'json' ? (JSON.parse(graph.text) as Record<string, unknown>) : graph.text,
      };
    },
  );
}
