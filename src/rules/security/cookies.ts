/**
 * security.cookies: the attributes of the cookies NextAuth sets for a signed-out visitor. GET
 * `/api/auth/csrf` and `/api/auth/session` issue the CSRF cookie (`__Host-next-auth.csrf-token`)
 * and the callback-URL cookie (`__Secure-next-auth.callback-url`). The session cookie comes only
 * with a sign-in, which needs an account: it is judged when an endpoint happens to set it, and
 * otherwise said to be unchecked. Cookie values are never shown: the CSRF token is a secret.
 */
import type { Rule } from '../../engine/types.js';
import { safeUrl, type ProbeResponse } from '../../probes/http.js';
import { appOrigin, appUrlFor, NO_TARGET } from '../../probes/target.js';
import { probeFailure } from './app-target.js';
import { code, outcomeOf, type Problem } from './problems.js';

/** The NextAuth endpoints that set cookies without a session (NextAuth v4 `init()`). */
export const AUTH_COOKIE_PATHS = ['/api/auth/csrf', '/api/auth/session'] as const;

export interface SetCookie {
  name: string;
  secure: boolean;
  httpOnly: boolean;
  /** Lax, Strict or None; undefined when absent or not one of those (browsers then apply their default). */
  sameSite?: 'Strict' | 'Lax' | 'None';
  /** The SameSite attribute as written, when present. */
  sameSiteRaw?: string;
  path?: string;
  domain?: string;
  /** The header with the value replaced by `…`, for messages. */
  shown: string;
}

/**
 * RFC 6265bis §5.6: the name=value pair up to the first `;`, then attributes whose names are
 * case-insensitive; a repeated attribute's last value wins; Domain loses a leading dot; a Path not
 * starting with `/` is ignored; an unknown SameSite value counts as unspecified.
 */
export function parseSetCookie(line: string): SetCookie {
  const [pair = '', ...attributes] = line.split(';');
  const eq = pair.indexOf('=');
  const name = eq < 0 ? '' : pair.slice(0, eq).trim();
  const cookie: SetCookie = { name, secure: false, httpOnly: false, shown: '' };
  const kept: string[] = [];
  for (const raw of attributes) {
    const attribute = raw.trim();
    if (!attribute) continue;
    kept.push(attribute);
    const at = attribute.indexOf('=');
    const key = (at < 0 ? attribute : attribute.slice(0, at)).trim().toLowerCase();
    const value = at < 0 ? '' : attribute.slice(at + 1).trim();
    if (key === 'secure') cookie.secure = true;
    else if (key === 'httponly') cookie.httpOnly = true;
    else if (key === 'samesite') {
      cookie.sameSiteRaw = value;
      const known = ({ strict: 'Strict', lax: 'Lax', none: 'None' } as const)[value.toLowerCase() as 'strict' | 'lax' | 'none'];
      cookie.sameSite = known;
    } else if (key === 'path') cookie.path = value.startsWith('/') ? value : undefined;
    else if (key === 'domain') cookie.domain = value.replace(/^\./, '') || undefined;
  }
  cookie.shown = [`${name}=…`, ...kept].join('; ');
  return cookie;
}

export type CookieRole = 'session' | 'csrf' | 'other';

/** NextAuth's (and Auth.js') names; a large session cookie is split into `.0`, `.1` … chunks. */
export function cookieRole(name: string): CookieRole {
  if (/session-token(\.\d+)?$/i.test(name)) return 'session';
  if (/csrf-token$/i.test(name)) return 'csrf';
  return 'other';
}

function prefixOf(name: string): '__Host-' | '__Secure-' | undefined {
  // Browsers match the prefixes case-insensitively (RFC 6265bis).
  if (/^__host-/i.test(name)) return '__Host-';
  if (/^__secure-/i.test(name)) return '__Secure-';
  return undefined;
}

const isAuthCookie = (name: string) => /(^|[-.])(next-auth|authjs)\./i.test(name);

