/**
 * The gate's verdict on the §3-§5 scenarios, end to end: each scenario's sandbox is started, the
 * gate's command line (src/cli.ts) runs against it with the sandbox's inputs and `--json`, and the
 * report must say `expect.ready`, with exactly `expect.notPassing` as the rules that warn or fail.
 *
 * A scenario's expectation is that of a run of every section. Here only the sections its
 * expectation names run (and the build gate's commands are switched off), so the comparison is with
 * the whole expectation: these scenarios leave the config and gate sections passing, which one test
 * below checks on a full run.
 *
 * An expectation that names a rule the registry (src/rules/index.ts) does not have fails: a rule
 * dropped from the registry must not turn its scenarios into silent skips.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { cli } from '../../src/cli.js';
import { RULES } from '../../src/rules/index.js';
import { SCENARIOS, startSandbox, type Sandbox } from '../../sandbox/index.js';
import { appRequest } from './helpers.js';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface RuleResult {
  id: string;
  status: 'pass' | 'warn' | 'fail' | 'skip';
  summary: string;
}

interface GateRun {
  code: number;
  ready: boolean;
  rules: RuleResult[];
  stdout: string;
  stderr: string;
}

const REGISTERED = new Set(RULES.map((r) => r.meta.id));

/** The gate's CLI against the sandbox: its env file, its inputs as flags, the given sections. */
async function runGate(sb: Sandbox, checks: string, extra: string[] = [], env: Record<string, string | undefined> = { PATH: process.env.PATH, ...sb.processEnv }): Promise<GateRun> {
  const argv = ['--dotenv', sb.envFile, '--checks', checks, '--json'];
  for (const [name, value] of Object.entries(sb.inputs)) {
    if (name === 'resolve') for (const line of sb.resolve) argv.push('--resolve', line);
    else argv.push(`--${name}`, value);
  }
  argv.push(...extra);
  let stdout = '';
  let stderr = '';
  const code = await cli({
    argv,
    env,
    cwd: sb.dir,
    stdout: { write: (t: string) => (stdout += t), isTTY: false },
    stderr: { write: (t: string) => (stderr += t) },
  });
  assert.ok(code === 0 || code === 1, `exit code ${code}: ${stderr}`);
  const report = JSON.parse(stdout) as { ready: boolean; rules: RuleResult[] };
  return { code, ready: report.ready, rules: report.rules, stdout, stderr };
}

const NO_COMMANDS = ['--install-command', '', '--migrate-command', '', '--build-command', ''];
const notPassing = (run: GateRun) => run.rules.filter((r) => r.status === 'warn' || r.status === 'fail').map((r) => r.id).sort();
const show = (run: GateRun) => run.rules.filter((r) => r.status !== 'pass').map((r) => `${r.status} ${r.id}: ${r.summary}`).join('\n');

/**
 * What the summaries must say, beyond the statuses: the facts of each misconfiguration (numbers,
 * names, paths), not the rules' wording.
 */
