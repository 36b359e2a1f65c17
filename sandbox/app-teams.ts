/**
 * Teams and plan entitlements (`pages/api/teams/**`, `pages/teams/[slug]/audit-logs.tsx`).
 *
 * - `GET /api/teams` lists the user's teams; `POST /api/teams {name}` creates one (slug from the
 *   name; 400 when the slug exists) with the user as OWNER → `200 {data: team}`.
 * - `DELETE /api/teams/<slug>` (OWNER) deletes it → 204; `404` when FEATURE_TEAM_DELETION=false.
 * - Entitlement routes: `GET /api/teams/<slug>/sso` (feature `sso`), `/webhooks` (`webhooks`),
 *   `/api-keys` (`api_keys`), and the page `/teams/<slug>/audit-logs` (`team_audit_log`). In this
 *   order: the feature's FEATURE_TEAM_* flag off → 404; unknown team → 404; not a member → 403 "You
 *   do not have access to this team"; a plan without the feature → 403 "Plan does not include
 *   required feature: <f>"; else 2xx.
 *
 * A team's plan: the Stripe product of its newest active subscription (`"Team".billingId` is the
 * Stripe customer, `"Subscription".priceId` → `"Price".serviceId` → `"Service"`); without one, the
 * product whose `metadata.tier` is `free` (and the Free plan's `api_keys` when the catalog was never
 * synced). A plan's entitlements are its product's `metadata.features` (comma-separated), as set in
 * Stripe and copied into `"Service".metadata` by the catalog sync; so a subscription whose price is
 * not synced counts as Free, as it does in the app.
 *
 * The middleware has already redirected signed-out requests; handlers still check the session.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';
import type { TeamFeature } from './app-config.js';
import { currentSession, type SessionUser } from './app-auth.js';
import { HttpError, escapeHtml, page, type AppResponse, type RequestContext } from './app-http.js';

export type Entitlement = 'sso' | 'webhooks' | 'team_audit_log' | 'api_keys' | 'directory_sync';

/** What the Free plan includes when the catalog has no free-tier product (a never-synced database). */
const FREE_FALLBACK: readonly Entitlement[] = ['api_keys'];

