// The admin API's body checks as a route runs them: the body's schema, then the rules that need the
// stored state. For tests that judge the whole check without HTTP.
import { DESTINATION_CREATE, DESTINATION_PATCH, EVENT_CREATE, EVENT_PATCH, NO_FIELDS } from '../../src/admin/api/bodies.js';
import { parseBody } from '../../src/admin/api/parse-body.js';
import type { DestinationCreate, DestinationPatch, EventCreate, EventPatch } from '../../src/admin/api/schemas.js';
import type { DestinationRecord } from '../../src/domain/destination.js';
import { Problem } from '../../src/domain/errors.js';
import type { EventRecord } from '../../src/domain/event.js';
import { destinationCreateProblem, destinationPatchOf, eventCreateProblem, eventPatchProblem } from '../../src/domain/validation.js';

export function validateEventCreate(body: unknown): EventCreate | Problem {
  const input = parseBody(EVENT_CREATE, body);
  return input instanceof Problem ? input : (eventCreateProblem(input) ?? input);
}

export function validateEventPatch(body: unknown, current: EventRecord): EventPatch | Problem {
  const patch = parseBody(EVENT_PATCH, body);
  return patch instanceof Problem ? patch : (eventPatchProblem(patch, current) ?? patch);
}

export function validateDestinationCreate(body: unknown, siblings: readonly DestinationRecord[]): DestinationCreate | Problem {
  const input = parseBody(DESTINATION_CREATE, body);
  return input instanceof Problem ? input : (destinationCreateProblem(input, siblings) ?? input);
}

export function validateDestinationPatch(body: unknown, current: DestinationRecord, siblings: readonly DestinationRecord[]): DestinationPatch | Problem {
  const patch = parseBody(DESTINATION_PATCH, body);
  return patch instanceof Problem ? patch : destinationPatchOf(patch, current, siblings);
}

/** The ingest-key body: null when accepted. */
export function validateEmptyBody(body: unknown): Problem | null {
  const parsed = parseBody(NO_FIELDS, body);
  return parsed instanceof Problem ? parsed : null;
}
