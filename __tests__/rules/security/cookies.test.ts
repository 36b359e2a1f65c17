import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RequestListener } from 'node:http';
import { parseSetCookie } from '../../../src/probes/cookies.js';
import { cookieRole, judgeCookie, securityCookies } from '../../../src/rules/security/cookies.js';
import { runRule } from '../../helpers.js';
import { liveSettings, startHttpsServer, testCa, type TestServer } from './servers.js';

const TOKEN = 'c0ffee0123456789abcdef0123456789abcdef0123456789abcdef0123456789';
/** What the app sets for a signed-out visitor over https (NextAuth's defaults). */
const APP_COOKIES = [
  `__Host-next-auth.csrf-token=${TOKEN}%7Cdeadbeef; Path=/; HttpOnly; Secure; SameSite=Lax`,
  '__Secure-next-auth.callback-url=https%3A%2F%2Fapp.acme-saas.com; Path=/; HttpOnly; Secure; SameSite=Lax',
];

const SITE = new URL('https://app.acme-saas.com/api/auth/csrf');
const problems = (line: string) => judgeCookie(parseSetCookie(line), SITE).map((p) => `${p.level}: ${p.message}`);

test('parseSetCookie (the shared parser): the value is never kept, so nothing the rule reports can show it', () => {
  const c = parseSetCookie(`__Secure-next-auth.session-token=${TOKEN}; path=/; SAMESITE=strict; samesite=lax; DOMAIN=.acme-saas.com; secure; httponly`);
  assert.equal(c.shown, '__Secure-next-auth.session-token=…; path=/; SAMESITE=strict; samesite=lax; DOMAIN=.acme-saas.com; secure; httponly');
  assert.ok(!JSON.stringify(c).includes(TOKEN));
});

test('cookieRole: session tokens (also chunked) and CSRF tokens', () => {
  assert.equal(cookieRole('__Secure-next-auth.session-token'), 'session');
  assert.equal(cookieRole('__Secure-next-auth.session-token.1'), 'session');
  assert.equal(cookieRole('authjs.session-token'), 'session');
  assert.equal(cookieRole('__Host-next-auth.csrf-token'), 'csrf');
  assert.equal(cookieRole('__Secure-next-auth.callback-url'), 'other');
});

test("judgeCookie: the app's cookies pass", () => {
  for (const line of APP_COOKIES) assert.deepEqual(problems(line), [], line);
});

test('judgeCookie: no Secure, SameSite=None, no HttpOnly on the CSRF cookie, __Host- with Domain, no prefix', () => {
  assert.deepEqual(problems('__Secure-next-auth.callback-url=x; Path=/; HttpOnly; SameSite=Lax'), [
    'fail: `__Secure-next-auth.callback-url=…; Path=/; HttpOnly; SameSite=Lax` lacks `Secure`: browsers send it over plain HTTP too, and reject a __Secure- cookie without Secure, so it is never stored',
  ]);
  assert.deepEqual(problems('__Host-next-auth.csrf-token=x; Path=/; HttpOnly; Secure; SameSite=None'), [
    'fail: `__Host-next-auth.csrf-token=…; Path=/; HttpOnly; Secure; SameSite=None` has `SameSite=None`: browsers send it with cross-site requests',
  ]);
  assert.deepEqual(problems('__Host-next-auth.csrf-token=x; Path=/; Secure; SameSite=Lax'), [
    'fail: `__Host-next-auth.csrf-token=…; Path=/; Secure; SameSite=Lax` lacks `HttpOnly`: a script (any XSS) can read the CSRF token',
  ]);
  assert.deepEqual(problems('__Host-next-auth.csrf-token=x; Path=/; Domain=acme-saas.com; HttpOnly; Secure; SameSite=Lax'), [
    'fail: `__Host-next-auth.csrf-token=…; Path=/; Domain=acme-saas.com; HttpOnly; Secure; SameSite=Lax` breaks the `__Host-` rules (Domain is `acme-saas.com`): browsers reject it, so it is never stored',
  ]);
  assert.match(problems('__Host-x=1; Secure; SameSite=Lax')[0]!, /Path is not set, not `\/`/);
  const unprefixed = problems('next-auth.session-token=x; Path=/; HttpOnly; SameSite=Lax');
  assert.equal(unprefixed.length, 2);
  assert.match(unprefixed[0]!, /^fail: .* lacks `Secure`/);
  assert.match(unprefixed[1]!, /^fail: `next-auth.session-token` has no `__Host-`\/`__Secure-` prefix/);
  assert.deepEqual(problems('theme=dark; Path=/; Secure; SameSite=Lax'), [], 'a non-auth cookie needs no prefix or HttpOnly');
  assert.match(problems('theme=dark; Path=/; Secure')[0]!, /^warn: .* has no SameSite/);
});

test('judgeCookie: an invalid or missing SameSite on the session or CSRF cookie fails: Firefox and Safari then send it cross-site', () => {
  for (const written of ['SameSite=True', 'SameSite=', 'SameSite=Invalid']) {
    const found = problems(`__Secure-next-auth.session-token=x; Path=/; HttpOnly; Secure; ${written}`);
    assert.equal(found.length, 1, written);
    assert.match(found[0]!, new RegExp(`^fail: .* has \`${written}\`, which is not Strict, Lax or None, so browsers ignore it: Firefox and Safari then send it with cross-site requests \\(as SameSite=None\\)`));
  }
  assert.match(problems('__Host-next-auth.csrf-token=x; Path=/; HttpOnly; Secure')[0]!, /^fail: .* has no SameSite: Firefox and Safari/);
  assert.match(problems('__Secure-next-auth.callback-url=x; Path=/; HttpOnly; Secure; SameSite=Bogus')[0]!, /^warn: /, 'the callback-url cookie only warns');
});

