// The admin HTTP pipeline (src/admin/http/app.ts) in process, with routes of its own, over real
// HTTP: what every route gets from it (token before body, HEAD, cache-control, the 500 path and
// its log lines, 204, turning requests away while stopping).
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import test from 'ava';
import { Problem } from '../../src/domain/errors.js';
import { EVENT_CREATE } from '../../src/admin/api/bodies.js';
import { sendProblem } from '../../src/admin/http-errors.js';
import { AdminApp, type RouteDoc } from '../../src/admin/http/app.js';
import { createLogger } from '../../src/util/logger.js';
import { rawExchange, rawRequest } from '../hostile/raw-http.js';

const TOKEN = 'pipeline-token';
const AUTH = { Authorization: `Bearer ${TOKEN}` };

interface Running {
  readonly app: AdminApp;
  readonly port: number;
  readonly logs: Array<Record<string, unknown>>;
  readonly seen: unknown[];
  /** Lets GET /api/slow answer. */
  readonly release: () => void;
  /** Resolves when GET /api/slow has reached its handler. */
  readonly slowEntered: Promise<void>;
}

async function start(t: { teardown(fn: () => Promise<void>): void }): Promise<Running> {
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  const app = new AdminApp({ bodyLimit: 1024, authorized: (headers) => headers.authorization === `Bearer ${TOKEN}`, log: createLogger({ level: 'debug', format: 'json', destination: sink }) });
  const seen: unknown[] = [];
  const doc = (operationId: string): RouteDoc => ({ operationId, tag: 'Things', summary: operationId, responses: { 200: { description: 'ok' } } });
  app.get('/api/things/:id', { doc: doc('getThing') }, (request) => ({ id: request.params.id }));
  app.get('/web/page', { public: true, doc: doc('getPage') }, (_request, reply) => reply.type('text/html; charset=utf-8').send('<html></html>'));
  app.post('/api/things', { body: EVENT_CREATE, doc: doc('createThing') }, (request, reply) => {
    seen.push(request.body);
    return reply.code(201).send({ created: true });
  });
  app.delete('/api/things/:id', { doc: doc('deleteThing') }, (request, reply) => (request.params.id === 'gone' ? sendProblem(reply, new Problem('not_found', 'no such thing')) : reply.code(204).send()));
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  let entered: () => void = () => undefined;
  const slowEntered = new Promise<void>((resolve) => (entered = resolve));
  app.get('/api/slow', { doc: doc('getSlow') }, async () => {
    entered();
    await released;
    return { slow: true };
  });
  app.get('/api/broken', { doc: doc('getBroken') }, () => {
    throw new Error('disk on fire: /var/lib/secret');
  });
  const server: Server = createServer(app.listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { app, port: (server.address() as AddressInfo).port, logs, seen, release, slowEntered };
}

/** A HEAD request; its response has no body, so it is read until the server closes the connection. */
function head(port: number, path: string): Promise<{ status: number; headers: Record<string, string>; rest: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let raw = '';
    socket.on('data', (bytes: Buffer) => (raw += bytes.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', rest = ''] = raw.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, rest });
    });
    socket.write(`HEAD ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`);
  });
}

test('HEAD on a GET route: the same status and headers, Content-Length of the GET body, no body', async (t) => {
  const { port } = await start(t);
  const get = await rawRequest(port, 'GET', '/api/things/a1', AUTH);
  const response = await head(port, '/api/things/a1');
  t.is(get.body, '{"id":"a1"}');
  t.is(response.status, 200);
  t.is(response.headers['content-length'], String(get.body.length));
  t.is(response.headers['content-type'], 'application/json; charset=utf-8');
  t.is(response.headers['cache-control'], 'no-store');
  t.is(response.rest, '');
});

test('the token is checked before the body: no token and a huge declared body is a 401 at once', async (t) => {
  const { port, seen } = await start(t);
  const exchange = rawExchange(port, 'POST /api/things HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 10000000\r\n\r\n');
  const response = await exchange.response;
  exchange.socket.destroy();
  t.is(response.status, 401);
  t.is(response.headers['www-authenticate'], 'Bearer realm="rtmp-relay admin"');
  t.deepEqual(response.json, { error: { code: 'unauthorized', message: 'a valid admin token is required: send Authorization: Bearer <token>' } });
  t.deepEqual(seen, []);
});

test('no route for the method: 404 naming the method, after the token check', async (t) => {
  const { port } = await start(t);
  t.is((await rawRequest(port, 'PUT', '/api/things/a1')).status, 401);
  const response = await rawRequest(port, 'PUT', '/api/things/a1', AUTH);
  t.is(response.status, 404);
  t.deepEqual(response.json, { error: { code: 'not_found', message: 'there is no PUT route at this path' } });
  t.is(response.headers['cache-control'], 'no-store');
});

