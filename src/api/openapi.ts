// Touches to the OpenAPI document @fastify/swagger derives from the zod schemas. The one needed: a
// body that may be left out (`POST /tasks/{task}/approve` with no reason) is documented as optional,
// since the plugin marks every body required. Such a body is declared with optionalBody(), whose
// marker survives into the JSON Schema, where optionalBodies() finds it and removes it again.
import type { OpenAPIV3_1 } from 'openapi-types';
import type { z } from 'zod';

export type OpenApiDocument = Partial<OpenAPIV3_1.Document>;

const MARKER = 'x-penguin-optional-body';
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/**
 * A request body a client may leave out (every field of `schema` optional): the server validates a
 * missing body as `{}` (see server.ts).
 */
export function optionalBody<T extends z.ZodType>(schema: T): T {
  return schema.meta({ [MARKER]: true });
}

export function optionalBodies(document: OpenApiDocument): OpenApiDocument {
  for (const item of Object.values(document.paths ?? {})) {
    for (const method of METHODS) {
      const body = item?.[method]?.requestBody as OpenAPIV3_1.RequestBodyObject | undefined;
      const schema = body?.content['application/json']?.schema as Record<string, unknown> | undefined;
      if (!body || !schema || schema[MARKER] !== true) continue;
      delete schema[MARKER];
      body.required = false;
    }
  }
  return document;
}
