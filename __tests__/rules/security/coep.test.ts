import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeIsolation, policyToken, securityCoep } from '../../../src/rules/security/coep.js';
import { runRule } from '../../helpers.js';
import { htmlPage, liveSettings, startHttpsServer, testCa, type TestServer } from './servers.js';

test('policyToken drops parameters; judgeIsolation wants require-corp or credentialless, and same-origin', () => {
  assert.equal(policyToken('same-origin; report-to="coop"'), 'same-origin');
  assert.deepEqual(judgeIsolation({ 'cross-origin-embedder-policy': 'require-corp', 'cross-origin-opener-policy': 'same-origin' }), []);
  assert.deepEqual(judgeIsolation({ 'cross-origin-embedder-policy': 'credentialless', 'cross-origin-opener-policy': 'same-origin; report-to="x"' }), []);
  const weak = judgeIsolation({ 'cross-origin-embedder-policy': 'unsafe-none', 'cross-origin-opener-policy': 'same-origin-allow-popups' }).map((p) => p.message);
  assert.deepEqual(weak, [
    '`Cross-Origin-Embedder-Policy: unsafe-none` does not isolate the page',
    '`Cross-Origin-Opener-Policy: same-origin-allow-popups` does not isolate the page (only `same-origin` does)',
  ]);
  assert.match(judgeIsolation({ 'cross-origin-embedder-policy-report-only': 'require-corp', 'cross-origin-opener-policy': 'same-origin' })[0]!.message, /only the Report-Only one/);
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

async function run(sent: Record<string, string>, flag: string | undefined) {
  headers = sent;
  return runRule(securityCoep, await liveSettings({ servers: [server], caFile: ca.caFile, env: { ENABLE_COEP: flag } }));
}

test('security.coep passes with both headers when ENABLE_COEP=true', async () => {
  const r = await run({ 'cross-origin-embedder-policy': 'require-corp', 'cross-origin-opener-policy': 'same-origin' }, 'true');
  assert.equal(r.status, 'pass', r.summary);
  assert.equal(r.summary, '`Cross-Origin-Embedder-Policy: require-corp` and `Cross-Origin-Opener-Policy: same-origin`');
});

test('security.coep fails when ENABLE_COEP=true and the headers are missing', async () => {
  const r = await run({}, 'true');
  assert.equal(r.status, 'fail');
  assert.equal(r.summary, 'no `Cross-Origin-Embedder-Policy` header; no `Cross-Origin-Opener-Policy` header');
  assert.match(r.fix ?? '', /require-corp.*same-origin/s);
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
