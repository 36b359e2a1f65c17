/**
 * smoke.auth-providers: `GET /api/auth/providers` lists every provider the app enables (its
 * `AUTH_PROVIDERS` in the guide's app, else the providers its auth configuration imports), and every
 * provider's `callbackUrl` starts with the auth URL (`NEXTAUTH_URL`, Auth.js v5's `AUTH_URL`). This is the live proof of "OAuth
 * configured with production callback URLs": NextAuth builds callbackUrl from the URL it runs with,
 * so a wrong NEXTAUTH_URL on the deployment (or a trusted forwarded host) shows here, and the OAuth
 * provider would refuse or misroute the callback.
 *
 * It also asks whether a request that names another host makes the app hand out URLs of that host
 * (./forged-host.ts): the providers list, the CSRF endpoint, the sign-in redirect and each OAuth
 * provider's authorization redirect, each with a forged `Host` and a forged `X-Forwarded-Host`.
 * What the installed NextAuth makes of the variables (src/analysis/app/host-trust.ts) explains a
 * reflection, and an Auth.js v5 that refuses every request (UntrustedHost).
 */
import type { Outcome } from '../../engine/types.js';
import type { Settings } from '../../settings.js';
import { hostTrustOptions } from '../app.js';
import { defineRule } from '../index.js';
import { hostTrustOf } from '../../analysis/app/host-trust.js';
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
  requestTimeoutMs,
  shorten,
  truncatedText,
} from './app-probe.js';
import { forgedHostLines, oauthProviderIds, probeForgedHost, requestText, type ForgedHostResult, type ProbedRequest } from './forged-host.js';

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
  type?: unknown;
  callbackUrl?: unknown;
}

