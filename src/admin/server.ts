import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { Problem } from '../domain/errors.js';
import type { FieldTable } from '../domain/validation.js';
import { BearerCheck } from './admin-token.js';
import type { AdminContext } from './context.js';
import { BODY_LIMIT_BYTES, MALFORMED_JSON, problemOfError, sendProblem } from './http-errors.js';
import { registerDestinationRoutes } from './routes/destinations.js';
import { registerEventRoutes } from './routes/events.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerPageRoutes } from './routes/page.js';
import { registerMetricsRoutes } from './routes/metrics.js';
import { registerStatusRoutes } from './routes/status.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route needs no bearer token (the web page, its assets, /api/health). */
    public?: boolean;
    /** The body's field table, to phrase schema errors (validation.ts). */
    fields?: FieldTable;
  }
}

export interface AdminServerOptions {
  readonly host: string;
  readonly port: number;
  readonly token: string;
  readonly context: AdminContext;
}

/** Builds the admin HTTP app (routes, auth, JSON-only bodies, CONTRACT §3 errors) without listening. */
export function buildAdminApp(options: AdminServerOptions): FastifyInstance {
  const { context } = options;
  const bearer = new BearerCheck(options.token);
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT_BYTES,
    forceCloseConnections: 'idle',
    // Validation refuses; it never repairs: no type coercion, no dropping of unknown fields.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false } },
    // Errors fastify raises before routing (a bad percent-encoding in the path) get the CONTRACT's
    // error object too, without echoing the path.
    frameworkErrors: (_error, _request, reply) => {
      sendProblem(reply, new Problem('bad_request', 'the request path is not a valid URL'));
    },
    // Requests that are not valid HTTP never reach fastify's router: answer them in the same shape.
    clientErrorHandler: (error, socket) => {
      if (!socket.writable) return socket.destroy();
      const tooLarge = (error as NodeJS.ErrnoException).code === 'HPE_HEADER_OVERFLOW';
      const body = JSON.stringify(new Problem('bad_request', tooLarge ? 'the request headers are too large' : 'the request is not valid HTTP').toJSON());
      socket.end(
        `HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\nConnection: close\r\n` +
          `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    },
  });

  // JSON is the only body type; anything else gets 415. An empty body parses as "no body".
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text) as unknown);
    } catch {
      const error = new Error('malformed JSON') as FastifyError;
      error.code = MALFORMED_JSON;
      error.statusCode = 400;
      done(error, undefined);
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config.public === true) return;
    if (bearer.matches(request.headers.authorization)) return;
    reply.header('www-authenticate', 'Bearer realm="rtmp-relay admin"');
    return sendProblem(reply, new Problem('unauthorized', 'a valid admin token is required: send Authorization: Bearer <token>'));
  });

  app.addHook('onSend', async (request, reply) => {
    if (request.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
  });

  app.addHook('onResponse', async (request, reply) => {
    context.log.debug({ method: request.method, path: request.routeOptions.url ?? 'unknown', status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'admin request');
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const problem = problemOfError(error, request.routeOptions.config.fields);
    if (problem.code === 'internal_error') {
      context.log.error({ method: request.method, path: request.routeOptions.url, err: error.message }, 'admin request failed');
    }
    return sendProblem(reply, problem);
  });

  app.setNotFoundHandler((request, reply) => sendProblem(reply, new Problem('not_found', `there is no ${request.method} route at this path`)));

  registerPageRoutes(app);
  registerHealthRoutes(app, context);
  registerEventRoutes(app, context);
  registerDestinationRoutes(app, context);
  registerStatusRoutes(app, context);
  registerMetricsRoutes(app, context);
  return app;
}

/** The admin HTTP service: listens, logs its port (CONTRACT §1), and closes cleanly. */
export class AdminServer {
  private readonly app: FastifyInstance;
  port = 0;

  constructor(private readonly options: AdminServerOptions) {
    this.app = buildAdminApp(options);
  }

  async start(): Promise<number> {
    await this.app.listen({ host: this.options.host, port: this.options.port });
    const address = this.app.server.address();
    this.port = typeof address === 'object' && address !== null ? address.port : this.options.port;
    this.options.context.log.info({ service: 'admin', host: this.options.host, port: this.port }, 'listening');
    return this.port;
  }

  /** Stops accepting requests; requests in flight finish (their store writes complete). */
  async stop(): Promise<void> {
    await this.app.close();
  }
}
