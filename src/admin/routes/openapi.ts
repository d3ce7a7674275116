import { openApiDocument } from '../api/openapi.js';
import type { AdminContext } from '../context.js';
import type { AdminApp } from '../http/app.js';

/**
 * `GET /api/openapi.json` (public): the OpenAPI 3.1 description of every route registered before
 * it and of itself. Register it last; the document is built once, at the first request.
 */
export function registerOpenApiRoute(app: AdminApp, context: AdminContext): void {
  let document: Buffer | null = null;
  app.get(
    '/api/openapi.json',
    {
      public: true,
      doc: {
        operationId: 'getOpenApi',
        tag: 'Service',
        summary: 'This description of the API, as OpenAPI 3.1 (no token needed)',
        responses: { 200: { description: 'the OpenAPI document', contentTypes: ['application/json; charset=utf-8'] } },
      },
    },
    async (_request, reply) => {
      document ??= Buffer.from(JSON.stringify(openApiDocument(app.routes(), context.version)));
      return reply.type('application/json; charset=utf-8').send(document);
    },
  );
}
