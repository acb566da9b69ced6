// The API's one error shape, `{error: {code, message, field?}}` (DESIGN §9): Penguin's typed errors
// keep their HTTP status (src/errors.ts), schema failures are a 400 naming the failing field, the
// framework's own refusals (oversized or malformed bodies) keep their 4xx, and only a bug is a 500.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { ApiError } from '../contracts/api.js';
import { asStoreError } from '../db/errors.js';
import { PenguinError } from '../errors.js';

/** The machine code of each typed error; the class name, snake-cased, for any other. */
const ERROR_CODES: Record<string, string> = {
  UsageError: 'invalid_request',
  NotFoundError: 'not_found',
  ConflictError: 'conflict',
  CheckFailedError: 'check_failed',
  InterruptedError: 'interrupted',
  StoreError: 'store_unavailable',
};

function codeOf(error: PenguinError): string {
  return (
    ERROR_CODES[error.name] ??
    error.name
      .replace(/Error$/, '')
      .replace(/([a-z])([A-Z])/g, '$1_$2')
      .toLowerCase()
  );
}

export function errorBody(code: string, message: string, field?: string): ApiError {
  return { error: { code, message, ...(field === undefined ? {} : { field }) } };
}

const CONTEXTS: Record<string, string> = {
  querystring: 'query',
  params: 'path',
  body: 'body',
  headers: 'headers',
};

interface ValidationIssue {
  instancePath?: string;
  message?: string;
  params?: { keys?: unknown };
}

/** `body.task`, `query.status`, ... from the first failing issue; unknown keys name the first key. */
function validationField(context: string | undefined, issue: ValidationIssue): string {
  const where = CONTEXTS[context ?? ''] ?? context ?? 'request';
  const path = (issue.instancePath ?? '').split('/').filter((part) => part !== '');
  const keys = issue.params?.keys;
  if (Array.isArray(keys) && typeof keys[0] === 'string') path.push(keys[0]);
  return [where, ...path].join('.');
}

const FRAMEWORK_CODES: Record<number, string> = {
  400: 'invalid_request',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

export interface ErrorReplyOptions {
  /** The store file, to name it when the database is damaged or read-only. */
  storeFile: string;
}

/** Turns anything a route threw into the error shape and its status. */
export function toErrorReply(
  thrown: unknown,
  options: ErrorReplyOptions,
): { status: number; body: ApiError; bug: boolean } {
  if (hasZodFastifySchemaValidationErrors(thrown)) {
    const [issue] = thrown.validation as ValidationIssue[];
    const context = (thrown as { validationContext?: string }).validationContext;
    const field = validationField(context, issue ?? {});
    return {
      status: 400,
      body: errorBody('invalid_request', `${field}: ${issue?.message ?? 'is invalid'}`, field),
      bug: false,
    };
  }
  const error = asStoreError(thrown, options.storeFile);
  if (error instanceof PenguinError) {
    return { status: error.httpStatus, body: errorBody(codeOf(error), error.message), bug: false };
  }
  const fastifyError = error as Partial<FastifyError> | null;
  const status = fastifyError?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // The framework refused the body itself (too large, not JSON, an unknown content type).
    const code = FRAMEWORK_CODES[status] ?? 'bad_request';
    const field = fastifyError?.code?.startsWith('FST_ERR_CTP_') ? 'body' : undefined;
    return { status, body: errorBody(code, fastifyError?.message ?? 'bad request', field), bug: false };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { status: 500, body: errorBody('internal', `internal error: ${message}`), bug: true };
}

export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  thrown: unknown,
  options: ErrorReplyOptions,
): FastifyReply {
  const { status, body, bug } = toErrorReply(thrown, options);
  if (bug) request.log.error({ err: thrown }, 'request failed');
  return reply.code(status).type('application/json').send(body);
}
