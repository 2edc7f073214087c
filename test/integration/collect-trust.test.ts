import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { resolveTrust } from '../../lib/collect/hcx/tls';
import { sharedSecureContext } from '../../lib/collect/hcx/http';

describe('CA bundles are read once per change, not once per target', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hcxmon-ca-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('hands out the same bundle (and TLS context) until the file changes, then the new content', () => {
    const file = join(dir, 'ca.pem');
    writeFileSync(file, '-----BEGIN CERTIFICATE-----\nfirst\n-----END CERTIFICATE-----\n');
    const a = resolveTrust({ caFiles: [file] });
    const b = resolveTrust({ caFiles: [file] });
    expect(b.ca).toBe(a.ca);
    expect(a.ca?.at(-1)).toContain('first');

    writeFileSync(file, '-----BEGIN CERTIFICATE-----\nsecond one\n-----END CERTIFICATE-----\n');
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const c = resolveTrust({ caFiles: [file] });
    expect(c.ca).not.toBe(a.ca);
    expect(c.ca?.at(-1)).toContain('second one');
  });

  it('keeps the pin per call and reports an unreadable file as a configuration error', () => {
    const file = join(dir, 'pin.pem');
    writeFileSync(file, 'x');
    expect(resolveTrust({ caFiles: [file], certSha256: 'AA:'.repeat(31) + 'AA' }).pin).toBeDefined();
    expect(resolveTrust({ caFiles: [file] }).pin).toBeUndefined();
    expect(() => resolveTrust({ caFiles: [join(dir, 'missing.pem')] })).toThrow(/cannot read CA file/);
  });

  it('reuses one TLS context for one bundle', () => {
    const ca = [...rootCertificates];
    expect(sharedSecureContext(ca)).toBe(sharedSecureContext(ca));
  });
});
