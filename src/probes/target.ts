/** The deployed app the live rules probe: APP_URL's origin, or the reason it cannot be probed. */
import type { Outcome } from '../engine/types.js';
import type { Settings } from '../settings.js';

export const NO_TARGET: Outcome = { status: 'skip', summary: 'APP_URL is not a usable https:// URL (see config.app-url)' };

/** APP_URL's origin as a URL, when it is an absolute https:// URL. */
export function appOrigin(settings: Settings): URL | undefined {
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
