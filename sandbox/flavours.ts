/**
 * The sandbox's app flavours: the same deployment (database, Stripe, certificates, host names) running
 * apps of the same stack written another way, so the gate is tried on more than the app it was
 * written for.
 *
 * - `guide`: the guide's app (target-app.md), the default: pages router, NextAuth v4, npm,
 *   APP_URL/NEXTAUTH_* names, a synced catalog, Sentry.
 * - `authjs-pnpm`: an Auth.js v5 app on the app router (route groups, `app/api/auth/[...nextauth]`),
 *   installed with pnpm, with the names such apps use (NEXT_PUBLIC_APP_URL, AUTH_URL, AUTH_SECRET,
 *   AUTH_GITHUB_ID/SECRET, STRIPE_API_KEY, price ids in NEXT_PUBLIC_STRIPE_*_PLAN_ID), `authjs.*`
 *   cookies, a webhook handler that acts on two events, no sign-up API, no sync endpoint and no Sentry.
 *
 * The third flavour the gate is tried on, an app whose `build` script runs `prisma db push`, is the
 * guide's app with that one script changed: the `build-runs-db-push` scenario.
 */
export type Flavour = 'guide' | 'authjs-pnpm';

/** The guide's variable names and the v5 app's for the same thing (a baseline value moves across). */
export const V5_RENAMES: Readonly<Record<string, string>> = {
  APP_URL: 'NEXT_PUBLIC_APP_URL',
  NEXTAUTH_URL: 'AUTH_URL',
  NEXTAUTH_SECRET: 'AUTH_SECRET',
  GITHUB_CLIENT_ID: 'AUTH_GITHUB_ID',
  GITHUB_CLIENT_SECRET: 'AUTH_GITHUB_SECRET',
  STRIPE_SECRET_KEY: 'STRIPE_API_KEY',
};

/** Guide variables the v5 app has no use for. */
const V5_DROPPED = /^(?:STRIPE_SYNC_SECRET|ENABLE_[A-Z_]+|NEXTAUTH_TRUST_HOST|NEXTAUTH_DEBUG|AUTH_PROVIDERS|NEXT_PUBLIC_SENTRY_DSN|SENTRY_[A-Z_]+|FEATURE_TEAM_[A-Z_]+)$/;

/** The v5 app's plans: Stripe price ids in public variables, inlined at build time. */
export const V5_PRICE_IDS: Readonly<Record<string, string>> = {
  NEXT_PUBLIC_STRIPE_TEAM_MONTHLY_PLAN_ID: 'price_1OtEamMonthAcme00000002',
  NEXT_PUBLIC_STRIPE_ENTERPRISE_MONTHLY_PLAN_ID: 'price_1OeNtpMonthAcme00000004',
};

/** The events the v5 app's webhook handler acts on (its `if (event.type === …)` branches). */
export const V5_HANDLED_EVENTS = ['checkout.session.completed', 'invoice.payment_succeeded'] as const;

/** The deployment's variables for a flavour, from the guide's baseline values. */
export function flavourEnv(flavour: Flavour, baseline: Readonly<Record<string, string>>): Record<string, string> {
  if (flavour === 'guide') return { ...baseline };
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(baseline)) {
    if (V5_DROPPED.test(name)) continue;
    out[V5_RENAMES[name] ?? name] = value;
  }
  return { ...out, ...V5_PRICE_IDS };
}

/** The variables of a flavour whose values are secrets (for the sandbox's no-leak assertions). */
export function flavourSecretNames(flavour: Flavour, guideSecrets: readonly string[]): string[] {
  if (flavour === 'guide') return [...guideSecrets];
  return [...new Set(guideSecrets.map((n) => V5_RENAMES[n] ?? n))];
}

/** The Stripe secret key's variable in a flavour. */
export const stripeKeyName = (flavour: Flavour) => (flavour === 'guide' ? 'STRIPE_SECRET_KEY' : 'STRIPE_API_KEY');
