/** config.oauth-github: with GitHub sign-in enabled, its OAuth client id and secret are set. */
import type { Rule } from '../../engine/types.js';
import { checkProvider } from './oauth.js';

export const oauthGithub: Rule = {
  meta: { id: 'config.oauth-github', section: 'config', title: 'GitHub OAuth client is configured', docs: 'docs/deployment-guide.md' },
  check: async (ctx) => checkProvider(ctx, 'github', 'GitHub'),
};
