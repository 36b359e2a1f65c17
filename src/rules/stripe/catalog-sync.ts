/**
 * stripe.catalog-sync: the plans the app sells exist in the live Stripe account, as the app keeps them.
 *
 * - A catalog synced into the database (the guide's app: `"Service"` and `"Price"`, filled by the
 *   post-deploy `npm run sync-stripe`; another app's `Product`/`Price` models, filled by its webhook):
 *   every active Stripe product is a row of the products table and every active price of an active
 *   product a row of the prices table (the tables as the app model reads them from schema.prisma);
 *   rows archived in Stripe are stale. With `stripe-sync: if-missing` the gate calls the app's sync
 *   endpoint itself, as the script does, then compares again, and reports both.
 * - Price ids in variables (`NEXT_PUBLIC_STRIPE_PRO_MONTHLY_PLAN_ID`, …): each one is set and is an
 *   active price of an active product in the account the key belongs to (a test-mode id, or an
 *   archived price, breaks checkout).
 */
import type Stripe from 'stripe';
import type { Outcome, RuleContext } from '../../engine/types.js';
import { defineRule } from '../index.js';
import { describeDbError, isUnreachable, parseDatabaseUrl } from '../../probes/db.js';
import { ProbeError } from '../../probes/http.js';
import { describeStripeError, stripeUnavailable } from '../../probes/stripe.js';
import { appOrigin, appUrlFor } from '../../probes/target.js';
import { couldNotCheck } from '../../engine/unavailable.js';
import type { CatalogTables } from '../../analysis/app/model.js';
import { isOutcome, notApplicable, stripeKey, variable } from '../app.js';

export interface StripeCatalogView {
  products: Map<string, string>;
  /** Active prices of active products: price id → product name. */
  prices: Map<string, string>;
  requests: number;
}

export interface DbCatalogView {
  services: Map<string, string>;
  prices: Set<string>;
}

export interface CatalogDiff {
  missingProducts: Array<[string, string]>;
  missingPrices: Array<[string, string]>;
  staleServices: Array<[string, string]>;
}

/**
 * Every page of a Stripe list, 100 objects a page (Stripe's maximum), counting the requests: paging
 * by hand rather than with `for await` so the count is this comparison's own, whatever other rules
 * ask Stripe at the same time.
 */
async function listAll<T extends { id: string }>(page: (startingAfter?: string) => Promise<Stripe.ApiList<T>>): Promise<{ items: T[]; requests: number }> {
  const items: T[] = [];
  let requests = 0;
  let after: string | undefined;
  for (;;) {
    const list = await page(after);
    requests++;
    items.push(...list.data);
    if (!list.has_more || list.data.length === 0) return { items, requests };
    after = list.data.at(-1)!.id;
  }
}

/** Active products and the active prices of active products. */
export async function readStripeCatalog(stripe: Stripe): Promise<StripeCatalogView> {
  const [products, prices] = await Promise.all([
    listAll((starting_after) => stripe.products.list({ active: true, limit: 100, ...(starting_after ? { starting_after } : {}) })),
    listAll((starting_after) => stripe.prices.list({ active: true, limit: 100, ...(starting_after ? { starting_after } : {}) })),
  ]);
  const names = new Map(products.items.map((p) => [p.id, p.name]));
  const activePrices = new Map<string, string>();
  for (const price of prices.items) {
    const productId = typeof price.product === 'string' ? price.product : price.product.id;
    if (names.has(productId)) activePrices.set(price.id, names.get(productId)!);
  }
  return { products: names, prices: activePrices, requests: products.requests + prices.requests };
}

const GUIDE_CATALOG: CatalogTables = { products: { table: 'Service', model: 'Service', nameColumn: 'name' }, prices: { table: 'Price', model: 'Price' } };

/** A table or column name quoted for SQL (Prisma's names are case-sensitive identifiers). */
const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

export async function readDbCatalog(ctx: RuleContext, tables: CatalogTables = GUIDE_CATALOG): Promise<DbCatalogView> {
  const db = await ctx.clients.db();
  // One after the other: a pg client runs one query at a time (queuing more is deprecated).
  const name = tables.products.nameColumn ? ident(tables.products.nameColumn) : 'id';
  const services = await db.query<{ id: string; name: string }>(`SELECT id, ${name} AS name FROM ${ident(tables.products.table)}`);
  const prices = await db.query<{ id: string }>(`SELECT id FROM ${ident(tables.prices.table)}`);
  return { services: new Map(services.rows.map((r) => [r.id, r.name])), prices: new Set(prices.rows.map((r) => r.id)) };
}

export function diffCatalog(stripe: StripeCatalogView, db: DbCatalogView): CatalogDiff {
  return {
    missingProducts: [...stripe.products].filter(([id]) => !db.services.has(id)),
    missingPrices: [...stripe.prices].filter(([id]) => !db.prices.has(id)),
    staleServices: [...db.services].filter(([id]) => !stripe.products.has(id)),
  };
}

