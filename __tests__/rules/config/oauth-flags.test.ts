import { test } from 'node:test';
import assert from 'node:assert/strict';
import { enableCoep } from '../../../src/rules/config/enable-coep.js';
import { enableCspStrict } from '../../../src/rules/config/enable-csp-strict.js';
import { enableHsts } from '../../../src/rules/config/enable-hsts.js';
import { nextauthDebug } from '../../../src/rules/config/nextauth-debug.js';
import { nextauthTrustHost } from '../../../src/rules/config/nextauth-trust-host.js';
import { oauthGithub } from '../../../src/rules/config/oauth-github.js';
import { oauthGoogle } from '../../../src/rules/config/oauth-google.js';
import { goodEnv, runRule, ruleWith, settingsFor } from '../../helpers.js';

test('config.oauth-github passes and shows the callback URL to register', async () => {
  const r = await ruleWith(oauthGithub, {});
  assert.equal(r.status, 'pass');
  assert.match(r.summary, /https:\/\/app\.acme-saas\.com\/api\/auth\/callback\/github/);
});

test('config.oauth-github fails when the secret is missing, and points at the inputs', async () => {
  const r = await ruleWith(oauthGithub, { GITHUB_CLIENT_SECRET: undefined });
  assert.equal(r.status, 'fail');
  assert.match(r.summary, /GITHUB_CLIENT_SECRET is not set/);
  assert.match(r.fix ?? '', /github-client-secret/);
});

test('config.oauth-github takes the pair from the github-client-id/secret inputs', async () => {
  const env = { ...goodEnv(), GITHUB_CLIENT_ID: undefined, GITHUB_CLIENT_SECRET: undefined };
  const settings = await settingsFor(env, { inputs: { 'github-client-id': 'Ov23liAbCdEfGhIjKlMn', 'github-client-secret': 'f'.repeat(40) } });
  assert.equal((await runRule(oauthGithub, settings)).status, 'pass');
  assert.ok(settings.secrets.includes('f'.repeat(40)), 'the input secret is masked');
});

test('config.oauth-github and -google never advise an http:// callback, whatever NEXTAUTH_URL says', async () => {
  // Changed verdict (issue 11): with NEXTAUTH_URL=http://… the rule told the user to register an http:// callback.
  const r = await ruleWith(oauthGithub, { NEXTAUTH_URL: 'http://app.acme-saas.com' });
  assert.equal(r.status, 'pass');
  assert.match(r.summary, /callback URL to register: https:\/\/app\.acme-saas\.com\/api\/auth\/callback\/github \(the https:\/\/ form: NEXTAUTH_URL is http:\/\/app\.acme-saas\.com\)/);
  const missing = await ruleWith(oauthGithub, { NEXTAUTH_URL: 'http://app.acme-saas.com:8080', GITHUB_CLIENT_SECRET: undefined });
  assert.equal(missing.status, 'fail');
  assert.doesNotMatch(`${missing.summary} ${missing.fix}`, /http:\/\/app[^ ]*\/api\/auth\/callback/);
  assert.match(missing.fix ?? '', /Register https:\/\/app\.acme-saas\.com\/api\/auth\/callback\/github .*NEXTAUTH_URL is http:\/\/app\.acme-saas\.com:8080, not https:\/\//);
  const google = await ruleWith(oauthGoogle, { AUTH_PROVIDERS: 'google', NEXTAUTH_URL: 'http://app.acme-saas.com', GOOGLE_CLIENT_ID: '1-a.apps.googleusercontent.com', GOOGLE_CLIENT_SECRET: ['GOCSPX', 'abcdefghijklmnopqrstuvwx'].join('-') });
  assert.match(google.summary, /register: https:\/\/app\.acme-saas\.com\/api\/auth\/callback\/google/);
});

test('config.oauth-github and -google skip when the provider is not enabled', async () => {
  assert.equal((await ruleWith(oauthGithub, { AUTH_PROVIDERS: 'credentials' })).status, 'skip');
  const google = await ruleWith(oauthGoogle, {});
  assert.equal(google.status, 'skip');
  assert.match(google.summary, /not enabled/);
});

test('config.oauth-google checks the client id form', async () => {
  const on = { AUTH_PROVIDERS: 'github,google,credentials', GOOGLE_CLIENT_SECRET: ['GOCSPX', 'abcdefghijklmnopqrstuvwx'].join('-') };
  assert.equal((await ruleWith(oauthGoogle, { ...on, GOOGLE_CLIENT_ID: '1234-abc.apps.googleusercontent.com' })).status, 'pass');
  const bad = await ruleWith(oauthGoogle, { ...on, GOOGLE_CLIENT_ID: '1234-abc' });
  assert.equal(bad.status, 'fail');
  assert.match(bad.summary, /apps\.googleusercontent\.com/);
  assert.equal((await ruleWith(oauthGoogle, { ...on })).status, 'fail');
});

test('security flags pass when production-safe', async () => {
  for (const rule of [enableHsts, enableCspStrict, enableCoep, nextauthTrustHost, nextauthDebug]) {
    assert.equal((await ruleWith(rule, {})).status, 'pass', rule.meta.id);
  }
  assert.equal((await ruleWith(nextauthDebug, { NEXTAUTH_DEBUG: undefined })).status, 'pass');
});

test('security flags fail (COEP only warns) when unsafe or unset', async () => {
  assert.equal((await ruleWith(enableHsts, { ENABLE_HSTS: 'false' })).status, 'fail');
  assert.equal((await ruleWith(enableHsts, { ENABLE_HSTS: undefined })).status, 'fail');
  assert.equal((await ruleWith(enableCspStrict, { ENABLE_CSP_STRICT: 'TRUE' })).status, 'fail', 'the app compares with the string "true"');
  const coep = await ruleWith(enableCoep, { ENABLE_COEP: 'false' });
  assert.equal(coep.status, 'warn');
  assert.match(coep.fix ?? '', /waive/);
  const trust = await ruleWith(nextauthTrustHost, { NEXTAUTH_TRUST_HOST: undefined });
  assert.equal(trust.status, 'fail');
  assert.match(trust.summary, /NEXTAUTH_TRUST_HOST is unset \(the app passes it to NextAuth as trustHost: true\), a value the guide forbids/);
  const authTrust = await ruleWith(nextauthTrustHost, { AUTH_TRUST_HOST: 'true' });
  assert.equal(authTrust.status, 'fail');
  assert.match(authTrust.summary, /AUTH_TRUST_HOST/);
  assert.equal((await ruleWith(nextauthDebug, { NEXTAUTH_DEBUG: 'true' })).status, 'fail');
});
