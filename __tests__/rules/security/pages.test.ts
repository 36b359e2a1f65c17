/**
 * The page set the header rules judge (src/probes/pages.ts): `/`, the sign-in page, the pricing
 * page, the health route and `paths.pages`; one GET per page per run, shared by every rule, made
 * concurrently; a page that gives no answer is a finding of its own, not a silent pass.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { runRules } from '../../../src/engine/runner.js';
import type { RuleReport } from '../../../src/engine/types.js';
import { createClients } from '../../../src/probes/clients.js';
import { pageKind, pagePlan } from '../../../src/probes/pages.js';
import { parseConfig } from '../../../src/config.js';
import { securityCoep } from '../../../src/rules/security/coep.js';
import { securityCsp } from '../../../src/rules/security/csp.js';
import { securityHeaders } from '../../../src/rules/security/headers.js';
import { securityHsts } from '../../../src/rules/security/hsts.js';
import { securityOrigin } from '../../../src/rules/security/origin.js';
import { settingsFor, silentLog, tempRepo } from '../../helpers.js';
import { APP_HOST, startHttpsServer, testCa, type TestServer } from './servers.js';
import { randomBytes } from 'node:crypto';

const ca = testCa();
let server: TestServer;
/** Requests waiting for the barrier, and the most that were open at once. */
let waiting: Array<() => void> = [];
let inFlight = 0;
let peak = 0;
let barrier = 0;
let broken = new Set<string>();

