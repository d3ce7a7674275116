// Hand-built RTMP bytes for hostile peers, written WITHOUT the chunk encoder or AMF encoder under
// test (only ClientHandshake is reused, to get past the handshake): a tiny AMF0 writer, chunk
// header builders with every field commented (RTMP spec 5.3.1), and a raw socket peer that
// records what the server answers and when it closed the connection.
import { connect, type Socket } from 'node:net';
import { ClientHandshake } from '../../src/rtmp/handshake/client.js';

// ---- AMF0 (spec AMF0 2.x): only the markers a connect/createStream/publish needs ----

export type Amf0 = number | string | boolean | null | { readonly [key: string]: Amf0 };

function amfString(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const head = Buffer.alloc(2);
  head.writeUInt16BE(bytes.length); // u16 length, no marker (object keys use this form)
  return Buffer.concat([head, bytes]);
}

export function amf0(...values: readonly Amf0[]): Buffer {
  const parts: Buffer[] = [];
  const write = (value: Amf0): void => {
    if (typeof value === 'number') {
      const b = Buffer.alloc(9);
      b[0] = 0x00; // number marker
      b.writeDoubleBE(value, 1); // IEEE 754 double, big-endian
      parts.push(b);
    } else if (typeof value === 'boolean') {
      parts.push(Buffer.from([0x01, value ? 1 : 0])); // boolean marker, u8
    } else if (typeof value === 'string') {
      parts.push(Buffer.from([0x02]), amfString(value)); // string marker, u16 length, UTF-8
    } else if (value === null) {
      parts.push(Buffer.from([0x05])); // null marker
    } else {
      parts.push(Buffer.from([0x03])); // object marker
      for (const [key, inner] of Object.entries(value)) {
        parts.push(amfString(key));
        write(inner);
      }
      parts.push(Buffer.from([0x00, 0x00, 0x09])); // empty key + object-end marker
    }
  };
  for (const value of values) write(value);
  return Buffer.concat(parts);
}

/** `depth` objects nested as {a:{a:{…}}}, each closed properly: 7 bytes per level. */
export function nestedObjects(depth: number): Buffer {
  const open = Buffer.from([0x03, 0x00, 0x01, 0x61]); // object marker, key length 1, "a"
  const close = Buffer.from([0x00, 0x00, 0x09]); // empty key, object-end marker
  const out = Buffer.alloc(depth * 7 + 1);
  for (let i = 0; i < depth; i++) open.copy(out, i * 4);
  out[depth * 4] = 0x05; // the innermost value: null
  for (let i = 0; i < depth; i++) close.copy(out, depth * 4 + 1 + i * 3);
  return out;
}

// ---- Chunk headers (spec 5.3.1) ----

/** Basic header: fmt in bits 7–6; csid 2–63 in the low 6 bits, 64–319 as 0 + (csid−64), else 1 + (csid−64) u16 LE. */
export function basicHeader(fmt: number, csid: number): Buffer {
  if (csid >= 2 && csid <= 63) return Buffer.from([(fmt << 6) | csid]);
  if (csid >= 64 && csid <= 319) return Buffer.from([fmt << 6, csid - 64]);
  const rest = csid - 64;
  return Buffer.from([(fmt << 6) | 1, rest & 0xff, rest >>> 8]);
}

export interface Fmt0Fields {
  /** Absolute timestamp; 0xFFFFFF or more is sent as the marker 0xFFFFFF plus a 4-byte extended field. */
  readonly timestamp: number;
  readonly length: number;
  readonly typeId: number;
  readonly streamId: number;
}

const EXTENDED = 0xffffff;

function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return b;
}

/** fmt 0: timestamp u24 | message length u24 | type id u8 | stream id u32 LE [| extended timestamp u32]. */
export function fmt0(csid: number, f: Fmt0Fields): Buffer {
  const extended = f.timestamp >= EXTENDED;
  const header = Buffer.alloc(11);
  header.writeUIntBE(extended ? EXTENDED : f.timestamp, 0, 3);
  header.writeUIntBE(f.length, 3, 3);
  header[6] = f.typeId;
  header.writeUInt32LE(f.streamId, 7);
  return Buffer.concat([basicHeader(0, csid), header, extended ? u32(f.timestamp) : Buffer.alloc(0)]);
}

/** fmt 1: timestamp delta u24 | message length u24 | type id u8 (stream id inherited). */
export function fmt1(csid: number, delta: number, length: number, typeId: number): Buffer {
  const header = Buffer.alloc(7);
  header.writeUIntBE(delta, 0, 3);
  header.writeUIntBE(length, 3, 3);
  header[6] = typeId;
  return Buffer.concat([basicHeader(1, csid), header]);
}

/** fmt 3: no message header; `extended` is the 4-byte field a sender repeats (or null to omit it). */
export function fmt3(csid: number, extended: number | null = null): Buffer {
  return extended === null ? basicHeader(3, csid) : Buffer.concat([basicHeader(3, csid), u32(extended)]);
}

/** A body cut into chunks: `first` header, then fmt-3 continuations (with `repeatExtended` when given). */
export function chunked(first: Buffer, body: Buffer, chunkSize: number, csid: number, repeatExtended: number | null = null): Buffer {
  const parts = [first, body.subarray(0, chunkSize)];
  for (let at = chunkSize; at < body.length; at += chunkSize) {
    parts.push(fmt3(csid, repeatExtended), body.subarray(at, at + chunkSize));
  }
  return Buffer.concat(parts);
}

