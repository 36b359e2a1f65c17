/**
 * Where an answer repeats a host name the request made up: the forged-host probe sends a random
 * `*.invalid` name as `Host` or `X-Forwarded-Host` and looks for it in every header, cookie and body
 * the app returns. The name is letters, digits, dashes and dots only, so it reads the same inside a
 * percent-encoded URL (`redirect_uri=https%3A%2F%2Fprg-….invalid%2F…`), a JSON string or HTML, and a
 * case-insensitive substring search finds it wherever it was put.
 */
import { randomBytes } from 'node:crypto';

/** The parts of an HTTP answer searched (the probe layer's ProbeResponse has them). */
export interface AnswerParts {
  /** Lower-case header names and values, in order; `set-cookie` among them or in `cookies`. */
  rawHeaders: ReadonlyArray<readonly [string, string]>;
  cookies: readonly string[];
  body: string;
}

export interface Reflection {
  /**
   * `body`, `location` (Location, Content-Location, Refresh) and `cookie` are what the request handler
   * built (NextAuth's URLs); `header` is any other header (Report-To, Link, a CSP: the middleware's).
   */
  kind: 'body' | 'location' | 'cookie' | 'header';
  /** Where: `Location (redirect_uri)`, `cookie __Secure-next-auth.callback-url`, `body github.callbackUrl`, `body`. */
  field: string;
  /** The value that holds the name, shortened, URL-decoded when it was encoded. */
  value: string;
}

/** A fresh name under `.invalid` (RFC 6761: never resolves), unlikely to occur by chance. */
export function forgedHostName(): string {
  return `prg-${randomBytes(6).toString('hex')}.invalid`;
}

const MAX_VALUE = 300;

function shortened(text: string, at: number): string {
  const flat = text.replace(/\s+/g, ' ');
  if (flat.length <= MAX_VALUE) return flat;
  const start = Math.max(0, Math.min(at - 60, flat.length - MAX_VALUE));
  const end = start + MAX_VALUE;
  return `${start > 0 ? '…' : ''}${flat.slice(start, end)}${end < flat.length ? '…' : ''}`;
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The query parameter of a URL that holds the name, when the URL's own host is not the name. */
function urlPart(value: string, name: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value, 'https://base.invalid');
  } catch {
    return undefined;
  }
  if (url.hostname.toLowerCase() === name && /^[a-z][a-z0-9+.-]*:/i.test(value)) return undefined;
  for (const [key, v] of url.searchParams) if (v.toLowerCase().includes(name)) return key;
  return undefined;
}

/** Every place the answer carries `name`; empty when it does not. */
export function findReflections(answer: AnswerParts, name: string): Reflection[] {
  const needle = name.toLowerCase();
  const found: Reflection[] = [];
  const inText = (text: string) => text.toLowerCase().indexOf(needle);
  for (const [header, value] of answer.rawHeaders) {
    if (header === 'set-cookie') continue;
    const at = inText(value);
    if (at < 0) continue;
    const isLocation = header === 'location' || header === 'content-location' || header === 'refresh';
    const param = isLocation ? urlPart(value, needle) : undefined;
    const shown = decoded(value);
    found.push({ kind: isLocation ? 'location' : 'header', field: `${header.replace(/(^|-)([a-z])/g, (_, d: string, c: string) => d + c.toUpperCase())}${param ? ` (${param})` : ''}`, value: shortened(shown, inText(shown)) });
  }
  for (const line of answer.cookies) {
    const semicolon = line.indexOf(';');
    const pair = semicolon < 0 ? line : line.slice(0, semicolon);
    const eq = pair.indexOf('=');
    const cookieName = eq < 0 ? '' : pair.slice(0, eq).trim();
    const value = decoded(eq < 0 ? pair : pair.slice(eq + 1));
    // In the value (a URL), or in an attribute (Domain=…).
    const at = inText(value);
    if (at >= 0) found.push({ kind: 'cookie', field: `cookie ${cookieName}`, value: shortened(value, at) });
    else if (inText(line) >= 0) found.push({ kind: 'cookie', field: `cookie ${cookieName} (attributes)`, value: shortened(line.slice(semicolon), inText(line.slice(semicolon))) });
  }
  if (inText(answer.body) >= 0) {
    let json: unknown;
    try {
      json = JSON.parse(answer.body);
    } catch {
      json = undefined;
    }
    const paths: Reflection[] = [];
    const walk = (value: unknown, path: string) => {
      if (typeof value === 'string') {
        const shown = decoded(value);
        const at = inText(shown);
        const param = at >= 0 ? urlPart(value, needle) : undefined;
        if (at >= 0) paths.push({ kind: 'body', field: `body ${path || '(the whole value)'}${param ? ` (${param})` : ''}`, value: shortened(shown, at) });
      } else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`));
      else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
    };
    if (json !== undefined) walk(json, '');
    if (paths.length) found.push(...paths);
    else found.push({ kind: 'body', field: 'body', value: shortened(answer.body, inText(answer.body)) });
  }
  return found;
}