function answer(req: IncomingMessage, res: ServerResponse): void {
  const path = new URL(req.url ?? '/', 'https://x').pathname;
  if (broken.has(path)) return void req.socket.destroy();
  const nonce = randomBytes(16).toString('base64');
  res.writeHead(200, {
    'content-type': path.startsWith('/api/') ? 'application/json' : 'text/html; charset=utf-8',
    'strict-transport-security': 'max-age=31536000; includeSubDomains',
    'content-security-policy': `default-src 'self'; script-src 'nonce-${nonce}' 'strict-dynamic'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-embedder-policy': 'require-corp',
    'cross-origin-opener-policy': 'same-origin',
  }).end(path.startsWith('/api/') ? '{}' : '<!DOCTYPE html><title>x</title>');
}

before(async () => {
  server = await startHttpsServer({
    ca: ca.ca,
    handler: (req, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      const release = () => {
        inFlight--;
        answer(req, res);
      };
      // Hold every answer until `barrier` requests are open at once: a client that asked one page
      // after another would never get there, and the timer below would release it alone (4 s: room
      // for a loaded machine's TLS handshakes, within the 10 s request deadline).
      waiting.push(release);
      if (waiting.length >= barrier) {
        const all = waiting;
        waiting = [];
        all.forEach((r) => r());
      } else setTimeout(() => waiting.includes(release) && (waiting.splice(waiting.indexOf(release), 1), release()), 4000);
    },
  });
});
after(async () => {
  await server.close();
  ca.cleanup();
});

async function settingsWith(config: string, inputs: Record<string, string> = {}) {
  const repo = tempRepo({ '.github/production-readiness.yml': config });
  const settings = await settingsFor(
    { APP_URL: server.origin, NEXTAUTH_URL: server.origin, ENABLE_COEP: 'true' },
    { repo: repo.dir, inputs: { resolve: server.resolve, 'ca-file': ca.caFile, 'timeout-seconds': '10', ...inputs } },
  );
  return { settings, cleanup: repo.cleanup };
}

async function runHeaderRules(config: string, inputs: Record<string, string> = {}): Promise<Map<string, RuleReport>> {
  const { settings, cleanup } = await settingsWith(config, inputs);
  const clients = createClients(settings);
  try {
    const reports = await runRules([securityHsts, securityCsp, securityCoep, securityHeaders, securityOrigin], {
      context: { settings, clients, log: silentLog },
      probeTimeoutMs: 30_000,
      commandTimeoutMs: 60_000,
    });
    return new Map(reports.map((r) => [r.id, r]));
  } finally {
    await clients.close();
    cleanup();
  }
}

test('paths.pages: validated route paths, at most 20; the plan dedupes pages already in the set', async () => {
  assert.deepEqual((await parseConfig('paths:\n  pages: [/about, /pricing]\n', 'x.yml')).paths.pages, ['/about', '/pricing']);
  assert.deepEqual((await parseConfig('', 'x.yml')).paths.pages, []);
  await assert.rejects(parseConfig('paths:\n  pages: [about]\n', 'x.yml'), /x\.yml:2: paths\.pages\.0: a path starting with "\/"/);
  await assert.rejects(parseConfig(`paths:\n  pages: [${Array.from({ length: 21 }, (_, i) => `/p${i}`).join(', ')}]\n`, 'x.yml'), /paths\.pages: at most 20 pages/);
  const { settings, cleanup } = await settingsWith('paths:\n  pages: [/about, /pricing, /]\n');
  cleanup();
  assert.deepEqual(pagePlan(settings), [
    { path: '/', role: 'landing page' },
    { path: '/auth/login', role: 'sign-in page' },
    { path: '/pricing', role: 'pricing page' },
    { path: '/api/health', role: 'API route' },
    { path: '/about', role: 'paths.pages' },
  ]);
});

test('pageKind: what a browser does with the answer', () => {
  const response = (status: number, headers: Record<string, string>, body = '') => ({ status, headers, body }) as Parameters<typeof pageKind>[0];
  assert.equal(pageKind(response(200, { 'content-type': 'text/html; charset=utf-8' })), 'document');
  assert.equal(pageKind(response(404, { 'content-type': 'application/xhtml+xml' })), 'document');
  assert.equal(pageKind(response(307, { location: '/auth/login' })), 'redirect');
  assert.equal(pageKind(response(200, { 'content-type': 'application/json' })), 'resource');
  assert.equal(pageKind(response(200, {}, '<!DOCTYPE html>')), 'document', 'no type: sniffed');
});

test('five header rules, five pages: one GET per page for all of them, all in flight at once', async () => {
  const before = server.requests.length;
  // Five pages and NextAuth's providers list (security.origin).
  barrier = 6;
  peak = 0;
  const reports = await runHeaderRules('paths:\n  pages: [/about]\n');
  for (const r of reports.values()) assert.equal(r.status, 'pass', `${r.id}: ${r.summary}`);
  const paths = server.requests.slice(before).map((q) => q.path).sort();
  assert.deepEqual(paths, ['/', '/about', '/api/auth/providers', '/api/health', '/auth/login', '/pricing']);
  assert.ok(peak >= 6, `the pages are fetched concurrently (at most ${peak} open at once)`);
  assert.match(reports.get('security.hsts')!.summary, /on `\/`, `\/auth\/login`, `\/pricing`, `\/api\/health`, `\/about`/);
  assert.match(reports.get('security.csp')!.details ?? '', /`\/about` \(paths\.pages\): HTTP 200, text\/html: a document/);
  assert.equal(server.requests.slice(before).every((q) => q.headers.host === `${APP_HOST}:${server.port}`), true);
});

test('a page that gives no answer is not verified: fail by default, warn with unreachable: warn', async () => {
  barrier = 1;
  broken = new Set(['/about']);
  try {
    const failing = await runHeaderRules('paths:\n  pages: [/about]\n');
    const hsts = failing.get('security.hsts')!;
    assert.equal(hsts.status, 'fail');
    assert.match(hsts.summary, /^unreachable: app — `\/about` \(paths\.pages\) could not be fetched, so its headers are not verified: .*\/about: the connection was reset/);
    const warned = await runHeaderRules('paths:\n  pages: [/about]\n', { unreachable: 'warn' });
    assert.equal(warned.get('security.hsts')!.status, 'warn');
  } finally {
    broken = new Set();
  }
});
