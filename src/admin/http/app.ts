import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Problem } from '../../domain/errors.js';
import { shapeProblem, type BodyShape } from '../../domain/validation.js';
import type { Logger } from '../../util/logger.js';
import { internalError, sendProblem } from '../http-errors.js';
import { bodyPlan, readJsonBody } from './body.js';
import { Reply, writeReply } from './reply.js';
import { Router, type Params } from './router.js';

export interface AdminRequest<P> {
  readonly method: string;
  readonly params: P;
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body; undefined when there is none. */
  readonly body: unknown;
}

/** Returns the reply it sent, or a value to send as JSON with the reply's status. */
export type Handler<P> = (request: AdminRequest<P>, reply: Reply) => unknown;

export interface RouteOptions {
  /** Served without the bearer token (the web page, its assets, /api/health). */
  readonly public?: boolean;
  /** The body's shape, checked before the handler runs (a body that is not is refused with 400). */
  readonly body?: BodyShape;
}

interface Route {
  readonly pattern: string;
  readonly options: RouteOptions;
  readonly handler: Handler<Readonly<Record<string, string>>>;
}

interface AddRoute {
  <Path extends string>(path: Path, handler: Handler<Params<Path>>): void;
  <Path extends string>(path: Path, options: RouteOptions, handler: Handler<Params<Path>>): void;
}

export interface AdminAppOptions {
  readonly bodyLimit: number;
  /** True if the request may use the routes that are not public. */
  readonly authorized: (headers: IncomingHttpHeaders) => boolean;
  readonly log: Logger;
}

/**
 * The admin API's request pipeline on node:http: route, then the bearer token (before any body
 * is read), the JSON body, its shape, the handler; every refusal and failure is the CONTRACT §3
 * error object, and every /api/ response says `cache-control: no-store`.
 */
export class AdminApp {
  private readonly router = new Router<Route>();
  /** Set when the server stops: a request that arrives from then on is turned away. */
  closing = false;

  constructor(private readonly options: AdminAppOptions) {}

  /** A GET route answers HEAD too, with the same headers and no body. */
  readonly get: AddRoute = this.adder(['GET', 'HEAD']);
  readonly post: AddRoute = this.adder(['POST']);
  readonly patch: AddRoute = this.adder(['PATCH']);
  readonly delete: AddRoute = this.adder(['DELETE']);

  private adder(methods: readonly string[]): AddRoute {
    return <Path extends string>(path: Path, first: RouteOptions | Handler<Params<Path>>, second?: Handler<Params<Path>>): void => {
      const [options, handler] = typeof first === 'function' ? [{}, first] : [first, second];
      if (handler === undefined) throw new Error(`route ${path} has no handler`);
      // The router hands over exactly the parameters the pattern names.
      const route: Route = { pattern: path, options, handler: handler as Handler<Readonly<Record<string, string>>> };
      for (const method of methods) this.router.add(method, path, route);
    };
  }

  /** The node:http 'request' listener. */
  readonly listener = (request: IncomingMessage, response: ServerResponse): void => {
    this.respond(request, response).catch((error: unknown) => {
      // A bug of ours must not take the relay down: drop this connection, keep serving.
      this.options.log.error({ method: request.method, err: error instanceof Error ? error.message : String(error) }, 'admin response failed');
      response.destroy();
    });
  };

  private async respond(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const found = this.router.find(method, request.url ?? '/');
    if (found.kind === 'bad-url') {
      // Answered before any route or token check, and without echoing the path.
      writeReply(response, sendProblem(new Reply(), new Problem('bad_request', 'the request path is not a valid URL')));
      return;
    }
    if (this.closing) {
      turnAway(response);
      return;
    }
    const route = found.kind === 'found' ? found.route : null;
    const started = performance.now();
    response.once('finish', () => {
      const ms = Math.round(performance.now() - started);
      this.options.log.debug({ method, path: route?.pattern ?? 'unknown', status: response.statusCode, ms }, 'admin request');
    });
    const reply = new Reply();
    try {
      await this.run(request, method, route, found.kind === 'found' ? found.params : {}, reply);
    } catch (error) {
      this.options.log.error({ method, path: route?.pattern, err: error instanceof Error ? error.message : String(error) }, 'admin request failed');
      if (!reply.sent) sendProblem(reply.removeHeader('content-type').removeHeader('content-length'), internalError());
    }
    if (request.url?.startsWith('/api/') === true) reply.header('cache-control', 'no-store');
    // A request that was in flight when the server began to stop: its connection must not stay
    // open as an idle keep-alive, or the stop waits for the client to hang up.
    if (this.closing) reply.header('connection', 'close');
    writeReply(response, reply);
  }

  /** Sends on `reply` what the request gets; throws only for a failure that is ours (500). */
  private async run(request: IncomingMessage, method: string, route: Route | null, params: Readonly<Record<string, string>>, reply: Reply): Promise<void> {
    if (route?.options.public !== true && !this.options.authorized(request.headers)) {
      reply.header('www-authenticate', 'Bearer realm="rtmp-relay admin"');
      sendProblem(reply, new Problem('unauthorized', 'a valid admin token is required: send Authorization: Bearer <token>'));
      return;
    }
    const plan = bodyPlan(method, request.headers, route !== null);
    if (plan.kind === 'refuse') {
      sendProblem(reply, plan.problem);
      return;
    }
    let body: unknown;
    if (plan.kind === 'json') {
      const read = await readJsonBody(request, this.options.bodyLimit);
      if (read instanceof Problem) {
        sendProblem(reply.header('connection', 'close'), read); // the client may still be sending
        return;
      }
      body = read.value;
    }
    if (route === null) {
      sendProblem(reply, new Problem('not_found', `there is no ${method} route at this path`));
      return;
    }
    const problem = route.options.body === undefined ? null : shapeProblem(body, route.options.body);
    if (problem !== null) {
      sendProblem(reply, problem);
      return;
    }
    const result = await route.handler({ method, params, headers: request.headers, body }, reply);
    if (!reply.sent) reply.send(result);
  }
}

/**
 * A request that arrives while the server stops (on a kept-alive connection): 503 in the CONTRACT
 * §3 shape, and the connection closes after it.
 */
function turnAway(response: ServerResponse): void {
  const reply = sendProblem(new Reply(), new Problem('unavailable', 'the relay is stopping; try again when it is back'));
  writeReply(response, reply.header('connection', 'close'));
}
