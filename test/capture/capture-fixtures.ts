// Captures a real RTMP publish (ffmpeg → nginx-rtmp) through a recording TCP proxy and writes the
// bytes of each direction as fixtures, plus a README describing them. Run by hand, from the repo root,
// after compiling the tests:
//   npx tsc -p tsconfig.test.json && node build-test/test/capture/capture-fixtures.js [outDir]
// outDir defaults to test/fixtures/captured. The outputs are committed; rerunning changes them (C1/S1
// carry random bytes and clocks, tcUrl carries the proxy's ephemeral port).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { publisherArgs, startFfmpegPublisher } from '../helpers/ffmpeg.js';
import { startNginxSink } from '../helpers/nginx.js';
import { nginxExecutable } from '../helpers/peer-files.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';

const HANDSHAKE_PART = 1536; // C1, C2, S1, S2 are 1536 bytes each; C0 and S0 one byte
const C0C1 = 1 + HANDSHAKE_PART;
const S0S1S2 = 1 + 2 * HANDSHAKE_PART;
const COMMANDS_LIMIT = 16 * 1024; // chunk-stream bytes kept after C2
const STREAM_KEY = 'fixture-key?a=b&c=d';

interface Fixture {
  readonly file: string;
  readonly bytes: Buffer;
  readonly what: string;
  /** Strings whose first offsets are listed in the README, to help find the messages. */
  readonly landmarks: readonly string[];
}

/** First line a tool prints about its version (nginx -v prints to stderr, ffmpeg -version to stdout). */
function versionLine(command: string, args: readonly string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return `${result.stdout ?? ''}${result.stderr ?? ''}`.split('\n')[0]?.trim() ?? '';
}

function landmarkLines(bytes: Buffer, landmarks: readonly string[]): string[] {
  return landmarks.map((text) => {
    const at = bytes.indexOf(Buffer.from(text, 'latin1'));
    return `  - \`${text}\`: ${at < 0 ? 'not present' : `first at offset ${at}`}`;
  });
}

function readme(fixtures: readonly Fixture[], url: string, args: readonly string[], proxyPort: number): string {
  const rows = fixtures.map((f) => {
    const sha = createHash('sha256').update(f.bytes).digest('hex');
    return [`### ${f.file}`, '', f.what, '', `- ${f.bytes.length} bytes, sha256 \`${sha}\``, ...landmarkLines(f.bytes, f.landmarks), ''].join('\n');
  });
  const shown = args.map((a) => (/^[\w./:=@-]+$/.test(a) ? a : `'${a}'`)).join(' ');
  return [
    '# Captured RTMP fixtures: ffmpeg publishing to nginx-rtmp',
    '',
    'Real bytes from one publish session, recorded by a TCP proxy (`test/helpers/tcp-proxy.ts`) placed',
    'between ffmpeg (the client) and nginx-rtmp (the server). They were made WITHOUT any of the project\'s',
    'protocol code, so tests can parse them with it as an independent check. Regenerate (from the repo',
    'root, after `npx tsc -p tsconfig.test.json`): `node build-test/test/capture/capture-fixtures.js`.',
    'The output differs each run: C1/S1/S2 carry random bytes and clocks, and tcUrl carries the port.',
    '',
    `- ${versionLine('ffmpeg', ['-version'])}`,
    `- ${versionLine(nginxExecutable(), ['-v'])} with ngx_rtmp_module (Debian 12 libnginx-mod-rtmp), \`chunk_size 4096\`, \`live on\``,
    `- captured ${new Date().toISOString().slice(0, 10)}; ffmpeg published to the proxy at port ${proxyPort}`,
    `- URL: \`${url}\` — ffmpeg splits it into app \`live\`, tcUrl \`rtmp://127.0.0.1:${proxyPort}/live\` and`,
    `  publish name \`${STREAM_KEY}\` (the query is part of the name, byte for byte)`,
    '',
    'The publisher command (1 s of 640x360 30 fps H.264 + 44.1 kHz AAC, GOP 30):',
    '',
    '```',
    `ffmpeg ${shown}`,
    '```',
    '',
    'Offsets below are file offsets; landmark strings are AMF0 string bodies and show where each',
    'command or status is (the chunk header and AMF framing come just before them).',
    '',
    ...rows,
  ].join('\n') + '\n';
}

