/** config.nextauth-url: NEXTAUTH_URL is the production origin too, the same as APP_URL. */
import { defineRule } from '../index.js';
import { checkPublicHttpsUrl } from './public-url.js';

export const nextauthUrl = defineRule({
  id: 'config.nextauth-url',
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
});
