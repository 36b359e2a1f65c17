/**
 * Test helpers: reach the sandbox app the way the gate does, by its production host name on the
 * sandbox's loopback address, trusting only the sandbox CA.
 */
import https from 'node:https';
import type http from 'node:http';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import fs from 'node:fs';
import type { Sandbox } from '../../sandbox/index.js';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The server certificate, as seen by the client. */
  cert: PeerCertificate;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** TLS server name (default: the app host). */
  servername?: string;
}

export function appRequest(sandbox: Sandbox, path: string, options: RequestOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: sandbox.address,
        port: sandbox.ports.https,
        servername: options.servername ?? sandbox.hosts.app,
        ca: fs.readFileSync(sandbox.caFile),
        method: options.method ?? 'GET',
        path,
        headers: { host: sandbox.hosts.app, ...options.headers },
        agent: false,
      },
      (res) => {
        const cert = (res.socket as TLSSocket).getPeerCertificate();
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), cert }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export function json<T = Record<string, unknown>>(reply: Reply): T {
  return JSON.parse(reply.body) as T;
}
