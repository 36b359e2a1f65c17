/**
 * The forged-host probe of smoke.auth-providers: can a request that names another host make the app
 * hand out URLs of that host? (Classic host-header poisoning: the OAuth `redirect_uri`, the
 * `callbackUrl` and its cookie, e-mail links and `Location` built from a header an attacker sets.)
 *
 * Each NextAuth endpoint that answers with URLs is asked three times at once: as a browser would,
 * with a forged `Host` (the TLS server name and certificate check stay the real host's: the request
 * reaches the real deployment) and with a forged `X-Forwarded-Host`, each forged one with its own
 * random `*.invalid` name (./analysis/app/host-reflection.ts), searched for in every header, cookie
 * and body of the answer:
 *
 *   GET  /api/auth/providers              signinUrl and callbackUrl of each provider
 *   GET  /api/auth/csrf                   the callback-url cookie NextAuth sets on first contact
 *   GET  /api/auth/signin                 the redirect to the sign-in page, with its callbackUrl
 *   POST /api/auth/signin/<oauth id>      the OAuth authorization redirect, with its redirect_uri
 *
 * The browser-like GET of the providers list is the rule's own (shared with security.origin); the
 * rest follows it in two rounds, every request of a round at once: one round trip per endpoint (the
 * OAuth redirects need the CSRF pair of the browser-like `csrf` answer, so they are the second round).
 *
 * Nothing changes state. Every request but the last kind is a GET NextAuth answers from its
 * configuration. The OAuth sign-in needs a POST with the CSRF pair (next-auth@4.24.13
 * `src/core/index.ts`: a GET `signin` action only renders or redirects to the sign-in page, the
 * `POST` `signin` case calls `routes.signin` when `csrfTokenVerified`), and for an OAuth 2 provider
 * that only builds the authorization URL and sets the state/PKCE cookies on the answer
 * (`src/core/routes/signin.ts:25-35` → `lib/oauth/authorization-url.ts:50-62`): no adapter call, no
 * database row, no e-mail. Only providers the list calls `oauth`/`oidc` are asked, never `email`
 * (its sign-in sends a mail) or `credentials`; and not `twitter`, next-auth 4's OAuth 1.0a provider,
 * whose sign-in fetches a request token and keeps it in the app's memory
 * (`authorization-url.ts:37-47`). The app's answer is the state cookie a browser would drop: the gate
 * keeps no cookie and follows no redirect (a forged one would lead to the made-up host).
 */
import { findReflections, forgedHostName, type Reflection } from '../../analysis/app/host-reflection.js';
import { parseSetCookieLine } from '../../probes/cookies.js';
import type { HttpClient, ProbeResponse } from '../../probes/http.js';
import { describeAnswer, parseJson, probeErrorText } from './app-probe.js';
import { NEXTAUTH_BASE } from './nextauth.js';

export type Variant = 'browser' | 'host' | 'x-forwarded-host';

export interface ProbedRequest {
  method: 'GET' | 'POST';
  path: string;
  variant: Variant;
  /** The made-up name sent (forged variants). */
  forged?: string;
  /** `302 → …`, `200`, or what went wrong. */
  answer: string;
  /** Where the answer carries the made-up name. */
  reflections: Reflection[];
  /** The browser-like answer, kept for the report (the origin the app normally uses). */
  response?: ProbeResponse;
}

export interface ForgedHostResult {
  requests: ProbedRequest[];
  /** The forged requests whose answer carries the made-up name in a URL NextAuth built (body, Location, cookie). */
  reflected: ProbedRequest[];
  /**
   * The other forged requests whose answer carries it: in other headers only (Report-To, Link: the
   * middleware's), or in an error answer (an edge's 404/421 page that repeats the Host it refused).
   */
  echoed: ProbedRequest[];
  /** The OAuth providers whose sign-in redirect was asked for and came back (the provider's authorization URL). */
  oauthProviders: string[];
  /** Why the OAuth sign-in redirect was not asked for, when it was not. */
  skipped?: string;
  /**
   * The providers asked for whose browser-like sign-in did not answer with the provider's
   * authorization URL (an error redirect back into the app, an error page): their redirect_uri was
   * never seen, so that part of the probe proves nothing.
   */
  unverified?: string;
}