export const authProviders = defineRule({
  id: 'smoke.auth-providers',
  async check(ctx): Promise<Outcome> {
    const origin = appOrigin(ctx.settings);
    if (!origin) return noTarget(ctx.settings);
    const { env, app } = ctx.settings;
    const authBase = app.paths.authBase;
    const path = `${authBase}/providers`;
    const url = appUrlFor(origin, path);
    const http = ctx.clients.http();
    let response;
    try {
      // Shared with security.origin, which reads the same list's URLs.
      response = await http.getShared(url, ctx.signal, { followRedirects: true });
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
      if (response.status >= 500) {
        // Auth.js v5 answers every request 500 when it does not trust the host: the installed
        // version and the variables say whether that is the cause.
        const { assessment } = await hostTrustOf(ctx.settings.workingDirectory, env, hostTrustOptions(ctx.settings));
        if (assessment.known && assessment.problem === 'refuses') {
          return {
            status: 'fail',
            summary: `GET ${path} answered ${describeAnswer(response)}: the cause is Auth.js's UntrustedHost: ${assessment.trust.reason}`,
            details: `Auth.js logs \`[auth][error] UntrustedHost: Host must be trusted\` for every /api/auth request and answers it with 500 (${assessment.trust.source}).`,
            fix: assessment.fix,
          };
        }
      }
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
      lines.push(`- ${id}: callbackUrl ${callbackUrl}${ok ? '' : ` (not under ${base}${plain})`}${expectedIds.includes(id) ? '' : " (not enabled by the gate's view of the app)"}`);
    }
    for (const id of missing) lines.push(`- ${id}: enabled but not listed`);
    const forged = await probeForgedHost({ http, origin, base: authBase, timeoutMs: requestTimeoutMs(ctx), signal: ctx.signal, providers: response, oauthProviders: oauthProviderIds(listed) });
    const forgedText = await forgedHostText(forged, ctx.settings, authBase);
    const details = `GET ${path} → 200 listing ${listedIds.length} provider${listedIds.length === 1 ? '' : 's'}; ${baseName} is ${insecure ? `${insecure} (judged as ${base}: callbacks must be https://)` : base}; enabled by ${enabled.by}.\n${lines.join('\n')}\n\n${forgedText.details}`;
    const data = {
      listed: listedIds,
      expected: expectedIds,
      missing,
      wrongCallback: wrongCallback.map((w) => w.id),
      forgedHost: {
        requests: forged.requests.filter((r) => r.forged).length,
        reflected: forged.reflected.map((r) => requestText(r)),
        inOtherHeaders: forged.echoed.map((r) => requestText(r)),
        oauthRedirects: forged.oauthProviders,
      },
    };

    if (wrongCallback.length || missing.length || forged.reflected.length) {
      const problems = [
        ...wrongCallback.map((w) =>
          w.callbackUrl.startsWith('http://')
            ? `provider ${w.id} has callbackUrl ${w.callbackUrl}: plain HTTP, not under ${base} (OAuth callbacks must be https://)`
            : `provider ${w.id} has callbackUrl ${w.callbackUrl}, not under ${shortName} ${base}`,
        ),
        ...missing.map((id) => `provider ${id} is enabled by ${enabled.short} but not listed`),
        ...(forgedText.problem ? [forgedText.problem] : []),
      ];
      const fixes: string[] = [];
      if (forgedText.fix) fixes.push(forgedText.fix);
      if (wrongCallback.length) {
        fixes.push(
          `Set ${authUrlName}=${base} on the deployment, then redeploy (with host trust on, next-auth before 4.24.15 builds these URLs from the X-Forwarded-Host its proxy sends instead: see config.nextauth-trust-host); ` +
            `the callback URLs to register with the providers are ${wrongCallback.map((w) => `${base}${authBase}/callback/${w.id}`).join(', ')}.`,
        );
      }
      if (missing.length) fixes.push(app.auth.providersVariable ? `Give the deployment the same ${app.auth.providersVariable} as the gate, or correct the gate's value.` : `Check the deployment's auth configuration and the providers' variables (a provider without its client may be left out).`);
      return { status: 'fail', summary: problems.join('; '), details, fix: fixes.join(' '), data };
    }
    // The OAuth redirects could not be asked for (no CSRF pair): that part of the probe is unverified.
    const unasked = forged.skipped && forged.skipped !== 'no OAuth provider is listed' ? forged.skipped : undefined;
    const unreached = forged.unverified;
    if (extra.length || unasked || unreached || forgedText.warning) {
      const warnings = [
        ...(extra.length ? [`every callbackUrl is under ${base}, but the app also lists ${extra.join(', ')}, which the gate's ${enabled.short} does not enable`] : []),
        ...(unasked ? [`the OAuth sign-in redirect could not be asked for with a forged host: ${unasked}`] : []),
        ...(unreached ? [`the OAuth sign-in did not reach the provider, so its redirect_uri was not checked with a forged host: ${unreached}`] : []),
        ...(forgedText.warning ? [forgedText.warning] : []),
      ];
      const fixes = [
        ...(extra.length ? [app.auth.providersVariable ? `Give the gate the deployment's ${app.auth.providersVariable}, so the config rules check those providers' credentials too.` : 'Name the providers in the config file (app.providers), so the config rules check their credentials too.'] : []),
        ...(unasked ? [`Check that GET ${authBase}/csrf answers {csrfToken} with its cookie (smoke.login-flow needs it too), then run the gate again.`] : []),
        ...(unreached ? ["Sign in with that provider in a browser: NextAuth's error page or the deployment's log names the cause (a missing client id or secret, an OpenID discovery document it cannot fetch); then run the gate again."] : []),
        ...(forgedText.warningFix ? [forgedText.warningFix] : []),
      ];
      return { status: 'warn', summary: `${warnings.join('; ')}; ${forgedText.pass}`, details, fix: fixes.join(' '), data };
    }
    return {
      status: 'pass',
      summary: `${listedIds.join(', ')} listed; every callbackUrl is under ${shortName} ${base}; ${forgedText.pass}`,
      details,
      data,
    };
  },
});

/**
 * What the forged-host probe found, for the summary (`problem` when a made-up host came back in a
 * URL NextAuth built, `warning` when only in another header, else `pass`), the details (every
 * request) and the fixes; the installed NextAuth's reading of the variables explains a reflection,
 * or says that the deployment's variables differ from the gate's.
 */
async function forgedHostText(
  forged: ForgedHostResult,
  settings: Settings,
  authBase: string,
): Promise<{ problem?: string; warning?: string; pass: string; details: string; fix?: string; warningFix?: string }> {
  const sent = forged.requests.filter((r) => r.forged);
  const endpoints = [...new Set(forged.requests.map((r) => r.path.replace(`${authBase}/`, '')))].join(', ');
  const pass = `a forged Host or X-Forwarded-Host comes back in no URL NextAuth builds (${sent.length} forged requests: ${endpoints})`;
  let explanation = '';
  let fix: string | undefined;
  if (forged.reflected.length) {
    const { assessment } = await hostTrustOf(settings.workingDirectory, settings.env, hostTrustOptions(settings));
    if (assessment.problem === 'reflects' || assessment.verdict === 'notice') {
      explanation = `Why: ${assessment.trust.reason} (${assessment.trust.source}).`;
      fix =
        assessment.fix ??
        `The deployment is not on ${assessment.trust.platform ?? 'the platform its variables name'}: remove ${assessment.trust.decidedBy.name} from its environment, and keep NEXTAUTH_URL (Auth.js v5: AUTH_URL) on the production origin.`;
    } else {
      explanation = `The gate's variables predict no host trust (${assessment.trust.reason}): the deployment's environment differs from the gate's; look there for AUTH_TRUST_HOST, VERCEL or CF_PAGES (any non-empty value turns host trust on).`;
      fix = "Remove AUTH_TRUST_HOST, VERCEL and CF_PAGES from the deployment's environment unless it runs on that platform, and keep NEXTAUTH_URL (Auth.js v5: AUTH_URL) on the production origin; give the gate the same variables as the deployment.";
    }
  }
  // The OAuth redirect first: it is the one that sends users' authorization codes to the made-up host.
  const order = (p: string) => (p.startsWith(`${authBase}/signin/`) ? 0 : p.endsWith('/providers') ? 1 : 2);
  const first = (requests: ProbedRequest[], kinds: (k: string) => boolean) => {
    const r = [...requests].sort((a, b) => order(a.path) - order(b.path))[0];
    const rank = { location: 0, body: 1, cookie: 2, header: 3 } as const;
    const x = r?.reflections.filter((y) => kinds(y.kind)).sort((a, b) => rank[a.kind] - rank[b.kind])[0];
    return r && x ? `${requestText(r)} → ${x.field} = ${shorten(x.value, 240)}` : undefined;
  };
  const shown = first(forged.reflected, (k) => k !== 'header');
  const problem = shown ? `a forged host comes back in ${forged.reflected.length} of ${sent.length} answers: ${shown}` : undefined;
  const echoed = first(forged.echoed, () => true);
  const warning = echoed ? `a forged host comes back outside NextAuth's URLs in ${forged.echoed.length} of ${sent.length} answers: ${echoed}` : undefined;
  const details = [
    'Forged-host probe (each endpoint as a browser would, with a forged Host and with a forged X-Forwarded-Host, a random *.invalid name each time):',
    ...forgedHostLines(forged),
    ...(forged.skipped ? [`The OAuth sign-in redirect was not asked for: ${forged.skipped}.`] : []),
    ...(forged.unverified ? [`The OAuth sign-in did not reach the provider: ${forged.unverified}.`] : []),
    ...(explanation ? [explanation] : []),
  ].join('\n');
  return {
    problem,
    warning,
    pass,
    details,
    fix,
    warningFix: warning
      ? "Build those URLs from APP_URL rather than from the request's Host (and keep error pages from repeating it), or have the edge refuse a Host it does not serve (421 or 404, as platforms that route by Host do), so a forged one never reaches the app."
      : undefined,
  };
}
