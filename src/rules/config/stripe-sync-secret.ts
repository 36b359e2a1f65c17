/** config.stripe-sync-secret: the secret of the app's Stripe sync endpoint is strong and unique. */
import { defineRule } from '../index.js';
import { checkStrongUniqueSecret } from './secrets.js';

export const stripeSyncSecret = defineRule({
  id: 'config.stripe-sync-secret',
  check: ({ settings }) => checkStrongUniqueSecret(settings, 'STRIPE_SYNC_SECRET', 'openssl rand -hex 32'),
});
