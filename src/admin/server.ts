import { lookup } from 'node:dns/promises';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { Problem } from '../domain/errors.js';
import { BearerCheck } from './admin-token.js';
import type { AdminContext } from './context.js';
import { BODY_LIMIT_BYTES } from './http-errors.js';
import { AdminApp } from './http/app.js';
import { registerDestinationRoutes } from './routes/destinations.js';
import { registerEventRoutes } from './routes/events.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerPageRoutes } from './routes/page.js';
import { registerMetricsRoutes } from './routes/metrics.js';
import { registerOpenApiRoute } from './routes/openapi.js';
import { registerStatusRoutes } from './routes/status.js';

/** How long an idle kept-alive connection stays open. */
const KEEP_ALIVE_TIMEOUT_MS = 72_000;

export interface AdminServerOptions {
  readonly host: string;
  readonly port: number;
  readonly token: string;
  readonly context: AdminContext;
}

/** Builds the admin HTTP app (routes, auth, JSON-only bodies, the API's error object) without listening. */
export function buildAdminApp(options: AdminServerOptions): AdminApp {
  const { context } = options;
  const bearer = new BearerCheck(options.token);
  const app = new AdminApp({
    bodyLimit: BODY_LIMIT_BYTES,
    authorized: (headers) => bearer.matches(headers.authorization),
    log: context.log,
  });
  registerPageRoutes(app);
  registerHealthRoutes(app, context);
  registerEventRoutes(app, context);
  registerDestinationRoutes(app, context);
  registerStatusRoutes(app, context);
  registerMetricsRoutes(app, context);
  registerOpenApiRoute(app, context);
  return app;
}

/** Requests that are not valid HTTP never reach the app: they are answered in the same shape. */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const body = JSON.stringify(new Problem('bad_request', tooLarge ? 'the request headers are too large' : 'the request is not valid HTTP').toJSON());
  socket.end(
    `HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\nConnection: close\r\n` +
      `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

function httpServer(app: AdminApp): Server {
  const server = createServer(app.listener);
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  // No limit on a request's duration and no socket inactivity timeout; Node's headers timeout stays.
  server.requestTimeout = 0;
  server.setTimeout(0);
  server.on('clientError', answerClientError);
  return server;
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port });
  });
}

/** The admin HTTP service: listens, logs the port it bound, and closes cleanly. */
export class AdminServer {
  private readonly app: AdminApp;
  private readonly servers: Server[] = [];
  port = 0;

  constructor(private readonly options: AdminServerOptions) {
    this.app = buildAdminApp(options);
  }

  async start(): Promise<number> {
    const { host } = this.options;
    const server = httpServer(this.app);
    await listen(server, host, this.options.port);
    this.servers.push(server);
    const address = server.address();
    this.port = typeof address === 'object' && address !== null ? address.port : this.options.port;
    if (host === 'localhost') await this.listenOnEveryLoopback(typeof address === 'object' && address !== null ? address.address : '');
    this.options.context.log.info({ service: 'admin', host, port: this.port }, 'listening');
    return this.port;
  }

  /**
   * `localhost` may be 127.0.0.1 and ::1: the API answers on each of them, on the same port. An
   * address that cannot be bound is skipped (the first one is enough to serve).
   */
  private async listenOnEveryLoopback(bound: string): Promise<void> {
    const addresses = await lookup('localhost', { all: true }).catch(() => []);
    for (const { address } of addresses) {
      if (address === bound) continue;
      const server = httpServer(this.app);
      try {
        await listen(server, address, this.port);
        this.servers.push(server);
      } catch {
        // Not available here (e.g. no IPv6): the other addresses serve.
      }
    }
  }

  /**
   * Stops accepting connections and closes the idle ones; requests in flight finish (their store
   * writes complete), and a request that arrives meanwhile on an open connection is turned away.
   */
  async stop(): Promise<void> {
    this.app.closing = true;
    const servers = this.servers.splice(0);
    // server.close() also closes idle kept-alive connections (Node >= 19).
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}
