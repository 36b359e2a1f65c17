/**
 * The seven live security rules against the sandbox, the faithful emulation of the target app: its
 * `good` deployment passes all of them with one shared fetch of each page of the page set, and
 * `unsafe-flags` (ENABLE_HSTS=false) fails security.hsts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runRules } from '../../../src/engine/runner.js';
import type { Rule, RuleReport } from '../../../src/engine/types.js';
import { createClients } from '../../../src/probes/clients.js';
import { securityCoep } from '../../../src/rules/security/coep.js';
import { securityCookies } from '../../../src/rules/security/cookies.js';
import { securityCsp } from '../../../src/rules/security/csp.js';
import { securityHeaders } from '../../../src/rules/security/headers.js';
import { securityHsts } from '../../../src/rules/security/hsts.js';
import { securityOrigin } from '../../../src/rules/security/origin.js';
import { securityTls } from '../../../src/rules/security/tls.js';
import { startSandbox, type Sandbox } from '../../../sandbox/index.js';
import { settingsFor, silentLog } from '../../helpers.js';

const RULES: Rule[] = [securityTls, securityHsts, securityCsp, securityCoep, securityHeaders, securityCookies, securityOrigin];

let good: Sandbox;
let unsafe: Sandbox;
before(async () => {
  [good, unsafe] = await Promise.all([startSandbox({ scenario: 'good', quiet: true }), startSandbox({ scenario: 'unsafe-flags', quiet: true })]);
});
after(async () => {
  await Promise.all([good?.stop(), unsafe?.stop()]);
});

/** The rules in one run, as the gate runs them: one set of clients, so each page is fetched once. */
async function runSecurity(sb: Sandbox): Promise<Map<string, RuleReport>> {
  const settings = await settingsFor(sb.env, { repo: sb.repoDir, inputs: sb.inputs });
  const clients = createClients(settings);
  try {
    const reports = await runRules(RULES, {
      context: { settings, clients, log: silentLog },
      probeTimeoutMs: settings.timeoutSeconds * 3000,
      commandTimeoutMs: 60_000,
    });
    return new Map(reports.map((r) => [r.id, r]));
  } finally {
    await clients.close();
  }
}

test('the good sandbox passes all seven live security rules, fetching each page once', async () => {
  const before = good.app!.requests.length;
  const reports = await runSecurity(good);
  for (const report of reports.values()) assert.equal(report.status, 'pass', `${report.id}: ${report.summary}`);
  assert.deepEqual([...reports.keys()], ['security.tls', 'security.hsts', 'security.csp', 'security.coep', 'security.headers', 'security.cookies', 'security.origin']);
  const requests = good.app!.requests.slice(before);
  for (const page of ['/', '/auth/login', '/pricing', '/api/health', '/api/auth/providers']) {
    assert.equal(requests.filter((r) => r.path === page && r.scheme === 'https').length, 1, `the header rules share one request to ${page}`);
  }
  assert.equal(requests.find((r) => r.path === '/' && r.scheme === 'https')?.status, 307, "the landing page sends signed-out visitors to the login page");
  assert.ok(requests.some((r) => r.scheme === 'http' && r.status === 301), 'the plain-HTTP redirect was probed');
  assert.match(reports.get('security.hsts')!.summary, /max-age=31536000; includeSubDomains;/);
  assert.match(reports.get('security.cookies')!.summary, /__Host-next-auth\.csrf-token/);
  for (const secret of good.secrets) assert.ok(!JSON.stringify([...reports.values()]).includes(secret), 'no secret in the reports');
});

test('the unsafe-flags sandbox (ENABLE_HSTS=false) fails security.hsts', async () => {
  const reports = await runSecurity(unsafe);
  const hsts = reports.get('security.hsts')!;
  assert.equal(hsts.status, 'fail');
  assert.match(hsts.summary, /no `Strict-Transport-Security` header/);
  assert.match(hsts.fix ?? '', /ENABLE_HSTS=true/);
  assert.equal(reports.get('security.csp')!.status, 'pass');
});