/**
 * The URL a sign-in POST sends the browser to: its `Location`, or the `url` of the JSON answer
 * (`json: true`, as NextAuth's client asks). An OAuth authorization redirect leaves the app's origin
 * and carries no `error`; an answer that stays on the app (`/login?error=…`,
 * `/api/auth/error?error=Configuration`) built no redirect_uri.
 */
export function authorizationRedirect(response: ProbeResponse | undefined, origin: URL): { url?: string; problem?: string } {
  if (!response) return { problem: 'no answer' };
  const location = response.headers.location;
  const json = location ? undefined : (parseJson(response.body) as { url?: unknown } | undefined);
  const target = location ?? (typeof json?.url === 'string' ? json.url : undefined);
  if (!target) return { problem: `${describeAnswer(response)}, no redirect` };
  let url: URL;
  try {
    url = new URL(target, origin);
  } catch {
    return { problem: `${describeAnswer(response)} to an unreadable URL` };
  }
  if (url.origin === origin.origin || url.searchParams.has('error')) return { problem: `${describeAnswer(response)} to ${url.pathname}${url.search}, back into the app, not to the provider` };
  return { url: url.toString() };
}

/** next-auth 4's OAuth 1.0a provider: its sign-in changes the app's memory (see the header). */
const OAUTH1_PROVIDERS = new Set(['twitter']);

/** The listed providers whose sign-in is an OAuth 2 / OIDC authorization redirect. */
export function oauthProviderIds(listed: Record<string, { type?: unknown } | undefined>): string[] {
  return Object.entries(listed)
    .filter(([id, p]) => (p?.type === 'oauth' || p?.type === 'oidc') && !OAUTH1_PROVIDERS.has(id))
    .map(([id]) => id);
}

