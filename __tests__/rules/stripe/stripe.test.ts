/**
 * The Stripe rules through the real `stripe` SDK against the sandbox's Stripe-compatible server, and
 * the app-side Stripe probes against the sandbox app. Every test ends by checking that the Stripe
 * server received nothing but GET requests.
 */
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runRules } from '../../../src/engine/runner.js';
import type { Rule, RuleReport } from '../../../src/engine/types.js';
import { createClients } from '../../../src/probes/clients.js';
import { createStripe } from '../../../src/probes/stripe.js';
import { catalogSync, diffCatalog, readStripeCatalog } from '../../../src/rules/stripe/catalog-sync.js';
import { liveMode } from '../../../src/rules/stripe/live-mode.js';
import { syncEndpoint } from '../../../src/rules/stripe/sync-endpoint.js';
import { webhookEndpoint } from '../../../src/rules/stripe/webhook-endpoint.js';
import { billingPlans } from '../../../src/rules/smoke/billing-plans.js';
import { stripeWebhook } from '../../../src/rules/smoke/stripe-webhook.js';
import type { Settings } from '../../../src/settings.js';
import { startSandbox, type Sandbox } from '../../../sandbox/index.js';
import { defaultCatalog, startStripeServer, type StripeCatalog } from '../../../sandbox/stripe-server.js';
import { settingsFor, silentLog } from '../../helpers.js';

let sb: Sandbox;
before(async () => {
  sb = await startSandbox({ scenario: 'good', quiet: true });
});
after(() => sb?.stop());
afterEach(() => {
  const writes = sb.stripe.requests.filter((r) => r.method !== 'GET');
  assert.deepEqual(writes, [], 'the gate sent only GET requests to Stripe');
});

async function settings(env: Record<string, string | undefined> = {}, inputs: Record<string, string> = {}): Promise<Settings> {
  return settingsFor({ ...sb.env, ...env }, { repo: sb.repoDir, inputs: { ...sb.inputs, 'timeout-seconds': '5', ...inputs } });
}

async function run(rule: Rule, s?: Settings): Promise<RuleReport> {
  const resolved = s ?? (await settings());
  const clients = createClients(resolved);
  try {
    const [report] = await runRules([rule], { context: { settings: resolved, clients, log: silentLog }, probeTimeoutMs: 20_000, commandTimeoutMs: 20_000 });
    return report!;
  } finally {
    await clients.close();
  }
}

async function appDb() {
  return sb.postgres.adminClient(sb.database.database);
}

describe('a production-ready deployment', () => {
  test('every Stripe rule passes against the faithful sandbox', async () => {
    for (const rule of [liveMode, webhookEndpoint, syncEndpoint, catalogSync, stripeWebhook, billingPlans]) {
      const r = await run(rule);
      assert.equal(r.status, 'pass', `${rule.meta.id}: ${r.summary}`);
    }
  });
});

describe('stripe.live-mode', () => {
  test('a test-mode key fails; an invalid key says Stripe refused it', async () => {
    const testKey = ['sk', 'test', '51TestKeyForTheGate0000000000'].join('_');
    sb.stripe.addKey(testKey);
    const t = await run(liveMode, await settings({ STRIPE_SECRET_KEY: testKey }));
    assert.equal(t.status, 'fail');
    assert.match(t.summary, /test mode \(balance\.livemode = false\)/);
    const bad = await run(liveMode, await settings({ STRIPE_SECRET_KEY: ['sk', 'live', 'unknownKey0000000000000000'].join('_') }));
    assert.equal(bad.status, 'fail');
    assert.match(bad.summary, /Stripe refused the key \(401\)/);
  });

  test('a restricted key without Balance read is judged by its webhook endpoints; without either it fails', async () => {
    const rk = ['rk', 'live', '51RestrictedEndpointsOnly00000'].join('_');
    sb.stripe.addKey({ secret: rk, allow: ['webhook_endpoints'] });
    const r = await run(liveMode, await settings({ STRIPE_SECRET_KEY: rk }));
    assert.equal(r.status, 'pass', r.summary);
    assert.match(r.summary, /webhook endpoint livemode = true/);
    const none = ['rk', 'live', '51RestrictedNothing00000000000'].join('_');
    sb.stripe.addKey({ secret: none, allow: ['products'] });
    const n = await run(liveMode, await settings({ STRIPE_SECRET_KEY: none }));
    assert.equal(n.status, 'fail');
    assert.match(n.summary, /can read neither the balance nor the webhook endpoints/);
  });

  test('a 429 and a 500 are retried with backoff', async () => {
    sb.stripe.failNext({ status: 429, times: 1, path: '/v1/balance' });
    sb.stripe.failNext({ status: 500, times: 1, path: '/v1/balance' });
    const r = await run(liveMode);
    assert.equal(r.status, 'pass', r.summary);
  });
});