export function judgeCookie(cookie: SetCookie): Problem[] {
  const problems: Problem[] = [];
  const role = cookieRole(cookie.name);
  const prefix = prefixOf(cookie.name);
  const shown = code(cookie.shown);
  const sensitive = role === 'session' ? 'the session token' : 'the CSRF token';
  if (!cookie.secure) {
    problems.push({
      level: 'fail',
      message: `${shown} lacks \`Secure\`: browsers send it over plain HTTP too${prefix ? `, and reject a ${prefix} cookie without Secure, so it is never stored` : ''}`,
      fix: 'Set the cookie with `Secure` (NextAuth does when NEXTAUTH_URL is https://).',
    });
  }
  if (prefix === '__Host-' && (cookie.path !== '/' || cookie.domain !== undefined)) {
    problems.push({
      level: 'fail',
      message: `${shown} breaks the \`__Host-\` rules (${[cookie.path !== '/' ? `Path is ${cookie.path ? code(cookie.path) : 'not set'}, not \`/\`` : '', cookie.domain !== undefined ? `Domain is ${code(cookie.domain)}` : ''].filter(Boolean).join('; ')}): browsers reject it, so it is never stored`,
      fix: 'A `__Host-` cookie needs `Secure`, `Path=/` and no `Domain`: remove the Domain attribute (cookies.*.options.domain in the NextAuth options).',
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
  } else if (cookie.sameSite === undefined) {
    problems.push({
      level: 'warn',
      message: `${shown} has ${cookie.sameSiteRaw === undefined ? 'no SameSite' : `an unknown SameSite value ${code(cookie.sameSiteRaw)}`}: Chrome then treats it as Lax, other browsers may send it cross-site`,
      fix: 'Set `SameSite=Lax` (NextAuth\'s default) or `Strict`.',
    });
  }
  if (!prefix && (role !== 'other' || isAuthCookie(cookie.name))) {
    problems.push({
      level: role === 'other' ? 'warn' : 'fail',
      message: `${code(cookie.name)} has no \`__Host-\`/\`__Secure-\` prefix, so a subdomain or a plain-HTTP page can overwrite it (NextAuth drops the prefixes when NEXTAUTH_URL is not https://)`,
      fix: 'Set NEXTAUTH_URL to the https:// origin so NextAuth uses `__Secure-`/`__Host-` cookies, or prefix custom cookie names.',
    });
  }
  if (role !== 'other' && prefix !== '__Host-' && cookie.domain !== undefined) {
    problems.push({
      level: 'warn',
      message: `${shown} is shared with every subdomain of ${code(cookie.domain)}`,
      fix: 'Leave out the Domain attribute unless subdomains must share the sign-in.',
    });
  }
  return problems;
}

export const securityCookies: Rule = {
  // After the opt-in sign-in, whose session cookie (attributes only, value masked) is judged too.
  meta: { id: 'security.cookies', section: 'security', title: 'Auth cookie attributes', docs: 'docs/deployment-guide.md', after: ['smoke.login-flow'] },
  async check({ settings, clients, signal, results }) {
    const origin = appOrigin(settings);
    if (!origin) return NO_TARGET;
    const urls = AUTH_COOKIE_PATHS.map((path) => appUrlFor(origin, path));
    let responses: ProbeResponse[];
    try {
      responses = await Promise.all(urls.map((url) => clients.http().request({ url }, signal)));
    } catch (error) {
      return probeFailure(error, `GET ${urls.join(', ')}`);
    }
    // Each request comes without cookies, so both endpoints may set the same one: judge it once.
    const cookies = new Map<string, { cookie: SetCookie; from: string }>();
    responses.forEach((response, i) => {
      for (const line of response.cookies) {
        const cookie = parseSetCookie(line);
        if (!cookies.has(cookie.name)) cookies.set(cookie.name, { cookie, from: AUTH_COOKIE_PATHS[i]! });
      }
    });
    const signIn = results.get('smoke.login-flow')?.data?.sessionCookies;
    if (Array.isArray(signIn)) {
      for (const shown of signIn) {
        const cookie = parseSetCookie(String(shown));
        if (!cookies.has(cookie.name)) cookies.set(cookie.name, { cookie, from: 'the sign-in (smoke.login-flow)' });
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
    return outcomeOf(list.flatMap(({ cookie }) => judgeCookie(cookie)), {
      summary: `${list.map(({ cookie }) => code(cookie.name)).join(', ')}: Secure, HttpOnly where it matters, SameSite Lax/Strict, prefixed`,
      details,
      data,
    });
  },
};
