// A raw RTMP(S) sink server for tests: our sans-IO ServerSession on node:net / node:tls, bound to
// 127.0.0.1 port 0. It records every media and data message of every publish exactly as it arrived
// (type, timestamp, payload bytes), so a test can prove what a real platform would have received —
// the first frame after the sequence headers, payloads byte for byte — which ffmpeg and nginx-rtmp
// hide (both drop leading inter frames themselves). It can refuse publishes, never acknowledge, and
// stop reading a connection (a stalled platform).
import { once } from 'node:events';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { RtmpMessage } from '../../src/rtmp/message/types.js';
import { ServerSession } from '../../src/rtmp/session/server-session.js';
import type { ServerSessionEvent } from '../../src/rtmp/session/events.js';
import { writeFlv, type FlvTag } from './flv-tags.js';
import { LOCALHOST } from './ports.js';

/** One message as it arrived; `payload` is a private copy. */
export interface RecordedMessage {
  readonly typeId: number;
  readonly timestamp: number;
  readonly payload: Buffer;
  /** Date.now() when it was decoded. */
  readonly receivedAt: number;
}

export interface PublishRequestInfo {
  readonly app: string;
  readonly tcUrl: string | null;
  readonly streamName: string;
  readonly publishType: string;
  readonly remoteAddress: string;
}

export type PublishDecision = { readonly accept: true } | { readonly accept: false; readonly code?: string; readonly description?: string };

export interface RtmpSinkOptions {
  /** Serve RTMPS with this certificate. */
  readonly tls?: { readonly certPem: string; readonly keyPem: string };
  /** Accept or refuse each publish (default: accept). A refused publish gets onStatus level error, then the socket is ended. */
  readonly decide?: (request: PublishRequestInfo) => PublishDecision;
  /** Send Acknowledgements as the peer's Window Acknowledgement Size asks (default true); false: never. */
  readonly acknowledge?: boolean;
  /** The window we ask publishers to acknowledge with (ServerSession's default otherwise). */
  readonly windowAckSize?: number;
  /** Largest inbound message (ServerSession's default otherwise). */
  readonly maxMessageSize?: number;
  /** Listen on this port (e.g. a restarted sink taking its predecessor's port); default 0. */
  readonly port?: number;
}

export type PublishEnd = 'FCUnpublish' | 'deleteStream' | 'closeStream' | 'connection closed';

export interface SinkPublish {
  /** 0 for the first publish this sink saw. */
  readonly index: number;
  readonly connection: SinkConnection;
  readonly app: string;
  readonly tcUrl: string | null;
  readonly streamName: string;
  readonly publishType: string;
  readonly accepted: boolean;
  /** Media and data messages, in arrival order. */
  readonly messages: readonly RecordedMessage[];
  /** Resolves once at least `count` messages arrived. */
  waitForMessages(count: number, timeoutMs?: number): Promise<void>;
  waitForMessage(match: (message: RecordedMessage) => boolean, timeoutMs?: number): Promise<RecordedMessage>;
  /** Resolves when the publisher ends the publish or the connection closes. */
  readonly ended: Promise<PublishEnd>;
}

export interface SinkConnection {
  readonly index: number;
  readonly remoteAddress: string;
  readonly app: () => string | null;
  readonly tcUrl: () => string | null;
  readonly publishes: readonly SinkPublish[];
  /** Session errors (e.g. a message over maxMessageSize), after which the socket was destroyed. */
  readonly errors: readonly string[];
  bytesReceived(): number;
  /** Acknowledgements this sink sent on the connection. */
  acknowledgementsSent(): number;
  /** Stops reading the socket: the peer's writes back up, nothing more is decoded or acknowledged. */
  pause(): void;
  resume(): void;
  destroy(): void;
  readonly closed: Promise<void>;
}

export interface RtmpSink {
  readonly port: number;
  /** `rtmp://127.0.0.1:PORT/app` (or `rtmps://localhost:PORT/app` with TLS, the name in makeTestPki's cert). */
  url(app?: string): string;
  readonly connections: readonly SinkConnection[];
  readonly publishes: readonly SinkPublish[];
  /** The first publish (seen so far or later) for which `match` is true (any publish if omitted). */
  waitForPublish(match?: (publish: SinkPublish) => boolean, timeoutMs?: number): Promise<SinkPublish>;
  waitForConnection(index?: number, timeoutMs?: number): Promise<SinkConnection>;
  /** Closes the listener and every connection. */
  stop(): Promise<void>;
}

