// The HTTP API server (DESIGN §9): Fastify with zod schemas from src/contracts/ for validation,
// serialization and the OpenAPI 3.1 document, the one error shape, bearer auth off loopback, optional
// CORS, a body size limit, and the workspace's workflow host, so that workflows started over HTTP
// run here and orphaned ones are recovered. `penguin serve` is a thin shell around createServer().
import fastifyCors from '@fastify/cors';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { jsonSchemaTransform, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { NotFoundError, UsageError } from '../errors.js';
import { openWorkflowService } from '../app/service.js';
import type { WorkflowService } from '../orchestration/workflow-service.js';
import type { Workspace } from '../project/workspace.js';
import { assertBindAllowed, bearerMatches } from './auth.js';
import { errorBody, sendError } from './errors.js';
import { RouteMethods } from './methods.js';
import { serializerCompiler } from './serialize.js';
import { optionalBodies, type OpenApiDocument } from './openapi.js';
import { registerBlueprintRoutes } from './routes/blueprints.js';
import { registerArtifactRoutes } from './routes/artifacts.js';
import { registerEventRoutes } from './routes/events.js';
import { HEALTH_PATH, registerOrchestrationRoutes } from './routes/orchestration.js';
import { registerProjectRoutes } from './routes/projects.js';
import { registerTaskRoutes } from './routes/tasks.js';
import { registerWorkflowRoutes } from './routes/workflows.js';
import { API_PREFIX, type ApiApp, type ApiContext, type EventStream } from './routes/shared.js';

export type { ApiApp } from './routes/shared.js';

export interface ServerOptions {
  /** Default 127.0.0.1; any other address needs a token. */
  host?: string;
  /** Default 8000; 0 picks a free port. */
  port?: number;
  /** Bearer token every route but health requires (PENGUIN_API_TOKEN). */
  token?: string;
  /** Allow browsers on this origin (no CORS otherwise). */
  cors?: string;
  /** Largest request body accepted, in bytes (default 1 MiB); larger ones get 413. */
  bodyLimit?: number;
  /** Request log level of the framework's logger (pino, on stderr); false: none. */
  logLevel?: string | false;
  /** Interval of the SSE heartbeat comment (default 15 s). */
  heartbeatMs?: number;
  /** How often an SSE stream looks for new events (default 100 ms). */
  eventPollMs?: number;
}

export interface ApiServer {
  readonly app: ApiApp;
  readonly service: WorkflowService;
  /** Listens, then starts hosting workflows; returns the bound address. */
  listen(): Promise<{ url: string; host: string; port: number }>;
  /** Ends the event streams, stops taking requests, hands running workflows back, closes the service. */
  close(): Promise<void>;
}

const DEFAULT_BODY_LIMIT = 1024 * 1024;

export async function createServer(ws: Workspace, options: ServerOptions = {}): Promise<ApiServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8000;
  const token = options.token === '' ? undefined : options.token;
  assertBindAllowed(host, token);

  const level = options.logLevel ?? false;
  const app: ApiApp = Fastify({
    logger: level === false ? false : { level, stream: process.stderr },
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // Longer than any id the schemas allow, so a long one is a 400 naming the field, not a bare 414.
    routerOptions: { maxParamLength: 1_000 },
    // Long-lived SSE responses must not hold close() up; they are ended in preClose below.
    forceCloseConnections: true,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const service = openWorkflowService(ws);
  const streams = new Set<EventStream>();
  const ctx: ApiContext = {
    ws,
    service,
    streams,
    heartbeatMs: options.heartbeatMs ?? 15_000,
    eventPollMs: options.eventPollMs ?? 100,
  };
  const errorOptions = { storeFile: ws.paths.dbFile };

  const methods = new RouteMethods();
  app.addHook('onRoute', (route) => methods.add(route.url, route.method));
  /** No route matched: 405 with Allow when the path exists under other methods, else 404. */
  const unrouted = (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const path = request.url.split('?')[0] ?? request.url;
    const allowed = methods.allowed(path);
    if (allowed.length === 0) {
      return sendError(request, reply, new NotFoundError(`no route ${request.method} ${path}`), errorOptions);
    }
    const message = `${path} does not take ${request.method}; it takes ${allowed.join(', ')}`;
    return reply
      .code(405)
      .header('allow', allowed.join(', '))
      .type('application/json')
      .send(errorBody('method_not_allowed', message));
  };
  app.setNotFoundHandler(unrouted);
  // A request sent without a body is validated as the empty object (Fastify would pass null), so a
  // body whose fields are all optional may be left out; a JSON `null` body is still refused.
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && request.headers['content-type'] === undefined) request.body = {};
  });
  app.setErrorHandler((error, request, reply) =>
    // A body method without a route (QUERY, say) fails on its body before the not-found handler.
    request.is404 ? unrouted(request, reply) : sendError(request, reply, error, errorOptions),
  );

  if (options.cors !== undefined) await app.register(fastifyCors, { origin: options.cors });
  if (token !== undefined) {
    app.addHook('onRequest', async (request, reply) => {
      // The matched route, not the raw URL: no spelling of another path can pass as health.
      if (request.routeOptions.url === HEALTH_PATH) return;
      if (bearerMatches(request.headers.authorization, token)) return;
      await reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .type('application/json')
        .send(errorBody('unauthorized', 'this server needs Authorization: Bearer <PENGUIN_API_TOKEN>'));
    });
  }

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Penguin API',
        version: '1',
        description: 'Drive Penguin over HTTP: workflows, tasks, blueprints, artifacts and the event stream.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      ...(token === undefined ? {} : { security: [{ bearer: [] }] }),
    },
    transform: jsonSchemaTransform,
    transformObject: (doc) =>
      'openapiObject' in doc ? optionalBodies(doc.openapiObject as OpenApiDocument) : doc.swaggerObject,
  });

  await app.register(
    async (api) => {
      const typed = api.withTypeProvider<ZodTypeProvider>();
      registerWorkflowRoutes(typed, ctx);
      registerOrchestrationRoutes(typed, ctx);
      registerProjectRoutes(typed, ctx);
      registerTaskRoutes(typed, ctx);
      registerArtifactRoutes(typed, ctx);
      registerBlueprintRoutes(typed, ctx);
      registerEventRoutes(typed, ctx);
      typed.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
    },
    { prefix: API_PREFIX },
  );

  // Published after each commit of this process (the hosted runs, the routes' writes).
  const unsubscribe = await service.events.subscribe(() => {
    for (const stream of streams) stream.wake();
  });
  app.addHook('preClose', async () => {
    unsubscribe();
    for (const stream of streams) stream.end();
  });

  let hosting = false;
  return {
    app,
    service,
    async listen() {
      try {
        await app.listen({ host, port });
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
          const why = {
            EADDRINUSE: 'the port is in use',
            EACCES: 'permission denied',
            EADDRNOTAVAIL: 'no such address here',
          }[code];
          throw new UsageError(`cannot listen on ${host}:${port}: ${why}; choose another --host or --port`);
        }
        throw error;
      }
      const address = app.server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : port;
      service.host.run();
      hosting = true;
      const shown = host.includes(':') ? `[${host}]` : host;
      return { url: `http://${shown}:${bound}`, host, port: bound };
    },
    async close() {
      try {
        await app.close();
      } finally {
        // Running phases are stopped and their workflows given back at once (as a CLI host does).
        if (hosting) await service.host.shutdown();
        await service.close();
      }
    },
  };
}
