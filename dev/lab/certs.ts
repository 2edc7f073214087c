import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CertPair {
  /** PEM of the CA that signed `cert`. */
  caPem: string;
  cert: string;
  key: string;
}

export interface LabCerts {
  dir: string;
  /** Trusted by the product (HCXMON_ARM_CA_FILE / HCXMON_HCX_CA_FILE point at `caFile`). */
  trusted: CertPair;
  /** Signed by a second CA nobody trusts: served for managers with the `wrongCertificate` fault. */
  untrusted: CertPair;
  caFile: string;
  remove(): Promise<void>;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

async function makePair(dir: string, label: string): Promise<CertPair> {
  const p = (f: string): string => join(dir, `${label}-${f}`);
  // Short validity: the files live for one lab run in a temp dir.
  await run('openssl', [
    'req',
    '-x509',
    ...EC,
    '-keyout',
    p('ca.key'),
    '-out',
    p('ca.pem'),
    '-days',
    '7',
    '-subj',
    `/CN=hcxmon lab ${label} CA`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  // OpenSSL 3 signs a fresh request with -CA in one step (no CSR file, no serial file).
  await run('openssl', [
    'req',
    '-x509',
    ...EC,
    '-keyout',
    p('server.key'),
    '-out',
    p('server.pem'),
    '-days',
    '7',
    '-CA',
    p('ca.pem'),
    '-CAkey',
    p('ca.key'),
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-addext',
    'basicConstraints=critical,CA:FALSE',
    '-addext',
    'keyUsage=critical,digitalSignature',
    '-addext',
    'extendedKeyUsage=serverAuth',
  ]);
  const [caPem, cert, key] = await Promise.all(
    [p('ca.pem'), p('server.pem'), p('server.key')].map((f) => readFile(f, 'utf8')),
  );
  // The CA private key is not needed once the server certificate exists.
  await rm(p('ca.key'), { force: true });
  return { caPem, cert, key };
}

/** Generates a trusted and an untrusted CA, each with a server certificate for 127.0.0.1/localhost. */
export async function generateLabCerts(): Promise<LabCerts> {
  const dir = await mkdtemp(join(tmpdir(), 'hcxmon-lab-'));
  try {
    const [trusted, untrusted] = await Promise.all([makePair(dir, 'trusted'), makePair(dir, 'untrusted')]);
    const caFile = join(dir, 'lab-ca.pem');
    await writeFile(caFile, trusted.caPem, { mode: 0o644 });
    return { dir, trusted, untrusted, caFile, remove: () => rm(dir, { recursive: true, force: true }) };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    const msg =
      (err as { code?: string }).code === 'ENOENT' ? 'the openssl CLI is not installed' : (err as Error).message;
    throw new Error(`lab: could not generate certificates: ${msg}`);
  }
}
