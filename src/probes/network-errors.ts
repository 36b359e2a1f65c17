/**
 * One sentence for a network failure, whoever hit it (the app's HTTPS probes, the database, Stripe,
 * Sentry): the cause in words a person acts on, never a raw library or OpenSSL string. The caller
 * names the component and the place; these functions name the cause.
 */

/** Node's and OpenSSL's codes for a certificate that does not pass verification. */
const CERTIFICATE: Record<string, string> = {
  CERT_HAS_EXPIRED: 'the certificate has expired',
  CERT_NOT_YET_VALID: 'the certificate is not valid yet (check the server clock and the certificate dates)',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'the certificate chain ends in a CA the runner does not trust (a private CA goes in ca-file)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the certificate is not signed by a CA the runner trusts (a private CA goes in ca-file; else the server may not send its intermediate certificate)',
  UNABLE_TO_GET_ISSUER_CERT: 'the certificate is not signed by a CA the runner trusts (a private CA goes in ca-file; else the server may not send its intermediate certificate)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the certificate is not signed by a CA the runner trusts (the server may not send its intermediate certificate)',
  CERT_SIGNATURE_FAILURE: 'the certificate signature does not verify',
  CERT_REVOKED: 'the certificate was revoked',
  CERT_UNTRUSTED: 'the certificate is not trusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the certificate does not name this host',
};

/** Handshakes that fail before any certificate is looked at. */
const HANDSHAKE: Record<string, string> = {
  ERR_SSL_WRONG_VERSION_NUMBER: 'the server does not speak TLS on this port (it answered something else, often plain HTTP)',
  ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: 'no TLS version both sides accept (the server offers only TLS 1.0 or 1.1, which the runner refuses)',
  ERR_SSL_UNSUPPORTED_PROTOCOL: 'no TLS version both sides accept (the server offers only TLS 1.0 or 1.1, which the runner refuses)',
  ERR_SSL_NO_PROTOCOLS_AVAILABLE: 'no TLS version both sides accept',
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'the TLS handshake was refused by the server (no cipher or protocol in common)',
  ERR_SSL_TLSV1_ALERT_INTERNAL_ERROR: 'the server ended the TLS handshake with an internal error',
  ERR_SSL_TLSV1_UNRECOGNIZED_NAME: 'the server does not know this host name (SNI)',
  ERR_SSL_PACKET_LENGTH_TOO_LONG: 'the server does not speak TLS on this port',
  EPROTO: 'the TLS handshake failed',
};

const SOCKET: Record<string, string> = {
  ECONNREFUSED: 'the connection was refused: nothing listens there',
  ECONNRESET: 'the connection was reset',
  EPIPE: 'the connection was reset',
  ECONNABORTED: 'the connection was aborted',
  EHOSTUNREACH: 'the host could not be reached (no route)',
  ENETUNREACH: 'the network is unreachable from the runner',
  ETIMEDOUT: 'the connection timed out',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve (DNS did not answer)',
  UND_ERR_SOCKET: 'the connection was reset',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
};

/** An answer HTTP cannot read: the server spoke, but not as browsers accept. */
const PARSE: Record<string, string> = {
  HPE_HEADER_OVERFLOW: 'the response headers are larger than 256 KiB, which browsers refuse too (Chromium: ERR_RESPONSE_HEADERS_TOO_BIG)',
  HPE_INVALID_HEADER_TOKEN: 'the response has a header that is not valid HTTP',
  HPE_INVALID_CONSTANT: 'the answer is not HTTP',
  HPE_INVALID_VERSION: 'the answer is not HTTP/1.x',
  HPE_INVALID_STATUS: 'the answer has an invalid status line',
  HPE_INVALID_CHUNK_SIZE: 'the response body has an invalid chunk size',
  HPE_UNEXPECTED_CONTENT_LENGTH: 'the response has both Content-Length and Transfer-Encoding',
};

export type NetworkCauseKind = 'certificate' | 'handshake' | 'dns' | 'socket' | 'http' | 'unknown';

export interface NetworkCause {
  kind: NetworkCauseKind;
  /** The cause in words, without the place: "the certificate has expired". */
  text: string;
  code?: string;
}

/** What went wrong, from an error's `code` (falling back on what its message says, never quoting it). */
export function networkCause(error: unknown): NetworkCause {
  const err = error as { code?: string; message?: string; cause?: unknown } | undefined;
  const code = typeof err?.code === 'string' ? err.code : undefined;
  if (code && CERTIFICATE[code]) return { kind: 'certificate', text: CERTIFICATE[code]!, code };
  if (code && HANDSHAKE[code]) return { kind: 'handshake', text: HANDSHAKE[code]!, code };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { kind: 'dns', text: SOCKET[code]!, code };
  if (code && SOCKET[code]) return { kind: 'socket', text: SOCKET[code]!, code };
  if (code && PARSE[code]) return { kind: 'http', text: PARSE[code]!, code };
  if (code?.startsWith('HPE_')) return { kind: 'http', text: 'the answer is not valid HTTP', code };
  const message = String(err?.message ?? '');
  if (code?.startsWith('ERR_SSL_') || /ssl|tls/i.test(message)) return { kind: 'handshake', text: 'the TLS handshake failed', code };
  if (/socket hang up/i.test(message)) return { kind: 'socket', text: 'the connection was closed before an answer', code: code ?? 'ECONNRESET' };
  if (err?.cause && err.cause !== error) return networkCause(err.cause);
  return { kind: 'unknown', text: 'the connection failed', code };
}

/** "the certificate has expired (CERT_HAS_EXPIRED)" */
export function describeCause(error: unknown): string {
  const cause = networkCause(error);
  return cause.code ? `${cause.text} (${cause.code})` : cause.text;
}
