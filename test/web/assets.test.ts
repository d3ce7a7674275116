// The admin page's files over HTTP, without a browser: public, served from this server only (no CDN),
// every browser module the page imports is there, and nothing else is served from /web/.
import test from 'ava';
import { AdminClient } from '../helpers/admin-client.js';
import { startRelayServer, type RelayServer } from '../helpers/relay-server.js';

let server: RelayServer;
let anonymous: AdminClient;

test.before(async () => {
  server = await startRelayServer(null);
  anonymous = AdminClient.of(server, null);
});

test.after.always(async () => {
  await server?.stop();
});

test('GET / is public HTML that loads only same-origin files, under a strict Content-Security-Policy', async (t) => {
  const page = await anonymous.get('/');
  t.is(page.status, 200);
  t.regex(page.headers.get('content-type') ?? '', /^text\/html; charset=utf-8/);
  const csp = page.headers.get('content-security-policy') ?? '';
  for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"]) {
    t.true(csp.includes(directive), `CSP has ${directive}: ${csp}`);
  }
  t.false(/unsafe-inline|unsafe-eval/.test(csp));
  const references = [...page.text.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
  t.deepEqual(references.filter((reference) => !reference.startsWith('/') && !reference.startsWith('#')), [], 'no CDN, no other origin');
  t.true(references.includes('/web/main.js') && references.includes('/web/styles.css'), references.join(' '));
  t.false(/<script>|<style>|\sstyle="/.test(page.text), 'no inline script or style');
});

test('every browser module the page imports is served as JavaScript, without a token', async (t) => {
  const seen = new Set<string>();
  const pending = ['main.js'];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const response = await anonymous.get(`/web/${name}`);
    t.is(response.status, 200, name);
    t.is(response.headers.get('content-type'), 'text/javascript; charset=utf-8', name);
    t.is(response.headers.get('x-content-type-options'), 'nosniff', name);
    for (const match of response.text.matchAll(/\bfrom\s+'\.\/([a-z0-9-]+\.js)'/g)) pending.push(match[1]!);
    t.false(/from\s+'(?!\.\/)/.test(response.text), `${name} imports only sibling modules`);
  }
  for (const module of ['api.js', 'dialogs.js', 'event-page.js', 'destinations.js', 'destination-dialog.js', 'sparkline.js']) {
    t.true(seen.has(module), `main.js reaches ${module}`);
  }
});

test('the stylesheet and the icon are served; anything else under /web/ is 404 in the API error shape', async (t) => {
  const css = await anonymous.get('/web/styles.css');
  t.is(css.status, 200);
  t.is(css.headers.get('content-type'), 'text/css; charset=utf-8');
  t.regex(css.text, /@media \(max-width: 900px\)/);
  const icon = await anonymous.get('/web/favicon.svg');
  t.is(icon.status, 200);
  t.is(icon.headers.get('content-type'), 'image/svg+xml');
  for (const path of ['/web/nope.js', '/web/main.js.map', '/web/main.ts', '/web/..%2Fshell.js', '/web/%2E%2E%2Fassets.js']) {
    const response = await anonymous.get(path);
    t.is(response.status, 404, path);
    t.is((response.body as { error?: { code?: string } }).error?.code, 'not_found', path);
  }
  // The API itself stays closed to the anonymous page.
  t.is((await anonymous.get('/api/events')).status, 401);
});
