/**
 * The gate's one reading of the app's flags (src/target-app.ts) against the emulated app, and the two
 * families of rules that judge flags (config.* on the run's variables, security.workflow-secrets on
 * committed workflows) against each other: one value, one verdict.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadAppConfig } from '../sandbox/app-config.js';
import type { Rule } from '../src/engine/types.js';
import { enableCoep } from '../src/rules/config/enable-coep.js';
import { enableCspStrict } from '../src/rules/config/enable-csp-strict.js';
import { enableHsts } from '../src/rules/config/enable-hsts.js';
import { nextauthDebug } from '../src/rules/config/nextauth-debug.js';
import { nextauthTrustHost } from '../src/rules/config/nextauth-trust-host.js';
import { workflowSecrets } from '../src/rules/security/workflow-secrets.js';
import { flagState, type AppFlagName } from '../src/target-app.js';
import { goodEnv, ruleWith, runRule, settingsFor, tempRepo } from './helpers.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fixtureFiles } from '../sandbox/fixture-repo.js';
import { MIGRATIONS } from '../sandbox/schema.js';

const VALUES = [undefined, 'true', 'false', 'TRUE', 'True', '1', '0', 'yes', 'off', ''];

test('each flag is read the way the app reads it (the sandbox app is the reference)', () => {
  const appReading: Record<AppFlagName, (env: Record<string, string | undefined>) => boolean> = {
    ENABLE_HSTS: (env) => loadAppConfig(env).hsts,
    ENABLE_CSP_STRICT: (env) => loadAppConfig(env).cspStrict,
    ENABLE_COEP: (env) => loadAppConfig(env).coep,
    // What the app passes NextAuth as trustHost (next-auth 4 ignores it: src/analysis/app/host-trust.ts).
    NEXTAUTH_TRUST_HOST: (env) => loadAppConfig(env).auth.trustHostOption!,
    NEXTAUTH_DEBUG: (env) => loadAppConfig(env).debug,
  };
  for (const [name, read] of Object.entries(appReading) as Array<[AppFlagName, (env: Record<string, string | undefined>) => boolean]>) {
    for (const value of VALUES) {
      // The app reads an empty variable as unset.
      const gate = flagState(name, value === '' ? undefined : value).on;
      assert.equal(gate, read({ AUTH_PROVIDERS: 'credentials', [name]: value }), `${name}=${JSON.stringify(value)}`);
    }
  }
});

test('NEXTAUTH_DEBUG=0 (and any value but "true") leaves debug off: config.nextauth-debug passes and says how the app reads it', async () => {
  for (const value of ['0', '1', 'TRUE', 'yes']) {
    const r = await ruleWith(nextauthDebug, { NEXTAUTH_DEBUG: value });
    assert.equal(r.status, 'pass', value);
    assert.match(r.summary, /which the app reads as off/);
  }
  assert.equal((await ruleWith(nextauthDebug, { NEXTAUTH_DEBUG: 'false' })).summary, 'NEXTAUTH_DEBUG is "false"');
  assert.equal((await ruleWith(nextauthDebug, { NEXTAUTH_DEBUG: 'true' })).status, 'fail');
});

test('config.* and security.workflow-secrets give one verdict for every flag value', async () => {
  const rules: Array<[AppFlagName, Rule]> = [
    ['ENABLE_HSTS', enableHsts],
    ['ENABLE_CSP_STRICT', enableCspStrict],
    ['ENABLE_COEP', enableCoep],
    ['NEXTAUTH_DEBUG', nextauthDebug],
  ];
  const values = VALUES.filter((v): v is string => v !== undefined && v !== '');
  let compared = 0;
  for (const [name, rule] of rules) {
    for (const value of values) {
      const config = await ruleWith(rule, { [name]: value });
      const workflow = `on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    env:\n      ${name}: "${value}"\n    steps:\n      - run: npm run deploy\n`;
      const repo = tempRepo({ '.github/workflows/deploy.yml': workflow });
      try {
        const committed = await runRule(workflowSecrets, await settingsFor({}, { repo: repo.dir }));
        const flagged = committed.findings.some((f) => f.message.startsWith(`${name} is "${value}"`));
        assert.equal(flagged, config.status !== 'pass', `${name}=${value}: config.* says ${config.status}, workflow-secrets ${flagged ? 'flags it' : 'does not'}`);
        compared++;
      } finally {
        repo.cleanup();
      }
    }
  }
  assert.equal(compared, rules.length * values.length);
});

/** The next-auth the app installs: npm 11's real lockfile (4.24.13), and node_modules/next-auth when another version is installed. */
const LOCKFILE = readFileSync(fileURLToPath(new URL('./fixtures/lockfiles/npm-v3/package-lock.json', import.meta.url)), 'utf8');
const installed = (version?: string): Record<string, string> => ({
  'package-lock.json': LOCKFILE,
  ...(version ? { 'node_modules/next-auth/package.json': JSON.stringify({ name: 'next-auth', version }) } : {}),
});
const APP_AUTH = fixtureFiles({ version: '1.6.0', migrations: MIGRATIONS })['lib/auth.ts']!;

