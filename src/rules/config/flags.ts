/**
 * The guide's production-safe flags: ENABLE_HSTS, ENABLE_CSP_STRICT, ENABLE_COEP,
 * NEXTAUTH_TRUST_HOST, NEXTAUTH_DEBUG, judged by what the app makes of each value (src/target-app.ts).
 */
import type { Outcome, Rule, Section } from '../../engine/types.js';
import type { AppEnv } from '../../settings.js';
import { APP_FLAGS, flagState, type AppFlagName } from '../../target-app.js';

function shown(value: string | undefined): string {
  return value === undefined ? 'unset' : `"${value}"`;
}

/** A flag production needs on (ENABLE_*): passes only with the value the app reads as on. */
export function checkFlagOn(env: AppEnv, name: AppFlagName): Outcome {
  const flag = APP_FLAGS[name];
  const value = env[name];
  if (flagState(name, value).safe) return { status: 'pass', summary: `${name}=${value}` };
  return {
    status: flag.level,
    summary: `${name} is ${shown(value)}, not true: ${flag.why}`,
    fix: `Set ${name}=true in the production environment${flag.level === 'warn' ? ', or waive this rule with a reason if external assets are not compatible' : ''}.`,
  };
}

function requireTrue(id: string, name: AppFlagName, title: string): Rule {
  return {
    meta: { id, section: 'config' as Section, title, docs: 'docs/deployment-guide.md' },
    check: async ({ settings }) => checkFlagOn(settings.env, name),
  };
}

export const enableHsts = requireTrue('config.enable-hsts', 'ENABLE_HSTS', 'ENABLE_HSTS=true');
export const enableCspStrict = requireTrue('config.enable-csp-strict', 'ENABLE_CSP_STRICT', 'ENABLE_CSP_STRICT=true');
export const enableCoep = requireTrue('config.enable-coep', 'ENABLE_COEP', 'ENABLE_COEP=true');

export const nextauthTrustHost: Rule = {
  meta: { id: 'config.nextauth-trust-host', section: 'config', title: 'NEXTAUTH_TRUST_HOST=false', docs: 'docs/deployment-guide.md' },
  async check({ settings }) {
    const value = settings.env.NEXTAUTH_TRUST_HOST;
    const authTrust = settings.env.AUTH_TRUST_HOST;
    const fix = 'Set NEXTAUTH_TRUST_HOST=false (and leave AUTH_TRUST_HOST unset) so NextAuth builds URLs from NEXTAUTH_URL, not from the request Host header.';
    if (!flagState('NEXTAUTH_TRUST_HOST', value).safe) {
      return {
        status: 'fail',
        summary: value === undefined ? 'NEXTAUTH_TRUST_HOST is unset, which the app treats as true' : `NEXTAUTH_TRUST_HOST is ${shown(value)}, not false`,
        details: `With trustHost on, ${APP_FLAGS.NEXTAUTH_TRUST_HOST.why}.`,
        fix,
      };
    }
    if (!flagState('AUTH_TRUST_HOST', authTrust).safe) {
      return { status: 'fail', summary: `NEXTAUTH_TRUST_HOST=false but AUTH_TRUST_HOST is ${shown(authTrust)}, which turns host trust back on`, fix };
    }
    return { status: 'pass', summary: 'NEXTAUTH_TRUST_HOST=false' };
  },
};

export const nextauthDebug: Rule = {
  meta: { id: 'config.nextauth-debug', section: 'config', title: 'NEXTAUTH_DEBUG is off', docs: 'docs/deployment-guide.md' },
  async check({ settings }) {
    const value = settings.env.NEXTAUTH_DEBUG;
    if (flagState('NEXTAUTH_DEBUG', value).safe) {
      // Only "true" turns debug on in the app; say so when the value looks like it meant otherwise.
      const note = value === undefined || value === 'false' ? '' : ', which the app reads as off (it turns debug on only for "true")';
      return { status: 'pass', summary: `NEXTAUTH_DEBUG is ${shown(value)}${note}` };
    }
    return {
      status: 'fail',
      summary: `NEXTAUTH_DEBUG is ${shown(value)}: ${APP_FLAGS.NEXTAUTH_DEBUG.why}`,
      fix: 'Set NEXTAUTH_DEBUG=false or remove it from the production environment.',
    };
  },
};
