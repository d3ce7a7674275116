import { createDestination, destinationView, patchDestination, type DestinationRecord } from '../../domain/destination.js';
import { Problem } from '../../domain/errors.js';
import { withDestinations, type EventRecord } from '../../domain/event.js';
import { destinationCreateProblem, destinationPatchOf } from '../../domain/validation.js';
import { DESTINATION_CREATE, DESTINATION_PATCH } from '../api/bodies.js';
import { DestinationListSchema, DestinationSchema } from '../api/schemas.js';
import type { AdminContext } from '../context.js';
import { sendProblem } from '../http-errors.js';
import type { AdminApp } from '../http/app.js';
import { answer, fieldNames, eventNotFound, findDestination, findEvent, replaced } from './common.js';

const TAG = 'Destinations';
const NAME_TAKEN = { conflict: 'systemName is already used by another destination of the event (ignoring letter case)' } as const;

/** What a change to one destination stores and answers: the destination and its event as stored. */
interface Changed {
  readonly event: EventRecord;
  readonly destination: DestinationRecord;
  /** False for a PATCH that changed no value. */
  readonly changed: boolean;
}

/** `/api/events/{id}/destinations[/{destId}]`. Stream keys leave only masked. */
export function registerDestinationRoutes(app: AdminApp, context: AdminContext): void {
  const { store, log, relay } = context;
  const view = ({ destination }: Changed): unknown => destinationView(destination);

  app.get(
    '/api/events/:id/destinations',
    { doc: { operationId: 'listDestinations', tag: TAG, summary: "List an event's destinations", responses: { 200: { description: 'in creation order', schema: DestinationListSchema } } } },
    async (request, reply) => {
      const event = store.event(request.params.id);
      if (!event) return sendProblem(reply, eventNotFound(request.params.id));
      return { destinations: event.destinations.map(destinationView) };
    },
  );

  app.post(
    '/api/events/:id/destinations',
    {
      body: DESTINATION_CREATE,
      doc: {
        operationId: 'createDestination',
        tag: TAG,
        summary: 'Add a restream destination',
        description: 'If the event is live, the push starts at once.',
        responses: { 201: { description: 'the destination as stored', schema: DestinationSchema } },
        errors: NAME_TAKEN,
      },
    },
    async (request, reply) => {
      const created = await store.change<Changed>((events) => {
        const found = findEvent(events, request.params.id);
        if (found instanceof Problem) return found;
        const problem = destinationCreateProblem(request.body, found.event.destinations);
        if (problem) return problem;
        const now = new Date();
        const destination = createDestination(request.body, now);
        const event = withDestinations(found.event, [...found.event.destinations, destination], now);
        return { events: replaced(events, found.index, event), result: { event, destination, changed: true } };
      });
      if (!(created instanceof Problem)) {
        log.info({ event: created.event.id, destination: created.destination.id, systemName: created.destination.systemName }, 'destination created');
        relay.destinationChanged(created.event.id, created.destination);
      }
      return answer(reply, created, 201, view);
    },
  );

  app.get(
    '/api/events/:id/destinations/:destId',
    { doc: { operationId: 'getDestination', tag: TAG, summary: 'Get a destination', responses: { 200: { description: 'the destination', schema: DestinationSchema } } } },
    async (request, reply) => {
      const event = store.event(request.params.id);
      if (!event) return sendProblem(reply, eventNotFound(request.params.id));
      const found = findDestination(event, request.params.destId);
      return found instanceof Problem ? sendProblem(reply, found) : destinationView(found.destination);
    },
  );

  app.patch(
    '/api/events/:id/destinations/:destId',
    {
      body: DESTINATION_PATCH,
      doc: {
        operationId: 'updateDestination',
        tag: TAG,
        summary: 'Edit a destination',
        description:
          'Only the fields sent change. A live push reconnects only if a URL, the mode or the key changed; enabled: false ends it within 5 s, true starts it.',
        responses: { 200: { description: 'the destination as stored', schema: DestinationSchema } },
        errors: NAME_TAKEN,
      },
    },
    async (request, reply) => {
      const updated = await store.change<Changed>((events) => {
        const foundEvent = findEvent(events, request.params.id);
        if (foundEvent instanceof Problem) return foundEvent;
        const found = findDestination(foundEvent.event, request.params.destId);
        if (found instanceof Problem) return found;
        const patch = destinationPatchOf(request.body, found.destination, foundEvent.event.destinations);
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
    },
  );

  app.delete(
    '/api/events/:id/destinations/:destId',
    { doc: { operationId: 'deleteDestination', tag: TAG, summary: 'Delete a destination', description: 'A live push is ended cleanly.', responses: { 204: { description: 'deleted' } } } },
    async (request, reply) => {
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
    },
  );
}
