/**
 * security.cookies: the attributes of the cookies NextAuth sets for a signed-out visitor. GET
 * `/api/auth/csrf` and `/api/auth/session` issue the CSRF cookie (`__Host-next-auth.csrf-token`)
 * and the callback-URL cookie (`__Secure-next-auth.callback-url`). The session cookie comes only
 * with a sign-in, which needs an account: it is judged when an endpoint happens to set it, and
 * otherwise said to be unchecked. Cookie values are never shown: the CSRF token is a secret.
 */
import { defineRule } from '../index.js';
import { safeUrl, type ProbeResponse } from '../../probes/http.js';
import { appOrigin, appUrlFor } from '../../probes/target.js';
import { SIGN_IN_COOKIES } from '../handoffs.js';
import { noTarget } from '../live.js';
import { parseSetCookie, prefixOf, storageRefusal, type SetCookie } from '../../probes/cookies.js';
import { probeFailure } from './app-target.js';
import { code, outcomeOf, type Problem } from './problems.js';

/** The NextAuth endpoints that set cookies without a session (NextAuth v4 `init()`). */
export const AUTH_COOKIE_PATHS = ['/api/auth/csrf', '/api/auth/session'] as const;

export type CookieRole = 'session' | 'csrf' | 'other';

/** NextAuth's (and Auth.js') names; a large session cookie is split into `.0`, `.1` … chunks. */
export function cookieRole(name: string): CookieRole {
  if (/session-token(\.\d+)?$/i.test(name)) return 'session';
  if (/csrf-token$/i.test(name)) return 'csrf';
  return 'other';
}

const isAuthCookie = (name: string) => /(^|[-.])(next-auth|authjs)\./i.test(name);

/**
 * The problems of one cookie set by a response to `url`, judged by what browsers do with it (see
 * src/probes/cookies.ts): a cookie they refuse is never stored, whatever its other attributes.
 */
export function judgeCookie(cookie: SetCookie, url: URL): Problem[] {
  const problems: Problem[] = [];
  const role = cookieRole(cookie.name);
  const prefix = prefixOf(cookie.name);
  const shown = code(cookie.shown);
  const sensitive = role === 'session' ? 'the session token' : 'the CSRF token';
  const auth = role !== 'other' || isAuthCookie(cookie.name);
  const refusal = storageRefusal(cookie, url);
  if (refusal && !(prefix && !cookie.secure)) {
    // A prefix without Secure is said below, with the missing flag.
    problems.push({
      level: auth ? 'fail' : 'warn',
      message: /__Host- cookie must have/.test(refusal)
        ? `${shown} breaks the \`__Host-\` rules (${[cookie.path !== '/' ? `Path is ${cookie.path ? code(cookie.path) : 'not set'}, not \`/\`` : '', cookie.domain !== undefined ? `Domain is ${code(cookie.domain)}` : ''].filter(Boolean).join('; ')}): browsers reject it, so it is never stored`
        : `${shown} is refused by browsers (${refusal}), so it is never stored${auth ? ': the sign-in cannot work' : ''}`,
      fix: /Domain=/.test(refusal)
        ? `Remove the Domain attribute, or set it to ${code(url.hostname)} or a parent domain of it (cookies.*.options.domain in the NextAuth options).`
        : 'A `__Host-` cookie needs `Secure`, `Path=/` and no `Domain`: remove the Domain attribute (cookies.*.options.domain in the NextAuth options).',
    });
  }
  if (!cookie.secure) {
    problems.push({
      level: 'fail',
      message: `${shown} lacks \`Secure\`: browsers send it over plain HTTP too${prefix ? `, and reject a ${prefix.prefix} cookie without Secure, so it is never stored` : ''}`,
      fix: 'Set the cookie with `Secure` (NextAuth does when NEXTAUTH_URL is https://).',
    });
  }
  if (role !== 'other' && !cookie.httpOnly) {
    problems.push({
      level: 'fail',
      message: `${shown} lacks \`HttpOnly\`: a script (any XSS) can read ${sensitive}`,
      fix: 'Set the cookie with `HttpOnly` (NextAuth\'s default; check cookies.*.options.httpOnly in the NextAuth options).',
    });
  }
  if (cookie.sameSite === 'None') {
    problems.push({
      level: 'fail',
      message: `${shown} has \`SameSite=None\`: browsers send it with cross-site requests`,
      fix: 'Set `SameSite=Lax` (NextAuth\'s default) or `Strict`.',
    });
  } else if (cookie.sameSite === 'Default') {
    // RFC 6265bis leaves the "Default" enforcement to the browser: Chrome applies Lax, Firefox and
    // Safari None. An unknown value (`SameSite=True`, `SameSite=`) is the same as none at all.
    const written = cookie.sameSiteRaw === undefined ? 'no SameSite' : `${code(`SameSite=${cookie.sameSiteRaw}`)}, which is not Strict, Lax or None, so browsers ignore it`;
    problems.push({
      level: role === 'other' ? 'warn' : 'fail',
      message: `${shown} has ${written}: Firefox and Safari then send it with cross-site requests (as SameSite=None), only Chrome treats it as Lax`,
      fix: 'Set `SameSite=Lax` (NextAuth\'s default) or `Strict`.',
    });
  }
  if (!prefix && auth) {
    problems.push({
      level: role === 'other' ? 'warn' : 'fail',
      message: `${code(cookie.name)} has no \`__Host-\`/\`__Secure-\` prefix, so a subdomain or a plain-HTTP page can overwrite it (NextAuth drops the prefixes when NEXTAUTH_URL is not https://)`,
      fix: 'Set NEXTAUTH_URL to the https:// origin so NextAuth uses `__Secure-`/`__Host-` cookies, or prefix custom cookie names.',
    });
  } else if (prefix && !prefix.exact) {
    problems.push({
      level: 'warn',
      message: `${code(cookie.name)} writes the prefix as ${code(cookie.name.slice(0, prefix.prefix.length))}: Chrome and Firefox enforce it in any case (RFC 6265bis §5.7), Safari only as \`${prefix.prefix}\`, so there the cookie has no prefix protection`,
      fix: `Name the cookie with \`${prefix.prefix}\` exactly as written (RFC 6265bis §4.1.3).`,
    });
  }
  if (!refusal && role !== 'other' && prefix?.prefix !== '__Host-' && cookie.domain !== undefined) {
    problems.push({
      level: 'warn',
      message: `${shown} is shared with every subdomain of ${code(cookie.domain)}`,
      fix: 'Leave out the Domain attribute unless subdomains must share the sign-in.',
    });
  }
  return problems;
}