const list = (items: Array<[string, string]>, max = 5) =>
  items.slice(0, max).map(([id, name]) => `${name} (${id})`).join(', ') + (items.length > max ? `, and ${items.length - max} more` : '');

function describeDiff(diff: CatalogDiff, tables: CatalogTables = GUIDE_CATALOG): string[] {
  const lines: string[] = [];
  const products = `"${tables.products.table}"`;
  if (diff.missingProducts.length) lines.push(`${diff.missingProducts.length} active product(s) missing from ${products}: ${list(diff.missingProducts)}`);
  if (diff.missingPrices.length) lines.push(`${diff.missingPrices.length} active price(s) missing from "${tables.prices.table}": ${list(diff.missingPrices)}`);
  if (diff.staleServices.length) lines.push(`${diff.staleServices.length} ${products} row(s) not active in Stripe (archived or deleted): ${list(diff.staleServices)}`);
  return lines;
}

/** What `npm run sync-stripe` does: POST the sync endpoint with the secret header. */
async function callSync(ctx: RuleContext, origin: URL): Promise<string> {
  const path = ctx.settings.app.paths.stripeSync;
  if (!path) return 'not called: the app has no Stripe sync route';
  const secretVar = variable(ctx.settings, 'stripeSyncSecret');
  const secret = secretVar?.value;
  if (!secret) return `not called: ${secretVar?.name ?? 'the sync secret'} is not set`;
  const url = appUrlFor(origin, path);
  try {
    const response = await ctx.clients.http().request(
      { url, method: 'POST', headers: { 'content-type': 'application/json', 'x-stripe-sync-secret': secret }, body: '{}', timeoutMs: Math.max(60_000, ctx.settings.timeoutSeconds * 1000) },
      ctx.signal,
    );
    return `POST ${url} answered ${response.status}${response.body ? `: ${response.body.slice(0, 300)}` : ''}`;
  } catch (error) {
    if (error instanceof ProbeError) return `POST ${url} failed: ${error.message}`;
    throw error;
  }
}

export const catalogSync = defineRule({
  id: 'stripe.catalog-sync',
  async check(ctx): Promise<Outcome> {
    const { settings, clients } = ctx;
    const key = stripeKey(settings);
    if (isOutcome(key)) return key;
    const plans = settings.app.stripe.plans;
    if (plans.source === 'none') return notApplicable('plan catalog', 'no synced products table and no Stripe price id variable');
    if (plans.source === 'price-ids') return checkPriceIds(ctx, plans.priceIdVariables);
    const tables = plans.catalog ?? GUIDE_CATALOG;
    const dbVar = variable(settings, 'databaseUrl') ?? { name: 'DATABASE_URL' };
    if (!dbVar.value) return { status: 'skip', summary: `${dbVar.name} is not set, so the app's catalog cannot be read` };
    let parsed: ReturnType<typeof parseDatabaseUrl>;
    try {
      parsed = parseDatabaseUrl(dbVar.value);
    } catch {
      return { status: 'fail', summary: `the catalog cannot be compared: ${dbVar.name} does not parse (see config.database-url)`, fix: `Fix ${dbVar.name} (config.database-url says what is wrong).` };
    }
    const handle = await clients.stripe();
    let stripeView: StripeCatalogView;
    try {
      stripeView = await readStripeCatalog(handle.stripe);
    } catch (error) {
      if (stripeUnavailable(error)) {
        return couldNotCheck(settings.unreachable, { component: 'Stripe', what: 'the catalog cannot be compared', cause: describeStripeError(error) });
      }
      return { status: 'fail', summary: `cannot read the Stripe catalog: ${describeStripeError(error)}`, fix: 'A restricted key needs "Products: Read" and "Prices: Read".' };
    }
    let dbView: DbCatalogView;
    try {
      dbView = await readDbCatalog(ctx, tables);
    } catch (error) {
      if (isUnreachable(error)) {
        return couldNotCheck(settings.unreachable, { component: 'database', what: 'the catalog cannot be compared', cause: describeDbError(error, parsed) });
      }
      return { status: 'fail', summary: `cannot read "${tables.products.table}"/"${tables.prices.table}": ${describeDbError(error, parsed)}` };
    }
    let diff = diffCatalog(stripeView, dbView);
    const before = describeDiff(diff, tables);
    const counts = `${stripeView.products.size} active products, ${stripeView.prices.size} active prices in Stripe (${stripeView.requests} API requests)`;
    const data: Record<string, unknown> = { stripeProducts: stripeView.products.size, stripePrices: stripeView.prices.size, stripeRequests: stripeView.requests };
    const missing = () => diff.missingProducts.length + diff.missingPrices.length;

    let syncNote = '';
    if (missing() > 0 && settings.stripeSync === 'if-missing') {
      const origin = appOrigin(settings);
      const answer = origin ? await callSync(ctx, origin) : 'not called: APP_URL is not a usable https:// URL';
      try {
        dbView = await readDbCatalog(ctx, tables);
      } catch (error) {
        return { status: 'fail', summary: `the sync was called (${answer}), but the catalog cannot be read again: ${describeDbError(error, parsed)}` };
      }
      diff = diffCatalog(stripeView, dbView);
      syncNote = `Before the sync: ${before.join('; ')}.\n\nstripe-sync: if-missing called the app's sync endpoint: ${answer}.\n\nAfter the sync: ${describeDiff(diff, tables).join('; ') || 'every active product and price is in the database'}.`;
      data.sync = { before: before, answer, after: describeDiff(diff, tables) };
    }

    const problems = describeDiff(diff, tables);
    const syncScript = settings.app.scripts['sync-stripe'] !== undefined ? '`npm run sync-stripe`' : undefined;
    if (missing() > 0) {
      return {
        status: 'fail',
        summary: problems.filter((p) => !p.includes('not active in Stripe')).join('; '),
        details: [syncNote, counts].filter(Boolean).join('\n\n'),
        fix: settings.stripeSync === 'if-missing'
          ? 'The sync did not fill the gap: read the app\'s answer above and its logs.'
          : settings.app.paths.stripeSync
            ? `Run ${syncScript ?? `the app's catalog sync (POST ${settings.app.paths.stripeSync})`} against the deployed app, or set the input stripe-sync: if-missing to let the gate call the sync endpoint.`
            : `The app fills its catalog from Stripe's product.* and price.* webhook events: resend them from https://dashboard.stripe.com/events (or update each product in Stripe), and check that the endpoint subscribes to them (stripe.webhook-endpoint).`,
        data,
      };
    }
    if (diff.staleServices.length > 0) {
      return {
        status: 'warn',
        summary: problems.join('; '),
        details: [syncNote, counts, 'Stale rows may still be shown as plans; archive them in the app or delete them once no subscription uses them.'].filter(Boolean).join('\n\n'),
        data,
      };
    }
    return {
      status: 'pass',
      summary: `every active Stripe product and price is in the database: ${counts}${syncNote ? '; filled by the sync call' : ''}`,
      details: syncNote || undefined,
      data,
    };
  },
});

