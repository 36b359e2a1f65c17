/**
 * The guide's production-safe flags: ENABLE_HSTS, ENABLE_CSP_STRICT, ENABLE_COEP,
 * NEXTAUTH_TRUST_HOST, NEXTAUTH_DEBUG. The app compares them with the string "true".
 */
import type { Rule, Section } from '../../engine/types.js';

function shown(value: string | undefined): string {
  return value === undefined ? 'unset' : `"${value}"`;
}

function requireTrue(id: string, name: string, title: string, why: string, level: 'fail' | 'warn'): Rule {
  return {
    meta: { id, section: 'config' as Section, title, docs: 'docs/deployment-guide.md' },
    async check({ settings }) {
      const value = settings.env[name];
      if (value === 'true') return { status: 'pass', summary: `${name}=true` };
      return {
        status: level,
        summary: `${name} is ${shown(value)}, not true: ${why}`,
        fix: `Set ${name}=true in the production environment${level === 'warn' ? ', or waive this rule with a reason if external assets are not compatible' : ''}.`,
      };
    },
  };
}

export const enableHsts = requireTrue('config.enable-hsts', 'ENABLE_HSTS', 'ENABLE_HSTS=true', 'browsers may be downgraded to plain HTTP', 'fail');
export const enableCspStrict = requireTrue('config.enable-csp-strict', 'ENABLE_CSP_STRICT', 'ENABLE_CSP_STRICT=true', "the CSP lacks 'strict-dynamic' and upgrade-insecure-requests", 'fail');
export const enableCoep = requireTrue('config.enable-coep', 'ENABLE_COEP', 'ENABLE_COEP=true', 'the app runs without cross-origin isolation (the guide allows this only when external assets are incompatible)', 'warn');

export const nextauthTrustHost: Rule = {
  meta: { id: 'config.nextauth-trust-host', section: 'config', title: 'NEXTAUTH_TRUST_HOST=false', docs: 'docs/deployment-guide.md' },
  async check({ settings }) {
    const value = settings.env.NEXTAUTH_TRUST_HOST;
    const authTrust = settings.env.AUTH_TRUST_HOST;
    const fix = 'Set NEXTAUTH_TRUST_HOST=false (and leave AUTH_TRUST_HOST unset) so NextAuth builds URLs from NEXTAUTH_URL, not from the request Host header.';
    if (value !== 'false') {
      return {
        status: 'fail',
        summary: value === undefined ? 'NEXTAUTH_TRUST_HOST is unset, which the app treats as true' : `NEXTAUTH_TRUST_HOST is ${shown(value)}, not false`,
        details: 'With trustHost on, a forged Host or X-Forwarded-Host header can steer sign-in redirects and callback URLs.',
        fix,
      };
    }
    if (authTrust?.toLowerCase() === 'true' || authTrust === '1') {
      return { status: 'fail', summary: `NEXTAUTH_TRUST_HOST=false but AUTH_TRUST_HOST is ${shown(authTrust)}, which turns host trust back on`, fix };
    }
    return { status: 'pass', summary: 'NEXTAUTH_TRUST_HOST=false' };
  },
};

export const nextauthDebug: Rule = {
  meta: { id: 'config.nextauth-debug', section: 'config', title: 'NEXTAUTH_DEBUG is off', docs: 'docs/deployment-guide.md' },
  async check({ settings }) {
    const value = settings.env.NEXTAUTH_DEBUG;
    if (value === undefined || value === 'false') return { status: 'pass', summary: `NEXTAUTH_DEBUG is ${shown(value)}` };
    return {
      status: 'fail',
      summary: `NEXTAUTH_DEBUG is ${shown(value)}: NextAuth logs tokens and profile data`,
      fix: 'Set NEXTAUTH_DEBUG=false or remove it from the production environment.',
    };
  },
};
