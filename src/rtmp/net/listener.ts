import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';

export interface ListenerOptions {
  host: string;
  port: number;
  /** PEM certificate and key: the listener speaks RTMPS. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Called for each accepted socket; false closes it at once (connection cap, banned address). */
  admit(socket: Socket): boolean;
  /** Called for each admitted socket, once it is ready for the RTMP handshake. */
  onConnection(socket: Socket): void;
  /** A TLS handshake that fails (wrong protocol, bad client) costs that socket only. */
  onTlsError?(error: Error, remoteAddress: string | undefined): void;
}

export interface Listener {
  readonly server: Server;
  readonly port: number;
  close(): Promise<void>;
}

/** Binds a TCP or TLS listener and resolves with the port actually bound (port 0 picks one). */
export function listen(options: ListenerOptions): Promise<Listener> {
  const onPlainSocket = (socket: Socket): void => {
    if (!options.admit(socket)) {
      socket.destroy();
      return;
    }
    options.onConnection(socket);
  };
  const server: Server = options.tls
    ? createTlsServer({ cert: options.tls.cert, key: options.tls.key, handshakeTimeout: 10_000 }, (socket) => options.onConnection(socket))
    : createNetServer(onPlainSocket);
  if (options.tls) {
    // Admission is decided at TCP accept, before the TLS handshake costs us anything.
    server.on('connection', (socket: Socket) => {
      if (!options.admit(socket)) socket.destroy();
    });
    server.on('tlsClientError', (error: Error, socket: Socket) => {
      options.onTlsError?.(error, socket.remoteAddress);
      socket.destroy();
    });
  }
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off('error', reject);
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : options.port;
      resolve({
        server,
        port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
