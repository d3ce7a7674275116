import { RtmpError } from '../errors.js';

/**
 * Where a push goes, split as CONTRACT §3 says: app = the URL's path (with the URL's own query,
 * as ffmpeg and OBS send it), tcUrl = the URL without the key, publish name = the stream key
 * byte for byte (Facebook-style keys carry `?`, `&` and `=`).
 */
export interface PublishTarget {
  readonly secure: boolean;
  readonly host: string;
  readonly port: number;
  readonly app: string;
  readonly tcUrl: string;
  readonly streamName: string;
}

export const DEFAULT_RTMP_PORT = 1935;
export const DEFAULT_RTMPS_PORT = 443;

const URL_PATTERN = /^(rtmps?):\/\/([^/?#]*)(\/[^?#]*)?(\?[^#]*)?$/i;

/** Why a destination URL is not acceptable, or null when it is. Shared by the API, store and dialer. */
export function destinationUrlProblem(url: string): string | null {
  const parsed = parseRtmpUrl(url);
  return parsed instanceof RtmpError ? parsed.message : null;
}

interface ParsedRtmpUrl {
  secure: boolean;
  host: string;
  port: number;
  app: string;
  tcUrl: string;
}

export function parseRtmpUrl(url: string): ParsedRtmpUrl | RtmpError {
  const bad = (why: string): RtmpError => new RtmpError('ERR_RTMP_URL', why);
  if (typeof url !== 'string' || url.length === 0) return bad('must be an rtmp:// or rtmps:// URL');
  if (url.length > 2048) return bad('must be at most 2048 characters');
  if (/[\s\x00-\x1f\x7f]/.test(url)) return bad('must not contain whitespace or control characters');
  const match = URL_PATTERN.exec(url);
  if (!match) {
    return /^[a-z][a-z0-9+.-]*:/i.test(url) && !/^rtmps?:\/\//i.test(url)
      ? bad('must use the rtmp:// or rtmps:// scheme')
      : bad('must be an absolute rtmp:// or rtmps:// URL');
  }
  const scheme = match[1]!.toLowerCase();
  const authority = match[2]!;
  const path = match[3] ?? '';
  const query = match[4] ?? '';
  if (authority.includes('@')) return bad('must not contain a user or password');
  const hostPort = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d*))?$/.exec(authority);
  if (!hostPort || hostPort[1] === undefined || hostPort[1] === '') return bad('must name a host');
  const host = hostPort[1].startsWith('[') ? hostPort[1].slice(1, -1) : hostPort[1];
  if (!/^[A-Za-z0-9.\-_:%]+$/.test(host)) return bad('has an invalid host name');
  if (hostPort[1].startsWith('[') && !isIpv6Literal(host)) return bad('has an invalid IPv6 address');
  let port = scheme === 'rtmps' ? DEFAULT_RTMPS_PORT : DEFAULT_RTMP_PORT;
  if (hostPort[2] !== undefined) {
    if (!/^\d{1,5}$/.test(hostPort[2])) return bad('has an invalid port (1-65535)');
    port = Number(hostPort[2]);
    if (port < 1 || port > 65535) return bad('has an invalid port (1-65535)');
  }
  const segments = path.split('/').filter((segment) => segment !== '');
  if (segments.length === 0) return bad('must have an application path, e.g. rtmp://host/live');
  return {
    secure: scheme === 'rtmps',
    host,
    port,
    app: segments.join('/') + query,
    tcUrl: `${scheme}://${authority}/${segments.join('/')}${query}`,
  };
}

/** An IPv6 address as the WHATWG URL parser reads one (found by fuzzing: `rtmp://[::::1]/live` was accepted). */
function isIpv6Literal(text: string): boolean {
  return URL.canParse(`http://[${text}]/`);
}

/** The full publish target of a destination URL and its stream key. */
export function publishTarget(url: string, streamKey: string): PublishTarget | RtmpError {
  const parsed = parseRtmpUrl(url);
  if (parsed instanceof RtmpError) return parsed;
  if (streamKey.length === 0) return new RtmpError('ERR_RTMP_URL', 'stream key is empty');
  return { ...parsed, streamName: streamKey };
}
