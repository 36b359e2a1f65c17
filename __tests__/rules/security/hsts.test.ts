import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeHsts, parseHsts, securityHsts } from '../../../src/rules/security/hsts.js';
import { runRule } from '../../helpers.js';
import { htmlPage, liveSettings, startHttpsServer, testCa, type TestServer } from './servers.js';

const APP_VALUE = 'max-age=31536000; includeSubDomains;';

test("parseHsts: the app's value with its trailing semicolon is valid", () => {
  assert.deepEqual(parseHsts(APP_VALUE), { maxAge: 31536000, includeSubDomains: true, preload: false, errors: [] });
});

test('parseHsts: names are case-insensitive, max-age may be quoted, unknown directives are ignored', () => {
  assert.deepEqual(parseHsts('MAX-AGE="63072000" ; IncludeSubdomains; preload; future-thing=1'), { maxAge: 63072000, includeSubDomains: true, preload: true, errors: [] });
});

test('parseHsts: a missing or non-numeric max-age, and a repeated directive, make the header invalid', () => {
  assert.deepEqual(parseHsts('includeSubDomains').errors, ['max-age is missing']);
  assert.deepEqual(parseHsts('max-age=1y').errors, ['max-age has no whole number of seconds (`max-age=1y`)']);
  assert.deepEqual(parseHsts('max-age=31536000; max-age=0').errors, ['`max-age` appears more than once']);
  // What a proxy makes of two headers merged into one.
  assert.equal(parseHsts('max-age=31536000, max-age=31536000').errors.length, 1);
});

test('judgeHsts: missing, twice, too short, max-age=0, and no includeSubDomains', () => {
  const one = (values: string[]) => judgeHsts(values).map((p) => `${p.level}: ${p.message}`);
  assert.deepEqual(judgeHsts([APP_VALUE]), []);
  assert.match(one([])[0]!, /^fail: no `Strict-Transport-Security` header/);
  // Changed verdict (issue 11): two identical headers failed; RFC 6797 §8.1 has browsers use the first.
  assert.deepEqual(one([APP_VALUE, APP_VALUE]).map((m) => m.split(':')[0]), ['warn']);
  assert.match(one([APP_VALUE, APP_VALUE])[0]!, /^warn: `Strict-Transport-Security` is sent 2 times .*: browsers use only the first, but a proxy that merges them/);
  assert.deepEqual(one(['max-age=600', APP_VALUE]).map((m) => m.split(':')[0]), ['warn', 'fail', 'warn'], 'the first copy is weak: it is the one browsers use');
  assert.deepEqual(one([APP_VALUE, 'max-age=600']).map((m) => m.split(':')[0]), ['warn'], 'the first copy is good: the second is ignored');
  assert.deepEqual(one(['max-age=86400; includeSubDomains']), ['fail: `Strict-Transport-Security: max-age=86400; includeSubDomains` has max-age=86400 (1 day), under six months (15552000)']);
  assert.match(one(['max-age=0'])[0]!, /max-age=0, which tells browsers to forget HSTS/);
  assert.deepEqual(judgeHsts([], 'redirect').map((p) => p.level), ['warn'], 'a redirect without HSTS only warns');
  assert.deepEqual(judgeHsts(['max-age=0'], 'redirect').map((p) => p.level), ['fail', 'warn'], 'max-age=0 on a redirect still clears HSTS');
  assert.deepEqual(one(['max-age=15552000']), ['warn: `Strict-Transport-Security: max-age=15552000` lacks includeSubDomains: subdomains stay open to downgrade and to cookie injection over HTTP']);
});

let server: TestServer;
let headers: Record<string, string | string[]> | ((path: string) => Record<string, string | string[]>) = {};
const ca = testCa();
before(async () => {
  server = await startHttpsServer({
    ca: ca.ca,
    handler: (req, res) => htmlPage(() => (typeof headers === 'function' ? headers(new URL(req.url ?? '/', 'https://x').pathname) : headers))(req, res),
  });
});
after(async () => {
  await server.close();
  ca.cleanup();
});

