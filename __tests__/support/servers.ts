/**
 * A real HTTPS server on 127.0.0.1 for a production-looking host name, with a certificate from a CA
 * made here; the gate reaches it through a `resolve` entry, as it would reach a new deployment.
 */
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCA, issueCert, type CertificateAuthority } from '../../sandbox/certs.js';

export interface TestSite {
  host: string;
  port: number;
  origin: string;
  /** `resolve` input line for this site. */
  resolve: string;
  ca: CertificateAuthority;
  /** Writes the CA to `<dir>/ca.pem` and returns the path (the `ca-file` input). */
  caFile(dir: string): string;
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage & { body: string }, res: ServerResponse) => void;

export async function startSite(handler: Handler, options: { host?: string; ca?: CertificateAuthority } = {}): Promise<TestSite> {
  const host = options.host ?? 'app.acme-saas.com';
  const ca = options.ca ?? createCA('Test Sites CA');
  const cert = issueCert(ca, { hosts: [host] });
  const server = https.createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => handler(Object.assign(req, { body }), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    host,
    port,
    origin: `https://${host}:${port}`,
    resolve: `${host}:${port}:127.0.0.1`,
    ca,
    caFile(dir) {
      const path = join(dir, 'site-ca.pem');
      writeFileSync(path, ca.certPem);
      return path;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