test('judgeCookie: a Domain that does not match the host is refused by browsers, not "shared with subdomains"', () => {
  const found = problems('__Secure-next-auth.session-token=x; Path=/; Domain=acme-saas.io; HttpOnly; Secure; SameSite=Lax');
  assert.deepEqual(found, [
    'fail: `__Secure-next-auth.session-token=…; Path=/; Domain=acme-saas.io; HttpOnly; Secure; SameSite=Lax` is refused by browsers (its Domain=acme-saas.io does not cover app.acme-saas.com), so it is never stored: the sign-in cannot work',
  ]);
  assert.match(problems('__Secure-next-auth.session-token=x; Path=/; Domain=acme-saas.com; HttpOnly; Secure; SameSite=Lax')[0]!, /^warn: .* is shared with every subdomain of `acme-saas\.com`/);
});

test('judgeCookie: prefixes are enforced case-insensitively (RFC 6265bis §5.7), but a non-exact case warns: Safari compares exactly', () => {
  const lower = problems('__secure-next-auth.session-token=x; Path=/; HttpOnly; Secure; SameSite=Lax');
  assert.deepEqual(lower.map((p) => p.split(':')[0]), ['warn']);
  assert.match(lower[0]!, /writes the prefix as `__secure-`: Chrome and Firefox enforce it in any case .* Safari only as `__Secure-`/);
  const refused = problems('__HOST-next-auth.csrf-token=x; Path=/; Domain=app.acme-saas.com; HttpOnly; Secure; SameSite=Lax');
  assert.match(refused[0]!, /^fail: .* breaks the `__Host-` rules \(Domain is `app\.acme-saas\.com`\): browsers reject it/);
});

// --- the rule against a real HTTPS server ----------------------------------------------------------

let server: TestServer;
let cookies: string[] = [];
const ca = testCa();
const handler: RequestListener = (req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/api/auth/csrf' || path === '/api/auth/session') {
    res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': cookies }).end(path.endsWith('csrf') ? `{"csrfToken":"${TOKEN}"}` : '{}');
  } else res.writeHead(404).end();
};
before(async () => {
  server = await startHttpsServer({ ca: ca.ca, handler });
});
after(async () => {
  await server.close();
  ca.cleanup();
});

async function run(set: string[]) {
  cookies = set;
  return runRule(securityCookies, await liveSettings({ servers: [server], caFile: ca.caFile }));
}

test("security.cookies passes for the app's cookies, judges each once, and never shows a value", async () => {
  const before = server.requests.length;
  const r = await run(APP_COOKIES);
  assert.equal(r.status, 'pass', r.summary);
  assert.equal(r.summary, '`__Host-next-auth.csrf-token`, `__Secure-next-auth.callback-url`: Secure, HttpOnly where it matters, SameSite Lax/Strict, prefixed');
  assert.deepEqual(server.requests.slice(before).map((q) => q.path).sort(), ['/api/auth/csrf', '/api/auth/session']);
  assert.match(r.details ?? '', /session cookie .* is set only at sign-in/);
  assert.ok(!JSON.stringify(r).includes(TOKEN), 'the CSRF token is not in the report');
});

test('security.cookies fails on insecure cookies, naming each problem', async () => {
  const r = await run([
    `next-auth.csrf-token=${TOKEN}; Path=/; SameSite=None`,
    '__Host-next-auth.callback-url=x; Path=/; Domain=app.acme-saas.com; HttpOnly; Secure; SameSite=Lax',
  ]);
  assert.equal(r.status, 'fail');
  const found = r.findings.map((f) => f.message).join('\n');
  assert.match(found, /`next-auth.csrf-token=…; Path=\/; SameSite=None` lacks `Secure`/);
  assert.match(found, /lacks `HttpOnly`: a script \(any XSS\) can read the CSRF token/);
  assert.match(found, /has `SameSite=None`/);
  assert.match(found, /`next-auth.csrf-token` has no `__Host-`\/`__Secure-` prefix/);
  assert.match(found, /`__Host-next-auth.callback-url=…; .*` breaks the `__Host-` rules \(Domain is `app.acme-saas.com`\)/);
  assert.equal(r.findings.length, 5);
  assert.match(r.fix ?? '', /NEXTAUTH_URL/);
  assert.ok(!JSON.stringify(r).includes(TOKEN));
});

test('security.cookies fails on an invalid SameSite and on a Domain the host does not match, as browsers store them', async () => {
  const r = await run([
    `__Host-next-auth.csrf-token=${TOKEN}; Path=/; HttpOnly; Secure; SameSite=True`,
    '__Secure-next-auth.callback-url=x; Path=/; Domain=acme-saas.io; HttpOnly; Secure; SameSite=Lax',
  ]);
  assert.equal(r.status, 'fail');
  const found = r.findings.map((f) => `${f.level}: ${f.message}`);
  assert.match(found.join('\n'), /^error: `__Host-next-auth\.csrf-token=…; .*SameSite=True` has `SameSite=True`, which is not Strict, Lax or None/m);
  assert.match(found.join('\n'), /^error: `__Secure-next-auth\.callback-url=…; .*` is refused by browsers \(its Domain=acme-saas\.io does not cover app\.acme-saas\.com\)/m);
  assert.ok(!JSON.stringify(r).includes(TOKEN));
});

test('security.cookies warns when the auth endpoints set no cookie', async () => {
  const r = await run([]);
  assert.equal(r.status, 'warn');
  assert.match(r.summary, /the auth endpoints set no cookie \(GET https:\/\/app\.acme-saas\.com:\d+\/api\/auth\/csrf → 200, .*\)/);
});
