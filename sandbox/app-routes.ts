/**
 * The app's routes, as data: Next's file-route syntax (`[slug]`, `[...rest]`), most specific first.
 * NextAuth is in ./app-auth.ts, teams and plan entitlements in ./app-teams.ts.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type Stripe from 'stripe';
import { z } from 'zod';
import { hashPassword } from './app-accounts.js';
import { nextAuthHandler } from './app-auth.js';
import { auditLogsPage, slugify, team, teamApiKeys, teamProducts, teams, teamSso, teamWebhooks } from './app-teams.js';
import { escapeHtml, page, type AppResponse, type RequestContext } from './app-http.js';
import { syncStripeCatalog } from './stripe-sync.js';
import type { HandledEvent } from '../src/target-app.js';

export interface Route {
  /** Next.js route path, e.g. `/api/teams/[slug]/billing`. */
  path: string;
  handler(ctx: RequestContext): Promise<AppResponse> | AppResponse;
}

/** The middleware's `unAuthenticatedRoutes` (micromatch globs). */
export const PUBLIC_ROUTES: readonly string[] = [
  '/api/hello',
  '/api/health',
  '/api/webhooks/stripe',
  '/api/admin/stripe/sync',
  '/api/security/csp-report',
  '/pricing',
  '/api/auth/**',
  '/auth/**',
  '/api/oauth/**',
  '/.well-known/*',
];

export const ROUTES: readonly Route[] = [
  { path: '/api/health', handler: health },
  { path: '/api/hello', handler: () => ({ status: 200, json: { message: 'Hello World!' } }) },
  { path: '/api/auth/join', handler: join },
  { path: '/api/auth/[...nextauth]', handler: nextAuthHandler },
  { path: '/api/webhooks/stripe', handler: stripeWebhook },
  { path: '/api/admin/stripe/sync', handler: stripeSync },
  { path: '/api/security/csp-report', handler: cspReport },
  { path: '/api/teams', handler: teams },
  { path: '/api/teams/[slug]/sso', handler: teamSso },
  { path: '/api/teams/[slug]/webhooks', handler: teamWebhooks },
  { path: '/api/teams/[slug]/api-keys', handler: teamApiKeys },
  { path: '/api/teams/[slug]/payments/products', handler: teamProducts },
  { path: '/api/teams/[slug]', handler: team },
  { path: '/teams/[slug]/audit-logs', handler: auditLogsPage },
  { path: '/auth/login', handler: loginPage },
  { path: '/auth/join', handler: joinPage },
  { path: '/pricing', handler: pricingPage },
  { path: '/', handler: landingPage },
];

/**
 * The `authjs-pnpm` flavour's app router (./flavours.ts): `app/(auth)/login`, `app/(auth)/register`,
 * `app/(marketing)/pricing`, `app/api/auth/[...nextauth]/route.ts`, `app/api/webhooks/stripe/route.ts`,
 * `app/api/health/route.ts`, and the signed-in dashboard; no sign-up API (signing in creates the
 * account) and no sync endpoint (its plans are price ids). Its middleware's matcher is
 * `/dashboard/:path*`: every other path is public (an unknown one is Next's 404).
 */
export const V5_PRIVATE_ROUTES: readonly string[] = ['/dashboard/**'];

export const V5_ROUTES: readonly Route[] = [
  { path: '/api/health', handler: health },
  { path: '/api/auth/[...nextauth]', handler: nextAuthHandler },
  { path: '/api/webhooks/stripe', handler: stripeWebhook },
  { path: '/login', handler: v5LoginPage },
  { path: '/register', handler: v5LoginPage },
  { path: '/pricing', handler: v5PricingPage },
  { path: '/dashboard', handler: (ctx) => ({ status: 200, html: page('Dashboard', ctx.nonce, '<main><h1>Dashboard</h1></main>') }) },
  { path: '/', handler: landingPage },
];

/** The v5 app's sign-in and register pages: one OAuth button each (signing in creates the account). */
function v5LoginPage(ctx: RequestContext): AppResponse {
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return methodNotAllowed(ctx, 'GET');
  const register = ctx.url.pathname === '/register';
  const body = `<main><h1>${register ? 'Create an account' : 'Welcome back'}</h1><button type="button" data-provider="github">Continue with GitHub</button></main>`;
  return { status: 200, html: page(register ? 'Register' : 'Login', ctx.nonce, body) };
}

