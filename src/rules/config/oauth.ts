/**
 * What config.oauth-github and config.oauth-google share: an enabled OAuth provider has both halves of
 * its client, and the person sees the callback URL to register with the provider. smoke.auth-providers
 * reads the enabled providers and the callback base the same way.
 */
import type { Outcome, RuleContext } from '../../engine/types.js';

/** The providers the app enables: `AUTH_PROVIDERS`, default `github,credentials`, as the app reads it. */
export function enabledProviders(env: Readonly<Record<string, string | undefined>>): string[] {
  return (env.AUTH_PROVIDERS ?? 'github,credentials')
    .split(',')
    .map((p) => p.trim().toLowerCase())
    .filter(Boolean);
}

/**
 * The origin OAuth callbacks must use: NEXTAUTH_URL (else APP_URL), always https://. Providers
 * refuse, or should refuse, a plain-HTTP callback for a production app (the authorization code would
 * cross the network in clear), so no advice ever names an http:// URL: an http:// value is shown in
 * its https:// form, and `insecure` says what was given.
 */
export function httpsBase(value: string | undefined): { base: string; insecure?: string } {
  if (!value) return { base: '<NEXTAUTH_URL>' };
  try {
    const url = new URL(value);
    const path = url.pathname.replace(/\/+$/, '');
    if (url.protocol === 'http:') return { base: `https://${url.hostname}${path}`, insecure: `${url.protocol}//${url.host}` };
    return { base: `${url.origin}${path}` };
  } catch {
    return { base: value.replace(/\/+$/, '') };
  }
}

export function checkProvider(
  ctx: RuleContext,
  provider: 'github' | 'google',
  label: string,
  extra?: (id: string) => string | undefined,
): Outcome {
  const { env } = ctx.settings;
  if (!enabledProviders(env).includes(provider)) {
    return { status: 'skip', summary: `${label} sign-in is not enabled (AUTH_PROVIDERS=${env.AUTH_PROVIDERS ?? 'github,credentials'})` };
  }
  const prefix = provider.toUpperCase();
  const idName = `${prefix}_CLIENT_ID`;
  const secretName = `${prefix}_CLIENT_SECRET`;
  const { base, insecure } = httpsBase(env.NEXTAUTH_URL ?? env.APP_URL);
  const variable = env.NEXTAUTH_URL ? 'NEXTAUTH_URL' : 'APP_URL';
  const callback = `${base}/api/auth/callback/${provider}`;
  const register = `Register ${callback} as the callback URL of the production OAuth app${insecure ? ` (${variable} is ${insecure}, not https://: set it to ${base}, see config.${variable === 'NEXTAUTH_URL' ? 'nextauth-url' : 'app-url'})` : ''}.`;
  const missing = [idName, secretName].filter((n) => !env[n]);
  if (missing.length > 0) {
    const via = provider === 'github' ? ' (in a workflow, pass them as the github-client-id / github-client-secret inputs: GitHub refuses secrets named GITHUB_*)' : '';
    return {
      status: 'fail',
      summary: `${label} sign-in is enabled but ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set; the app refuses to start`,
      fix: `Set ${missing.join(' and ')}${via}. ${register}`,
      data: { callbackUrl: callback },
    };
  }
  const problem = extra?.(env[idName]!);
  if (problem) return { status: 'fail', summary: problem, fix: `Copy the client id of the production ${label} OAuth app. ${register}`, data: { callbackUrl: callback } };
  return {
    status: 'pass',
    summary: `${label} client id and secret are set; callback URL to register: ${callback}${insecure ? ` (the https:// form: ${variable} is ${insecure})` : ''}`,
    data: { callbackUrl: callback },
  };
}
