// What every route module shares: the prefix, the context routes work in (the workspace and its
// workflow service), the typed Fastify instance, and the error responses each route documents.
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { ApiErrorSchema } from '../../contracts/api.js';
import type { WorkflowService } from '../../orchestration/workflow-service.js';
import type { Workspace } from '../../project/workspace.js';

export const API_PREFIX = '/api/v1';

export type ApiApp = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** An open SSE response: woken when this process commits events, ended when the server shuts down. */
export interface EventStream {
  wake(): void;
  end(): void;
}

export interface ApiContext {
  ws: Workspace;
  service: WorkflowService;
  streams: Set<EventStream>;
  heartbeatMs: number;
  eventPollMs: number;
}

/**
 * The error statuses any route may answer, documented on each so a client (and Schemathesis) knows
 * them: bad input, no token, unknown id, a refused transition, a body too large or not JSON, a failed
 * check, an unusable store.
 */
export const ERROR_RESPONSES = {
  400: ApiErrorSchema,
  401: ApiErrorSchema,
  404: ApiErrorSchema,
  409: ApiErrorSchema,
  413: ApiErrorSchema,
  415: ApiErrorSchema,
  422: ApiErrorSchema,
  503: ApiErrorSchema,
} as const;
