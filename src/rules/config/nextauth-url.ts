/**
 * config.nextauth-url: the auth library's URL (NextAuth v4's NEXTAUTH_URL; Auth.js v5's AUTH_URL,
 * which also takes NEXTAUTH_URL) is the production origin too, the same as the app's URL.
 */
import { defineRule } from '../index.js';
import { variable, variableNames } from '../app.js';
import { checkPublicHttpsUrl } from './public-url.js';

export const nextauthUrl = defineRule({
  id: 'config.nextauth-url',
  async check({ settings }) {
    const auth = variable(settings, 'authUrl') ?? { name: 'NEXTAUTH_URL' };
    const v5 = settings.app.auth.family === 'authjs-v5';
    if (!auth.value && v5) {
      return {
        status: 'fail',
        summary: `${variableNames(settings, 'authUrl')} is not set: Auth.js takes its origin from each request's Host header`,
        fix: `Set ${auth.name} to the production origin, for example https://app.example.com, so sign-in URLs never follow a forged Host.`,
      };
    }
    const url = checkPublicHttpsUrl(auth.name, auth.value);
    if (!(url instanceof URL)) return url;
    const appVar = variable(settings, 'appUrl') ?? (settings.env.APP_URL ? { name: 'APP_URL', value: settings.env.APP_URL } : undefined);
    if (!appVar) return { status: 'pass', summary: `${auth.name} is ${url.origin} (the app has no other URL variable to compare it with)` };
    let app: URL | undefined;
    try {
      app = appVar.value ? new URL(appVar.value) : undefined;
    } catch {
      app = undefined;
    }
    if (!app) return { status: 'fail', summary: `${auth.name} is ${url.origin}, but ${appVar.name} is not a valid URL to compare it with`, fix: `Fix ${appVar.name} (see config.app-url).` };
    if (app.origin !== url.origin) {
      return {
        status: 'fail',
        summary: `${auth.name} is ${url.origin} but ${appVar.name} is ${app.origin}`,
        details: `A different origin breaks OAuth callbacks (they are registered for ${auth.name}) and the session cookies (set for one host).`,
        fix: `Set ${auth.name} to ${app.origin}.`,
      };
    }
    return { status: 'pass', summary: `${auth.name} is ${url.origin}, the same origin as ${appVar.name}` };
  },
});
