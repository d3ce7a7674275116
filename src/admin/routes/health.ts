import type { FastifyInstance } from 'fastify';
import type { AdminContext } from '../context.js';

/** `GET /api/health`: liveness, public. */
export function registerHealthRoutes(app: FastifyInstance, context: AdminContext): void {
  app.get('/api/health', { config: { public: true } }, async () => ({
    status: 'ok',
    version: context.version,
    uptimeS: Math.floor((Date.now() - context.startedAt.getTime()) / 1000),
  }));
}
