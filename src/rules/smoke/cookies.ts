/**
 * A small cookie jar for the sign-in flows: what a browser keeps between requests to one site.
 * Set-Cookie is parsed with RFC 6265's rules that matter for one origin (Domain, Path, Secure,
 * Expires/Max-Age) and the `__Secure-`/`__Host-` prefix rules browsers enforce, so a cookie a
 * browser would drop is dropped here too, and said so. Values never leave the jar except in the
 * Cookie header: reports get names only.
 */

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
    const [pair = '', ...attributes] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) return;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (!name) return;
    const host = target.hostname.toLowerCase();
    let domain: string | undefined;
    let path: string | undefined;
    let secure = false;
    let expires: number | undefined;
    let maxAge: number | undefined;
    for (const attribute of attributes) {
      const i = attribute.indexOf('=');
      const key = (i < 0 ? attribute : attribute.slice(0, i)).trim().toLowerCase();
      const val = i < 0 ? '' : attribute.slice(i + 1).trim();
      if (key === 'domain' && val) domain = val.replace(/^\./, '').toLowerCase();
      else if (key === 'path') path = val.startsWith('/') ? val : undefined;
      else if (key === 'secure') secure = true;
      else if (key === 'expires') {
        const t = Date.parse(val);
        if (!Number.isNaN(t)) expires = t;
      } else if (key === 'max-age' && /^-?\d+$/.test(val)) maxAge = Number(val);
    }
    if (maxAge !== undefined) expires = maxAge <= 0 ? 0 : now + maxAge * 1000;
    const reject = (reason: string): void => {
      this.rejected.push({ name, reason });
    };
    if (domain !== undefined && !domainMatch(host, domain)) return reject(`its Domain=${domain} does not cover ${host}`);
    if (secure && target.protocol !== 'https:') return reject('it is Secure but came over http');
    if ((name.startsWith('__Secure-') || name.startsWith('__Host-')) && !secure) return reject(`a ${name.startsWith('__Host-') ? '__Host-' : '__Secure-'} cookie must be Secure`);
    if (name.startsWith('__Host-') && (domain !== undefined || path !== '/')) return reject('a __Host- cookie must have Path=/ and no Domain');
    const cookie: StoredCookie = {
      name,
      value,
      domain: domain ?? host,
      hostOnly: domain === undefined,
      path: path ?? defaultPath(target.pathname),
      secure,
      expires,
    };
    this.cookies = this.cookies.filter((c) => !(c.name === cookie.name && c.domain === cookie.domain && c.path === cookie.path));
    // An expired cookie (Max-Age=0, a past Expires) is how a server deletes one.
    if (cookie.expires === undefined || cookie.expires > now) this.cookies.push(cookie);
  }
}

function domainMatch(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}

function pathMatch(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

/** RFC 6265 §5.1.4: the request path up to its last slash. */
function defaultPath(requestPath: string): string {
  if (!requestPath.startsWith('/')) return '/';
  const last = requestPath.lastIndexOf('/');
  return last <= 0 ? '/' : requestPath.slice(0, last);
}
