/**
 * What every section's rules share about the app model (src/analysis/app/model.ts): a role's
 * variable with its value, and the outcome of a check whose subject the app does not have.
 */
import type { Outcome } from '../engine/types.js';
import { roleValue } from '../analysis/app/roles.js';
import type { VariableRole } from '../analysis/app/model.js';
import type { Settings } from '../settings.js';

/** A check whose subject the app does not have: skip, saying so (never a silent pass). */
export function notApplicable(what: string, why?: string): Outcome {
  return { status: 'skip', summary: `not applicable: the app has no ${what}${why ? ` (${why})` : ''}` };
}

/**
 * Whether the app reads the guide's flag `name` (ENABLE_HSTS, NEXTAUTH_TRUST_HOST, …): the app model
 * says so; without a model (no repository) the guide's app is assumed.
 */
export function readsGuideFlag(settings: Pick<Settings, 'app'>, name: string): boolean {
  return !settings.app.found || settings.app.variables.flags.includes(name);
}

/** What the host-trust engine needs of the app model: whether the app reads NEXTAUTH_TRUST_HOST, and its NextAuth config modules. */
export function hostTrustOptions(settings: Pick<Settings, 'app'>): { guideFlag: boolean; configFiles: readonly string[] } {
  return { guideFlag: readsGuideFlag(settings, 'NEXTAUTH_TRUST_HOST'), configFiles: settings.app.auth.config.files };
}

/** The app's variable for a role and its value (the first of its names that is set), or undefined when the app has none. */
export function variable(settings: Pick<Settings, 'app' | 'env'>, role: VariableRole): { name: string; value?: string } | undefined {
  return roleValue(settings.app, role, settings.env);
}

/** The variable's name for messages, with the names its library also takes: `AUTH_URL (or NEXTAUTH_URL)`. */
export function variableNames(settings: Pick<Settings, 'app'>, role: VariableRole): string {
  const r = settings.app.variables.roles[role];
  if (!r) return role;
  return r.aliases.length ? `${r.name} (or ${r.aliases.join(', ')})` : r.name;
}

/** Where a path comes from, for a fix: "set paths.health in the config file". */
export function pathHint(key: string): string {
  return `set paths.${key} in the config file`;
}

/**
 * The Stripe secret key's variable and value, or the outcome when there is nothing to use: not
 * applicable when the app has no Stripe integration, skip (with the rule that judges it) when unset.
 */
export function stripeKey(settings: Pick<Settings, 'app' | 'env'>): { name: string; value: string } | Outcome {
  const key = variable(settings, 'stripeSecretKey');
  if (!key) return notApplicable('Stripe integration', 'no stripe dependency and no Stripe key variable');
  if (!key.value) return { status: 'skip', summary: `${key.name} is not set (see config.stripe-secret-key)` };
  return { name: key.name, value: key.value };
}

export const isOutcome = (x: object): x is Outcome => 'status' in x;
