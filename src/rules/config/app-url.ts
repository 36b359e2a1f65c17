/** config.app-url and config.nextauth-url: the production origin, over HTTPS, the same for both. */
import type { Outcome, Rule } from '../../engine/types.js';
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

export const appUrl: Rule = {
  meta: { id: 'config.app-url', section: 'config', title: 'APP_URL is the production HTTPS origin', docs: 'docs/deployment-guide.md' },
  async check({ settings }) {
    const url = checkPublicHttpsUrl('APP_URL', settings.env.APP_URL);
    if (!(url instanceof URL)) return url;
    return { status: 'pass', summary: `APP_URL is ${url.origin}` };
  },
};

export const nextauthUrl: Rule = {
  meta: { id: 'config.nextauth-url', section: 'config', title: 'NEXTAUTH_URL matches APP_URL', docs: 'docs/deployment-guide.md' },
  async check({ settings }) {
    const url = checkPublicHttpsUrl('NEXTAUTH_URL', settings.env.NEXTAUTH_URL);
    if (!(url instanceof URL)) return url;
    let app: URL | undefined;
    try {
      app = settings.env.APP_URL ? new URL(settings.env.APP_URL) : undefined;
    } catch {
      app = undefined;
    }
    if (!app) return { status: 'fail', summary: `NEXTAUTH_URL is ${url.origin}, but APP_URL is not a valid URL to compare it with`, fix: 'Fix APP_URL (see config.app-url).' };
    if (app.origin !== url.origin) {
      return {
        status: 'fail',
        summary: `NEXTAUTH_URL is ${url.origin} but APP_URL is ${app.origin}`,
        details: 'A different origin breaks OAuth callbacks (they are registered for NEXTAUTH_URL) and the session cookies (set for one host).',
        fix: `Set NEXTAUTH_URL to ${app.origin}.`,
      };
    }
    return { status: 'pass', summary: `NEXTAUTH_URL is ${url.origin}, the same origin as APP_URL` };
  },
};
