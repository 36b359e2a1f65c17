/**
 * NextAuth v4's REST endpoints under `/api/auth` (`pages/api/auth/[...nextauth].ts`): `providers`,
 * `csrf`, `session`, the credentials sign-in (`POST /api/auth/callback/credentials`) and
 * `POST /api/auth/signout`, with NextAuth's cookie names and flags.
 *
 * Sessions use NextAuth's database strategy: a sign-in inserts a `"Session"` row and sets its token in
 * the session cookie (`__Secure-next-auth.session-token`: HttpOnly, Secure, SameSite=Lax, 30 days);
 * the middleware and the API routes look the token up (`currentSession`). Sign-out deletes the row.
 * As in next-auth's API handler, a POST with `json=true` gets `{url}` (with the status, 401 for refused
 * credentials) instead of a 302 to that URL.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { AppConfig } from './app-config.js';
import { verifyPassword } from './app-accounts.js';
import type { AppResponse, RequestContext } from './app-http.js';
import { compareVersions } from '../src/analysis/app/auth-library.js';

/** NextAuth's default session lifetime (`session.maxAge`). */
const SESSION_MAX_AGE_S = 30 * 24 * 60 * 60;

export interface SessionUser {
  id: string;
  name: string;
  email: string;
  image: string | null;
  /** ISO time the session expires. */
  expires: string;
}

/**
 * Whether the session cookie has the `__Secure-` name, for the middleware (which has no NextAuth
 * origin at hand): NextAuth decides from NEXTAUTH_URL's scheme; the sandbox serves https, so an unset
 * or unparsable NEXTAUTH_URL means secure too.
 */
function secureCookies(config: AppConfig): boolean {
  return !(config.nextAuthUrl ?? '').startsWith('http://');
}

/**
 * The signed-in user of a request, from the session cookie (database strategy), or undefined. Used
 * by the middleware (signed out → redirect to the login page) and by the API routes.
 */
export async function currentSession(db: pg.Pool, config: AppConfig, cookies: Record<string, string>): Promise<SessionUser | undefined> {
  const token = cookies[authCookieNames(secureCookies(config), config.authFamily).sessionToken];
  if (!token) return undefined;
  const { rows } = await db.query<SessionUser>(
    `SELECT u."id", u."name", u."email", u."image",
            to_char(s."expires", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "expires"
       FROM "Session" s JOIN "User" u ON u."id" = s."userId"
      WHERE s."sessionToken" = $1 AND s."expires" > (now() AT TIME ZONE 'UTC')`,
    [token],
  );
  return rows[0];
}

/**
 * NextAuth's cookie names: `__Secure-`/`__Host-` prefixed and `Secure` when the site is https;
 * `next-auth.*` in v4, `authjs.*` in Auth.js v5.
 */
export function authCookieNames(secure: boolean, family: AppConfig['authFamily'] = 'next-auth-v4'): { sessionToken: string; callbackUrl: string; csrfToken: string } {
  const p = family === 'authjs-v5' ? 'authjs' : 'next-auth';
  return secure
    ? { sessionToken: `__Secure-${p}.session-token`, callbackUrl: `__Secure-${p}.callback-url`, csrfToken: `__Host-${p}.csrf-token` }
    : { sessionToken: `${p}.session-token`, callbackUrl: `${p}.callback-url`, csrfToken: `${p}.csrf-token` };
}

// --- host trust: the origin NextAuth builds its URLs from, per version ---------------------------
//
// Written from the libraries' source, not from the gate (whose src/analysis/app/host-trust.ts is
// tested against this emulation): next-auth@4.24.13 and @4.24.15 `src/utils/detect-origin.ts` with
// `src/core/index.ts:82-83` and `src/utils/parse-url.ts`; Auth.js v5: @auth/core
// `src/lib/utils/env.ts:44-50` (next-auth@5.0.0-beta.5 `src/lib/env.ts:8-14` before beta.6),
// `lib/utils/assert.ts:96-98`, `index.ts:111-130`, and next-auth 5's `reqWithEnvURL`
// (`src/lib/env.ts:7-13`).