test('config.nextauth-trust-host and security.workflow-secrets give one verdict for every host-trust value, whatever next-auth is installed', async () => {
  const setups: Array<{ name: string; files: Record<string, string>; env?: Record<string, string> }> = [
    { name: 'no lockfile', files: {} },
    { name: 'next-auth 4.24.13', files: { ...installed(), 'lib/auth.ts': APP_AUTH } },
    { name: 'next-auth 4.24.15', files: { ...installed('4.24.15'), 'lib/auth.ts': APP_AUTH } },
    // An Auth.js v5 config passes no trustHost; AUTH_URL keeps the guide's settings working there.
    { name: 'next-auth 5.0.0-beta.25', files: { ...installed('5.0.0-beta.25'), 'lib/auth.ts': fixtureFiles({ version: '1.6.0', migrations: MIGRATIONS, passesTrustHost: false })['lib/auth.ts']! }, env: { AUTH_URL: 'https://app.acme-saas.com' } },
  ];
  const values = VALUES.filter((v): v is string => v !== undefined && v !== '');
  const verdicts: string[] = [];
  for (const setup of setups) {
    for (const name of ['NEXTAUTH_TRUST_HOST', 'AUTH_TRUST_HOST']) {
      for (const value of values) {
        const workflow = `on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    env:\n      ${name}: "${value}"\n    steps:\n      - run: npm run deploy\n`;
        const repo = tempRepo({ ...setup.files, '.github/workflows/deploy.yml': workflow });
        try {
          const config = await runRule(nextauthTrustHost, await settingsFor({ ...goodEnv(), ...setup.env, [name]: value }, { repo: repo.dir }));
          const committed = await runRule(workflowSecrets, await settingsFor({ ...goodEnv(), ...setup.env }, { repo: repo.dir }));
          const flagged = committed.findings.some((f) => f.message.startsWith(`${name} is "${value}"`));
          assert.equal(flagged, config.status === 'fail', `${setup.name}, ${name}=${value}: config says ${config.status} (${config.summary}), workflow-secrets ${flagged ? 'flags it' : 'does not'}`);
          verdicts.push(`${setup.name} ${name}=${value} ${config.status}`);
        } finally {
          repo.cleanup();
        }
      }
    }
  }
  // The versions differ where their source does: AUTH_TRUST_HOST="false" steers 4.24.13 only.
  assert.ok(verdicts.includes('next-auth 4.24.13 AUTH_TRUST_HOST=false fail'));
  assert.ok(verdicts.includes('next-auth 4.24.15 AUTH_TRUST_HOST=false pass'));
  assert.ok(verdicts.includes('next-auth 5.0.0-beta.25 AUTH_TRUST_HOST=false pass'));
  assert.ok(verdicts.includes('next-auth 4.24.13 NEXTAUTH_TRUST_HOST=true fail'));
});
