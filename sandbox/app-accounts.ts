/**
 * The app's accounts as stored: password hashes (`"User".password`) and the smoke accounts a
 * deployment keeps for its readiness gate, with their teams and plans.
 *
 * Passwords: the real app hashes with bcrypt; the emulation uses scrypt from node:crypto
 * (`scrypt$<salt b64>$<hash b64>`), which needs no dependency and behaves the same from outside.
 *
 * Plans (see ./app-teams.ts): a team's plan is the Stripe product of its active subscription
 * (`"Team".billingId` = `"Subscription".customerId`, `"Subscription".priceId` → `"Price".serviceId` →
 * `"Service"`); a team without one is on the Free plan. So seeding a Team-plan team means giving it a
 * customer id and an active subscription to the Team product's default price, as checkout would.
 */
import { randomBytes, randomUUID, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import { defaultCatalog, type StripeCatalog } from './stripe-server.js';

export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('base64')}$${scryptSync(password, salt, 32).toString('base64')}`;
}

/**
 * Constant-time check of a password against `hashPassword`'s output; false for any other format.
 * Asynchronous (libuv's thread pool), as a separate server's hashing would be: a sign-in's ~100 ms of
 * scrypt must not stall the process the sandbox shares with the gate in tests and benchmarks.
 */
export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  const [scheme, salt, hash] = (stored ?? '').split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  if (expected.length === 0) return false;
  const actual = await new Promise<Buffer>((resolve, reject) =>
    scrypt(password, Buffer.from(salt, 'base64'), expected.length, (error, key) => (error ? reject(error) : resolve(key))),
  );
  return timingSafeEqual(actual, expected);
}

export type PlanName = 'Free' | 'Team' | 'Enterprise';

export interface SmokeAccountSpec {
  email: string;
  name: string;
  /** The variable the gate reads the password from (the config's `password-env`). */
  passwordEnv: string;
  team: { name: string; slug: string };
  plan: PlanName;
}

/** The accounts a deployment keeps for the gate: one per plan, each owner of one team. */
export const SMOKE_ACCOUNTS: readonly SmokeAccountSpec[] = [
  { email: 'readiness@acme.com', name: 'Readiness Gate', passwordEnv: 'SMOKE_USER_PASSWORD', team: { name: 'Smoke Team', slug: 'smoke-team' }, plan: 'Team' },
  { email: 'free@acme.com', name: 'Readiness Gate (Free)', passwordEnv: 'SMOKE_FREE_PASSWORD', team: { name: 'Smoke Free', slug: 'smoke-free' }, plan: 'Free' },
  {
    email: 'enterprise@acme.com',
    name: 'Readiness Gate (Enterprise)',
    passwordEnv: 'SMOKE_ENTERPRISE_PASSWORD',
    team: { name: 'Smoke Enterprise', slug: 'smoke-enterprise' },
    plan: 'Enterprise',
  },
];

/**
 * The gate's config for these accounts (the `smoke-account` and `feature-gates` keys of
 * `.github/production-readiness.yml`), with the entitlements of target-app.md's seeded plans.
 */
export const SMOKE_CONFIG_YAML = `smoke-account:
  email: readiness@acme.com
  password-env: SMOKE_USER_PASSWORD
feature-gates:
  - account: { email: free@acme.com, password-env: SMOKE_FREE_PASSWORD }
    team: smoke-free
    expect: { sso: deny, webhooks: deny, audit-logs: deny, api-keys: allow }
  - account: { email: readiness@acme.com, password-env: SMOKE_USER_PASSWORD }
    team: smoke-team
    expect: { sso: deny, webhooks: allow, audit-logs: allow, api-keys: allow }
  - account: { email: enterprise@acme.com, password-env: SMOKE_ENTERPRISE_PASSWORD }
    team: smoke-enterprise
    expect: { sso: allow, webhooks: allow, audit-logs: allow, api-keys: allow }
`;

export interface SeededSmokeAccounts {
  accounts: (SmokeAccountSpec & { password: string })[];
  /** `password-env` name → password: add to the gate's environment (they are secrets). */
  env: Record<string, string>;
  /** Append to the gate's config file. */
  configYaml: string;
}

type Queryable = Pick<pg.ClientBase, 'query'> | Pick<pg.Pool, 'query'>;

/**
 * Creates (or resets) the smoke accounts, their teams, memberships (OWNER) and subscriptions, with
 * fresh random passwords unless given. Idempotent: running it again resets passwords and plans.
 * `db` is any connection that may write the app's tables (the app's role, or a superuser).
 */
export async function seedSmokeAccounts(
  db: Queryable,
  options: { passwords?: Record<string, string>; catalog?: StripeCatalog } = {},
): Promise<SeededSmokeAccounts> {
  const catalog = options.catalog ?? defaultCatalog();
  const accounts: SeededSmokeAccounts['accounts'] = [];
  const env: Record<string, string> = {};
  for (const spec of SMOKE_ACCOUNTS) {
    const password = options.passwords?.[spec.passwordEnv] ?? randomBytes(18).toString('base64url');
    const user = await db.query<{ id: string }>(
      `INSERT INTO "User" ("id", "name", "email", "password", "emailVerified") VALUES ($1, $2, $3, $4, CURRENT_TIMESTAMP)
       ON CONFLICT ("email") DO UPDATE SET "password" = EXCLUDED."password", "updatedAt" = CURRENT_TIMESTAMP
       RETURNING "id"`,
      [randomUUID(), spec.name, spec.email, hashPassword(password)],
    );
    const customerId = spec.plan === 'Free' ? null : `cus_smoke${spec.team.slug.replace(/[^a-z0-9]/g, '')}`;
    const team = await db.query<{ id: string }>(
      `INSERT INTO "Team" ("id", "name", "slug", "billingId", "billingProvider") VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT ("slug") DO UPDATE SET "billingId" = EXCLUDED."billingId", "billingProvider" = EXCLUDED."billingProvider"
       RETURNING "id"`,
      [randomUUID(), spec.team.name, spec.team.slug, customerId, customerId ? 'stripe' : null],
    );
    await db.query(
      `INSERT INTO "TeamMember" ("id", "teamId", "userId", "role") VALUES ($1, $2, $3, 'OWNER')
       ON CONFLICT ("teamId", "userId") DO UPDATE SET "role" = 'OWNER'`,
      [randomUUID(), team.rows[0]!.id, user.rows[0]!.id],
    );
    if (customerId) {
      const product = catalog.products.find((p) => p.name === spec.plan && p.active);
      if (!product || typeof product.default_price !== 'string') throw new Error(`the Stripe catalog has no active ${spec.plan} product with a default price`);
      await db.query('DELETE FROM "Subscription" WHERE "customerId" = $1', [customerId]);
      await db.query(
        `INSERT INTO "Subscription" ("id", "customerId", "priceId", "active", "startDate", "endDate")
         VALUES ($1, $2, $3, true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP + interval '30 days')`,
        [`sub_smoke${spec.team.slug.replace(/[^a-z0-9]/g, '')}`, customerId, product.default_price],
      );
    }
    accounts.push({ ...spec, password });
    env[spec.passwordEnv] = password;
  }
  return { accounts, env, configYaml: SMOKE_CONFIG_YAML };
}
