import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { effectiveDirective, judgeCsp, parsePolicy, parsePolicyList } from '../../../src/rules/security/csp-parser.js';
import { securityCsp } from '../../../src/rules/security/csp.js';
import { freePort } from '../../../sandbox/net.js';
import { runRule, settingsFor } from '../../helpers.js';
import { APP_HOST, htmlPage, liveSettings, startHttpsServer, testCa, type TestServer } from './servers.js';

/** The target app's CSP (target-app.md), with ENABLE_CSP_STRICT=true unless `strict` is false. */
function appCsp(options: { nonce?: string; strict?: boolean } = {}): string {
  const nonce = options.nonce ?? 'r4nd0mN0nce+/AAAAAAAAA==';
  const strict = options.strict ?? true;
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'${strict ? " 'strict-dynamic'" : ''} *.gstatic.com *.google.com`,
    "style-src 'self' 'unsafe-inline'",
    "connect-src 'self' *.google.com api.stripe.com *.ingest.sentry.io",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "script-src-attr 'none'",
    'report-uri /api/security/csp-report',
    ...(strict ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

const judge = (headers: string[], strict = false) => judgeCsp(parsePolicyList(headers), { strict });
const messages = (headers: string[], strict = false) => judge(headers, strict).map((p) => `${p.level}: ${p.message}`);

test('parsePolicy: names are case-insensitive, a repeated directive keeps its first value, stray semicolons are ignored', () => {
  const policy = parsePolicy("  Script-Src 'self' ; ;object-src 'none'; script-src *; ");
  assert.deepEqual([...policy.directives.keys()], ['script-src', 'object-src']);
  assert.deepEqual(policy.directives.get('script-src'), ["'self'"]);
  assert.deepEqual(policy.repeated, ['script-src']);
});

test('parsePolicyList: a comma separates policies, and each header is a policy list', () => {
  const policies = parsePolicyList(["default-src 'self', script-src 'none'", "object-src 'none'", ' , ']);
  assert.equal(policies.length, 3);
  assert.deepEqual(policies.map((p) => [...p.directives.keys()]), [['default-src'], ['script-src'], ['object-src']]);
});

test('effectiveDirective: script-src and object-src fall back to default-src; base-uri does not', () => {
  const policy = parsePolicy("default-src 'none'; script-src 'self'");
  assert.deepEqual(effectiveDirective(policy, 'script-src'), { name: 'script-src', for: 'script-src', sources: ["'self'"] });
  assert.deepEqual(effectiveDirective(policy, 'object-src'), { name: 'default-src', for: 'object-src', sources: ["'none'"] });
  assert.equal(effectiveDirective(policy, 'base-uri'), undefined);
});

test("judgeCsp: the app's own policy passes, strict or not", () => {
  assert.deepEqual(judge([appCsp()], true), []);
  assert.deepEqual(judge([appCsp({ strict: false })], false), []);
});

test("judgeCsp: 'unsafe-eval' fails, also when script-src falls back to default-src", () => {
  assert.match(messages([appCsp().replace("'strict-dynamic'", "'strict-dynamic' 'unsafe-eval'")]).join('\n'), /^fail: script-src allows `'unsafe-eval'`: `script-src 'self' 'nonce-/m);
  const fallback = messages(["default-src 'self' 'unsafe-eval'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"]);
  assert.deepEqual(fallback, ["fail: script-src allows `'unsafe-eval'`: `default-src 'self' 'unsafe-eval'` (script-src is not set, so default-src applies)"]);
});

test("judgeCsp: 'unsafe-inline' fails without a nonce or hash, and is neutralised by one", () => {
  const base = "object-src 'none'; base-uri 'self'; frame-ancestors 'none'";
  assert.match(messages([`script-src 'self' 'unsafe-inline'; ${base}`]).join('\n'), /fail: script-src allows `'unsafe-inline'` without a nonce or hash/);
  assert.deepEqual(judge([`script-src 'self' 'unsafe-inline' 'nonce-abc123'; ${base}`]), []);
  assert.deepEqual(judge([`script-src 'self' 'unsafe-inline' 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='; ${base}`]), []);
  assert.deepEqual(judge([`script-src 'self' 'UNSAFE-INLINE'; ${base}`]).map((p) => p.level), ['fail'], 'keywords are case-insensitive');
});

test("judgeCsp: object-src must be 'none', directly or through default-src 'none'", () => {
  const rest = "script-src 'self'; base-uri 'self'; frame-ancestors 'none'";
  assert.deepEqual(messages([`default-src 'self'; ${rest}`]), ["fail: plugins are not blocked: `default-src 'self'` (object-src is not set, so default-src applies)"]);
  assert.deepEqual(messages([rest]), ['fail: plugins are not blocked: neither `object-src` nor `default-src` is set']);
  assert.deepEqual(judge([`default-src 'none'; ${rest}`]), []);
  assert.deepEqual(judge([`default-src 'self'; object-src 'none'; ${rest}`]), []);
  assert.equal(judge([`object-src 'none' 'self'; ${rest}`]).length, 1, "'none' with other sources means nothing");
});

test('judgeCsp: base-uri and frame-ancestors must be set (no default-src fallback)', () => {
  const found = messages(["default-src 'none'; script-src 'self'"]);
  assert.equal(found.length, 2);
  assert.match(found[0]!, /^fail: `base-uri` is not set/);
  assert.match(found[1]!, /^fail: `frame-ancestors` is not set/);
  assert.match(messages(["default-src 'none'; base-uri *; frame-ancestors 'none'"])[0]!, /^warn: `base-uri` allows any host/);
});

test("judgeCsp: scripts from any host or data: fail unless 'strict-dynamic' with a nonce makes browsers ignore them", () => {
  const rest = "object-src 'none'; base-uri 'self'; frame-ancestors 'none'";
  assert.match(messages([`script-src 'self' https:; ${rest}`])[0]!, /^fail: script-src allows scripts from any host \(`https:`\)/);
  assert.match(messages([`script-src 'self' data:; ${rest}`])[0]!, /^fail: script-src allows `data:` URLs/);
  assert.deepEqual(judge([`script-src 'nonce-abc' 'strict-dynamic' https: 'unsafe-inline'; ${rest}`]), []);
  assert.deepEqual(judge([`default-src 'none'; ${rest}`, 'script-src *']), [], 'the first policy blocks every script');
});

test("judgeCsp: strict mode needs 'strict-dynamic' and upgrade-insecure-requests; 'strict-dynamic' needs a nonce", () => {
  const lax = appCsp({ strict: false });
  assert.deepEqual(messages([lax], true).map((m) => m.split(':')[0]), ['fail', 'fail']);
  assert.match(messages([lax], true)[0]!, /ENABLE_CSP_STRICT=true but script-src has no `'strict-dynamic'`: `script-src 'self' 'nonce-/);
  assert.match(messages([lax], true)[1]!, /no `upgrade-insecure-requests`/);
  const noNonce = "script-src 'self' 'strict-dynamic'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; upgrade-insecure-requests";
  assert.match(messages([noNonce], false)[0]!, /^warn: `'strict-dynamic'` without a nonce or hash trusts no script/);
  assert.match(messages([noNonce], true)[0]!, /^fail: `'strict-dynamic'` without a nonce or hash/);
});

test('judgeCsp: several policies are intersected: a source must be allowed by every one', () => {
  const inline = "script-src 'self' 'unsafe-inline' 'unsafe-eval'";
  assert.deepEqual(judge([appCsp(), inline], true), [], 'the app policy blocks what the second allows');
  assert.match(messages([inline, "script-src 'self' 'unsafe-eval'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"]).join('\n'), /'unsafe-eval'/);
  assert.deepEqual(judge(["object-src 'none'", "script-src 'self'; base-uri 'self'; frame-ancestors 'none'"]), [], 'object-src from one policy protects the page');
});

test('judgeCsp: a repeated directive warns, quoting the value browsers use', () => {
  const found = messages([`${appCsp()}; object-src *`], true);
  assert.deepEqual(found, ["warn: `object-src` appears more than once in one policy; browsers use the first, `object-src 'none'`, and ignore the rest"]);
});

// --- the rule against a real HTTPS server ----------------------------------------------------------

let server: TestServer;
let headers: Record<string, string | string[]> = {};
const ca = testCa();

before(async () => {
  server = await startHttpsServer({ ca: ca.ca, handler: htmlPage(() => headers) });
});
after(async () => {
  await server.close();
  ca.cleanup();
});

async function run(sent: Record<string, string | string[]>, env: Record<string, string> = {}) {
  headers = sent;
  return runRule(securityCsp, await liveSettings({ servers: [server], caFile: ca.caFile, env }));
}

test("security.csp passes for the app's CSP, fetched from the login page through resolve", async () => {
  const before = server.requests.length;
  const r = await run({ 'content-security-policy': appCsp() }, { ENABLE_CSP_STRICT: 'true' });
  assert.equal(r.status, 'pass', r.summary);
  assert.match(r.summary, /enforced CSP: scripts by nonce/);
  assert.deepEqual(server.requests.slice(before).map((q) => [q.method, q.path, q.headers.host]), [['GET', '/auth/login', `${APP_HOST}:${server.port}`]]);
  assert.match(r.details ?? '', /content-security-policy: `default-src 'self'/);
});

test("security.csp fails on 'unsafe-eval' and on 'unsafe-inline' without a nonce, quoting the directive seen", async () => {
  const evil = await run({ 'content-security-policy': appCsp().replace("'strict-dynamic'", "'strict-dynamic' 'unsafe-eval'") });
  assert.equal(evil.status, 'fail');
  assert.match(evil.summary, /script-src allows `'unsafe-eval'`: `script-src 'self' 'nonce-r4nd0mN0nce\+\/AAAAAAAAA==' 'strict-dynamic' 'unsafe-eval'/);
  assert.match(evil.fix ?? '', /Remove `'unsafe-eval'`/);

  const inline = await run({ 'content-security-policy': "default-src 'self'; script-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'" });
  assert.equal(inline.status, 'fail');
  assert.match(inline.summary, /`'unsafe-inline'` without a nonce or hash: `script-src 'self' 'unsafe-inline'`/);

  const nonce = await run({ 'content-security-policy': "default-src 'self'; script-src 'self' 'unsafe-inline' 'nonce-Zm9vYmFy'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'" });
  assert.equal(nonce.status, 'pass', nonce.summary);
});

test("security.csp fails without object-src under default-src 'self', passes with default-src 'none'", async () => {
  const open = await run({ 'content-security-policy': "default-src 'self'; base-uri 'self'; frame-ancestors 'none'" });
  assert.equal(open.status, 'fail');
  assert.match(open.summary, /plugins are not blocked: `default-src 'self'`/);
  assert.match(open.fix ?? '', /object-src 'none'/);
  const none = await run({ 'content-security-policy': "default-src 'none'; script-src 'self'; base-uri 'self'; frame-ancestors 'none'" });
  assert.equal(none.status, 'pass', none.summary);
});

test('security.csp: Report-Only alone fails; no CSP at all fails', async () => {
  const reportOnly = await run({ 'content-security-policy-report-only': appCsp() });
  assert.equal(reportOnly.status, 'fail');
  assert.match(reportOnly.summary, /only Content-Security-Policy-Report-Only is sent/);
  const none = await run({});
  assert.equal(none.status, 'fail');
  assert.equal(none.summary, 'no Content-Security-Policy header');
});

test("security.csp in strict mode fails without 'strict-dynamic' and upgrade-insecure-requests", async () => {
  const r = await run({ 'content-security-policy': appCsp({ strict: false }) }, { ENABLE_CSP_STRICT: 'true' });
  assert.equal(r.status, 'fail');
  assert.match(r.summary, /ENABLE_CSP_STRICT=true but script-src has no `'strict-dynamic'`/);
  assert.equal(r.findings.length, 2);
  const lax = await run({ 'content-security-policy': appCsp({ strict: false }) }, { ENABLE_CSP_STRICT: 'false' });
  assert.equal(lax.status, 'pass');
});

test('security.csp reads every CSP header: two headers are intersected', async () => {
  const r = await run({ 'content-security-policy': [appCsp(), "script-src 'self' 'unsafe-inline'"] }, { ENABLE_CSP_STRICT: 'true' });
  assert.equal(r.status, 'pass', r.summary);
  assert.match(r.summary, /2 policies/);
});

test('security.csp skips without a usable APP_URL and fails with the probe message when the app is down', async () => {
  for (const appUrl of [undefined, 'http://app.acme-saas.com', 'not a url']) {
    const r = await runRule(securityCsp, await settingsFor({ APP_URL: appUrl }));
    assert.equal(r.status, 'skip');
    assert.equal(r.summary, 'APP_URL is not a usable https:// URL (see config.app-url)');
  }
  const closed = await freePort();
  const down = await runRule(
    securityCsp,
    await settingsFor({ APP_URL: `https://${APP_HOST}:${closed}` }, { inputs: { resolve: `${APP_HOST}:${closed}:127.0.0.1`, 'timeout-seconds': '1' } }),
  );
  assert.equal(down.status, 'fail');
  assert.match(down.summary, new RegExp(`https://${APP_HOST}:${closed}/auth/login: the connection was refused`));
  assert.match(down.fix ?? '', /reachable from the runner/);
});
