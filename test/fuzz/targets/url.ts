/**
 * Destination URL and stream key parsing (CONTRACT §3 "publish target"): parseRtmpUrl,
 * publishTarget and destinationUrlProblem over arbitrary strings. Input: URL bytes, optionally a
 * 0x00 and the stream key. Oracles: only ERR_RTMP_URL errors; what is accepted has a host without
 * credentials, a port in 1..65535, an application path, no whitespace or control characters; its
 * tcUrl parses again to the same target (idempotent); the key goes through byte for byte; and the
 * WHATWG URL parser agrees that the URL is a URL with that port.
 */
import { RtmpError } from '../../../src/rtmp/errors.js';
import { destinationUrlProblem, parseRtmpUrl, publishTarget } from '../../../src/rtmp/session/publish-target.js';
import { check, type FuzzTarget } from '../harness.js';
import { tokens } from './common.js';

const FORBIDDEN = /[\s\x00-\x1f\x7f]/;

export const urlTarget: FuzzTarget = {
  name: 'rtmp-url',
  description: 'parseRtmpUrl / publishTarget / destinationUrlProblem (URL bytes, then 0x00 and the key)',
  maxInputLength: 4096,
  dictionary: tokens('rtmp://', 'rtmps://', 'RTMP://', ':1935', ':443', ':0', ':65536', ':99999', '/live2', '?backup=1', '@', 'user:pw@', '[::1]', '[', ']', '%', '#', '//', '.', 'a.rtmp.youtube.com', '\u00e9', '\t', ' '),
  run(input: Buffer): string {
    const zero = input.indexOf(0);
    const url = (zero < 0 ? input : input.subarray(0, zero)).toString(input.length % 3 === 0 ? 'latin1' : 'utf8');
    const key = zero < 0 ? 'key' : input.subarray(zero + 1).toString('utf8');
    const parsed = parseRtmpUrl(url);
    const problem = destinationUrlProblem(url);
    if (parsed instanceof RtmpError) {
      check(parsed.code === 'ERR_RTMP_URL' && parsed.message.length > 0, `parseRtmpUrl: error ${parsed.code}`);
      check(problem === parsed.message, 'destinationUrlProblem disagrees with parseRtmpUrl');
      return `bad|${parsed.message.replace(/\d+/g, 'N')}`;
    }
    check(problem === null, 'destinationUrlProblem refused a URL parseRtmpUrl accepted');
    const where = `parseRtmpUrl(${JSON.stringify(url.slice(0, 80))})`;
    check(parsed.secure === /^rtmps:/i.test(url), `${where}: secure flag disagrees with the scheme`);
    check(Number.isInteger(parsed.port) && parsed.port >= 1 && parsed.port <= 65535, `${where}: port ${parsed.port}`);
    check(parsed.host.length > 0 && !parsed.host.includes('@') && !FORBIDDEN.test(parsed.host), `${where}: host ${parsed.host}`);
    check(parsed.app.length > 0 && !parsed.app.startsWith('/') && !FORBIDDEN.test(parsed.app), `${where}: app ${parsed.app}`);
    check(parsed.tcUrl.startsWith(parsed.secure ? 'rtmps://' : 'rtmp://') && parsed.tcUrl.length <= url.length, `${where}: tcUrl ${parsed.tcUrl}`);
    check(parsed.tcUrl.endsWith(`/${parsed.app}`), `${where}: tcUrl does not end with the app`);

    // The tcUrl is itself a destination URL naming the same place.
    const again = parseRtmpUrl(parsed.tcUrl);
    check(!(again instanceof RtmpError), `${where}: its tcUrl does not parse`);
    check(
      again.host === parsed.host && again.port === parsed.port && again.app === parsed.app && again.tcUrl === parsed.tcUrl,
      `${where}: parsing its tcUrl gives another target`,
    );

    // A second opinion on "absolute URL with a host and a port": the WHATWG parser.
    let whatwg: URL | null = null;
    try {
      whatwg = new URL(url);
    } catch {
      whatwg = null;
    }
    check(whatwg !== null, `${where}: accepted, but it is not a URL for the WHATWG parser`);
    const port = whatwg.port === '' ? (parsed.secure ? 443 : 1935) : Number(whatwg.port);
    check(port === parsed.port, `${where}: port ${parsed.port}, the WHATWG parser reads ${whatwg.port || 'the default'}`);

    const target = publishTarget(url, key);
    if (key.length === 0) {
      check(target instanceof RtmpError && target.code === 'ERR_RTMP_URL', 'an empty stream key was accepted');
      return 'ok|empty-key';
    }
    check(!(target instanceof RtmpError) && target.streamName === key, 'publishTarget did not pass the stream key byte for byte');
    return `ok|${parsed.secure ? 's' : ''}|${whatwg.port === '' ? 'default' : 'port'}|${parsed.app.includes('?') ? 'query' : ''}|${parsed.host.includes(':') ? 'v6' : ''}`;
  },
};
