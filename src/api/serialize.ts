// Answers are serialized by fast-json-stringify from the JSON Schema of each route's zod response
// schema (what Fastify does with JSON Schemas natively), instead of checking every answer with zod
// first: the zod check cost about as much as reading a workflow's status (docs/benchmarks.md). The
// shapes still come from src/contracts/ only; the contract and API tests parse every answer they get.
import fastJson from 'fast-json-stringify';
import type { FastifySerializerCompiler } from 'fastify/types/schema.js';
import { z } from 'zod';

export const serializerCompiler: FastifySerializerCompiler<z.ZodType> = ({ schema }) =>
  fastJson(z.toJSONSchema(schema, { io: 'output', target: 'draft-7', unrepresentable: 'any' }) as object);
