/**
 * A small cookie jar for the sign-in flows: what a browser keeps between requests to one site.
 * Set-Cookie is parsed and judged by the gate's one cookie module (src/probes/cookies.ts: RFC
 * 6265bis as browsers apply it), so a cookie a browser would drop is dropped here too, and said so.
 * Values never leave the jar except in the Cookie header: reports get names only.
 */
import { defaultPath, domainMatch, parseSetCookieLine, storageRefusal } from '../../probes/cookies.js';

interface StoredCookie {
  name: string;
  value: string;
  domain: string;
  hostOnly: boolean;
  path: string;
  secure: boolean;
  /** Epoch ms, or undefined for a session cookie. */
  expires?: number;
}

export interface RejectedCookie {
  name: string;
  reason: string;
}

export class CookieJar {
  private cookies: StoredCookie[] = [];
  /** Cookies a browser would have refused, with the reason (names only). */
  readonly rejected: RejectedCookie[] = [];

  /** Keeps the cookies of a response to `url` (its Set-Cookie lines). */
  store(url: string, setCookies: readonly string[], now = Date.now()): void {
    const target = new URL(url);
    for (const line of setCookies) this.storeOne(target, line, now);
  }

  /** The Cookie header for a request to `url`, or undefined when no cookie applies. */
  header(url: string, now = Date.now()): string | undefined {
    const target = new URL(url);
    const host = target.hostname.toLowerCase();
    this.cookies = this.cookies.filter((c) => c.expires === undefined || c.expires > now);
    const matching = this.cookies
      .filter((c) => (c.hostOnly ? host === c.domain : domainMatch(host, c.domain)))
      .filter((c) => pathMatch(target.pathname || '/', c.path))
      .filter((c) => !c.secure || target.protocol === 'https:')
      // Longer paths first, as browsers send them.
      .sort((a, b) => b.path.length - a.path.length);
    return matching.length ? matching.map((c) => `${c.name}=${c.value}`).join('; ') : undefined;
  }

  /** Names of the cookies held (for reports: never values). */
  names(): string[] {
    return this.cookies.map((c) => c.name);
  }

  has(name: string): boolean {
    return this.cookies.some((c) => c.name === name);
  }

  private storeOne(target: URL, line: string, now: number): void {
    const { cookie: parsed, value } = parseSetCookieLine(line);
    // A nameless cookie is stored by browsers, but no app of this kind sets one: the jar skips it.
    if (!parsed.name) return;
    const refusal = storageRefusal(parsed, target);
    if (refusal) {
      this.rejected.push({ name: parsed.name, reason: refusal });
      return;
    }
    const host = target.hostname.toLowerCase();
    let expires = parsed.expires;
    if (parsed.maxAge !== undefined) expires = parsed.maxAge <= 0 ? 0 : now + parsed.maxAge * 1000;
    const cookie: StoredCookie = {
      name: parsed.name,
      value,
      domain: parsed.domain ?? host,
      hostOnly: parsed.domain === undefined,
      path: parsed.path ?? defaultPath(target.pathname),
      secure: parsed.secure,
      expires,
    };
    this.cookies = this.cookies.filter((c) => !(c.name === cookie.name && c.domain === cookie.domain && c.path === cookie.path));
    // An expired cookie (Max-Age=0, a past Expires) is how a server deletes one.
    if (cookie.expires === undefined || cookie.expires > now) this.cookies.push(cookie);
  }
}

function pathMatch(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}
