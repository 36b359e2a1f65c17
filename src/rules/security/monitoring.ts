/**
 * security.monitoring: error monitoring is configured (a Sentry DSN) and, when the gate may read the
 * Sentry API, the project has at least one active alert rule: errors nobody is told about are not
 * monitoring.
 */
import { defineRule } from '../index.js';
import { ProbeError } from '../../probes/http.js';
import { configuredDsn, DsnError, parseDsn, sentryApi, sentryApiGet } from '../../probes/sentry.js';
import { noAnswerFrom } from '../live.js';

export const monitoring = defineRule({
  id: 'security.monitoring',
  async check({ settings, clients, signal }) {
    if (!settings.app.sentry.present) {
      // The guide requires error monitoring: an app without it is a finding, not "not applicable".
      return {
        status: 'fail',
        summary: `the app has no error monitoring (${settings.app.sentry.why}), so production errors go unseen`,
        fix: 'Add Sentry (`npx @sentry/wizard@latest -i nextjs` sets up @sentry/nextjs and its config files), create alert rules, and set NEXT_PUBLIC_SENTRY_DSN in production; if the app monitors errors another way, waive this rule with the reason.',
      };
    }
    const dsn = configuredDsn(settings.env);
    if (!dsn) {
      return { status: 'fail', summary: 'no Sentry DSN: NEXT_PUBLIC_SENTRY_DSN and SENTRY_DSN are unset, so production errors go unseen', fix: 'Create a Sentry project and set NEXT_PUBLIC_SENTRY_DSN (and SENTRY_DSN for the server).' };
    }
    try {
      parseDsn(dsn.value, dsn.variable);
    } catch (error) {
      if (error instanceof DsnError) return { status: 'fail', summary: error.message, fix: 'Copy the DSN from Sentry: Project Settings → Client Keys (DSN).' };
      throw error;
    }
    const api = sentryApi(settings.env, settings.sentryApiBase);
    if (!api) {
      return {
        status: 'warn',
        summary: `${dsn.variable} is set, but alert rules cannot be verified without SENTRY_AUTH_TOKEN, SENTRY_ORG and SENTRY_PROJECT`,
        fix: 'Give the gate a Sentry auth token with project:read (and SENTRY_ORG, SENTRY_PROJECT) so it can check that alerts exist.',
      };
    }
    let status: number;
    let body: string;
    try {
      ({ status, body } = await sentryApiGet(clients.http(), api, 'rules/', signal));
    } catch (error) {
      if (error instanceof ProbeError) return { status: 'fail', summary: `cannot read the alert rules from Sentry: ${error.message}`, ...noAnswerFrom(error, 'Sentry') };
      throw error;
    }
    if (status === 401 || status === 403) return { status: 'fail', summary: `the Sentry API refused SENTRY_AUTH_TOKEN (${status}) for ${api.org}/${api.project}`, fix: 'Use a token with the project:read scope for this organisation.' };
    if (status === 404) return { status: 'fail', summary: `Sentry has no project ${api.org}/${api.project} (404)`, fix: 'Check SENTRY_ORG and SENTRY_PROJECT (slugs, not names).' };
    if (status !== 200) return { status: 'fail', summary: `the Sentry API answered ${status} for the alert rules` };
    let rules: Array<{ name?: string; status?: string }>;
    try {
      rules = JSON.parse(body) as typeof rules;
    } catch {
      return { status: 'fail', summary: 'the Sentry API answered something that is not JSON for the alert rules' };
    }
    const active = rules.filter((r) => r.status !== 'disabled');
    if (active.length === 0) {
      return {
        status: 'fail',
        summary: `Sentry project ${api.org}/${api.project} has ${rules.length ? 'only disabled' : 'no'} alert rules: errors are recorded but nobody is told`,
        fix: 'In Sentry, Alerts → Create Alert: at least "a new issue is created" → notify the on-call channel.',
        data: { alertRules: rules.length },
      };
    }
    return { status: 'pass', summary: `${dsn.variable} is set and ${api.org}/${api.project} has ${active.length} active alert rule${active.length > 1 ? 's' : ''}: ${active.map((r) => r.name).slice(0, 3).join(', ')}`, data: { alertRules: active.length } };
  },
});