/**
 * The price ids the app's variables hold: each set, and an active price of an active product in the
 * account the key belongs to (a test-mode id is "No such price" for a live key).
 */
async function checkPriceIds(ctx: RuleContext, names: readonly string[]): Promise<Outcome> {
  const { settings, clients } = ctx;
  const unset = names.filter((n) => !settings.env[n]);
  const { stripe } = await clients.stripe();
  const lines: string[] = [];
  const problems: string[] = [];
  for (const name of names.filter((n) => settings.env[n])) {
    const id = settings.env[name]!;
    try {
      const price = await stripe.prices.retrieve(id, { expand: ['product'] });
      // Expanded by Stripe; a server that does not expand gives the id, read then.
      const product = typeof price.product === 'string' ? await stripe.products.retrieve(price.product) : (price.product as Stripe.Product | Stripe.DeletedProduct);
      const live = !('deleted' in product && product.deleted) ? (product as Stripe.Product) : undefined;
      const productName = live?.name;
      const productActive = live?.active ?? false;
      if (!price.active) problems.push(`${name} is ${id}, an archived price${productName ? ` of ${productName}` : ''}`);
      else if (!productActive) problems.push(`${name} is ${id}, a price of ${productName ? `the archived product ${productName}` : 'a deleted product'}`);
      else lines.push(`${name}: ${id} (${productName}, ${price.currency.toUpperCase()} ${price.unit_amount === null ? 'custom' : (price.unit_amount / 100).toFixed(2)}${price.recurring ? ` per ${price.recurring.interval}` : ''})`);
    } catch (error) {
      if (stripeUnavailable(error)) return couldNotCheck(settings.unreachable, { component: 'Stripe', what: "the app's price ids cannot be checked", cause: describeStripeError(error) });
      const code = (error as { code?: string }).code;
      problems.push(code === 'resource_missing' ? `${name} is ${id}, which is no price of this account (a test-mode id, or another account's)` : `${name} (${id}) cannot be read: ${describeStripeError(error)}`);
    }
  }
  for (const name of unset) problems.push(`${name} is not set`);
  const data = { priceIdVariables: names, problems: problems.length };
  if (problems.length > 0) {
    return {
      status: 'fail',
      summary: problems.join('; '),
      details: lines.length ? `Live prices: ${lines.join('; ')}.` : undefined,
      fix: "Set each of the app's price id variables to the id of an active live price (https://dashboard.stripe.com/products), and rebuild: NEXT_PUBLIC_ values are inlined at build time.",
      data,
    };
  }
  return { status: 'pass', summary: `the app's ${names.length} price id${names.length > 1 ? 's are' : ' is an'} active live price${names.length > 1 ? 's' : ''} of active products: ${lines.join('; ')}`, data };
}