interface TeamRow {
  id: string;
  name: string;
  slug: string;
  domain: string | null;
  defaultRole: string;
  billingId: string | null;
  billingProvider: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export function slugify(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function methodNotAllowed(ctx: RequestContext, allow: string): AppResponse {
  return { status: 405, headers: { Allow: allow }, json: { error: { message: `Method ${ctx.method} Not Allowed` } } };
}

async function requireSession(ctx: RequestContext): Promise<SessionUser> {
  const user = await currentSession(ctx.db, ctx.config, ctx.cookies);
  if (!user) throw new HttpError(401, { error: { message: 'Unauthorized' } });
  return user;
}

const createTeamSchema = z.object({ name: z.string().trim().min(1, 'Name is required').max(104) });

/** `pages/api/teams/index.ts` */
export async function teams(ctx: RequestContext): Promise<AppResponse> {
  if (ctx.method !== 'GET' && ctx.method !== 'POST') return methodNotAllowed(ctx, 'GET, POST');
  const user = await requireSession(ctx);
  if (ctx.method === 'GET') {
    const { rows } = await ctx.db.query<TeamRow>(
      `SELECT t.* FROM "Team" t JOIN "TeamMember" m ON m."teamId" = t."id" WHERE m."userId" = $1 ORDER BY t."createdAt"`,
      [user.id],
    );
    return { status: 200, json: { data: rows } };
  }
  const body = await ctx.jsonBody();
  const parsed = createTeamSchema.safeParse(typeof body === 'object' && body !== null ? body : {});
  if (!parsed.success) {
    return { status: 422, json: { error: { message: `Validation Error: ${parsed.error.issues.map((i) => i.message).join(', ')}` } } };
  }
  const slug = slugify(parsed.data.name);
  if (!slug) return { status: 422, json: { error: { message: 'Validation Error: the name has no letters or digits' } } };
  const client = await ctx.db.connect();
  try {
    const existing = await client.query('SELECT 1 FROM "Team" WHERE "slug" = $1', [slug]);
    if (existing.rowCount) return { status: 400, json: { error: { message: 'A team with the slug already exists.' } } };
    await client.query('BEGIN');
    const { rows } = await client.query<TeamRow>('INSERT INTO "Team" ("id", "name", "slug") VALUES ($1, $2, $3) RETURNING *', [
      randomUUID(),
      parsed.data.name,
      slug,
    ]);
    await client.query('INSERT INTO "TeamMember" ("id", "teamId", "userId", "role") VALUES ($1, $2, $3, $4)', [randomUUID(), rows[0]!.id, user.id, 'OWNER']);
    await client.query('COMMIT');
    return { status: 200, json: { data: rows[0] } };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** The team and the user's role in it; 404 / 403 as HttpError otherwise (the app's throwIfNoTeamAccess). */
async function teamAccess(ctx: RequestContext, user: SessionUser): Promise<{ team: TeamRow; role: string }> {
  const { rows } = await ctx.db.query<TeamRow & { role: string | null }>(
    `SELECT t.*, m."role" FROM "Team" t LEFT JOIN "TeamMember" m ON m."teamId" = t."id" AND m."userId" = $2 WHERE t."slug" = $1`,
    [ctx.params.slug, user.id],
  );
  const row = rows[0];
  if (!row) throw new HttpError(404, { error: { message: 'Team not found' } });
  if (!row.role) throw new HttpError(403, { error: { message: 'You do not have access to this team' } });
  const { role, ...team } = row;
  return { team, role };
}

/** `pages/api/teams/[slug]/index.ts` */
export async function team(ctx: RequestContext): Promise<AppResponse> {
  if (ctx.method !== 'GET' && ctx.method !== 'DELETE') return methodNotAllowed(ctx, 'GET, DELETE');
  if (ctx.method === 'DELETE' && !ctx.config.features.deletion) return { status: 404, json: { error: { message: 'Not Found' } } };
  const user = await requireSession(ctx);
  const { team: row, role } = await teamAccess(ctx, user);
  if (ctx.method === 'GET') return { status: 200, json: { data: row } };
  if (role !== 'OWNER') return { status: 403, json: { error: { message: 'You are not allowed to perform this action' } } };
  await ctx.db.query('DELETE FROM "Team" WHERE "id" = $1', [row.id]);
  return { status: 204 };
}

/** The entitlements of a team's plan (see the module comment). */
export async function teamEntitlements(db: pg.Pool, teamId: string): Promise<{ plan: string; features: Entitlement[] }> {
  const { rows } = await db.query<{ name: string; features: string | null }>(
    `SELECT s."name", s."metadata"->>'features' AS "features"
       FROM "Team" t
       JOIN "Subscription" sub ON sub."customerId" = t."billingId" AND sub."active"
       JOIN "Price" p ON p."id" = sub."priceId"
       JOIN "Service" s ON s."id" = p."serviceId"
      WHERE t."id" = $1
      ORDER BY sub."startDate" DESC
      LIMIT 1`,
    [teamId],
  );
  let plan = rows[0];
  if (!plan) {
    const free = await db.query<{ name: string; features: string | null }>(
      `SELECT "name", "metadata"->>'features' AS "features" FROM "Service" WHERE "metadata"->>'tier' = 'free' ORDER BY "created" LIMIT 1`,
    );
    plan = free.rows[0] ?? { name: 'Free', features: FREE_FALLBACK.join(',') };
  }
  const features = (plan.features ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean) as Entitlement[];
  return { plan: plan.name, features };
}

interface Gate {
  flag: TeamFeature;
  entitlement: Entitlement;
}

/**
 * The checks every entitlement route makes before its own work: the feature flag, the session, the
 * team membership, the plan. Returns the team, or the response to send instead.
 */
async function gate(ctx: RequestContext, g: Gate, asPage: boolean): Promise<{ team: TeamRow } | { response: AppResponse }> {
  const fail = (status: number, message: string): { response: AppResponse } => ({
    response: asPage
      ? { status, html: page(`${status}: ${message}`, ctx.nonce, `<main><h1>${status}</h1><p>${escapeHtml(message)}</p></main>`) }
      : { status, json: { error: { message } } },
  });
  if (!ctx.config.features[g.flag]) {
    return asPage
      ? { response: { status: 404, html: page('404: This page could not be found', ctx.nonce, '<h1>404</h1><h2>This page could not be found.</h2>') } }
      : fail(404, 'Not Found');
  }
  try {
    const user = await requireSession(ctx);
    const { team: row } = await teamAccess(ctx, user);
    const { features } = await teamEntitlements(ctx.db, row.id);
    if (!features.includes(g.entitlement)) return fail(403, `Plan does not include required feature: ${g.entitlement}`);
    return { team: row };
  } catch (err) {
    if (err instanceof HttpError) return fail(err.status, (err.body as { error: { message: string } }).error.message);
    throw err;
  }
}

/** `pages/api/teams/[slug]/sso.ts`: the team's SAML connections (none configured here). */
export async function teamSso(ctx: RequestContext): Promise<AppResponse> {
  if (ctx.method !== 'GET') return methodNotAllowed(ctx, 'GET');
  const result = await gate(ctx, { flag: 'sso', entitlement: 'sso' }, false);
  if ('response' in result) return result.response;
  return { status: 200, json: { data: [] } };
}

/** `pages/api/teams/[slug]/webhooks.ts`: the team's Svix endpoints (none configured here). */
export async function teamWebhooks(ctx: RequestContext): Promise<AppResponse> {
  if (ctx.method !== 'GET') return methodNotAllowed(ctx, 'GET');
  const result = await gate(ctx, { flag: 'webhook', entitlement: 'webhooks' }, false);
  if ('response' in result) return result.response;
  return { status: 200, json: { data: [] } };
}

/** `pages/api/teams/[slug]/api-keys/index.ts`: the team's keys, never their hashes. */
export async function teamApiKeys(ctx: RequestContext): Promise<AppResponse> {
  if (ctx.method !== 'GET') return methodNotAllowed(ctx, 'GET');
  const result = await gate(ctx, { flag: 'apiKey', entitlement: 'api_keys' }, false);
  if ('response' in result) return result.response;
  const { rows } = await ctx.db.query(
    'SELECT "id", "name", "createdAt", "expiresAt", "lastUsedAt" FROM "ApiKey" WHERE "teamId" = $1 ORDER BY "createdAt"',
    [result.team.id],
  );
  return { status: 200, json: { data: rows } };
}

/** `pages/teams/[slug]/audit-logs.tsx`: the Retraced viewer page. */
export async function auditLogsPage(ctx: RequestContext): Promise<AppResponse> {
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return methodNotAllowed(ctx, 'GET');
  const result = await gate(ctx, { flag: 'auditLog', entitlement: 'team_audit_log' }, true);
  if ('response' in result) return result.response;
  const body = `<main><h1>Audit logs</h1><p>Team ${escapeHtml(result.team.name)}</p><div id="retraced-viewer"></div></main>`;
  return { status: 200, html: page('Audit logs', ctx.nonce, body) };
}

/**
 * `pages/api/teams/[slug]/payments/products.ts`: what the team billing page shows. Only products
 * with `tier=business` are offered to teams; with the team's subscriptions and invoices.
 */
export async function teamProducts(ctx: RequestContext): Promise<AppResponse> {
  if (ctx.method !== 'GET') return methodNotAllowed(ctx, 'GET');
  if (!ctx.config.features.payments) return { status: 404, json: { error: { message: 'Not Found' } } };
  const user = await requireSession(ctx);
  const { team: row } = await teamAccess(ctx, user);
  const { rows: products } = await ctx.db.query<{ id: string; name: string; description: string | null; prices: unknown }>(
    `SELECT s."id", s."name", s."description",
            COALESCE(json_agg(json_build_object('id', p."id", 'amount', p."amount", 'currency', p."currency")) FILTER (WHERE p."id" IS NOT NULL), '[]') AS "prices"
       FROM "Service" s LEFT JOIN "Price" p ON p."serviceId" = s."id"
      WHERE s."metadata"->>'tier' = 'business'
      GROUP BY s."id" ORDER BY s."name"`,
  );
  const billingId = row.billingId;
  const { rows: subscriptions } = billingId
    ? await ctx.db.query('SELECT * FROM "Subscription" WHERE "customerId" = $1', [billingId])
    : { rows: [] };
  return { status: 200, json: { data: { products, subscriptions, invoices: [] } } };
}
