import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  effectiveReferrerPolicy,
  judgeContentTypeOptions,
  judgeFraming,
  judgeReferrerPolicy,
  securityHeaders,
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

test('X-Content-Type-Options must be nosniff; framing is refused by X-Frame-Options or CSP frame-ancestors', () => {
  assert.equal(judgeContentTypeOptions('nosniff'), undefined);
  assert.equal(judgeContentTypeOptions('NoSniff'), undefined);
  assert.equal(judgeContentTypeOptions(undefined)?.level, 'fail');
  assert.equal(judgeContentTypeOptions('sniff-away')?.message, '`X-Content-Type-Options: sniff-away` is not `nosniff`');
  assert.equal(judgeFraming('SAMEORIGIN', false), undefined);
  assert.equal(judgeFraming('deny', false), undefined);
  assert.equal(judgeFraming(undefined, true), undefined);
  assert.equal(judgeFraming('ALLOW-FROM https://x.example', true), undefined);
  assert.match(judgeFraming('ALLOW-FROM https://x.example', false)?.message ?? '', /is not DENY or SAMEORIGIN/);
  assert.match(judgeFraming(undefined, false)?.message ?? '', /any site can frame the page/);
});

let server: TestServer;
let headers: Record<string, string> = {};
const ca = testCa();
before(async () => {
  server = await startHttpsServer({ ca: ca.ca, handler: htmlPage(() => headers) });
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

async function run(sent: Record<string, string>) {
  headers = sent;
  return runRule(securityHeaders, await liveSettings({ servers: [server], caFile: ca.caFile }));
}

test("security.headers passes for the app's headers", async () => {
  const r = await run(APP_HEADERS);
  assert.equal(r.status, 'pass', r.summary);
  assert.equal(r.summary, '`X-Content-Type-Options: nosniff`, `X-Frame-Options: SAMEORIGIN`, `Referrer-Policy: strict-origin-when-cross-origin`');
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
  assert.equal(bad.findings.length, 2);
  assert.match(bad.fix ?? '', /`X-Content-Type-Options: nosniff`.*strict-origin-when-cross-origin/);

  const downgrade = await run({ ...APP_HEADERS, 'referrer-policy': 'no-referrer-when-downgrade' });
  assert.equal(downgrade.status, 'warn');
  assert.match(downgrade.summary, /`Referrer-Policy: no-referrer-when-downgrade` sends the full URL/);

  const framed = await run({ ...APP_HEADERS, 'x-frame-options': 'ALLOWALL' });
  assert.equal(framed.status, 'fail');
  assert.match(framed.summary, /`X-Frame-Options: ALLOWALL` is not DENY or SAMEORIGIN/);
});
