// A hostile publisher that floods requests the server must answer (Ping Request, User Control
// event 6) and never reads the answers. Every answer is written to the socket whatever its
// backlog (SocketWriter.write: "protocol replies are small and bounded by the protocol"), and the
// idle timeout never fires because the peer keeps sending: the server's memory grows with the
// unread replies — measured at about 2 GB of RSS after 20 s and 100 MB of pings from one
// connection, with no limit in sight.
//
// Fixed: ServerConnection stops reading a peer while its socket holds more than the writer's
// high-water mark (resuming on 'drain'), so the flood stalls at its own TCP window and the idle
// timeout closes it.
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import test from 'ava';
import { startRelayServer } from '../helpers/relay-server.js';
import { message, openRawPeer, publishCommands } from './wire.js';

const KEY = 'reply-flood-key-5e1c2a';
/**
 * Growth of the server's RSS the flood may cause at most: the replies to what was read before the
 * socket backed up, plus garbage not yet collected (about +100 MB with the fix, measured).
 */
const GROWTH_BOUND_MB = 160;
const FLOOD_MS = 5000;

/** The socket's 'drain', or 100 ms (a server that stopped reading never drains it). */
function drainOr100ms(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      socket.off('drain', done);
      resolve();
    };
    const timer = setTimeout(done, 100);
    socket.once('drain', done);
  });
}

function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? NaN) / 1024;
}

test('a publisher flooding Ping Requests without reading the replies cannot grow the server without bound', async (t) => {
  const server = await startRelayServer(t, ['--ingest-key', KEY, '--idle-timeout', '3']);
  const peer = await openRawPeer(server.rtmpPort, '127.0.0.60');
  t.teardown(peer.destroy);
  await peer.handshake();
  peer.write(publishCommands(server.rtmpPort, KEY));
  await peer.waitForText('NetStream.Publish.Start');
  peer.socket.pause(); // never read again
  const before = rssMb(server.process.pid);

  // User Control (type 4) on csid 2, stream 0: event 6 = Ping Request, u32 timestamp 1.
  const ping = message(2, { timestamp: 0, typeId: 4, streamId: 0 }, Buffer.from([0x00, 0x06, 0x00, 0x00, 0x00, 0x01]));
  const batch = Buffer.concat(Array<Buffer>(4096).fill(ping));
  const deadline = Date.now() + FLOOD_MS;
  let peak = before;
  while (Date.now() < deadline && !peer.isClosed()) {
    if (!peer.socket.write(batch)) await drainOr100ms(peer.socket);
    peak = Math.max(peak, rssMb(server.process.pid));
    if (peak - before > GROWTH_BOUND_MB * 4) break; // the bug shows; no need to go on
  }
  t.log(`server RSS ${before.toFixed(0)} MB before, peak ${peak.toFixed(0)} MB during the flood`);
  t.true(peak - before < GROWTH_BOUND_MB, `RSS grew by ${(peak - before).toFixed(0)} MB`);
  t.false(server.process.hasExited());
});
