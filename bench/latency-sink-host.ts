// The realtime benchmark's destinations, in their own process so that reading 16+ streams does not
// delay the publisher's clock: `node latency-sink-host.js OUT.json`. One RTMP server (our
// ServerSession) accepts every publish and keeps no payloads; for each tagged video frame it notes
// the arrival on the machine's monotonic clock (process.hrtime, shared with the publisher's
// process). Prints `{"port":N}` when listening and `{"live":"NAME"}` per publish; on SIGTERM writes
// {names, arrivals: [[nameIndex, sequence, ms], ...]} to OUT.json and exits.
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { MessageType, type RtmpMessage } from '../src/rtmp/message/types.js';
import { ServerSession } from '../src/rtmp/session/server-session.js';
import type { ServerSessionEvent } from '../src/rtmp/session/events.js';
import { readLatencyTag } from './latency-tag.js';

export interface LatencyArrivals {
  readonly names: readonly string[];
  /** [index into names, tag sequence, arrival ms on process.hrtime's clock] */
  readonly arrivals: readonly (readonly [number, number, number])[];
}

const names: string[] = [];
const arrivals: [number, number, number][] = [];
const sockets = new Set<Socket>();

function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

function serve(socket: Socket): void {
  sockets.add(socket);
  socket.setNoDelay(true);
  socket.on('error', () => undefined);
  socket.once('close', () => sockets.delete(socket));
  const session = new ServerSession({});
  let nameIndex = -1;
  let arrivedAt = 0;
  // Tags are read from every decoded video message whatever its message stream id: nginx-rtmp
  // accepts media on any id, and node-media-server's push sends it on id 0, which ServerSession
  // (rightly, for the relay) does not raise as media of the publish.
  const chunks = session.chunkConnection;
  const receive = chunks.receive.bind(chunks);
  chunks.receive = (bytes: Buffer, messages: RtmpMessage[], send: Buffer[]) => {
    const error = receive(bytes, messages, send);
    if (nameIndex >= 0) {
      for (const message of messages) {
        if (message.typeId !== MessageType.Video) continue;
        const sequence = readLatencyTag(message.payload);
        if (sequence >= 0) arrivals.push([nameIndex, sequence, arrivedAt]);
      }
    }
    return error;
  };
  const write = (buffers: readonly Buffer[]): void => {
    if (buffers.length === 0 || socket.destroyed) return;
    socket.cork();
    for (const buffer of buffers) socket.write(buffer);
    socket.uncork();
  };
  const onEvent = (event: ServerSessionEvent): void => {
    if (event.type === 'publish-request') {
      nameIndex = names.length;
      names.push(event.streamName);
      write(session.acceptPublish(event.streamId, event.streamName).send);
      process.stdout.write(`${JSON.stringify({ live: event.streamName })}\n`);
    } else if (event.type === 'play-request') {
      write(session.rejectPlay(event.streamId, 'NetStream.Play.StreamNotFound', 'latency sink does not play'));
      socket.end();
    } else if (event.type === 'error') {
      socket.destroy();
    }
  };
  socket.on('data', (chunk: Buffer) => {
    arrivedAt = nowMs();
    const out = session.handle(chunk);
    write(out.send);
    for (const event of out.events) onEvent(event);
  });
}

const outPath = process.argv[2];
if (outPath === undefined) throw new Error('usage: latency-sink-host.js OUT.json');
const server = createServer(serve);
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.once('SIGTERM', () => {
  for (const socket of sockets) socket.destroy();
  const result: LatencyArrivals = { names, arrivals };
  writeFileSync(outPath, JSON.stringify(result));
  process.exit(0);
});
