/** config.stripe-sync-secret: the secret of the app's Stripe sync endpoint is strong and unique. */
import { defineRule } from '../index.js';
import { notApplicable, variable } from '../app.js';
import { checkStrongUniqueSecret } from './secrets.js';

export const stripeSyncSecret = defineRule({
  id: 'config.stripe-sync-secret',
  async check({ settings }) {
    const sync = variable(settings, 'stripeSyncSecret');
    if (!sync) return notApplicable('Stripe sync secret', settings.app.paths.stripeSync ? `its sync route ${settings.app.paths.stripeSync} reads no STRIPE_SYNC_SECRET` : 'no Stripe sync route');
    return checkStrongUniqueSecret(settings, sync.name, 'openssl rand -hex 32');
  },
});
