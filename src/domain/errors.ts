/**
 * The codes of the admin API's error object; `internal_error` is a failure that is ours (a full
 * disk), `unavailable` a request that arrives while the relay stops.
 */
export const PROBLEM_CODES = [
  'validation_failed',
  'not_found',
  'conflict',
  'unauthorized',
  'unsupported_media_type',
  'payload_too_large',
  'bad_request',
  'internal_error',
  'unavailable',
] as const;

export type ProblemCode = (typeof PROBLEM_CODES)[number];

/**
 * What went wrong with a request, as a value (the domain never throws for bad input). The message
 * names the field and what is wrong with it, and never quotes a submitted value: a stream key or
 * ingest key must not end up in an error.
 */
export class Problem {
  constructor(
    readonly code: ProblemCode,
    readonly message: string,
    readonly field?: string,
  ) {}

  /** The admin API's error body. */
  toJSON(): { error: { code: ProblemCode; message: string; field?: string } } {
    return { error: { code: this.code, message: this.message, ...(this.field === undefined ? {} : { field: this.field }) } };
  }
}

export const PROBLEM_STATUS: Record<ProblemCode, number> = {
  validation_failed: 400,
  bad_request: 400,
  unauthorized: 401,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  internal_error: 500,
  unavailable: 503,
};
