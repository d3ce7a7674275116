import type { DestinationRecord } from '../../domain/destination.js';
import { Problem } from '../../domain/errors.js';
import type { EventRecord } from '../../domain/event.js';
import { DESTINATION_ID_PATTERN, EVENT_ID_PATTERN } from '../../domain/ids.js';
import { sendProblem } from '../http-errors.js';
import type { Reply } from '../http/reply.js';

/** Ids are echoed in a 404 only when they look like ids (never arbitrary text from the path). */
export function eventNotFound(id: string): Problem {
  return new Problem('not_found', EVENT_ID_PATTERN.test(id) ? `there is no event ${id}` : 'there is no event with this id');
}

export function destinationNotFound(eventId: string, destId: string): Problem {
  return new Problem(
    'not_found',
    DESTINATION_ID_PATTERN.test(destId) ? `event ${eventId} has no destination ${destId}` : `event ${eventId} has no destination with this id`,
  );
}

/** The event at `id` in `events`, or the 404 Problem. */
export function findEvent(events: readonly EventRecord[], id: string): { index: number; event: EventRecord } | Problem {
  const index = events.findIndex((event) => event.id === id);
  return index === -1 ? eventNotFound(id) : { index, event: events[index]! };
}

/** The destination at `destId` of `event`, or the 404 Problem. */
export function findDestination(event: EventRecord, destId: string): { index: number; destination: DestinationRecord } | Problem {
  const index = event.destinations.findIndex((destination) => destination.id === destId);
  return index === -1 ? destinationNotFound(event.id, destId) : { index, destination: event.destinations[index]! };
}

/** `events` with the one at `index` replaced. */
export function replaced<T>(items: readonly T[], index: number, item: T): T[] {
  return items.map((existing, i) => (i === index ? item : existing));
}

/** Sends the Problem, or the value with `status`. */
export function answer<T>(reply: Reply, result: T | Problem, status: number, view: (value: T) => unknown): Reply {
  if (result instanceof Problem) return sendProblem(reply, result);
  return status === 204 ? reply.code(204).send() : reply.code(status).send(view(result));
}

/** The top-level field names of a JSON body, for a log line (never the values). */
export function fieldNames(body: unknown): string[] {
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body) : [];
}
