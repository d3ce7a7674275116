// GET /api/openapi.json against a running relay: an OpenAPI 3.1 document that an independent
// validator accepts, naming every route with its errors and its security, whose schemas compile
// and judge bodies as the server does. Every response the API tests receive through AdminClient
// is checked against it (test/helpers/openapi-conformance.ts); here that checker is shown to fail.
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import test from 'ava';
import { AdminClient, type EventJson } from '../helpers/admin-client.js';
import { OpenApiConformance } from '../helpers/openapi-conformance.js';
import { startRelayServer, type RelayServer } from '../helpers/relay-server.js';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

type Json = Record<string, any>;

let server: RelayServer;
let api: AdminClient;
let document: Json;

test.before(async () => {
  server = await startRelayServer(null);
  api = AdminClient.of(server);
  const response = await api.get('/api/openapi.json', { token: null });
  if (response.status !== 200) throw new Error(`GET /api/openapi.json: ${response.status} ${response.text}`);
  document = response.body as Json;
});

test.after.always(async () => {
  await server?.stop();
});

/** The API's routes, written out by hand: the document must name each of them. */
const ROUTES: ReadonlyArray<readonly [string, string, 'public' | 'token']> = [
  ['get', '/', 'public'],
  ['get', '/web/{name}', 'public'],
  ['get', '/api/health', 'public'],
  ['get', '/api/openapi.json', 'public'],
  ['get', '/api/events', 'token'],
  ['post', '/api/events', 'token'],
  ['get', '/api/events/{id}', 'token'],
  ['patch', '/api/events/{id}', 'token'],
  ['delete', '/api/events/{id}', 'token'],
  ['post', '/api/events/{id}/ingest-key', 'token'],
  ['get', '/api/events/{id}/status', 'token'],
  ['get', '/api/events/{id}/destinations', 'token'],
  ['post', '/api/events/{id}/destinations', 'token'],
  ['get', '/api/events/{id}/destinations/{destId}', 'token'],
  ['patch', '/api/events/{id}/destinations/{destId}', 'token'],
  ['delete', '/api/events/{id}/destinations/{destId}', 'token'],
  ['get', '/metrics', 'token'],
];

test('served without a token, as JSON, not cached', async (t) => {
  const response = await api.get('/api/openapi.json', { token: null });
  t.is(response.status, 200);
  t.is(response.headers.get('content-type'), 'application/json; charset=utf-8');
  t.is(response.headers.get('cache-control'), 'no-store');
  t.is(response.text, JSON.stringify(document), 'the same document every time');
});

test('an OpenAPI 3.1 document by an independent validator', async (t) => {
  const validator = new Validator();
  const result = await validator.validate(structuredClone(document));
  t.deepEqual(result.errors, undefined);
  t.true(result.valid);
  t.is(validator.version, '3.1');
  t.regex(document['info'].version, /^\d+\.\d+\.\d+/);
});

test('every route is there, with bearer auth on all but the public ones', (t) => {
  t.deepEqual(document['components'].securitySchemes, { bearerAuth: { type: 'http', scheme: 'bearer', description: 'the admin token' } });
  t.deepEqual(document['security'], [{ bearerAuth: [] }]);
  const documented = Object.entries(document['paths'] as Json).flatMap(([path, item]) => Object.keys(item as Json).map((method) => `${method} ${path}`));
  t.deepEqual(documented.sort(), ROUTES.map(([method, path]) => `${method} ${path}`).sort());
  const operationIds = new Set<string>();
  for (const [method, path, access] of ROUTES) {
    const operation = document['paths'][path][method] as Json;
    const label = `${method} ${path}`;
    t.is(typeof operation['summary'], 'string', label);
    t.false(operationIds.has(operation['operationId']), `${label}: operationId ${operation['operationId']} is used twice`);
    operationIds.add(operation['operationId']);
    const statuses = Object.keys(operation['responses']);
    if (access === 'public') {
      t.deepEqual(operation['security'], [], label);
      t.false(statuses.includes('401'), label);
    } else {
      t.is(operation['security'], undefined, `${label} uses the document's bearer auth`);
      t.true(statuses.includes('401'), `${label} documents 401`);
    }
    for (const status of ['500', '503']) t.true(statuses.includes(status), `${label} documents ${status}`);
    if (path.includes('{')) t.true(statuses.includes('404'), `${label} documents 404`);
    if (operation['requestBody'] !== undefined) for (const status of ['400', '413', '415']) t.true(statuses.includes(status), `${label} documents ${status}`);
    for (const [status, response] of Object.entries(operation['responses'] as Json)) {
      if (Number(status) < 400) continue;
      const schema = (response as Json)['content']['application/json'].schema;
      t.is(schema.allOf[0].$ref, '#/components/schemas/Error', `${label} ${status} is the error object`);
    }
  }
  t.true(Object.keys(document['paths']['/api/events/{id}/destinations'].post.responses).includes('409'), 'a duplicate system name');
});

