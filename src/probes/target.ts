/** The deployed app the live rules probe: APP_URL's origin, and what a failed probe means. */
import type { Settings } from '../settings.js';
import { ProbeError, type ProbeErrorKind } from './http.js';

/** APP_URL's origin as a URL, when it is an absolute https:// URL. */
export function appOrigin(settings: Pick<Settings, 'env'>): URL | undefined {
  try {
    const url = new URL(settings.env.APP_URL ?? '');
    return url.protocol === 'https:' ? new URL(url.origin) : undefined;
  } catch {
    return undefined;
  }
}

/** `APP_URL` + a route path of the config (`/api/health`). */
export function appUrlFor(origin: URL, path: string): string {
  return new URL(path, origin).toString();
}

/** The kinds of failure that mean "the app did not answer", as opposed to an answer that is wrong (TLS). */
export const NO_ANSWER: ReadonlySet<ProbeErrorKind> = new Set(['dns', 'connect', 'timeout', 'aborted']);

/** True when the error means the app did not answer at all (as opposed to an answer that is wrong). */
export function isNoAnswer(error: unknown): boolean {
  return error instanceof ProbeError && NO_ANSWER.has(error.kind);
}
