/**
 * "Ready" means verified. A check the release depends on that could not run (the database, Stripe or
 * the app unreachable or hanging) is never `skip`: `skip` is only for "not applicable, not configured,
 * not selected". It is `fail` with the cause, or `warn` when the run opted in with `unreachable: warn`
 * (PR checks that cannot reach production).
 *
 * Rules mark such an outcome with `unreachable: <component>`; the runner applies the run's policy to
 * every outcome so marked (also to a rule cut off while it waited for an outside component).
 */
import type { Component } from '../util/activity.js';
import type { Outcome } from './types.js';

export type { Component };

export interface Unavailable {
  component: Component;
  /** What could not be checked, as a phrase: "the migration history cannot be read". */
  what: string;
  /** One sentence naming the component and the cause (from the probes' describe* functions). */
  cause: string;
  fix?: string;
  details?: string;
  data?: Record<string, unknown>;
}

const DEFAULT_FIX: Record<Component, string> = {
  app: 'Check that the deployment is up and reachable from the runner (APP_URL, resolve entries, firewall). For PR checks that cannot reach production, set the input unreachable: warn.',
  database:
    'Run the gate where the database is reachable (a self-hosted runner in its network, or a resolve entry). For PR checks that cannot reach production, set the input unreachable: warn.',
  Stripe: 'Check that the runner reaches the Stripe API (stripe-api-base, proxy, firewall) and retry.',
  Sentry: 'Check that the runner reaches Sentry (the DSN host, sentry-api-base) and retry.',
  GitHub: 'Check the GitHub API status and the token, and retry.',
  registry: 'Check that the runner reaches the package registry npm is configured for (.npmrc registry, proxy, firewall) and retry.',
  command: 'Look at the step log for where the command stopped.',
};

export const OPTED_IN_NOTE = 'unreachable: warn makes this a warning: the release is not verified on this point.';

/** The one phrase every report uses for a check an outside component kept from running. */
export function unreachablePhrase(component: Component): string {
  return `unreachable: ${component}`;
}

/** The outcome of a needed check that could not run: `fail` by default, `warn` with `unreachable: warn`. */
export function couldNotCheck(policy: 'fail' | 'warn', u: Unavailable): Outcome {
  return applyUnreachablePolicy(
    {
      status: 'fail',
      summary: `${u.what}: ${u.cause}`,
      details: u.details,
      fix: u.fix ?? DEFAULT_FIX[u.component],
      unreachable: { component: u.component, cause: u.cause },
      data: u.data,
    },
    policy,
  );
}

/**
 * Every outcome passes here on its way into the report (the runner calls it): a check that could not
 * run says so in one shape, `unreachable: <component> — <what the rule saw>`, with the fix for that
 * component, and the run's `unreachable` input decides its status. A rule that could check only part
 * (`partial`) applied the input to that part itself, and keeps its summary.
 */
export function normalizeUnreachable(outcome: Outcome, policy: 'fail' | 'warn'): Outcome {
  const u = outcome.unreachable;
  if (!u || u.component === 'command') return outcome.unreachable?.component === 'command' ? { ...outcome, unreachable: undefined } : outcome;
  if (u.partial || (outcome.status !== 'fail' && outcome.status !== 'warn')) return outcome;
  const phrase = unreachablePhrase(u.component);
  return applyUnreachablePolicy(
    {
      ...outcome,
      summary: outcome.summary.startsWith(phrase) ? outcome.summary : `${phrase} — ${outcome.summary}`,
      fix: outcome.fix ?? DEFAULT_FIX[u.component],
    },
    policy,
  );
}

/** `unreachable: warn` turns a failure that only says "could not reach X" into a warning that says so. */
export function applyUnreachablePolicy(outcome: Outcome, policy: 'fail' | 'warn'): Outcome {
  if (policy !== 'warn' || outcome.status !== 'fail' || !outcome.unreachable || outcome.unreachable.partial || outcome.unreachable.component === 'command') return outcome;
  if (outcome.details?.includes(OPTED_IN_NOTE)) return { ...outcome, status: 'warn' };
  return { ...outcome, status: 'warn', details: [outcome.details, OPTED_IN_NOTE].filter(Boolean).join('\n\n') };
}
