/**
 * The smoke rules against the sandbox app (one `good` sandbox for the file, with the smoke accounts
 * seeded): every rule passes; the opt-in flows leave nothing behind and print no secret; and the
 * failures a deployment can really have, from variants of the app started on the same database
 * with another environment (a wrong NEXTAUTH_URL, team deletion or SSO switched off).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRules } from '../../../src/engine/runner.js';
import type { RuleReport, Rule } from '../../../src/engine/types.js';
import { createClients } from '../../../src/probes/clients.js';
import { authPages } from '../../../src/rules/smoke/auth-pages.js';
import { authProviders } from '../../../src/rules/smoke/auth-providers.js';
import { featureGates } from '../../../src/rules/smoke/feature-gates.js';
import { health } from '../../../src/rules/smoke/health.js';
import { loginFlow } from '../../../src/rules/smoke/login-flow.js';
import { registerApi } from '../../../src/rules/smoke/register-api.js';
import { teamFlow } from '../../../src/rules/smoke/team-flow.js';
import type { Settings } from '../../../src/settings.js';
import { startApp, type AppHandle } from '../../../sandbox/app.js';
import { seedSmokeAccounts, SMOKE_CONFIG_YAML, type SeededSmokeAccounts } from '../../../sandbox/app-accounts.js';
import { issueCert } from '../../../sandbox/certs.js';
import { APP_HOST, DB_HOST, startSandbox, type Sandbox } from '../../../sandbox/index.js';
import { freePort } from '../../../sandbox/net.js';
import { runRule, settingsFor, silentLog } from '../../helpers.js';

const SMOKE_RULES: Rule[] = [health, authPages, authProviders, registerApi, loginFlow, teamFlow, featureGates];

let sb: Sandbox;
let seeded: SeededSmokeAccounts;
const configDir = mkdtempSync(join(tmpdir(), 'prg-smoke-config-'));
const variants: AppHandle[] = [];

before(async () => {
  sb = await startSandbox({ scenario: 'good', quiet: true });
  const admin = await sb.postgres.adminClient(sb.database.database);
  try {
    seeded = await seedSmokeAccounts(admin);
  } finally {
    await admin.end();
  }
});

after(async () => {
  await Promise.all(variants.map((v) => v.stop()));
  await sb?.stop();
  rmSync(configDir, { recursive: true, force: true });
});

/**
 * The fixture repository's config without its smoke accounts, plus `extra`, as a config file outside
 * the repository.
 */
