import test from 'ava';
import { ClientSession } from '../../src/rtmp/session/client-session.js';
import { ServerSession } from '../../src/rtmp/session/server-session.js';
import { ChunkConnection } from '../../src/rtmp/session/chunk-connection.js';
import type { ClientSessionEvent, ServerSessionEvent } from '../../src/rtmp/session/events.js';
import { MessageType, type RtmpMessage } from '../../src/rtmp/message/types.js';

const target = { app: 'live', tcUrl: 'rtmp://127.0.0.1:1935/live', streamName: 'good-key?token=a&b=c' };

interface Pair {
  client: ClientSession;
  server: ServerSession;
  clientEvents: ClientSessionEvent[];
  serverEvents: ServerSessionEvent[];
  /** Everything the server wrote, to check what went out before a decision. */
  serverWire: Buffer[];
  toServer(buffers: Buffer[]): void;
}

/**
 * Two sans-IO sessions wired back to back in memory. The server application accepts the key
 * `good-key` and refuses anything else, answering publish requests as they are raised.
 */
function pair(decide: (name: string) => boolean = (name) => name.startsWith('good-key')): Pair {
  const client = new ClientSession({ target, now: () => 1000 });
  const server = new ServerSession({ now: () => 2000 });
  const clientEvents: ClientSessionEvent[] = [];
  const serverEvents: ServerSessionEvent[] = [];
  const serverWire: Buffer[] = [];
  // Bytes in flight each way, delivered in order by one pump loop (no re-entrant delivery).
  const toServerQueue: Buffer[] = [];
  const toClientQueue: Buffer[] = [];
  const pump = (): void => {
    while (toServerQueue.length > 0 || toClientQueue.length > 0) {
      const forServer = toServerQueue.shift();
      if (forServer) {
        const out = server.handle(forServer);
        serverEvents.push(...out.events);
        const replies = [...out.send];
        for (const event of out.events) {
          if (event.type !== 'publish-request') continue;
          if (decide(event.streamName)) {
            const accepted = server.acceptPublish(event.streamId, event.streamName);
            replies.push(...accepted.send);
            serverEvents.push(...accepted.events);
          } else {
            replies.push(...server.rejectPublish(event.streamId, 'NetStream.Publish.BadName', 'unknown key'));
          }
        }
        serverWire.push(...replies);
        toClientQueue.push(...replies);
      }
      const forClient = toClientQueue.shift();
      if (forClient) {
        const out = client.handle(forClient);
        clientEvents.push(...out.events);
        toServerQueue.push(...out.send);
      }
    }
  };
  const toServer = (buffers: Buffer[]): void => {
    toServerQueue.push(...buffers);
    pump();
  };
  return { client, server, clientEvents, serverEvents, serverWire, toServer };
}

test('client and server sessions: handshake, connect, publish, media, clean end', (t) => {
  const p = pair();
  p.toServer(p.client.start());
  t.deepEqual(
    p.clientEvents.map((e) => e.type),
    ['handshake-done', 'connected', 'status', 'publishing'],
  );
  const request = p.serverEvents.find((e) => e.type === 'publish-request');
  t.like(request, { app: 'live', streamName: 'good-key?token=a&b=c', publishType: 'live' });
  t.true(p.client.isPublishing);
  t.is(p.client.publishStreamId, 1);

  const frames: RtmpMessage[] = [
    { typeId: MessageType.Video, timestamp: 0, streamId: 0, payload: Buffer.from([0x17, 0x00, 0, 0, 0, 1, 2, 3]) },
    { typeId: MessageType.Audio, timestamp: 0, streamId: 0, payload: Buffer.from([0xaf, 0x00, 0x12, 0x10]) },
    { typeId: MessageType.Video, timestamp: 33, streamId: 0, payload: Buffer.alloc(10_000, 7) },
    { typeId: MessageType.Video, timestamp: 0x1000000, streamId: 0, payload: Buffer.alloc(5000, 9) },
  ];
  for (const frame of frames) p.toServer(p.client.sendMessage(frame, frame.typeId === MessageType.Audio ? 4 : 6));
  const media = p.serverEvents.filter((e): e is Extract<ServerSessionEvent, { type: 'media' }> => e.type === 'media');
  t.is(media.length, frames.length);
  media.forEach((event, i) => {
    t.is(event.message.typeId, frames[i]!.typeId);
    t.is(event.message.timestamp, frames[i]!.timestamp);
    t.is(event.message.streamId, 1);
    t.true(event.message.payload.equals(frames[i]!.payload));
  });

  p.toServer(p.client.finish());
  t.like(p.serverEvents.at(-1), { type: 'unpublish', streamId: 1 });
  t.deepEqual(p.client.finish(), [], 'finish is idempotent');
});

