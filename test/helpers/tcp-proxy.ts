// A TCP proxy that records the bytes of each direction (for protocol fixtures and for asserting what
// went over the wire) and can freeze or cut a connection (stalled or dropped network).
import { once } from 'node:events';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import { LOCALHOST } from './ports.js';

export interface ProxiedConnection {
  readonly index: number;
  /** Bytes the client sent towards the target, in order (up to maxRecordBytes). */
  clientBytes(): Buffer;
  /** Bytes the target sent towards the client, in order (up to maxRecordBytes). */
  serverBytes(): Buffer;
  /** Resolves when both sockets are closed. */
  readonly closed: Promise<void>;
  /** Stops reading from both sides: the peers' writes back up as on a stalled network. */
  pause(): void;
  resume(): void;
  /** Drops both sockets at once (RST), like a network failure. */
  destroy(): void;
}

export interface TcpProxy {
  readonly port: number;
  readonly connections: readonly ProxiedConnection[];
  /** Resolves with connection `index` (0 = the first accepted) once it exists. */
  waitForConnection(index?: number, timeoutMs?: number): Promise<ProxiedConnection>;
  stop(): Promise<void>;
}

export interface TcpProxyOptions {
  readonly targetHost?: string;
  /** Recording cap per direction; forwarding continues past it. Default 64 MiB. */
  readonly maxRecordBytes?: number;
}

class Recorder {
  private readonly chunks: Buffer[] = [];
  private length = 0;
  constructor(private readonly cap: number) {}
  add(chunk: Buffer): void {
    if (this.length >= this.cap) return;
    const kept = chunk.length <= this.cap - this.length ? chunk : chunk.subarray(0, this.cap - this.length);
    this.chunks.push(kept);
    this.length += kept.length;
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks, this.length);
  }
}

/** Forwards `from` into `to`, recording, with backpressure; `isFrozen` keeps `from` paused. */
function forward(from: Socket, to: Socket, recorder: Recorder, isFrozen: () => boolean): void {
  from.on('data', (chunk: Buffer) => {
    recorder.add(chunk);
    if (!to.write(chunk)) from.pause();
  });
  to.on('drain', () => {
    if (!isFrozen()) from.resume();
  });
  from.on('end', () => to.end());
}

function proxyConnection(index: number, client: Socket, host: string, port: number, cap: number): ProxiedConnection {
  const upstream = createConnection({ host, port, allowHalfOpen: true });
  const fromClient = new Recorder(cap);
  const fromServer = new Recorder(cap);
  let frozen = false;
  forward(client, upstream, fromClient, () => frozen);
  forward(upstream, client, fromServer, () => frozen);
  // An error on one side ends the other abruptly too, as a broken path would.
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
  client.on('close', () => {
    if (!upstream.writableEnded) upstream.end();
  });
  upstream.on('close', () => {
    if (!client.writableEnded) client.end();
  });
  const closedOf = (socket: Socket): Promise<void> => new Promise((resolve) => socket.once('close', () => resolve()));
  const closed = Promise.all([closedOf(client), closedOf(upstream)]).then(() => undefined);
  return {
    index,
    clientBytes: () => fromClient.bytes(),
    serverBytes: () => fromServer.bytes(),
    closed,
    pause: () => {
      frozen = true;
      client.pause();
      upstream.pause();
    },
    resume: () => {
      frozen = false;
      client.resume();
      upstream.resume();
    },
    destroy: () => {
      client.resetAndDestroy();
      upstream.resetAndDestroy();
    },
  };
}

/** Listens on 127.0.0.1 (port 0) and forwards each connection to targetHost:targetPort. */
export async function startTcpProxy(targetPort: number, options: TcpProxyOptions = {}): Promise<TcpProxy> {
  const host = options.targetHost ?? LOCALHOST;
  const cap = options.maxRecordBytes ?? 64 * 1024 * 1024;
  const connections: ProxiedConnection[] = [];
  const sockets = new Set<Socket>();
  const waiters = new Set<() => void>();
  const server = createServer({ allowHalfOpen: true }, (client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    const connection = proxyConnection(connections.length, client, host, targetPort, cap);
    connections.push(connection);
    for (const waiter of [...waiters]) waiter();
  });
  server.listen(0, LOCALHOST);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    connections,
    waitForConnection: (index = 0, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const connection = connections[index];
          if (connection === undefined) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(connection);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`proxy: connection ${index} not accepted within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    stop: async () => {
      const closing = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const connection of connections) connection.destroy();
      for (const socket of sockets) socket.destroy();
      await closing;
      await Promise.all(connections.map((c) => c.closed));
    },
  };
}
