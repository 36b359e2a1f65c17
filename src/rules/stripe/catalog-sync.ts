/**
 * stripe.catalog-sync: every active Stripe product is a row of "Service" and every active price of an
 * active product a row of "Price" (the post-deploy `npm run sync-stripe`); rows archived in Stripe
 * are stale. With `stripe-sync: if-missing` the gate calls the app's sync endpoint itself, as the
 * script does, then compares again, and reports both.
 */
import type Stripe from 'stripe';
import type { Outcome, RuleContext } from '../../engine/types.js';
import { defineRule } from '../index.js';
import { describeDbError, isUnreachable, parseDatabaseUrl } from '../../probes/db.js';
import { ProbeError } from '../../probes/http.js';
import { describeStripeError, stripeUnavailable } from '../../probes/stripe.js';
import { appOrigin, appUrlFor } from '../../probes/target.js';
import { couldNotCheck } from '../../engine/unavailable.js';

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

export async function readDbCatalog(ctx: RuleContext): Promise<DbCatalogView> {
  const db = await ctx.clients.db();
  // One after the other: a pg client runs one query at a time (queuing more is deprecated).
  const services = await db.query<{ id: string; name: string }>('SELECT id, name FROM "Service"');
  const prices = await db.query<{ id: string }>('SELECT id FROM "Price"');
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

function describeDiff(diff: CatalogDiff): string[] {
  const lines: string[] = [];
  if (diff.missingProducts.length) lines.push(`${diff.missingProducts.length} active product(s) missing from "Service": ${list(diff.missingProducts)}`);
  if (diff.missingPrices.length) lines.push(`${diff.missingPrices.length} active price(s) missing from "Price": ${list(diff.missingPrices)}`);
  if (diff.staleServices.length) lines.push(`${diff.staleServices.length} "Service" row(s) not active in Stripe (archived or deleted): ${list(diff.staleServices)}`);
  return lines;
}

/** What `npm run sync-stripe` does: POST the sync endpoint with the secret header. */
async function callSync(ctx: RuleContext, origin: URL): Promise<string> {
  const secret = ctx.settings.env.STRIPE_SYNC_SECRET;
  if (!secret) return 'not called: STRIPE_SYNC_SECRET is not set';
  const url = appUrlFor(origin, ctx.settings.config.paths['stripe-sync']);
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
    if (!settings.env.STRIPE_SECRET_KEY) return { status: 'skip', summary: 'STRIPE_SECRET_KEY is not set (see config.stripe-secret-key)' };
    if (!settings.env.DATABASE_URL) return { status: 'skip', summary: 'DATABASE_URL is not set, so the app\'s catalog cannot be read' };
    let parsed: ReturnType<typeof parseDatabaseUrl>;
    try {
      parsed = parseDatabaseUrl(settings.env.DATABASE_URL);
    } catch {
      return { status: 'fail', summary: 'the catalog cannot be compared: DATABASE_URL does not parse (see config.database-url)', fix: 'Fix DATABASE_URL (config.database-url says what is wrong).' };
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
      dbView = await readDbCatalog(ctx);
    } catch (error) {
      if (isUnreachable(error)) {
        return couldNotCheck(settings.unreachable, { component: 'database', what: 'the catalog cannot be compared', cause: describeDbError(error, parsed) });
      }
      return { status: 'fail', summary: `cannot read "Service"/"Price": ${describeDbError(error, parsed)}` };
    }
    let diff = diffCatalog(stripeView, dbView);
    const before = describeDiff(diff);
    const counts = `${stripeView.products.size} active products, ${stripeView.prices.size} active prices in Stripe (${stripeView.requests} API requests)`;
    const data: Record<string, unknown> = { stripeProducts: stripeView.products.size, stripePrices: stripeView.prices.size, stripeRequests: stripeView.requests };
    const missing = () => diff.missingProducts.length + diff.missingPrices.length;

    let syncNote = '';
    if (missing() > 0 && settings.stripeSync === 'if-missing') {
      const origin = appOrigin(settings);
      const answer = origin ? await callSync(ctx, origin) : 'not called: APP_URL is not a usable https:// URL';
      try {
        dbView = await readDbCatalog(ctx);
      } catch (error) {
        return { status: 'fail', summary: `the sync was called (${answer}), but the catalog cannot be read again: ${describeDbError(error, parsed)}` };
      }
      diff = diffCatalog(stripeView, dbView);
      syncNote = `Before the sync: ${before.join('; ')}.\n\nstripe-sync: if-missing called the app's sync endpoint: ${answer}.\n\nAfter the sync: ${describeDiff(diff).join('; ') || 'every active product and price is in the database'}.`;
      data.sync = { before: before, answer, after: describeDiff(diff) };
    }

    const problems = describeDiff(diff);
    if (missing() > 0) {
      return {
        status: 'fail',
        summary: problems.filter((p) => !p.includes('not active in Stripe')).join('; '),
        details: [syncNote, counts].filter(Boolean).join('\n\n'),
        fix: settings.stripeSync === 'if-missing'
          ? 'The sync did not fill the gap: read the app\'s answer above and its logs.'
          : 'Run `npm run sync-stripe` against the deployed app (it needs APP_URL and STRIPE_SYNC_SECRET), or set the input stripe-sync: if-missing to let the gate call the sync endpoint.',
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
