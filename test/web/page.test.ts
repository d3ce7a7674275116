// The admin web page in a real browser (Debian's chromium via playwright-core) against a running
// `rtmp-relay serve`: sign in, events, the Add Stream dialog with the server's validation message next to
// its field, edit, the live state with a moving bitrate while ffmpeg publishes and nginx-rtmp receives,
// the enable switch, delete; no console errors. Screenshots go to test-results/.
import test from 'ava';
import type { Locator, Page } from 'playwright-core';
import { AdminClient, type EventJson } from '../helpers/admin-client.js';
import { startFfmpegPublisher } from '../helpers/ffmpeg.js';
import { startNginxSink } from '../helpers/nginx.js';
import { startRelayServer } from '../helpers/relay-server.js';
import { peerTest } from '../helpers/require-binary.js';
import { launchChromium, screenshot, unexpectedProblems, waitUntil, watchPageProblems, type PageProblem } from './browser.js';

const UI_TIMEOUT_MS = 30_000;
const LIVE_TIMEOUT_MS = 60_000;
const SINK_KEY = 'sinkkey1234';

/** The text of a destination row's cell, by its column label. */
function cell(row: Locator, column: string): Locator {
  return row.locator(`td[data-label="${column}"]`);
}

async function kbps(row: Locator): Promise<number> {
  const text = (await cell(row, 'Bitrate').innerText()).replace(/[^\d.]/g, '');
  return Number(text);
}

async function activeInsideDialog(page: Page): Promise<boolean> {
  return (await page.evaluate('document.activeElement?.closest("dialog") !== null')) === true;
}

