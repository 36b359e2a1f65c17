/** config.nextauth-secret: the key that signs every session is strong and used for nothing else. */
import type { Rule } from '../../engine/types.js';
import { checkStrongUniqueSecret } from './secrets.js';

export const nextauthSecret: Rule = {
  meta: { id: 'config.nextauth-secret', section: 'config', title: 'NEXTAUTH_SECRET is strong and unique', docs: 'docs/deployment-guide.md' },
  check: ({ settings }) => checkStrongUniqueSecret(settings, 'NEXTAUTH_SECRET', 'openssl rand -base64 32'),
};