/** `@setDataFrame` as an AMF0 string: encoders put it before `onMetaData`; FLV files do not. */
const SET_DATA_FRAME = Buffer.from([0x02, 0x00, 0x0d, ...Buffer.from('@setDataFrame', 'latin1')]);

/** Recorded messages as FLV tags (type, timestamp, payload), `@setDataFrame` stripped from data. */
export function toFlvTags(messages: readonly Pick<RecordedMessage, 'typeId' | 'timestamp' | 'payload'>[]): FlvTag[] {
  return messages.map((m) => ({
    type: m.typeId,
    timestamp: m.timestamp,
    data: m.payload.subarray(0, SET_DATA_FRAME.length).equals(SET_DATA_FRAME) ? m.payload.subarray(SET_DATA_FRAME.length) : m.payload,
  }));
}

/** An FLV file (audio and video flags set) of the recorded messages, for ffprobe/checkRecording. */
export function toFlvFile(messages: readonly Pick<RecordedMessage, 'typeId' | 'timestamp' | 'payload'>[]): Buffer {
  const header = Buffer.from([0x46, 0x4c, 0x56, 0x01, 0x05, 0x00, 0x00, 0x00, 0x09]); // "FLV", v1, A+V, size 9
  return writeFlv(header, toFlvTags(messages));
}

/** Re-checks conditions whenever something was recorded; `wait` resolves on the first success. */
class Changes {
  private readonly checks = new Set<() => void>();

  notify(): void {
    for (const check of [...this.checks]) check();
  }

  wait<T>(probe: () => T | undefined, timeoutMs: number, what: () => string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const value = probe();
        if (value === undefined) return;
        this.checks.delete(check);
        clearTimeout(timer);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.checks.delete(check);
        reject(new Error(`rtmp sink: ${what()} not within ${timeoutMs} ms`));
      }, timeoutMs);
      this.checks.add(check);
      check();
    });
  }
}

const DEFAULT_WAIT_MS = 20_000;

export async function startRtmpSink(options: RtmpSinkOptions = {}): Promise<RtmpSink> {
  const changes = new Changes();
  const connections: SinkConnection[] = [];
  const publishes: SinkPublish[] = [];
  const sockets = new Set<Socket>();

  const onSocket = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    connections.push(serveConnection(socket, connections.length, options, publishes, changes));
    changes.notify();
  };
  const server: Server = options.tls
    ? createTlsServer({ cert: options.tls.certPem, key: options.tls.keyPem }, onSocket)
    : createNetServer(onSocket);
  server.on('tlsClientError', () => undefined); // a refused TLS client is its own test's business
  server.listen(options.port ?? 0, LOCALHOST);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  let stopped: Promise<void> | undefined;

  return {
    port,
    url: (app = 'live') => (options.tls ? `rtmps://localhost:${port}/${app}` : `rtmp://${LOCALHOST}:${port}/${app}`),
    connections,
    publishes,
    waitForPublish: (match = () => true, timeoutMs = DEFAULT_WAIT_MS) =>
      changes.wait(
        () => publishes.find(match),
        timeoutMs,
        () => `matching publish (seen: ${publishes.map((p) => `${p.app}/${p.streamName}`).join(', ') || 'none'})`,
      ),
    waitForConnection: (index = 0, timeoutMs = DEFAULT_WAIT_MS) =>
      changes.wait(() => connections[index], timeoutMs, () => `connection ${index}`),
    stop: () =>
      (stopped ??= (async () => {
        const closing = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await closing;
      })()),
  };
}

