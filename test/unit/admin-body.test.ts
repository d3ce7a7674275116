import test from 'ava';
import type { IncomingHttpHeaders } from 'node:http';
import { PassThrough, Readable } from 'node:stream';
import { Problem } from '../../src/domain/errors.js';
import { bodyPlan, mediaTypeOf, parseJson, readJsonBody } from '../../src/admin/http/body.js';

const LIMIT = 64 * 1024;

/** A request body stream with headers, as readJsonBody sees an IncomingMessage. */
function requestOf(headers: IncomingHttpHeaders, stream: Readable = new PassThrough()): Readable & { headers: IncomingHttpHeaders } {
  return Object.assign(stream, { headers });
}

/** `size` bytes of a JSON object: {"name":"limit"} padded with spaces inside the braces. */
function jsonOfSize(size: number): Buffer {
  const text = `{"name":"limit"${' '.repeat(size - '{"name":"limit"}'.length)}}`;
  return Buffer.from(text);
}

function code(result: unknown): string | undefined {
  return result instanceof Problem ? result.code : undefined;
}

test('media types: the type/subtype essence, lower-cased, parameters ignored; not a media type is null', (t) => {
  const cases: Array<[string, string | null]> = [
    ['application/json', 'application/json'],
    ['Application/JSON; charset=UTF-8', 'application/json'],
    [' application/json ', 'application/json'],
    ['application/json;', 'application/json'],
    ['application/json ; x="a;b"', 'application/json'],
    ['text/plain', 'text/plain'],
    ['application/vnd.api+json', 'application/vnd.api+json'],
    ['application/json, text/plain', null],
    ['application / json', null],
    [';application/json', null],
    ['json', null],
    ['a/b/c', null],
    ['', null],
    ['undefined', null],
  ];
  for (const [header, expected] of cases) t.is(mediaTypeOf(header), expected, JSON.stringify(header));
});

test('body plan: JSON parsed, other types 415, no body when nothing is declared, GET bodies ignored', (t) => {
  const json = { 'content-type': 'application/json', 'content-length': '2' };
  t.deepEqual(bodyPlan('POST', json, true), { kind: 'json' });
  t.deepEqual(bodyPlan('PATCH', { 'content-type': 'application/json', 'content-length': '0' }, true), { kind: 'json' }, 'an empty JSON body is read (and is no body)');
  t.deepEqual(bodyPlan('DELETE', { 'content-type': 'application/json; charset=utf-8', 'transfer-encoding': 'chunked' }, true), { kind: 'json' });
  t.deepEqual(bodyPlan('GET', { 'content-type': 'text/plain', 'content-length': '5' }, true), { kind: 'none' });
  t.deepEqual(bodyPlan('HEAD', json, true), { kind: 'none' });
  t.deepEqual(bodyPlan('POST', {}, true), { kind: 'none' }, 'no body and no type: fine');
  t.deepEqual(bodyPlan('POST', { 'content-length': '0' }, true), { kind: 'none' });
  for (const headers of [{ 'content-length': '2' }, { 'transfer-encoding': 'chunked' }, { 'content-type': 'text/plain' }, { 'content-type': 'text/plain', 'content-length': '0' }, { 'content-type': 'nonsense', 'content-length': '2' }]) {
    const plan = bodyPlan('POST', headers, true);
    t.is(plan.kind === 'refuse' ? plan.problem.code : plan.kind, 'unsupported_media_type', JSON.stringify(headers));
  }
});

test('body plan without a route: JSON is still parsed, another type is left to the 404, a non-type is 415', (t) => {
  t.deepEqual(bodyPlan('POST', { 'content-type': 'application/json', 'content-length': '2' }, false), { kind: 'json' });
  t.deepEqual(bodyPlan('POST', { 'content-type': 'text/plain', 'content-length': '2' }, false), { kind: 'none' });
  t.deepEqual(bodyPlan('PUT', { 'content-length': '2' }, false), { kind: 'none' });
  const plan = bodyPlan('POST', { 'content-type': 'nonsense', 'content-length': '2' }, false);
  t.is(plan.kind === 'refuse' ? plan.problem.code : plan.kind, 'unsupported_media_type');
});

