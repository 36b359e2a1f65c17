/**
 * security.origin: the absolute URLs the app hands to browsers (redirect Location, Report-To,
 * Reporting-Endpoints, CSP report-uri, NextAuth's OAuth URLs) are on the public origin. The header
 * formats are read as browsers read them: Report-To is JSON endpoint groups (Reporting API, first
 * version), Reporting-Endpoints an RFC 8941 Dictionary of strings, report-uri a CSP directive.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  classifyUrl,
  judgeHandedUrl,
  publicOrigins,
  reportingEndpointUrls,
  reportToUrls,
  securityOrigin,
} from '../../../src/rules/security/origin.js';
import { runRule } from '../../helpers.js';
import { liveSettings, startHttpsServer, testCa, type TestServer } from './servers.js';

const PUBLIC = [new URL('https://app.acme-saas.com')];

test('classifyUrl: loopback, private network, internal names, plain HTTP, another port of the public host, another site', () => {
  const kind = (url: string) => {
    const c = classifyUrl(url, PUBLIC);
    return c.kind === 'non-public' ? c.what : c.kind;
  };
  assert.equal(kind('https://app.acme-saas.com/auth/login'), 'public');
  assert.equal(kind('https://localhost:4002/auth/login'), 'loopback');
  assert.equal(kind('https://127.0.0.1/x'), 'loopback');
  assert.equal(kind('http://[::1]:3000/'), 'loopback');
  assert.equal(kind('http://10.0.3.7:3000/'), 'private network');
  assert.equal(kind('https://192.168.1.20/'), 'private network');
  assert.equal(kind('https://[fd00::1]/'), 'private network');
  assert.equal(kind('http://web:3000/'), 'internal name', 'a container service name');
  assert.equal(kind('https://app.internal/'), 'internal name');
  assert.equal(kind('http://app.acme-saas.com/'), 'insecure');
  assert.equal(kind('https://app.acme-saas.com:3000/'), 'internal port');
  assert.equal(kind('https://www.acme-saas.com/'), 'other');
  assert.equal(kind('not a url'), 'unusable');
});

test('publicOrigins: NEXTAUTH_URL and APP_URL, an http:// value in its https:// form', () => {
  assert.deepEqual(publicOrigins({ NEXTAUTH_URL: 'https://app.acme-saas.com/', APP_URL: 'https://app.acme-saas.com' }).map((u) => u.origin), ['https://app.acme-saas.com']);
  assert.deepEqual(publicOrigins({ NEXTAUTH_URL: 'http://app.acme-saas.com', APP_URL: 'https://www.acme-saas.com' }).map((u) => u.origin), ['https://app.acme-saas.com', 'https://www.acme-saas.com']);
  assert.deepEqual(publicOrigins({ NEXTAUTH_URL: 'nonsense' }), []);
});

test('Report-To is a list of JSON endpoint groups; Reporting-Endpoints an RFC 8941 dictionary; relative URLs resolve against the page', () => {
  const base = 'https://app.acme-saas.com/auth/login';
  assert.deepEqual(
    reportToUrls('{"group":"csp","max_age":1,"endpoints":[{"url":"https://localhost:4002/r"},{"url":"/r2"}]}, {"group":"nel","endpoints":[{"url":"https://o1.ingest.sentry.io/api/1/security/"}]}', base).urls,
    ['https://localhost:4002/r', 'https://app.acme-saas.com/r2', 'https://o1.ingest.sentry.io/api/1/security/'],
  );
  assert.match(reportToUrls('{group: csp}', base).invalid ?? '', /^it is not JSON/);
  assert.deepEqual(reportingEndpointUrls('csp-endpoint="https://localhost:4002/r", default="/d"', base).urls, ['https://localhost:4002/r', 'https://app.acme-saas.com/d']);
  assert.match(reportingEndpointUrls('csp-endpoint=https://x/r', base).invalid ?? '', /^the endpoint csp-endpoint is not a quoted string$/, 'an unquoted URL parses as a token');
  assert.match(reportingEndpointUrls('csp-endpoint="https://x/r" x', base).invalid ?? '', /not a valid structured header/);
});

test('judgeHandedUrl: severity by what the browser does with the URL', () => {
  const level = (source: Parameters<typeof judgeHandedUrl>[0]['source'], url: string) => judgeHandedUrl({ source, label: source, url }, PUBLIC)?.level ?? 'ok';
  assert.equal(level('Location', 'https://app.acme-saas.com/auth/login'), 'ok');
  assert.equal(level('Location', 'https://localhost:4002/auth/login'), 'fail');
  assert.equal(level('Location', 'http://app.acme-saas.com/auth/login'), 'fail', 'leaves HTTPS');
  assert.equal(level('Location', 'https://app.acme-saas.com:3000/'), 'fail', 'an internal listener of the public host');
  assert.equal(level('Location', 'https://www.acme-saas.com/'), 'warn', 'another site may be meant');
  assert.equal(level('Report-To', 'https://localhost:4002/r'), 'fail');
  assert.equal(level('Report-To', 'http://app.acme-saas.com/r'), 'warn', 'browsers drop reports to insecure endpoints');
  assert.equal(level('CSP report-uri', 'https://o1.ingest.sentry.io/api/1/security/?sentry_key=k'), 'ok', 'a reporting service');
  assert.equal(level('OAuth', 'http://app.acme-saas.com/api/auth/callback/github'), 'fail', 'OAuth callbacks must be https:// whatever NEXTAUTH_URL says');
  assert.equal(level('OAuth', 'https://staging.acme-saas.com/api/auth/callback/github'), 'fail');
  const advice = judgeHandedUrl({ source: 'OAuth', label: 'callbackUrl of github', url: 'http://app.acme-saas.com/api/auth/callback/github' }, publicOrigins({ NEXTAUTH_URL: 'http://app.acme-saas.com' }));
  assert.ok(advice && !/http:\/\/app/.test(advice.fix), `never advises an http:// URL: ${advice?.fix}`);
  assert.match(advice!.fix, /register https:\/\/app\.acme-saas\.com\/api\/auth\/callback\/<provider>/);
});

// --- the rule against a real HTTPS server that answers per page -----------------------------------

type Page = { status?: number; headers?: Record<string, string | string[]>; body?: string };
let server: TestServer;
let pages: (path: string, origin: string) => Page = () => ({});
const ca = testCa();

function handler(req: IncomingMessage, res: ServerResponse): void {
  const path = new URL(req.url ?? '/', 'https://x').pathname;
  const page = pages(path, server.origin);
  res.writeHead(page.status ?? 200, { 'content-type': 'text/html; charset=utf-8', ...page.headers }).end(page.body ?? '<!DOCTYPE html><title>x</title>');
}

before(async () => {
  server = await startHttpsServer({ ca: ca.ca, handler });
});
after(async () => {
  await server.close();
  ca.cleanup();
});

/** The target app's answers, seen from origin `self` (what it builds absolute URLs from). */
function appAnswers(self: string, options: { callbackBase?: string } = {}): (path: string) => Page {
  const report = `${self}/api/security/csp-report`;
  const reporting = {
    'report-to': JSON.stringify({ group: 'csp-endpoint', max_age: 10886400, endpoints: [{ url: report }] }),
    'reporting-endpoints': `csp-endpoint="${report}"`,
    'content-security-policy': "default-src 'self'; report-uri /api/security/csp-report",
  };
  return (path): Page => {
    if (path === '/') return { status: 307, headers: { location: `${self}/auth/login?callbackUrl=${encodeURIComponent(`${self}/`)}`, ...reporting } };
    if (path === '/api/auth/providers') {
      const base = options.callbackBase ?? server.origin;
      return { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ github: { id: 'github', signinUrl: `${base}/api/auth/signin/github`, callbackUrl: `${base}/api/auth/callback/github` } }) };
    }
    return { headers: reporting };
  };
}