/** Where NextAuth's URLs start (`https://app.acme-saas.com`, `…/api/auth`), or Auth.js refusing the host. */
export type AuthUrl = { origin: string; base: string } | { untrusted: true };

/** next-auth 4's parseUrl: no NEXTAUTH_URL means http://localhost:3000; a bare host gets https://. */
function parseUrl(url: string | undefined): { origin: string; base: string } {
  const defaultUrl = new URL('http://localhost:3000/api/auth');
  if (url && !url.startsWith('http')) url = `https://${url}`;
  const parsed = new URL(url ?? defaultUrl);
  const path = (parsed.pathname === '/' ? defaultUrl.pathname : parsed.pathname).replace(/\/$/, '');
  return { origin: parsed.origin, base: `${parsed.origin}${path}` };
}

export function authUrl(ctx: RequestContext): AuthUrl {
  const { version, trustHostOption, env } = ctx.config.auth;
  const forwardedHost = header(ctx, 'x-forwarded-host') ?? header(ctx, 'host');
  const protocol = header(ctx, 'x-forwarded-proto');
  if (compareVersions(version, '5.0.0-0') < 0) {
    // detectOrigin(forwardedHost, protocol); 4.24.15 put `if (NEXTAUTH_URL) return NEXTAUTH_URL` first.
    // next-auth 4 has no trustHost option: the app's trustHostOption is not read.
    let origin: string | undefined;
    if (compareVersions(version, '4.24.15') >= 0 && env.NEXTAUTH_URL) origin = env.NEXTAUTH_URL;
    else if (env.VERCEL ?? env.AUTH_TRUST_HOST) origin = `${protocol === 'http' ? 'http' : 'https'}://${forwardedHost}`;
    else origin = env.NEXTAUTH_URL;
    return parseUrl(origin);
  }
  // `next start` sets NODE_ENV=production when it is unset: the sandbox is a production deployment.
  const nodeEnv = env.NODE_ENV ?? 'production';
  const trustHost =
    trustHostOption ??
    (compareVersions(version, '5.0.0-beta.6') < 0
      ? !!(env.AUTH_URL ?? env.NEXTAUTH_URL ?? env.AUTH_TRUST_HOST ?? env.VERCEL ?? nodeEnv !== 'production')
      : !!(env.AUTH_URL ?? env.AUTH_TRUST_HOST ?? env.VERCEL ?? env.CF_PAGES ?? nodeEnv !== 'production'));
  if (!trustHost) return { untrusted: true };
  // reqWithEnvURL, else the request's own URL (Next fills x-forwarded-host from Host).
  const envUrl = env.AUTH_URL ?? env.NEXTAUTH_URL;
  const origin = envUrl ? new URL(envUrl).origin : new URL(`${protocol ?? 'https'}://${forwardedHost}`).origin;
  return { origin, base: `${origin}/api/auth` };
}

/** Auth.js v5 with an untrusted host: the HTML pages render the configuration error, the rest is 500 JSON. */
function untrustedHost(ctx: RequestContext, action: string | undefined): AppResponse {
  if (ctx.method === 'GET' && ['signin', 'signout', 'error', 'verify-request'].includes(action ?? '')) {
    return {
      status: 500,
      html: '<!DOCTYPE html><html lang="en"><head><title>Error</title></head><body><h1>Server error</h1><p>There is a problem with the server configuration.</p><p>Check the server logs for more information.</p></body></html>',
    };
  }
  return { status: 500, json: { message: 'There was a problem with the server configuration. Check the server logs for more information.' } };
}

/** The app's NextAuth pages (`pages: { signIn: '/auth/login' }`). */
const SIGN_IN_PAGE = '/auth/login';

