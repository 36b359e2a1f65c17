/**
 * smoke.auth-providers: `GET /api/auth/providers` lists every provider the app enables (its
 * `AUTH_PROVIDERS` in the guide's app, else the providers its auth configuration imports), and every
 * provider's `callbackUrl` starts with the auth URL (`NEXTAUTH_URL`, Auth.js v5's `AUTH_URL`). This is the live proof of "OAuth
 * configured with production callback URLs": NextAuth builds callbackUrl from the URL it runs with,
 * so a wrong NEXTAUTH_URL on the deployment (or a trusted forwarded host) shows here, and the OAuth
 * provider would refuse or misroute the callback.
 */
import type { Outcome } from '../../engine/types.js';
import { defineRule } from '../index.js';
import { safeUrl } from '../../probes/http.js';
import { authBaseVariable, enabledProviders, httpsBase } from '../config/oauth.js';
import {
  appOrigin,
  appUrlFor,
  describeAnswer,
  loginRedirect,
  loginRedirectText,
  noTarget,
  parseJson,
  probeFailure,
  shorten,
  truncatedText,
} from './app-probe.js';

/** `AUTH_PROVIDERS` names → NextAuth provider ids, as the app maps them. */
const PROVIDER_IDS: Record<string, string> = {
  github: 'github',
  google: 'google',
  saml: 'boxyhq-saml',
  email: 'email',
  credentials: 'credentials',
  'idp-initiated': 'boxyhq-idp',
};

interface ListedProvider {
  id?: unknown;
  callbackUrl?: unknown;
}

export const authProviders = defineRule({
  id: 'smoke.auth-providers',
  async check(ctx): Promise<Outcome> {
    const origin = appOrigin(ctx.settings);
    if (!origin) return noTarget(ctx.settings);
    const { app } = ctx.settings;
    const authBase = app.paths.authBase;
    const path = `${authBase}/providers`;
    const url = appUrlFor(origin, path);
    let response;
    try {
      // Shared with security.origin, which reads the same list's URLs.
      response = await ctx.clients.http().getShared(url, ctx.signal, { followRedirects: true });
    } catch (error) {
      return probeFailure(error, `GET ${safeUrl(url)}`);
    }
    const toLogin = app.paths.login ? loginRedirect(response, app.paths.login) : undefined;
    if (toLogin) {
      return {
        status: 'fail',
        summary: `GET ${path} was ${loginRedirectText(toLogin, false)}`,
        fix: `Keep ${authBase}/** in the middleware's public routes: NextAuth cannot work without them.`,
      };
    }
    const listed = parseJson(response.body) as Record<string, ListedProvider> | undefined;
    if (response.status !== 200 || !listed || typeof listed !== 'object' || Array.isArray(listed)) {
      return {
        status: 'fail',
        summary: `GET ${path} answered ${describeAnswer(response)}${response.bodyTruncated ? `, but ${truncatedText(response)}` : response.status === 200 ? `, not NextAuth's providers JSON (${shorten(response.body, 80)})` : ''}`,
        fix: `Check that NextAuth is mounted at ${authBase} (${app.routes.list.find((r) => r.path === `${authBase}/[...nextauth]`)?.file ?? 'pages/api/auth/[...nextauth].ts or app/api/auth/[...nextauth]/route.ts'}) and read the deployment logs for this request.`,
      };
    }

    const authUrl = authBaseVariable(ctx.settings);
    const authUrlName = app.variables.roles.authUrl?.name ?? 'NEXTAUTH_URL';
    const isAuthUrl = authUrl.name === authUrlName || (app.variables.roles.authUrl?.aliases.includes(authUrl.name) ?? false);
    // Callbacks must be https:// whatever the auth URL says: an http:// one is judged (and advised) in its https:// form.
    const { base: secureBase, insecure } = httpsBase(authUrl.value ?? origin.origin);
    const base = insecure && new URL(secureBase).hostname === origin.hostname ? origin.origin : secureBase;
    const shortName = isAuthUrl ? authUrl.name : authUrl.value ? authUrl.name : 'the app URL';
    const baseName = isAuthUrl ? authUrl.name : `${authUrl.value ? authUrl.name : 'the app URL'} (${authUrlName} is not set)`;
    const enabled = enabledProviders(ctx.settings);
    const expectedIds = enabled.names.map((n) => PROVIDER_IDS[n] ?? n);
    const listedIds = Object.keys(listed);
    const missing = expectedIds.filter((id) => !(id in listed));
    const extra = listedIds.filter((id) => !expectedIds.includes(id));
    const wrongCallback: { id: string; callbackUrl: string }[] = [];
    const lines: string[] = [];
    for (const id of listedIds) {
      const callback = listed[id]?.callbackUrl;
      const callbackUrl = typeof callback === 'string' ? callback : '(none)';
      const ok = typeof callback === 'string' && callback.startsWith(`${base}/`);
      if (!ok) wrongCallback.push({ id, callbackUrl });
      const plain = callbackUrl.startsWith('http://') ? ', plain HTTP' : '';
      lines.push(`- ${id}: callbackUrl ${callbackUrl}${ok ? '' : ` (not under ${base}${plain})`}${expectedIds.includes(id) ? '' : ' (not enabled by the gate\'s view of the app)'}`);
    }
    for (const id of missing) lines.push(`- ${id}: enabled but not listed`);
    const details = `GET ${path} → 200 listing ${listedIds.length} provider${listedIds.length === 1 ? '' : 's'}; ${baseName} is ${insecure ? `${insecure} (judged as ${base}: callbacks must be https://)` : base}; enabled by ${enabled.by}.\n${lines.join('\n')}`;
    const data = { listed: listedIds, expected: expectedIds, missing, wrongCallback: wrongCallback.map((w) => w.id) };

    if (wrongCallback.length || missing.length) {
      const problems = [
        ...wrongCallback.map((w) =>
          w.callbackUrl.startsWith('http://')
            ? `provider ${w.id} has callbackUrl ${w.callbackUrl}: plain HTTP, not under ${base} (OAuth callbacks must be https://)`
            : `provider ${w.id} has callbackUrl ${w.callbackUrl}, not under ${shortName} ${base}`,
        ),
        ...missing.map((id) => `provider ${id} is enabled by ${enabled.short} but not listed`),
      ];
      const fixes: string[] = [];
      if (wrongCallback.length) {
        fixes.push(
          `Set ${authUrlName}=${base} on the deployment and turn host trust off (a trusted forwarded host rewrites these URLs), then redeploy; ` +
            `the callback URLs to register with the providers are ${wrongCallback.map((w) => `${base}${authBase}/callback/${w.id}`).join(', ')}.`,
        );
      }
      if (missing.length) fixes.push(app.auth.providersVariable ? `Give the deployment the same ${app.auth.providersVariable} as the gate, or correct the gate's value.` : `Check the deployment's auth configuration and the providers' variables (a provider without its client may be left out).`);
      return { status: 'fail', summary: problems.join('; '), details, fix: fixes.join(' '), data };
    }
    if (extra.length) {
      return {
        status: 'warn',
        summary: `every callbackUrl is under ${base}, but the app also lists ${extra.join(', ')}, which the gate's ${enabled.short} does not enable`,
        details,
        fix: app.auth.providersVariable ? `Give the gate the deployment's ${app.auth.providersVariable}, so the config rules check those providers' credentials too.` : 'Name the providers in the config file (app.providers), so the config rules check their credentials too.',
        data,
      };
    }
    return {
      status: 'pass',
      summary: `${listedIds.join(', ')} listed; every callbackUrl is under ${shortName} ${base}`,
      details,
      data,
    };
  },
});
