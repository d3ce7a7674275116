// A raw RTMP(S) publisher for tests: our sans-IO ClientSession over node:net / node:tls. Unlike
// ffmpeg it shows the server's exact answers (onStatus codes), sends any message we build (a message
// exactly at a size limit, a stream that starts mid-GOP) and can go silent with the socket open.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { promisify } from 'node:util';
import { RtmpError } from '../../src/rtmp/errors.js';
import { ChunkStreamId, MessageType, type RtmpMessage } from '../../src/rtmp/message/types.js';
import { ClientSession } from '../../src/rtmp/session/client-session.js';
import type { ClientSessionEvent } from '../../src/rtmp/session/events.js';
import { publishTarget, type PublishTarget } from '../../src/rtmp/session/publish-target.js';
import { FLV_TAG_SCRIPT, readFlv, type FlvTag } from './flv-tags.js';

/** The tags of an FLV file (throws if it is not one or ends inside a tag). */
export async function readFlvTags(path: string): Promise<readonly FlvTag[]> {
  const flv = readFlv(await readFile(path));
  if (flv.truncated) throw new Error(`${path} ends inside a tag`);
  return flv.tags;
}

/**
 * Encodes a test FLV with ffmpeg (testsrc2 + sine, H.264 with B-frames unless bFrames is false, a keyframe every 30 frames,
 * AAC) and returns its tags: media made by a real encoder, not by our code.
 */