const SAYS: Record<string, Record<string, RegExp>> = {
  'expired-cert': { 'security.tls': /expired on \d{4}-\d\d-\d\d \(1 day ago\)/, 'smoke.health': /CERT_HAS_EXPIRED/ },
  'cert-expiring-soon': { 'security.tls': /expires in 5 days .*min-cert-days \(14\)/ },
  'cert-expiring-in-20-days': { 'security.tls': /expires in 20 days/ },
  'wrong-host-cert': { 'security.tls': /`acme-saas\.com`, `www\.acme-saas\.com`, not `app\.acme-saas\.com`/, 'smoke.health': /ERR_TLS_CERT_ALTNAME_INVALID/ },
  'no-https-redirect': { 'security.tls': /http:\/\/app\.acme-saas\.com\/.*https:\/\// },
  'hsts-too-short': { 'security.hsts': /max-age=86400 \(1 day\)/ },
  'csp-unsafe-eval': { 'security.csp': /'unsafe-eval'/ },
  'csp-no-object-src': { 'security.csp': /plugins are limited but not blocked: `default-src 'self'`/ },
  'landing-page-without-headers': {
    'security.hsts': /^no `Strict-Transport-Security` header: .* \(on `\/`\)$/,
    'security.csp': /^no Content-Security-Policy header \(on `\/`\)$/,
    'security.coep': /^no `Cross-Origin-Embedder-Policy` header \(on `\/`\)/,
    'security.headers': /^no `X-Content-Type-Options` header: .* \(on `\/`\); no `X-Frame-Options` and no CSP `frame-ancestors`: .* \(on `\/`\)/,
  },
  'internal-origin-leak': {
    'security.origin': /^Location sends browsers to `https:\/\/localhost:4002\/auth\/login\?callbackUrl=.*`: a loopback origin.* \(on `\/`\); Report-To sends reports to `https:\/\/localhost:4002\/api\/security\/csp-report`: a loopback origin.* \(on `\/`, `\/auth\/login`, `\/pricing`, `\/api\/health`\)/,
  },
  'coep-missing': { 'security.coep': /Cross-Origin-Embedder-Policy/ },
  'insecure-cookies': {
    'security.cookies': /`Secure`/,
    'smoke.auth-providers': /callbackUrl http:\/\/app\.acme-saas\.com/,
    'security.origin': /the callbackUrl of github is `http:\/\/app\.acme-saas\.com[:\d]*\/api\/auth\/callback\/github`: plain HTTP/,
  },
  'wrong-callback-urls': { 'smoke.auth-providers': /callbackUrl https:\/\/staging\.acme-saas\.com\/api\/auth\/callback\/github/ },
  'auth-trust-host-false': {
    'config.nextauth-trust-host': /^next-auth 4\.24\.13 ignores NEXTAUTH_TRUST_HOST \(it has no trustHost option\); AUTH_TRUST_HOST="false" is a non-empty value, so host trust is on/,
    'smoke.auth-providers': /^a forged host comes back in \d+ of \d+ answers: POST \/api\/auth\/signin\/github with X-Forwarded-Host: (prg-[0-9a-f]{12}\.invalid) → body url \(redirect_uri\) = https:\/\/github\.com\/login\/oauth\/authorize\?.*redirect_uri=https:\/\/\1\/api\/auth\/callback\/github/,
  },
  'vercel-flag-self-hosted': { 'smoke.auth-providers': /^a forged host comes back in \d+ of \d+ answers: POST \/api\/auth\/signin\/github with X-Forwarded-Host/ },
  'authjs-v5-untrusted-host': {
    'config.nextauth-trust-host': /^next-auth 5\.0\.0-beta\.25 does not read NEXTAUTH_TRUST_HOST .*Auth\.js refuses every \/api\/auth request \(UntrustedHost, answered with 500\): nobody can sign in$/,
    'smoke.auth-providers': /^GET \/api\/auth\/providers answered 500 "There was a problem with the server configuration\. .*": the cause is Auth\.js's UntrustedHost: /,
  },
  'register-api-500': { 'smoke.register-api': /\b500\b/ },
  'plan-grants-feature': { 'smoke.feature-gates': /free@acme\.com on smoke-free: sso: .*got 200/ },
  'no-webhook-endpoint': { 'stripe.webhook-endpoint': /no Stripe webhook endpoint/ },
  'webhook-endpoint-disabled': { 'stripe.webhook-endpoint': /disabled/ },
  'webhook-missing-events': { 'stripe.webhook-endpoint': /customer\.subscription\.deleted, invoice\.payment_failed/ },
  'webhook-accepts-unsigned': { 'smoke.stripe-webhook': /unsigned/ },
  'catalog-missing-price': { 'stripe.catalog-sync': /price_1OtEamMonthEurAcme000008/ },
  'stale-product': { 'stripe.catalog-sync': /Priority Support \(prod_PsUppAcm3Sa4S4\)/ },
  'sync-secret-unset': { 'stripe.sync-endpoint': /\b503\b/ },
  'plan-missing-from-pricing': { 'smoke.billing-plans': /Enterprise/ },
  'committed-live-key': { 'security.committed-secrets': /STRIPE_SECRET_KEY.*lib\/stripe\.ts:4/ },
  'committed-restricted-key': { 'security.committed-secrets': /scripts\/mrr-report\.ts:4/ },
  'live-key-in-history': { 'security.committed-secrets': /history/ },
  'tracked-env-file': { 'security.committed-secrets': /\.env\.production/ },
  'workflow-literal-secret': { 'security.committed-secrets': /deploy\.yml/, 'security.workflow-secrets': /deploy\.yml/ },
  'no-alert-rules': { 'security.monitoring': /alert rules/ },
  'no-backup-attestation': { 'security.backups': /operations\.backups/ },
  'no-rollback-docs': { 'security.rollback': /docs\/deployment-guide\.md/ },
  'missing-docs': { 'security.docs': /docs\/release-checklist\.md/ },
  'failed-migration': { 'gate.migration-safety': /ADD COLUMN "slug" TEXT NOT NULL without a default at .*:9 \(will fail: "Service" has rows \(about \d+ rows? by the statistics\)\)/, 'gate.migrations': /P3009/ },
  'pending-unique-on-duplicates': { 'gate.migration-safety': /CREATE UNIQUE INDEX ON "Team" at .*20240926100000_team_billing_unique\/migration\.sql:8 \(will fail with 23505: 2 rows of "Team" share one key value: duplicates in "Team"\("billingId"\)\)$/ },
  'pending-migration-behind-session': { 'gate.migration-safety': /ADD COLUMN "seats" at .*:2 \(will wait: it needs ACCESS EXCLUSIVE on "Subscription", which conflicts with pid \d+, "Metabase", user acme_app \(idle in transaction for .*\) holds ACCESS SHARE/ },
  'pending-destructive-migration': { 'gate.migration-safety': /DROP COLUMN "billingProvider" at .*20240925143000_team_cleanup\/migration\.sql:12 and 1 more$/ },
  'authjs-no-health-route': { 'smoke.health': /^the app has no health route \(no \/api\/health, .* under app\)/ },
  'authjs-webhook-missing-event': { 'stripe.webhook-endpoint': /does not subscribe to 1 event the app handles: invoice\.payment_succeeded$/ },
  'authjs-register-catch-all': { 'smoke.register-api': /^\/api\/auth\/join is not a sign-up API: .*app\/api\/auth\/\[\.\.\.nextauth\]\/route\.ts \(a catch-all\)/, 'smoke.auth-pages': /\/auth\/join answered 404/ },
  'authjs-mysql-migration': { 'gate.migration-dialect': /^1 of 5 migrations are not PostgreSQL \(MySQL SQL\): .*20240926090000_user_preferences\/migration\.sql: syntax error at or near "`".*no migration_lock\.toml$/ },
  'authjs-pnpm': { 'security.monitoring': /no @sentry\/\* dependency/ },
  'vulnerable-next-auth': { 'security.dependencies': /^critical advisory in next-auth 4\.24\.13 \(auth\): .* https:\/\/npm\.example\.test\/advisories\/1099001; fixed in 4\.24\.14$/ },
  'registry-unreachable': { 'security.dependencies': /^unreachable: registry — the known advisories cannot be read: the registry did not answer: http:\/\/127\.0\.0\.1:\d+\/-\/npm\/v1\/security\/advisories\/bulk/ },
};

/** Starts the scenario, runs the sections its expectation names, checks the verdict; `more` checks further. */
function scenarioTest(name: string, more?: (sb: Sandbox, run: GateRun) => Promise<void>): void {
  const scenario = SCENARIOS[name];
  test(`${name}: ${scenario?.description ?? ''}`, async () => {
    assert.ok(scenario, `no scenario ${name}`);
    assert.deepEqual(scenario.expect.notPassing.filter((id) => !REGISTERED.has(id)), [], 'every rule the scenario expects is registered');
    const sections = [...new Set(scenario.expect.notPassing.map((id) => id.split('.')[0]!))];
    const sb = await startSandbox({ scenario: name, quiet: true });
    try {
      const run = await runGate(sb, sections.join(','), NO_COMMANDS);
      assert.deepEqual(notPassing(run), [...scenario.expect.notPassing].sort(), show(run));
      assert.equal(run.ready, scenario.expect.ready, show(run));
      assert.equal(run.code, scenario.expect.ready ? 0 : 1);
      for (const [id, says] of Object.entries(SAYS[name] ?? {})) {
        const rule = run.rules.find((r) => r.id === id);
        assert.match(rule?.summary ?? '(not run)', says, id);
      }
      for (const secret of sb.secrets) assert.ok(!run.stdout.includes(secret), 'no secret in the report');
      await more?.(sb, run);
    } finally {
      await sb.stop();
    }
  });
}

// Two sandboxes at a time: each is mostly waiting (PostgreSQL start-up, probes on loopback).
describe('§3/§4 live probes: the gate sees what the deployment serves', { concurrency: 2 }, () => {
  for (const name of [
    'expired-cert',
    'cert-expiring-soon',
    'cert-expiring-in-20-days',
    'wrong-host-cert',
    'no-https-redirect',
    'hsts-too-short',
    'csp-unsafe-eval',
    'csp-no-object-src',
    'landing-page-without-headers',
    'internal-origin-leak',
    'insecure-cookies',
    'wrong-callback-urls',
    'register-api-500',
    'plan-grants-feature',
    'auth-trust-host-false',
    'authjs-v5-untrusted-host',
  ]) {
    scenarioTest(name);
  }

  scenarioTest('vercel-flag-self-hosted', async (sb, run) => {
    // The variable alone is a notice (on Vercel it is safe): the live probe is what fails.
    assert.equal(sb.env.VERCEL, '1');
    const config = await runGate(sb, 'config.nextauth-trust-host', NO_COMMANDS);
    assert.deepEqual(config.rules.map((r) => r.status), ['pass']);
    assert.match(config.rules[0]!.summary, /VERCEL="1" is a non-empty value, so host trust is on.*smoke\.auth-providers' forged-host probe settles it/);
    assert.ok(run.rules.some((r) => r.id === 'smoke.auth-providers' && r.status === 'fail'));
  });

  test('authjs-v5-auth-url: Auth.js v5 with AUTH_URL trusts the host and builds every URL from AUTH_URL: every auth rule passes', async () => {
    const scenario = SCENARIOS['authjs-v5-auth-url']!;
    assert.deepEqual(scenario.expect, { ready: true, notPassing: [] });
    const sb = await startSandbox({ scenario: 'authjs-v5-auth-url', quiet: true });
    try {
      assert.equal(sb.app!.config.auth.version, '5.0.0-beta.25', 'the app runs the version its lockfile pins');
      assert.equal(sb.app!.config.auth.trustHostOption, undefined);
      const run = await runGate(sb, 'config.nextauth-trust-host,smoke.auth-providers,smoke.login-flow', NO_COMMANDS);
      assert.deepEqual(notPassing(run), [], show(run));
      assert.match(run.rules.find((r) => r.id === 'config.nextauth-trust-host')!.summary, /AUTH_URL="https:\/\/app\.acme-saas\.com[:\d]*" is a non-empty value, so trust is on, and AUTH_URL is set/);
      assert.match(run.rules.find((r) => r.id === 'smoke.auth-providers')!.summary, /a forged Host or X-Forwarded-Host comes back in no URL NextAuth builds \(8 forged requests/);
    } finally {
      await sb.stop();
    }
  });

  scenarioTest('coep-missing', async (sb, run) => {
    // The gate was given ENABLE_COEP=true, so the flag rule passes: only the live header shows the drift.
    assert.equal(sb.env.ENABLE_COEP, 'true');
    assert.equal(sb.appEnv.ENABLE_COEP, undefined);
    const flag = await runGate(sb, 'config.enable-coep', NO_COMMANDS);
    assert.deepEqual(flag.rules.map((r) => r.status), ['pass']);
    assert.ok(run.rules.some((r) => r.id === 'security.coep' && r.status === 'fail'));
  });
});

describe('§1/§5 Stripe: the account, the catalog and the app\'s Stripe routes', { concurrency: 2 }, () => {
  for (const name of [
    'no-webhook-endpoint',
    'webhook-endpoint-disabled',
    'webhook-missing-events',
    'webhook-accepts-unsigned',
    'catalog-missing-price',
    'stale-product',
    'sync-secret-unset',
    'plan-missing-from-pricing',
  ]) {
    scenarioTest(name);
  }
});

describe('§4 secrets and operations: the repository, the config and Sentry', { concurrency: 2 }, () => {
  for (const name of [
    'committed-live-key',
    'committed-restricted-key',
    'tracked-env-file',
    'workflow-literal-secret',
    'no-alert-rules',
    'no-backup-attestation',
    'no-rollback-docs',
    'missing-docs',
  ]) {
    scenarioTest(name);
  }

  scenarioTest('live-key-in-history', async (sb) => {
    // The scenario gives scan-history: true; without it, the key removed from the tree is not seen.
    assert.equal(sb.inputs['scan-history'], 'true');
    const treeOnly = await runGate(sb, 'security.committed-secrets', [...NO_COMMANDS, '--scan-history', 'false']);
    assert.deepEqual(treeOnly.rules.map((r) => r.status), ['pass'], show(treeOnly));
  });
});

describe('§2 migrations: the history and the pending migrations, graded by the data', { concurrency: 2 }, () => {
  for (const name of ['failed-migration', 'drifted-migration', 'missing-migration-file', 'pending-destructive-migration', 'pending-unique-on-duplicates', 'pending-migration-behind-session']) {
    scenarioTest(name);
  }
});

/** Names of the guide's app that the Auth.js v5 app does not read: no rule may ask for them. */
const GUIDE_ONLY_NAMES = /\b(?<!NEXT_PUBLIC_)APP_URL\b|\bNEXTAUTH_SECRET\b|\bSTRIPE_SECRET_KEY\b|\bGITHUB_CLIENT_(?:ID|SECRET)\b|\bSTRIPE_SYNC_SECRET\b|\bNEXTAUTH_TRUST_HOST\b|\bNEXT_PUBLIC_SENTRY_DSN\b/;

describe('other apps of the stack: the Auth.js v5 app with pnpm, and an app whose build pushes the schema', { concurrency: 2 }, () => {
  scenarioTest('authjs-pnpm', async (sb, run) => {
    // Every section ran (the expectation names security only): the rest passes or is not applicable.
    const all = await runGate(sb, 'config,gate,smoke,security,stripe', NO_COMMANDS);
    assert.deepEqual(notPassing(all), ['security.monitoring'], show(all));
    for (const r of all.rules.filter((x) => x.status !== 'skip')) assert.doesNotMatch(r.summary, GUIDE_ONLY_NAMES, `${r.id} names a variable the app does not read`);
    const skipped = all.rules.filter((r) => r.status === 'skip').map((r) => r.id);
    for (const id of ['smoke.register-api', 'smoke.sentry', 'stripe.sync-endpoint', 'config.stripe-sync-secret', 'config.enable-hsts']) {
      assert.ok(skipped.includes(id) && /^not applicable: the app has no /.test(all.rules.find((r) => r.id === id)!.summary), id);
    }
    assert.match(all.rules.find((r) => r.id === 'security.cookies')!.summary, /__Host-authjs\.csrf-token/);
    assert.match(all.rules.find((r) => r.id === 'stripe.catalog-sync')!.summary, /2 price ids are active live prices/);
    assert.match(all.rules.find((r) => r.id === 'stripe.webhook-endpoint')!.summary, /the 2 events the app handles$/);
    assert.ok(run.rules.length > 0);

    // gate.install runs the lockfile's own install: pnpm, frozen (a stand-in pnpm on PATH records it).
    const bin = await mkdtemp(join(tmpdir(), 'prg-pnpm-'));
    try {
      await writeFile(join(bin, 'pnpm'), `#!/bin/sh\necho "$@" > "${bin}/args"\n`);
      await chmod(join(bin, 'pnpm'), 0o755);
      const install = await runGate(sb, 'gate.install', ['--run-commands'], { PATH: `${bin}:${process.env.PATH}` });
      assert.deepEqual(install.rules.map((r) => [r.id, r.status, r.summary.replace(/ in [\d.]+ m?s$/, '')]), [['gate.install', 'pass', '`pnpm install --frozen-lockfile` succeeded']]);
      assert.equal((await readFile(join(bin, 'args'), 'utf8')).trim(), 'install --frozen-lockfile');
      // Without pnpm on the runner: the fix says how to set it up.
      const missing = await runGate(sb, 'gate.install', ['--run-commands'], { PATH: '/usr/bin:/bin' });
      assert.match(missing.rules[0]!.summary, /pnpm is not installed on the runner/);
    } finally {
      await rm(bin, { recursive: true, force: true });
    }

    // Read without the app's repository (the guide's routes assumed), the sign-up probe reaches
    // Auth.js's catch-all, and its answer (400 "Bad request.") is told from a validation.
    const empty = await mkdtemp(join(tmpdir(), 'prg-norepo-'));
    try {
      const live = await runGate(sb, 'smoke.register-api', ['--working-directory', empty, ...NO_COMMANDS], { PATH: process.env.PATH, APP_URL: sb.env.NEXT_PUBLIC_APP_URL });
      assert.equal(live.rules[0]!.status, 'fail');
      assert.match(live.rules[0]!.summary, /^POST \/api\/auth\/join was answered by NextAuth's catch-all \(400 "Bad request\."\), not by a sign-up API/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
  for (const name of ['authjs-no-health-route', 'authjs-webhook-missing-event', 'authjs-register-catch-all', 'authjs-mysql-migration']) scenarioTest(name);

  test('build-runs-db-push, with the build gate run: the build is refused, not run against production', async () => {
    const scenario = SCENARIOS['build-runs-db-push']!;
    const sb = await startSandbox({ scenario: 'build-runs-db-push', quiet: true });
    try {
      const run = await runGate(sb, 'gate', ['--run-commands', '--migrate', 'auto']);
      assert.deepEqual(notPassing(run), [...scenario.expect.notPassing].sort(), show(run));
      const build = run.rules.find((r) => r.id === 'gate.build')!;
      assert.match(build.summary, /^not run: `npm run build` runs prisma db push \(npm run build → prisma db push\)/);
      // The install and the migrations ran; the schema was never pushed (the vendored prisma would print it).
      assert.deepEqual(run.rules.filter((r) => r.id === 'gate.install' || r.id === 'gate.migrate').map((r) => r.status), ['pass', 'pass']);
      assert.match(run.rules.find((r) => r.id === 'gate.no-db-push')!.summary, /deploy\.yml:\d+ → npm run build → prisma db push/);
    } finally {
      await sb.stop();
    }
  });
});

describe("the release checklist's dependencies: the registry npm is configured for, with its token", { concurrency: 2 }, () => {
  scenarioTest('vulnerable-next-auth', async (sb, run) => {
    // The gate asked the sandbox registry, with the token of the npm user configuration.
    const asked = sb.registry.requests.find((q) => q.body);
    assert.deepEqual(asked?.body?.['next-auth'], ['4.24.13']);
    assert.equal(asked?.body?.next, undefined, 'the vendored (linked) next is not a registry package');
    assert.match(asked?.authorization ?? '', /^Bearer npm_/);
    assert.ok(!run.stdout.includes(asked!.authorization!.slice('Bearer '.length)), 'the token is masked');
  });
  scenarioTest('registry-unreachable', async (_sb, run) => {
    assert.equal(run.rules.find((r) => r.id === 'security.dependencies')?.status, 'fail');
  });
});

describe('scenarios leave the other sections alone', () => {
  test('committed-live-key, every section with the default build commands: only the committed key', async () => {
    // The committed lib/stripe.ts still installs, migrates and builds; only the committed-secrets rule objects.
    const expected = [...SCENARIOS['committed-live-key']!.expect.notPassing].sort();
    const sb = await startSandbox({ scenario: 'committed-live-key', quiet: true });
    try {
      // The command line is read-only unless asked: run the build gate as the action does.
      const run = await runGate(sb, 'config,gate,smoke,security,stripe', ['--run-commands', '--migrate', 'auto']);
      assert.deepEqual(notPassing(run), expected, show(run));
      assert.deepEqual(
        run.rules.filter((r) => r.id.startsWith('gate.') && r.status !== 'pass').map((r) => r.id),
        [],
        'npm ci, prisma migrate deploy and next build pass',
      );
    } finally {
      await sb.stop();
    }
  });
});

describe('responseDelayMs: a slow deployment', () => {
  test('every app response, HTTPS and the plain-HTTP redirect, waits the delay', async () => {
    const sb = await startSandbox({ quiet: true, responseDelayMs: 300 });
    try {
      // The app records each request's arrival and how long it took to answer, delay included.
      // The record is written once the answer is sent, so wait until the app has it.
      const answered = (path: string, scheme: 'https' | 'http') => sb.app!.requests.filter((r) => r.path === path && r.scheme === scheme);
      const recorded = async (path: string, scheme: 'https' | 'http', count: number) => {
        for (let i = 0; i < 100 && answered(path, scheme).length < count; i++) await new Promise((r) => setTimeout(r, 10));
        return answered(path, scheme);
      };
      const reply = await appRequest(sb, '/api/health');
      assert.equal(reply.status, 200);
      assert.ok((await recorded('/api/health', 'https', 1))[0]!.durationMs >= 300, 'HTTPS waited the delay');

      const status = await new Promise<number>((resolve, reject) => {
        http
          .get({ host: sb.address, port: sb.ports.http, path: '/pricing', headers: { host: sb.hosts.app }, agent: false }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          })
          .on('error', reject);
      });
      assert.equal(status, 301);
      assert.ok((await recorded('/pricing', 'http', 1))[0]!.durationMs >= 300, 'the plain-HTTP redirect waited the delay');

      // Requests are served concurrently: the delay is per response, not a queue. Each of the six
      // arrived before any of them was answered.
      const replies = await Promise.all(Array.from({ length: 6 }, () => appRequest(sb, '/api/hello')));
      assert.deepEqual(replies.map((r) => r.status), [200, 200, 200, 200, 200, 200]);
      const batch = await recorded('/api/hello', 'https', 6);
      assert.equal(batch.length, 6);
      const lastArrival = Math.max(...batch.map((r) => r.at));
      const firstAnswer = Math.min(...batch.map((r) => r.at + r.durationMs));
      assert.ok(lastArrival <= firstAnswer, 'the six were in the app at the same time');
    } finally {
      await sb.stop();
    }
  });
});
