/**
 * Does the server still accept TLS 1.0 or 1.1? The normal probe (Node's defaults, TLS 1.2 minimum)
 * only learns the best version both sides speak; this one offers nothing newer than 1.1 (security.tls
 * asks both).
 *
 * OpenSSL 3 refuses the old versions at its default security level, hence `@SECLEVEL=0` for this
 * one connection. A Node built without TLS 1.0/1.1 at all fails the handshake, which reads as "not
 * accepted": the check can miss a server that accepts them, never invent one.
 */
import { connect } from 'node:tls';
import { isIP } from 'node:net';
import { findResolve } from './http.js';
import type { ResolveEntry } from '../settings.js';

export interface LegacyTlsOptions {
  resolve?: readonly ResolveEntry[];
  timeoutMs: number;
  signal?: AbortSignal;
}

/** The legacy protocol the server agreed to (`TLSv1`, `TLSv1.1`), or undefined when it refused or did not answer. */
export function legacyTlsProtocol(host: string, port: number, options: LegacyTlsOptions): Promise<string | undefined> {
  const address = findResolve(options.resolve, host, port)?.address ?? host;
  return new Promise((resolve) => {
    let settled = false;
    const done = (protocol: string | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', abort);
      socket.destroy();
      resolve(protocol);
    };
    const abort = () => done(undefined);
    const socket = connect({
      host: address,
      port,
      servername: isIP(host) ? undefined : host,
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1.1',
      ciphers: 'DEFAULT@SECLEVEL=0',
      // Only the protocol is asked here; security.tls judges the certificate on the normal probe.
      rejectUnauthorized: false,
    });
    const timer = setTimeout(abort, options.timeoutMs);
    options.signal?.addEventListener('abort', abort, { once: true });
    socket.once('secureConnect', () => done(socket.getProtocol() ?? undefined));
    socket.once('error', () => done(undefined));
    socket.once('close', () => done(undefined));
  });
}
