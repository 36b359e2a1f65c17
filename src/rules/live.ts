/**
 * What the rules that probe the deployed app share about the outcome of a probe: the skip when there is
 * no usable APP_URL, and the failing outcome (with its fix) when a probe got no answer. The probes
 * themselves (src/probes/) only report what happened; what that means for a rule is decided here.
 */
import type { Outcome, Unreachable } from '../engine/types.js';
import { errorMessage } from '../errors.js';
import { ProbeError, type ProbeErrorKind } from '../probes/http.js';
import { appUrlVariable, NO_ANSWER } from '../probes/target.js';
import type { Settings } from '../settings.js';
import type { Component } from '../util/activity.js';

export const NO_TARGET: Outcome = { status: 'skip', summary: 'APP_URL is not a usable https:// URL (see config.app-url)' };

/** The skip of a live rule without a usable target, naming the app's own URL variable. */
export function noTarget(settings: Pick<Settings, 'env' | 'app'>): Outcome {
  const target = appUrlVariable(settings);
  return { status: 'skip', summary: `${target.name} is not a usable https:// URL (see config.app-url)` };
}

/** What to do when a probe got no answer, by the kind of failure. */
const PROBE_FIXES: Record<ProbeErrorKind, string> = {
  tls: 'Fix the certificate (see security.tls); if the app uses a private CA, give it in ca-file.',
  dns: 'Check APP_URL; to probe a deployment before DNS points at it, give a resolve entry (host:port:address).',
  connect: 'Check that the deployment is up and reachable from the runner (resolve entries, firewall).',
  timeout: 'Check that the app answers (a hung server, a firewall that drops packets), or raise timeout-seconds.',
  'redirect-loop': 'Fix the redirect loop in the app or the platform configuration.',
  'too-many-redirects': 'Shorten the redirect chain to at most a few hops.',
  aborted: 'The rule ran out of time: check that the app answers, or raise timeout-seconds.',
  protocol: 'Give APP_URL as an https:// URL.',
  http: 'Fix what the server sends (the cause above names it): browsers refuse such an answer too.',
};

/**
 * A probe that got no answer fails the rule with the probe's own message (it names the URL) and a fix.
 * When the app did not answer at all, the outcome says so (`unreachable: 'app'`), and the run's
 * `unreachable` input decides whether that fails or warns.
 */
export function probeFailure(error: unknown, what: string): Outcome {
  if (error instanceof ProbeError) return { status: 'fail', summary: error.message, fix: PROBE_FIXES[error.kind], ...noAnswerFrom(error, 'app') };
  return { status: 'fail', summary: `${what}: ${errorMessage(error)}` };
}

/** `{ unreachable }` when the probe got no answer at all (for an outcome's spread), else `{}`. */
export function noAnswerFrom(error: ProbeError, component: Component): { unreachable?: Unreachable } {
  return NO_ANSWER.has(error.kind) ? { unreachable: { component, cause: error.message } } : {};
}