test('a refused publish gets BadName and no Publish.Start ever goes out', (t) => {
  const p = pair(() => false);
  p.toServer(p.client.start());
  const rejected = p.clientEvents.find((e) => e.type === 'rejected');
  t.like(rejected, { stage: 'publish', code: 'NetStream.Publish.BadName' });
  t.false(p.client.isPublishing);
  const wire = Buffer.concat(p.serverWire).toString('latin1');
  t.false(wire.includes('NetStream.Publish.Start'));
  t.true(wire.includes('NetStream.Publish.BadName'));
});

test('media sent before the publish is answered is held, then delivered on accept', (t) => {
  const client = new ClientSession({ target });
  const server = new ServerSession();
  const events: ServerSessionEvent[] = [];
  // Drive the handshake and connect by hand, answering nothing to the publish yet.
  let pending: Buffer[] = client.start();
  let request: Extract<ServerSessionEvent, { type: 'publish-request' }> | undefined;
  for (let round = 0; round < 10 && pending.length > 0 && !request; round++) {
    const replies: Buffer[] = [];
    for (const bytes of pending) {
      const out = server.handle(bytes);
      events.push(...out.events);
      replies.push(...out.send);
    }
    request = events.find((e): e is Extract<ServerSessionEvent, { type: 'publish-request' }> => e.type === 'publish-request');
    pending = [];
    for (const bytes of replies) pending.push(...client.handle(bytes).send);
  }
  t.truthy(request);
  // The client (like a careless encoder) sends media on stream 1 without waiting for Publish.Start.
  const early = server.handle(Buffer.concat(client.chunkConnection.sendMessage({ typeId: MessageType.Video, timestamp: 5, streamId: 1, payload: Buffer.from([0x17, 1, 0, 0, 0]) }, 6)));
  t.deepEqual(early.events.filter((e) => e.type === 'media'), []);
  const accepted = server.acceptPublish(request!.streamId, request!.streamName);
  t.is(accepted.events.length, 1);
  t.like(accepted.events[0], { type: 'media', streamId: 1 });
});

test('garbage after the handshake is a coded error, not a throw', (t) => {
  const client = new ClientSession({ target });
  const server = new ServerSession({ maxChunkStreams: 4 });
  const c0c1 = client.start();
  const out = server.handle(Buffer.concat(c0c1));
  const c2 = client.handle(Buffer.concat(out.send)).send;
  server.handle(Buffer.concat(c2));
  // fmt 1 on a chunk stream never opened with fmt 0.
  const result = server.handle(Buffer.from([0x45, 0, 0, 0, 0, 0, 4, 9, 1, 2, 3, 4]));
  const error = result.events.find((e) => e.type === 'error');
  t.truthy(error);
  t.regex(error!.type === 'error' ? error!.error.code : '', /^ERR_RTMP_/);
  // A dead session keeps reporting the error and never throws.
  t.is(server.handle(Buffer.from([1, 2, 3])).events[0]?.type, 'error');
});

test('media on message stream 0 (node-media-server push) belongs to the publishing stream', (t) => {
  const p = pair();
  p.toServer(p.client.start());
  t.true(p.client.isPublishing);
  const payload = Buffer.from([0x17, 0x01, 0, 0, 0, 9, 9]);
  p.toServer(p.client.chunkConnection.sendMessage({ typeId: MessageType.Video, timestamp: 40, streamId: 0, payload }, 6));
  const media = p.serverEvents.filter((e): e is Extract<ServerSessionEvent, { type: 'media' }> => e.type === 'media');
  t.is(media.length, 1);
  t.is(media[0]!.streamId, 1);
  t.true(media[0]!.message.payload.equals(payload));
});

test('changeWindowAckSize: a Window Acknowledgement Size message, and the new window is the one replied with', (t) => {
  const chunks = new ChunkConnection({ windowAckSize: 256 * 1024 });
  const bytes = Buffer.concat(chunks.changeWindowAckSize(1_048_576));
  // fmt 0 on csid 2 (protocol control): basic header, timestamp 0, length 4, type 5 (Window
  // Acknowledgement Size), message stream 0 (little endian), then the window, big endian.
  t.deepEqual([...bytes], [0x02, 0, 0, 0, 0, 0, 4, 5, 0, 0, 0, 0, 0x00, 0x10, 0x00, 0x00]);
  t.is(chunks.windowAckSize, 1_048_576);
  // A Set Peer Bandwidth (2,500,000, soft limit) that differs from our window is answered with the new window.
  const send: Buffer[] = [];
  chunks.onControl({ typeId: 6, timestamp: 0, streamId: 0, payload: Buffer.from([0x00, 0x26, 0x25, 0xa0, 0x01]) }, send);
  t.deepEqual([...Buffer.concat(send)].slice(-4), [0x00, 0x10, 0x00, 0x00]);
});
