import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePolicyList } from '../../../src/analysis/headers/csp.js';
import {
  effectiveReferrerPolicy,
  headerValues,
  judgeContentTypeOptions,
  judgeFraming,
  judgePermissionsPolicy,
  judgeReferrerPolicy,
  securityHeaders,
  xFrameOptionsVerdict,
} from '../../../src/rules/security/headers.js';
import { runRule } from '../../helpers.js';
import { htmlPage, liveSettings, startHttpsServer, testCa, type TestServer } from './servers.js';

test('Referrer-Policy: the last recognised token wins; safe ones pass, downgrade-ish ones warn, unsafe-url fails', () => {
  assert.equal(effectiveReferrerPolicy('no-referrer, strict-origin-when-cross-origin'), 'strict-origin-when-cross-origin');
  assert.equal(effectiveReferrerPolicy('strict-origin, made-up'), 'strict-origin');
  assert.equal(effectiveReferrerPolicy('Same-Origin'), undefined, 'tokens are compared exactly');
  for (const safe of ['no-referrer', 'same-origin', 'strict-origin', 'strict-origin-when-cross-origin']) assert.equal(judgeReferrerPolicy(safe), undefined, safe);
  assert.equal(judgeReferrerPolicy('no-referrer-when-downgrade')?.level, 'warn');
  assert.equal(judgeReferrerPolicy('origin-when-cross-origin')?.level, 'warn');
  assert.equal(judgeReferrerPolicy(undefined)?.level, 'warn');
  assert.match(judgeReferrerPolicy('nope')?.message ?? '', /`Referrer-Policy: nope` is not a policy browsers recognise/);
  assert.deepEqual(judgeReferrerPolicy('unsafe-url'), {
    level: 'fail',
    message: '`Referrer-Policy: unsafe-url` sends the full URL (path and query) to every site, even over plain HTTP',
    fix: 'Send `Referrer-Policy: strict-origin-when-cross-origin` (or `no-referrer`, `same-origin`, `strict-origin`).',
  });
});

const csp = (...policies: string[]) => parsePolicyList(policies);

test('headerValues: Fetch "get, decode, and split": repeated headers combined, split on commas outside quotes', () => {
  const raw: Array<[string, string]> = [['x-frame-options', 'DENY'], ['x-other', 'a'], ['x-frame-options', ' ALLOWALL , "a,b"']];
  assert.deepEqual(headerValues(raw, 'x-frame-options'), ['DENY', 'ALLOWALL', '"a,b"']);
  assert.equal(headerValues(raw, 'x-absent'), undefined);
});

test('X-Content-Type-Options: Fetch reads the first value only (nosniff, whimsy is on; whimsy, nosniff is off)', () => {
  assert.equal(judgeContentTypeOptions(['nosniff']), undefined);
  assert.equal(judgeContentTypeOptions(['NoSniff']), undefined);
  // Changed verdict (issue 11): `nosniff, whimsy` failed before; Fetch takes the first value.
  assert.equal(judgeContentTypeOptions(['nosniff', 'whimsy']), undefined);
  assert.equal(judgeContentTypeOptions(['whimsy', 'nosniff'])?.message, '`X-Content-Type-Options: whimsy, nosniff` does not start with `nosniff`: browsers read only the first value');
  assert.equal(judgeContentTypeOptions([''])?.level, 'fail');
  assert.equal(judgeContentTypeOptions(undefined)?.level, 'fail');
  assert.equal(judgeContentTypeOptions(undefined, 'resource')?.level, 'warn', 'an API answer only warns');
});

test('X-Frame-Options: the HTML standard\'s algorithm on the combined values', () => {
  assert.equal(xFrameOptionsVerdict(['DENY']), 'deny');
  assert.equal(xFrameOptionsVerdict(['sameorigin']), 'sameorigin');
  assert.equal(xFrameOptionsVerdict(['SAMEORIGIN', 'sameorigin']), 'sameorigin', 'the same value twice is one value');
  // Changed verdict (issue 11): DENY plus ALLOWALL failed as "browsers ignore"; HTML blocks framing on the conflict.
  assert.equal(xFrameOptionsVerdict(['DENY', 'ALLOWALL']), 'deny');
  assert.equal(xFrameOptionsVerdict(['SAMEORIGIN', 'DENY']), 'deny');
  assert.equal(xFrameOptionsVerdict(['ALLOW-FROM https://x.example']), 'allow');
  assert.equal(xFrameOptionsVerdict(['ALLOWALL']), 'allow');
  assert.equal(xFrameOptionsVerdict(['foo', 'bar']), 'allow', 'several unknown values allow');
  assert.equal(xFrameOptionsVerdict(undefined), 'allow');
});

