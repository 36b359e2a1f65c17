/**
 * The fault matrix, the app's side: the deployed app refused, hung, trickling, failing, endless,
 * looping, behind a bad certificate or a name that does not resolve. The sandbox stays good; each
 * fault is a small server on another loopback address that the `resolve` input points the app's
 * HTTPS port at (guarantees/fault-servers.ts), judged by guarantees/fault-matrix.ts.
 *
 * Slow: 40-55 s measured on a loaded 2-core machine. The hanging cases wait for their bounds
 * (timeout-seconds 5: a request gives up after 5 s, a probe rule after 15 s), and every case is a run
 * of the bundle plus a baseline per selection; they run three at a time.
 */
import assert from 'node:assert/strict';
import type http from 'node:http';
import { APP_HOST, type Sandbox } from '../../sandbox/index.js';
import { issueCert } from '../../sandbox/certs.js';
import { blackHole, freeAddress, httpServer, httpsServer, passHeaders, proxyHandler, writeFiller, type FaultServer } from '../guarantees/fault-servers.js';
import { sandboxFaultMatrix, type Arranged, type FaultCase } from '../guarantees/fault-matrix.js';

const CHECKS = ['config.app-url', 'config.nextauth-url', 'config.enable-hsts', 'smoke.health', 'smoke.auth-pages', 'security.hsts', 'security.tls'];
const APP_RULES = ['smoke.health', 'smoke.auth-pages', 'security.hsts', 'security.tls'];
/** The app, by its host name, or by the route a rule requested from it. */
const APP = /app\.acme-saas\.com|the app\b|(GET|POST) \/|\/auth\//;
/** Every rule that reads the app's answers. */
const ALL_APP_RULES = [
  'smoke.health', 'smoke.auth-pages', 'smoke.auth-providers', 'smoke.register-api', 'smoke.login-flow', 'smoke.team-flow', 'smoke.billing-plans',
  'smoke.stripe-webhook', 'smoke.feature-gates', 'smoke.sentry', 'security.tls', 'security.hsts', 'security.csp', 'security.coep', 'security.headers',
  'security.cookies', 'stripe.sync-endpoint',
];

let sandbox: Sandbox;

/** The HTTPS port of the app pointed at another address (where a fault server listens, or nothing). */
function resolveAppTo(address: string): string {
  return sandbox.resolve.map((line) => (line.startsWith(`${APP_HOST}:${sandbox.ports.https}:`) ? `${APP_HOST}:${sandbox.ports.https}:${address}` : line)).join('\n');
}

/** Every port of the app's host (HTTPS and plain HTTP) pointed at an address where nothing listens. */
async function appEntirelyDown(): Promise<Arranged> {
  const address = await freeAddress(sandbox.ports.https, [sandbox.address]);
  return { inputs: { resolve: sandbox.resolve.map((line) => (line.startsWith(`${APP_HOST}:`) ? line.replace(/:[^:]+$/, `:${address}`) : line)).join('\n') } };
}

/** A fault server on a fresh loopback address at the app's HTTPS port, and the `resolve` input for it. */
async function appFault(start: (address: string, port: number) => Promise<FaultServer>): Promise<Arranged> {
  const address = await freeAddress(sandbox.ports.https, [sandbox.address, sandbox.ingestAddress]);
  const server = await start(address, sandbox.ports.https);
  return { inputs: { resolve: resolveAppTo(address) }, close: () => server.close() };
}

const goodCert = () => issueCert(sandbox.ca, { hosts: [APP_HOST] });

/** The sandbox's own answers, changed by `reply` (status, body) while its headers are kept. */
function proxied(reply: (res: http.ServerResponse, upstream: { status: number; headers: http.IncomingHttpHeaders; body: Buffer }) => void) {
  return appFault((address, port) => httpsServer(goodCert(), proxyHandler(sandbox, (_req, res, upstream) => reply(res, upstream)), address, port));
}

