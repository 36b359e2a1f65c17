import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextauthSecret } from '../../../src/rules/config/nextauth-secret.js';
import { estimateEntropyBits, isPlaceholder } from '../../../src/rules/config/secrets.js';
import { stripeSecretKey } from '../../../src/rules/config/stripe-secret-key.js';
import { stripeSyncSecret } from '../../../src/rules/config/stripe-sync-secret.js';
import { stripeWebhookSecret } from '../../../src/rules/config/stripe-webhook-secret.js';
import { goodEnv, ruleWith, tempRepo } from '../../helpers.js';

const live = (rest: string) => ['sk', 'live', rest].join('_');

test('entropy estimate: openssl outputs pass, repetitive and short values do not', () => {
  assert.ok(estimateEntropyBits('Jd8s0Qm2vX+LkP4r9TzWn6bY1cHfA3gE5uK7oR2iM0s=') >= 128);
  assert.ok(estimateEntropyBits('3f9a1c7e5b2d8f4a6c0e9b1d7f3a5c8e') >= 128, 'openssl rand -hex 16');
  assert.ok(estimateEntropyBits('a'.repeat(40)) < 10);
  assert.ok(estimateEntropyBits('abababababababababababababababab') < 128);
  assert.ok(isPlaceholder('your_nextauth_secret_here'));
  assert.ok(isPlaceholder('changeme'));
  assert.ok(!isPlaceholder('Jd8s0Qm2vX+LkP4r9TzWn6bY1cHfA3gE5uK7oR2iM0s='));
});

test('config.nextauth-secret passes for a strong unique value, never printing it', async () => {
  const r = await ruleWith(nextauthSecret, {});
  assert.equal(r.status, 'pass');
  assert.ok(!JSON.stringify(r).includes(goodEnv().NEXTAUTH_SECRET!));
});

test('config.nextauth-secret fails when unset, a placeholder, short, low-entropy, or reused', async () => {
  const cases: Array<[Record<string, string | undefined>, RegExp]> = [
    [{ NEXTAUTH_SECRET: undefined }, /not set/],
    [{ NEXTAUTH_SECRET: 'changeme' }, /placeholder/],
    [{ NEXTAUTH_SECRET: 'your_nextauth_secret_here' }, /placeholder/],
    [{ NEXTAUTH_SECRET: 'Jd8s0Qm2vX+LkP4r' }, /weak: 16 characters/],
    [{ NEXTAUTH_SECRET: 'abababababababababababababababababab' }, /weak/],
    [{ NEXTAUTH_SECRET: goodEnv().STRIPE_SYNC_SECRET }, /same value as STRIPE_SYNC_SECRET/],
  ];
  for (const [env, message] of cases) {
    const r = await ruleWith(nextauthSecret, env);
    assert.equal(r.status, 'fail', JSON.stringify(message));
    assert.match(r.summary, message);
    assert.match(r.fix ?? '', /openssl rand/);
  }
});

test('config.nextauth-secret fails when the value is the one in the repo .env.example', async () => {
  const example = 'q9W2e8R4t6Y1u3I5o7P0a2S4d6F8g0H1j3K5l7Z9x';
  const repo = tempRepo({ '.env.example': `NEXTAUTH_SECRET=${example}\nAPP_URL=http://localhost:4002\n` });
  const r = await ruleWith(nextauthSecret, { NEXTAUTH_SECRET: example }, repo.dir);
  repo.cleanup();
  assert.equal(r.status, 'fail');
  assert.match(r.summary, /\.env\.example/);
});

test('config.stripe-secret-key passes for sk_live_ and rk_live_, fails for test, publishable, unset', async () => {
  assert.equal((await ruleWith(stripeSecretKey, {})).status, 'pass');
  assert.equal((await ruleWith(stripeSecretKey, { STRIPE_SECRET_KEY: ['rk', 'live', 'abcdefghijklmnop1234'].join('_') })).status, 'pass');
  const test1 = await ruleWith(stripeSecretKey, { STRIPE_SECRET_KEY: ['sk', 'test', 'abcdefghijklmnop1234'].join('_') });
  assert.equal(test1.status, 'fail');
  assert.match(test1.summary, /test-mode key \(sk_test_…1234\)/);
  const pk = await ruleWith(stripeSecretKey, { STRIPE_SECRET_KEY: ['pk', 'live', 'abcdefghijklmnop1234'].join('_') });
  assert.match(pk.summary, /publishable/);
  assert.equal((await ruleWith(stripeSecretKey, { STRIPE_SECRET_KEY: undefined })).status, 'fail');
  assert.ok(!JSON.stringify(await ruleWith(stripeSecretKey, { STRIPE_SECRET_KEY: live('zzzzzzzzzzzzzzzzzzzz9876') })).includes('zzzzzzzz'));
});

test('config.stripe-webhook-secret needs whsec_', async () => {
  assert.equal((await ruleWith(stripeWebhookSecret, {})).status, 'pass');
  const bad = await ruleWith(stripeWebhookSecret, { STRIPE_WEBHOOK_SECRET: 'sec_1234567890abcdef' });
  assert.equal(bad.status, 'fail');
  assert.match(bad.summary, /whsec_/);
  assert.equal((await ruleWith(stripeWebhookSecret, { STRIPE_WEBHOOK_SECRET: undefined })).status, 'fail');
});

test('config.stripe-sync-secret is strong and unique', async () => {
  assert.equal((await ruleWith(stripeSyncSecret, {})).status, 'pass');
  assert.equal((await ruleWith(stripeSyncSecret, { STRIPE_SYNC_SECRET: 'sync' })).status, 'fail');
  const reused = await ruleWith(stripeSyncSecret, { STRIPE_SYNC_SECRET: goodEnv().NEXTAUTH_SECRET });
  assert.equal(reused.status, 'fail');
  assert.match(reused.summary, /NEXTAUTH_SECRET/);
});
