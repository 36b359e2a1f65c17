/**
 * A look at a server's TLS that does not stop at the first problem: the connection is made without
 * rejecting the certificate, and the verdict (trusted chain, host name match) is read from it, so a
 * rule can say "expired 3 days ago" rather than only "TLS failed".
 */
import { checkServerIdentity, connect, rootCertificates, type PeerCertificate } from 'node:tls';
import { isIP } from 'node:net';
import type { ResolveEntry } from '../settings.js';
import { certificateInfo, findResolve, ProbeError, type CertificateInfo } from './http.js';
import { describeCause, networkCause } from './network-errors.js';

export interface TlsInspection {
  host: string;
  port: number;
  /** The address connected to (from `resolve`, else the host name). */
  address: string;
  protocol: string | null;
  cipher: string;
  /** The chain verifies against Node's store plus `ca-file`. */
  chainTrusted: boolean;
  chainError?: string;
  /** The certificate names the host. */
  hostMatches: boolean;
  hostError?: string;
  certificate: CertificateInfo;
  /** Subjects from the leaf up, as the server sent them. */
  chain: string[];
}

export interface InspectTlsOptions {
  resolve?: readonly ResolveEntry[];
  ca?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export function inspectTls(host: string, port: number, options: InspectTlsOptions): Promise<TlsInspection> {
  const override = findResolve(options.resolve, host, port);
  const address = override?.address ?? host;
  const where = `${host}:${port}`;
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: address,
      port,
      servername: isIP(host) ? undefined : host,
      ca: options.ca ? [...rootCertificates, options.ca] : undefined,
      rejectUnauthorized: false,
    });
    options.signal?.addEventListener('abort', () => socket.destroy(), { once: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ProbeError('timeout', `https://${where}`, `${where}: no TLS handshake within ${options.timeoutMs / 1000} s`));
    }, options.timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const peer = socket.getPeerCertificate(true);
      const identity = checkServerIdentity(host, peer as PeerCertificate);
      const chain: string[] = [];
      let cert: PeerCertificate | undefined = peer;
      const seen = new Set<string>();
      while (cert && cert.subject && !seen.has(cert.fingerprint256)) {
        seen.add(cert.fingerprint256);
        chain.push(String(cert.subject.CN ?? Object.values(cert.subject).join(' ')));
        cert = (cert as { issuerCertificate?: PeerCertificate }).issuerCertificate;
      }
      // Node's `authorized` is also false when only the host name does not match (the chain itself
      // verified); the name is judged separately below, so that case counts as a trusted chain.
      const authError = socket.authorizationError ? String(socket.authorizationError) : undefined;
      const nameOnly = authError !== undefined && /ALTNAME|does not match certificate/i.test(authError);
      resolve({
        host,
        port,
        address,
        protocol: socket.getProtocol(),
        cipher: socket.getCipher()?.name ?? '',
        chainTrusted: socket.authorized || nameOnly,
        chainError: nameOnly ? undefined : authError,
        hostMatches: identity === undefined,
        hostError: identity?.message,
        certificate: certificateInfo(peer),
        chain,
      });
      socket.end();
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      // One sentence naming the cause, never OpenSSL's own string ("…:error:0A00010B:SSL routines:…").
      const cause = networkCause(error);
      const kind = cause.kind === 'dns' ? 'dns' : cause.kind === 'certificate' || cause.kind === 'handshake' ? 'tls' : 'connect';
      reject(new ProbeError(kind, `https://${where}`, `${where}: ${kind === 'tls' ? 'TLS failed: ' : ''}${describeCause(error)}`, error.code));
    });
  });
}
