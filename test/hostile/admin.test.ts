// Issue 8/8: the admin API under abuse (CONTRACT §3), beyond the rules test/admin/validation.test.ts
// already walks (content types, 70 KiB and 64 KiB bodies, plain malformed JSON, every field rule)
// and test/admin/api.test.ts (no token and a wrong token on every route). Here: hostile JSON,
// a 10 MB body refused before it is sent, header injection through names and paths, path
// traversal in ids, tokens of every shape, and proof that the token compare is timing-safe.
// Every refusal is a 4xx with the CONTRACT error object, and nothing is stored.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { AdminClient, errorOf, type ApiResponse, type EventJson } from '../helpers/admin-client.js';
import { startRelayServer, type RelayServer } from '../helpers/relay-server.js';
import { rawExchange, rawRequest, type RawResponse } from './raw-http.js';

let server: RelayServer;
let api: AdminClient;
let event: EventJson;
let destinationPath: string;

test.before(async () => {
  server = await startRelayServer(null);
  api = AdminClient.of(server);
  event = await api.createEvent({ name: 'Abuse' });
  const destination = await api.createDestination(event.id, { systemName: 'YouTube main', streamKey: 'abuse-key-1234' });
  destinationPath = `/api/events/${event.id}/destinations/${destination.id}`;
});

test.after.always(async () => {
  await server?.stop();
});

const storeBytes = (): Promise<string> => readFile(join(server.dataDir, 'store.json'), 'utf8');
const auth = (): Record<string, string> => ({ Authorization: `Bearer ${server.adminToken}` });

/** The CONTRACT error object, exactly: {error:{code, message[, field]}} and nothing else. */
function contractError(t: ExecutionContext, body: unknown, code: string, label: string): { code: string; message: string; field?: string } {
  const error = (body as { error?: { code: string; message: string; field?: string } } | undefined)?.error;
  t.truthy(error, `${label}: an error object (${JSON.stringify(body)})`);
  t.deepEqual(Object.keys(body as object), ['error'], `${label}: only "error" at the top`);
  t.is(error?.code, code, label);
  t.true(typeof error?.message === 'string' && error.message.length > 0, `${label}: a message`);
  t.true(Object.keys(error ?? {}).every((k) => ['code', 'message', 'field'].includes(k)), `${label}: code, message, field only`);
  return error!;
}

/** A refusal through fetch: status, error object, and the store untouched. */
async function refused(t: ExecutionContext, send: () => Promise<ApiResponse>, status: number, code: string, field: string | undefined, label: string): Promise<ApiResponse> {
  const before = await storeBytes();
  const response = await send();
  t.is(response.status, status, `${label}: ${response.text}`);
  t.is(contractError(t, response.body, code, label).field, field, `${label}: field`);
  t.is(await storeBytes(), before, `${label}: nothing stored`);
  return response;
}