async function main(): Promise<void> {
  const outDir = resolve(process.argv[2] ?? 'test/fixtures/captured');
  const sink = await startNginxSink({ record: false, notify: false });
  const proxy = await startTcpProxy(sink.rtmpPort);
  try {
    const url = `rtmp://127.0.0.1:${proxy.port}/live/${STREAM_KEY}`;
    const options = { url, durationS: 1 };
    const publisher = startFfmpegPublisher(options);
    const exit = await publisher.exited;
    if (exit.code !== 0) throw new Error(`ffmpeg failed (code ${exit.code}):\n${exit.stderrTail}`);
    const connection = await proxy.waitForConnection(0);
    await connection.closed;
    const client = connection.clientBytes();
    const server = connection.serverBytes();
    if (client.length < C0C1 + HANDSHAKE_PART || server.length < S0S1S2) throw new Error('capture too short');
    const fixtures: Fixture[] = [
      {
        file: 'ffmpeg-c0c1.bin',
        bytes: client.subarray(0, C0C1),
        what: 'The first 1537 bytes ffmpeg sent: C0 (version 3) and C1 (time 0, version 9.0.124.2, random bytes with the client digest).',
        landmarks: [],
      },
      {
        file: 'ffmpeg-c2-and-commands.bin',
        bytes: client.subarray(C0C1, C0C1 + HANDSHAKE_PART + COMMANDS_LIMIT),
        what: [
          `ffmpeg's bytes from offset ${C0C1} of its stream: C2 (offsets 0-1535 of this file), then the chunk`,
          'stream from offset 1536: connect (sent at the initial chunk size 128, so in two chunks), Set',
          'Chunk Size 4096, releaseStream, FCPublish, createStream, publish (message stream 1),',
          '@setDataFrame onMetaData, the AVC and AAC sequence headers and the first media. Cut after',
          `${COMMANDS_LIMIT} chunk-stream bytes, so the file ends inside a message.`,
        ].join('\n'),
        landmarks: ['connect', 'tcUrl', 'releaseStream', 'FCPublish', 'createStream', 'publish', STREAM_KEY, '@setDataFrame', 'onMetaData'],
      },
      {
        file: 'nginx-s0s1s2.bin',
        bytes: server.subarray(0, S0S1S2),
        what: [
          'The first 3073 bytes nginx-rtmp sent: S0 (version 3), S1 (its uptime, version 13.14.10.13,',
          'server digest) and S2 (the digest-form answer to the FP9 C1).',
        ].join('\n'),
        landmarks: [],
      },
      {
        file: 'nginx-after-handshake.bin',
        bytes: server.subarray(S0S1S2),
        what: [
          'Everything nginx-rtmp sent after S2 until the connection closed: Window Acknowledgement Size',
          '(5000000), Set Peer Bandwidth (5000000, dynamic), Set Chunk Size (4096), connect _result',
          '(NetConnection.Connect.Success), createStream _result (stream 1), onStatus',
          'NetStream.Publish.Start and, after ffmpeg\'s FCUnpublish/deleteStream, onStatus',
          'NetStream.Unpublish.Success. nginx-rtmp sends no onBWDone, and no Acknowledgement here: the',
          '1 s publish stays below its 5,000,000-byte window.',
        ].join('\n'),
        landmarks: ['_result', 'NetConnection.Connect.Success', 'onStatus', 'NetStream.Publish.Start', 'NetStream.Unpublish.Success'],
      },
    ];
    await mkdir(outDir, { recursive: true });
    for (const fixture of fixtures) await writeFile(join(outDir, fixture.file), fixture.bytes);
    await writeFile(join(outDir, 'README.md'), readme(fixtures, url, publisherArgs(options), proxy.port));
    process.stderr.write(`wrote ${fixtures.length} fixtures and README.md to ${outDir}\n`);
  } finally {
    await proxy.stop();
    await sink.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
