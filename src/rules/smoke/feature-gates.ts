/**
 * smoke.feature-gates (opt-in: `feature-gates` in the config): for each configured account and team,
 * the plan-gated features answer as the plan's entitlements say. Signed in as the account:
 *
 *   sso         GET /api/teams/<team>/sso          entitlement `sso`             FEATURE_TEAM_SSO
 *   webhooks    GET /api/teams/<team>/webhooks     entitlement `webhooks`        FEATURE_TEAM_WEBHOOK
 *   api-keys    GET /api/teams/<team>/api-keys     entitlement `api_keys`        FEATURE_TEAM_API_KEY
 *   audit-logs  GET /teams/<team>/audit-logs       entitlement `team_audit_log`  FEATURE_TEAM_AUDIT_LOG
 *
 * `allow` expects 2xx; `deny` expects 403 "Plan does not include required feature: <f>"; a feature
 * switched off by its flag (`=false` in the gate's environment) expects 404 whatever the plan. All
 * accounts, and each account's features, are checked at once; every mismatch is listed. Read-only
 * GETs; each account signs out at the end.
 */
import type { Outcome } from '../../engine/types.js';
import { defineRule } from '../index.js';
import type { ProbeResponse } from '../../probes/http.js';
import { appOrigin, describeAnswer, errorBodyMessage, noTarget, probeErrorText, requestTimeoutMs } from './app-probe.js';
import { configFileName, credentials, newVisitor } from './accounts.js';

export type FeatureKey = 'sso' | 'webhooks' | 'audit-logs' | 'api-keys';
type Expectation = 'allow' | 'deny' | 'off';

export const FEATURES: Record<FeatureKey, { path: (slug: string) => string; entitlement: string; flag: string }> = {
  sso: { path: (slug) => `/api/teams/${slug}/sso`, entitlement: 'sso', flag: 'FEATURE_TEAM_SSO' },
  webhooks: { path: (slug) => `/api/teams/${slug}/webhooks`, entitlement: 'webhooks', flag: 'FEATURE_TEAM_WEBHOOK' },
  'audit-logs': { path: (slug) => `/teams/${slug}/audit-logs`, entitlement: 'team_audit_log', flag: 'FEATURE_TEAM_AUDIT_LOG' },
  'api-keys': { path: (slug) => `/api/teams/${slug}/api-keys`, entitlement: 'api_keys', flag: 'FEATURE_TEAM_API_KEY' },
};

const PLAN_DENIAL = /Plan does not include required feature(?::\s*[a-z_]+)?/i;

const EXPECTED_TEXT: Record<Expectation, string> = { allow: 'allow (2xx)', deny: 'deny (403)', off: 'off (404)' };

interface FeatureResult {
  feature: FeatureKey;
  expected: Expectation;
  ok: boolean;
  /** `200`, `403 "Plan does not include …"`, `redirected to /auth/login…`, a probe error. */
  got: string;
}

interface AccountResult {
  email: string;
  team: string;
  /** Why the account was not checked (its password variable is unset). */
  skipped?: string;
  signInFailure?: string;
  features: FeatureResult[];
  signOutProblem?: string;
  steps: string[];
  /** A request of this account got no answer from the app. */
  noAnswer?: boolean;
}

/** What an answer shows about the feature, compared with what was expected. */
function judge(expected: Expectation, response: ProbeResponse, loginText: string | undefined): { ok: boolean; got: string } {
  if (loginText) return { ok: false, got: loginText };
  const status = response.status;
  const html = /^text\/html\b/i.test(response.headers['content-type'] ?? '');
  // A page states the denial in its HTML; an API route in its JSON error.
  const pageDenial = status === 403 && html ? PLAN_DENIAL.exec(response.body) : null;
  const denial = status === 403 && (PLAN_DENIAL.test(errorBodyMessage(response) ?? '') || pageDenial !== null);
  const got = pageDenial ? `403 "${pageDenial[0]}"` : describeAnswer(response);
  if (expected === 'allow') return { ok: status >= 200 && status < 300, got };
  if (expected === 'deny') return { ok: denial, got };
  return { ok: status === 404, got };
}