/** The authorization endpoint and scope of the app's OAuth 2 providers, and the checks each uses (state, PKCE). */
function authorizationUrl(provider: string, config: RequestContext['config'], origin: string): { url: URL; checks: Array<'state' | 'pkce'> } | undefined {
  if (provider === 'github') return { url: new URL('https://github.com/login/oauth/authorize?scope=read%3Auser+user%3Aemail'), checks: ['state'] };
  if (provider === 'google') return { url: new URL('https://accounts.google.com/o/oauth2/v2/auth?scope=openid+email+profile'), checks: ['pkce', 'state'] };
  if (provider === 'boxyhq-saml') return { url: new URL('/api/oauth/authorize', config.appUrl ?? origin), checks: ['pkce', 'state'] };
  return undefined;
}

export async function nextAuthHandler(ctx: RequestContext): Promise<AppResponse> {
  const [action, providerId] = (ctx.params.nextauth ?? '').split('/');
  const where = authUrl(ctx);
  if ('untrusted' in where) return untrustedHost(ctx, action);
  const { origin, base } = where;
  const secure = origin.startsWith('https://');

  if (ctx.method === 'GET' && action === 'providers' && !providerId) {
    const providers: Record<string, unknown> = {};
    for (const p of ctx.config.providers) {
      providers[p.id] = {
        id: p.id,
        name: p.name,
        type: p.type,
        signinUrl: `${base}/signin/${p.id}`,
        callbackUrl: `${base}/callback/${p.id}`,
      };
    }
    return { status: 200, json: providers };
  }
  if (ctx.method === 'GET' && action === 'csrf' && !providerId) {
    const { token, cookies } = csrf(ctx, ctx.config, secure, origin);
    return { status: 200, json: { csrfToken: token }, headers: cookies.length ? { 'Set-Cookie': cookies } : {} };
  }
  if (ctx.method === 'GET' && action === 'session' && !providerId) {
    // Plus the CSRF and callback cookies NextAuth's init() issues to every visitor.
    const { cookies } = csrf(ctx, ctx.config, secure, origin);
    const headers: Record<string, string[]> = cookies.length ? { 'Set-Cookie': cookies } : {};
    const user = await currentSession(ctx.db, ctx.config, ctx.cookies);
    if (!user) return { status: 200, json: {}, headers };
    return {
      status: 200,
      json: { user: { id: user.id, name: user.name, email: user.email, image: user.image }, expires: user.expires },
      headers,
    };
  }
  if (ctx.method === 'GET' && action === 'signin' && !providerId) {
    // With pages.signIn: to the app's page with the callbackUrl (core/index.ts, GET "signin"), and
    // the cookies init() issues.
    const { callbackUrl, cookies } = callbackOf(ctx, ctx.url.searchParams.get('callbackUrl') ?? undefined, secure, origin);
    const { cookies: csrfCookies } = csrf(ctx, ctx.config, secure, origin);
    const set = [...csrfCookies.filter((c) => !c.includes('callback-url')), ...cookies];
    return { status: 302, headers: { Location: `${SIGN_IN_PAGE}?callbackUrl=${encodeURIComponent(callbackUrl)}`, ...(set.length ? { 'Set-Cookie': set } : {}) } };
  }
  if (ctx.method === 'POST' && action === 'signin' && providerId) {
    return oauthSignIn(ctx, providerId, secure, base, origin);
  }
  if (ctx.method === 'POST' && action === 'callback' && providerId === 'credentials' && ctx.config.providers.some((p) => p.id === 'credentials')) {
    return credentialsSignIn(ctx, secure, base, origin);
  }
  if (ctx.method === 'POST' && action === 'signout' && !providerId) {
    return signOut(ctx, secure, base, origin);
  }
  // An action the library does not know: v4 answers its error text, Auth.js v5 a JSON string.
  if (ctx.config.authFamily === 'authjs-v5') return { status: 400, json: 'Bad request.' };
  return {
    status: 400,
    text: `Error: This action with HTTP ${ctx.method} is not supported by NextAuth.js`,
  };
}