peerTest(['chromium', 'ffmpeg', 'nginx-rtmp'], 'admin page: sign in, events, Add Stream with validation, edit, live bitrate, switch, delete', async (t) => {
  t.timeout(240_000);
  const server = await startRelayServer(t);
  const api = AdminClient.of(server);
  const sink = await startNginxSink();
  t.teardown(() => sink.stop());
  const browser = await launchChromium(t);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const page = await context.newPage();
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  const problems = watchPageProblems(page);
  // On a failure, the page as it was is the first thing to look at.
  t.teardown(async () => {
    if (!t.passed) await screenshot(page, 'admin-page-failure').catch(() => undefined);
  });

  // Sign in: a wrong token is said plainly, the right one is kept in the tab's session storage.
  await page.goto(`${server.adminUrl}/`);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  const tokenInput = page.getByLabel('Admin token');
  await tokenInput.fill('not-the-admin-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Wrong admin token: the relay did not accept it.').waitFor();
  t.is(await tokenInput.getAttribute('aria-invalid'), 'true');
  await tokenInput.fill(server.adminToken!);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Events' }).waitFor();
  t.is(await page.evaluate('sessionStorage.getItem("rtmp-relay.admin-token")'), server.adminToken);
  await page.getByText('No events yet').waitFor();

  // Create an event: the page opens it, with the ingest URL and key the API reports.
  await page.getByRole('button', { name: 'New event' }).click();
  const newEvent = page.getByRole('dialog', { name: 'New event' });
  await newEvent.getByLabel('Name', { exact: true }).fill('Q3 Town Hall');
  await newEvent.getByRole('button', { name: 'Create event' }).click();
  await page.getByRole('heading', { name: 'Q3 Town Hall' }).waitFor();
  const eventId = decodeURIComponent(/#\/events\/([^/]+)/.exec(page.url())?.[1] ?? '');
  const event = (await api.get(`/api/events/${eventId}`)).body as EventJson;
  t.is(event.name, 'Q3 Town Hall');
  t.is(await page.getByLabel('Ingest URL (server)', { exact: true }).inputValue(), event.ingestUrl);
  t.is(await page.getByLabel('Stream key', { exact: true }).inputValue(), event.ingestKey);
  const keyInput = page.getByLabel('Stream key', { exact: true });
  t.is(await keyInput.getAttribute('type'), 'password');
  await page.getByRole('button', { name: 'Show' }).click();
  t.is(await keyInput.getAttribute('type'), 'text');
  await page.getByRole('button', { name: 'Copy stream key' }).click();
  await page.getByRole('status').getByText('Stream key copied').waitFor();
  t.is(await page.evaluate('navigator.clipboard.readText()'), event.ingestKey);

  // Rotate the key: after the confirmation the page shows the new key, the one the API now reports.
  await page.getByRole('button', { name: 'Rotate key' }).click();
  await page.getByRole('dialog', { name: 'Rotate the ingest key?' }).getByRole('button', { name: 'Rotate key' }).click();
  await waitUntil(async () => (await keyInput.inputValue()) !== event.ingestKey, UI_TIMEOUT_MS, 'the rotated key');
  const ingestKey = ((await api.get(`/api/events/${eventId}`)).body as EventJson).ingestKey;
  t.not(ingestKey, event.ingestKey);
  t.is(await keyInput.inputValue(), ingestKey);

  // The tabs follow the arrow keys; the Add Stream dialog keeps Tab inside and closes on Escape.
  const ingestTab = page.getByRole('tab', { name: 'Ingest' });
  const destinationsTab = page.getByRole('tab', { name: /Restream Destinations/ });
  await ingestTab.focus();
  await page.keyboard.press('ArrowRight');
  t.is(await destinationsTab.getAttribute('aria-selected'), 'true');
  t.true(await page.locator('#panel-ingest').isHidden());
  await page.keyboard.press('ArrowLeft');
  t.is(await ingestTab.getAttribute('aria-selected'), 'true');
  await destinationsTab.click();
  await page.getByText('No restream destinations yet').waitFor();
  const addButton = page.getByRole('button', { name: 'Add Stream' });
  await addButton.click();
  const addDialog = page.getByRole('dialog', { name: 'Add Stream' });
  await addDialog.waitFor();
  t.is(await page.evaluate('document.activeElement?.name'), 'systemName');
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press(i % 3 === 2 ? 'Shift+Tab' : 'Tab');
    t.true(await activeInsideDialog(page), `focus left the dialog after ${i + 1} Tab presses`);
  }
  await page.keyboard.press('Escape');
  await addDialog.waitFor({ state: 'detached' });
  t.is(await page.evaluate('document.activeElement?.textContent'), '+ Add Stream');

  // A bad URL: the server's message appears under Primary RTMP URL, which is marked invalid and focused.
  await addButton.click();
  await addDialog.getByLabel('System Name').fill('Sink main');
  const primary = addDialog.getByLabel('Primary RTMP URL');
  await primary.fill('http://example.com/live');
  await addDialog.getByLabel('RTMP Stream Key').fill(SINK_KEY);
  await addDialog.getByRole('button', { name: 'Add Stream' }).click();
  const primaryField = addDialog.locator('.field', { has: page.getByLabel('Primary RTMP URL') });
  await primaryField.locator('.field-error').filter({ hasText: 'Primary RTMP URL must use the rtmp:// or rtmps:// scheme' }).waitFor();
  t.is(await primary.getAttribute('aria-invalid'), 'true');
  const errorId = await primaryField.locator('.field-error').getAttribute('id');
  t.true((await primary.getAttribute('aria-describedby'))?.split(' ').includes(errorId ?? '-'));
  t.is(await page.evaluate('document.activeElement?.name'), 'primaryUrl');
  t.is(await addDialog.locator('.field-error:not(:empty)').count(), 1, 'only the field at fault shows an error');
  await screenshot(page, 'admin-page-add-stream-error');
  t.is(((await api.get(`/api/events/${eventId}/destinations`)).body as { destinations: unknown[] }).destinations.length, 0);

  // Fixed: the destination is stored and shown with its key masked.
  await primary.fill(sink.rtmpUrl('live'));
  await addDialog.getByRole('button', { name: 'Add Stream' }).click();
  await addDialog.waitFor({ state: 'detached' });
  let row = page.locator('tr[data-destination-id]', { hasText: 'Sink main' });
  await row.waitFor();
  t.is(await cell(row, 'Primary URL').innerText(), sink.rtmpUrl('live'));
  t.is(await cell(row, 'Stream key').innerText(), `${'\u2022'.repeat(8)}1234`);
  t.is(await cell(row, 'State').innerText(), 'idle');

  // The pencil: rename it and add a failover secondary URL; the key field left empty keeps the key.
  await page.getByRole('button', { name: 'Edit Sink main' }).click();
  const editDialog = page.getByRole('dialog', { name: 'Edit Sink main' });
  t.is(await editDialog.getByLabel('Primary RTMP URL').inputValue(), sink.rtmpUrl('live'));
  t.is(await editDialog.getByLabel('RTMP Stream Key').inputValue(), '');
  await editDialog.getByLabel('System Name').fill('nginx sink');
  await editDialog.getByLabel(/Secondary RTMP URL/).fill(`${sink.rtmpUrl('live')}?backup=1`);
  await editDialog.getByLabel('Secondary mode').selectOption('failover');
  await editDialog.getByRole('button', { name: 'Save' }).click();
  await editDialog.waitFor({ state: 'detached' });
  row = page.locator('tr[data-destination-id]', { hasText: 'nginx sink' });
  await row.waitFor();
  t.regex(await cell(row, 'Secondary URL').innerText(), /^rtmp:\/\/127\.0\.0\.1:\d+\/live\?backup=1\s+failover$/);
  const stored = ((await api.get(`/api/events/${eventId}/destinations`)).body as { destinations: Array<Record<string, unknown>> }).destinations;
  t.like(stored[0], { systemName: 'nginx sink', secondaryMode: 'failover', streamKey: `${'\u2022'.repeat(8)}1234` });

  // A destination added elsewhere (the API) shows up on the open page; it cannot connect (port 9 is closed).
  await api.createDestination(eventId, { systemName: 'Backup (unreachable)', primaryUrl: 'rtmp://127.0.0.1:9/live', streamKey: 'unreachable-key' });
  const unreachable = page.locator('tr[data-destination-id]', { hasText: 'Backup (unreachable)' });
  await unreachable.waitFor();

  // Live: ffmpeg publishes into the event, nginx-rtmp receives the push with the unchanged key.
  const publisher = startFfmpegPublisher({ url: `${server.rtmpUrl}/${ingestKey}` });
  t.teardown(() => publisher.stop().then(() => undefined));
  await cell(row, 'State').getByText('live', { exact: true }).waitFor({ timeout: LIVE_TIMEOUT_MS });
  await sink.waitForPublish(SINK_KEY, LIVE_TIMEOUT_MS);
  t.is(await cell(row, 'Active URL').innerText(), 'Primary');
  const ingestLine = page.getByLabel('Ingest state');
  await ingestLine.getByText(/H\.264 640×360/).waitFor({ timeout: LIVE_TIMEOUT_MS });

  // A moving bitrate: non-zero, changing between polls, and drawn as a growing graph.
  const graph = row.locator('svg.sparkline');
  const samples = async (): Promise<number> => Number(await graph.getAttribute('data-samples'));
  await waitUntil(async () => (await kbps(row)) > 0, LIVE_TIMEOUT_MS, 'a non-zero destination bitrate', () => cell(row, 'Bitrate').innerText());
  const firstKbps = await kbps(row);
  const firstSamples = await samples();
  await waitUntil(async () => (await kbps(row)) !== firstKbps && (await kbps(row)) > 0, LIVE_TIMEOUT_MS, 'the bitrate to change', () => cell(row, 'Bitrate').innerText());
  await waitUntil(async () => (await samples()) >= Math.max(firstSamples + 3, 12), LIVE_TIMEOUT_MS, 'graph samples', async () => `samples ${await samples()}`);
  t.regex((await graph.getAttribute('aria-label')) ?? '', /^nginx sink: bitrate over the last \d+ (s|minutes), now [\d,.]+ (k|M)bps, peak [\d,.]+ (k|M)bps$/);
  t.not(await graph.locator('polyline').getAttribute('points'), '');
  await cell(unreachable, 'State').getByText('retrying', { exact: true }).waitFor({ timeout: LIVE_TIMEOUT_MS });
  await waitUntil(async () => (await cell(unreachable, 'Last error').innerText()) !== '—', LIVE_TIMEOUT_MS, 'the unreachable destination’s last error');
  t.regex(await cell(unreachable, 'Reconnects').innerText(), /^\d+$/);
  // The README's docs/admin-page.png is this screenshot.
  await screenshot(page, 'admin-page-destinations', true);
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'admin-page-destinations-phone');
  await page.setViewportSize({ width: 1280, height: 800 });

  // The Ingest tab: codec, resolution, fps and bitrate of the live ingest.
  await ingestTab.click();
  const live = page.getByRole('region', { name: 'Live ingest' });
  await live.getByText('H.264 640×360 @ 30 fps').waitFor({ timeout: LIVE_TIMEOUT_MS });
  await live.getByText(/^AAC 44\.1 kHz/).waitFor();
  t.regex(await live.locator('.bitrate .value').innerText(), /^[\d,.]+ (k|M)bps$/);
  await screenshot(page, 'admin-page-ingest', true);

  // The switch: disabled ends the push, enabled starts it again.
  await destinationsTab.click();
  const enabled = page.getByRole('switch', { name: 'Enabled: nginx sink' });
  t.true(await enabled.isChecked());
  await enabled.click();
  await cell(row, 'State').getByText('disabled', { exact: true }).waitFor({ timeout: LIVE_TIMEOUT_MS });
  t.false(await enabled.isChecked());
  await enabled.click();
  await cell(row, 'State').getByText('live', { exact: true }).waitFor({ timeout: LIVE_TIMEOUT_MS });

  // The ×: a confirmation that says it is live, then the row and the stored destination are gone.
  await page.getByRole('button', { name: 'Delete nginx sink' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete destination?' });
  await confirm.getByText('“nginx sink” is live: deleting it ends its push now.', { exact: false }).waitFor();
  await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
  await row.waitFor({ state: 'detached' });
  t.is(await page.locator('tr[data-destination-id]').count(), 1);
  const left = ((await api.get(`/api/events/${eventId}/destinations`)).body as { destinations: Array<{ systemName: string }> }).destinations;
  t.deepEqual(left.map((destination) => destination.systemName), ['Backup (unreachable)']);

  // Rename the live event, then delete it: the confirmation says it is live.
  await page.getByRole('button', { name: 'Edit event' }).click();
  const rename = page.getByRole('dialog', { name: 'Edit event' });
  await rename.getByLabel('Name', { exact: true }).fill('Q4 Town Hall');
  await rename.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('heading', { name: 'Q4 Town Hall' }).waitFor();
  await page.getByRole('link', { name: '← All events' }).click();
  const eventRow = page.locator('tr[data-event-id]', { hasText: 'Q4 Town Hall' });
  await eventRow.getByText('live', { exact: true }).waitFor({ timeout: LIVE_TIMEOUT_MS });
  await page.getByRole('button', { name: 'Delete Q4 Town Hall' }).click();
  const deleteEvent = page.getByRole('dialog', { name: 'Delete a live event?' });
  await deleteEvent.getByText('“Q4 Town Hall” is live now.').waitFor();
  await deleteEvent.getByRole('button', { name: 'Delete live event' }).click();
  await page.getByText('No events yet').waitFor();
  t.is((await api.get(`/api/events/${eventId}`)).status, 404);

  // Only the two errors provoked on purpose reached the console (the 401 and the 400 answers).
  t.deepEqual(unexpectedProblems(problems, [401, 400]), []);
});

test('unexpectedProblems lets through only the HTTP errors a test provoked on purpose, each once', (t) => {
  const http = (status: number, url = 'http://127.0.0.1:1/api/events'): PageProblem => ({
    kind: 'console',
    text: `Failed to load resource: the server responded with a status of ${status} (X)`,
    url,
  });
  const thrown: PageProblem = { kind: 'pageerror', text: 'TypeError: x is undefined', url: 'http://127.0.0.1:1/' };
  t.deepEqual(unexpectedProblems([http(401), http(400)], [401, 400]), []);
  t.deepEqual(unexpectedProblems([http(401), http(401)], [401]), [http(401)]);
  t.deepEqual(unexpectedProblems([http(500)], [401]), [http(500)]);
  t.deepEqual(unexpectedProblems([http(404, 'http://127.0.0.1:1/web/x.js')], [404]), [http(404, 'http://127.0.0.1:1/web/x.js')]);
  t.deepEqual(unexpectedProblems([thrown], [401]), [thrown]);
});
