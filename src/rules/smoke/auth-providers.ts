/**
 * smoke.auth-providers: `GET /api/auth/providers` lists every provider `AUTH_PROVIDERS` enables, and
 * every provider's `callbackUrl` starts with `NEXTAUTH_URL`. This is the live proof of "OAuth
 * configured with production callback URLs": NextAuth builds callbackUrl from the URL it runs with,
 * so a wrong NEXTAUTH_URL on the deployment (or a trusted forwarded host) shows here, and the OAuth
 * provider would refuse or misroute the callback.
 */
import type { Outcome } from '../../engine/types.js';
import { defineRule } from '../index.js';
import { safeUrl } from '../../probes/http.js';
import { enabledProviders, httpsBase } from '../config/oauth.js';
import {
  appOrigin,
  appUrlFor,
  describeAnswer,
  loginRedirect,
  loginRedirectText,
  NO_TARGET,
  parseJson,
  probeFailure,
  shorten,
  truncatedText,
} from './app-probe.js';
import { NEXTAUTH_BASE } from './nextauth.js';

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
    if (!origin) return NO_TARGET;
    const { env, config } = ctx.settings;
    const path = `${NEXTAUTH_BASE}/providers`;
    const url = appUrlFor(origin, path);
    let response;
    try {
      // Shared with security.origin, which reads the same list's URLs.
      response = await ctx.clients.http().getShared(url, ctx.signal, { followRedirects: true });
    } catch (error) {
      return probeFailure(error, `GET ${safeUrl(url)}`);
    }
    const toLogin = loginRedirect(response, config.paths.login);
    if (toLogin) {
      return {
        status: 'fail',
        summary: `GET ${path} was ${loginRedirectText(toLogin, false)}`,
        fix: 'Keep /api/auth/** in the middleware\'s public routes (unAuthenticatedRoutes): NextAuth cannot work without them.',
      };
    }
    const listed = parseJson(response.body) as Record<string, ListedProvider> | undefined;
    if (response.status !== 200 || !listed || typeof listed !== 'object' || Array.isArray(listed)) {
      return {
        status: 'fail',
        summary: `GET ${path} answered ${describeAnswer(response)}${response.bodyTruncated ? `, but ${truncatedText(response)}` : response.status === 200 ? `, not NextAuth's providers JSON (${shorten(response.body, 80)})` : ''}`,
        fix: 'Check that NextAuth is mounted at /api/auth (pages/api/auth/[...nextauth].ts) and read the deployment logs for this request.',
      };
    }

    const nextauthUrl = env.NEXTAUTH_URL;
    // Callbacks must be https:// whatever NEXTAUTH_URL says: an http:// one is judged (and advised) in its https:// form.
    const { base: secureBase, insecure } = httpsBase(nextauthUrl ?? origin.origin);
    const base = insecure && new URL(secureBase).hostname === origin.hostname ? origin.origin : secureBase;
    const baseName = nextauthUrl ? 'NEXTAUTH_URL' : 'APP_URL (NEXTAUTH_URL is not set)';
    const names = enabledProviders(env);
    const expectedIds = names.map((n) => PROVIDER_IDS[n] ?? n);
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
      lines.push(`- ${id}: callbackUrl ${callbackUrl}${ok ? '' : ` (not under ${base}${plain})`}${expectedIds.includes(id) ? '' : ' (not in AUTH_PROVIDERS)'}`);
    }
    for (const id of missing) lines.push(`- ${id}: enabled by AUTH_PROVIDERS but not listed`);
    const details = `GET ${path} → 200 listing ${listedIds.length} provider${listedIds.length === 1 ? '' : 's'}; ${baseName} is ${insecure ? `${insecure} (judged as ${base}: callbacks must be https://)` : base}; AUTH_PROVIDERS is ${env.AUTH_PROVIDERS ?? 'unset (github,credentials)'}.\n${lines.join('\n')}`;
    const data = { listed: listedIds, expected: expectedIds, missing, wrongCallback: wrongCallback.map((w) => w.id) };

    if (wrongCallback.length || missing.length) {
      const problems = [
        ...wrongCallback.map((w) =>
          w.callbackUrl.startsWith('http://')
            ? `provider ${w.id} has callbackUrl ${w.callbackUrl}: plain HTTP, not under ${base} (OAuth callbacks must be https://)`
            : `provider ${w.id} has callbackUrl ${w.callbackUrl}, not under ${baseName === 'NEXTAUTH_URL' ? 'NEXTAUTH_URL' : 'APP_URL'} ${base}`,
        ),
        ...missing.map((id) => `provider ${id} is enabled by AUTH_PROVIDERS but not listed`),
      ];
      const fixes: string[] = [];
      if (wrongCallback.length) {
        fixes.push(
          `Set NEXTAUTH_URL=${base} on the deployment and NEXTAUTH_TRUST_HOST=false (a trusted forwarded host rewrites these URLs), then redeploy; ` +
            `the callback URLs to register with the providers are ${wrongCallback.map((w) => `${base}${NEXTAUTH_BASE}/callback/${w.id}`).join(', ')}.`,
        );
      }
      if (missing.length) fixes.push(`Give the deployment the same AUTH_PROVIDERS as the gate (${env.AUTH_PROVIDERS ?? 'github,credentials'}), or correct the gate's value.`);
      return { status: 'fail', summary: problems.join('; '), details, fix: fixes.join(' '), data };
    }
    if (extra.length) {
      return {
        status: 'warn',
        summary: `every callbackUrl is under ${base}, but the app also lists ${extra.join(', ')}, which the gate's AUTH_PROVIDERS does not enable`,
        details,
        fix: 'Give the gate the deployment\'s AUTH_PROVIDERS, so the config rules check those providers\' credentials too.',
        data,
      };
    }
    return {
      status: 'pass',
      summary: `${listedIds.join(', ')} listed; every callbackUrl is under ${baseName === 'NEXTAUTH_URL' ? 'NEXTAUTH_URL' : 'APP_URL'} ${base}`,
      details,
      data,
    };
  },
});
