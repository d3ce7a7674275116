import test from 'ava';
import { MAX_PARAM_LENGTH, Router, type Lookup } from '../../src/admin/http/router.js';

// Expected results written by hand from what the admin API answered on fastify 5 (find-my-way 9,
// default options: case-sensitive, no trailing-slash or duplicate-slash folding, maxParamLength 100).

function router(): Router<string> {
  const r = new Router<string>();
  for (const pattern of ['/', '/web/:name', '/api/health', '/api/events', '/api/events/:id', '/api/events/:id/status', '/api/events/:id/destinations/:destId']) {
    r.add('GET', pattern, pattern);
  }
  r.add('POST', '/api/events', 'create');
  r.add('DELETE', '/api/events/:id', 'delete');
  return r;
}

const found = (route: string, params: Record<string, string> = {}): Lookup<string> => ({ kind: 'found', route, params });
const NOT_FOUND: Lookup<string> = { kind: 'not-found' };
const BAD_URL: Lookup<string> = { kind: 'bad-url' };

test('static routes and parameters, per method', (t) => {
  const r = router();
  t.deepEqual(r.find('GET', '/'), found('/'));
  t.deepEqual(r.find('GET', '/api/events'), found('/api/events'));
  t.deepEqual(r.find('POST', '/api/events'), found('create'));
  t.deepEqual(r.find('GET', '/api/events/evt_1'), found('/api/events/:id', { id: 'evt_1' }));
  t.deepEqual(r.find('GET', '/api/events/evt_1/status'), found('/api/events/:id/status', { id: 'evt_1' }));
  t.deepEqual(r.find('GET', '/api/events/evt_1/destinations/dst_2'), found('/api/events/:id/destinations/:destId', { id: 'evt_1', destId: 'dst_2' }));
  t.deepEqual(r.find('DELETE', '/api/events/evt_1'), found('delete', { id: 'evt_1' }));
});

test('a method with no route at the path is not found (404, not 405)', (t) => {
  const r = router();
  t.deepEqual(r.find('PUT', '/api/events'), NOT_FOUND);
  t.deepEqual(r.find('DELETE', '/api/events'), NOT_FOUND);
  t.deepEqual(r.find('POST', '/api/events/evt_1'), NOT_FOUND);
  t.deepEqual(r.find('HEAD', '/api/health'), NOT_FOUND, 'HEAD is registered by the app, not implied here');
});

test('the query string and a fragment are not part of the path', (t) => {
  const r = router();
  t.deepEqual(r.find('GET', '/api/events?token=x&a=%ff'), found('/api/events'));
  t.deepEqual(r.find('GET', '/api/events#top'), found('/api/events'));
  t.deepEqual(r.find('GET', '/api/events/evt_1?x=/status'), found('/api/events/:id', { id: 'evt_1' }));
});

test('trailing and duplicate slashes are not folded; matching is case-sensitive', (t) => {
  const r = router();
  t.deepEqual(r.find('GET', '/api/events/'), found('/api/events/:id', { id: '' }), 'an empty id, as find-my-way gives it');
  t.deepEqual(r.find('GET', '/api/events//status'), found('/api/events/:id/status', { id: '' }));
  t.deepEqual(r.find('GET', '/web/'), found('/web/:name', { name: '' }));
  t.deepEqual(r.find('GET', '/api/health/'), NOT_FOUND);
  t.deepEqual(r.find('GET', '/api/events/evt_1/'), NOT_FOUND);
  t.deepEqual(r.find('GET', '//api/events'), NOT_FOUND);
  t.deepEqual(r.find('GET', '/API/events'), NOT_FOUND);
  t.deepEqual(r.find('GET', '/api/eventsx'), NOT_FOUND);
});

test('segments are percent-decoded; an encoded slash stays inside its parameter', (t) => {
  const r = router();
  t.deepEqual(r.find('GET', '/web/..%2F..%2Fpackage.json'), found('/web/:name', { name: '../../package.json' }));
  t.deepEqual(r.find('GET', '/web/%2e%2e'), found('/web/:name', { name: '..' }));
  t.deepEqual(r.find('GET', '/api/events/%E2%82%AC'), found('/api/events/:id', { id: '€' }));
  t.deepEqual(r.find('GET', '/api/events/%25ff'), found('/api/events/:id', { id: '%ff' }));
  t.deepEqual(r.find('GET', '/api/events/a%3Fb%23c'), found('/api/events/:id', { id: 'a?b#c' }));
  t.deepEqual(r.find('GET', '/api/events/evt_1%2Fstatus'), found('/api/events/:id', { id: 'evt_1/status' }));
  t.deepEqual(r.find('GET', '/api/%65vents'), found('/api/events'), 'static segments compare decoded');
});

test('a malformed percent-encoding is a bad URL, whatever the method', (t) => {
  const r = router();
  for (const path of ['/api/events/%ff%fe', '/api/events/%', '/api/events/%2', '/x%zz', '/api/events/%E2%82', '/api/events/%c3%28', '/a%/b']) {
    t.deepEqual(r.find('GET', path), BAD_URL, path);
    t.deepEqual(r.find('PUT', path), BAD_URL, `PUT ${path}`);
  }
  t.deepEqual(r.find('GET', '/api/events?x=%ff'), found('/api/events'), 'the query string is not decoded');
});

test(`a parameter over ${MAX_PARAM_LENGTH} characters is a bad URL when no route matches`, (t) => {
  const r = router();
  const long = 'a'.repeat(MAX_PARAM_LENGTH + 1);
  t.deepEqual(r.find('GET', `/api/events/${'a'.repeat(MAX_PARAM_LENGTH)}`), found('/api/events/:id', { id: 'a'.repeat(100) }));
  t.deepEqual(r.find('GET', `/api/events/${long}`), BAD_URL);
  t.deepEqual(r.find('GET', `/api/events/${long}/status`), BAD_URL);
  t.deepEqual(r.find('GET', `/api/events/${long}/x/y/z`), BAD_URL, 'the parameter was tried before the path ran out of routes');
  t.deepEqual(r.find('GET', `/api/events/${'%41'.repeat(100)}`), found('/api/events/:id', { id: 'A'.repeat(100) }), 'counted decoded');
  t.deepEqual(r.find('GET', `/api/events/${'%41'.repeat(101)}`), BAD_URL);
  t.deepEqual(r.find('PUT', `/api/events/${long}`), NOT_FOUND, 'no route of the method takes a parameter there');
  t.deepEqual(r.find('GET', `/nothing/${long}`), NOT_FOUND);
});

test('absolute-form targets are routed by their path; * is /', (t) => {
  const r = router();
  t.deepEqual(r.find('GET', 'http://relay.example/api/events/evt_1?x'), found('/api/events/:id', { id: 'evt_1' }));
  t.deepEqual(r.find('GET', 'HTTPS://relay.example:8080/api/health'), found('/api/health'));
  t.deepEqual(r.find('GET', 'http://relay.example'), found('/'));
  t.deepEqual(r.find('GET', 'http://relay.example?x=1'), found('/'));
  t.deepEqual(r.find('GET', '*'), found('/'));
  for (const target of ['ftp://relay.example/x', 'http:///x', 'http://relay.example/x#y', 'http://relay.example:99999/x', 'relay.example/api/events', '']) {
    t.deepEqual(r.find('GET', target), BAD_URL, target);
  }
});

test('patterns start with /', (t) => {
  t.throws(() => new Router<string>().add('GET', 'api', 'x'), { message: /starts with \// });
});
