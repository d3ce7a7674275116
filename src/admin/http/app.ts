import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { GenericSchema } from 'valibot';
import { Problem, type ProblemCode } from '../../domain/errors.js';
import type { Logger } from '../../util/logger.js';
import { parseBody, type BodyOf, type BodySpec } from '../api/parse-body.js';
import { internalError, sendProblem } from '../http-errors.js';
import { bodyPlan, readJsonBody } from './body.js';
import { Reply, writeReply } from './reply.js';
import { Router, type Params } from './router.js';

export interface AdminRequest<P, B = unknown> {
  readonly method: string;
  readonly params: P;
  readonly headers: IncomingHttpHeaders;
  /** The body as its schema parsed it; undefined when the route takes none. */
  readonly body: B;
}

/** Returns the reply it sent, or a value to send as JSON with the reply's status. */
export type Handler<P, B = unknown> = (request: AdminRequest<P, B>, reply: Reply) => unknown;

/** One success response of a route, for its OpenAPI description. */
export interface ResponseDoc {
  readonly description: string;
  /** The JSON body's schema; none for a response without a body. */
  readonly schema?: GenericSchema;
  /** A body that is not JSON (HTML, Prometheus text): its media types. */
  readonly contentTypes?: readonly string[];
}

/** What the OpenAPI document says of a route; every route has one. */
export interface RouteDoc {
  /** Unique across the API: what client generators name the call. */
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: string;
  readonly responses: Readonly<Record<number, ResponseDoc>>;
  /**
   * Errors this route answers beyond those its kind always may (401 off the public routes, 404
   * with path parameters, 400/413/415 with a body, 500 and 503 everywhere), with when.
   */
  readonly errors?: Readonly<Partial<Record<ProblemCode, string>>>;
}

export interface RouteOptions<B extends BodySpec | undefined = BodySpec | undefined> {
  /** Served without the bearer token (the web page, its assets, /api/health). */
  readonly public?: boolean;
  /** The body's spec: the body is parsed with its schema before the handler runs (400 if it does not match). */
  readonly body?: B;
  readonly doc: RouteDoc;
}

/** A registered route, as the OpenAPI document lists it. */
export interface RouteInfo {
  readonly method: string;
  readonly pattern: string;
  readonly options: RouteOptions;
}

interface Route {
  readonly pattern: string;
  readonly options: RouteOptions;
  readonly handler: Handler<Readonly<Record<string, string>>>;
}

type AddRoute = <Path extends string, B extends BodySpec | undefined = undefined>(
  path: Path,
  options: RouteOptions<B>,
  handler: Handler<Params<Path>, BodyOf<B>>,
) => void;

export interface AdminAppOptions {
  readonly bodyLimit: number;
  /** True if the request may use the routes that are not public. */
  readonly authorized: (headers: IncomingHttpHeaders) => boolean;
  readonly log: Logger;
}

/**
 * The admin API's request pipeline on node:http: route, then the bearer token (before any body
 * is read), the JSON body, its schema, the handler; every refusal and failure is the API's error
 * object, and every /api/ response says `cache-control: no-store`.
 */
export class AdminApp {
  private readonly router = new Router<Route>();
  private readonly registered: RouteInfo[] = [];
  /** Set when the server stops: a request that arrives from then on is turned away. */
  closing = false;

  constructor(private readonly options: AdminAppOptions) {}

  /** A GET route answers HEAD too, with the same headers and no body. */
  readonly get: AddRoute = this.adder(['GET', 'HEAD']);
  readonly post: AddRoute = this.adder(['POST']);
  readonly patch: AddRoute = this.adder(['PATCH']);
  readonly delete: AddRoute = this.adder(['DELETE']);

  private adder(methods: readonly [string, ...string[]]): AddRoute {
    return (path, options, handler): void => {
      // The router hands over exactly the parameters the pattern names, and the pipeline the body its spec parsed.
      const route: Route = { pattern: path, options, handler: handler as Handler<Readonly<Record<string, string>>> };
      for (const method of methods) this.router.add(method, path, route);
      this.registered.push({ method: methods[0], pattern: path, options });
    };
  }

  /** Every route, in the order registered (a GET route's HEAD is implied). */
  routes(): readonly RouteInfo[] {
    return this.registered;
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
    // A route without a body spec takes no body: whatever was sent is not handed on.
    const parsed = route.options.body === undefined ? undefined : parseBody(route.options.body, body);
    if (parsed instanceof Problem) {
      sendProblem(reply, parsed);
      return;
    }
    body = parsed;
    const result = await route.handler({ method, params, headers: request.headers, body }, reply);
    if (!reply.sent) reply.send(result);
  }
}

/**
 * A request that arrives while the server stops (on a kept-alive connection): 503 with the error
 * object, and the connection closes after it.
 */
function turnAway(response: ServerResponse): void {
  const reply = sendProblem(new Reply(), new Problem('unavailable', 'the relay is stopping; try again when it is back'));
  writeReply(response, reply.header('connection', 'close'));
}
