// Every validation rule of CONTRACT §3 over real HTTP: the status, the error object (code, field, a
// message naming the field and never quoting a key) and that nothing was stored. Serial: each
// refusal is checked against the store file's bytes, which a concurrent test would change.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { AdminClient, errorOf, type ApiResponse, type EventJson } from '../helpers/admin-client.js';
import { startRelayServer, type RelayServer } from '../helpers/relay-server.js';

let server: RelayServer;
let api: AdminClient;
let event: EventJson;
let destinationPath: string;

test.before(async () => {
  server = await startRelayServer(null);
  api = AdminClient.of(server);
  event = await api.createEvent({ name: 'Validation', scheduledStart: '2026-12-01T16:00:00Z' });
  const destination = await api.createDestination(event.id, { systemName: 'YouTube main', streamKey: 'existing-key-1234' });
  destinationPath = `/api/events/${event.id}/destinations/${destination.id}`;
});

test.after.always(async () => {
  await server?.stop();
});

const storeBytes = (): Promise<string> => readFile(join(server.dataDir, 'store.json'), 'utf8');

interface Expected {
  readonly status: number;
  readonly code: string;
  readonly field?: string;
  /** Submitted text that must not be echoed in the message (a key). */
  readonly secret?: string;
}

/** Sends the request, checks the refusal, and checks the store file and the event are unchanged. */
async function refused(t: ExecutionContext, send: () => Promise<ApiResponse>, expected: Expected, label: string): Promise<void> {
  const before = await storeBytes();
  const eventBefore = (await api.get(`/api/events/${event.id}`)).text;
  const response = await send();
  t.is(response.status, expected.status, `${label}: status (${response.text})`);
  const error = errorOf(response);
  t.is(error.code, expected.code, `${label}: code`);
  t.is(error.field, expected.field, `${label}: field`);
  if (expected.field !== undefined) t.true(error.message.includes(expected.field), `${label}: message names the field: ${error.message}`);
  if (expected.secret !== undefined && expected.secret.length > 0) t.false(error.message.includes(expected.secret), `${label}: message quotes the key`);
  t.is(await storeBytes(), before, `${label}: the store file changed`);
  t.is((await api.get(`/api/events/${event.id}`)).text, eventBefore, `${label}: the event changed`);
}

const destinationBody = (fields: Record<string, unknown>): Record<string, unknown> => ({
  systemName: 'Facebook',
  primaryUrl: 'rtmps://live-api-s.facebook.com:443/rtmp/',
  streamKey: 'FB-98765?s_bl=1&s_ps=1&a=Abcd',
  ...fields,
});

const BAD_URLS: Array<[string, string]> = [
  ['http://host/live', 'bad scheme'],
  ['rtmp:///live', 'no host'],
  ['rtmp://host:0/live', 'port 0'],
  ['rtmp://host:70000/live', 'port 70000'],
  ['rtmp://host', 'missing app'],
  ['rtmp://host/', 'missing app (slash only)'],
  ['rtmp://user:password@host/live', 'user:password'],
  ['host/live', 'not absolute'],
  ['', 'empty'],
];

test.serial('destination URLs: every URL rule, for primaryUrl and secondaryUrl, on POST and PATCH', async (t) => {
  for (const field of ['primaryUrl', 'secondaryUrl']) {
    for (const [url, label] of BAD_URLS) {
      await refused(t, () => api.post(`/api/events/${event.id}/destinations`, destinationBody({ [field]: url })), { status: 400, code: 'validation_failed', field }, `POST ${field} ${label}`);
      await refused(t, () => api.patch(destinationPath, { [field]: url }), { status: 400, code: 'validation_failed', field }, `PATCH ${field} ${label}`);
    }
  }
  await refused(t, () => api.post(`/api/events/${event.id}/destinations`, destinationBody({ primaryUrl: undefined })), { status: 400, code: 'validation_failed', field: 'primaryUrl' }, 'primaryUrl missing');
  await refused(t, () => api.patch(destinationPath, { primaryUrl: null }), { status: 400, code: 'validation_failed', field: 'primaryUrl' }, 'primaryUrl null');
});

