import type { AdminContext } from '../context.js';
import type { AdminApp } from '../http/app.js';

/** `GET /metrics`: Prometheus text format (needs the bearer token, like the API). */
export function registerMetricsRoutes(app: AdminApp, context: AdminContext): void {
  app.get(
    '/metrics',
    {
      doc: {
        operationId: 'getMetrics',
        tag: 'Service',
        summary: 'Metrics in the Prometheus text format',
        responses: { 200: { description: 'every rtmp_relay_* metric', contentTypes: [context.metrics.contentType] } },
      },
    },
    async (_request, reply) => reply.type(context.metrics.contentType).send(context.metrics.metrics()),
  );
}
