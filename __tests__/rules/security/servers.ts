/**
 * Real servers for the live rules' tests: HTTPS with a certificate made in the test, plain HTTP, each
 * on 127.0.0.1 with a port the kernel picks, plus the `resolve` entry that sends a production-like
 * host name there. Nothing here knows about a particular rule, so any live rule's tests can use it.
 */
import http, { type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import { createCA, issueCert, type CertificateAuthority, type IssueOptions } from '../../../sandbox/certs.js';
import type { Settings } from '../../../src/settings.js';
import { settingsFor, tempRepo } from '../../helpers.js';

export const APP_HOST = 'app.acme-saas.com';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
}

export interface TestServer {
  /** The host name clients use (a production-like name, resolved to `address`). */
  host: string;
  address: string;
  port: number;
  /** `host:port:address`, a line of the `resolve` input. */
  resolve: string;
  /** `https://host:port` or `http://host:port`. */
  origin: string;
  url(path?: string): string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export interface HttpsServerOptions {
  host?: string;
  /** The certificate to serve; by default one for `host` from `ca`. */
  cert?: { certPem: string; keyPem: string };
  /** Issues the default certificate (and takes `certOptions` for it). */
  ca?: CertificateAuthority;
  certOptions?: Partial<IssueOptions>;
  handler: RequestListener;
  /** TLS versions and ciphers the server accepts (default: Node's, TLS 1.2 and up). */
  tls?: Pick<SecureContextOptions, 'minVersion' | 'maxVersion' | 'ciphers'>;
}

async function listening(server: http.Server, scheme: 'http' | 'https', host: string, requests: RecordedRequest[]): Promise<TestServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const origin = `${scheme}://${host}:${port}`;
  return {
    host,
    address,
    port,
    resolve: `${host}:${port}:${address}`,
    origin,
    url: (path = '/') => `${origin}${path}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function recording(handler: RequestListener, requests: RecordedRequest[]): RequestListener {
  return (req, res) => {
    requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers });
    handler(req, res);
  };
}

export async function startHttpsServer(options: HttpsServerOptions): Promise<TestServer> {
  const host = options.host ?? APP_HOST;
  const cert = options.cert ?? issueCert(options.ca ?? createCA('Test CA'), { hosts: [host], ...options.certOptions });
  const requests: RecordedRequest[] = [];
  const server = https.createServer({ cert: cert.certPem, key: cert.keyPem, ...options.tls }, recording(options.handler, requests));
  return listening(server, 'https', host, requests);
}

export async function startHttpServer(options: { host?: string; handler: RequestListener }): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer(recording(options.handler, requests));
  return listening(server, 'http', options.host ?? APP_HOST, requests);
}

/** A hosting platform's port-80 listener: 301 to the same path on `target` (an origin). */
export function redirectTo(target: string): RequestListener {
  return (req, res) => {
    res.writeHead(301, { location: `${target}${req.url ?? '/'}`, 'content-type': 'text/plain' }).end('Moved');
  };
}

/** Answers 200 HTML with the given headers (repeated headers as arrays) on every path. */
export function htmlPage(headers: () => Record<string, string | string[]>): RequestListener {
  return (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...headers() }).end('<!DOCTYPE html><title>Sign in</title>');
  };
}

/** A CA and its certificate written as a `ca-file`. */
export function testCa(name = 'Acme Test CA'): { ca: CertificateAuthority; caFile: string; cleanup(): void } {
  const ca = createCA(name);
  const dir = tempRepo({ 'ca.pem': ca.certPem });
  return { ca, caFile: `${dir.dir}/ca.pem`, cleanup: dir.cleanup };
}

export interface LiveSettingsOptions {
  /** Servers reached through `resolve`; the first HTTPS one's origin is APP_URL unless env sets it. */
  servers: readonly TestServer[];
  env?: Record<string, string | undefined>;
  caFile?: string;
  inputs?: Record<string, string>;
}

/** Settings that point the gate at test servers, the way a user points it at a deployment. */
export function liveSettings(options: LiveSettingsOptions): Promise<Settings> {
  const app = options.servers.find((s) => s.origin.startsWith('https://'));
  return settingsFor(
    { APP_URL: app?.origin, ...options.env },
    {
      inputs: {
        resolve: options.servers.map((s) => s.resolve).join('\n'),
        'timeout-seconds': '2',
        ...(options.caFile ? { 'ca-file': options.caFile } : {}),
        ...options.inputs,
      },
    },
  );
}
