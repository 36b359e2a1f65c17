import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { itemToken, judgeIsolation, securityCoep } from '../../../src/rules/security/coep.js';
import { runRule } from '../../helpers.js';
import { htmlPage, liveSettings, startHttpsServer, testCa, type TestServer } from './servers.js';

test('itemToken: RFC 8941 Items: a token with parameters parses; a bad parameter, a list or a quoted string does not count', () => {
  assert.deepEqual(itemToken('same-origin; report-to="coop"'), { token: 'same-origin' });
  assert.deepEqual(itemToken('require-corp;report-to=coep'), { token: 'require-corp' });
  assert.match((itemToken('require-corp; report-to=coep endpoint') as { invalid: string }).invalid, /not a valid structured header/);
  assert.match((itemToken('require-corp, require-corp') as { invalid: string }).invalid, /not a valid structured header/, 'two headers combine into a list');
  assert.match((itemToken('"require-corp"') as { invalid: string }).invalid, /quoted string, not a token/);
  assert.equal(itemToken(undefined), undefined);
});

test('judgeIsolation wants require-corp or credentialless, and same-origin, as valid structured fields', () => {
  assert.deepEqual(judgeIsolation({ 'cross-origin-embedder-policy': 'require-corp', 'cross-origin-opener-policy': 'same-origin' }), []);
  assert.deepEqual(judgeIsolation({ 'cross-origin-embedder-policy': 'credentialless', 'cross-origin-opener-policy': 'same-origin; report-to="x"' }), []);
  const weak = judgeIsolation({ 'cross-origin-embedder-policy': 'unsafe-none', 'cross-origin-opener-policy': 'same-origin-allow-popups' }).map((p) => p.message);
  assert.deepEqual(weak, [
    '`Cross-Origin-Embedder-Policy: unsafe-none` does not isolate the page',
    '`Cross-Origin-Opener-Policy: same-origin-allow-popups` does not isolate the page (only `same-origin` does)',
  ]);
  // Changed verdict (issue 11): these passed as isolating; browsers drop a header that does not parse.
  const invalid = judgeIsolation({ 'cross-origin-embedder-policy': 'require-corp; report-to=coep endpoint', 'cross-origin-opener-policy': 'same-origin; report-to=coop endpoint' });
  assert.deepEqual(invalid.map((p) => p.level), ['fail', 'fail']);
  assert.match(invalid[0]!.message, /^`Cross-Origin-Embedder-Policy: require-corp; report-to=coep endpoint` is ignored by browsers: it is not a valid structured header/);
  assert.match(judgeIsolation({ 'cross-origin-embedder-policy': 'Require-Corp', 'cross-origin-opener-policy': 'same-origin' })[0]!.message, /does not isolate the page/, 'tokens are case-sensitive');
  assert.match(judgeIsolation({ 'cross-origin-embedder-policy-report-only': 'require-corp', 'cross-origin-opener-policy': 'same-origin' })[0]!.message, /only the Report-Only one/);
});

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

async function run(sent: Record<string, string>, flag: string | undefined) {
  headers = sent;
  return runRule(securityCoep, await liveSettings({ servers: [server], caFile: ca.caFile, env: { ENABLE_COEP: flag } }));
}

test('security.coep passes with both headers when ENABLE_COEP=true', async () => {
  const r = await run({ 'cross-origin-embedder-policy': 'require-corp', 'cross-origin-opener-policy': 'same-origin' }, 'true');
  assert.equal(r.status, 'pass', r.summary);
  assert.equal(r.summary, '`Cross-Origin-Embedder-Policy: require-corp` and `Cross-Origin-Opener-Policy: same-origin` on every document');
});

test('security.coep fails when ENABLE_COEP=true and the headers are missing', async () => {
  const r = await run({}, 'true');
  assert.equal(r.status, 'fail');
  assert.equal(r.summary, 'no `Cross-Origin-Embedder-Policy` header (on `/`, `/auth/login`, `/pricing`, `/api/health`); no `Cross-Origin-Opener-Policy` header (on `/`, `/auth/login`, `/pricing`, `/api/health`)');
  assert.match(r.fix ?? '', /require-corp.*same-origin/s);
});

test('security.coep fails on a header sent twice (the copies combine into a list browsers drop)', async () => {
  headers = { 'cross-origin-embedder-policy': ['require-corp', 'require-corp'], 'cross-origin-opener-policy': 'same-origin' };
  const r = await runRule(securityCoep, await liveSettings({ servers: [server], caFile: ca.caFile, env: { ENABLE_COEP: 'true' } }));
  assert.equal(r.status, 'fail');
  assert.match(r.summary, /is ignored by browsers: it is not a valid structured header/);
});

test('security.coep skips, saying why, when the flag is off or unset (without probing)', async () => {
  const before = server.requests.length;
  const off = await run({}, 'false');
  assert.equal(off.status, 'skip');
  assert.match(off.summary, /ENABLE_COEP is `false`, so cross-origin isolation is not expected/);
  const unset = await run({}, undefined);
  assert.equal(unset.status, 'skip');
  assert.match(unset.summary, /ENABLE_COEP is unset/);
  assert.equal(server.requests.length, before);
});
