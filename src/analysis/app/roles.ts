/**
 * The light part of the app model that settings, the config schema and every rule use: a role's
 * value, the names the gate reads, and the config file's keys for roles and paths. The model itself
 * (./model.ts: the repository read) is loaded on demand; this module keeps the entry bundles small.
 */
import type { AppModel, PathKey } from './model.js';
import type { VariableRole } from './variables.js';

export const CONFIG_ROLES = {
  'app-url': 'appUrl',
  'auth-url': 'authUrl',
  'auth-secret': 'authSecret',
  'database-url': 'databaseUrl',
  'stripe-secret-key': 'stripeSecretKey',
  'stripe-webhook-secret': 'stripeWebhookSecret',
  'stripe-sync-secret': 'stripeSyncSecret',
  'sentry-dsn': 'sentryDsn',
  'github-client-id': 'github.id',
  'github-client-secret': 'github.secret',
  'google-client-id': 'google.id',
  'google-client-secret': 'google.secret',
} as const;
export type ConfigRole = keyof typeof CONFIG_ROLES;

export const CONFIG_PATHS = {
  health: 'health',
  login: 'login',
  register: 'register',
  'register-api': 'registerApi',
  pricing: 'pricing',
  'stripe-webhook': 'stripeWebhook',
  'stripe-sync': 'stripeSync',
} as const satisfies Record<string, PathKey>;
export type ConfigPathKey = keyof typeof CONFIG_PATHS;

/** The value of a role's variable in `env`: its own name first, then the names its library also takes. */
export function roleValue(model: Pick<AppModel, 'variables'>, role: VariableRole, env: Readonly<Record<string, string | undefined>>): { name: string; value?: string } | undefined {
  const r = model.variables.roles[role];
  if (!r) return undefined;
  for (const name of [r.name, ...r.aliases]) if (env[name]) return { name, value: env[name] };
  return { name: r.name };
}

/** Every name the gate reads from the environment for this app. */
export function wantedNames(model: AppModel): Set<string> {
  const names = new Set<string>([...Object.keys(model.variables.read), ...model.variables.secrets]);
  for (const r of Object.values(model.variables.roles)) if (r) for (const n of [r.name, ...r.aliases]) names.add(n);
  for (const p of model.auth.oauth) for (const v of [p.clientId, p.clientSecret]) if (v) names.add(v.name);
  // Read by the auth libraries themselves (host trust and debug, judged by config rules).
  for (const n of ['AUTH_TRUST_HOST', 'NEXTAUTH_TRUST_HOST', 'AUTH_URL', 'NEXTAUTH_URL', 'AUTH_SECRET', 'NEXTAUTH_SECRET', 'SENTRY_AUTH_TOKEN', 'SENTRY_ORG', 'SENTRY_PROJECT']) names.add(n);
  return names;
}
