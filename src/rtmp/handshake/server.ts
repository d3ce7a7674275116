import { RtmpError } from '../errors.js';
import {
  DIGEST_SIZE,
  FMS_KEY_FULL,
  FMS_KEY_OPEN,
  FP_KEY_OPEN,
  HANDSHAKE_PACKET_SIZE,
  buildDigestResponse,
  findDigest,
  imprintDigest,
} from './digest.js';
import {
  FixedCollector,
  RTMP_VERSION,
  defaultRandomBytes,
  timeField,
  zeroClock,
  type HandshakeCommonOptions,
  type HandshakeForm,
  type HandshakeResult,
} from './types.js';

export interface ServerHandshakeOptions extends HandshakeCommonOptions {
  /** Version field of a digest-form S1 (FMS-style, nonzero); default 4.5.0.1. */
  readonly serverVersion?: number;
}

const DEFAULT_SERVER_VERSION = 0x04050001;

type ServerState = 'await-c0c1' | 'await-c2' | 'done' | 'failed';

/**
 * Server side of the RTMP handshake (RTMP spec 5.2), sans I/O: feed it the bytes the client sent and
 * write what it returns. After C0+C1 it answers S0+S1+S2 in one buffer; after C2 it is done and hands
 * back the bytes that followed C2.
 *
 * The client's form decides ours: a C1 with a zero version field gets the simple handshake (S2 echoes
 * C1); a C1 carrying a valid Flash Player digest gets the digest form (ffmpeg as a player, and Flash,
 * check it). An invalid digest falls back to the simple form, which librtmp, OBS and ffmpeg accept.
 */
export class ServerHandshake {
  private state: ServerState = 'await-c0c1';
  private collector: FixedCollector | null = null;
  private failure: RtmpError | null = null;
  private detectedForm: HandshakeForm | null = null;
  private readonly now: () => number;
  private readonly randomBytes: (n: number) => Buffer;
  private readonly serverVersion: number;

  constructor(options: ServerHandshakeOptions = {}) {
    this.now = options.now ?? zeroClock;
    this.randomBytes = options.randomBytes ?? defaultRandomBytes;
    this.serverVersion = (options.serverVersion ?? DEFAULT_SERVER_VERSION) >>> 0;
  }

  /** The form chosen after C1 arrived; null before. */
  get form(): HandshakeForm | null {
    return this.detectedForm;
  }

  feed(bytes: Buffer): HandshakeResult {
    if (this.state === 'failed') return { status: 'failed', error: this.failure! };
    if (this.state === 'done') {
      return this.fail(new RtmpError('ERR_RTMP_HANDSHAKE_STATE', 'handshake already complete'));
    }
    const send: Buffer[] = [];
    let offset = 0;
    if (this.state === 'await-c0c1') {
      if (bytes.length === 0) return { status: 'in-progress', send };
      // Allocated when the client speaks, not at accept; reused for C2 afterwards.
      const collector = (this.collector ??= new FixedCollector(Buffer.allocUnsafe(1 + HANDSHAKE_PACKET_SIZE)));
      if (collector.collected === 0) {
        const version = bytes[0]!;
        if (version !== RTMP_VERSION) {
          const message = `client asked for RTMP version ${version}, only 3 is supported`;
          return this.fail(new RtmpError('ERR_RTMP_HANDSHAKE_VERSION', message));
        }
      }
      offset = collector.take(bytes, offset);
      if (!collector.full) return { status: 'in-progress', send };
      send.push(this.respond(collector.view().subarray(1)));
      collector.reset(HANDSHAKE_PACKET_SIZE);
      this.state = 'await-c2';
    }
    // C2 is read and discarded: servers (nginx-rtmp, SRS) do not hold a client to its echo.
    const collector = this.collector!;
    offset = collector.take(bytes, offset);
    if (!collector.full) return { status: 'in-progress', send };
    this.state = 'done';
    this.collector = null;
    return { status: 'done', send, rest: bytes.subarray(offset) };
  }

  /** S0 + S1 + S2 for a complete C1, as one buffer. */
  private respond(c1: Buffer): Buffer {
    const out = Buffer.allocUnsafe(1 + 2 * HANDSHAKE_PACKET_SIZE);
    out[0] = RTMP_VERSION;
    const s1 = out.subarray(1, 1 + HANDSHAKE_PACKET_SIZE);
    const s2 = out.subarray(1 + HANDSHAKE_PACKET_SIZE);
    s1.writeUInt32BE(timeField(this.now), 0);
    this.randomBytes(HANDSHAKE_PACKET_SIZE - 8).copy(s1, 8);

    const clientDigest = c1.readUInt32BE(4) === 0 ? null : findDigest(c1, FP_KEY_OPEN);
    if (clientDigest === null) {
      this.detectedForm = 'simple';
      s1.writeUInt32BE(0, 4); // zero version: a player (ffmpeg) then skips digest checks
      c1.copy(s2);
      return out;
    }
    this.detectedForm = 'digest';
    s1.writeUInt32BE(this.serverVersion, 4);
    // Same schema as the client's C1, as SRS does; librtmp tries that one first.
    imprintDigest(s1, clientDigest.schema, FMS_KEY_OPEN);
    buildDigestResponse(this.randomBytes(HANDSHAKE_PACKET_SIZE - DIGEST_SIZE), clientDigest.digest, FMS_KEY_FULL).copy(
      s2,
    );
    return out;
  }

  private fail(error: RtmpError): HandshakeResult {
    this.state = 'failed';
    this.failure = error;
    this.collector = null;
    return { status: 'failed', error };
  }
}