const cases: FaultCase[] = [
  {
    name: 'the app refuses connections',
    checks: CHECKS,
    affected: APP_RULES,
    component: APP,
    cause: /refused/,
    arrange: async () => ({ inputs: { resolve: resolveAppTo(await freeAddress(sandbox.ports.https, [sandbox.address])) } }),
  },
  {
    // Every rule that reads the app, so none that forgets to say "could not check" goes unnoticed.
    name: 'the app refuses connections, unreachable: warn (every rule that reads the app)',
    checks: ['config.app-url', ...ALL_APP_RULES],
    affected: ALL_APP_RULES,
    component: APP,
    cause: /refused/,
    unreachable: 'warn',
    arrange: async () => ({ inputs: { resolve: resolveAppTo(await freeAddress(sandbox.ports.https, [sandbox.address])) } }),
  },
  {
    // Both ports: the HTTPS probes and security.tls's plain-HTTP redirect check get no answer.
    name: 'the app is down entirely, unreachable: warn: every rule that reads it warns, security.tls included',
    checks: CHECKS,
    affected: APP_RULES,
    mustChange: ['smoke.health', 'security.tls'],
    component: APP,
    cause: /refused/,
    unreachable: 'warn',
    arrange: appEntirelyDown,
  },
  {
    name: 'the app answers 500, unreachable: warn: a real failure still blocks',
    checks: CHECKS,
    affected: APP_RULES,
    mustChange: ['smoke.health'],
    named: ['smoke.health'],
    component: APP,
    cause: /500/,
    unreachable: 'warn',
    realFailure: true,
    arrange: () => proxied((res, upstream) => res.writeHead(500, passHeaders(upstream.headers)).end('{"error":"Internal Server Error"}')),
  },
  {
    name: 'the certificate has expired, unreachable: warn: a real failure still blocks',
    checks: CHECKS,
    affected: APP_RULES,
    mustChange: ['security.tls'],
    named: ['security.tls'],
    component: /app\.acme-saas\.com|the certificate/,
    cause: /expired/,
    unreachable: 'warn',
    realFailure: true,
    arrange: () =>
      appFault((address, port) =>
        httpsServer(
          issueCert(sandbox.ca, { hosts: [APP_HOST], notBefore: new Date(Date.now() - 100 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) }),
          proxyHandler(sandbox, (_q, res, u) => res.writeHead(u.status, passHeaders(u.headers)).end(u.body)),
          address,
          port,
        ),
      ),
  },
  {
    // Browsers read up to 256 KiB of response headers; so must the probes.
    name: 'the app sends 40 KiB of response headers: read as browsers do, with a warning that proxies may refuse them',
    checks: ['config.app-url', 'smoke.health', 'smoke.auth-pages', 'security.hsts', 'security.headers'],
    affected: ['security.headers'],
    mustChange: ['security.headers'],
    component: /response headers/,
    cause: /KiB/,
    ready: true,
    arrange: () => proxied((res, upstream) => res.writeHead(upstream.status, { ...passHeaders(upstream.headers), 'x-padding': 'p'.repeat(40 * 1024) }).end(upstream.body)),
    verify: (_run, report) => assert.equal(report.rules.find((r) => r.id === 'security.headers')!.status, 'warn'),
  },
  {
    name: 'the app sends 300 KiB of response headers: more than browsers accept, and the cause says so',
    checks: ['config.app-url', 'smoke.health'],
    affected: ['smoke.health'],
    mustChange: ['smoke.health'],
    component: APP,
    cause: /larger than 256 KiB, which browsers refuse too/,
    arrange: () => proxied((res, upstream) => res.writeHead(upstream.status, { ...passHeaders(upstream.headers), 'x-padding': 'p'.repeat(300 * 1024) }).end(upstream.body)),
  },
  {
    name: 'the app accepts connections and never answers',
    checks: CHECKS,
    affected: APP_RULES,
    component: APP,
    cause: /no complete answer|did not finish|timed out|handshake/,
    arrange: () => appFault((address, port) => blackHole(address, port)),
  },
  {
    name: 'the app trickles its answers (a byte every 300 ms)',
    checks: CHECKS,
    affected: APP_RULES,
    mustChange: ['smoke.health'],
    component: APP,
    cause: /still arriving|no complete answer|did not finish/,
    arrange: () =>
      proxied((res, upstream) => {
        res.writeHead(upstream.status, passHeaders(upstream.headers));
        const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(' ')), 300);
        res.on('close', () => clearInterval(timer));
      }),
  },
  {
    name: 'the app answers 500',
    checks: CHECKS,
    affected: APP_RULES,
    mustChange: ['smoke.health', 'smoke.auth-pages'],
    named: ['smoke.health', 'smoke.auth-pages'],
    component: APP,
    cause: /500/,
    arrange: () => proxied((res, upstream) => res.writeHead(500, passHeaders(upstream.headers)).end('{"error":"Internal Server Error"}')),
  },
  {
    name: 'the app answers with a 50 MB body',
    checks: CHECKS,
    affected: APP_RULES,
    mustChange: ['smoke.health'],
    named: ['smoke.health'],
    component: APP,
    cause: /cut off after \d+ bytes|did not end/,
    arrange: () =>
      proxied((res, upstream) => {
        res.writeHead(upstream.status, passHeaders(upstream.headers));
        res.write(upstream.body);
        writeFiller(res, 50 * 1024 * 1024);
      }),
  },
  {
    name: 'the app redirects in a loop',
    checks: CHECKS,
    affected: APP_RULES,
    mustChange: ['smoke.health'],
    component: APP,
    cause: /loop|redirect|30[12]/,
    // The app's own headers, on a 302 that sends every page to the other of two URLs.
    arrange: () =>
      appFault((address, port) =>
        httpsServer(
          goodCert(),
          proxyHandler(sandbox, (req, res, upstream) => res.writeHead(302, { ...passHeaders(upstream.headers), location: req.url === '/loop-a' ? '/loop-b' : '/loop-a' }).end()),
          address,
          port,
        ),
      ),
  },
  {
    name: 'TLS fails: plain HTTP on the HTTPS port',
    checks: CHECKS,
    affected: APP_RULES,
    component: APP,
    cause: /TLS/,
    arrange: () => appFault((address, port) => httpServer((_req, res) => res.writeHead(200).end('plain'), address, port)),
  },
  {
    name: 'TLS fails: the certificate is for another host',
    checks: CHECKS,
    affected: APP_RULES,
    component: APP,
    cause: /does not name this host|is for `www\.other-saas\.net`, not `app\.acme-saas\.com`/,
    arrange: () => appFault((address, port) => httpsServer(issueCert(sandbox.ca, { hosts: ['www.other-saas.net'] }), proxyHandler(sandbox, (_q, res, u) => res.writeHead(u.status, passHeaders(u.headers)).end(u.body)), address, port)),
  },
  {
    name: 'TLS fails: the certificate has expired',
    checks: CHECKS,
    affected: APP_RULES,
    // security.tls judges the app's certificate and nothing else: "the certificate expired on …".
    component: /app\.acme-saas\.com|the certificate/,
    cause: /expired/,
    arrange: () =>
      appFault((address, port) =>
        httpsServer(
          issueCert(sandbox.ca, { hosts: [APP_HOST], notBefore: new Date(Date.now() - 100 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) }),
          proxyHandler(sandbox, (_q, res, u) => res.writeHead(u.status, passHeaders(u.headers)).end(u.body)),
          address,
          port,
        ),
      ),
  },
  {
    name: "the app's host name does not resolve",
    checks: CHECKS,
    affected: APP_RULES,
    component: /app\.acme-saas\.invalid|the app\b/,
    cause: /does not resolve|ENOTFOUND|EAI_AGAIN/,
    // .invalid never resolves (RFC 6761); APP_URL and NEXTAUTH_URL move together, so §1 stays as it was.
    arrange: async () => ({ env: { APP_URL: 'https://app.acme-saas.invalid', NEXTAUTH_URL: 'https://app.acme-saas.invalid' } }),
  },
];

sandboxFaultMatrix('fault matrix: the app', 'faults-app', cases, (started) => (sandbox = started));