test.serial('hostile JSON: 20,000-deep nesting, prototype keys, NaN, comments, a BOM — refused, nothing stored', async (t) => {
  const deep = `{"name":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
  t.true(Buffer.byteLength(deep) < 64 * 1024);
  const post = (raw: string) => () => api.post('/api/events', undefined, { raw, contentType: 'application/json' });
  await refused(t, post(deep), 400, 'validation_failed', 'name', 'name nested 20,000 arrays deep');
  await refused(t, post('{"name":"x","__proto__":{"polluted":true}}'), 400, 'validation_failed', '__proto__', '__proto__ key');
  await refused(t, post('{"name":"x","constructor":{"prototype":{"polluted":true}}}'), 400, 'validation_failed', 'constructor', 'constructor key');
  await refused(t, post('{"name":1e999}'), 400, 'validation_failed', 'name', 'a number that parses to Infinity');
  for (const raw of ['{"name":NaN}', '{"name":"x",}', '{"name":"x"} // comment', '\ufeff{"name":"x"}', '{"name":"\u0000"', '\u0000']) {
    await refused(t, post(raw), 400, 'bad_request', undefined, `malformed ${JSON.stringify(raw)}`);
  }
  await refused(t, () => api.patch(destinationPath, undefined, { raw: '{"enabled":tru', contentType: 'application/json' }), 400, 'bad_request', undefined, 'PATCH malformed');
  // Nothing leaked onto prototypes: a fresh object still has exactly the documented fields.
  const fresh = await api.createEvent({ name: 'After the prototype keys' });
  t.false('polluted' in fresh);
  t.deepEqual(Object.keys(fresh).sort(), ['createdAt', 'destinations', 'id', 'ingestKey', 'ingestUrl', 'name', 'scheduledEnd', 'scheduledStart', 'type', 'updatedAt']);
  await api.delete(`/api/events/${fresh.id}`);
});

test.serial('a declared 10 MB body is refused with 413 before any of it is sent', async (t) => {
  const before = await storeBytes();
  const head = [`POST /api/events HTTP/1.1`, 'Host: 127.0.0.1', `Authorization: Bearer ${server.adminToken}`, 'Content-Type: application/json', `Content-Length: ${10 * 1024 * 1024}`, '', ''].join('\r\n');
  const exchange = rawExchange(server.adminPort, head);
  const response = await exchange.response;
  t.is(response.status, 413);
  contractError(t, response.json, 'payload_too_large', 'Content-Length 10 MB');
  t.is(response.bytesWrittenAtResponse, Buffer.byteLength(head), 'answered on the headers alone');
  await exchange.closed; // and the connection is closed: the server will not read 10 MB to drain it
  t.is(await storeBytes(), before);
});

test.serial('a chunked body is cut off at 64 KiB: 413 arrives while 9 of the 10 MB were never sent', async (t) => {
  const before = await storeBytes();
  const head = [`POST /api/events HTTP/1.1`, 'Host: 127.0.0.1', `Authorization: Bearer ${server.adminToken}`, 'Content-Type: application/json', 'Transfer-Encoding: chunked', '', ''].join('\r\n');
  const exchange = rawExchange(server.adminPort, head);
  const piece = Buffer.alloc(64 * 1024, 0x61); // the inside of a long name
  piece.write('{"name":"');
  const chunk = Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]);
  for (let sent = 0; sent < 1024 * 1024; sent += piece.length) exchange.socket.write(chunk); // 1 MiB, then we wait
  const response = await exchange.response;
  t.is(response.status, 413);
  contractError(t, response.json, 'payload_too_large', 'chunked 1 MiB of 10 MB');
  t.true(response.bytesWrittenAtResponse <= 1024 * 1024 + 64 * 1024, `answered after ${response.bytesWrittenAtResponse} bytes`);
  exchange.socket.destroy();
  t.is(await storeBytes(), before);
});

test.serial('header injection through names and paths: 400/404, and no header is ever injected', async (t) => {
  const injections = ['YouTube\r\nX-Injected: 1', 'YouTube\nX-Injected: 1', 'YouTube\rX-Injected: 1', 'YouTube\r\n\r\n<html>'];
  const noInjected = (response: ApiResponse | RawResponse, label: string): void => {
    const names = response.headers instanceof Headers ? [...response.headers.keys()] : Object.keys(response.headers);
    t.false(names.some((n) => n === 'x-injected' || n === 'set-cookie'), `${label}: headers ${names.join(', ')}`);
  };
  for (const value of injections) {
    const label = JSON.stringify(value);
    const body = { systemName: value, primaryUrl: 'rtmp://a.example/live', streamKey: 'injection-key-1' };
    noInjected(await refused(t, () => api.post(`/api/events/${event.id}/destinations`, body), 400, 'validation_failed', 'systemName', `POST systemName ${label}`), label);
    noInjected(await refused(t, () => api.patch(destinationPath, { systemName: value }), 400, 'validation_failed', 'systemName', `PATCH systemName ${label}`), label);
    noInjected(await refused(t, () => api.post('/api/events', { name: value.replace('X-Injected', 'Set-Cookie') }), 400, 'validation_failed', 'name', `event name ${label}`), label);
  }
  for (const path of [`/api/events/evt_x%0d%0aX-Injected:%201`, `/api/events/${event.id}/destinations/dst_x%0d%0aSet-Cookie:%20a=b`]) {
    const response = await rawRequest(server.adminPort, 'GET', path, auth());
    t.is(response.status, 404, path);
    const error = contractError(t, response.json, 'not_found', path);
    t.false(/injected|cookie/i.test(error.message), `the path is not echoed: ${error.message}`);
    noInjected(response, path);
  }
});

const TRAVERSALS = [
  '/api/events/..%2F..%2Fetc%2Fpasswd',
  '/api/events/%2e%2e',
  '/api/events/%2E%2E/destinations',
  '/api/events/%2e%2e%2f%2e%2e%2fstore.json',
  '/api/events/..%5C..%5Cstore.json',
  '/api/events/evt_a%00',
  '/api/events/../../etc/passwd',
];

test.serial('path traversal in ids: 404 not_found with the error object, nothing echoed, nothing changed', async (t) => {
  const before = await storeBytes();
  const paths = [...TRAVERSALS, `/api/events/${event.id}/destinations/..%2F..%2F${event.id}`, `${destinationPath}%2F..%2F..`];
  for (const path of paths) {
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const body = method === 'PATCH' ? JSON.stringify(path.includes('/destinations') ? { systemName: 'x' } : { name: 'x' }) : undefined;
      const headers = body === undefined ? auth() : { ...auth(), 'Content-Type': 'application/json' };
      const response = await rawRequest(server.adminPort, method, path, headers, body);
      t.is(response.status, 404, `${method} ${path}: ${response.body}`);
      const error = contractError(t, response.json, 'not_found', `${method} ${path}`);
      t.false(/passwd|store\.json|\.\./.test(error.message), `${method} ${path} echoes the path: ${error.message}`);
    }
  }
  for (const path of ['/web/..%2F..%2Fpackage.json', '/web/%2e%2e%2fstore.json', '/web/..%2Fadmin-token']) {
    const response = await rawRequest(server.adminPort, 'GET', path); // public route: no token needed to try
    t.is(response.status, 404, path);
    contractError(t, response.json, 'not_found', path);
  }
  t.is(await storeBytes(), before, 'nothing was changed or deleted');
  t.is((await api.get(`/api/events/${event.id}`)).status, 200);
});

test.serial('tokens of every shape and length: 401 with the error object and WWW-Authenticate', async (t) => {
  const token = server.adminToken!;
  const authorizations = [
    'Bearer', 'Bearer ', 'Bearer x', `Bearer ${token.slice(0, -1)}`, `Bearer ${token}x`, `Bearer ${token.toUpperCase()}`,
    `Bearer ${token.slice(1)}${token[0]}`, `Bearer ${'k'.repeat(1024)}`, `Bearer ${'k'.repeat(8000)}`, `Bearer ${token} extra`,
    `Token ${token}`, `Basic ${token}`, `Bearer${token}`, `Bearer\u00a0${token}`, token, `Bearer ${token},Bearer ${token}`,
  ];
  for (const authorization of authorizations) {
    const label = `Authorization: ${authorization.length > 60 ? `${authorization.slice(0, 20)}… (${authorization.length})` : authorization}`;
    const response = await rawRequest(server.adminPort, 'GET', '/api/events', { Authorization: authorization });
    t.is(response.status, 401, label);
    contractError(t, response.json, 'unauthorized', label);
    t.regex(response.headers['www-authenticate'] ?? '', /^Bearer/, label);
  }
  const inQuery = await rawRequest(server.adminPort, 'GET', `/api/events?token=${token}&access_token=${token}`);
  t.is(inQuery.status, 401, 'a token in the query string is not a token');
  // Node keeps the first of duplicate Authorization headers: a wrong one first is a wrong token.
  const duplicated = await rawExchange(server.adminPort, `GET /api/events HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer wrong\r\nAuthorization: Bearer ${token}\r\n\r\n`).response;
  t.is(duplicated.status, 401);
  t.is((await rawRequest(server.adminPort, 'GET', '/api/events', auth())).status, 200, 'the right token still works');
});

// Contract deviations this campaign found, now fixed in src/admin/server.ts (frameworkErrors and
// clientErrorHandler answer with the CONTRACT error object).

test('a bad percent-encoding in the path gets the CONTRACT error object, without echoing the path', async (t) => {
  // Was: 400 {"error":"Bad Request","code":"FST_ERR_BAD_URL","message":"'/api/events/%ff%fe' is not a valid url component","statusCode":400}
  const response = await rawRequest(server.adminPort, 'GET', '/api/events/%ff%fe', auth());
  t.is(response.status, 400);
  contractError(t, response.json, 'bad_request', 'bad percent-encoding');
  t.false(response.body.includes('%ff'), 'the path is not echoed');
});

test('malformed HTTP (bad header byte, CL+TE, garbage) gets the CONTRACT error object', async (t) => {
  // Was: 400 {"error":"Bad Request","message":"Client Error","statusCode":400}, fastify's default clientErrorHandler.
  for (const head of [
    'GET /api/events HTTP/1.1\r\nHost: x\r\nX-Bad\u0001Header: 1\r\n\r\n',
    'POST /api/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n',
    'GARBAGE\r\n\r\n',
  ]) {
    const response = await rawExchange(server.adminPort, head).response;
    t.true(response.status >= 400 && response.status < 500, JSON.stringify(head));
    contractError(t, response.json, 'bad_request', JSON.stringify(head));
  }
});