test('framing: frame-ancestors is judged by its values, and browsers ignore X-Frame-Options when it is present', () => {
  assert.equal(judgeFraming(['SAMEORIGIN'], []), undefined);
  assert.equal(judgeFraming(['DENY', 'ALLOWALL'], []), undefined);
  assert.equal(judgeFraming(undefined, csp("frame-ancestors 'none'")), undefined);
  assert.equal(judgeFraming(['ALLOW-FROM https://x.example'], csp("frame-ancestors 'self'")), undefined);
  // Changed verdict (issue 11): frame-ancestors * counted as protection.
  for (const wildcard of ['*', 'https:', 'http: https:', 'https://*']) {
    assert.match(judgeFraming(undefined, csp(`frame-ancestors ${wildcard}`))?.message ?? '', /admits every site, so any site can frame the page/, wildcard);
  }
  assert.match(judgeFraming(['DENY'], csp('frame-ancestors *'))?.message ?? '', /; browsers ignore `X-Frame-Options: DENY` when the CSP has frame-ancestors$/);
  assert.equal(judgeFraming(undefined, csp('frame-ancestors *', "frame-ancestors 'self'")), undefined, 'policies intersect: one restricting is enough');
  assert.equal(judgeFraming(['DENY'], csp("default-src 'self'")), undefined, 'no frame-ancestors: X-Frame-Options decides');
  assert.match(judgeFraming(['ALLOW-FROM https://x.example'], [])?.message ?? '', /is not DENY or SAMEORIGIN/);
  assert.match(judgeFraming(undefined, [])?.message ?? '', /any site can frame the page/);
});

test('Permissions-Policy: an RFC 8941 dictionary; Feature-Policy syntax is ignored by browsers (warn)', () => {
  assert.equal(judgePermissionsPolicy('geolocation=(), microphone=()'), undefined);
  assert.equal(judgePermissionsPolicy('camera=(self "https://meet.example")'), undefined);
  assert.equal(judgePermissionsPolicy(undefined), undefined);
  const bad = judgePermissionsPolicy("geolocation 'none'; microphone 'none'");
  assert.equal(bad?.level, 'warn');
  assert.match(bad?.message ?? '', /is not a valid structured header \(RFC 8941: .*\), so browsers ignore all of it/);
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

const APP_HEADERS = {
  'x-frame-options': 'SAMEORIGIN',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
};

async function run(sent: typeof headers) {
  headers = sent;
  return runRule(securityHeaders, await liveSettings({ servers: [server], caFile: ca.caFile }));
}

test("security.headers passes for the app's headers", async () => {
  const r = await run(APP_HEADERS);
  assert.equal(r.status, 'pass', r.summary);
  assert.equal(r.summary, '`X-Content-Type-Options: nosniff`, `X-Frame-Options: SAMEORIGIN`, `Referrer-Policy: strict-origin-when-cross-origin` on `/`, `/auth/login`, `/pricing`, `/api/health`');
});

test('security.headers accepts CSP frame-ancestors instead of X-Frame-Options', async () => {
  const { 'x-frame-options': _xfo, ...rest } = APP_HEADERS;
  const r = await run({ ...rest, 'content-security-policy': "frame-ancestors 'none'" });
  assert.equal(r.status, 'pass', r.summary);
  assert.match(r.summary, /CSP frame-ancestors/);
});

test('security.headers fails on a missing nosniff and unsafe-url, warns on no-referrer-when-downgrade', async () => {
  const bad = await run({ 'x-frame-options': 'SAMEORIGIN', 'referrer-policy': 'unsafe-url' });
  assert.equal(bad.status, 'fail');
  assert.match(bad.summary, /no `X-Content-Type-Options` header.*`Referrer-Policy: unsafe-url` sends the full URL/);
  assert.equal(bad.findings.length, 2, 'one finding per problem, each naming every page');
  assert.match(bad.findings[0]!.message, /\(on `\/`, `\/auth\/login`, `\/pricing`, `\/api\/health`\)$/);
  assert.match(bad.fix ?? '', /`X-Content-Type-Options: nosniff`.*strict-origin-when-cross-origin/);

  const downgrade = await run({ ...APP_HEADERS, 'referrer-policy': 'no-referrer-when-downgrade' });
  assert.equal(downgrade.status, 'warn');
  assert.match(downgrade.summary, /`Referrer-Policy: no-referrer-when-downgrade` sends the full URL/);

  const framed = await run({ ...APP_HEADERS, 'x-frame-options': 'ALLOWALL' });
  assert.equal(framed.status, 'fail');
  assert.match(framed.summary, /`X-Frame-Options: ALLOWALL` is not DENY or SAMEORIGIN/);

  const conflict = await run({ ...APP_HEADERS, 'x-frame-options': ['DENY', 'ALLOWALL'], 'x-content-type-options': ['nosniff', 'whimsy'] });
  assert.equal(conflict.status, 'pass', conflict.summary);
});

test('security.headers judges each page: a page users land on without nosniff or framing protection fails, naming it', async () => {
  const r = await run((path) => (path === '/' ? { 'referrer-policy': 'no-referrer' } : APP_HEADERS));
  assert.equal(r.status, 'fail');
  assert.equal(
    r.summary,
    'no `X-Content-Type-Options` header: browsers may sniff uploads and responses as scripts or HTML (on `/`); no `X-Frame-Options` and no CSP `frame-ancestors`: any site can frame the page (clickjacking) (on `/`)',
  );
  assert.match(r.details ?? '', /x-frame-options:\n- absent on `\/`\n- `SAMEORIGIN` on `\/auth\/login`, `\/pricing`, `\/api\/health`/);
});

test('security.headers: a wildcard frame-ancestors leaves the page framable even with X-Frame-Options: DENY', async () => {
  const r = await run({ ...APP_HEADERS, 'x-frame-options': 'DENY', 'content-security-policy': 'frame-ancestors https:' });
  assert.equal(r.status, 'fail');
  assert.match(r.summary, /`frame-ancestors https:` admits every site.*browsers ignore `X-Frame-Options: DENY`/);
});
