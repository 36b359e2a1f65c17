/** config.oauth-google: with Google sign-in enabled, its OAuth client id and secret are set, the id in Google's form. */
import type { Rule } from '../../engine/types.js';
import { checkProvider } from './oauth.js';

export const oauthGoogle: Rule = {
  meta: { id: 'config.oauth-google', section: 'config', title: 'Google OAuth client is configured', docs: 'docs/deployment-guide.md' },
  check: async (ctx) =>
    checkProvider(ctx, 'google', 'Google', (id) =>
      id.endsWith('.apps.googleusercontent.com') ? undefined : 'GOOGLE_CLIENT_ID does not end in .apps.googleusercontent.com',
    ),
};
