import type { FastifyError, FastifyReply } from 'fastify';
import { Problem, PROBLEM_STATUS } from '../domain/errors.js';
import { schemaProblem, type SchemaError } from '../domain/validation.js';
import type { FieldTable } from '../domain/validation.js';

/** The admin API's body limit (CONTRACT §3: bodies up to 64 KiB). */
export const BODY_LIMIT_BYTES = 64 * 1024;

/** Code of the error our JSON parser raises for a body that is not JSON. */
export const MALFORMED_JSON = 'RTMP_RELAY_MALFORMED_JSON';

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.code(PROBLEM_STATUS[problem.code]).type('application/json; charset=utf-8').send(problem.toJSON());
}

/**
 * Maps whatever fastify raises before a handler runs (schema validation, content type, body size,
 * JSON syntax) onto the CONTRACT §3 error object. Anything else is ours: 500 `internal_error`,
 * with no detail for the client (the log has it).
 */
export function problemOfError(error: FastifyError, fields: FieldTable | undefined): Problem {
  if (error.validation && error.validation.length > 0) {
    const first = error.validation[0] as unknown as SchemaError;
    return fields ? schemaProblem(first, fields) : new Problem('validation_failed', 'the request body is not acceptable here');
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new Problem('unsupported_media_type', 'the request body must be JSON, sent with Content-Type: application/json');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new Problem('payload_too_large', `the request body must be at most ${BODY_LIMIT_BYTES} bytes`);
    case MALFORMED_JSON:
      return new Problem('bad_request', 'the request body is not valid JSON');
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return new Problem('bad_request', 'the request is malformed');
  return new Problem('internal_error', 'internal error; the server log has the details');
}
