// The floor of any Node.js relay, in its own process: `node copier-host.js CONFIG.json`. It sets up
// the publisher and each destination with our sessions (handshake, connect, publish), then copies
// every buffer it reads from the publisher to every destination's socket as it is: no parsing, no
// queue, no timestamps: the "bare Node process copying each received buffer to N sockets" of the
// benchmark issue. What it costs per MB is what Node's event loop, streams and sockets cost on this
// machine; the relay's figure over it is what our protocol work adds.
//
// Verbatim copying is valid RTMP for the destinations only because the publisher and our client
// sessions agree on the chunk size and the publish stream id (checked), and the publisher sends
// nothing between its publish and our Publish.Start.
import { readFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { dial } from '../src/rtmp/net/dialer.js';
import { ClientSession } from '../src/rtmp/session/client-session.js';
import { ServerSession } from '../src/rtmp/session/server-session.js';
import { publishTarget } from '../src/rtmp/session/publish-target.js';
import { RtmpError } from '../src/rtmp/errors.js';

export interface CopierHostConfig {
  readonly rtmpPort: number;
  /** Push URLs (`rtmp://host:port/app/name`) per event index; the publisher publishes `e<K>`. */
  readonly pushes: readonly (readonly string[])[];
}

function fatal(message: string): never {
  process.stderr.write(`copier-host: ${message}\n`);
  process.exit(1);
}

/** One destination: set up with a client session, then fed the publisher's bytes. */
class CopyTarget {
  private session: ClientSession;
  /** Publisher bytes that arrived before this destination was publishing. */
  private pending: Buffer[] | null = [];
  private socket: Socket | null = null;

  constructor(
    url: string,
    private readonly publisherStreamId: number,
    private readonly publisherChunkSize: number,
  ) {
    const split = url.lastIndexOf('/');
    const target = publishTarget(url.slice(0, split), url.slice(split + 1));
    if (target instanceof RtmpError) fatal(`bad push URL ${url}: ${target.message}`);
    this.session = new ClientSession({ target, outChunkSize: publisherChunkSize });
    void dial(target, { extraCaPem: null, connectTimeoutMs: 10_000 }).then(
      (socket) => this.onConnected(socket),
      (error: Error) => fatal(`cannot reach ${url}: ${error.message}`),
    );
  }

  private onConnected(socket: Socket): void {
    this.socket = socket;
    socket.on('error', () => socket.destroy());
    socket.on('data', (bytes: Buffer) => {
      const out = this.session.handle(bytes);
      for (const buffer of out.send) socket.write(buffer);
      for (const event of out.events) {
        if (event.type === 'publishing') this.onPublishing(event.streamId);
        else if (event.type === 'rejected' || event.type === 'error') fatal(`destination refused: ${JSON.stringify(event)}`);
      }
    });
    for (const buffer of this.session.start()) socket.write(buffer);
  }

  private onPublishing(streamId: number): void {
    if (streamId !== this.publisherStreamId || this.session.chunkConnection.outChunkSize !== this.publisherChunkSize) {
      fatal(`cannot copy verbatim: stream id ${streamId} vs ${this.publisherStreamId}, chunk size ${this.session.chunkConnection.outChunkSize} vs ${this.publisherChunkSize}`);
    }
    const pending = this.pending ?? [];
    this.pending = null;
    for (const buffer of pending) this.socket!.write(buffer);
  }

  copy(bytes: Buffer): void {
    if (this.pending !== null) this.pending.push(bytes);
    else this.socket!.write(bytes);
  }

  end(): void {
    this.socket?.end();
  }
}

function main(): void {
  const configPath = process.argv[2];
  if (configPath === undefined) fatal('usage: copier-host.js CONFIG.json');
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as CopierHostConfig;
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => socket.destroy());
    const session = new ServerSession();
    let targets: CopyTarget[] | null = null;
    socket.on('close', () => {
      for (const target of targets ?? []) target.end();
    });
    socket.on('data', (bytes: Buffer) => {
      if (targets !== null) {
        // The whole of the copier's work per read.
        for (const target of targets) target.copy(bytes);
        return;
      }
      const out = session.handle(bytes);
      for (const buffer of out.send) socket.write(buffer);
      for (const event of out.events) {
        if (event.type === 'error') fatal(`publisher: ${event.error.message}`);
        if (event.type !== 'publish-request') continue;
        const urls = config.pushes[Number(/^e(\d+)$/.exec(event.streamName)?.[1] ?? -1)];
        if (urls === undefined) fatal(`unknown stream ${event.streamName}`);
        const accepted = session.acceptPublish(event.streamId, event.streamName);
        for (const buffer of accepted.send) socket.write(buffer);
        if (accepted.events.length > 0) fatal('the publisher sent media before Publish.Start: it cannot be copied verbatim');
        const chunkSize = session.chunkConnection.inChunkSize;
        targets = urls.map((url) => new CopyTarget(url, event.streamId, chunkSize));
      }
    });
  });
  server.listen(config.rtmpPort, '127.0.0.1');
  const stop = (): void => {
    server.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main();