describe('stripe.webhook-endpoint', () => {
  const original = () => structuredClone(sb.stripe.webhookEndpoints);
  test('missing, disabled, another URL and missing events each fail with their own message', async () => {
    const saved = original();
    try {
      sb.stripe.webhookEndpoints.splice(0);
      assert.match((await run(webhookEndpoint)).summary, /no Stripe webhook endpoint for https:\/\/app\.acme-saas\.com\/api\/webhooks\/stripe: the account has none/);
      sb.stripe.webhookEndpoints.push({ ...saved[0]!, url: 'https://staging.acme-saas.com/api/webhooks/stripe' });
      assert.match((await run(webhookEndpoint)).summary, /the account sends to https:\/\/staging\.acme-saas\.com\/api\/webhooks\/stripe/);
      sb.stripe.webhookEndpoints.splice(0, 1, { ...saved[0]!, status: 'disabled' });
      assert.match((await run(webhookEndpoint)).summary, /is disabled in Stripe/);
      sb.stripe.webhookEndpoints.splice(0, 1, { ...saved[0]!, enabled_events: ['checkout.session.completed'] });
      const missing = await run(webhookEndpoint);
      assert.equal(missing.status, 'fail');
      assert.match(missing.summary, /does not subscribe to 10 events the app handles: customer\.subscription\.created/);
      sb.stripe.webhookEndpoints.splice(0, 1, { ...saved[0]!, enabled_events: ['*'] });
      assert.equal((await run(webhookEndpoint)).status, 'pass');
    } finally {
      sb.stripe.webhookEndpoints.splice(0, sb.stripe.webhookEndpoints.length, ...saved);
    }
  });
});

describe('stripe.sync-endpoint', () => {
  test('503 (no STRIPE_SYNC_SECRET on the server) fails and says so', async () => {
    const secret = sb.app!.config.stripe.syncSecret;
    sb.app!.config.stripe.syncSecret = undefined;
    try {
      const r = await run(syncEndpoint);
      assert.equal(r.status, 'fail');
      assert.match(r.summary, /answered 503: the app has no STRIPE_SYNC_SECRET/);
    } finally {
      sb.app!.config.stripe.syncSecret = secret;
    }
  });
});

