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
  registry:
    'Check that the runner reaches the registry npm is configured for (registry in .npmrc or npm_config_registry, proxy, firewall) and, for a private one, its token. For runs that cannot reach it, set the input unreachable: warn.',
  command: 'Look at the step log for where the command stopped.',
};

export const OPTED_IN_NOTE = 'unreachable: warn makes this a warning: the release is not verified on this point.';

/** The outcome of a needed check that could not run: `fail` by default, `warn` with `unreachable: warn`. */
export function couldNotCheck(policy: 'fail' | 'warn', u: Unavailable): Outcome {
  return applyUnreachablePolicy(
    {
      status: 'fail',
      summary: `${u.what}: ${u.cause}`,
      details: u.details,
      fix: u.fix ?? DEFAULT_FIX[u.component],
      unreachable: u.component,
      data: u.data,
    },
    policy,
  );
}

/** `unreachable: warn` turns a failure that only says "could not reach X" into a warning that says so. */
export function applyUnreachablePolicy(outcome: Outcome, policy: 'fail' | 'warn'): Outcome {
  if (policy !== 'warn' || outcome.status !== 'fail' || !outcome.unreachable || outcome.unreachable === 'command') return outcome;
  return { ...outcome, status: 'warn', details: [outcome.details, OPTED_IN_NOTE].filter(Boolean).join('\n\n') };
}
