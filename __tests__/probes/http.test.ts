/**
 * The HTTP probe layer against real HTTPS servers on 127.0.0.1 with certificates made here: resolve,
 * extra CAs, retries, deadlines, redirects and body caps.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { HttpClient, ProbeError, USER_AGENT } from '../../src/probes/http.js';
import { inspectTls } from '../../src/probes/tls.js';
import { createCA, issueCert } from '../../sandbox/certs.js';
import { freePort } from '../../sandbox/net.js';

const HOST = 'app.acme-saas.com';
const ca = createCA('Probe Test CA');
let server: https.Server;
let port: number;
const hits = new Map<string, number>();

function handler(req: IncomingMessage, res: ServerResponse): void {
  const path = req.url ?? '/';
  hits.set(path, (hits.get(path) ?? 0) + 1);
  if (path === '/sni') return void res.writeHead(200, { 'x-host': req.headers.host ?? '', 'x-sni': String((req.socket as TLSSocket).servername) }).end();
  if (path === '/ok') return void res.writeHead(200, { 'content-type': 'text/plain', 'x-ua': req.headers['user-agent'] ?? '', 'x-host': req.headers.host ?? '' }).end('hello');
  if (path === '/flaky') return void (hits.get(path)! < 3 ? res.writeHead(503).end() : res.writeHead(200).end('recovered'));
  if (path === '/always-500') return void res.writeHead(500).end();
  if (path === '/forbidden') return void res.writeHead(403).end();
  if (path === '/loop-a') return void res.writeHead(302, { location: '/loop-b' }).end();
  if (path === '/loop-b') return void res.writeHead(302, { location: '/loop-a' }).end();
  if (path.startsWith('/chain/')) {
    const n = Number(path.split('/')[2]);
    return void res.writeHead(302, { location: `/chain/${n + 1}` }).end();
  }
  if (path === '/hang') return; // never answers
  if (path === '/endless') {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const chunk = Buffer.alloc(64 * 1024, 120);
    const pump = () => {
      while (res.write(chunk)) {
        if (res.destroyed) return;
      }
      res.once('drain', pump);
    };
    pump();
    return;
  }
  res.writeHead(404).end();
}

before(async () => {
  const cert = issueCert(ca, { hosts: [HOST] });
  server = https.createServer({ cert: cert.certPem, key: cert.keyPem }, handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

function client(options: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}) {
  return new HttpClient({ resolve: [{ host: HOST, port, address: '127.0.0.1' }], ca: ca.certPem, timeoutMs: 2000, backoffMs: 20, ...options });
}
const url = (path: string) => `https://${HOST}:${port}${path}`;

test('resolve sends the request to the given address; the certificate is checked against the real host name', async () => {
  const c = client();
  const r = await c.request({ url: url('/ok') });
  c.close();
  assert.equal(r.status, 200);
  assert.equal(r.body, 'hello');
  assert.equal(r.headers['x-host'], `${HOST}:${port}`);
  assert.equal(r.headers['x-ua'], USER_AGENT);
  assert.match(USER_AGENT, /^production-readiness-gate\//);
  assert.equal(r.tls?.authorized, true);
  assert.deepEqual(r.tls?.certificate?.altNames, [HOST]);
  assert.deepEqual(c.records.map((x) => [x.method, x.status]), [['GET', 200]]);
});

test('hostHeader forges the Host header only: the TLS server name, the certificate check and the resolve address stay the real host\'s', async () => {
  const c = client();
  const r = await c.request({ url: url('/sni'), hostHeader: 'prg-0123456789ab.invalid' });
  const plain = await c.request({ url: url('/sni') });
  c.close();
  assert.deepEqual([r.status, r.headers['x-host'], r.headers['x-sni'], r.tls?.authorized], [200, 'prg-0123456789ab.invalid', HOST, true]);
  assert.deepEqual([plain.headers['x-host'], plain.headers['x-sni']], [`${HOST}:${port}`, HOST]);
});

test('a certificate from a CA the client was not given fails as a TLS error', async () => {
  const c = client({ ca: undefined });
  await assert.rejects(c.request({ url: url('/ok') }), (e: unknown) => e instanceof ProbeError && e.kind === 'tls' && /SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY/.test(e.message));
  c.close();
});

test('a host name the certificate does not cover fails as a TLS error', async () => {
  const c = new HttpClient({ resolve: [{ host: 'other.acme-saas.com', port, address: '127.0.0.1' }], ca: ca.certPem, timeoutMs: 2000 });
  await assert.rejects(c.request({ url: `https://other.acme-saas.com:${port}/ok` }), (e: unknown) => e instanceof ProbeError && e.kind === 'tls' && /ERR_TLS_CERT_ALTNAME_INVALID/.test(e.message));
  c.close();
});

test('5xx is retried with backoff; 4xx is not; POST is not retried by default', async () => {
  const c = client();
  const flaky = await c.request({ url: url('/flaky') });
  assert.equal(flaky.status, 200);
  assert.equal(flaky.attempts, 3);
  const forbidden = await c.request({ url: url('/forbidden') });
  assert.equal(forbidden.status, 403);
  assert.equal(forbidden.attempts, 1);
  const before500 = hits.get('/always-500') ?? 0;
  const post = await c.request({ url: url('/always-500'), method: 'POST', body: '{}' });
  assert.equal(post.attempts, 1);
  assert.equal(hits.get('/always-500')! - before500, 1);
  c.close();
});

test('a refused connection fails after bounded retries, naming the URL', async () => {
  const closed = await freePort();
  const c = new HttpClient({ resolve: [{ host: HOST, port: closed, address: '127.0.0.1' }], timeoutMs: 1000, backoffMs: 10 });
  await assert.rejects(c.request({ url: `https://${HOST}:${closed}/` }), (e: unknown) => e instanceof ProbeError && e.kind === 'connect' && e.message.includes(`https://${HOST}:${closed}/`) && /ECONNREFUSED/.test(e.message));
  assert.equal(c.records[0]!.attempts, 3, 'the first try and two retries, no more');
  c.close();
});

test('a target that hangs fails at the deadline', async () => {
  const c = client({ timeoutMs: 300, retries: 0 });
  const before = hits.get('/hang') ?? 0;
  await assert.rejects(c.request({ url: url('/hang') }), (e: unknown) => e instanceof ProbeError && e.kind === 'timeout' && /no complete answer within 300 ms/.test(e.message));
  // The request reached the server and the client gave up on it (not a connection failure).
  assert.equal(hits.get('/hang')! - before, 1);
  c.close();
});

test('redirects: loops and chains past the limit fail clearly; a redirect is reported, not followed, by default', async () => {
  const c = client();
  await assert.rejects(c.request({ url: url('/loop-a'), followRedirects: true }), (e: unknown) => e instanceof ProbeError && e.kind === 'redirect-loop' && /loop-a → .*loop-b → .*loop-a/.test(e.message));
  await assert.rejects(c.request({ url: url('/chain/0'), followRedirects: true }), (e: unknown) => e instanceof ProbeError && e.kind === 'too-many-redirects');
  const plain = await c.request({ url: url('/loop-a') });
  assert.equal(plain.status, 302);
  assert.equal(plain.headers.location, '/loop-b');
  c.close();
});

test('an endless body is cut at the cap and the probe still ends', async () => {
  const c = client({ maxBodyBytes: 256 * 1024 });
  const r = await c.request({ url: url('/endless') });
  assert.equal(r.bodyTruncated, true);
  assert.equal(Buffer.byteLength(r.body), 256 * 1024);
  c.close();
});

test('inspectTls reads an untrusted or misnamed certificate instead of stopping at it', async () => {
  const resolve = [{ host: HOST, port, address: '127.0.0.1' }];
  const trusted = await inspectTls(HOST, port, { resolve, ca: ca.certPem, timeoutMs: 2000 });
  assert.equal(trusted.chainTrusted, true);
  assert.equal(trusted.hostMatches, true);
  assert.match(trusted.protocol ?? '', /TLSv1\.[23]/);
  const untrusted = await inspectTls(HOST, port, { resolve, timeoutMs: 2000 });
  assert.equal(untrusted.chainTrusted, false);
  assert.match(untrusted.chainError ?? '', /SELF_SIGNED|UNABLE/);
  const misnamed = await inspectTls('www.acme-saas.com', port, { resolve: [{ host: 'www.acme-saas.com', port, address: '127.0.0.1' }], ca: ca.certPem, timeoutMs: 2000 });
  assert.equal(misnamed.hostMatches, false);
  assert.ok(misnamed.certificate.validTo > new Date(), "the certificate is still valid: the failure is its name");
});

test('getShared makes one request for concurrent readers of the same page', async () => {
  const c = client();
  const before = hits.get('/ok') ?? 0;
  const [a, b, d] = await Promise.all([c.getShared(url('/ok')), c.getShared(url('/ok')), c.getShared(url('/ok'))]);
  assert.equal(a, b);
  assert.equal(b, d);
  assert.equal(hits.get('/ok')! - before, 1);
  c.close();
});
