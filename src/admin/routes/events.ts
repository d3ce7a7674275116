import { Problem } from '../../domain/errors.js';
import { createEvent, eventView, patchEvent, rotateIngestKey, type EventRecord } from '../../domain/event.js';
import { EMPTY_BODY, EVENT_BODY, validateEmptyBody, validateEventCreate, validateEventPatch } from '../../domain/validation.js';
import { maskSecret } from '../../util/mask.js';
import type { AdminContext } from '../context.js';
import { sendProblem } from '../http-errors.js';
import type { AdminApp } from '../http/app.js';
import { answer, fieldNames, eventNotFound, findEvent, replaced } from './common.js';

/** `/api/events` and `/api/events/{id}` (CONTRACT §3), and the ingest key rotation. */
export function registerEventRoutes(app: AdminApp, context: AdminContext): void {
  const { store, log } = context;
  const view = (event: EventRecord): unknown => eventView(event, context.ingestUrl);

  app.get('/api/events', async () => ({ events: store.events.map(view) }));

  app.post('/api/events', { body: EVENT_BODY }, async (request, reply) => {
    const created = await store.change((events) => {
      const input = validateEventCreate(request.body);
      if (input instanceof Problem) return input;
      const event = createEvent(input, new Date());
      return { events: [...events, event], result: event };
    });
    if (!(created instanceof Problem)) log.info({ event: created.id, type: created.type }, 'event created');
    return answer(reply, created, 201, view);
  });

  app.get('/api/events/:id', async (request, reply) => {
    const event = store.event(request.params.id);
    return event ? view(event) : sendProblem(reply, eventNotFound(request.params.id));
  });

  app.patch('/api/events/:id', { body: EVENT_BODY }, async (request, reply) => {
    const updated = await store.change((events) => {
      const found = findEvent(events, request.params.id);
      if (found instanceof Problem) return found;
      const patch = validateEventPatch(request.body, found.event);
      if (patch instanceof Problem) return patch;
      const event = patchEvent(found.event, patch, new Date());
      return { events: replaced(events, found.index, event), result: event };
    });
    if (!(updated instanceof Problem)) log.info({ event: updated.id, fields: fieldNames(request.body) }, 'event updated');
    return answer(reply, updated, 200, view);
  });

  app.delete('/api/events/:id', async (request, reply) => {
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
  });

  app.post('/api/events/:id/ingest-key', { body: EMPTY_BODY }, async (request, reply) => {
    const rotated = await store.change((events) => {
      const found = findEvent(events, request.params.id);
      if (found instanceof Problem) return found;
      const problem = validateEmptyBody(request.body);
      if (problem) return problem;
      const event = rotateIngestKey(found.event, new Date());
      return { events: replaced(events, found.index, event), result: event };
    });
    // A live publisher keeps going; the old key is refused from now on (the store's key map is replaced).
    if (!(rotated instanceof Problem)) log.info({ event: rotated.id, key: maskSecret(rotated.ingestKey) }, 'ingest key rotated');
    return answer(reply, rotated, 200, view);
  });
}