export const featureGates = defineRule({
  id: 'smoke.feature-gates',
  async check(ctx): Promise<Outcome> {
    const { settings } = ctx;
    const gates = settings.config['feature-gates'] ?? [];
    if (gates.length === 0) {
      return {
        status: 'skip',
        summary: `no feature-gates in the config (${configFileName(settings)}): this opt-in check does not run`,
        fix: 'To run it, list accounts kept for the gate, one per plan, with the team and the expected answer of each feature (see docs/configuration.md).',
      };
    }
    if (!appOrigin(settings)) return noTarget(ctx.settings);
    const step = Math.min(requestTimeoutMs(ctx), 5000);
    const checkAccount = async (gate: (typeof gates)[number]): Promise<AccountResult> => {
      const result: AccountResult = { email: gate.account.email, team: gate.team, features: [], steps: [] };
      const creds = credentials(settings, gate.account);
      if (typeof creds === 'string') return { ...result, skipped: creds };
      const visitor = newVisitor(ctx)!;
      try {
        result.signInFailure = await visitor.signIn(creds, step);
        if (result.signInFailure) return result;
        const slug = encodeURIComponent(gate.team);
        const entries = (Object.entries(gate.expect) as [FeatureKey, 'allow' | 'deny' | undefined][]).filter((e): e is [FeatureKey, 'allow' | 'deny'] => !!e[1]);
        result.features = await Promise.all(
          entries.map(async ([feature, expect]): Promise<FeatureResult> => {
            const spec = FEATURES[feature];
            const expected: Expectation = settings.env[spec.flag] === 'false' ? 'off' : expect;
            const path = spec.path(slug);
            try {
              const response = await visitor.request(path, { reserveMs: step });
              const { ok, got } = judge(expected, response, visitor.loginRedirectText(response));
              visitor.note('GET', path, `${got}${ok ? '' : ` (expected ${EXPECTED_TEXT[expected]})`}`);
              return { feature, expected, ok, got };
            } catch (error) {
              const text = probeErrorText(error);
              visitor.steps.push(text);
              return { feature, expected, ok: false, got: text };
            }
          }),
        );
      } finally {
        result.signOutProblem = await visitor.signOut();
        result.steps = visitor.steps;
        result.noAnswer = visitor.noAnswer;
      }
      return result;
    };
    const accounts = await Promise.all(gates.map(checkAccount));

    const who = (a: AccountResult) => `${a.email} on ${a.team}`;
    const mismatches: string[] = [];
    for (const a of accounts) {
      if (a.signInFailure) mismatches.push(`${who(a)}: could not sign in (${a.signInFailure})`);
      for (const f of a.features) if (!f.ok) mismatches.push(`${who(a)}: ${f.feature}: expected ${EXPECTED_TEXT[f.expected]}, got ${f.got}`);
    }
    const skipped = accounts.filter((a) => a.skipped);
    const checked = accounts.filter((a) => !a.skipped);
    const details = accounts
      .map((a) => {
        if (a.skipped) return `**${who(a)}**: not checked: ${a.skipped}`;
        const features = a.features.map((f) => `- ${f.feature}: expected ${EXPECTED_TEXT[f.expected]}, got ${f.got} ${f.ok ? '✓' : '✗'}`);
        const cleanup = a.signOutProblem ? [`- cleanup: ${a.signOutProblem}`] : [];
        return [`**${who(a)}**`, ...(a.signInFailure ? a.steps.map((s) => `- ${s}`) : features), ...cleanup].join('\n');
      })
      .join('\n\n');
    const data = {
      accounts: accounts.map((a) => ({
        email: a.email,
        team: a.team,
        checked: !a.skipped && !a.signInFailure,
        features: Object.fromEntries(a.features.map((f) => [f.feature, { expected: f.expected, ok: f.ok }])),
      })),
    };
    const notes: string[] = [];
    if (skipped.length) notes.push(`not checked: ${skipped.map((a) => a.skipped).join('; ')}`);
    const signOutFailures = accounts.filter((a) => a.signOutProblem);
    if (signOutFailures.length) notes.push(`signing out failed for ${signOutFailures.map((a) => a.email).join(', ')}`);
    const noteText = notes.length ? `; ${notes.join('; ')}` : '';

    if (mismatches.length) {
      return {
        status: 'fail',
        summary: `${mismatches.length} mismatch${mismatches.length > 1 ? 'es' : ''}: ${mismatches.join('; ')}${noteText}`,
        details,
        fix:
          'A feature that answers for a plan that does not include it gives paid features away; one that refuses a plan that includes it breaks customers. ' +
          'Check the plans\' entitlements in Stripe (product metadata, synced into "Service"), each team\'s subscription, and the FEATURE_TEAM_* flags of the deployment against the gate\'s.',
        data,
        // Every account that was tried got no answer from the app: nothing was compared.
        ...(checked.every((a) => a.noAnswer) ? { unreachable: { component: 'app' as const, cause: checked[0]?.signInFailure ?? mismatches[0]! } } : {}),
      };
    }
    if (checked.length === 0) {
      return { status: 'skip', summary: `no feature-gates account could sign in: ${skipped.map((a) => a.skipped).join('; ')}`, details, data };
    }
    const count = checked.reduce((n, a) => n + a.features.length, 0);
    const status = skipped.length || signOutFailures.length ? 'warn' : 'pass';
    return {
      status,
      summary: `${count} feature answer${count === 1 ? '' : 's'} for ${checked.length} account${checked.length === 1 ? '' : 's'} match the plans: ${checked
        .map((a) => `${a.team} (${a.features.map((f) => `${f.feature} ${f.expected}`).join(', ') || 'nothing to check'})`)
        .join('; ')}${noteText}`,
      details,
      ...(status === 'warn' ? { fix: skipped.length ? 'Give every feature-gates account its password variable.' : 'Check POST /api/auth/signout on the deployment.' } : {}),
      data,
    };
  },
});
