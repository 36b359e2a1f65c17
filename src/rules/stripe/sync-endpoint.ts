/**
 * stripe.sync-endpoint: the app's sync endpoint refuses a call without the secret header (401), which
 * proves the app has STRIPE_SYNC_SECRET set (without it the app answers 503). Non-mutating: the app
 * refuses the call before syncing anything.
 */
import { defineRule } from '../index.js';
import { appOrigin, appUrlFor } from '../../probes/target.js';
import { NO_TARGET, probeFailure } from '../live.js';

export const syncEndpoint = defineRule({
  id: 'stripe.sync-endpoint',
  async check({ settings, clients, signal }) {
    const origin = appOrigin(settings);
    if (!origin) return NO_TARGET;
    const url = appUrlFor(origin, settings.config.paths['stripe-sync']);
    let status: number;
    let location: string | undefined;
    try {
      const response = await clients.http().request({ url, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }, signal);
      status = response.status;
      location = response.headers.location;
    } catch (error) {
      return probeFailure(error, `POST ${url}`);
    }
    const seen = `POST ${url} without x-stripe-sync-secret answered ${status}`;
    if (status === 401) return { status: 'pass', summary: `${seen}: the app has a sync secret and checks it` };
    if (status === 503) {
      return {
        status: 'fail',
        summary: `${seen}: the app has no STRIPE_SYNC_SECRET, so \`npm run sync-stripe\` cannot work`,
        fix: 'Set STRIPE_SYNC_SECRET in the app\'s production environment (the same value the sync script and the gate use) and redeploy.',
      };
    }
    if (status >= 200 && status < 300) {
      return {
        status: 'fail',
        summary: `${seen}: anyone can trigger a catalog sync without the secret`,
        fix: 'The sync route must answer 401 when x-stripe-sync-secret is missing or wrong; check the handler.',
      };
    }
    if (status >= 300 && status < 400 && location && /\/auth\/login/.test(location)) {
      return { status: 'fail', summary: `${seen}: redirected to ${location}, so the middleware treats the route as private and the sync script cannot reach it`, fix: `Keep ${settings.config.paths['stripe-sync']} public in the middleware; the route checks its own secret.` };
    }
    return { status: 'fail', summary: `${seen}; expected 401`, fix: `Check that ${settings.config.paths['stripe-sync']} is deployed and accepts POST (config paths.stripe-sync if it moved).` };
  },
});