/** The v5 app's pricing page: its plans as its code (config/subscriptions.ts) names them, each with the price id of a variable. */
function v5PricingPage(ctx: RequestContext): AppResponse {
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return methodNotAllowed(ctx, 'GET');
  const plans = [
    { title: 'Team', price: '$29 / month' },
    { title: 'Enterprise', price: '$99 / month' },
  ];
  const body = `<main><h1>Pricing</h1>${plans.map((p) => `<section class="plan"><h2>${p.title}</h2><p>${p.price}</p></section>`).join('')}</main>`;
  return { status: 200, html: page('Pricing', ctx.nonce, body) };
}

const APP_VERSION = '1.6.0';

/** `pages/api/health.ts`: SELECT 1 through the app's pool; any failure (or non-GET) is a bare 503. */
async function health(ctx: RequestContext): Promise<AppResponse> {
  try {
    if (ctx.method !== 'GET') throw new Error('Method not allowed');
    await ctx.db.query('SELECT 1');
    return { status: 200, json: { version: APP_VERSION } };
  } catch {
    return { status: 503, json: {} };
  }
}

function methodNotAllowed(ctx: RequestContext, allow: string): AppResponse {
  return { status: 405, headers: { Allow: allow }, json: { error: { message: `Method ${ctx.method} Not Allowed` } } };
}

const joinSchema = z.object({
  name: z.string().trim().min(1, 'Name is required').max(104),
  email: z.string().trim().max(254).email('Enter a valid email address'),
  password: z.string().min(8, 'Password must have at least 8 characters').max(70),
  team: z.string().trim().min(3, 'Team name must have at least 3 characters').max(50),
});

