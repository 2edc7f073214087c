import type { ErrorClass } from '../../domain/inventory';
import { CollectionError } from '../../errors';

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_TLS_CERT_PIN',
  'EPROTO',
]);

/** Maps a Node/OpenSSL transport error to the product's error classes (by code, never by message text). */
export function classifyNetworkError(err: unknown): ErrorClass {
  const code = String((err as { code?: unknown })?.code ?? '');
  if (code === 'HCXMON_TIMEOUT' || code === 'HCXMON_ABANDONED' || code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT')
    return 'timeout';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL' || code === 'EAI_NONAME') return 'dns';
  if (TLS_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code.includes('CERT'))
    return 'tls';
  if (code === 'HCXMON_TOO_LARGE') return 'malformed';
  // Refused, reset, unreachable: the endpoint could not be talked to.
  return 'refused';
}

/** A short, credential-free description of a transport error: its code only. */
export function networkErrorCode(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^[A-Z0-9_]+$/.test(code) ? code : 'network error';
}

/** Errors worth a retry: the connection failed or was cut, not a certificate or name problem. */
export function isRetryableNetworkError(err: unknown): boolean {
  const cls = classifyNetworkError(err);
  return cls === 'refused';
}

export function collectionError(
  errorClass: ErrorClass,
  source: 'hcx' | 'appliance' | 'arm',
  call: string,
  detail: string,
  status?: number,
): CollectionError {
  return new CollectionError(errorClass, `${call}: ${errorClass}${detail ? ` (${detail})` : ''}`, { source, call, status });
}
