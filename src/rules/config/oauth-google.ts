/** config.oauth-google: with Google sign-in enabled, its OAuth client id and secret are set, the id in Google's form. */
import { defineRule } from '../index.js';
import { checkProvider } from './oauth.js';

export const oauthGoogle = defineRule({
  id: 'config.oauth-google',
  check: async (ctx) =>
    checkProvider(ctx, 'google', 'Google', (id) =>
      id.name && id.value.endsWith('.apps.googleusercontent.com') ? undefined : `${id.name} does not end in .apps.googleusercontent.com`,
    ),
});
