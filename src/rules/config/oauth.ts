/**
 * What config.oauth-github and config.oauth-google share: an enabled OAuth provider has both halves of
 * its client (under the names the app reads them by: GITHUB_CLIENT_ID, GITHUB_ID, AUTH_GITHUB_ID, …),
 * and the person sees the callback URL to register with the provider. smoke.auth-providers reads the
 * enabled providers and the callback base the same way.
 */
import type { Outcome, RuleContext } from '../../engine/types.js';
import type { Settings } from '../../settings.js';
import { notApplicable, variable } from '../app.js';

/** The guide's app: AUTH_PROVIDERS unset means `github,credentials`. */
const DEFAULT_PROVIDERS = 'github,credentials';

/**
 * The providers the app enables: those its variable turns on when it has one (the guide's
 * `AUTH_PROVIDERS`, default `github,credentials`, as the app reads it), else those its auth
 * configuration imports.
 */
export function enabledProviders(settings: Pick<Settings, 'env' | 'app'>): { names: string[]; by: string; short: string } {
  const { auth } = settings.app;
  if (auth.providersVariable) {
    const value = settings.env[auth.providersVariable];
    return {
      names: (value ?? DEFAULT_PROVIDERS).split(',').map((p) => p.trim().toLowerCase()).filter(Boolean),
      by: `${auth.providersVariable}=${value ?? `${DEFAULT_PROVIDERS} (unset)`}`,
      short: auth.providersVariable,
    };
  }
  return { names: auth.providers, by: `the app's auth configuration (${auth.config.files.join(', ') || 'app.providers in the config'})`, short: "the app's auth configuration" };
}

/** The auth URL's value and variable (NEXTAUTH_URL, or AUTH_URL for Auth.js v5), else the app URL's. */
export function authBaseVariable(settings: Pick<Settings, 'env' | 'app'>): { name: string; value?: string } {
  const auth = variable(settings, 'authUrl');
  if (auth?.value) return auth;
  const app = variable(settings, 'appUrl');
  if (app?.value) return app;
  return auth ?? app ?? { name: 'NEXTAUTH_URL' };
}

/**
 * The origin OAuth callbacks must use: NEXTAUTH_URL (else APP_URL), always https://. Providers
 * refuse, or should refuse, a plain-HTTP callback for a production app (the authorization code would
 * cross the network in clear), so no advice ever names an http:// URL: an http:// value is shown in
 * its https:// form, and `insecure` says what was given.
 */
export function httpsBase(value: string | undefined, name = 'NEXTAUTH_URL'): { base: string; insecure?: string } {
  if (!value) return { base: `<${name}>` };
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
  extra?: (id: { name: string; value: string }) => string | undefined,
): Outcome {
  const { env, app } = ctx.settings;
  const client = app.auth.oauth.find((p) => p.id === provider);
  if (!app.auth.providersVariable && (!client || !app.auth.providers.includes(provider))) {
    return notApplicable(`${label} sign-in`, `its auth configuration enables ${app.auth.providers.join(', ') || 'no provider'}`);
  }
  const enabled = enabledProviders(ctx.settings);
  if (!enabled.names.includes(provider)) {
    return { status: 'skip', summary: `${label} sign-in is not enabled (${enabled.by})` };
  }
  const idName = client?.clientId?.name ?? `${provider.toUpperCase()}_CLIENT_ID`;
  const secretName = client?.clientSecret?.name ?? `${provider.toUpperCase()}_CLIENT_SECRET`;
  const baseVar = authBaseVariable(ctx.settings);
  const { base, insecure } = httpsBase(baseVar.value, baseVar.name);
  const authUrlName = app.variables.roles.authUrl?.name;
  const callback = `${base}${app.paths.authBase}/callback/${provider}`;
  const register = `Register ${callback} as the callback URL of the production OAuth app${insecure ? ` (${baseVar.name} is ${insecure}, not https://: set it to ${base}, see config.${baseVar.name === authUrlName || app.variables.roles.authUrl?.aliases.includes(baseVar.name) ? 'nextauth-url' : 'app-url'})` : ''}.`;
  const missing = [idName, secretName].filter((n) => !env[n]);
  if (missing.length > 0) {
    const via = provider === 'github' && [idName, secretName].some((n) => n.startsWith('GITHUB_')) ? ' (in a workflow, pass them as the github-client-id / github-client-secret inputs: GitHub refuses secrets named GITHUB_*)' : '';
    return {
      status: 'fail',
      summary: `${label} sign-in is enabled but ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set; ${app.found ? `sign-in with ${label} cannot work` : 'the app refuses to start'}`,
      fix: `Set ${missing.join(' and ')}${via}. ${register}`,
      data: { callbackUrl: callback },
    };
  }
  const problem = extra?.({ name: idName, value: env[idName]! });
  if (problem) return { status: 'fail', summary: problem, fix: `Copy the client id of the production ${label} OAuth app. ${register}`, data: { callbackUrl: callback } };
  return {
    status: 'pass',
    summary: `${label} client id and secret are set (${idName}, ${secretName}); callback URL to register: ${callback}${insecure ? ` (the https:// form: ${baseVar.name} is ${insecure})` : ''}`,
    data: { callbackUrl: callback },
  };
}
