import type { AdminContext } from '../context.js';
import type { AdminApp } from '../http/app.js';

/** `GET /api/health`: liveness, public. */
export function registerHealthRoutes(app: AdminApp, context: AdminContext): void {
  app.get('/api/health', { public: true }, async () => ({
    status: 'ok',
    version: context.version,
    uptimeS: Math.floor((Date.now() - context.startedAt.getTime()) / 1000),
  }));
}