test.serial('stream keys: empty, space, control characters, too long, masked-looking; Facebook-style accepted', async (t) => {
  const bad: Array<[string, string]> = [
    ['', 'empty'],
    [' ', 'a space'],
    ['abc def', 'an inner space'],
    ['abc\tdef', 'a tab'],
    ['abc\u0001def', 'a control character'],
    ['abc\u007fdef', 'DEL'],
    ['abc\ndef', 'a newline'],
    ['k'.repeat(1025), '1025 characters'],
    ['\u2022'.repeat(8) + 'abcd', 'a masked value'],
  ];
  for (const [key, label] of bad) {
    const expected = { status: 400, code: 'validation_failed', field: 'streamKey', secret: key.trim() };
    await refused(t, () => api.post(`/api/events/${event.id}/destinations`, destinationBody({ streamKey: key })), expected, `POST streamKey ${label}`);
    await refused(t, () => api.patch(destinationPath, { streamKey: key }), expected, `PATCH streamKey ${label}`);
  }
  await refused(t, () => api.post(`/api/events/${event.id}/destinations`, destinationBody({ streamKey: undefined })), { status: 400, code: 'validation_failed', field: 'streamKey' }, 'streamKey missing');
  await refused(t, () => api.post(`/api/events/${event.id}/destinations`, destinationBody({ streamKey: 1234 })), { status: 400, code: 'validation_failed', field: 'streamKey' }, 'streamKey a number');

  const facebook = await api.post(`/api/events/${event.id}/destinations`, destinationBody({ systemName: 'FB ok', streamKey: 'FB-123456789012345?s_bl=1&s_ps=1&s_psm=1&s_sw=0&s_vt=api-s&a=AbCdEfGh' }));
  t.is(facebook.status, 201, facebook.text);
  const longest = await api.post(`/api/events/${event.id}/destinations`, destinationBody({ systemName: 'Longest key', streamKey: 'k'.repeat(1024) }));
  t.is(longest.status, 201, '1024 characters is the limit');
  const shortest = await api.post(`/api/events/${event.id}/destinations`, destinationBody({ systemName: 'Shortest key', streamKey: 'k' }));
  t.is(shortest.status, 201);
});

test.serial('system names: empty, blank, 65 characters, control characters; 64 accepted; duplicates 409', async (t) => {
  const bad: Array<[unknown, string]> = [
    ['', 'empty'],
    ['   ', 'blank'],
    ['n'.repeat(65), '65 characters'],
    [`  ${'n'.repeat(65)}  `, '65 characters inside spaces'],
    ['You\u0007Tube', 'a control character'],
    [42, 'a number'],
    [null, 'null'],
  ];
  for (const [name, label] of bad) {
    const expected = { status: 400, code: 'validation_failed', field: 'systemName' };
    await refused(t, () => api.post(`/api/events/${event.id}/destinations`, destinationBody({ systemName: name })), expected, `POST systemName ${label}`);
    await refused(t, () => api.patch(destinationPath, { systemName: name }), expected, `PATCH systemName ${label}`);
  }
  await refused(t, () => api.post(`/api/events/${event.id}/destinations`, destinationBody({ systemName: undefined })), { status: 400, code: 'validation_failed', field: 'systemName' }, 'systemName missing');
  for (const duplicate of ['YouTube main', 'youtube MAIN', '  YOUTUBE main ']) {
    await refused(t, () => api.post(`/api/events/${event.id}/destinations`, destinationBody({ systemName: duplicate })), { status: 409, code: 'conflict', field: 'systemName' }, `duplicate ${duplicate}`);
  }
  const other = await api.createDestination(event.id, { systemName: 'Twitch' });
  await refused(t, () => api.patch(`/api/events/${event.id}/destinations/${other.id}`, { systemName: 'YOUTUBE MAIN' }), { status: 409, code: 'conflict', field: 'systemName' }, 'PATCH to a duplicate');

  const sixtyFour = await api.post(`/api/events/${event.id}/destinations`, destinationBody({ systemName: `  ${'n'.repeat(64)}  ` }));
  t.is(sixtyFour.status, 201);
  t.is((sixtyFour.body as { systemName: string }).systemName, 'n'.repeat(64), 'trimmed');
});

