import type { FastifyInstance } from 'fastify';
import type { AdminContext } from '../context.js';

/** `GET /metrics`: Prometheus text format (needs the bearer token, like the API). */
export function registerMetricsRoutes(app: FastifyInstance, context: AdminContext): void {
  app.get('/metrics', async (_request, reply) => reply.type(context.metrics.contentType).send(context.metrics.metrics()));
}
