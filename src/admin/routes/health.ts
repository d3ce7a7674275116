import { HealthSchema, type HealthView } from '../api/schemas.js';
import type { AdminContext } from '../context.js';
import type { AdminApp } from '../http/app.js';

/** `GET /api/health`: liveness, public. */
export function registerHealthRoutes(app: AdminApp, context: AdminContext): void {
  app.get(
    '/api/health',
    { public: true, doc: { operationId: 'getHealth', tag: 'Service', summary: 'Liveness (no token needed)', responses: { 200: { description: 'the relay is serving', schema: HealthSchema } } } },
    async (): Promise<HealthView> => ({
      status: 'ok',
      version: context.version,
      uptimeS: Math.floor((Date.now() - context.startedAt.getTime()) / 1000),
    }),
  );
}