test.serial('secondaryMode and enabled: only their values', async (t) => {
  for (const [field, value] of [
    ['secondaryMode', 'both'],
    ['secondaryMode', null],
    ['enabled', 'yes'],
    ['enabled', 1],
    ['enabled', null],
  ] as const) {
    await refused(t, () => api.patch(destinationPath, { [field]: value }), { status: 400, code: 'validation_failed', field }, `${field} ${String(value)}`);
  }
});

test.serial('unknown and read-only fields are refused, naming the first one', async (t) => {
  const cases: Array<[string, Record<string, unknown>, string, string]> = [
    ['POST', { name: 'x', nmae: 'typo' }, 'nmae', '/api/events'],
    ['POST', { name: 'x', id: 'evt_mine' }, 'id', '/api/events'],
    ['POST', { name: 'x', ingestKey: 'my-own-key' }, 'ingestKey', '/api/events'],
    ['POST', { name: 'x', createdAt: '2026-01-01T00:00:00Z' }, 'createdAt', '/api/events'],
    ['POST', { name: 'x', destinations: [] }, 'destinations', '/api/events'],
    ['POST', { name: 'x', zzz: 1, id: 'evt_a' }, 'zzz', '/api/events'],
    ['POST', { name: 'x', id: 'evt_a', zzz: 1 }, 'id', '/api/events'],
    ['POST', { nmae: 'typo' }, 'nmae', '/api/events'],
    ['PATCH', { updatedAt: 'now' }, 'updatedAt', `/api/events/${event.id}`],
    ['PATCH', { ingestUrl: 'rtmp://x/live' }, 'ingestUrl', `/api/events/${event.id}`],
    ['PATCH', { id: 'dst_x' }, 'id', destinationPath],
    ['PATCH', { enabled: true, extra: 1 }, 'extra', destinationPath],
    ['POST', destinationBody({ createdAt: 'x' }), 'createdAt', `/api/events/${event.id}/destinations`],
  ];
  for (const [method, body, field, path] of cases) {
    await refused(t, () => api.request(method, path, { json: body }), { status: 400, code: 'validation_failed', field }, `${method} ${path} ${JSON.stringify(body)}`);
  }
  const readOnly = await api.patch(`/api/events/${event.id}`, { id: 'evt_x' });
  t.regex(errorOf(readOnly).message, /read-only/);
  const unknown = await api.patch(`/api/events/${event.id}`, { colour: 'red' });
  t.regex(errorOf(unknown).message, /not a known field/);
});

test.serial('event names, types and schedules', async (t) => {
  const bad: Array<[Record<string, unknown>, string, string]> = [
    [{ name: '' }, 'name', 'empty name'],
    [{ name: '    ' }, 'name', 'blank name'],
    [{ name: 'n'.repeat(201) }, 'name', '201 characters'],
    [{ name: 'Town\u0000Hall' }, 'name', 'NUL'],
    [{ name: 'Town\u009bHall' }, 'name', 'C1 control'],
    [{ name: null }, 'name', 'null name'],
    [{ type: 'concert' }, 'type', 'unknown type'],
    [{ scheduledStart: 'tomorrow' }, 'scheduledStart', 'not a date'],
    [{ scheduledStart: '2026-12-01' }, 'scheduledStart', 'a date without time'],
    [{ scheduledStart: '2026-12-01T16:00:00' }, 'scheduledStart', 'no time zone'],
    [{ scheduledStart: '2026-13-01T16:00:00Z' }, 'scheduledStart', 'month 13'],
    [{ scheduledStart: '2026-02-30T16:00:00Z' }, 'scheduledStart', '30 February'],
    [{ scheduledStart: 1764604800000 }, 'scheduledStart', 'a number'],
    [{ scheduledEnd: '2026-12-01T15:00:00Z' }, 'scheduledEnd', 'end before the stored start'],
    [{ scheduledEnd: '2026-12-01T16:00:00Z' }, 'scheduledEnd', 'end equal to the stored start'],
    [{ scheduledStart: '2026-12-02T10:00:00Z', scheduledEnd: '2026-12-02T12:00:00+03:00' }, 'scheduledEnd', 'end before start in another zone'],
  ];
  for (const [body, field, label] of bad) {
    await refused(t, () => api.patch(`/api/events/${event.id}`, body), { status: 400, code: 'validation_failed', field }, `PATCH ${label}`);
    if (!label.includes('stored')) {
      await refused(t, () => api.post('/api/events', { name: 'x', ...body }), { status: 400, code: 'validation_failed', field }, `POST ${label}`);
    }
  }
  await refused(t, () => api.post('/api/events', { type: 'webcast' }), { status: 400, code: 'validation_failed', field: 'name' }, 'name missing');
  const longest = await api.post('/api/events', { name: `  ${'n'.repeat(200)}  `, scheduledStart: '2026-12-01T16:00:00.5Z', scheduledEnd: '2026-12-01T16:00:00.6Z' });
  t.is(longest.status, 201, longest.text);
  t.is((longest.body as EventJson).name, 'n'.repeat(200));
});

