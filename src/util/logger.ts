import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs to stdout (CONTRACT §1: `{"msg":"listening","service":"rtmp","port":N}`).
 * Secrets never reach a log line: code masks keys before logging, and these redact paths are the
 * safety net for any object that carries one by mistake.
 */
const REDACT_PATHS = [
  'streamKey',
  'ingestKey',
  'adminToken',
  'token',
  'authorization',
  '*.streamKey',
  '*.ingestKey',
  '*.adminToken',
  '*.authorization',
  'req.headers.authorization',
];

export function createLogger(options: { level: string; format: 'json' | 'pretty'; destination?: NodeJS.WritableStream }): Logger {
  const destination = options.destination ?? process.stdout;
  const stream = options.format === 'pretty' ? prettyStream(destination) : destination;
  return pino(
    {
      level: options.level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    stream,
  );
}

/** A small human format for a terminal, so the runtime needs no pretty-printer dependency. */
function prettyStream(out: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line === '') continue;
        try {
          const { time, level, msg, ...rest } = JSON.parse(line) as Record<string, unknown>;
          const fields = Object.entries(rest)
            .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
            .join(' ');
          out.write(`${String(time).slice(11, 23)} ${String(level).toUpperCase().padEnd(5)} ${String(msg)}${fields ? ` ${fields}` : ''}\n`);
        } catch {
          out.write(`${line}\n`);
        }
      }
      callback();
    },
  });
}