async function run(sent: typeof headers) {
  headers = sent;
  return runRule(securityHsts, await liveSettings({ servers: [server], caFile: ca.caFile }));
}

test("security.hsts passes for the app's header, trailing semicolon included", async () => {
  const r = await run({ 'strict-transport-security': APP_VALUE });
  assert.equal(r.status, 'pass', r.summary);
  assert.equal(r.summary, '`Strict-Transport-Security: max-age=31536000; includeSubDomains;` (365 days, includeSubDomains) on `/`, `/auth/login`, `/pricing`, `/api/health`');
});

test('security.hsts fails when too short or missing, warns when sent twice the same or without includeSubDomains', async () => {
  const short = await run({ 'strict-transport-security': 'max-age=300; includeSubDomains' });
  assert.equal(short.status, 'fail');
  assert.match(short.summary, /max-age=300 \(0 days\), under six months/);
  assert.match(short.fix ?? '', /`Strict-Transport-Security: max-age=31536000; includeSubDomains`/);

  const missing = await run({});
  assert.equal(missing.status, 'fail');
  assert.match(missing.summary, /no `Strict-Transport-Security` header/);

  const twice = await run({ 'strict-transport-security': [APP_VALUE, APP_VALUE] });
  assert.equal(twice.status, 'warn');
  assert.match(twice.summary, /sent 2 times \(`max-age=31536000; includeSubDomains;`, `max-age=31536000; includeSubDomains;`\): browsers use only the first/);
  const weakFirst = await run({ 'strict-transport-security': ['max-age=600', APP_VALUE] });
  assert.equal(weakFirst.status, 'fail');
  assert.match(weakFirst.summary, /`Strict-Transport-Security: max-age=600` has max-age=600/);

  const noSub = await run({ 'strict-transport-security': 'max-age=31536000' });
  assert.equal(noSub.status, 'warn');
  assert.match(noSub.summary, /lacks includeSubDomains/);
});

test('security.hsts judges every page: the landing page without HSTS fails by name, while the others have it', async () => {
  const r = await run((path): Record<string, string> => (path === '/' ? {} : { 'strict-transport-security': APP_VALUE }));
  assert.equal(r.status, 'fail');
  assert.equal(r.summary, 'no `Strict-Transport-Security` header: a browser that once reached the site can be downgraded to plain HTTP (on `/`)');
  assert.match(r.details ?? '', /strict-transport-security:\n- absent on `\/`\n- `max-age=31536000; includeSubDomains;` on `\/auth\/login`, `\/pricing`, `\/api\/health`/);
  assert.match(r.fix ?? '', /headers\(\) source and the middleware matcher cover every route/);
});

test('security.hsts fails with the probe message, within its bound, when the login page never answers', async () => {
  const hanging = await startHttpsServer({ ca: ca.ca, handler: () => undefined });
  try {
    const r = await runRule(securityHsts, await liveSettings({ servers: [hanging], caFile: ca.caFile, inputs: { 'timeout-seconds': '1' } }));
    assert.equal(r.status, 'fail');
    // The probe's own deadline ended it, not the runner's cut-off at the rule's bound.
    assert.match(r.summary, /GET https:\/\/app\.acme-saas\.com:\d+\/auth\/login: no complete answer within 1 s/);
    assert.doesNotMatch(r.summary, /did not finish within/);
  } finally {
    await hanging.close();
  }
});

test('security.hsts judges a login page that redirects, and says so', async () => {
  const redirecting = await startHttpsServer({
    ca: ca.ca,
    handler: (_req, res) => res.writeHead(307, { location: '/somewhere', 'strict-transport-security': APP_VALUE }).end(),
  });
  try {
    const r = await runRule(securityHsts, await liveSettings({ servers: [redirecting], caFile: ca.caFile }));
    assert.equal(r.status, 'pass', r.summary);
    assert.match(r.details ?? '', /`\/auth\/login` \(sign-in page\): HTTP 307 → `\/somewhere`: a redirect/);
  } finally {
    await redirecting.close();
  }
});
