/** config.app-url: APP_URL is the production origin, over HTTPS. */
import { defineRule } from '../index.js';
import { checkPublicHttpsUrl } from './public-url.js';

export const appUrl = defineRule({
  id: 'config.app-url',
  async check({ settings }) {
    const url = checkPublicHttpsUrl('APP_URL', settings.env.APP_URL);
    if (!(url instanceof URL)) return url;
    return { status: 'pass', summary: `APP_URL is ${url.origin}` };
  },
});
