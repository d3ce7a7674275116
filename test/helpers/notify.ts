// An HTTP receiver for nginx-rtmp's on_publish / on_publish_done / on_play notifications: it records
// each form body and answers with the status the test chooses (2xx allows, anything else refuses).
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOCALHOST } from './ports.js';

/** nginx-rtmp's own form fields; every other field came from the client's stream-name or connect query. */
const NGINX_FIELDS = new Set([
  'app', 'flashver', 'swfurl', 'tcurl', 'pageurl', 'addr', 'clientid', 'call', 'name', 'type',
  'start', 'duration', 'reset',
]);

export interface NotifyRecord {
  /** Request path, e.g. `/on_publish`. */
  readonly path: string;
  /** nginx's `call` field: `publish`, `publish_done`, `play`, `play_done`, ... */
  readonly call: string;
  readonly app: string;
  /** The stream name without its `?query` (nginx splits it off). */
  readonly name: string;
  readonly tcurl: string;
  readonly addr: string;
  readonly flashver: string;
  /** Fields not set by nginx itself: the `?a=b&c=d` of the publish/play name (and of the connect URL). */
  readonly args: Readonly<Record<string, string>>;
  /** Every field as received. */
  readonly fields: Readonly<Record<string, string>>;
  /** The raw body (or query string for GET). */
  readonly raw: string;
  readonly receivedAt: number;
}

/** Answers a notification: an HTTP status (2xx allows the publish/play). */
export type NotifyDecider = (record: NotifyRecord) => number;

export interface NotifyReceiver {
  readonly port: number;
  readonly baseUrl: string;
  /** Every notification so far, in arrival order. */
  readonly records: readonly NotifyRecord[];
  /** Resolves with the first record (already received or future) that matches; rejects on timeout. */
  waitFor(match: (record: NotifyRecord) => boolean, timeoutMs: number, what: string): Promise<NotifyRecord>;
  stop(): Promise<void>;
}

const MAX_BODY = 64 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > MAX_BODY) req.destroy(new Error('notify body too large'));
    });
    req.once('end', () => resolve(body));
    req.once('error', reject);
  });
}

export function parseNotifyBody(path: string, raw: string, receivedAt: number): NotifyRecord {
  const fields: Record<string, string> = {};
  const args: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    fields[key] = value;
    if (!NGINX_FIELDS.has(key)) args[key] = value;
  }
  return {
    path,
    call: fields['call'] ?? '',
    app: fields['app'] ?? '',
    name: fields['name'] ?? '',
    tcurl: fields['tcurl'] ?? '',
    addr: fields['addr'] ?? '',
    flashver: fields['flashver'] ?? '',
    args,
    fields,
    raw,
    receivedAt,
  };
}

export async function startNotifyReceiver(decide: NotifyDecider = () => 200): Promise<NotifyReceiver> {
  const records: NotifyRecord[] = [];
  const waiters = new Set<(record: NotifyRecord) => void>();
  const server = createServer((req, res) => {
    readBody(req).then(
      (body) => {
        const url = new URL(req.url ?? '/', 'http://notify.invalid');
        const raw = req.method === 'GET' ? url.search.slice(1) : body;
        const record = parseNotifyBody(url.pathname, raw, Date.now());
        records.push(record);
        for (const waiter of [...waiters]) waiter(record);
        res.writeHead(decide(record), { 'content-type': 'text/plain', connection: 'close' }).end('ok');
      },
      () => res.writeHead(400).end(),
    );
  });
  server.listen(0, LOCALHOST);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    baseUrl: `http://${LOCALHOST}:${port}`,
    records,
    waitFor: (match, timeoutMs, what) =>
      new Promise((resolve, reject) => {
        const seen = records.find(match);
        if (seen !== undefined) return resolve(seen);
        const waiter = (record: NotifyRecord): void => {
          if (!match(record)) return;
          waiters.delete(waiter);
          clearTimeout(timer);
          resolve(record);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const got = records.map((r) => `${r.call} ${r.app}/${r.name}`).join(', ') || 'none';
          reject(new Error(`no ${what} notification within ${timeoutMs} ms (received: ${got})`));
        }, timeoutMs);
        waiters.add(waiter);
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