export const securityCookies = defineRule({
  id: 'security.cookies',
  async check({ settings, clients, signal, shared }) {
    const origin = appOrigin(settings);
    if (!origin) return noTarget(settings);
    const urls = AUTH_COOKIE_PATHS.map((path) => appUrlFor(origin, path));
    let responses: ProbeResponse[];
    try {
      responses = await Promise.all(urls.map((url) => clients.http().request({ url }, signal)));
    } catch (error) {
      return probeFailure(error, `GET ${urls.join(', ')}`);
    }
    // Each request comes without cookies, so both endpoints may set the same one: judge it once.
    const cookies = new Map<string, { cookie: SetCookie; from: string; url: URL }>();
    responses.forEach((response, i) => {
      for (const line of response.cookies) {
        const cookie = parseSetCookie(line);
        if (!cookies.has(cookie.name)) cookies.set(cookie.name, { cookie, from: AUTH_COOKIE_PATHS[i]!, url: new URL(urls[i]!) });
      }
    });
    const signIn = shared.get(SIGN_IN_COOKIES);
    if (signIn) {
      for (const shown of signIn) {
        const cookie = parseSetCookie(shown);
        if (!cookies.has(cookie.name)) cookies.set(cookie.name, { cookie, from: 'the sign-in (smoke.login-flow)', url: new URL(urls[0]!) });
      }
    }
    const answered = responses.map((r, i) => `GET ${safeUrl(urls[i]!)} → ${r.status}${r.headers.location ? ` (${code(r.headers.location)})` : ''}`);
    const list = [...cookies.values()];
    const sessionSeen = list.some(({ cookie }) => cookieRole(cookie.name) === 'session');
    const details = [
      ...answered.map((line) => `- ${line}`),
      ...list.map(({ cookie, from }) => `- ${from} set ${code(cookie.shown)}`),
      sessionSeen ? '' : 'The session cookie (`__Secure-next-auth.session-token`) is set only at sign-in: configure a smoke-account to have it judged.',
    ].filter(Boolean).join('\n');
    const data = { cookies: list.map(({ cookie }) => cookie.name), statuses: responses.map((r) => r.status) };
    if (list.length === 0) {
      return {
        status: 'warn',
        summary: `the auth endpoints set no cookie (${answered.join(', ')}), so there is nothing to judge; NextAuth sets \`__Host-next-auth.csrf-token\` there`,
        details,
        fix: 'Check that NextAuth answers at /api/auth (smoke.auth-providers) and that a proxy does not strip Set-Cookie.',
        data,
      };
    }
    return outcomeOf(list.flatMap(({ cookie, url }) => judgeCookie(cookie, url)), {
      summary: `${list.map(({ cookie }) => code(cookie.name)).join(', ')}: Secure, HttpOnly where it matters, SameSite Lax/Strict, prefixed`,
      details,
      data,
    });
  },
});
