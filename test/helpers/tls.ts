// A throw-away PKI made with the openssl CLI: a test CA, a server certificate it signed for the
// test hosts, one it signed for another host name (hostname-mismatch tests), and one for the test hosts
// signed by a different CA (unknown-issuer tests).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeTmpDir } from './tmp.js';

const run = promisify(execFile);

export interface CertAndKey {
  readonly certPath: string;
  readonly keyPath: string;
  readonly certPem: string;
  readonly keyPem: string;
}

export interface TestPki extends CertAndKey {
  readonly dir: string;
  readonly caCertPath: string;
  readonly caPem: string;
  /** The names in the server certificate's subjectAltName. */
  readonly hosts: readonly string[];
  /** Signed by the same CA, but only for `wrongHost.host`. */
  readonly wrongHost: CertAndKey & { readonly host: string };
  /** For the same hosts, signed by another CA that nobody trusts. */
  readonly untrusted: CertAndKey & { readonly caCertPath: string; readonly caPem: string };
  remove(): Promise<void>;
}

export interface TestPkiOptions {
  readonly hosts?: readonly string[];
  readonly wrongHost?: string;
  readonly validDays?: number;
}

async function openssl(cwd: string, args: readonly string[]): Promise<void> {
  try {
    await run('openssl', args, { cwd, timeout: 30_000 });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`openssl ${args.slice(0, 2).join(' ')} failed: ${e.stderr ?? e.message}`);
  }
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function makeCa(dir: string, name: string, commonName: string): Promise<void> {
  await openssl(dir, [
    'req', '-x509', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2',
    '-subj', `/CN=${commonName}`,
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
}

async function makeLeaf(
  dir: string,
  name: string,
  ca: string,
  hosts: readonly string[],
  validDays: number,
): Promise<CertAndKey> {
  const san = hosts.map((h) => (isIP(h) === 0 ? `DNS:${h}` : `IP:${h}`)).join(',');
  await writeFile(
    join(dir, `${name}.ext`),
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      `subjectAltName=${san}`,
      '',
    ].join('\n'),
  );
  await openssl(dir, ['req', '-new', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${hosts[0]}`]);
  await openssl(dir, [
    'x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`,
    '-set_serial', `0x${randomBytes(12).toString('hex')}`, '-days', String(validDays),
    '-extfile', `${name}.ext`, '-out', `${name}.pem`,
  ]);
  const certPath = join(dir, `${name}.pem`);
  const keyPath = join(dir, `${name}.key`);
  return { certPath, keyPath, certPem: await readFile(certPath, 'utf8'), keyPem: await readFile(keyPath, 'utf8') };
}

/** Creates the PKI in a fresh temp dir; call remove() (e.g. in t.teardown) when done. */
export async function makeTestPki(options: TestPkiOptions = {}): Promise<TestPki> {
  const hosts = options.hosts ?? ['localhost', '127.0.0.1'];
  const wrongHostName = options.wrongHost ?? 'wrong.example';
  const validDays = options.validDays ?? 2;
  if (hosts.length === 0) throw new Error('makeTestPki: at least one host is needed');
  const tmp = await makeTmpDir('rtmp-relay-pki-');
  try {
    const dir = tmp.path;
    await makeCa(dir, 'ca', 'rtmp-relay test CA');
    await makeCa(dir, 'other-ca', 'rtmp-relay untrusted test CA');
    const server = await makeLeaf(dir, 'server', 'ca', hosts, validDays);
    const wrong = await makeLeaf(dir, 'wrong-host', 'ca', [wrongHostName], validDays);
    const untrusted = await makeLeaf(dir, 'untrusted', 'other-ca', hosts, validDays);
    const caCertPath = join(dir, 'ca.pem');
    const otherCaPath = join(dir, 'other-ca.pem');
    return {
      dir,
      ...server,
      caCertPath,
      caPem: await readFile(caCertPath, 'utf8'),
      hosts,
      wrongHost: { ...wrong, host: wrongHostName },
      untrusted: { ...untrusted, caCertPath: otherCaPath, caPem: await readFile(otherCaPath, 'utf8') },
      remove: tmp.remove,
    };
  } catch (error) {
    await tmp.remove();
    throw error;
  }
}
