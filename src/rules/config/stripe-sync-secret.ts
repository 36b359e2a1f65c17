/** config.stripe-sync-secret: the secret of the app's Stripe sync endpoint is strong and unique. */
import type { Rule } from '../../engine/types.js';
import { checkStrongUniqueSecret } from './secrets.js';

export const stripeSyncSecret: Rule = {
  meta: { id: 'config.stripe-sync-secret', section: 'config', title: 'STRIPE_SYNC_SECRET is strong and unique', docs: 'docs/billing-integration-guide.md' },
  check: ({ settings }) => checkStrongUniqueSecret(settings, 'STRIPE_SYNC_SECRET', 'openssl rand -hex 32'),
};
