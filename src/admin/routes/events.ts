import { Problem } from '../../domain/errors.js';
import { createEvent, eventView, patchEvent, rotateIngestKey, type EventRecord } from '../../domain/event.js';
import { eventCreateProblem, eventPatchProblem } from '../../domain/validation.js';
import { maskSecret } from '../../util/mask.js';
import { EVENT_CREATE, EVENT_PATCH, NO_FIELDS } from '../api/bodies.js';
import { EventListSchema, EventSchema } from '../api/schemas.js';
import type { AdminContext } from '../context.js';
import { sendProblem } from '../http-errors.js';
import type { AdminApp } from '../http/app.js';
import { answer, fieldNames, eventNotFound, findEvent, replaced } from './common.js';

const TAG = 'Events';

/** `/api/events` and `/api/events/{id}`, and the ingest key rotation. */
export function registerEventRoutes(app: AdminApp, context: AdminContext): void {
  const { store, log } = context;
  const view = (event: EventRecord): unknown => eventView(event, context.ingestUrl);

  app.get(
    '/api/events',
    { doc: { operationId: 'listEvents', tag: TAG, summary: 'List the events', responses: { 200: { description: 'every event, with its destinations', schema: EventListSchema } } } },
    async () => ({ events: store.events.map(view) }),
  );

  app.post(
    '/api/events',
    {
      body: EVENT_CREATE,
      doc: { operationId: 'createEvent', tag: TAG, summary: 'Create an event', description: 'The event gets its own ingest key.', responses: { 201: { description: 'the event as stored', schema: EventSchema } } },
    },
    async (request, reply) => {
      const created = await store.change((events) => {
        const problem = eventCreateProblem(request.body);
        if (problem) return problem;
        const event = createEvent(request.body, new Date());
        return { events: [...events, event], result: event };
      });
      if (!(created instanceof Problem)) log.info({ event: created.id, type: created.type }, 'event created');
      return answer(reply, created, 201, view);
    },
  );

  app.get(
    '/api/events/:id',
    { doc: { operationId: 'getEvent', tag: TAG, summary: 'Get an event, with its destinations', responses: { 200: { description: 'the event', schema: EventSchema } } } },
    async (request, reply) => {
      const event = store.event(request.params.id);
      return event ? view(event) : sendProblem(reply, eventNotFound(request.params.id));
    },
  );

  app.patch(
    '/api/events/:id',
    {
      body: EVENT_PATCH,
      doc: {
        operationId: 'updateEvent',
        tag: TAG,
        summary: 'Change the name, type or schedule of an event',
        description: 'Only the fields sent change; a live ingest is not affected.',
        responses: { 200: { description: 'the event as stored', schema: EventSchema } },
      },
    },
    async (request, reply) => {
      const updated = await store.change((events) => {
        const found = findEvent(events, request.params.id);
        if (found instanceof Problem) return found;
        const problem = eventPatchProblem(request.body, found.event);
        if (problem) return problem;
        const event = patchEvent(found.event, request.body, new Date());
        return { events: replaced(events, found.index, event), result: event };
      });
      if (!(updated instanceof Problem)) log.info({ event: updated.id, fields: fieldNames(request.body) }, 'event updated');
      return answer(reply, updated, 200, view);
    },
  );

  app.delete(
    '/api/events/:id',
    {
      doc: {
        operationId: 'deleteEvent',
        tag: TAG,
        summary: 'Delete an event',
        description: 'If it is live, its publisher and every push are disconnected within 5 s.',
        responses: { 204: { description: 'deleted' } },
      },
    },
    async (request, reply) => {
      const removed = await store.change((events) => {
        const found = findEvent(events, request.params.id);
        if (found instanceof Problem) return found;
        return { events: events.filter((_, i) => i !== found.index), result: found.event };
      });
      if (!(removed instanceof Problem)) {
        context.tracker.forget(removed.id);
        // Ends the publish at once (no grace); the relay, an ingest observer, ends the pushes with it.
        context.ingest.disconnect(removed.id, 'event deleted');
        context.relay.eventRemoved(removed.id);
        log.info({ event: removed.id }, 'event deleted');
      }
      return answer(reply, removed, 204, view);
    },
  );

  app.post(
    '/api/events/:id/ingest-key',
    {
      body: NO_FIELDS,
      doc: {
        operationId: 'rotateIngestKey',
        tag: TAG,
        summary: 'Rotate the ingest key',
        description: 'A live publisher keeps going; the old key is refused from then on, also for a reconnect within the grace. No body, or {}.',
        responses: { 200: { description: 'the event with its new key', schema: EventSchema } },
      },
    },
    async (request, reply) => {
      const rotated = await store.change((events) => {
        const found = findEvent(events, request.params.id);
        if (found instanceof Problem) return found;
        const event = rotateIngestKey(found.event, new Date());
        return { events: replaced(events, found.index, event), result: event };
      });
      // The store's key map is replaced with the record, so the old key is refused from now on.
      if (!(rotated instanceof Problem)) log.info({ event: rotated.id, key: maskSecret(rotated.ingestKey) }, 'ingest key rotated');
      return answer(reply, rotated, 200, view);
    },
  );
}
