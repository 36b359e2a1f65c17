/**
 * What the smoke rules share: how a probe of the app is made and described. Every request goes
 * through the run's HttpClient (resolve, ca-file, deadlines, retries, body cap); a probe that got no
 * answer fails the rule with the client's own message, which names the URL.
 */
import type { RuleContext } from '../../engine/types.js';
import { errorMessage } from '../../errors.js';
import { ProbeError, type ProbeResponse } from '../../probes/http.js';

export { appOrigin, appUrlFor } from '../../probes/target.js';
export { NO_TARGET, noTarget, probeFailure } from '../live.js';



/** The text of a probe error, for a step of a longer flow. */
export function probeErrorText(error: unknown): string {
  return error instanceof ProbeError ? error.message : errorMessage(error);
}

/**
 * The login-page redirect a response (or one of the hops it followed) carries, as `path?query`, or
 * undefined. The app's middleware sends every non-public route without a session there.
 */
export function loginRedirect(response: ProbeResponse, loginPath: string): string | undefined {
  const hops: { url: string; location?: string }[] = [...response.redirects];
  if (response.status >= 300 && response.status < 400) hops.push({ url: response.url, location: response.headers.location });
  for (const hop of hops) {
    if (!hop.location) continue;
    try {
      const target = new URL(hop.location, hop.url);
      if (target.pathname === loginPath || target.pathname === `${loginPath}/`) return `${target.pathname}${target.search}`;
    } catch {
      // An unparsable Location is not a login redirect.
    }
  }
  return undefined;
}

/**
 * What a redirect to the login page means: signed out, the middleware treats the route as private;
 * signed in, the app did not accept the session.
 */
export function loginRedirectText(location: string, signedIn: boolean): string {
  return `redirected to ${location}: ${signedIn ? 'the session was not accepted' : 'the middleware treats this route as private'}`;
}

/** The body as JSON, or undefined when it is not JSON. */
export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/** The message of the app's error bodies (`{error: {message}}`, `{error: "…"}`, `{message}`), shortened. */
export function errorBodyMessage(response: Pick<ProbeResponse, 'body'>): string | undefined {
  const json = parseJson(response.body) as { error?: unknown; message?: unknown } | undefined;
  let message: unknown;
  if (json && typeof json === 'object') {
    const error = json.error;
    message = typeof error === 'string' ? error : typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : json.message;
  }
  if (typeof message !== 'string' || !message.trim()) return undefined;
  return shorten(message.trim(), 160);
}

/** `403 "Plan does not include …"`, `302 → /elsewhere`, `500`: a status as a person reads it. */
export function describeAnswer(response: ProbeResponse): string {
  const location = response.headers.location;
  if (response.status >= 300 && response.status < 400 && location) return `${response.status} → ${shorten(location, 200)}`;
  const message = errorBodyMessage(response);
  return message ? `${response.status} "${message}"` : String(response.status);
}

export function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Said of an answer whose body the client cut at its cap (an endless or oversized body). */
export function truncatedText(response: ProbeResponse): string {
  return `its body did not end: cut off after ${Buffer.byteLength(response.body)} bytes`;
}

export function isHtml(response: ProbeResponse): boolean {
  return /^text\/html\b/i.test(response.headers['content-type'] ?? '');
}

/**
 * Per-request deadlines within the rule's own bound. The runner stops a probe rule after three times
 * `timeout-seconds` (src/gate.ts); a flow of several requests asks each one to finish early enough
 * that what must follow (deleting what it created, signing out) still has time, so cleanup is tried
 * and reported before the bound rather than cut off by it.
 */
export class Budget {
  private readonly end: number;
  constructor(
    private readonly requestTimeoutMs: number,
    totalMs = requestTimeoutMs * 3 - 500,
  ) {
    this.end = performance.now() + totalMs;
  }

  /** A request's deadline that leaves `reserveMs` for the steps after it (never below half a second). */
  timeout(reserveMs = 0): number {
    return Math.max(500, Math.min(this.requestTimeoutMs, Math.floor(this.end - performance.now() - reserveMs)));
  }
}

/** The probe bound of one request, from the run's settings. */
export function requestTimeoutMs(ctx: Pick<RuleContext, 'settings'>): number {
  return ctx.settings.timeoutSeconds * 1000;
}
