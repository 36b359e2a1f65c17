/**
 * Set-Cookie as browsers read and store it: the one parser for the whole gate (security.cookies
 * judges the attributes, the sign-in flows' cookie jar keeps what a browser would keep).
 *
 * Written here rather than taken from a library: `set-cookie-parser` parses the syntax but not the
 * storage model (which cookie a browser refuses, and why), and that model is what decides the
 * verdicts; `tough-cookie` has both but its prefix and SameSite handling follow its own options, not
 * what Chrome, Firefox and Safari do today. Followed here (draft-ietf-httpbis-rfc6265bis, §5.6 and §5.7):
 *
 * - a line with a control character (other than tab) is ignored; so is a cookie whose name and value
 *   are both empty, or longer than 4096 bytes together; a line without `=` is a nameless cookie;
 * - attribute names are case-insensitive; the last occurrence of an attribute wins; an attribute
 *   value over 1024 bytes is ignored; `Domain` loses one leading dot and is lower-cased, an empty one
 *   is ignored; a `Path` that does not start with `/` gives the default path;
 * - `SameSite` other than Strict, Lax or None (any case) leaves the enforcement at "Default": Chrome
 *   then applies Lax, Firefox and Safari None, so an invalid value is as good as `SameSite=None` there;
 * - a `Domain` that does not domain-match the host refuses the whole cookie (it is never stored);
 * - the `__Secure-` and `__Host-` prefixes are matched case-insensitively by user agents (§5.7, since
 *   draft 11; Chrome and Firefox do so, Safari's CFNetwork still compares exactly), while servers are
 *   told to send them exactly so (§4.1.3): a prefix in another case is enforced by most browsers but
 *   protects nothing in Safari, which is why `prefixOf` reports the case too.
 *
 * The public-suffix check (a `Domain=com` is refused) is left out: the gate judges the app's own host.
 */

export type SameSiteEnforcement = 'Strict' | 'Lax' | 'None' | 'Default';

export interface SetCookie {
  name: string;
  secure: boolean;
  httpOnly: boolean;
  partitioned: boolean;
  /** Strict, Lax, None, or Default (absent or not a value browsers know). */
  sameSite: SameSiteEnforcement;
  /** The SameSite attribute as written, when present. */
  sameSiteRaw?: string;
  /** A valid Path attribute (starts with `/`), else undefined (the default path applies). */
  path?: string;
  /** The Domain attribute, without its leading dot, lower-cased; undefined when absent or empty. */
  domain?: string;
  /** Epoch ms from Expires, when it parses. */
  expires?: number;
  /** Max-Age in seconds, when it is a valid delta. */
  maxAge?: number;
  /** Why browsers ignore the line outright (before any storage rule), when they do. */
  ignored?: string;
  /** The header with the value replaced by `…`, for messages: a cookie value is never shown. */
  shown: string;
}

export type CookiePrefix = '__Secure-' | '__Host-';

const MAX_NAME_VALUE_BYTES = 4096;
const MAX_ATTRIBUTE_VALUE_BYTES = 1024;
// RFC 6265bis §5.6 step 1: %x00-08 / %x0A-1F / %x7F.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;
const WSP = /^[ \t]+|[ \t]+$/g;

const bytes = (s: string) => Buffer.byteLength(s);