function configFile(extra: string): string {
  let base = '';
  try {
    base = readFileSync(join(sb.repoDir, '.github/production-readiness.yml'), 'utf8').replace(SMOKE_CONFIG_YAML, '');
  } catch {
    // The fixture repository may have no config file.
  }
  const path = join(configDir, `config-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(path, `${base}\n${extra}`);
  return path;
}

async function gateSettings(options: { config?: string; env?: Record<string, string | undefined>; inputs?: Record<string, string> } = {}): Promise<Settings> {
  return settingsFor(
    { ...sb.env, ...seeded.env, ...options.env },
    {
      repo: sb.repoDir,
      inputs: { ...sb.inputs, 'timeout-seconds': '5', 'config-file': configFile(options.config ?? SMOKE_CONFIG_YAML), ...options.inputs },
    },
  );
}

async function adminQuery<T extends Record<string, unknown>>(sql: string, values: unknown[] = []): Promise<T[]> {
  const admin = await sb.postgres.adminClient(sb.database.database);
  try {
    return (await admin.query<T>(sql, values)).rows;
  } finally {
    await admin.end();
  }
}

/** Everything a report shows a person or a machine. */
function reportText(reports: RuleReport[]): string {
  return JSON.stringify(reports);
}

/**
 * The app with another environment, on the same database, on its own port: what a deployment with
 * those variables would answer. Returns the gate's APP_URL and resolve input for it.
 */
async function variant(
  envChanges: Record<string, string | undefined>,
  app: Pick<Parameters<typeof startApp>[0], 'auth' | 'hosts'> = {},
): Promise<{ appUrl: string; inputs: Record<string, string>; app: AppHandle }> {
  const port = await freePort(sb.address);
  const origin = `https://${APP_HOST}:${port}`;
  const env: Record<string, string | undefined> = { ...sb.appEnv, APP_URL: origin, NEXTAUTH_URL: origin, ...envChanges };
  const handle = await startApp({
    env,
    address: sb.address,
    httpsPort: port,
    http: 'off',
    cert: issueCert(sb.ca, { hosts: [APP_HOST] }),
    database: {
      host: sb.address,
      port: sb.ports.postgres,
      user: sb.database.role,
      password: sb.database.password,
      database: sb.database.database,
      ssl: { ca: sb.ca.certPem, servername: DB_HOST },
    },
    stripeApi: sb.stripe.sdkOptions,
    ...app,
  });
  variants.push(handle);
  return { appUrl: origin, inputs: { resolve: `${sb.inputs.resolve}\n${APP_HOST}:${port}:${sb.address}` }, app: handle };
}

describe('good scenario', () => {
  test('every smoke rule passes, leaves no team or session behind, and prints no secret', async () => {
    const settings = await gateSettings();
    const sessionsBefore = await adminQuery<{ n: number }>('SELECT count(*)::int AS n FROM "Session"');
    const reports: RuleReport[] = [];
    for (const rule of SMOKE_RULES) reports.push(await runRule(rule, settings));
    for (const r of reports) assert.equal(r.status, 'pass', `${r.id}: ${r.summary}\n${r.details ?? ''}`);

    const [healthReport, pages, providers, register, login, teamReport, gates] = reports as [RuleReport, RuleReport, RuleReport, RuleReport, RuleReport, RuleReport, RuleReport];
    assert.match(healthReport.summary, /^GET \/api\/health answered 200 in \d+ ms; the app reports version 1\.6\.0$/);
    assert.equal(healthReport.data?.version, '1.6.0');
    assert.match(pages.summary, /\/auth\/login and \/auth\/join answer 200 HTML/);
    assert.match(providers.summary, new RegExp(`github, credentials listed; every callbackUrl is under NEXTAUTH_URL ${sb.env.NEXTAUTH_URL!.replace(/[.:/]/g, '\\$&')}`));
    assert.equal(register.summary, 'POST /api/auth/join refused an empty body with 422: the endpoint is alive and validates');
    assert.match(register.details!, /→ 422 "Validation Error: /);
    assert.match(login.summary, /^readiness@acme\.com signed in with credentials; \/api\/auth\/session shows the account; signed out$/);
    assert.match(login.details!, /GET \/api\/auth\/session → 200, signed in as readiness@acme\.com/);
    assert.match(teamReport.summary, /^created team "prg-smoke-\d+-[0-9a-f]{6}" and deleted it$/);
    assert.match(teamReport.details!, /POST \/api\/teams → 200, created/);
    assert.match(teamReport.details!, /DELETE \/api\/teams\/prg-smoke-\S+ → 204, deleted/);
    assert.match(gates.summary, /^12 feature answers for 3 accounts match the plans: smoke-free \(sso deny, webhooks deny, audit-logs deny, api-keys allow\); smoke-team/);

    // Non-mutating by default, and the opt-in flows clean up.
    assert.deepEqual(await adminQuery(`SELECT "slug" FROM "Team" WHERE "slug" LIKE 'prg-smoke-%'`), []);
    assert.deepEqual(await adminQuery<{ n: number }>('SELECT count(*)::int AS n FROM "Session"'), sessionsBefore);
    const text = reportText(reports);
    for (const password of Object.values(seeded.env)) assert.ok(!text.includes(password), 'no password in the reports');
    // Session and CSRF tokens are 64 hex digits: none may appear.
    assert.doesNotMatch(text, /[0-9a-f]{64}/);
    for (const secret of sb.secrets) assert.ok(!text.includes(secret));
  });

  test('the opt-in rules skip without smoke-account / feature-gates, and name an unset password variable', async () => {
    const none = await gateSettings({ config: '' });
    for (const rule of [loginFlow, teamFlow]) {
      const r = await runRule(rule, none);
      assert.equal(r.status, 'skip');
      assert.match(r.summary, /^no smoke-account in the config \(.*\.yml\): this opt-in flow does not run$/);
    }
    const gates = await runRule(featureGates, none);
    assert.equal(gates.status, 'skip');
    assert.match(gates.summary, /^no feature-gates in the config/);

    const noPassword = await gateSettings({ env: { SMOKE_USER_PASSWORD: undefined } });
    const login = await runRule(loginFlow, noPassword);
    assert.equal(login.status, 'skip');
    assert.equal(login.summary, 'SMOKE_USER_PASSWORD is not set, so readiness@acme.com cannot sign in (smoke-account.password-env)');
  });

  test('APP_URL that is not https skips every smoke rule', async () => {
    const settings = await gateSettings({ env: { APP_URL: sb.env.APP_URL!.replace('https:', 'http:') } });
    for (const rule of SMOKE_RULES) {
      const r = await runRule(rule, settings);
      assert.equal(r.status, 'skip', r.id);
      assert.equal(r.summary, 'APP_URL is not a usable https:// URL (see config.app-url)');
    }
  });

  test('a wrong password fails the login flow, naming the account and its variable, never the password', async () => {
    const settings = await gateSettings({ env: { SMOKE_USER_PASSWORD: 'not-the-password-1234' } });
    const r = await runRule(loginFlow, settings);
    assert.equal(r.status, 'fail');
    assert.match(r.summary, /^readiness@acme\.com could not sign in: POST \/api\/auth\/callback\/credentials 401, the credentials were refused \(error=invalid-credentials\): check that readiness@acme\.com exists in production with the password in SMOKE_USER_PASSWORD$/);
    assert.ok(!reportText([r]).includes('not-the-password-1234'));
    // Run alone, the team flow signs in itself and says why it could not.
    const alone = await runRule(teamFlow, settings);
    assert.equal(alone.status, 'fail');
    assert.match(alone.summary, /^readiness@acme\.com could not sign in: /);
    // After a failed login-flow, it does not try again: one failure, one reason.
    const clients = createClients(settings);
    try {
      const [, team] = await runRules([loginFlow, teamFlow], { context: { settings, clients, log: silentLog }, probeTimeoutMs: 15_000, commandTimeoutMs: 15_000 });
      assert.equal(team!.status, 'skip');
      assert.match(team!.summary, /^the smoke account cannot sign in \(see smoke\.login-flow: readiness@acme\.com could not sign in: .*\), so no team was created$/);
    } finally {
      await clients.close();
    }
  });

  test('a plan expectation that the app does not meet fails, listing every mismatch', async () => {
    const config = `feature-gates:
  - account: { email: free@acme.com, password-env: SMOKE_FREE_PASSWORD }
    team: smoke-free
    expect: { sso: allow, webhooks: deny, api-keys: deny }
  - account: { email: readiness@acme.com, password-env: SMOKE_USER_PASSWORD }
    team: smoke-free
    expect: { api-keys: allow }
`;
    const r = await runRule(featureGates, await gateSettings({ config }));
    assert.equal(r.status, 'fail');
    assert.match(r.summary, /^3 mismatches: /);
    assert.match(r.summary, /free@acme\.com on smoke-free: sso: expected allow \(2xx\), got 403 "Plan does not include required feature: sso"/);
    assert.match(r.summary, /free@acme\.com on smoke-free: api-keys: expected deny \(403\), got 200/);
    assert.match(r.summary, /readiness@acme\.com on smoke-free: api-keys: expected allow \(2xx\), got 403 "You do not have access to this team"/);
    assert.doesNotMatch(r.summary, /webhooks/);
  });

  test('a deployment whose NEXTAUTH_URL is not the production origin fails auth-providers, naming each provider and the URL to fix', async () => {
    const { appUrl, inputs } = await variant({ NEXTAUTH_URL: 'https://staging.acme-saas.com' });
    const r = await runRule(authProviders, await gateSettings({ env: { APP_URL: appUrl, NEXTAUTH_URL: appUrl, AUTH_TRUST_HOST: 'false' }, inputs }));
    assert.equal(r.status, 'fail');
    assert.equal(
      r.summary,
      `provider github has callbackUrl https://staging.acme-saas.com/api/auth/callback/github, not under NEXTAUTH_URL ${appUrl}; ` +
        `provider credentials has callbackUrl https://staging.acme-saas.com/api/auth/callback/credentials, not under NEXTAUTH_URL ${appUrl}`,
    );
    assert.match(r.fix!, new RegExp(`Set NEXTAUTH_URL=${appUrl.replace(/[.:/]/g, '\\$&')} on the deployment`));
    assert.match(r.fix!, /callback\/github/);
  });

  test('FEATURE_TEAM_DELETION=false: the team flow warns that it left the team, and names it', async () => {
    const { appUrl, inputs } = await variant({ FEATURE_TEAM_DELETION: 'false' });
    const settings = await gateSettings({ env: { APP_URL: appUrl, NEXTAUTH_URL: appUrl, FEATURE_TEAM_DELETION: 'false' }, inputs });
    const r = await runRule(teamFlow, settings);
    assert.equal(r.status, 'warn', r.summary);
    const slug = String(r.data?.slug);
    assert.match(slug, /^prg-smoke-/);
    assert.equal(
      r.summary,
      `created team "${slug}", but FEATURE_TEAM_DELETION=false, so the app cannot delete it: the team was left in production`,
    );
    assert.deepEqual(await adminQuery(`SELECT "slug" FROM "Team" WHERE "slug" = $1`, [slug]), [{ slug }]);
    // When the gate was not told, the same answer is a failed cleanup.
    const unaware = await runRule(teamFlow, await gateSettings({ env: { APP_URL: appUrl, NEXTAUTH_URL: appUrl }, inputs }));
    assert.equal(unaware.status, 'fail');
    assert.match(unaware.summary, /^created team "prg-smoke-\S+", but cleanup failed \(DELETE \/api\/teams\/prg-smoke-\S+ answered 404 "Not Found": team deletion is switched off on the deployment/);
    assert.match(unaware.summary, /: the team was left in production$/);
    await adminQuery(`DELETE FROM "Team" WHERE "slug" LIKE 'prg-smoke-%'`);
  });

  test('a feature switched off by its flag must answer 404 whatever the plan', async () => {
    const { appUrl, inputs } = await variant({ FEATURE_TEAM_SSO: 'false' });
    const base = { APP_URL: appUrl, NEXTAUTH_URL: appUrl };
    const told = await runRule(featureGates, await gateSettings({ env: { ...base, FEATURE_TEAM_SSO: 'false' }, inputs }));
    assert.equal(told.status, 'pass', told.summary);
    assert.match(told.summary, /smoke-enterprise \(sso off, webhooks allow/);
    const unaware = await runRule(featureGates, await gateSettings({ env: base, inputs }));
    assert.equal(unaware.status, 'fail');
    assert.match(unaware.summary, /^3 mismatches: /);
    assert.match(unaware.summary, /enterprise@acme\.com on smoke-enterprise: sso: expected allow \(2xx\), got 404 "Not Found"/);
    assert.match(unaware.summary, /free@acme\.com on smoke-free: sso: expected deny \(403\), got 404 "Not Found"/);
  });
});

describe('the forged-host probe (smoke.auth-providers)', () => {
  /** Rows a sign-in, an e-mail link or an account would leave. */
  const footprint = () => adminQuery<{ n: number }>('SELECT (SELECT count(*) FROM "Session") + (SELECT count(*) FROM "VerificationToken") + (SELECT count(*) FROM "Account") + (SELECT count(*) FROM "User") AS n');

  test('next-auth 4.24.13 with AUTH_TRUST_HOST=false reflects a forged Host and X-Forwarded-Host: fails, showing the request, the field and the value; nothing changes state', async () => {
    const before = await footprint();
    const { appUrl, inputs, app } = await variant({ AUTH_TRUST_HOST: 'false' });
    const r = await runRule(authProviders, await gateSettings({ env: { APP_URL: appUrl, NEXTAUTH_URL: appUrl, AUTH_TRUST_HOST: 'false' }, inputs }));
    assert.equal(r.status, 'fail');
    assert.match(r.summary, /^a forged host comes back in 8 of 8 answers: POST \/api\/auth\/signin\/github with (Host|X-Forwarded-Host): (prg-[0-9a-f]{12}\.invalid) → body url \(redirect_uri\) = https:\/\/github\.com\/login\/oauth\/authorize\?.*redirect_uri=https:\/\/\2\/api\/auth\/callback\/github/);
    for (const line of [
      /GET \/api\/auth\/providers with Host: \S+ → 200: the made-up host is in body github\.signinUrl = https:\/\/prg-.*; Report-To = /,
      /GET \/api\/auth\/providers with X-Forwarded-Host: \S+ → 200: the made-up host is in body github\.signinUrl/,
      /GET \/api\/auth\/csrf with X-Forwarded-Host: \S+ → 200: the made-up host is in cookie __Secure-next-auth\.callback-url = https:\/\/prg-/,
      /GET \/api\/auth\/signin with Host: \S+ → 302 → \/auth\/login\?callbackUrl=https%3A%2F%2Fprg-[0-9a-f]{12}\.invalid: the made-up host is in Location \(callbackUrl\)/,
      /Why: next-auth 4\.24\.13 ignores NEXTAUTH_TRUST_HOST .*AUTH_TRUST_HOST="false" is a non-empty value/,
    ]) {
      assert.match(r.details ?? '', line);
    }
    assert.match(r.fix ?? '', /^Remove AUTH_TRUST_HOST from the production environment/);
    assert.equal((r.data?.forgedHost as { requests: number }).requests, 8);
    // Read-only: GETs, and the OAuth sign-in POST that only builds the redirect; no row anywhere.
    assert.deepEqual([...new Set(app.requests.map((q) => `${q.method} ${q.path}`))].sort(), [
      'GET /api/auth/csrf',
      'GET /api/auth/providers',
      'GET /api/auth/signin',
      'POST /api/auth/signin/github',
    ]);
    assert.deepEqual(await footprint(), before);
  });

  test('next-auth 4.24.15 keeps NEXTAUTH_URL: no URL NextAuth builds carries the forged host; a Host the middleware puts in Report-To only warns, and an edge that refuses unknown hosts passes', async () => {
    const through = await variant({ AUTH_TRUST_HOST: 'false' }, { auth: { version: '4.24.15' } });
    const warned = await runRule(authProviders, await gateSettings({ env: { APP_URL: through.appUrl, NEXTAUTH_URL: through.appUrl }, inputs: through.inputs }));
    assert.equal(warned.status, 'warn', warned.details);
    assert.match(warned.summary, /^a forged host comes back outside NextAuth's URLs in 4 of 8 answers: .* with Host: prg-[0-9a-f]{12}\.invalid → Report-To = .*; a forged Host or X-Forwarded-Host comes back in no URL NextAuth builds/);
    assert.match(warned.fix ?? '', /refuse a Host it does not serve/);
    const refused = await variant({ AUTH_TRUST_HOST: 'false' }, { auth: { version: '4.24.15' }, hosts: [APP_HOST] });
    const passed = await runRule(authProviders, await gateSettings({ env: { APP_URL: refused.appUrl, NEXTAUTH_URL: refused.appUrl }, inputs: refused.inputs }));
    assert.equal(passed.status, 'pass', passed.details);
    assert.match(passed.details ?? '', /GET \/api\/auth\/providers with Host: prg-[0-9a-f]{12}\.invalid → 421/);
    assert.match(passed.details ?? '', /POST \/api\/auth\/signin\/github with X-Forwarded-Host: prg-[0-9a-f]{12}\.invalid → 200$/m);
  });
});

describe('the signed-in session cookie', () => {
  test('security.cookies judges the cookie the sign-in set (value masked); an http:// NEXTAUTH_URL fails it', async () => {
    const { runRules } = await import('../../../src/engine/runner.js');
    const { createClients } = await import('../../../src/probes/clients.js');
    const { securityCookies } = await import('../../../src/rules/security/cookies.js');
    const { loginFlow } = await import('../../../src/rules/smoke/login-flow.js');
    const judge = async (settings: Settings) => {
      const clients = createClients(settings);
      try {
        return await runRules([loginFlow, securityCookies], { context: { settings, clients, log: { info: () => undefined, output: () => undefined, group: (_n, fn) => fn() } }, probeTimeoutMs: 20_000, commandTimeoutMs: 20_000 });
      } finally {
        await clients.close();
      }
    };
    const [login, cookies] = await judge(await gateSettings());
    assert.equal(login!.status, 'pass');
    assert.equal(cookies!.status, 'pass', cookies!.summary);
    assert.match(cookies!.summary, /__Secure-next-auth\.session-token/);
    assert.match(cookies!.details ?? '', /the sign-in \(smoke\.login-flow\) set `__Secure-next-auth\.session-token=…/);

    const insecure = await variant({ NEXTAUTH_URL: 'http://app.acme-saas.com' });
    const [badLogin, badCookies] = await judge(await gateSettings({ env: { APP_URL: insecure.appUrl, NEXTAUTH_URL: insecure.appUrl }, inputs: insecure.inputs }));
    assert.equal(badLogin!.status, 'fail');
    assert.match(badLogin!.summary, /NextAuth sends the signed-in user to http:\/\/app\.acme-saas\.com/);
    assert.equal(badCookies!.status, 'fail');
    assert.match(badCookies!.summary + (badCookies!.details ?? ''), /next-auth\.session-token/);
    assert.ok(!JSON.stringify(badCookies).includes(seeded.env.SMOKE_USER_PASSWORD!));
  });
});
