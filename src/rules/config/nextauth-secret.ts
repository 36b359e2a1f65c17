/**
 * config.nextauth-secret: the key that signs every session (NEXTAUTH_SECRET; Auth.js v5's AUTH_SECRET;
 * or the variable the app passes as `secret`) is strong and used for nothing else.
 */
import { defineRule } from '../index.js';
import { variable } from '../app.js';
import { checkStrongUniqueSecret } from './secrets.js';

export const nextauthSecret = defineRule({
  id: 'config.nextauth-secret',
  check: ({ settings }) => checkStrongUniqueSecret(settings, variable(settings, 'authSecret')?.name ?? 'NEXTAUTH_SECRET', settings.app.auth.family === 'authjs-v5' ? 'npx auth secret' : 'openssl rand -base64 32'),
});