function serveConnection(
  socket: Socket,
  index: number,
  options: RtmpSinkOptions,
  allPublishes: SinkPublish[],
  changes: Changes,
): SinkConnection {
  const session = new ServerSession({
    ...(options.windowAckSize !== undefined ? { windowAckSize: options.windowAckSize } : {}),
    ...(options.maxMessageSize !== undefined ? { maxMessageSize: options.maxMessageSize } : {}),
  });
  // Acknowledgements are decided inside the chunk layer; wrap its tracker to count them or, for a
  // platform that never acknowledges, to keep counting bytes without ever asking for one.
  const acks = session.chunkConnection.acks;
  const received = acks.received.bind(acks);
  let acksSent = 0;
  acks.received = (n: number): boolean => {
    const due = received(n);
    if (due && options.acknowledge !== false) acksSent++;
    return due && options.acknowledge !== false;
  };
  const remoteAddress = socket.remoteAddress ?? 'unknown';
  const publishes: SinkPublish[] = [];
  const byStreamId = new Map<number, { messages: RecordedMessage[]; end: (how: PublishEnd) => void }>();
  const errors: string[] = [];
  let app: string | null = null;
  let tcUrl: string | null = null;
  let bytes = 0;
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined); // resets are normal in these tests; 'close' follows
  socket.on('end', () => socket.end());

  const write = (buffers: readonly Buffer[]): void => {
    if (buffers.length === 0 || socket.destroyed || socket.writableEnded) return;
    socket.cork();
    for (const buffer of buffers) socket.write(buffer);
    socket.uncork();
  };

  const startPublish = (event: Extract<ServerSessionEvent, { type: 'publish-request' }>): void => {
    const decision = options.decide?.({ app: event.app, tcUrl, streamName: event.streamName, publishType: event.publishType, remoteAddress }) ?? { accept: true };
    const messages: RecordedMessage[] = [];
    let end: (how: PublishEnd) => void = () => undefined;
    const ended = new Promise<PublishEnd>((resolve) => {
      end = resolve;
    });
    void closed.then(() => end('connection closed'));
    const publish: SinkPublish = {
      index: allPublishes.length,
      connection,
      app: event.app,
      tcUrl,
      streamName: event.streamName,
      publishType: event.publishType,
      accepted: decision.accept,
      messages,
      waitForMessages: (count, timeoutMs = DEFAULT_WAIT_MS) =>
        changes.wait(() => (messages.length >= count ? true : undefined), timeoutMs, () => `${count} messages (have ${messages.length})`).then(() => undefined),
      waitForMessage: (match, timeoutMs = DEFAULT_WAIT_MS) =>
        changes.wait(() => messages.find(match), timeoutMs, () => `matching message among ${messages.length}`),
      ended,
    };
    publishes.push(publish);
    allPublishes.push(publish);
    if (decision.accept) {
      byStreamId.set(event.streamId, { messages, end });
      const out = session.acceptPublish(event.streamId, event.streamName);
      write(out.send);
      for (const held of out.events) onEvent(held);
    } else {
      write(session.rejectPublish(event.streamId, decision.code ?? 'NetStream.Publish.BadName', decision.description ?? 'refused by the test sink'));
      socket.end();
    }
  };

  const onEvent = (event: ServerSessionEvent): void => {
    switch (event.type) {
      case 'connect':
        app = event.app;
        tcUrl = event.tcUrl;
        return;
      case 'publish-request':
        startPublish(event);
        return;
      case 'play-request':
        write(session.rejectPlay(event.streamId, 'NetStream.Play.StreamNotFound', 'the test sink does not play'));
        socket.end();
        return;
      case 'media': {
        const message: RtmpMessage = event.message;
        byStreamId.get(event.streamId)?.messages.push({
          typeId: message.typeId,
          timestamp: message.timestamp,
          payload: Buffer.from(message.payload), // the decoder's buffer may be a shared view
          receivedAt: Date.now(),
        });
        return;
      }
      case 'unpublish':
        byStreamId.get(event.streamId)?.end(event.reason);
        return;
      case 'error':
        errors.push(`${event.error.code}: ${event.error.message}`);
        socket.destroy();
        return;
      default:
        return;
    }
  };

  socket.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    const out = session.handle(chunk);
    write(out.send);
    for (const event of out.events) onEvent(event);
    changes.notify();
  });
  void closed.then(() => changes.notify());

  const connection: SinkConnection = {
    index,
    remoteAddress,
    app: () => app,
    tcUrl: () => tcUrl,
    publishes,
    errors,
    bytesReceived: () => bytes,
    acknowledgementsSent: () => acksSent,
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    destroy: () => socket.destroy(),
    closed,
  };
  return connection;
}
