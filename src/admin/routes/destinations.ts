import type { FastifyInstance } from 'fastify';
import { createDestination, destinationView, patchDestination, type DestinationRecord } from '../../domain/destination.js';
import { Problem } from '../../domain/errors.js';
import { withDestinations, type EventRecord } from '../../domain/event.js';
import { bodySchema, DESTINATION_FIELDS, validateDestinationCreate, validateDestinationPatch } from '../../domain/validation.js';
import type { AdminContext } from '../context.js';
import { sendProblem } from '../http-errors.js';
import { answer, fieldNames, eventNotFound, findDestination, findEvent, replaced, type DestinationParams, type EventParams } from './common.js';

const DESTINATION_BODY = { schema: { body: bodySchema(DESTINATION_FIELDS) }, config: { fields: DESTINATION_FIELDS } };

/** What a change to one destination stores and answers: the destination and its event as stored. */
interface Changed {
  readonly event: EventRecord;
  readonly destination: DestinationRecord;
  /** False for a PATCH that changed no value. */
  readonly changed: boolean;
}

/** `/api/events/{id}/destinations[/{destId}]` (CONTRACT §3). Stream keys leave only masked. */
export function registerDestinationRoutes(app: FastifyInstance, context: AdminContext): void {
  const { store, log, relay } = context;
  const view = ({ destination }: Changed): unknown => destinationView(destination);

  app.get<{ Params: EventParams }>('/api/events/:id/destinations', async (request, reply) => {
    const event = store.event(request.params.id);
    if (!event) return sendProblem(reply, eventNotFound(request.params.id));
    return { destinations: event.destinations.map(destinationView) };
  });

  app.post<{ Params: EventParams }>('/api/events/:id/destinations', DESTINATION_BODY, async (request, reply) => {
    const created = await store.change<Changed>((events) => {
      const found = findEvent(events, request.params.id);
      if (found instanceof Problem) return found;
      const input = validateDestinationCreate(request.body, found.event.destinations);
      if (input instanceof Problem) return input;
      const now = new Date();
      const destination = createDestination(input, now);
      const event = withDestinations(found.event, [...found.event.destinations, destination], now);
      return { events: replaced(events, found.index, event), result: { event, destination, changed: true } };
    });
    if (!(created instanceof Problem)) {
      log.info({ event: created.event.id, destination: created.destination.id, systemName: created.destination.systemName }, 'destination created');
      relay.destinationChanged(created.event.id, created.destination);
    }
    return answer(reply, created, 201, view);
  });

  app.get<{ Params: DestinationParams }>('/api/events/:id/destinations/:destId', async (request, reply) => {
    const event = store.event(request.params.id);
    if (!event) return sendProblem(reply, eventNotFound(request.params.id));
    const found = findDestination(event, request.params.destId);
    return found instanceof Problem ? sendProblem(reply, found) : destinationView(found.destination);
  });

  app.patch<{ Params: DestinationParams }>('/api/events/:id/destinations/:destId', DESTINATION_BODY, async (request, reply) => {
    const updated = await store.change<Changed>((events) => {
      const foundEvent = findEvent(events, request.params.id);
      if (foundEvent instanceof Problem) return foundEvent;
      const found = findDestination(foundEvent.event, request.params.destId);
      if (found instanceof Problem) return found;
      const patch = validateDestinationPatch(request.body, found.destination, foundEvent.event.destinations);
      if (patch instanceof Problem) return patch;
      const now = new Date();
      const destination = patchDestination(found.destination, patch, now);
      if (destination === found.destination) return { events, result: { event: foundEvent.event, destination, changed: false } };
      const event = withDestinations(foundEvent.event, replaced(foundEvent.event.destinations, found.index, destination), now);
      return { events: replaced(events, foundEvent.index, event), result: { event, destination, changed: true } };
    });
    if (!(updated instanceof Problem)) {
      log.info({ event: updated.event.id, destination: updated.destination.id, fields: fieldNames(request.body) }, 'destination updated');
      // The relay decides: a URL, mode or key change reconnects; `enabled` starts or ends the push.
      if (updated.changed) relay.destinationChanged(updated.event.id, updated.destination);
    }
    return answer(reply, updated, 200, view);
  });

  app.delete<{ Params: DestinationParams }>('/api/events/:id/destinations/:destId', async (request, reply) => {
    const removed = await store.change<Changed>((events) => {
      const foundEvent = findEvent(events, request.params.id);
      if (foundEvent instanceof Problem) return foundEvent;
      const found = findDestination(foundEvent.event, request.params.destId);
      if (found instanceof Problem) return found;
      const remaining = foundEvent.event.destinations.filter((_, i) => i !== found.index);
      const event = withDestinations(foundEvent.event, remaining, new Date());
      return { events: replaced(events, foundEvent.index, event), result: { event, destination: found.destination, changed: true } };
    });
    if (!(removed instanceof Problem)) {
      log.info({ event: removed.event.id, destination: removed.destination.id }, 'destination deleted');
      relay.destinationRemoved(removed.event.id, removed.destination.id);
    }
    return answer(reply, removed, 204, view);
  });
}
