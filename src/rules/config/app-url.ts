/** config.app-url: the app's URL variable (APP_URL, or the app's own name for it) is the production origin, over HTTPS. */
import { defineRule } from '../index.js';
import { notApplicable, variable } from '../app.js';
import { checkPublicHttpsUrl } from './public-url.js';

export const appUrl = defineRule({
  id: 'config.app-url',
  async check({ settings }) {
    // The app's own variable; else APP_URL when the user gives it to name the gate's target.
    const app = variable(settings, 'appUrl') ?? (settings.env.APP_URL ? { name: 'APP_URL', value: settings.env.APP_URL } : undefined);
    if (!app) return notApplicable('app URL variable of its own', `its origin is ${variable(settings, 'authUrl')?.name ?? 'NEXTAUTH_URL'}, see config.nextauth-url`);
    const url = checkPublicHttpsUrl(app.name, app.value);
    if (!(url instanceof URL)) return url;
    return { status: 'pass', summary: `${app.name} is ${url.origin}` };
  },
});
