/**
 * "Ready" means verified. A check the release depends on that could not run (the database, Stripe or
 * the app unreachable or hanging) is never `skip`: `skip` is only for "not applicable, not configured,
 * not selected". It is `fail` with the cause, or `warn` when the run opted in with `unreachable: warn`
 * (PR checks that cannot reach production).
 */
import type { Outcome } from './types.js';

/** What a rule waited for, named in every message about it. */
export type Component = 'app' | 'database' | 'Stripe' | 'Sentry' | 'GitHub' | 'command';

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
  app: 'Check that the deployment is up and reachable from the runner (APP_URL, resolve entries, firewall).',
  database:
    'Run the gate where the database is reachable (a self-hosted runner in its network, or a resolve entry). For PR checks that cannot reach production, set the input unreachable: warn.',
  Stripe: 'Check that the runner reaches the Stripe API (stripe-api-base, proxy, firewall) and retry.',
  Sentry: 'Check that the runner reaches Sentry (the DSN host, sentry-api-base) and retry.',
  GitHub: 'Check the GitHub API status and the token, and retry.',
  command: 'Look at the step log for where the command stopped.',
};

/** The outcome of a needed check that could not run: `fail` by default, `warn` with `unreachable: warn`. */
export function couldNotCheck(policy: 'fail' | 'warn', u: Unavailable): Outcome {
  const optedIn = policy === 'warn' ? 'unreachable: warn makes this a warning: the release is not verified on this point.' : '';
  const details = [u.details, optedIn].filter(Boolean).join('\n\n');
  return {
    status: policy,
    summary: `${u.what}: ${u.cause}`,
    details: details || undefined,
    fix: u.fix ?? DEFAULT_FIX[u.component],
    data: { ...u.data, unreachable: u.component },
  };
}