describe('stripe.catalog-sync', () => {
  test('a missing price fails with its id and product name; with if-missing the gate syncs and both steps are reported', async () => {
    const db = await appDb();
    try {
      const { rows } = await db.query<{ id: string; name: string }>(`SELECT p.id, s.name FROM "Price" p JOIN "Service" s ON s.id = p."serviceId" ORDER BY p.id LIMIT 1`);
      const victim = rows[0]!;
      await db.query('DELETE FROM "Price" WHERE id = $1', [victim.id]);
      const missing = await run(catalogSync);
      assert.equal(missing.status, 'fail');
      assert.match(missing.summary, new RegExp(`1 active price\\(s\\) missing from "Price": ${victim.name} \\(${victim.id}\\)`));
      assert.match(missing.fix ?? '', /npm run sync-stripe/);

      const synced = await run(catalogSync, await settings({}, { 'stripe-sync': 'if-missing' }));
      assert.equal(synced.status, 'pass', synced.summary);
      assert.match(synced.summary, /filled by the sync call/);
      assert.match(synced.details ?? '', /Before the sync: 1 active price/);
      assert.match(synced.details ?? '', /answered 200/);
      assert.match(synced.details ?? '', /After the sync: every active product and price is in the database/);
      assert.equal((await db.query('SELECT 1 FROM "Price" WHERE id = $1', [victim.id])).rowCount, 1, 'the row is back');
    } finally {
      await db.end();
    }
  });

  test('a product archived in Stripe but still in "Service" warns as stale', async () => {
    const product = sb.stripe.catalog.products.find((p) => p.name === 'Team')!;
    product.active = false;
    try {
      const r = await run(catalogSync);
      assert.equal(r.status, 'warn');
      assert.match(r.summary, /"Service" row\(s\) not active in Stripe .*Team \(prod_/);
    } finally {
      product.active = true;
    }
  });

  test('1,000 products and 3,000 prices cost exactly the requests pagination needs (10 + 30)', async () => {
    const big = bigCatalog(1000, 3);
    const key = ['sk', 'live', '51BigCatalogKey0000000000000'].join('_');
    const server = await startStripeServer({ keys: [key], catalog: big });
    try {
      const handle = await createStripe({ secretKey: key, apiBase: server.url, timeoutMs: 10_000 });
      const view = await readStripeCatalog(handle.stripe);
      assert.equal(view.products.size, 1000);
      assert.equal(view.prices.size, 3000);
      assert.equal(view.requests, 40);
      assert.equal(server.requests.length, 40);
      const diff = diffCatalog(view, { services: new Map([...view.products].slice(1)), prices: new Set([...view.prices.keys()].slice(2)) });
      assert.equal(diff.missingProducts.length, 1);
      assert.equal(diff.missingPrices.length, 2);
    } finally {
      await server.stop();
    }
  });
});

test('the Stripe client refuses any write before it leaves the process', async () => {
  const before = sb.stripe.requests.length;
  const handle = await createStripe({ secretKey: sb.env.STRIPE_SECRET_KEY!, apiBase: sb.inputs['stripe-api-base'], timeoutMs: 5000 });
  await assert.rejects(handle.stripe.products.create({ name: 'Should never exist' }), /refused POST \/v1\/products: the gate only reads Stripe/);
  assert.equal(sb.stripe.requests.length, before, 'nothing reached the server');
});

describe('smoke.billing-plans', () => {
  test('plans behind the client-side tier tab count: the server renders Free, the page data has Team and Enterprise', async () => {
    // Changed verdict (issue 11): a pricing page that renders only its default tab failed "does not show Team, Enterprise".
    const r = await run(billingPlans);
    assert.equal(r.status, 'pass', r.summary);
    assert.match(r.summary, /\(Free in the HTML, Team, Enterprise in the page's data, behind a client-side tab or view\)/);
    assert.deepEqual(r.data?.inData, ['Team', 'Enterprise']);
  });

  test('a plan missing from the pricing page fails naming it; names are matched whole', async () => {
    const db = await appDb();
    try {
      await db.query(`UPDATE "Service" SET name = 'Teams Plus' WHERE name = 'Team'`);
      const r = await run(billingPlans);
      assert.equal(r.status, 'fail');
      assert.match(r.summary, /does not show 1 expected plan: Team$/);
    } finally {
      await db.query(`UPDATE "Service" SET name = 'Team' WHERE name = 'Teams Plus'`);
      await db.end();
    }
  });
});

describe('smoke.stripe-webhook', () => {
  test('a secret the app does not use: "signing secret mismatch"', async () => {
    const r = await run(stripeWebhook, await settings({ STRIPE_WEBHOOK_SECRET: 'whsec_notTheAppsSecret0000000000000' }));
    assert.equal(r.status, 'fail');
    assert.match(r.summary, /^signing secret mismatch/);
    assert.deepEqual(r.data, { unsigned: 400, forged: 400, signed: 400 });
  });
});

function bigCatalog(products: number, pricesEach: number): StripeCatalog {
  const template = defaultCatalog();
  const baseProduct = template.products[0]!;
  const basePrice = template.prices[0]!;
  const out: StripeCatalog = { products: [], prices: [] };
  for (let i = 0; i < products; i++) {
    const id = `prod_big${String(i).padStart(6, '0')}`;
    out.products.push({ ...baseProduct, id, name: `Plan ${i}`, created: 1_700_000_000 + i });
    for (let j = 0; j < pricesEach; j++) out.prices.push({ ...basePrice, id: `price_big${i}_${j}`, product: id, created: 1_700_000_000 + i * 10 + j });
  }
  return out;
}

test('planShown: titles count, prose, identifiers and longer plan names do not', async () => {
  const { planShown, textRuns } = await import('../../../src/rules/smoke/billing-plans.js');
  const runs = textRuns('<h2>Free</h2><h3>Team plan &middot; $60</h3><p>SSO and everything in Enterprise</p><li>team_audit_log</li><h2>Pro&nbsp;Plus</h2><script>var Pro = 1</script>');
  assert.ok(planShown('Free', runs, []));
  assert.ok(planShown('team', runs, []));
  assert.ok(!planShown('Enterprise', runs, []), 'prose');
  assert.ok(!planShown('Pro', runs, ['Pro Plus']), 'a longer plan title');
  assert.ok(planShown('Pro Plus', runs, ['Pro']));
  assert.ok(!planShown('Business', runs, []));
});

test('embeddedStrings and planInData: __NEXT_DATA__, app-router flight data and JSON-LD, whole strings only', async () => {
  const { embeddedStrings, planInData } = await import('../../../src/rules/smoke/billing-plans.js');
  const html =
    '<h2>Free</h2><script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":{"plans":[{"name":"Team","description":"everything in Enterprise, \\u003cb\\u003esso\\u003c/b\\u003e"}]}}}</script>' +
    '<script>self.__next_f.push([1,"4:[\\"$\\",\\"h2\\",null,{\\"children\\":\\"Pro Plus\\"}]\\n"])</script>' +
    '<script type="application/ld+json">{"@type":"Product","name":"Enterprise Plus"}</script><script>var plans = ["Scale"]</script>';
  const strings = embeddedStrings(html);
  assert.ok(planInData('team', strings));
  assert.ok(planInData('Pro Plus', strings), 'flight data');
  assert.ok(planInData('Enterprise Plus', strings), 'JSON-LD');
  assert.ok(!planInData('Enterprise', strings), 'a word inside a longer string does not count');
  assert.ok(!planInData('Scale', strings), 'an ordinary script is not page data');
  assert.deepEqual(embeddedStrings('<script id="__NEXT_DATA__" type="application/json">{not json</script>'), []);
});

describe('smoke.billing-plans, signed in', () => {
  test('the smoke account\'s team billing lists the business-tier plans; one missing fails naming it', async () => {
    const ok = await run(billingPlans);
    assert.equal(ok.status, 'pass', ok.summary);
    assert.match(ok.summary, /team smoke-team's billing lists (Team, Enterprise|Enterprise, Team)/);
    const db = await appDb();
    try {
      await db.query(`UPDATE "Service" SET metadata = jsonb_set(metadata, '{tier}', '"enterprise"') WHERE name = 'Enterprise'`);
      const r = await run(billingPlans);
      assert.equal(r.status, 'fail');
      assert.match(r.summary, /the billing data of team smoke-team does not list the business-tier plan Enterprise/);
    } finally {
      await db.query(`UPDATE "Service" SET metadata = jsonb_set(metadata, '{tier}', '"business"') WHERE name = 'Enterprise'`);
      await db.end();
    }
  });
});
