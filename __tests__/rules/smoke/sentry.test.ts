/** smoke.sentry and security.monitoring against the sandbox's Sentry (ingest over HTTPS, API over HTTP). */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runRules } from '../../../src/engine/runner.js';
import type { Rule, RuleReport } from '../../../src/engine/types.js';
import { createClients } from '../../../src/probes/clients.js';
import { parseDsn } from '../../../src/probes/sentry.js';
import { monitoring } from '../../../src/rules/security/monitoring.js';
import { cspAllows, sentry } from '../../../src/rules/smoke/sentry.js';
import { startSandbox, type Sandbox } from '../../../sandbox/index.js';
import { settingsFor, silentLog } from '../../helpers.js';

let sb: Sandbox;
before(async () => {
  sb = await startSandbox({ scenario: 'good', quiet: true });
});
after(() => sb?.stop());

async function run(rule: Rule, env: Record<string, string | undefined> = {}, inputs: Record<string, string> = {}): Promise<RuleReport> {
  const settings = await settingsFor({ ...sb.env, GITHUB_RUN_ID: '777', GITHUB_REPOSITORY: 'acme/saas', ...env }, { repo: sb.repoDir, inputs: { ...sb.inputs, 'timeout-seconds': '4', ...inputs } });
  const clients = createClients(settings);
  try {
    const [r] = await runRules([rule], { context: { settings, clients, log: silentLog }, probeTimeoutMs: 20_000, commandTimeoutMs: 20_000 });
    return r!;
  } finally {
    await clients.close();
  }
}

test('smoke.sentry: the test event is accepted, found through the API, tagged with the run; the CSP allows the host', async () => {
  const r = await run(sentry);
  assert.equal(r.status, 'pass', r.summary);
  assert.match(r.summary, /accepted by https:\/\/o\d+\.ingest\.sentry\.io\/api\/\d+\/envelope\//);
  assert.match(r.summary, /found through the Sentry API/);
  assert.match(r.summary, /CSP connect-src allows/);
  const stored = sb.sentry.events.at(-1)!;
  assert.equal((stored.payload as { tags: Record<string, string> }).tags['readiness-run'], 'acme/saas#777');
});

test('smoke.sentry fails on a revoked key and on a CSP that blocks the ingest host', async () => {
  const dsn = sb.env.NEXT_PUBLIC_SENTRY_DSN!;
  const revoked = await run(sentry, { NEXT_PUBLIC_SENTRY_DSN: dsn.replace(/\/\/[^@]+@/, '//0123456789abcdef0123456789abcdef@') });
  assert.equal(revoked.status, 'fail');
  assert.match(revoked.summary, /Sentry refused the test event \((401|403)/);

  // The sandbox also takes envelopes on its API address, which the app's CSP does not name.
  const key = /\/\/([^@]+)@/.exec(dsn)![1];
  const project = dsn.split('/').pop();
  const other = await run(sentry, { NEXT_PUBLIC_SENTRY_DSN: `${sb.inputs['sentry-api-base']!.replace('//', `//${key}@`)}/${project}` });
  assert.equal(other.status, 'fail', other.summary);
  assert.match(other.summary, /the deployed CSP connect-src \(.*\*\.ingest\.sentry\.io.*\) does not allow 127\.0\.0\.1:\d+: browser errors never reach Sentry/);
});

test('smoke.sentry warns when the event is accepted but never shows up in the API', async () => {
  const r = await run(sentry, { SENTRY_PROJECT: 'another-project' });
  assert.ok(r.status === 'warn' || r.status === 'fail', r.summary);
  assert.match(r.summary, /not found through the API within 4 s|no project/);
});

test('security.monitoring: alert rules present pass; none fail; no token warns; no DSN fails', async () => {
  assert.equal((await run(monitoring)).status, 'pass');
  const rules = sb.sentry.alertRules.splice(0);
  try {
    const none = await run(monitoring);
    assert.equal(none.status, 'fail');
    assert.match(none.summary, /has no alert rules/);
  } finally {
    sb.sentry.alertRules.push(...rules);
  }
  const noToken = await run(monitoring, { SENTRY_AUTH_TOKEN: undefined });
  assert.equal(noToken.status, 'warn');
  const noDsn = await run(monitoring, { NEXT_PUBLIC_SENTRY_DSN: undefined, SENTRY_DSN: undefined });
  assert.equal(noDsn.status, 'fail');
});

test('parseDsn and CSP host matching', () => {
  const dsn = parseDsn('https://abc123@o1.ingest.sentry.io/42', 'SENTRY_DSN');
  assert.equal(dsn.envelopeUrl, 'https://o1.ingest.sentry.io/api/42/envelope/');
  assert.equal(parseDsn('https://k@sentry.acme.com/sentry/7', 'SENTRY_DSN').envelopeUrl, 'https://sentry.acme.com/sentry/api/7/envelope/');
  assert.throws(() => parseDsn('https://o1.ingest.sentry.io/42', 'SENTRY_DSN'), /no public key/);
  const self = new URL('https://app.acme.com');
  const ingest = new URL(dsn.envelopeUrl);
  assert.ok(cspAllows(["'self'", '*.ingest.sentry.io'], ingest, self));
  assert.ok(cspAllows(['https:'], ingest, self));
  assert.ok(!cspAllows(["'self'", '*.sentry.example'], ingest, self));
  assert.ok(!cspAllows(['*.ingest.sentry.io'], new URL('https://o1.ingest.sentry.io:8443/'), self), 'a port must match');
});
