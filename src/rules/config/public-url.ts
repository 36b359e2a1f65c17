/** What config.app-url and config.nextauth-url both ask of a URL variable: the production origin, over HTTPS. */
import type { Outcome } from '../../engine/types.js';
import { isNonPublicHost } from '../../util/net.js';

/** Parses a variable that must be a public https:// URL; returns the URL or a failing outcome. */
export function checkPublicHttpsUrl(name: string, value: string | undefined): URL | Outcome {
  const fix = `Set ${name} to the production origin, for example https://app.example.com.`;
  if (!value) return { status: 'fail', summary: `${name} is not set`, fix };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { status: 'fail', summary: `${name} is not an absolute URL`, fix };
  }
  if (url.username || url.password) {
    return { status: 'fail', summary: `${name} carries credentials in the URL`, fix: `Remove the user:password part from ${name}; credentials do not belong in a public URL.` };
  }
  if (url.protocol !== 'https:') {
    return {
      status: 'fail',
      summary: `${name} is ${url.protocol}//${url.host}, not https://`,
      details: 'Cookies marked Secure, HSTS and OAuth callbacks all need the production origin on HTTPS.',
      fix,
    };
  }
  if (isNonPublicHost(url.hostname)) {
    return { status: 'fail', summary: `${name} points at ${url.hostname}, which is not a public host`, fix };
  }
  return url;
}
