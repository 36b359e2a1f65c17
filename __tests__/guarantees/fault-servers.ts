/**
 * Small servers that stand in for a faulty world next to the good sandbox: an app that is down, hangs,
 * trickles, fails, answers endlessly, loops, or shows a bad certificate; a database that hangs or has
 * no TLS; an API that fails or never answers. The gate is pointed at them through its inputs
 * (`resolve` entries, `stripe-api-base`, `sentry-api-base`, DATABASE_URL, GITHUB_API_URL), so the
 * sandbox itself stays good for the baseline and for the other tests.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { IssuedCert } from '../../sandbox/certs.js';
import { APP_HOST, type Sandbox } from '../../sandbox/index.js';
import { pickLoopbackAddress } from '../../sandbox/net.js';

export interface FaultServer {
  address: string;
  port: number;
  /** `http://address:port` for the API stand-ins. */
  url: string;
  close(): Promise<void>;
}

/** A loopback address on which `port` is free: connecting there is refused (nothing listens). */
export async function freeAddress(port: number, avoid: string[] = []): Promise<string> {
  const address = await pickLoopbackAddress([port], avoid);
  if (!address) throw new Error('no free loopback address (the 127/8 block is not routed here)');
  return address;
}

function tracked<T extends net.Server>(server: T, address: string, port: number): Promise<FaultServer> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  // TLS servers report their client sockets through secureConnection too; errors there are expected.
  server.on('tlsClientError', () => undefined);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: address, exclusive: true }, () => {
      const actual = (server.address() as net.AddressInfo).port;
      resolve({
        address,
        port: actual,
        url: `http://${address}:${actual}`,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/** Accepts connections and never says a word: a hung server, a firewall that holds the SYN-ACK'd socket. */
export function blackHole(address = '127.0.0.1', port = 0): Promise<FaultServer> {
  return tracked(net.createServer(() => undefined), address, port);
}

/** A plain-HTTP server (the Stripe, Sentry and GitHub API stand-ins, or plain HTTP on a TLS port). */
export function httpServer(handler: http.RequestListener, address = '127.0.0.1', port = 0): Promise<FaultServer> {
  return tracked(http.createServer(handler), address, port);
}

export function httpsServer(cert: IssuedCert, handler: http.RequestListener, address: string, port: number): Promise<FaultServer> {
  return tracked(https.createServer({ cert: cert.certPem, key: cert.keyPem }, handler), address, port);
}

/** Answers every request with the same status and JSON body, like an API having a bad day. */
export function jsonApi(status: number, body: unknown, headers: Record<string, string> = {}): Promise<FaultServer> {
  return httpServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body)));
  });
}

export interface Upstream {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** The sandbox app's own answer to a request (its HTTPS port, its certificate checked against its CA). */
export function fromSandbox(sandbox: Sandbox, req: http.IncomingMessage, body: Buffer): Promise<Upstream> {
  return new Promise((resolve, reject) => {
    const upstream = https.request(
      {
        host: sandbox.address,
        port: sandbox.ports.https,
        servername: APP_HOST,
        ca: sandbox.ca.certPem,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, 'accept-encoding': 'identity' },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    upstream.on('error', reject);
    upstream.end(body);
  });
}

/** Reads a request body, then answers through `reply`; a failure to reach the sandbox is a 502. */
export function proxyHandler(sandbox: Sandbox, reply: (req: http.IncomingMessage, res: http.ServerResponse, upstream: Upstream) => void): http.RequestListener {
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      fromSandbox(sandbox, req, Buffer.concat(chunks)).then(
        (upstream) => reply(req, res, upstream),
        () => res.writeHead(502).end(),
      );
    });
  };
}

/** The upstream headers minus those that describe the body as it was (length, encoding). */
export function passHeaders(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || ['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'content-encoding'].includes(name)) continue;
    out[name] = value;
  }
  return out;
}

/** Writes `total` bytes of filler with backpressure, stopping when the client goes away. */
export function writeFiller(res: http.ServerResponse, total: number, chunkBytes = 64 * 1024): void {
  const chunk = Buffer.alloc(chunkBytes, 'x');
  let sent = 0;
  const pump = () => {
    while (sent < total && !res.destroyed) {
      const n = Math.min(chunkBytes, total - sent);
      sent += n;
      if (!res.write(n === chunkBytes ? chunk : chunk.subarray(0, n))) return void res.once('drain', pump);
    }
    if (!res.destroyed) res.end();
  };
  pump();
}

/** A fake PostgreSQL that answers the SSLRequest with 'N' (ssl = off) and closes. */
export function postgresWithoutTls(address: string, port: number): Promise<FaultServer> {
  return tracked(
    net.createServer((socket) => {
      socket.once('data', (data) => {
        // SSLRequest: length 8, code 80877103.
        if (data.length >= 8 && data.readInt32BE(4) === 80877103) socket.write('N');
        else socket.end();
      });
    }),
    address,
    port,
  );
}
