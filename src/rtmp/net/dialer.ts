import { readFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, rootCertificates } from 'node:tls';
import type { PublishTarget } from '../session/publish-target.js';

export interface DialOptions {
  /** Extra PEM CA certificates (CONTRACT --ca-file), trusted besides the system's. */
  extraCaPem?: string | null;
  /** Give up on TCP connect + TLS handshake after this long. */
  connectTimeoutMs?: number;
}

/** Reads a --ca-file once; the dialer then trusts the system roots plus these. */
export function loadExtraCa(path: string | null): string | null {
  if (!path) return null;
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`--ca-file ${path}: ${(error as Error).message}`);
  }
}

/**
 * Opens the TCP or TLS connection for a push. RTMPS uses SNI = the URL's host and verifies the
 * certificate chain and host name against the system CAs plus --ca-file. Resolves once the socket
 * is ready for the RTMP handshake.
 */
export function dial(target: Pick<PublishTarget, 'secure' | 'host' | 'port'>, options: DialOptions = {}): Promise<Socket> {
  const timeoutMs = options.connectTimeoutMs ?? 10_000;
  return new Promise<Socket>((resolve, reject) => {
    const isIp = /^[\d.]+$/.test(target.host) || target.host.includes(':');
    const socket: Socket = target.secure
      ? tlsConnect({
          host: target.host,
          port: target.port,
          servername: isIp ? undefined : target.host,
          ca: options.extraCaPem ? [...rootCertificates, options.extraCaPem] : undefined,
          rejectUnauthorized: true,
        })
      : netConnect({ host: target.host, port: target.port });
    const readyEvent = target.secure ? 'secureConnect' : 'connect';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connect timeout after ${timeoutMs} ms`));
    }, timeoutMs);
    const onError = (error: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    socket.once('error', onError);
    socket.once(readyEvent, () => {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.setNoDelay(true);
      resolve(socket);
    });
  });
}
