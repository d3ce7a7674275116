// A raw RTMP sink for long runs: like test/helpers/rtmp-sink.ts it runs our ServerSession on
// node:net and accepts every publish, but it keeps no payloads — per publish it counts messages
// and bytes and checks, as they pass, what a platform relies on: the first video frame after the
// sequence headers is a keyframe, and timestamps never go back. Memory stays flat for hours.
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { ServerSession } from '../../src/rtmp/session/server-session.js';
import type { ServerSessionEvent } from '../../src/rtmp/session/events.js';

export interface CountedPublish {
  readonly streamName: string;
  messages: number;
  videoFrames: number;
  bytes: number;
  lastTimestamp: number;
  /** The first video frame that is not a sequence header was a keyframe (null until one came). */
  startedOnKeyframe: boolean | null;
  /** Times a timestamp was lower than the one before (should stay 0). */
  timestampRegressions: number;
  ended: boolean;
}

export interface CountingSink {
  readonly port: number;
  url(app?: string): string;
  readonly publishes: readonly CountedPublish[];
  /** Connections open now. */
  openConnections(): number;
  stop(): Promise<void>;
}

function count(publish: CountedPublish, typeId: number, timestamp: number, payload: Buffer): void {
  publish.messages++;
  publish.bytes += payload.length;
  if (timestamp < publish.lastTimestamp) publish.timestampRegressions++;
  publish.lastTimestamp = timestamp;
  // FLV video tag: frame type in the high nibble (1 = key); AVC packet type 1 = a coded frame.
  if (typeId === 9 && payload[1] === 1) {
    publish.videoFrames++;
    publish.startedOnKeyframe ??= payload[0]! >> 4 === 1;
  }
}

export async function startCountingSink(): Promise<CountingSink> {
  const publishes: CountedPublish[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.on('end', () => socket.end());
    const session = new ServerSession();
    const byStream = new Map<number, CountedPublish>();
    const write = (buffers: readonly Buffer[]): void => {
      if (socket.destroyed || socket.writableEnded) return;
      for (const buffer of buffers) socket.write(buffer);
    };
    const onEvent = (event: ServerSessionEvent): void => {
      switch (event.type) {
        case 'publish-request': {
          const publish: CountedPublish = {
            streamName: event.streamName, messages: 0, videoFrames: 0, bytes: 0, lastTimestamp: 0,
            startedOnKeyframe: null, timestampRegressions: 0, ended: false,
          };
          publishes.push(publish);
          byStream.set(event.streamId, publish);
          const out = session.acceptPublish(event.streamId, event.streamName);
          write(out.send);
          out.events.forEach(onEvent);
          return;
        }
        case 'media': {
          const publish = byStream.get(event.streamId);
          if (publish) count(publish, event.message.typeId, event.message.timestamp, event.message.payload);
          return;
        }
        case 'unpublish': {
          const publish = byStream.get(event.streamId);
          if (publish) publish.ended = true;
          return;
        }
        case 'error':
          socket.destroy();
          return;
        default:
          return;
      }
    };
    socket.on('data', (bytes: Buffer) => {
      const out = session.handle(bytes);
      write(out.send);
      out.events.forEach(onEvent);
    });
    socket.once('close', () => byStream.forEach((p) => (p.ended = true)));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (app = 'live') => `rtmp://127.0.0.1:${port}/${app}`,
    publishes,
    openConnections: () => sockets.size,
    stop: async () => {
      const closing = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closing;
    },
  };
}
