import { createHash, timingSafeEqual } from 'node:crypto';
import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { newAdminToken } from '../domain/ids.js';
import type { Logger } from '../util/logger.js';

export const ADMIN_TOKEN_FILE_NAME = 'admin-token';

const TOKEN_PATTERN = /^[\x21-\x7e]{1,1024}$/;

export interface AdminToken {
  readonly token: string;
  /** Where it came from: `--admin-token`, the data dir's token file, or generated just now. */
  readonly origin: 'option' | 'file' | 'generated';
}

/** The admin token file cannot be used; like a bad store, it is reported and never overwritten. */
export class AdminTokenFileError extends Error {
  constructor(file: string, why: string) {
    super(`admin token file ${file} ${why}; it was left untouched: repair or remove it, or pass --admin-token`);
    this.name = 'AdminTokenFileError';
  }
}

/**
 * The bearer token of the admin API: `--admin-token` if given; else the one stored in the data
 * dir; else a new random one, stored there with mode 0600 and printed once, to stderr, as a plain
 * line. Stderr rather than the JSON log on stdout: log lines are shipped and kept, and keeping
 * every log line free of secrets is a rule without exceptions; the operator starting the server
 * for the first time sees stderr on the terminal (or in the service journal).
 */
export async function resolveAdminToken(
  configured: string | null,
  dataDir: string,
  log: Logger,
  printOnce: (line: string) => void = (line) => process.stderr.write(line),
): Promise<AdminToken> {
  if (configured !== null) {
    if (!TOKEN_PATTERN.test(configured)) throw new Error('--admin-token: 1-1024 printable characters, no whitespace');
    if (configured.length < 16) log.warn({ length: configured.length }, 'the admin token is short; use at least 16 random characters');
    return { token: configured, origin: 'option' };
  }
  const file = join(dataDir, ADMIN_TOKEN_FILE_NAME);
  let text: string | null = null;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new AdminTokenFileError(file, `cannot be read (${code ?? (error as Error).message})`);
  }
  if (text !== null) {
    const token = text.trim();
    if (!TOKEN_PATTERN.test(token)) throw new AdminTokenFileError(file, 'does not hold a token (1-1024 printable characters)');
    const mode = (await stat(file)).mode & 0o777;
    if ((mode & 0o077) !== 0) log.warn({ file, mode: mode.toString(8) }, 'the admin token file is readable by others; chmod 600 it');
    return { token, origin: 'file' };
  }
  const token = newAdminToken();
  await writeFileAtomic(file, `${token}\n`, { mode: 0o600, fsync: true });
  const directory = await open(dataDir, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
  log.info({ file }, 'admin token generated and stored; it is printed once, on stderr');
  printOnce(`rtmp-relay: admin API token (generated now, stored in ${file}, shown only this once): ${token}\n`);
  return { token, origin: 'generated' };
}

/**
 * Checks `Authorization: Bearer <token>` in constant time: both sides are hashed first, so neither
 * the comparison nor the lengths reveal how much of a guess was right.
 */
export class BearerCheck {
  private readonly expected: Buffer;

  constructor(token: string) {
    this.expected = sha256(token);
  }

  matches(authorization: string | undefined): boolean {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
    const equal = timingSafeEqual(sha256(match?.[1] ?? ''), this.expected);
    return match !== null && equal;
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
