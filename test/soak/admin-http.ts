// Admin API calls for the long campaigns over node:http without keep-alive: no idle admin socket
// lingers in the server between calls, so its descriptor count means what it says.
import { request } from 'node:http';
import type { RelayServer } from '../helpers/relay-server.js';

export interface JsonResponse {
  readonly status: number;
  readonly text: string;
  readonly body: unknown;
}

export function adminCall(server: RelayServer, method: string, path: string, json?: unknown): Promise<JsonResponse> {
  const body = json === undefined ? undefined : JSON.stringify(json);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.adminPort,
        method,
        path,
        agent: false, // a fresh connection each time, closed after the response
        headers: {
          authorization: `Bearer ${server.adminToken ?? ''}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(text) as unknown;
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, text, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The body of a 2xx answer (throws with the answer otherwise). */
export async function adminOk<T>(server: RelayServer, method: string, path: string, json?: unknown): Promise<T> {
  const response = await adminCall(server, method, path, json);
  if (response.status < 200 || response.status > 299) throw new Error(`${method} ${path}: ${response.status} ${response.text}`);
  return response.body as T;
}
