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

/**
 * The origin NextAuth builds its URLs from: NEXTAUTH_URL, except that with `trustHost` the request's
 * X-Forwarded-Host wins (which is why the guide wants NEXTAUTH_TRUST_HOST=false behind a known URL).
 */
export function authOrigin(ctx: RequestContext): string {
  const forwardedHost = header(ctx, 'x-forwarded-host');
  if (ctx.config.trustHost && forwardedHost) {
    const proto = header(ctx, 'x-forwarded-proto') ?? 'https';
    return `${proto}://${forwardedHost}`;
  }
  if (ctx.config.nextAuthUrl) {
    try {
      return new URL(ctx.config.nextAuthUrl).origin;
    } catch {
      // An unparsable NEXTAUTH_URL: NextAuth falls back to the request, as below.
    }
  }
  return ctx.url.origin;
}

export async function nextAuthHandler(ctx: RequestContext): Promise<AppResponse> {
  const [action, providerId] = (ctx.params.nextauth ?? '').split('/');
  const origin = authOrigin(ctx);
  const secure = origin.startsWith('https://');
  const base = `${origin}/api/auth`;

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
