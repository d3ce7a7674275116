import { RtmpError } from '../errors.js';
import {
  DIGEST_SIZE,
  FMS_KEY_FULL,
  FMS_KEY_OPEN,
  FP_KEY_FULL,
  FP_KEY_OPEN,
  HANDSHAKE_PACKET_SIZE,
  buildDigestResponse,
  findDigest,
  imprintDigest,
  verifyDigestResponse,
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

export interface ClientHandshakeOptions extends HandshakeCommonOptions {
  /**
   * 'simple' (default): C1 with a zero version, as librtmp and OBS send.
   * 'digest': an FP9 C1 with a Flash Player digest (schema 1), as ffmpeg sends.
   */
  readonly form?: HandshakeForm;
  /** Version field of a digest-form C1; default 9.0.124.2 (ffmpeg's). */
  readonly clientVersion?: number;
}

const DEFAULT_CLIENT_VERSION = 0x09007c02;

type ClientState = 'idle' | 'await-s0s1' | 'await-s2' | 'done' | 'failed';

/**
 * Client side of the RTMP handshake, sans I/O: `start()` gives C0+C1; feed the server's bytes. C2
 * goes out as soon as S1 is complete (the spec lets the client answer S1 without waiting for S2); the
 * handshake is done when S2 has arrived. S2 is not held against the server: like ffmpeg publishing and
 * librtmp, a mismatch only shows in `serverResponseMatched`.
 */
export class ClientHandshake {
  private state: ClientState = 'idle';
  private c0c1: Buffer | null = null;
  private c1Digest: Buffer | null = null;
  private collector: FixedCollector | null = null;
  private failure: RtmpError | null = null;
  private responseMatched: boolean | null = null;
  private serverForm: HandshakeForm | null = null;
  private readonly now: () => number;
  private readonly randomBytes: (n: number) => Buffer;
  private readonly form: HandshakeForm;
  private readonly clientVersion: number;

  constructor(options: ClientHandshakeOptions = {}) {
    this.now = options.now ?? zeroClock;
    this.randomBytes = options.randomBytes ?? defaultRandomBytes;
    this.form = options.form ?? 'simple';
    this.clientVersion = (options.clientVersion ?? DEFAULT_CLIENT_VERSION) >>> 0;
  }

  /** Whether S2 echoed our C1 or carried a valid signature; null until S2 arrived. */
  get serverResponseMatched(): boolean | null {
    return this.responseMatched;
  }

  /** 'digest' when S1 carried a valid server digest (and we sent a digest C1); null before S1. */
  get serverHandshakeForm(): HandshakeForm | null {
    return this.serverForm;
  }

  /** C0 + C1, to write first. Calling it again returns the same bytes. */
  start(): Buffer {
    if (this.c0c1 !== null) return this.c0c1;
    const out = Buffer.allocUnsafe(1 + HANDSHAKE_PACKET_SIZE);
    out[0] = RTMP_VERSION;
    const c1 = out.subarray(1);
    c1.writeUInt32BE(timeField(this.now), 0);
    this.randomBytes(HANDSHAKE_PACKET_SIZE - 8).copy(c1, 8);
    if (this.form === 'digest') {
      c1.writeUInt32BE(this.clientVersion, 4);
      this.c1Digest = imprintDigest(c1, 1, FP_KEY_OPEN);
    } else {
      c1.writeUInt32BE(0, 4);
    }
    this.c0c1 = out;
    this.state = 'await-s0s1';
    return out;
  }

  feed(bytes: Buffer): HandshakeResult {
    if (this.state === 'failed') return { status: 'failed', error: this.failure! };
    if (this.state === 'idle') {
      return this.fail(new RtmpError('ERR_RTMP_HANDSHAKE_STATE', 'server bytes before start()'));
    }
    if (this.state === 'done') {
      return this.fail(new RtmpError('ERR_RTMP_HANDSHAKE_STATE', 'handshake already complete'));
    }
    const send: Buffer[] = [];
    let offset = 0;
    if (this.state === 'await-s0s1') {
      if (bytes.length === 0) return { status: 'in-progress', send };
      const collector = (this.collector ??= new FixedCollector(Buffer.allocUnsafe(1 + HANDSHAKE_PACKET_SIZE)));
      if (collector.collected === 0) {
        const version = bytes[0]!;
        if (version !== RTMP_VERSION) {
          return this.fail(
            new RtmpError('ERR_RTMP_HANDSHAKE_VERSION', `server answered RTMP version ${version}, expected 3`),
          );
        }
      }
      offset = collector.take(bytes, offset);
      if (!collector.full) return { status: 'in-progress', send };
      send.push(this.answer(collector.view().subarray(1)));
      collector.reset(HANDSHAKE_PACKET_SIZE);
      this.state = 'await-s2';
    }
    const collector = this.collector!;
    offset = collector.take(bytes, offset);
    if (!collector.full) return { status: 'in-progress', send };
    this.responseMatched = this.checkS2(collector.view());
    this.state = 'done';
    this.collector = null;
    return { status: 'done', send, rest: bytes.subarray(offset) };
  }

  /** C2 for a complete S1: the digest form when we sent a digest and S1 has a valid one, else an echo. */
  private answer(s1: Buffer): Buffer {
    const serverDigest = this.c1Digest === null ? null : findDigest(s1, FMS_KEY_OPEN);
    if (serverDigest === null) {
      this.serverForm = 'simple';
      return Buffer.from(s1);
    }
    this.serverForm = 'digest';
    return buildDigestResponse(this.randomBytes(HANDSHAKE_PACKET_SIZE - DIGEST_SIZE), serverDigest.digest, FP_KEY_FULL);
  }

  private checkS2(s2: Buffer): boolean {
    // An echo keeps C1's random part; its second time field may hold the server's read time (spec 5.2.4).
    const c1 = this.c0c1!.subarray(1);
    if (s2.subarray(8).equals(c1.subarray(8))) return true;
    return this.c1Digest !== null && verifyDigestResponse(s2, this.c1Digest, FMS_KEY_FULL);
  }

  private fail(error: RtmpError): HandshakeResult {
    this.state = 'failed';
    this.failure = error;
    this.collector = null;
    return { status: 'failed', error };
  }
}