/** The line parsed, and the cookie's value apart (only the jar keeps it). */
export function parseSetCookieLine(line: string): { cookie: SetCookie; value: string } {
  const semicolon = line.indexOf(';');
  const pair = semicolon < 0 ? line : line.slice(0, semicolon);
  const unparsed = semicolon < 0 ? '' : line.slice(semicolon);
  const eq = pair.indexOf('=');
  const name = (eq < 0 ? '' : pair.slice(0, eq)).replace(WSP, '');
  const value = (eq < 0 ? pair : pair.slice(eq + 1)).replace(WSP, '');
  const cookie: SetCookie = { name, secure: false, httpOnly: false, partitioned: false, sameSite: 'Default', shown: '' };
  const kept: string[] = [];
  for (const raw of unparsed.split(';').slice(1)) {
    const av = raw.replace(WSP, '');
    if (!av) continue;
    kept.push(av);
    const at = av.indexOf('=');
    const key = (at < 0 ? av : av.slice(0, at)).replace(WSP, '').toLowerCase();
    const val = at < 0 ? '' : av.slice(at + 1).replace(WSP, '');
    if (bytes(val) > MAX_ATTRIBUTE_VALUE_BYTES) continue;
    if (key === 'secure') cookie.secure = true;
    else if (key === 'httponly') cookie.httpOnly = true;
    else if (key === 'partitioned') cookie.partitioned = true;
    else if (key === 'samesite') {
      cookie.sameSiteRaw = val;
      cookie.sameSite = ({ strict: 'Strict', lax: 'Lax', none: 'None' } as const)[val.toLowerCase() as 'strict' | 'lax' | 'none'] ?? 'Default';
    } else if (key === 'path') cookie.path = val.startsWith('/') ? val : undefined;
    else if (key === 'domain') cookie.domain = val ? val.replace(/^\./, '').toLowerCase() || undefined : undefined;
    else if (key === 'max-age') {
      if (/^-?\d+$/.test(val)) cookie.maxAge = Number(val);
    } else if (key === 'expires') {
      const t = Date.parse(val);
      if (!Number.isNaN(t)) cookie.expires = t;
    }
  }
  cookie.shown = [`${name}=…`, ...kept].join('; ');
  if (CONTROL.test(line)) cookie.ignored = 'it contains a control character';
  else if (!name && !value) cookie.ignored = 'its name and value are both empty';
  else if (bytes(name) + bytes(value) > MAX_NAME_VALUE_BYTES) cookie.ignored = 'its name and value are longer than 4096 bytes';
  else if (!name && /^__(secure|host)-/i.test(value)) cookie.ignored = 'a nameless cookie whose value starts with a cookie prefix';
  return { cookie, value };
}

/** A Set-Cookie line's name and attributes (never its value). */
export function parseSetCookie(line: string): SetCookie {
  return parseSetCookieLine(line).cookie;
}

/** The prefix browsers enforce on the name, and whether it is written exactly (Safari needs that). */
export function prefixOf(name: string): { prefix: CookiePrefix; exact: boolean } | undefined {
  for (const prefix of ['__Secure-', '__Host-'] as const) {
    if (name.toLowerCase().startsWith(prefix.toLowerCase())) return { prefix, exact: name.startsWith(prefix) };
  }
  return undefined;
}

/** RFC 6265bis §5.1.3: the host is the domain, or a subdomain of it (never for an IP address). */
export function domainMatch(host: string, domain: string): boolean {
  const h = host.toLowerCase();
  const d = domain.toLowerCase();
  if (h === d) return true;
  const isIp = /^[\d.]+$/.test(h) || h.includes(':');
  return !isIp && h.endsWith(`.${d}`);
}

/** RFC 6265bis §5.1.4: the request path up to its last slash. */
export function defaultPath(requestPath: string): string {
  if (!requestPath.startsWith('/')) return '/';
  const last = requestPath.lastIndexOf('/');
  return last <= 0 ? '/' : requestPath.slice(0, last);
}

/**
 * Why a browser would not store the cookie set by a response to `url`, or undefined when it stores
 * it (§5.7, the steps that depend on the cookie and the URL alone).
 */
export function storageRefusal(cookie: SetCookie, url: URL): string | undefined {
  if (cookie.ignored) return cookie.ignored;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (cookie.domain !== undefined && !domainMatch(host, cookie.domain)) return `its Domain=${cookie.domain} does not cover ${host}`;
  if (cookie.secure && url.protocol !== 'https:') return 'it is Secure but came over http';
  const prefix = prefixOf(cookie.name);
  if (prefix && !cookie.secure) return `a ${prefix.prefix} cookie must be Secure`;
  if (prefix?.prefix === '__Host-' && (cookie.domain !== undefined || cookie.path !== '/')) return 'a __Host- cookie must have Path=/ and no Domain';
  return undefined;
}
