/**
 * What the gate knows of the app it judges (`../shared/spec/target-app.md`), in one place: its
 * variables, which of them are secrets, how it reads its production flags, and the Stripe events its
 * webhook route handles. Rules, settings and the sandbox read these lists from here; none keeps a copy.
 * Pure data and pure functions: no I/O, no dependency.
 */

/** The app's own variable names, exactly as the guide names them. */
export const APP_VARIABLES = [
  'APP_URL',
  'NEXTAUTH_URL',
  'DATABASE_URL',
  'NEXTAUTH_SECRET',
  // Auth.js v5's name for NEXTAUTH_SECRET (read so it is masked and searched for too).
  'AUTH_SECRET',
  'AUTH_PROVIDERS',
  'GITHUB_CLIENT_ID',
  'GITHUB_CLIENT_SECRET',
  'GOOGLE_CLIENT_ID',
  'GOOGLE_CLIENT_SECRET',
  'STRIPE_SECRET_KEY',
  'STRIPE_WEBHOOK_SECRET',
  'STRIPE_SYNC_SECRET',
  'ENABLE_HSTS',
  'ENABLE_CSP_STRICT',
  'ENABLE_COEP',
  'NEXTAUTH_TRUST_HOST',
  'AUTH_TRUST_HOST',
  // Auth.js v5's name for NEXTAUTH_URL (it also turns host trust on), and the platform variables
  // NextAuth reads for host trust (src/analysis/app/host-trust.ts).
  'AUTH_URL',
  'VERCEL',
  'CF_PAGES',
  'NEXTAUTH_DEBUG',
  'NEXT_PUBLIC_SENTRY_DSN',
  'SENTRY_DSN',
  'SENTRY_AUTH_TOKEN',
  'SENTRY_ORG',
  'SENTRY_PROJECT',
] as const;

/** App variables whose values are secrets (masked everywhere, checked for reuse and leaks). */
export const SECRET_VARIABLES = [
  'NEXTAUTH_SECRET',
  'AUTH_SECRET',
  'GITHUB_CLIENT_SECRET',
  'GOOGLE_CLIENT_SECRET',
  'STRIPE_SECRET_KEY',
  'STRIPE_WEBHOOK_SECRET',
  'STRIPE_SYNC_SECRET',
  'SENTRY_AUTH_TOKEN',
] as const;

/** The webhook events the app handles: its Stripe endpoint must subscribe to them. */
export const HANDLED_EVENTS = [
  'checkout.session.completed',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'customer.updated',
  'invoice.payment_failed',
  'invoice.payment_succeeded',
  'price.created',
  'price.updated',
  'product.created',
  'product.updated',
] as const;

export type HandledEvent = (typeof HANDLED_EVENTS)[number];

/**
 * One of the guide's §1 flags, as the app reads it. The app compares each with one exact string
 * (`process.env.ENABLE_HSTS === 'true'`, `debug: process.env.NEXTAUTH_DEBUG === 'true'`,
 * `trustHost: process.env.NEXTAUTH_TRUST_HOST !== 'false'`): `TRUE`, `1` or `yes` are not `true` to
 * it. So a flag is judged by what the app does with the value, never by what the value seems to mean:
 * `ENABLE_HSTS=1` leaves HSTS off (unsafe), `NEXTAUTH_DEBUG=0` and `NEXTAUTH_DEBUG=1` leave debug off
 * (safe). Every rule that judges a flag (config.*, security.workflow-secrets) asks `flagState`.
 */
export interface AppFlag {
  name: AppFlagName;
  /** Whether the app turns the feature on for this value (undefined: the variable is unset). */
  on(value: string | undefined): boolean;
  /** The state production needs: the feature on (HSTS) or off (debug). */
  wanted: boolean;
  /** The value to advise, or `unset`. */
  safeValue: 'true' | 'false' | 'unset';
  /** How far an unsafe value goes: the guide allows COEP off when external assets need it. */
  level: 'fail' | 'warn';
  /** What goes wrong with the unsafe state, in a few words. */
  why: string;
}

export type AppFlagName = 'ENABLE_HSTS' | 'ENABLE_CSP_STRICT' | 'ENABLE_COEP' | 'NEXTAUTH_TRUST_HOST' | 'NEXTAUTH_DEBUG';

const exactlyTrue = (value: string | undefined) => value === 'true';

export const APP_FLAGS: Readonly<Record<AppFlagName, AppFlag>> = {
  ENABLE_HSTS: { name: 'ENABLE_HSTS', on: exactlyTrue, wanted: true, safeValue: 'true', level: 'fail', why: 'browsers may be downgraded to plain HTTP' },
  ENABLE_CSP_STRICT: {
    name: 'ENABLE_CSP_STRICT',
    on: exactlyTrue,
    wanted: true,
    safeValue: 'true',
    level: 'fail',
    why: "the CSP lacks 'strict-dynamic' and upgrade-insecure-requests",
  },
  ENABLE_COEP: {
    name: 'ENABLE_COEP',
    on: exactlyTrue,
    wanted: true,
    safeValue: 'true',
    level: 'warn',
    why: 'the app runs without cross-origin isolation (the guide allows this only when external assets are incompatible)',
  },
  // The app passes NextAuth `trustHost: process.env.NEXTAUTH_TRUST_HOST !== 'false'`: anything but
  // "false" (also unset) means true. What the installed NextAuth does with that option, and with
  // AUTH_TRUST_HOST, VERCEL and CF_PAGES (which it reads itself), is src/analysis/app/host-trust.ts's.
  NEXTAUTH_TRUST_HOST: {
    name: 'NEXTAUTH_TRUST_HOST',
    on: (value) => value !== 'false',
    wanted: false,
    safeValue: 'false',
    level: 'fail',
    why: 'the app passes it to NextAuth as trustHost: true (next-auth 4 has no such option; Auth.js v5 honours it)',
  },
  NEXTAUTH_DEBUG: { name: 'NEXTAUTH_DEBUG', on: exactlyTrue, wanted: false, safeValue: 'false', level: 'fail', why: 'NextAuth logs tokens and profile data' },
};

export function isAppFlag(name: string): name is AppFlagName {
  return Object.hasOwn(APP_FLAGS, name);
}

/** What the app makes of a flag's value, and whether that is what production needs. */
export function flagState(name: AppFlagName, value: string | undefined): { on: boolean; safe: boolean } {
  const flag = APP_FLAGS[name];
  const on = flag.on(value);
  return { on, safe: on === flag.wanted };
}
