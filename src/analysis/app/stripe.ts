/**
 * The app's side of Stripe, from its source: the webhook route and the events its handler acts on,
 * and where its plans come from (a catalog synced into its database, or price ids in variables).
 *
 * The events are the Stripe event types the handler names in code: `case "checkout.session.completed":`,
 * `event.type === "invoice.payment_succeeded"`, a `new Set([...])` of relevant events; in the route's
 * module and in the local modules it imports (one level: a handler often delegates to
 * `lib/stripe/webhooks.ts`). Comments do not count.
 */
import { posix } from 'node:path';
import type { AppRoute } from './routes.js';
import { withoutComments, type SourceFile } from './sources.js';

/** Stripe's event type prefixes (the objects of https://docs.stripe.com/api/events/types). */
const EVENT_OBJECTS = [
  'account', 'application_fee', 'balance', 'billing', 'billing_portal', 'capability', 'cash_balance', 'charge', 'checkout', 'climate',
  'coupon', 'credit_note', 'customer', 'customer_cash_balance_transaction', 'entitlements', 'file', 'financial_connections', 'identity',
  'invoice', 'invoice_payment', 'invoiceitem', 'issuing_authorization', 'issuing_card', 'issuing_cardholder', 'issuing_dispute',
  'issuing_token', 'issuing_transaction', 'mandate', 'payment_intent', 'payment_link', 'payment_method', 'payout', 'person', 'plan',
  'price', 'product', 'promotion_code', 'quote', 'radar', 'refund', 'reporting', 'review', 'setup_intent', 'sigma', 'source',
  'subscription_schedule', 'tax', 'tax_rate', 'terminal', 'test_helpers', 'topup', 'transfer', 'treasury',
];
const EVENT_TYPE = new RegExp(`^(?:${EVENT_OBJECTS.join('|')})\\.[a-z_]+(?:\\.[a-z_]+)*$`);

/** Is `text` a Stripe event type's shape (`customer.subscription.updated`)? */
export function isStripeEventType(text: string): boolean {
  return EVENT_TYPE.test(text);
}

export interface WebhookHandler {
  /** The route Stripe posts to (`/api/webhooks/stripe`). */
  path: string;
  file: string;
  /** The event types its code names, in the order first seen. */
  events: string[];
  /** The modules read for them (the route's, and local modules it imports). */
  files: string[];
  /** It verifies signatures with `constructEvent` / `constructEventAsync` (in the files read). */
  verifies: boolean;
}

/** The event types named in a module's code (string literals only, comments blanked). */
export function eventTypesIn(text: string): string[] {
  const code = withoutComments(text);
  const events: string[] = [];
  for (const m of code.matchAll(/(['"`])([a-z_]+(?:\.[a-z_]+)+)\1/g)) {
    if (isStripeEventType(m[2]!) && !events.includes(m[2]!)) events.push(m[2]!);
  }
  return events;
}

/** Local modules a module imports (`./x`, `../x`, `@/x`, `~/x`), as repository paths without extension. */
function localImports(file: SourceFile): string[] {
  const out: string[] = [];
  const dir = posix.dirname(file.file);
  for (const m of withoutComments(file.text).matchAll(/(?:from|import\(|require\()\s*['"]((?:\.{1,2}\/|@\/|~\/)[^'"]+)['"]/g)) {
    const spec = m[1]!;
    const path = spec.startsWith('.') ? posix.normalize(posix.join(dir, spec)) : spec.replace(/^[@~]\//, '');
    out.push(path.replace(/\.[cm]?[jt]sx?$/, ''));
  }
  return out;
}

function findModule(files: ReadonlyMap<string, SourceFile>, base: string): SourceFile | undefined {
  for (const candidate of [base, `src/${base}`]) {
    for (const ext of ['.ts', '.tsx', '.js', '.mjs', '.jsx', '/index.ts', '/index.js']) {
      const found = files.get(`${candidate}${ext}`);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * The app's Stripe webhook route: the API route whose module verifies Stripe signatures
 * (`constructEvent`), else one whose path names both a webhook and Stripe.
 */
export function findWebhookHandler(routes: readonly AppRoute[], files: ReadonlyMap<string, SourceFile>): WebhookHandler | undefined {
  const api = routes.filter((r) => r.kind === 'api' && !r.catchAll);
  const verifying = api.filter((r) => /\bconstructEvent(?:Async)?\s*\(/.test(withoutComments(files.get(r.file)?.text ?? '')));
  const named = api.filter((r) => /webhook/i.test(r.path) && /stripe/i.test(r.path));
  const route = verifying.find((r) => /webhook|stripe/i.test(r.path)) ?? verifying[0] ?? named[0];
  if (!route) return undefined;
  const main = files.get(route.file);
  const read = main ? [main] : [];
  for (const spec of main ? localImports(main) : []) {
    const module = findModule(files, spec);
    if (module && !read.includes(module)) read.push(module);
  }
  const events: string[] = [];
  for (const f of read) for (const e of eventTypesIn(f.text)) if (!events.includes(e)) events.push(e);
  const verifies = read.some((f) => /\bconstructEvent(?:Async)?\s*\(/.test(withoutComments(f.text)));
  return { path: route.path, file: route.file, events, files: read.map((f) => f.file), verifies };
}

/** Variables that hold Stripe price ids (`NEXT_PUBLIC_STRIPE_PRO_MONTHLY_PLAN_ID`, `STRIPE_PRICE_ID_TEAM`). */
export function priceIdVariables(names: Iterable<string>): string[] {
  return [...names].filter((n) => /STRIPE/.test(n) && /(?:^|_)(?:PRICE|PLAN)(?:_|$)/.test(n) && /(?:^|_)ID(?:_|$)/.test(n)).sort();
}
