/**
 * The deployed app the live rules probe: the origin of the app's URL variable (APP_URL, or the name
 * the app model found: NEXT_PUBLIC_APP_URL, …; else its auth URL), and what a failed probe means.
 */
import type { Settings } from '../settings.js';
import { roleValue } from '../analysis/app/roles.js';
import { ProbeError, type ProbeErrorKind } from './http.js';

/** The variable the target comes from, and its value: the app URL's, else the auth URL's, else APP_URL. */
export function appUrlVariable(settings: Pick<Settings, 'env' | 'app'>): { name: string; value?: string } {
  const app = roleValue(settings.app, 'appUrl', settings.env);
  if (app?.value) return app;
  const auth = roleValue(settings.app, 'authUrl', settings.env);
  if (auth?.value && !settings.env.APP_URL) return auth;
  if (settings.env.APP_URL) return { name: 'APP_URL', value: settings.env.APP_URL };
  return { name: app?.name ?? 'APP_URL' };
}

/** The app URL's origin as a URL, when it is an absolute https:// URL. */
export function appOrigin(settings: Pick<Settings, 'env' | 'app'>): URL | undefined {
  try {
    const url = new URL(appUrlVariable(settings).value ?? '');
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
