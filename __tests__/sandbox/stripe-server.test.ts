import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import { startStripeServer, type StripeServerHandle } from '../../sandbox/stripe-server.js';

// Generated, so no key-shaped literal lives in the source.
const liveKey = `sk_live_${randomBytes(24).toString('hex')}`;
const restrictedKey = `rk_live_${randomBytes(24).toString('hex')}`;
const testKey = `sk_test_${randomBytes(24).toString('hex')}`;
let server: StripeServerHandle;

before(async () => {
  server = await startStripeServer({
    keys: [liveKey, testKey, { secret: restrictedKey, allow: ['webhook_endpoints', 'products', 'prices'] }],
    webhookEndpoints: [
      {
        id: 'we_123',
        object: 'webhook_endpoint',
        api_version: null,
        application: null,
        created: 1,
        description: null,
        enabled_events: ['*'],
        metadata: {},
        status: 'enabled',
        url: 'https://app.acme-saas.com/api/webhooks/stripe',
      },
    ],
  });
});
after(() => server.stop());

const sdk = (key: string, options: Partial<ConstructorParameters<typeof Stripe>[1]> = {}) =>
  new Stripe(key, { ...server.sdkOptions, ...options });

test('balance.livemode follows the key', async () => {
  assert.equal((await sdk(liveKey).balance.retrieve()).livemode, true);
  assert.equal((await sdk(testKey).balance.retrieve()).livemode, false);
});

test('lists paginate with the SDK (for await), newest first, with the active filter', async () => {
  server.requests.length = 0;
  const all: Stripe.Product[] = [];
  for await (const p of sdk(liveKey).products.list({ limit: 2 })) all.push(p);
  assert.equal(all.length, server.catalog.products.length);
  assert.deepEqual(
    all.map((p) => p.created),
    [...all.map((p) => p.created)].sort((a, b) => b - a),
  );
  const pages = server.requests.filter((r) => r.path === '/v1/products');
  assert.equal(pages.length, Math.ceil(all.length / 2), 'one request per page');
  assert.equal(pages[1]!.query.starting_after, all[1]!.id);

  const active: string[] = [];
  for await (const p of sdk(liveKey).products.list({ active: true })) active.push(p.name);
  assert.deepEqual(active.sort(), ['Enterprise', 'Free', 'Priority Support', 'Team']);

  const teamPrices = await sdk(liveKey).prices.list({ product: 'prod_PtEamAcm3Sa4S2' });
  assert.equal(teamPrices.data.length, 2);
  assert.equal(teamPrices.object, 'list');
  assert.equal(teamPrices.url, '/v1/prices');
  assert.equal(teamPrices.has_more, false);
});

test('webhook endpoints are listed; restricted keys can read them but not the balance', async () => {
  const endpoints = await sdk(restrictedKey).webhookEndpoints.list();
  assert.equal(endpoints.data[0]!.url, 'https://app.acme-saas.com/api/webhooks/stripe');
  assert.equal(endpoints.data[0]!.livemode, true);
  await assert.rejects(sdk(restrictedKey).balance.retrieve(), (err: Error) => {
    assert.equal((err as { statusCode?: number }).statusCode, 403);
    return true;
  });
});

test('an unknown key gets 401 in Stripe error shape, without the key echoed', async () => {
  const unknown = `sk_live_${randomBytes(24).toString('hex')}`;
  await assert.rejects(sdk(unknown).balance.retrieve(), (err: Error) => {
    assert.equal(err.constructor.name, 'StripeAuthenticationError');
    assert.match(err.message, /Invalid API Key provided/);
    assert.ok(!err.message.includes(unknown));
    return true;
  });
});

test('429 and 500 on demand', async () => {
  server.failNext({ status: 429 });
  await assert.rejects(sdk(liveKey, { maxNetworkRetries: 0 }).balance.retrieve(), (err: Error) => {
    assert.equal(err.constructor.name, 'StripeRateLimitError');
    return true;
  });
  // A 500 is retried by the SDK: one failure, then success.
  server.failNext({ status: 500, path: '/v1/balance' });
  const before = server.requests.length;
  const balance = await sdk(liveKey, { maxNetworkRetries: 1 }).balance.retrieve();
  assert.equal(balance.object, 'balance');
  assert.deepEqual(server.requests.slice(before).map((r) => r.status), [500, 200]);
});

test('every request is recorded, and writes are refused like unknown routes', async () => {
  const res = await fetch(`${server.url}/v1/products`, {
    method: 'POST',
    headers: { authorization: `Bearer ${liveKey}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'name=Hacked',
  });
  assert.equal(res.status, 404);
  const last = server.requests.at(-1)!;
  assert.deepEqual([last.method, last.path, last.status], ['POST', '/v1/products', 404]);
  assert.ok(!JSON.stringify(server.requests).includes(liveKey), 'keys are never recorded');
});
