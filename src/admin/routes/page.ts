import type { FastifyInstance } from 'fastify';

/** Issue 6/8 replaces this with the admin web page. */
const PLACEHOLDER_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>rtmp-relay admin</title></head>
<body><h1>rtmp-relay</h1><p>The admin web page is not built yet. The admin API is under <code>/api/</code>
(send <code>Authorization: Bearer &lt;token&gt;</code>); liveness is at <a href="/api/health">/api/health</a>.</p></body></html>
`;

/** `GET /`: the admin web page, public (it asks for the token itself). */
export function registerPageRoutes(app: FastifyInstance): void {
  app.get('/', { config: { public: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(PLACEHOLDER_PAGE));
}