/** `pages/api/auth/join.ts`: sign-up creates the user, their team and the membership. */
async function join(ctx: RequestContext): Promise<AppResponse> {
  if (ctx.method !== 'POST') return methodNotAllowed(ctx, 'POST');
  const body = await ctx.jsonBody();
  const parsed = joinSchema.safeParse(typeof body === 'object' && body !== null ? body : {});
  if (!parsed.success) {
    const message = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join(', ');
    return { status: 422, json: { error: { message: `Validation Error: ${message}` } } };
  }
  const { name, email, password, team } = parsed.data;
  const slug = slugify(team);
  const client = await ctx.db.connect();
  try {
    const existingUser = await client.query('SELECT 1 FROM "User" WHERE "email" = $1', [email.toLowerCase()]);
    if (existingUser.rowCount) return { status: 400, json: { error: { message: 'An user with this email already exists.' } } };
    const existingTeam = await client.query('SELECT 1 FROM "Team" WHERE "slug" = $1', [slug]);
    if (existingTeam.rowCount) return { status: 400, json: { error: { message: 'A team with the slug already exists.' } } };
    await client.query('BEGIN');
    const userId = randomUUID();
    const teamId = randomUUID();
    await client.query('INSERT INTO "User" ("id", "name", "email", "password") VALUES ($1, $2, $3, $4)', [
      userId,
      name,
      email.toLowerCase(),
      hashPassword(password),
    ]);
    await client.query('INSERT INTO "Team" ("id", "name", "slug") VALUES ($1, $2, $3)', [teamId, team, slug]);
    await client.query('INSERT INTO "TeamMember" ("id", "teamId", "userId", "role") VALUES ($1, $2, $3, $4)', [
      randomUUID(),
      teamId,
      userId,
      'OWNER',
    ]);
    await client.query('COMMIT');
    return { status: 201, json: { data: { confirmEmail: ctx.config.confirmEmail } } };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/**
 * `pages/api/webhooks/stripe.ts`: the raw body's signature is verified with STRIPE_WEBHOOK_SECRET
 * by the Stripe SDK; handled types update the database, others are acknowledged untouched.
 */
async function stripeWebhook(ctx: RequestContext): Promise<AppResponse> {
  if (ctx.method !== 'POST') return methodNotAllowed(ctx, 'POST');
  const raw = await ctx.rawBody();
  let event: Stripe.Event;
  if (ctx.defects.webhookSkipsSignature) {
    // The defect (AppDefects): the body is trusted as it comes, signed or not.
    try {
      event = JSON.parse(raw.toString('utf8')) as Stripe.Event;
    } catch (err) {
      return { status: 400, json: { error: { message: (err as Error).message } } };
    }
  } else {
    const signature = ctx.req.headers['stripe-signature'];
    const secret = ctx.config.stripe.webhookSecret;
    if (!signature || !secret) {
      return { status: 400, json: { error: { message: 'Missing signature or webhook secret' } } };
    }
    try {
      event = ctx.stripe().webhooks.constructEvent(raw, signature, secret);
    } catch (err) {
      return { status: 400, json: { error: { message: (err as Error).message } } };
    }
  }
  const handler = Object.hasOwn(WEBHOOK_HANDLERS, event.type) ? WEBHOOK_HANDLERS[event.type as HandledEvent] : undefined;
  if (!handler) return { status: 200, json: { received: true } };
  try {
    // Stripe retries deliveries: the event id makes the handling idempotent.
    const inserted = await ctx.db.query(
      'INSERT INTO "WebhookEvent" ("id", "type", "livemode", "payload") VALUES ($1, $2, $3, $4) ON CONFLICT ("id") DO NOTHING',
      [event.id, event.type, event.livemode, JSON.stringify(event)],
    );
    if (inserted.rowCount) {
      await handler(event, ctx);
      await ctx.db.query('UPDATE "WebhookEvent" SET "processedAt" = CURRENT_TIMESTAMP WHERE "id" = $1', [event.id]);
    }
  } catch {
    return { status: 500, json: { error: { message: 'Webhook handler failed. View your nextjs function logs.' } } };
  }
  return { status: 200, json: { received: true } };
}

type WebhookHandler = (event: Stripe.Event, ctx: RequestContext) => Promise<void>;

const noop: WebhookHandler = async () => undefined;

/** The event types the app handles (target-app.md); checkout and customer events need teams, later. */
const WEBHOOK_HANDLERS: Record<HandledEvent, WebhookHandler> = {
  'checkout.session.completed': noop,
  'customer.updated': noop,
  'customer.subscription.created': upsertSubscription,
  'customer.subscription.updated': upsertSubscription,
  'customer.subscription.deleted': async (event, ctx) => {
    await ctx.db.query('DELETE FROM "Subscription" WHERE "id" = $1', [(event.data.object as Stripe.Subscription).id]);
  },
  'invoice.payment_failed': upsertInvoice,
  'invoice.payment_succeeded': upsertInvoice,
  'product.created': upsertProduct,
  'product.updated': upsertProduct,
  'price.created': upsertPrice,
  'price.updated': upsertPrice,
};

async function upsertSubscription(event: Stripe.Event, ctx: RequestContext): Promise<void> {
  const sub = event.data.object as Stripe.Subscription;
  const item = sub.items?.data?.[0];
  const start = item?.current_period_start ?? sub.start_date;
  const end = item?.current_period_end ?? sub.start_date;
  await ctx.db.query(
    `INSERT INTO "Subscription" ("id", "customerId", "priceId", "active", "startDate", "endDate", "cancelAt")
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT ("id") DO UPDATE SET "priceId" = EXCLUDED."priceId", "active" = EXCLUDED."active",
       "startDate" = EXCLUDED."startDate", "endDate" = EXCLUDED."endDate", "cancelAt" = EXCLUDED."cancelAt",
       "updatedAt" = CURRENT_TIMESTAMP`,
    [
      sub.id,
      typeof sub.customer === 'string' ? sub.customer : sub.customer.id,
      item?.price?.id ?? '',
      sub.status === 'active',
      new Date(start * 1000),
      new Date(end * 1000),
      sub.cancel_at ? new Date(sub.cancel_at * 1000) : null,
    ],
  );
}

async function upsertInvoice(event: Stripe.Event, ctx: RequestContext): Promise<void> {
  const inv = event.data.object as Stripe.Invoice;
  const customer = typeof inv.customer === 'string' ? inv.customer : inv.customer?.id;
  if (!inv.id || !customer) throw new Error('invoice without id or customer');
  const subscription = (inv as unknown as { subscription?: string | { id: string } | null }).subscription;
  await ctx.db.query(
    `INSERT INTO "Invoice" ("id", "customerId", "subscriptionId", "status", "currency", "amountDue", "amountPaid", "hostedInvoiceUrl", "created")
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT ("id") DO UPDATE SET "status" = EXCLUDED."status", "amountPaid" = EXCLUDED."amountPaid",
       "updatedAt" = CURRENT_TIMESTAMP`,
    [
      inv.id,
      customer,
      typeof subscription === 'string' ? subscription : (subscription?.id ?? null),
      inv.status ?? 'open',
      inv.currency,
      inv.amount_due,
      inv.amount_paid,
      inv.hosted_invoice_url ?? null,
      new Date(inv.created * 1000),
    ],
  );
}

async function upsertProduct(event: Stripe.Event, ctx: RequestContext): Promise<void> {
  const p = event.data.object as Stripe.Product;
  await ctx.db.query(
    `INSERT INTO "Service" ("id", "description", "features", "image", "name", "metadata", "created")
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT ("id") DO UPDATE SET "description" = EXCLUDED."description", "features" = EXCLUDED."features",
       "image" = EXCLUDED."image", "name" = EXCLUDED."name", "metadata" = EXCLUDED."metadata", "updatedAt" = CURRENT_TIMESTAMP`,
    [
      p.id,
      p.description ?? '',
      (p.marketing_features ?? []).map((f) => f.name ?? '').filter(Boolean),
      p.images?.[0] ?? '',
      p.name,
      JSON.stringify(p.metadata ?? {}),
      new Date(p.created * 1000),
    ],
  );
}

async function upsertPrice(event: Stripe.Event, ctx: RequestContext): Promise<void> {
  const price = event.data.object as Stripe.Price;
  await ctx.db.query(
    `INSERT INTO "Price" ("id", "billingScheme", "currency", "serviceId", "amount", "metadata", "type", "created")
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT ("id") DO UPDATE SET "amount" = EXCLUDED."amount", "metadata" = EXCLUDED."metadata", "type" = EXCLUDED."type"`,
    [
      price.id,
      price.billing_scheme,
      price.currency,
      typeof price.product === 'string' ? price.product : price.product.id,
      price.unit_amount === null ? null : Math.round(price.unit_amount / 100),
      JSON.stringify(price.recurring ?? {}),
      price.type,
      new Date(price.created * 1000),
    ],
  );
}

/**
 * `POST /api/admin/stripe/sync` (what `npm run sync-stripe` calls): guarded by the shared secret in
 * `x-stripe-sync-secret`, compared in constant time.
 */
async function stripeSync(ctx: RequestContext): Promise<AppResponse> {
  if (ctx.method !== 'POST') return methodNotAllowed(ctx, 'POST');
  const expected = ctx.config.stripe.syncSecret;
  if (!expected) return { status: 503, json: { error: 'Service unavailable' } };
  const given = ctx.req.headers['x-stripe-sync-secret'];
  if (typeof given !== 'string' || !safeEqual(given, expected)) return { status: 401, json: { error: 'Unauthorized' } };
  try {
    const result = await syncStripeCatalog(ctx.stripe(), ctx.db);
    return { status: 200, json: { synced: true, ...result } };
  } catch {
    return { status: 500, json: { error: 'Sync failed' } };
  }
}

async function cspReport(ctx: RequestContext): Promise<AppResponse> {
  if (ctx.method !== 'POST') return methodNotAllowed(ctx, 'POST');
  const raw = await ctx.rawBody();
  try {
    ctx.state.cspReports.push(JSON.parse(raw.toString('utf8')));
  } catch {
    // Browsers send application/csp-report JSON; anything else is dropped.
  }
  return { status: 204 };
}

function loginPage(ctx: RequestContext): AppResponse {
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return methodNotAllowed(ctx, 'GET');
  const oauth = ctx.config.providers
    .filter((p) => p.type === 'oauth')
    .map((p) => `<button type="button" data-provider="${escapeHtml(p.id)}">Continue with ${escapeHtml(p.name)}</button>`)
    .join('');
  const body =
    `<main><h1>Welcome back</h1><p>Log in to your account</p>${oauth}` +
    `<form method="post" action="/api/auth/callback/credentials"><input type="hidden" name="csrfToken"/>` +
    `<label>Email<input type="email" name="email" required/></label>` +
    `<label>Password<input type="password" name="password" required/></label>` +
    `<button type="submit">Sign in</button></form><p><a href="/auth/join">Create a free account</a></p></main>`;
  return { status: 200, html: page('Login', ctx.nonce, body) };
}

function joinPage(ctx: RequestContext): AppResponse {
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return methodNotAllowed(ctx, 'GET');
  const body =
    `<main><h1>Create an account</h1><form method="post" action="/api/auth/join">` +
    `<label>Name<input name="name" required/></label><label>Team<input name="team" required/></label>` +
    `<label>Email<input type="email" name="email" required/></label>` +
    `<label>Password<input type="password" name="password" required/></label>` +
    `<button type="submit">Create account</button></form><p><a href="/auth/login">Sign in</a></p></main>`;
  return { status: 200, html: page('Create an account', ctx.nonce, body) };
}

interface PlanRow {
  id: string;
  name: string;
  description: string;
  features: string[] | null;
  tier: string;
  prices: { id: string; amount: number | null; currency: string; interval: string | null }[];
}

/** Every product that has a tier, cheapest first, from the synced catalog in the database. */
async function pricingPage(ctx: RequestContext): Promise<AppResponse> {
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return methodNotAllowed(ctx, 'GET');
  const { rows } = await ctx.db.query<PlanRow>(`
    SELECT s."id", s."name", s."description", s."features", s."metadata"->>'tier' AS "tier",
           COALESCE(json_agg(json_build_object('id', p."id", 'amount', p."amount", 'currency', p."currency",
                                               'interval', p."metadata"->>'interval') ORDER BY p."amount")
                    FILTER (WHERE p."id" IS NOT NULL), '[]') AS "prices"
      FROM "Service" s LEFT JOIN "Price" p ON p."serviceId" = s."id"
     WHERE COALESCE(s."metadata"->>'tier', '') <> ''
     GROUP BY s."id"
     ORDER BY MIN(p."amount") NULLS LAST, s."name"`);
  // A client-side tier tab, as the real page has: the server renders the default tab (the free tier),
  // the other tiers' plans reach the browser only in the page's data (__NEXT_DATA__ pageProps).
  const tiers = [...new Set(rows.map((plan) => plan.tier))];
  const shown = tiers.includes(DEFAULT_TIER) ? DEFAULT_TIER : tiers[0];
  const tabs = tiers
    .map((tier) => `<button type="button" role="tab" aria-selected="${tier === shown}" data-tier="${escapeHtml(tier)}">${escapeHtml(TIER_LABELS[tier] ?? tier)}</button>`)
    .join('');
  const plans = rows
    .filter((plan) => plan.tier === shown)
    .map((plan) => {
      const prices = plan.prices
        .map((p) => `<li data-price-id="${escapeHtml(p.id)}">${formatAmount(p.amount, p.currency)}${p.interval ? ` / ${escapeHtml(p.interval)}` : ''}</li>`)
        .join('');
      const features = (plan.features ?? []).map((f) => `<li>${escapeHtml(f)}</li>`).join('');
      return (
        `<section class="plan" data-plan-id="${escapeHtml(plan.id)}" data-tier="${escapeHtml(plan.tier)}">` +
        `<h2>${escapeHtml(plan.name)}</h2><p>${escapeHtml(plan.description)}</p>` +
        `<ul class="prices">${prices}</ul><ul class="features">${features}</ul></section>`
      );
    })
    .join('');
  const pageProps = { plans: rows.map((plan) => ({ id: plan.id, name: plan.name, description: plan.description, tier: plan.tier, features: plan.features ?? [], prices: plan.prices })), defaultTier: shown ?? null };
  return {
    status: 200,
    html: page('Pricing', ctx.nonce, `<main><h1>Pricing</h1><div role="tablist">${tabs}</div><div role="tabpanel">${plans}</div></main>`, { page: '/pricing', pageProps }),
  };
}

const DEFAULT_TIER = 'free';
const TIER_LABELS: Record<string, string> = { free: 'Individual', business: 'Business' };

/** `pages/index.tsx`: the public landing page (the middleware sends signed-out visitors to the login page first). */
function landingPage(ctx: RequestContext): AppResponse {
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return methodNotAllowed(ctx, 'GET');
  const body =
    '<main><h1>Acme SaaS</h1><p>Teams, billing and single sign-on for your product.</p>' +
    '<p><a href="/pricing">See pricing</a> · <a href="/auth/join">Start free</a> · <a href="/auth/login">Sign in</a></p></main>';
  return { status: 200, html: page('Acme SaaS', ctx.nonce, body, { page: '/' }) };
}

function formatAmount(amount: number | null, currency: string): string {
  if (amount === null) return 'Custom';
  const symbol = currency.toLowerCase() === 'usd' ? '$' : `${currency.toUpperCase()} `;
  return `${symbol}${amount}`;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
