// HTTP/1.1 over a bare socket, for requests a well-behaved client refuses to send or rewrites:
// paths with `..` or `%2e%2e` (fetch normalizes them away), a declared 10 MB body that never
// comes, duplicate or malformed headers. The response is parsed by hand (status, headers, body).
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  readonly status: number;
  /** Header names lower-cased; a repeated header keeps its values joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The parsed body, or undefined when it is not JSON. */
  readonly json: unknown;
  /** Bytes of the request this socket had written when the response head arrived. */
  readonly bytesWrittenAtResponse: number;
}

function parseResponse(raw: Buffer, bytesWrittenAtResponse: number): RawResponse | null {
  const headEnd = raw.indexOf('\r\n\r\n');
  if (headEnd === -1) return null;
  const [statusLine = '', ...lines] = raw.subarray(0, headEnd).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  const length = Number(headers['content-length'] ?? NaN);
  const bodyBytes = raw.subarray(headEnd + 4);
  if (Number.isFinite(length) && bodyBytes.length < length) return null;
  const body = bodyBytes.subarray(0, Number.isFinite(length) ? length : undefined).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(body) as unknown;
  } catch {
    json = undefined;
  }
  return { status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? NaN), headers, body, json, bytesWrittenAtResponse };
}

export interface RawExchange {
  readonly socket: Socket;
  /** Resolves with the first complete response (rejects if the socket closes before one). */
  readonly response: Promise<RawResponse>;
  /** Resolves when the server closed the connection. */
  readonly closed: Promise<void>;
}

/** Opens a connection to 127.0.0.1:`port` and writes `head` (more may be written on `socket`). */
export function rawExchange(port: number, head: string | Buffer): RawExchange {
  const socket = connect({ host: '127.0.0.1', port });
  const chunks: Buffer[] = [];
  socket.on('error', () => undefined); // EPIPE/ECONNRESET after the server refused: expected here
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const response = new Promise<RawResponse>((resolve, reject) => {
    socket.on('data', (bytes: Buffer) => {
      chunks.push(bytes);
      const parsed = parseResponse(Buffer.concat(chunks), socket.bytesWritten);
      if (parsed) resolve(parsed);
    });
    void closed.then(() => reject(new Error(`connection closed without a complete response: ${Buffer.concat(chunks).toString('latin1').slice(0, 300)}`)));
  });
  socket.write(head);
  return { socket, response, closed };
}

/** One request with `Connection: close`; resolves with the response. */
export async function rawRequest(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<RawResponse> {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  const exchange = rawExchange(port, body === undefined ? head : Buffer.concat([head, Buffer.from(body)]));
  try {
    return await exchange.response;
  } finally {
    exchange.socket.destroy();
  }
}