export interface ForgedHostProbe {
  http: HttpClient;
  origin: URL;
  /** Where NextAuth is mounted (the app model's auth base); default /api/auth. */
  base?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export const VARIANT_TEXT: Record<Variant, string> = {
  browser: 'as a browser would',
  host: 'with a forged Host',
  'x-forwarded-host': 'with a forged X-Forwarded-Host',
};

/** `POST /api/auth/signin/github with X-Forwarded-Host: prg-….invalid`. */
export function requestText(r: Pick<ProbedRequest, 'method' | 'path' | 'variant' | 'forged'>): string {
  const header = r.variant === 'host' ? 'Host' : r.variant === 'x-forwarded-host' ? 'X-Forwarded-Host' : undefined;
  return `${r.method} ${r.path}${header ? ` with ${header}: ${r.forged}` : ''}`;
}

/**
 * Asks the endpoints (see the header) once the rule has the browser-like providers list: the first
 * round (providers with both forged headers; csrf and signin three ways) at once, then the OAuth
 * sign-in redirects of the listed OAuth providers. Starting after the list, not with it, keeps these
 * requests out of the burst every probe rule sends at the start of the phase (the rule is far from
 * the phase's longest chain), and sends nothing when the list already failed.
 */
export async function probeForgedHost(probe: ForgedHostProbe & { providers: ProbeResponse; oauthProviders: string[] }): Promise<ForgedHostResult> {
  const { http, origin, signal } = probe;
  const ask = async (method: 'GET' | 'POST', path: string, variant: Variant, extra: { headers?: Record<string, string>; body?: string } = {}): Promise<ProbedRequest> => {
    const forged = variant === 'browser' ? undefined : forgedHostName();
    const headers: Record<string, string> = { ...extra.headers };
    if (variant === 'x-forwarded-host') headers['x-forwarded-host'] = forged!;
    try {
      const response = await http.request(
        {
          url: new URL(path, origin).toString(),
          method,
          headers,
          body: extra.body,
          hostHeader: variant === 'host' ? forged : undefined,
          // One round trip each: a forged request that fails is an answer too (the platform refused
          // the name), and the rule's own providers request already retries a flaky deployment.
          retry: false,
          timeoutMs: probe.timeoutMs,
        },
        signal,
      );
      return { method, path, variant, forged, answer: describeAnswer(response), reflections: forged ? findReflections(response, forged) : [], response };
    } catch (error) {
      return { method, path, variant, forged, answer: `no answer: ${probeErrorText(error)}`, reflections: [] };
    }
  };
  const forgedOnly: Variant[] = ['host', 'x-forwarded-host'];
  const all: Variant[] = ['browser', ...forgedOnly];
  const authBase = probe.base ?? NEXTAUTH_BASE;
  const providersPath = `${authBase}/providers`;
  const csrfPath = `${authBase}/csrf`;
  const signinPath = `${authBase}/signin`;
  const { providers, oauthProviders } = probe;
  const browserProviders: ProbedRequest = { method: 'GET', path: providersPath, variant: 'browser', answer: describeAnswer(providers), reflections: [], response: providers };
  const firstRound = await Promise.all([
    ...forgedOnly.map((v) => ask('GET', providersPath, v)),
    ...all.map((v) => ask('GET', csrfPath, v)),
    ...all.map((v) => ask('GET', signinPath, v)),
  ]);
  const requests = [browserProviders, ...firstRound];
  // The OAuth sign-in redirects, with the browser-like CSRF pair (NextAuth checks the token
  // against its cookie and the secret: the host plays no part in it).
  const csrf = firstRound.find((r) => r.path === csrfPath && r.variant === 'browser')?.response;
  const token = csrf && csrf.status === 200 ? (parseJson(csrf.body) as { csrfToken?: unknown } | undefined)?.csrfToken : undefined;
  // The last CSRF cookie, as a browser keeps it: an Auth.js v5 app whose middleware is `auth` sets
  // one from the middleware's session call and another from the route, whose token the body carries.
  const cookie = csrf?.cookies.map((line) => parseSetCookieLine(line)).findLast((c) => /csrf-token$/i.test(c.cookie.name));
  let skipped: string | undefined;
  if (oauthProviders.length === 0) skipped = 'no OAuth provider is listed';
  else if (typeof token !== 'string' || !token || !cookie) skipped = `GET ${csrfPath} gave no CSRF ${typeof token !== 'string' || !token ? 'token' : 'cookie'} (${csrf ? describeAnswer(csrf) : 'no answer'})`;
  else {
    const body = new URLSearchParams({ csrfToken: token, callbackUrl: new URL('/', origin).toString(), json: 'true' }).toString();
    const headers = { 'content-type': 'application/x-www-form-urlencoded', cookie: `${cookie.cookie.name}=${cookie.value}` };
    requests.push(...(await Promise.all(oauthProviders.flatMap((id) => all.map((v) => ask('POST', `${signinPath}/${id}`, v, { headers, body }))))));
  }
  // NextAuth answers with 2xx and 3xx; a 4xx/5xx that repeats the name is an edge's or a
  // framework's error page echoing the Host it refused (reported, but not as NextAuth's URL).
  const built = (r: ProbedRequest) => (r.response?.status ?? 0) < 400 && r.reflections.some((x) => x.kind !== 'header');
  // Each provider's browser-like sign-in must have reached the provider for the forged ones to mean anything.
  const asked = skipped ? [] : oauthProviders;
  const notReached = asked
    .map((id) => ({ id, redirect: authorizationRedirect(requests.find((r) => r.path === `${signinPath}/${id}` && r.variant === 'browser')?.response, origin) }))
    .filter((x) => x.redirect.problem);
  return {
    requests,
    reflected: requests.filter(built),
    echoed: requests.filter((r) => r.reflections.length > 0 && !built(r)),
    oauthProviders: asked.filter((id) => !notReached.some((x) => x.id === id)),
    skipped,
    ...(notReached.length ? { unverified: notReached.map((x) => `POST ${signinPath}/${x.id} answered ${x.redirect.problem}`).join('; ') } : {}),
  };
}

/** One line per request for the report: what was sent, what came back, and where the name showed. */
export function forgedHostLines(result: ForgedHostResult): string[] {
  return result.requests.map((r) => {
    // What NextAuth built first (Location, body, cookies), then the other headers.
    const rank = { location: 0, body: 1, cookie: 2, header: 3 } as const;
    const shown = [...r.reflections].sort((a, b) => rank[a.kind] - rank[b.kind]).map((x) => `${x.field} = ${x.value}`).join('; ');
    return `- ${requestText(r)} → ${r.answer}${shown ? `: the made-up host is in ${shown}` : ''}`;
  });
}