test.serial('bodies: content type 415, size 413 (64 KiB accepted), malformed JSON 400, not an object', async (t) => {
  const json = JSON.stringify({ name: 'x' });
  for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x']) {
    await refused(t, () => api.post('/api/events', undefined, { raw: json, contentType }), { status: 415, code: 'unsupported_media_type' }, contentType);
  }
  await refused(t, () => api.post('/api/events', undefined, { raw: json }), { status: 415, code: 'unsupported_media_type' }, 'no content type');
  await refused(t, () => api.patch(destinationPath, undefined, { raw: json, contentType: 'text/plain' }), { status: 415, code: 'unsupported_media_type' }, 'PATCH text/plain');

  const seventyKiB = JSON.stringify({ name: 'x'.repeat(70 * 1024) });
  await refused(t, () => api.post('/api/events', undefined, { raw: seventyKiB, contentType: 'application/json' }), { status: 413, code: 'payload_too_large' }, '70 KiB');
  const atLimit = (size: number): string => `{"name":"limit"${' '.repeat(size - '{"name":"limit"}'.length)}}`;
  t.is(Buffer.byteLength(atLimit(65536)), 65536);
  await refused(t, () => api.post('/api/events', undefined, { raw: atLimit(65537), contentType: 'application/json' }), { status: 413, code: 'payload_too_large' }, '64 KiB + 1');
  const exactly = await api.post('/api/events', undefined, { raw: atLimit(65536), contentType: 'application/json' });
  t.is(exactly.status, 201, 'a body of exactly 64 KiB is accepted');

  for (const raw of ['{"name":', '{name: "x"}', "{'name':'x'}", '{"name":"x"}}', 'nul']) {
    await refused(t, () => api.post('/api/events', undefined, { raw, contentType: 'application/json' }), { status: 400, code: 'bad_request' }, `malformed ${raw}`);
  }
  for (const raw of ['[]', '[{"name":"x"}]', 'null', '"x"', '42', '']) {
    await refused(t, () => api.post('/api/events', undefined, { raw, contentType: 'application/json' }), { status: 400, code: 'validation_failed' }, `not an object: ${raw}`);
  }
  const charset = await api.post('/api/events', undefined, { raw: json, contentType: 'application/json; charset=utf-8' });
  t.is(charset.status, 201);
});

test.serial('a refused request with a wrong token stores nothing either', async (t) => {
  await refused(t, () => api.post('/api/events', { name: 'x' }, { token: 'nope' }), { status: 401, code: 'unauthorized' }, 'POST without the token');
  await refused(t, () => api.delete(`/api/events/${event.id}`, { token: null }), { status: 401, code: 'unauthorized' }, 'DELETE without a token');
  await refused(t, () => api.post(`/api/events/${event.id}/ingest-key`, undefined, { token: null }), { status: 401, code: 'unauthorized' }, 'rotate without a token');
});