test('its schemas compile as JSON Schema 2020-12 and judge bodies as the server does', async (t) => {
  const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
  addFormats(ajv);
  // The component schemas as one JSON Schema document, in strict mode: an unknown keyword is an error.
  const defs = JSON.parse(JSON.stringify(document['components'].schemas).replaceAll('#/components/schemas/', '#/$defs/')) as Json;
  ajv.addSchema({ $id: 'urn:rtmp-relay:components', $defs: defs });
  for (const name of Object.keys(defs)) t.notThrows(() => ajv.getSchema(`urn:rtmp-relay:components#/$defs/${name}`), name);
  const judge = (name: string) => ajv.getSchema(`urn:rtmp-relay:components#/$defs/${name}`)!;
  const destination = { systemName: 'YouTube main', primaryUrl: 'rtmp://a.rtmp.youtube.com/live2', streamKey: 'abcd-efgh-ijkl-mnop' };
  const event = (await api.createEvent({ name: 'Judged' })) as EventJson;
  const cases: Array<[string, Json, boolean]> = [
    ['DestinationCreate', destination, true],
    ['DestinationCreate', { ...destination, secondaryUrl: null, secondaryMode: 'failover', enabled: false }, true],
    ['DestinationCreate', { ...destination, extra: 1 }, false],
    ['DestinationCreate', { ...destination, enabled: 'yes' }, false],
    ['DestinationCreate', { ...destination, streamKey: 'a b' }, false],
    ['DestinationCreate', { systemName: 'x', streamKey: 'k' }, false],
    ['EventCreate', { name: 'x' }, true],
    ['EventCreate', { name: 'x', type: 'concert' }, false],
    ['EventCreate', { name: 'x', scheduledStart: '2026-12-01' }, false],
    ['EventPatch', {}, true],
    ['EventPatch', { id: 'evt_x' }, false],
  ];
  for (const [index, [name, body, accepted]] of cases.entries()) {
    const label = `${name} ${JSON.stringify(body)}`;
    t.is(judge(name)(body), accepted, `the document: ${label}`);
    // System names are unique per event: each destination case gets its own.
    const sent = 'systemName' in body ? { ...body, systemName: `${String(body['systemName'])} ${index}` } : body;
    const [method, path] =
      name === 'EventPatch' ? ['PATCH', `/api/events/${event.id}`] : name === 'EventCreate' ? ['POST', '/api/events'] : ['POST', `/api/events/${event.id}/destinations`];
    const response = await api.request(method, path, { json: sent });
    t.is(response.status < 300, accepted, `the server: ${label}: ${response.status} ${response.text}`);
  }
});

test('every operation, answered through the checked client, conforms', async (t) => {
  const event = await api.createEvent({ name: 'Tour', scheduledStart: '2026-12-01T16:00:00Z' });
  const destination = await api.createDestination(event.id, { secondaryUrl: 'rtmp://b.rtmp.youtube.com/live2?backup=1' });
  const base = `/api/events/${event.id}`;
  const dest = `${base}/destinations/${destination.id}`;
  const calls: Array<[string, string, unknown?]> = [
    ['GET', '/'],
    ['GET', '/web/styles.css'],
    ['GET', '/web/main.js'],
    ['GET', '/web/nope.js'],
    ['HEAD', '/api/health'],
    ['GET', '/api/events'],
    ['GET', base],
    ['PATCH', base, { name: 'Tour, renamed' }],
    ['GET', `${base}/status`],
    ['GET', `${base}/destinations`],
    ['GET', dest],
    ['PATCH', dest, { enabled: false }],
    ['PATCH', dest, { systemName: '' }],
    ['POST', `${base}/ingest-key`],
    ['GET', '/metrics'],
    ['GET', '/api/events/evt_missing'],
    ['GET', '/api/nothing-here'],
    ['DELETE', dest],
    ['DELETE', base],
  ];
  for (const [method, path, json] of calls) {
    const response = await api.request(method, path, json === undefined ? {} : { json });
    t.true(response.status > 0, `${method} ${path}`);
  }
  const unauthorized = await api.get('/api/events', { token: null });
  t.is(unauthorized.status, 401);
});

test('the checker refuses what the document does not describe', async (t) => {
  const conformance = new OpenApiConformance(document);
  const event = (await api.createEvent({ name: 'Checked' })) as EventJson;
  const ok = { method: 'GET', path: `/api/events/${event.id}`, status: 200, contentType: 'application/json; charset=utf-8' };
  t.is(conformance.violation({ ...ok, text: JSON.stringify(event) }), null);
  const { ingestKey: _dropped, ...withoutKey } = event;
  t.regex(conformance.violation({ ...ok, text: JSON.stringify(withoutKey) }) ?? '', /ingestKey/, 'a missing field');
  t.regex(conformance.violation({ ...ok, text: JSON.stringify({ ...event, colour: 'red' }) }) ?? '', /additional/, 'an undocumented field');
  t.regex(conformance.violation({ ...ok, text: JSON.stringify({ ...event, type: 'concert' }) }) ?? '', /allowed values/, 'a value outside the enum');
  t.regex(conformance.violation({ ...ok, status: 418, text: '{}' }) ?? '', /status not documented/);
  t.regex(conformance.violation({ ...ok, contentType: 'text/plain', text: 'x' }) ?? '', /content type/);
  t.regex(conformance.violation({ ...ok, status: 404, text: JSON.stringify({ error: { code: 'conflict', message: 'x' } }) }) ?? '', /allowed values/, 'a code the status does not list');
  t.regex(conformance.violation({ method: 'GET', path: '/api/nothing', status: 200, contentType: 'application/json', text: '{}' }) ?? '', /not the error object/);
  t.regex(conformance.violation({ method: 'DELETE', path: `/api/events/${event.id}`, status: 204, contentType: null, text: 'x' }) ?? '', /without a body/);
});