/** A POST body of NextAuth's forms: urlencoded (what its client sends) or JSON. */
async function formBody(ctx: RequestContext): Promise<Record<string, string>> {
  const raw = (await ctx.rawBody()).toString('utf8');
  const type = header(ctx, 'content-type') ?? '';
  if (/application\/json/i.test(type)) {
    try {
      const parsed = JSON.parse(raw) as unknown;
      if (typeof parsed !== 'object' || parsed === null) return {};
      return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(raw));
}

/** next-auth's API handler: `{url}` for `json=true` posts, a 302 otherwise. */
function redirectTo(url: string, body: Record<string, string>, status = 200, cookies: string[] = []): AppResponse {
  const headers: Record<string, string | string[]> = cookies.length ? { 'Set-Cookie': cookies } : {};
  if (body.json !== 'true') return { status: 302, headers: { ...headers, Location: url } };
  return { status, json: { url }, headers };
}

/** A callbackUrl is followed only on the site's own origin (NextAuth's default `redirect` callback). */
function safeCallback(value: string | undefined, origin: string): string {
  if (value?.startsWith('/')) return `${origin}${value}`;
  try {
    if (value && new URL(value).origin === origin) return value;
  } catch {
    // Not a URL: the site's root.
  }
  return origin;
}

/**
 * createCallbackUrl (core/lib/callback-url.ts): the request's callbackUrl, else the cookie's, through
 * the default redirect callback; the cookie is (re)set when the value changed.
 */
function callbackOf(ctx: RequestContext, param: string | undefined, secure: boolean, origin: string): { callbackUrl: string; cookies: string[] } {
  const name = authCookieNames(secure).callbackUrl;
  const cookieValue = ctx.cookies[name];
  let callbackUrl = origin;
  if (param) callbackUrl = safeCallback(param, origin);
  else if (cookieValue) callbackUrl = safeCallback(cookieValue, origin);
  return { callbackUrl, cookies: callbackUrl !== cookieValue ? [serializeCookie(name, callbackUrl, secure)] : [] };
}

/**
 * `POST /api/auth/signin/<provider>` with the CSRF pair, for an OAuth provider: the redirect to its
 * authorization endpoint with `redirect_uri` = `<base>/callback/<id>`, and the state (and PKCE)
 * cookies (routes/signin.ts → lib/oauth/authorization-url.ts). Nothing is stored on the server. The
 * e-mail provider's sign-in (it sends a mail) is not emulated.
 */
async function oauthSignIn(ctx: RequestContext, providerId: string, secure: boolean, base: string, origin: string): Promise<AppResponse> {
  const body = await formBody(ctx);
  if (!validCsrf(ctx, secure, body.csrfToken)) return redirectTo(`${base}/signin?csrf=true`, body);
  const provider = ctx.config.providers.find((p) => p.id === providerId);
  const endpoint = provider?.type === 'oauth' ? authorizationUrl(provider.id, ctx.config, origin) : undefined;
  if (!provider || !endpoint) return redirectTo(`${base}/signin`, body);
  const { cookies } = callbackOf(ctx, body.callbackUrl, secure, origin);
  const prefix = secure ? '__Secure-' : '';
  const url = endpoint.url;
  url.searchParams.set('client_id', ctx.config.oauth[provider.id]?.clientId ?? '');
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('redirect_uri', `${base}/callback/${provider.id}`);
  const state = randomBytes(32).toString('base64url');
  url.searchParams.set('state', state);
  cookies.push(`${serializeCookie(`${prefix}next-auth.state`, state, secure)}; Max-Age=900`);
  if (endpoint.checks.includes('pkce')) {
    const verifier = randomBytes(32).toString('base64url');
    url.searchParams.set('code_challenge', createHash('sha256').update(verifier).digest('base64url'));
    url.searchParams.set('code_challenge_method', 'S256');
    cookies.push(`${serializeCookie(`${prefix}next-auth.pkce.code_verifier`, verifier, secure)}; Max-Age=900`);
  }
  return redirectTo(url.toString(), body, 200, cookies);
}

/** `authorize()` of the app's credentials provider, then a database session like its signIn callback creates. */
async function credentialsSignIn(ctx: RequestContext, secure: boolean, base: string, origin: string): Promise<AppResponse> {
  const body = await formBody(ctx);
  if (!validCsrf(ctx, secure, body.csrfToken)) return redirectTo(`${base}/signin?csrf=true`, body);
  const email = (body.email ?? '').trim().toLowerCase();
  const { rows } = await ctx.db.query<{ id: string; password: string | null }>('SELECT "id", "password" FROM "User" WHERE "email" = $1', [email]);
  const user = rows[0];
  // The app throws `invalid-credentials` for an unknown email and for a wrong password alike.
  if (!user || !body.password || !(await verifyPassword(body.password, user.password))) {
    return redirectTo(`${base}/error?error=invalid-credentials`, body, 401);
  }
  const token = randomBytes(32).toString('hex');
  await ctx.db.query(
    `INSERT INTO "Session" ("id", "sessionToken", "userId", "expires")
     VALUES ($1, $2, $3, (now() AT TIME ZONE 'UTC') + make_interval(secs => $4))`,
    [randomUUID(), token, user.id, SESSION_MAX_AGE_S],
  );
  const names = authCookieNames(secure, ctx.config.authFamily);
  const expires = new Date(Date.now() + SESSION_MAX_AGE_S * 1000);
  const cookie = `${serializeCookie(names.sessionToken, token, secure)}; Expires=${expires.toUTCString()}`;
  return redirectTo(safeCallback(body.callbackUrl, origin), body, 200, [cookie]);
}

async function signOut(ctx: RequestContext, secure: boolean, base: string, origin: string): Promise<AppResponse> {
  const body = await formBody(ctx);
  if (!validCsrf(ctx, secure, body.csrfToken)) return redirectTo(`${base}/signout?csrf=true`, body);
  const names = authCookieNames(secure, ctx.config.authFamily);
  const token = ctx.cookies[names.sessionToken];
  if (token) await ctx.db.query('DELETE FROM "Session" WHERE "sessionToken" = $1', [token]);
  const cleared = `${names.sessionToken}=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; ${secure ? 'Secure; ' : ''}SameSite=Lax`;
  return redirectTo(safeCallback(body.callbackUrl, origin), body, 200, [cleared]);
}

/** The double-submit check: the posted token must be the one the CSRF cookie vouches for. */
function validCsrf(ctx: RequestContext, secure: boolean, posted: string | undefined): boolean {
  const existing = ctx.cookies[authCookieNames(secure, ctx.config.authFamily).csrfToken];
  if (!existing || !posted) return false;
  const [value, hash] = existing.split('|');
  return !!value && !!hash && value === posted && hash === sha256(`${value}${ctx.config.nextAuthSecret ?? ''}`);
}

/**
 * NextAuth's double-submit CSRF token: the cookie holds `<token>|sha256(<token><secret>)`; a valid
 * cookie is reused, otherwise a new token is issued. The callback-url cookie is set on first contact.
 */
function csrf(ctx: RequestContext, config: AppConfig, secure: boolean, origin: string): { token: string; cookies: string[] } {
  const names = authCookieNames(secure, config.authFamily);
  const secret = config.nextAuthSecret ?? '';
  const cookies: string[] = [];
  const existing = ctx.cookies[names.csrfToken];
  let token: string | undefined;
  if (existing) {
    const [value, hash] = existing.split('|');
    if (value && hash && hash === sha256(`${value}${secret}`)) token = value;
  }
  if (!token) {
    token = randomBytes(32).toString('hex');
    cookies.push(serializeCookie(names.csrfToken, `${token}|${sha256(`${token}${secret}`)}`, secure));
  }
  if (!ctx.cookies[names.callbackUrl]) cookies.push(serializeCookie(names.callbackUrl, origin, secure));
  return { token, cookies };
}

/** The `cookie` package's serialisation with NextAuth's options (httpOnly, sameSite lax, path /). */
function serializeCookie(name: string, value: string, secure: boolean): string {
  return `${name}=${encodeURIComponent(value)}; Path=/; HttpOnly; ${secure ? 'Secure; ' : ''}SameSite=Lax`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function header(ctx: RequestContext, name: string): string | undefined {
  const v = ctx.req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