/** A whole message on `csid` (fmt 0, then fmt-3 continuations at `chunkSize`). */
export function message(csid: number, fields: Omit<Fmt0Fields, 'length'>, body: Buffer, chunkSize = 128): Buffer {
  const extended = fields.timestamp >= EXTENDED ? fields.timestamp : null;
  return chunked(fmt0(csid, { ...fields, length: body.length }), body, chunkSize, csid, extended);
}

/** Set Chunk Size (type 1) on the control chunk stream 2, stream 0: a u32 size. */
export function setChunkSize(size: number): Buffer {
  return message(2, { timestamp: 0, typeId: 1, streamId: 0 }, u32(size));
}

/** An AVC video tag body: frame type (1 key, 2 inter) | codec 7, packet type 1 (NALU), cts 0, filler. */
export function avcFrame(key: boolean, size: number, fill: number): Buffer {
  const body = Buffer.alloc(size, fill);
  body[0] = key ? 0x17 : 0x27;
  body[1] = 0x01; // AVC NALU
  body[2] = body[3] = body[4] = 0x00; // composition time 0
  return body;
}

// ---- A raw socket peer ----

export interface CloseFacts {
  readonly afterMs: number;
  /** The socket error (ECONNRESET, EPIPE) or null for an orderly end. */
  readonly error: string | null;
  /** False when we destroyed it ourselves first. */
  readonly byPeer: boolean;
}

export interface RawPeer {
  readonly socket: Socket;
  readonly localAddress: string;
  /** Bytes received after the handshake (capped at 1 MiB). */
  received(): Buffer;
  /** Resolves when `text` (latin1) appears in what the server sent after the handshake. */
  waitForText(text: string, timeoutMs?: number): Promise<void>;
  /** Runs a ClientHandshake (simple form); resolves when S2 has arrived. */
  handshake(): Promise<void>;
  write(bytes: Buffer): void;
  readonly closed: Promise<CloseFacts>;
  isClosed(): boolean;
  destroy(): void;
}

const RECEIVED_CAP = 1024 * 1024;

/** Opens a TCP connection from `localAddress` (any 127/8 address) to the server's RTMP port. */
export function openRawPeer(port: number, localAddress: string): Promise<RawPeer> {
  return new Promise((resolve) => {
    const startedAt = Date.now();
    const socket = connect({ host: '127.0.0.1', port, localAddress });
    socket.setNoDelay(true);
    let error: string | null = null;
    let byPeer = true;
    let closedFlag = false;
    let handshaking: ((bytes: Buffer) => void) | null = null;
    const chunks: Buffer[] = [];
    let size = 0;
    const waiters = new Set<() => void>();
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error ??= e.code ?? e.message;
    });
    socket.on('end', () => socket.end());
    const closed = new Promise<CloseFacts>((done) =>
      socket.once('close', () => {
        closedFlag = true;
        for (const waiter of [...waiters]) waiter();
        done({ afterMs: Date.now() - startedAt, error, byPeer });
      }),
    );
    socket.on('data', (bytes: Buffer) => {
      if (handshaking) return handshaking(bytes);
      if (size < RECEIVED_CAP) {
        chunks.push(bytes);
        size += bytes.length;
      }
      for (const waiter of [...waiters]) waiter();
    });
    const received = (): Buffer => Buffer.concat(chunks);
    const peer: RawPeer = {
      socket,
      localAddress,
      received,
      waitForText: (text, timeoutMs = 10_000) =>
        new Promise((done, fail) => {
          const check = (): void => {
            if (received().includes(text, 0, 'latin1')) finish();
            else if (closedFlag) finish(new Error(`closed before "${text}" arrived`));
          };
          const finish = (e?: Error): void => {
            waiters.delete(check);
            clearTimeout(timer);
            if (e) fail(e);
            else done();
          };
          const timer = setTimeout(() => finish(new Error(`"${text}" not within ${timeoutMs} ms`)), timeoutMs);
          waiters.add(check);
          check();
        }),
      handshake: () =>
        new Promise((done, fail) => {
          const client = new ClientHandshake();
          handshaking = (bytes) => {
            const step = client.feed(bytes);
            if (step.status === 'failed') return fail(step.error);
            for (const out of step.send) socket.write(out);
            if (step.status === 'done') {
              handshaking = null;
              if (step.rest.length > 0) chunks.push(Buffer.from(step.rest));
              done();
            }
          };
          void closed.then(() => fail(new Error('closed during the handshake')));
          socket.write(client.start());
        }),
      write: (bytes) => {
        if (!socket.destroyed && !socket.writableEnded) socket.write(bytes);
      },
      closed,
      isClosed: () => closedFlag,
      destroy: () => {
        if (!closedFlag) byPeer = false;
        socket.destroy();
      },
    };
    socket.once('connect', () => resolve(peer));
    void closed.then(() => resolve(peer)); // refused at accept or unreachable: the caller sees `closed`
  });
}

/** Connect, createStream and publish `key` as hand-built AMF0 commands on csid 3 (chunk size 128). */
export function publishCommands(port: number, key: string, chunkSize = 128): Buffer {
  const tcUrl = `rtmp://127.0.0.1:${port}/live`;
  const connectBody = amf0('connect', 1, { app: 'live', type: 'nonprivate', flashVer: 'FMLE/3.0', tcUrl });
  return Buffer.concat([
    message(3, { timestamp: 0, typeId: 20, streamId: 0 }, connectBody, chunkSize), // 20 = AMF0 command
    message(3, { timestamp: 0, typeId: 20, streamId: 0 }, amf0('createStream', 2, null), chunkSize),
    // The server's first createStream answers stream id 1 (checked by waiting for Publish.Start).
    message(8, { timestamp: 0, typeId: 20, streamId: 1 }, amf0('publish', 3, null, key, 'live'), chunkSize),
  ]);
}
