/** config.nextauth-secret: the key that signs every session is strong and used for nothing else. */
import { defineRule } from '../index.js';
import { checkStrongUniqueSecret } from './secrets.js';

export const nextauthSecret = defineRule({
  id: 'config.nextauth-secret',
  check: ({ settings }) => checkStrongUniqueSecret(settings, 'NEXTAUTH_SECRET', 'openssl rand -base64 32'),
});
