import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { Problem } from '../../domain/errors.js';

/**
 * Request bodies of the admin API: JSON only (CONTRACT §3), read with a byte limit. The rules of
 * when a body is looked at are the ones the API had on fastify, kept as they were.
 */

/** Methods whose request may carry a body worth parsing; on the others a body is never read. */
const BODY_METHODS = new Set(['DELETE', 'OPTIONS', 'PATCH', 'PUT', 'POST', 'QUERY']);

const TYPE_NAME = /^[\w!#$%&'*+.^`|~-]+$/;
const SUBTYPE_NAME = /^[\w!#$%&'*+.^`|~-]+\s*$/;

export function unsupportedMediaType(): Problem {
  return new Problem('unsupported_media_type', 'the request body must be JSON, sent with Content-Type: application/json');
}

export function payloadTooLarge(limit: number): Problem {
  return new Problem('payload_too_large', `the request body must be at most ${limit} bytes`);
}

/** A request the server cannot make sense of (a body cut short, a QUERY without a content type). */
export function malformedRequest(): Problem {
  return new Problem('bad_request', 'the request is malformed');
}

/**
 * `type/subtype` of a Content-Type header, lower-cased and without parameters; null if it is not a
 * media type (RFC 9110 tokens), which is refused like any type that is not JSON.
 */
export function mediaTypeOf(header: string): string | null {
  if (header === '' || header === 'undefined') return null;
  const semicolon = header.indexOf(';');
  const essence = (semicolon === -1 ? header : header.slice(0, semicolon)).toLowerCase();
  const slash = essence.indexOf('/');
  if (slash === -1) return null;
  const type = essence.slice(0, slash).trimStart();
  const subtype = essence.slice(slash + 1).trimEnd();
  return TYPE_NAME.test(type) && SUBTYPE_NAME.test(subtype) ? `${type}/${subtype}` : null;
}

export type BodyPlan = { readonly kind: 'none' } | { readonly kind: 'json' } | { readonly kind: 'refuse'; readonly problem: Problem };

/**
 * What to do with a request's body, from its method and headers alone. `routed` is false for a
 * request no route takes: its body is parsed if it is JSON (so a broken one is still a 400) but
 * another type is not refused, the 404 says more.
 */
export function bodyPlan(method: string, headers: IncomingHttpHeaders, routed: boolean): BodyPlan {
  if (!BODY_METHODS.has(method)) return { kind: 'none' };
  const contentType = headers['content-type'];
  if (contentType === undefined) {
    if (method === 'QUERY') return { kind: 'refuse', problem: malformedRequest() };
    const length = headers['content-length'];
    const empty = headers['transfer-encoding'] === undefined && (length === undefined || length === '0');
    if (empty || !routed) return { kind: 'none' };
    return { kind: 'refuse', problem: unsupportedMediaType() };
  }
  const mediaType = mediaTypeOf(contentType);
  if (mediaType === 'application/json') return { kind: 'json' };
  if (mediaType !== null && !routed) return { kind: 'none' };
  return { kind: 'refuse', problem: unsupportedMediaType() };
}

/**
 * Reads a JSON body of at most `limit` bytes: refused from Content-Length before reading, or as
 * soon as the bytes read go over it (a chunked body), never holding more than `limit` bytes.
 * Empty or blank text is "no body" (undefined). After any Problem here the caller closes the
 * connection once it has answered: the client may still be sending.
 */
export function readJsonBody(request: Readable & { readonly headers: IncomingHttpHeaders }, limit: number): Promise<{ readonly value: unknown } | Problem> {
  if (Number(request.headers['content-length']) > limit) return Promise.resolve(payloadTooLarge(limit));
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const stop = (): void => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
    };
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > limit) {
        // The stream keeps flowing with no listener: the rest is read and dropped, not kept, so
        // the 413 is not lost to a reset while the client is still sending.
        stop();
        resolve(payloadTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      stop();
      resolve(parseJson(Buffer.concat(chunks, received).toString('utf8')));
    };
    const onError = (): void => {
      stop();
      resolve(malformedRequest());
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
  });
}

/** Blank text is no body; anything else must be JSON (a BOM is not: JSON.parse refuses it). */
export function parseJson(text: string): { readonly value: unknown } | Problem {
  if (text.trim() === '') return { value: undefined };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return new Problem('bad_request', 'the request body is not valid JSON');
  }
}