async function run(env: Record<string, string> = {}) {
  return runRule(securityOrigin, await liveSettings({ servers: [server], caFile: ca.caFile, env: { NEXTAUTH_URL: server.origin, ...env } }));
}

test('security.origin passes when every URL is on the public origin, and a report service elsewhere is fine', async () => {
  pages = (path) => appAnswers(server.origin)(path);
  const r = await run();
  assert.equal(r.status, 'pass', r.summary);
  assert.match(r.summary, /^every URL handed to browsers \(1 Location, 1 URL in a Location query, 4 Report-To, 4 Reporting-Endpoints, 4 CSP report-uri, 2 OAuth\) is on https:\/\/app\.acme-saas\.com:\d+/);
  const before = server.requests.length;
  pages = (path) => {
    const page = appAnswers(server.origin)(path);
    return path === '/auth/login' ? { headers: { 'content-security-policy': "default-src 'self'; report-uri https://o450.ingest.sentry.io/api/45/security/?sentry_key=abc" } } : page;
  };
  const sentry = await run();
  assert.equal(sentry.status, 'pass', sentry.summary);
  assert.equal(server.requests.length - before, 5, 'four pages and the providers list, one GET each');
});

test('security.origin fails on an internal origin in Report-To, Reporting-Endpoints and a redirect, naming the header and the pages', async () => {
  pages = (path) => appAnswers('https://localhost:4002')(path);
  const r = await run();
  assert.equal(r.status, 'fail');
  const found = r.findings.map((f) => f.message);
  assert.equal(found.length, 3, found.join('\n'));
  assert.match(found[0]!, /^Location sends browsers to `https:\/\/localhost:4002\/auth\/login\?callbackUrl=.*`: a loopback origin, not `https:\/\/app\.acme-saas\.com:\d+`: users land on an address that is not the site; its callbackUrl parameter names the same origin \(on `\/`\)$/);
  assert.match(found[1]!, /^Report-To sends reports to `https:\/\/localhost:4002\/api\/security\/csp-report`: a loopback origin.* \(on `\/`, `\/auth\/login`, `\/pricing`, `\/api\/health`\)$/);
  assert.match(found[2]!, /^Reporting-Endpoints sends reports to `https:\/\/localhost:4002\/api\/security\/csp-report`/);
  assert.match(r.fix ?? '', /X-Forwarded-Host/);
});

test('security.origin fails on http:// OAuth callbacks even when NEXTAUTH_URL is http://, and never advises http://', async () => {
  pages = (path) => appAnswers(server.origin, { callbackBase: `http://${server.host}:${server.port}` })(path);
  const r = await run({ NEXTAUTH_URL: `http://${server.host}:${server.port}` });
  assert.equal(r.status, 'fail');
  assert.match(r.summary, /^the callbackUrl of github is `http:\/\/app\.acme-saas\.com:\d+\/api\/auth\/callback\/github`: plain HTTP/);
  assert.ok(!/http:\/\//.test(r.fix ?? ''), r.fix);
});

test('security.origin warns on a redirect to another public site (it may be meant)', async () => {
  pages = (path) => (path === '/' ? { status: 302, headers: { location: 'https://www.acme-saas.com/' } } : appAnswers(server.origin)(path));
  const r = await run();
  assert.equal(r.status, 'warn');
  assert.match(r.summary, /^Location sends browsers to `https:\/\/www\.acme-saas\.com\/`: another origin.*\(fine if that site is meant\) \(on `\/`\)$/);
});
