import type { EventRecord } from '../../domain/event.js';
import { StatusSchema, type StatusView } from '../api/schemas.js';
import type { AdminContext } from '../context.js';
import { sendProblem } from '../http-errors.js';
import type { AdminApp } from '../http/app.js';
import { eventNotFound } from './common.js';

/** `GET /api/events/{id}/status`: the live state of the ingest and of every destination. */
export function registerStatusRoutes(app: AdminApp, context: AdminContext): void {
  app.get(
    '/api/events/:id/status',
    {
      doc: {
        operationId: 'getEventStatus',
        tag: 'Events',
        summary: 'Live state of the ingest and of every destination',
        responses: { 200: { description: 'the state now', schema: StatusSchema } },
      },
    },
    async (request, reply) => {
      const event = context.store.event(request.params.id);
      return event ? eventStatus(context, event, Date.now()) : sendProblem(reply, eventNotFound(request.params.id));
    },
  );
}

/** `::ffff:1.2.3.4` (an IPv4 peer on a dual-stack socket) is shown as `1.2.3.4`. */
function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** The later of two times: an event is offline since the process started or since it was created. */
function later(a: Date, b: string): string {
  return a.getTime() > Date.parse(b) ? a.toISOString() : b;
}

export function eventStatus(context: AdminContext, event: EventRecord, now: number): StatusView {
  const live = context.ingest.liveIngest(event.id);
  // While the publisher is gone and the grace runs, the destinations wait but the ingest is offline.
  const ingest: StatusView['ingest'] = live && !live.leftAt
    ? {
        state: 'live',
        since: live.since.toISOString(),
        remoteAddress: plainAddress(live.publisher.remoteAddress),
        bitrateKbps: live.stream.meter.kbps(now),
        video: live.stream.facts.video && { ...live.stream.facts.video },
        audio: live.stream.facts.audio && { ...live.stream.facts.audio },
      }
    : {
        state: 'offline',
        since: live?.leftAt?.toISOString() ?? context.tracker.offlineSince(event.id)?.toISOString() ?? later(context.startedAt, event.createdAt),
        remoteAddress: null,
        bitrateKbps: 0,
        video: null,
        audio: null,
      };
  return { event: event.id, ingest, destinations: context.relay.status(event.id, event.destinations, now) };
}
