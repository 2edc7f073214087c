import * as fs from 'node:fs';
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { PeerCertificate } from 'node:tls';
import { CollectionError } from '../../errors';
import { classifyNetworkError } from './errors';

/**
 * TLS trust for one HCX endpoint. Verification is never switched off; trust is widened only by configuration:
 * - the system store (Node's bundled roots, plus NODE_EXTRA_CA_CERTS) is always trusted;
 * - HCXMON_HCX_CA_FILE and a per-target `caFile` add PEM bundles on top;
 * - a per-target `certSha256` pin trusts exactly one presented certificate (see `pinnedAgentOptions`).
 */
export interface TrustSpec {
  /** PEM files to trust in addition to the system store. */
  caFiles: string[];
  /** SHA-256 fingerprint of the certificate the endpoint must present. */
  certSha256?: string;
}

export interface ResolvedTrust {
  /** `undefined` = Node's defaults (system store) untouched. */
  ca?: string[];
  pin?: string;
}

/** Normalises a fingerprint to upper-case hex pairs joined by `:`, the form Node's `fingerprint256` uses. */
export function normalizeFingerprint(fp: string): string {
  const hex = fp.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
  if (hex.length !== 64) throw new CollectionError('config', 'certSha256 is not a SHA-256 fingerprint (64 hex digits)');
  return hex.match(/../g)!.join(':');
}

/** Resolved bundles by file list, re-read only when a file changes (a 1000-target scan reads them once). */
const bundles = new Map<string, { stamp: string; ca: string[] }>();

function stampOf(files: readonly string[]): string {
  return files
    .map((f) => {
      const st = fs.statSync(f);
      return `${f}:${st.mtimeMs}:${st.size}`;
    })
    .join('|');
}

export function resolveTrust(spec: TrustSpec, source: 'hcx' | 'appliance' = 'hcx'): ResolvedTrust {
  const key = spec.caFiles.join('\n');
  let stamp: string | undefined;
  try {
    stamp = spec.caFiles.length ? `${stampOf(spec.caFiles)}|${process.env.NODE_EXTRA_CA_CERTS ?? ''}` : undefined;
  } catch {
    stamp = undefined; // unreadable: the read below reports it
  }
  const cached = stamp !== undefined ? bundles.get(key) : undefined;
  if (cached && cached.stamp === stamp) {
    const out: ResolvedTrust = { ca: cached.ca };
    if (spec.certSha256) out.pin = normalizeFingerprint(spec.certSha256);
    return out;
  }
  const extra: string[] = [];
  for (const file of spec.caFiles) {
    try {
      extra.push(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      throw new CollectionError(
        'config',
        `cannot read CA file ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
        {
          source,
        },
      );
    }
  }
  const out: ResolvedTrust = {};
  if (extra.length > 0) {
    // `ca` replaces Node's default store, so the system roots (and NODE_EXTRA_CA_CERTS) are put back explicitly.
    const ca = [...tls.rootCertificates];
    const nodeExtra = process.env.NODE_EXTRA_CA_CERTS;
    if (nodeExtra) {
      try {
        ca.push(fs.readFileSync(nodeExtra, 'utf8'));
      } catch {
        // Node itself only warns about an unreadable NODE_EXTRA_CA_CERTS; so do we (by ignoring it).
      }
    }
    out.ca = [...ca, ...extra];
    if (stamp !== undefined) {
      if (bundles.size > 64) bundles.clear();
      bundles.set(key, { stamp, ca: out.ca });
    }
  }
  if (spec.certSha256) out.pin = normalizeFingerprint(spec.certSha256);
  return out;
}

export function derToPem(der: Buffer): string {
  const b64 = der
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

/**
 * Reads the certificate an endpoint presents, over a handshake that is fully verified against `ca`.
 *
 * HCX ships self-signed certificates, so that handshake usually FAILS verification; the socket is then torn
 * down by Node before any request is written. We capture the peer certificate at that moment (by wrapping the
 * socket's `destroy`, the only point where Node still holds it) purely to hash it. Nothing is ever sent over
 * an unverified connection; the caller compares the hash with the configured pin and, only on a match,
 * connects again with that certificate as the sole trust anchor (`pinnedAgentOptions`).
 */
export function probePresentedCertificate(
  url: URL,
  ca: string[] | undefined,
  timeoutMs: number,
  source: 'hcx' | 'appliance',
  call: string,
): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    let captured: PeerCertificate | undefined;
    let done = false;
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const socket = tls.connect({
      host,
      port: Number(url.port || 443),
      servername: net.isIP(host) ? undefined : host,
      ca,
    });
    const capture = (): void => {
      if (captured) return;
      try {
        const c = socket.getPeerCertificate(true);
        if (c && c.raw) captured = c;
      } catch {
        // no certificate available (the handshake never got that far)
      }
    };
    const origDestroy = socket.destroy.bind(socket);
    socket.destroy = ((err?: Error) => {
      capture();
      return origDestroy(err);
    }) as typeof socket.destroy;
    const finish = (err?: unknown): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      origDestroy();
      if (captured) resolve(captured);
      else if (err) {
        const cls = classifyNetworkError(err);
        reject(new CollectionError(cls, `${call}: ${cls} while reading the presented certificate`, { source, call }));
      } else reject(new CollectionError('tls', `${call}: tls: no certificate presented`, { source, call }));
    };
    const timer = setTimeout(() => {
      const e = Object.assign(new Error('timeout'), { code: 'HCXMON_TIMEOUT' });
      finish(e);
    }, timeoutMs);
    socket.once('secureConnect', () => {
      capture();
      finish();
    });
    socket.once('error', (err) => finish(err));
  });
}

/**
 * Agent options for a pinned endpoint: the presented certificate (already matched against the pin) is the ONLY
 * trust anchor — `allowPartialTrustChain` lets OpenSSL accept it even when it is a leaf issued by some CA we do
 * not know — and `checkServerIdentity` requires the fingerprint to match on every new connection, so a swapped
 * certificate later in the scan is refused. The hostname check is replaced by the fingerprint check on purpose:
 * the pin is the identity the operator configured.
 */
export function pinnedAgentOptions(cert: PeerCertificate, pin: string): tls.ConnectionOptions {
  return {
    ca: [derToPem(cert.raw)],
    allowPartialTrustChain: true,
    checkServerIdentity: (_host: string, presented: PeerCertificate) =>
      presented.fingerprint256 === pin
        ? undefined
        : Object.assign(new Error('certificate fingerprint does not match the pin'), { code: 'ERR_TLS_CERT_PIN' }),
  };
}