test('a QUERY request without a content type is malformed', (t) => {
  const plan = bodyPlan('QUERY', {}, false);
  t.is(plan.kind === 'refuse' ? plan.problem.code : plan.kind, 'bad_request');
});

test('exactly 64 KiB is read and parsed', async (t) => {
  const body = jsonOfSize(LIMIT);
  t.is(body.length, 65536);
  const result = await readJsonBody(requestOf({ 'content-length': String(LIMIT) }, Readable.from([body.subarray(0, 1000), body.subarray(1000)])), LIMIT);
  t.deepEqual(result, { value: { name: 'limit' } });
});

test('64 KiB + 1 declared by Content-Length is refused before a byte is read', async (t) => {
  let read = false;
  const stream = new Readable({
    read() {
      read = true;
      this.push(null);
    },
  });
  const result = await readJsonBody(requestOf({ 'content-length': String(LIMIT + 1) }, stream), LIMIT);
  t.is(code(result), 'payload_too_large');
  t.is((result as Problem).message, 'the request body must be at most 65536 bytes');
  t.false(read);
});

test('a chunked body is refused as soon as it goes over 64 KiB, without waiting for its end', async (t) => {
  const stream = new PassThrough();
  const result = readJsonBody(requestOf({ 'transfer-encoding': 'chunked' }, stream), LIMIT);
  stream.write(Buffer.alloc(LIMIT, 0x20));
  stream.write(Buffer.from('{')); // byte 65537; the stream is never ended
  t.is(code(await result), 'payload_too_large');
  t.is(stream.listenerCount('data'), 0, 'no longer collecting');
});

test('a chunked body of exactly 64 KiB is accepted', async (t) => {
  const body = jsonOfSize(LIMIT);
  const chunks = [body.subarray(0, 4096), body.subarray(4096, 60000), body.subarray(60000)];
  t.deepEqual(await readJsonBody(requestOf({ 'transfer-encoding': 'chunked' }, Readable.from(chunks)), LIMIT), { value: { name: 'limit' } });
});

test('blank text is no body; text that is not JSON (a BOM included) is 400', async (t) => {
  t.deepEqual(parseJson(''), { value: undefined });
  t.deepEqual(parseJson(' \r\n\t'), { value: undefined });
  t.deepEqual(parseJson('null'), { value: null });
  t.deepEqual(parseJson('[1]'), { value: [1] });
  for (const text of ['{"name":', "{'a':1}", '\ufeff{"name":"x"}', '{"a":1}}', 'nul']) {
    const result = parseJson(text);
    t.is(code(result), 'bad_request', text);
    t.is((result as Problem).message, 'the request body is not valid JSON');
  }
  const proto = parseJson('{"__proto__":{"polluted":true}}');
  t.deepEqual(Object.keys((proto as { value: object }).value), ['__proto__'], 'an own key, left for the shape check to refuse');
  t.false('polluted' in {});
  t.deepEqual(await readJsonBody(requestOf({}, Readable.from([Buffer.from('   ')])), LIMIT), { value: undefined });
});

test('UTF-8 split across chunks is decoded whole', async (t) => {
  const bytes = Buffer.from('{"name":"€uro"}');
  const split = bytes.indexOf(0xe2) + 1;
  t.deepEqual(await readJsonBody(requestOf({}, Readable.from([bytes.subarray(0, split), bytes.subarray(split)])), LIMIT), { value: { name: '€uro' } });
});

test('a body cut off by the client is a malformed request', async (t) => {
  const stream = new PassThrough();
  const result = readJsonBody(requestOf({ 'content-length': '100' }, stream), LIMIT);
  stream.write('{"na');
  stream.destroy(new Error('aborted'));
  t.is(code(await result), 'bad_request');
});