export async function makeSampleFlv(
  path: string,
  options: { readonly seconds?: number; readonly size?: string; readonly bFrames?: boolean } = {},
): Promise<readonly FlvTag[]> {
  await promisify(execFile)('ffmpeg', [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=${options.size ?? '320x240'}:rate=30`, '-f', 'lavfi', '-i', 'sine',
    '-t', String(options.seconds ?? 2),
    '-c:v', 'libx264', '-g', '30', ...(options.bFrames === false ? ['-bf', '0'] : []),
    '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-f', 'flv', path,
  ], { timeout: 120_000 });
  return readFlvTags(path);
}

export interface ClientTlsOptions {
  /** Extra trusted CA (PEM), e.g. makeTestPki's caPem. */
  readonly ca?: string | Buffer;
  /** Default true. */
  readonly rejectUnauthorized?: boolean;
  /** SNI and the name checked against the certificate; default the URL's host (unless it is an IP). */
  readonly servername?: string;
}

export interface RtmpClientOptions {
  /** The application URL without the stream name: `rtmp://127.0.0.1:PORT/live` or `rtmps://…`. */
  readonly url: string;
  /** Sent byte for byte as the publish (or play) name. */
  readonly streamName: string;
  /** Options for `rtmps://` URLs. */
  readonly tls?: ClientTlsOptions;
  /** Source address of the TCP connection (any 127/8 address works on Linux loopback). */
  readonly localAddress?: string;
  /** The Window Acknowledgement Size we ask the server to use for what we send. */
  readonly windowAckSize?: number;
  /** Our outbound chunk size. */
  readonly chunkSize?: number;
}

/** How far the connection got when it closed. */
export type ClientStage = 'tcp' | 'handshake' | 'connect' | 'stream' | 'established';

export interface CloseInfo {
  /** Milliseconds from the start of the TCP connect to the close. */
  readonly afterMs: number;
  readonly stage: ClientStage;
  /** The socket error (e.g. ECONNRESET), null for an orderly close. */
  readonly error: string | null;
  /** True when the peer ended or reset the connection (false after our own destroy()). */
  readonly byPeer: boolean;
}

export type PublishOutcome =
  | { readonly kind: 'publishing'; readonly streamId: number }
  | { readonly kind: 'rejected'; readonly stage: 'connect' | 'createStream' | 'publish'; readonly code: string; readonly description: string }
  /** The connection ended before the server said yes or no. */
  | { readonly kind: 'closed'; readonly close: CloseInfo }
  /** The session could not decode what the server sent. */
  | { readonly kind: 'error'; readonly code: string; readonly message: string };

export interface PacingOptions {
  /** Send each tag when its timestamp is due (relative to the first tag), like a live encoder. */
  readonly realtime?: boolean;
  /** Wrap script tags as `@setDataFrame` data messages, as encoders publish metadata. Default false. */
  readonly setDataFrame?: boolean;
  /** Stop early. */
  readonly signal?: AbortSignal;
}

export interface RtmpPublisher {
  readonly outcome: Promise<PublishOutcome>;
  /** Every session event so far, in order. */
  readonly events: readonly ClientSessionEvent[];
  /** Sends one media or data message on the publish stream (audio csid 4, video 6, data 5). */
  send(message: Pick<RtmpMessage, 'typeId' | 'timestamp' | 'payload'>): boolean;
  /** Sends FLV tags as RTMP messages (type = tag type, payload = tag data); resolves with the count sent. */
  sendFlvTags(tags: readonly FlvTag[], options?: PacingOptions): Promise<number>;
  /** Resolves when the socket's write buffer has drained (or the socket closed). */
  drain(): Promise<void>;
  /** Bytes written to the socket so far (handshake included). */
  bytesWritten(): number;
  /** How many Acknowledgements the server sent. */
  acknowledgements(): number;
  /** Resolves when `condition` holds (checked after every read and at close); rejects after `timeoutMs`. */
  waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void>;
  /** Ends the publish cleanly (FCUnpublish, deleteStream) and half-closes the socket. */
  finish(): void;
  destroy(): void;
  isClosed(): boolean;
  readonly closed: Promise<CloseInfo>;
}

/** `promise`, or `undefined` when it does not settle within `ms`. */
export function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** `promise`, or a rejection naming `what` when it does not settle within `ms`. */
export async function orTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  const result = await within(promise.then((value) => ({ value })), ms);
  if (result === undefined) throw new Error(`${what}: not within ${ms} ms`);
  return result.value;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export function targetOf(options: RtmpClientOptions): PublishTarget {
  const target = publishTarget(options.url, options.streamName);
  if (target instanceof RtmpError) throw new Error(`bad test URL ${options.url}: ${target.message}`);
  return target;
}

/** Opens the TCP or TLS socket of `target` (TLS: the secure connection, not just TCP). */
export function openSocket(target: PublishTarget, options: RtmpClientOptions, onReady: () => void): Socket {
  const base = { host: target.host, port: target.port, ...(options.localAddress ? { localAddress: options.localAddress } : {}) };
  // TCP_NODELAY as librtmp (OBS) sets it: without it, Nagle holds small messages for a delayed ACK.
  if (!target.secure) return netConnect(base, onReady).setNoDelay(true);
  const tls = options.tls ?? {};
  const isIp = /^[\d.]+$|:/.test(target.host);
  const servername = tls.servername ?? (isIp ? undefined : target.host);
  return tlsConnect(
    {
      ...base,
      ...(tls.ca ? { ca: tls.ca } : {}),
      ...(servername ? { servername } : {}),
      rejectUnauthorized: tls.rejectUnauthorized ?? true,
    },
    onReady,
  ).setNoDelay(true);
}

/** Condition waiters re-checked by `run()` (after every read and at close). */
export class Checks {
  private readonly pending = new Set<() => void>();

  run(): void {
    for (const check of [...this.pending]) check();
  }

  waitUntil(condition: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!condition()) return;
        this.pending.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.pending.delete(check);
        reject(new Error(`${describe()}: not within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.add(check);
      check();
    });
  }
}

/** Socket close bookkeeping shared by the publisher and the player. */
export function trackClose(socket: Socket, startedAt: number, stage: () => ClientStage): {
  closed: Promise<CloseInfo>;
  isClosed: () => boolean;
  destroy: () => void;
} {
  let error: string | null = null;
  let byPeer = true;
  let isClosed = false;
  socket.on('error', (e: NodeJS.ErrnoException) => {
    error ??= e.code ?? e.message;
  });
  socket.on('end', () => socket.end()); // the peer ended: finish our side too
  const closed = new Promise<CloseInfo>((resolve) => {
    socket.once('close', () => {
      isClosed = true;
      resolve({ afterMs: Date.now() - startedAt, stage: stage(), error, byPeer });
    });
  });
  return {
    closed,
    isClosed: () => isClosed,
    destroy: () => {
      if (!isClosed) byPeer = false;
      socket.destroy();
    },
  };
}

function csidFor(typeId: number): number {
  if (typeId === MessageType.Audio) return ChunkStreamId.Audio;
  if (typeId === MessageType.Video) return ChunkStreamId.Video;
  return ChunkStreamId.Data;
}

/** AMF0 string "@setDataFrame" followed by the script tag body ("onMetaData", its array). */
export function withSetDataFrame(scriptBody: Buffer): Buffer {
  const name = Buffer.from('@setDataFrame', 'latin1');
  const head = Buffer.alloc(3);
  head[0] = 0x02; // AMF0 string marker
  head.writeUInt16BE(name.length, 1);
  return Buffer.concat([head, name, scriptBody]);
}

/** Connects, handshakes and publishes `streamName`; see `outcome` for the server's answer. */
export function connectPublisher(options: RtmpClientOptions): RtmpPublisher {
  const target = targetOf(options);
  const session = new ClientSession({
    target,
    ...(options.windowAckSize !== undefined ? { windowAckSize: options.windowAckSize } : {}),
    ...(options.chunkSize !== undefined ? { outChunkSize: options.chunkSize } : {}),
  });
  const startedAt = Date.now();
  const events: ClientSessionEvent[] = [];
  let stage: ClientStage = 'tcp';
  let written = 0;
  let acks = 0;
  const checks = new Checks();
  let settle: (outcome: PublishOutcome) => void = () => undefined;
  const outcome = new Promise<PublishOutcome>((resolve) => {
    settle = resolve;
  });

  const write = (buffers: readonly Buffer[]): boolean => {
    if (buffers.length === 0 || socket.destroyed || socket.writableEnded) return !socket.writableNeedDrain;
    socket.cork();
    let ok = true;
    for (const buffer of buffers) {
      written += buffer.length;
      ok = socket.write(buffer);
    }
    socket.uncork();
    return ok;
  };

  const socket = openSocket(target, options, () => {
    stage = 'handshake';
    write(session.start());
  });
  const close = trackClose(socket, startedAt, () => stage);
  void close.closed.then((info) => {
    settle({ kind: 'closed', close: info });
    checks.run();
  });

  socket.on('data', (chunk: Buffer) => {
    const out = session.handle(chunk);
    write(out.send);
    for (const event of out.events) {
      events.push(event);
      switch (event.type) {
        case 'handshake-done':
          stage = 'connect';
          break;
        case 'connected':
          stage = 'stream';
          break;
        case 'publishing':
          stage = 'established';
          settle({ kind: 'publishing', streamId: event.streamId });
          break;
        case 'rejected':
          settle({ kind: 'rejected', stage: event.stage, code: event.code, description: event.description });
          break;
        case 'acknowledged':
          acks++;
          break;
        case 'error':
          settle({ kind: 'error', code: event.error.code, message: event.error.message });
          close.destroy();
          break;
        default:
          break;
      }
    }
    checks.run();
  });

  const drain = (): Promise<void> =>
    socket.writableNeedDrain && !close.isClosed()
      ? new Promise((resolve) => {
          const done = (): void => {
            socket.off('drain', done);
            socket.off('close', done);
            resolve();
          };
          socket.on('drain', done);
          socket.on('close', done);
        })
      : Promise.resolve();

  const send = (message: Pick<RtmpMessage, 'typeId' | 'timestamp' | 'payload'>): boolean =>
    write(session.sendMessage({ ...message, streamId: session.publishStreamId }, csidFor(message.typeId)));

  return {
    outcome,
    events,
    send,
    sendFlvTags: async (tags, pacing = {}) => {
      const first = tags[0]?.timestamp ?? 0;
      const start = Date.now();
      let sent = 0;
      for (const tag of tags) {
        if (pacing.signal?.aborted || close.isClosed()) break;
        if (pacing.realtime) {
          const due = start + (tag.timestamp - first) - Date.now();
          if (due > 0) await sleep(due, pacing.signal);
          if (pacing.signal?.aborted || close.isClosed()) break;
        }
        const script = tag.type === FLV_TAG_SCRIPT && pacing.setDataFrame === true;
        send({ typeId: tag.type, timestamp: tag.timestamp, payload: script ? withSetDataFrame(tag.data) : tag.data });
        sent++;
        await drain();
      }
      return sent;
    },
    drain,
    bytesWritten: () => written,
    acknowledgements: () => acks,
    waitUntil: (condition, timeoutMs, what) =>
      checks.waitUntil(condition, timeoutMs, () => `rtmp publisher: ${what} (${acks} acks, events ${events.map((e) => e.type).join(', ')})`),
    finish: () => {
      write(session.finish());
      if (!socket.destroyed) socket.end();
    },
    destroy: close.destroy,
    isClosed: close.isClosed,
    closed: close.closed,
  };
}