test('cache-control: no-store on every /api/ response, errors included, and not elsewhere', async (t) => {
  const { port } = await start(t);
  t.is((await rawRequest(port, 'GET', '/api/things/a1', AUTH)).headers['cache-control'], 'no-store');
  t.is((await rawRequest(port, 'GET', '/api/nothing')).headers['cache-control'], 'no-store');
  t.is((await rawRequest(port, 'POST', '/api/things', { ...AUTH, 'Content-Type': 'application/json' }, '[]')).headers['cache-control'], 'no-store');
  const page = await rawRequest(port, 'GET', '/web/page');
  t.is(page.status, 200);
  t.is(page.headers['cache-control'], undefined);
  t.is(page.headers['content-type'], 'text/html; charset=utf-8');
});

test('the body is checked against the route schema before the handler, which gets it parsed', async (t) => {
  const { port, seen } = await start(t);
  const json = { ...AUTH, 'Content-Type': 'application/json' };
  const refused = await rawRequest(port, 'POST', '/api/things', json, '{"name":5,"extra":1}');
  t.is(refused.status, 400);
  t.like(refused.json, { error: { code: 'validation_failed', field: 'extra' } });
  t.is((await rawRequest(port, 'POST', '/api/things', json, '{"name":"ok"}')).status, 201);
  t.deepEqual(seen, [{ name: 'ok', type: 'webcast', scheduledStart: null, scheduledEnd: null }]);
});

test('204 has neither Content-Type nor Content-Length; a Problem from a handler keeps its status', async (t) => {
  const { port } = await start(t);
  const exchange = rawExchange(port, `DELETE /api/things/a1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`);
  const response = await exchange.response;
  exchange.socket.destroy();
  t.is(response.status, 204);
  t.is(response.headers['content-type'], undefined);
  t.is(response.headers['content-length'], undefined);
  const gone = await rawRequest(port, 'DELETE', '/api/things/gone', AUTH);
  t.is(gone.status, 404);
  t.deepEqual(gone.json, { error: { code: 'not_found', message: 'no such thing' } });
});

test('a handler that throws: 500 internal_error without detail; the log has the method, the route and the error', async (t) => {
  const { port, logs } = await start(t);
  const response = await rawRequest(port, 'GET', '/api/broken', AUTH);
  t.is(response.status, 500);
  t.deepEqual(response.json, { error: { code: 'internal_error', message: 'internal error; the server log has the details' } });
  t.false(response.body.includes('fire'));
  await new Promise((resolve) => setImmediate(resolve));
  t.like(logs.find((line) => line['msg'] === 'admin request failed'), { level: 'error', method: 'GET', path: '/api/broken', err: 'disk on fire: /var/lib/secret' });
});

test('one debug line per request: method, route pattern (or "unknown"), status, milliseconds', async (t) => {
  const { port, logs } = await start(t);
  await rawRequest(port, 'GET', '/api/things/a1?x=1', AUTH);
  await rawRequest(port, 'GET', '/nothing', AUTH);
  await new Promise((resolve) => setImmediate(resolve));
  const lines = logs.filter((line) => line['msg'] === 'admin request');
  t.like(lines[0], { level: 'debug', method: 'GET', path: '/api/things/:id', status: 200 });
  t.like(lines[1], { level: 'debug', method: 'GET', path: 'unknown', status: 404 });
  t.true(typeof lines[0]?.['ms'] === 'number');
});

test('a bad URL is answered before any token check, without echoing the path', async (t) => {
  const { port } = await start(t);
  const response = await rawRequest(port, 'GET', '/api/things/%ff%fe');
  t.is(response.status, 400);
  t.deepEqual(response.json, { error: { code: 'bad_request', message: 'the request path is not a valid URL' } });
  t.false(response.body.includes('%ff'));
});

test('while stopping, a request on an open connection is turned away: 503 unavailable, the error object, Connection: close', async (t) => {
  const { app, port } = await start(t);
  app.closing = true;
  const response = await rawRequest(port, 'GET', '/api/things/a1', AUTH);
  t.is(response.status, 503);
  t.is(response.headers['connection'], 'close');
  t.is(response.headers['content-type'], 'application/json; charset=utf-8');
  t.deepEqual(response.json, { error: { code: 'unavailable', message: 'the relay is stopping; try again when it is back' } });
});

test('a request in flight when stopping starts is answered, and its kept-alive connection closed', async (t) => {
  const { app, port, release, slowEntered } = await start(t);
  // HTTP/1.1 keeps the connection alive unless told otherwise: the server must close it itself.
  const exchange = rawExchange(port, `GET /api/slow HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`);
  t.teardown(() => exchange.socket.destroy());
  await slowEntered;
  app.closing = true;
  release();
  const response = await exchange.response;
  t.is(response.status, 200);
  t.deepEqual(response.json, { slow: true });
  t.is(response.headers['connection'], 'close');
  await exchange.closed;
});
