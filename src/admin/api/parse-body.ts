import * as v from 'valibot';
import { Problem } from '../../domain/errors.js';

type ObjectBodySchema = v.StrictObjectSchema<v.ObjectEntries, undefined>;

/** A route's request body: its schema, the resource's read-only fields, and whether it may be left out. */
export interface BodySpec<S extends ObjectBodySchema = ObjectBodySchema, Optional extends boolean = boolean> {
  readonly schema: S;
  /** Fields of the resource that a body may not set (named as read-only rather than unknown). */
  readonly readOnly: readonly string[];
  /** No body (or JSON null) is accepted too; the handler then sees undefined. */
  readonly optional: Optional;
}

/** What a handler receives as the body of a route with this spec. */
export type BodyOf<B> = B extends BodySpec<infer S, infer Optional> ? (Optional extends true ? v.InferOutput<S> | undefined : v.InferOutput<S>) : undefined;

/** The fields of `resource` that `writable` does not take: what a body is told it cannot set. */
export function readOnlyFields(resource: v.ObjectSchema<v.ObjectEntries, undefined>, writable: ObjectBodySchema): string[] {
  return Object.keys(resource.entries).filter((field) => !Object.hasOwn(writable.entries, field));
}

export function bodySpec<S extends ObjectBodySchema, Optional extends boolean = false>(schema: S, readOnly: readonly string[], optional?: Optional): BodySpec<S, Optional> {
  return { schema, readOnly, optional: (optional ?? false) as Optional };
}

const NOT_AN_OBJECT = 'the request body must be a JSON object';

/**
 * Which issue a client hears about when a body has several: an unknown field first (so a typo is
 * named as one), then a wrong type, then a missing field, then a broken rule; fields in the order
 * of the schema. The schema reports them in its field order, so a stable sort by kind is enough.
 */
function rank(issue: v.BaseIssue<unknown>): number {
  if (issue.type === 'strict_object') return issue.expected === 'never' ? 0 : 2;
  return issue.kind === 'schema' ? 1 : 3;
}

function fieldOf(issue: v.BaseIssue<unknown>): string | undefined {
  const key = issue.path?.[0]?.key;
  return typeof key === 'string' ? key : undefined;
}

function problemOf(issue: v.BaseIssue<unknown>, spec: BodySpec): Problem {
  const field = fieldOf(issue);
  if (field === undefined) return new Problem('validation_failed', NOT_AN_OBJECT);
  if (issue.type === 'strict_object' && issue.expected === 'never') {
    if (spec.readOnly.includes(field)) return new Problem('validation_failed', `${field} is read-only and cannot be set`, field);
    const writable = Object.keys(spec.schema.entries);
    const known = writable.length === 0 ? 'this request takes no fields' : `writable: ${writable.join(', ')}`;
    return new Problem('validation_failed', `${field} is not a known field (${known})`, field);
  }
  if (issue.type === 'strict_object') return new Problem('validation_failed', `${field} is required`, field);
  return new Problem('validation_failed', `${field} ${issue.message}`, field);
}

/**
 * The body checked against its schema: the parsed value (trimmed, defaults filled in), or the one
 * Problem the client is told about. Never throws.
 */
export function parseBody<S extends ObjectBodySchema>(spec: BodySpec<S, false>, body: unknown): v.InferOutput<S> | Problem;
export function parseBody<S extends ObjectBodySchema>(spec: BodySpec<S>, body: unknown): v.InferOutput<S> | undefined | Problem;
export function parseBody<S extends ObjectBodySchema>(spec: BodySpec<S>, body: unknown): v.InferOutput<S> | undefined | Problem {
  if ((body === undefined || body === null) && spec.optional) return undefined;
  // Valibot's object schemas take arrays as objects; a JSON body that is an array is not one.
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return new Problem('validation_failed', NOT_AN_OBJECT);
  const result = v.safeParse(spec.schema, body, { abortPipeEarly: true });
  if (result.success) return result.output;
  const first = [...result.issues].sort((a, b) => rank(a) - rank(b))[0];
  return first === undefined ? new Problem('validation_failed', NOT_AN_OBJECT) : problemOf(first, spec);
}
