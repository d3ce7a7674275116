import { Problem, PROBLEM_STATUS } from '../domain/errors.js';
import { JSON_CONTENT_TYPE, type Reply } from './http/reply.js';

/** The admin API's body limit (CONTRACT §3: bodies up to 64 KiB). */
export const BODY_LIMIT_BYTES = 64 * 1024;

/** Answers with the CONTRACT §3 error object and the code's status. */
export function sendProblem(reply: Reply, problem: Problem): Reply {
  return reply.code(PROBLEM_STATUS[problem.code]).type(JSON_CONTENT_TYPE).send(problem.toJSON());
}

/** A failure that is ours: 500, with no detail for the client (the log has it). */
export function internalError(): Problem {
  return new Problem('internal_error', 'internal error; the server log has the details');
}
