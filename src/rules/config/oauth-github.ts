/** config.oauth-github: with GitHub sign-in enabled, its OAuth client id and secret are set. */
import { defineRule } from '../index.js';
import { checkProvider } from './oauth.js';

export const oauthGithub = defineRule({
  id: 'config.oauth-github',
  check: async (ctx) => checkProvider(ctx, 'github', 'GitHub'),
});
