/**
 * NextAuth v4's REST endpoints under `/api/auth` (`pages/api/auth/[...nextauth].ts`), as they behave
 * for a signed-out visitor: `providers`, `csrf`, `session`, with NextAuth's cookie names and flags.
 * The credentials sign-in and the session cookie come with the login flow.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AppConfig } from './app-config.js';
import type { AppResponse, RequestContext } from './app-http.js';

/** NextAuth's cookie names: `__Secure-`/`__Host-` prefixed and `Secure` when the site is https. */
export function authCookieNames(secure: boolean): { sessionToken: string; callbackUrl: string; csrfToken: string } {
  return secure
    ? {
        sessionToken: '__Secure-next-auth.session-token',
        callbackUrl: '__Secure-next-auth.callback-url',
        csrfToken: '__Host-next-auth.csrf-token',
      }
    : { sessionToken: 'next-auth.session-token', callbackUrl: 'next-auth.callback-url', csrfToken: 'next-auth.csrf-token' };
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
    // Signed out: an empty object, plus the CSRF and callback cookies NextAuth's init() issues.
    const { cookies } = csrf(ctx, ctx.config, secure, origin);
    return { status: 200, json: {}, headers: cookies.length ? { 'Set-Cookie': cookies } : {} };
  }
  return {
    status: 400,
    text: `Error: This action with HTTP ${ctx.method} is not supported by NextAuth.js`,
  };
}

/**
 * NextAuth's double-submit CSRF token: the cookie holds `<token>|sha256(<token><secret>)`; a valid
 * cookie is reused, otherwise a new token is issued. The callback-url cookie is set on first contact.
 */
function csrf(ctx: RequestContext, config: AppConfig, secure: boolean, origin: string): { token: string; cookies: string[] } {
  const names = authCookieNames(secure);
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
