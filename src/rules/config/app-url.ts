/** config.app-url: APP_URL is the production origin, over HTTPS. */
import type { Rule } from '../../engine/types.js';
import { checkPublicHttpsUrl } from './public-url.js';

export const appUrl: Rule = {
  meta: { id: 'config.app-url', section: 'config', title: 'APP_URL is the production HTTPS origin', docs: 'docs/deployment-guide.md' },
  async check({ settings }) {
    const url = checkPublicHttpsUrl('APP_URL', settings.env.APP_URL);
    if (!(url instanceof URL)) return url;
    return { status: 'pass', summary: `APP_URL is ${url.origin}` };
  },
};
