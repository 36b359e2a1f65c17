/**
 * stripe.sync-endpoint: the app's sync endpoint refuses a call without the secret header (401), which
 * proves the app has STRIPE_SYNC_SECRET set (without it the app answers 503). Non-mutating: the app
 * refuses the call before syncing anything.
 */
import { defineRule } from '../index.js';
import { appOrigin, appUrlFor } from '../../probes/target.js';
import { noTarget, probeFailure } from '../live.js';
import { notApplicable, variable } from '../app.js';

export const syncEndpoint = defineRule({
  id: 'stripe.sync-endpoint',
  async check({ settings, clients, signal }) {
    const path = settings.app.paths.stripeSync;
    if (!path) {
      return notApplicable('Stripe sync endpoint', settings.app.routes.known ? `its plans come from ${settings.app.stripe.plans.source === 'price-ids' ? 'price ids in variables' : settings.app.stripe.plans.source === 'database' ? "Stripe's webhook events" : 'no synced catalog'}` : 'paths.stripe-sync is false in the config');
    }
    const origin = appOrigin(settings);
    if (!origin) return noTarget(settings);
    const url = appUrlFor(origin, path);
    const secretName = variable(settings, 'stripeSyncSecret')?.name ?? 'STRIPE_SYNC_SECRET';
    const script = settings.app.scripts['sync-stripe'] !== undefined ? '`npm run sync-stripe`' : 'the catalog sync';
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
        summary: `${seen}: the app has no ${secretName}, so ${script} cannot work`,
        fix: `Set ${secretName} in the app's production environment (the same value the sync script and the gate use) and redeploy.`,
      };
    }
    if (status >= 200 && status < 300) {
      return {
        status: 'fail',
        summary: `${seen}: anyone can trigger a catalog sync without the secret`,
        fix: 'The sync route must answer 401 when x-stripe-sync-secret is missing or wrong; check the handler.',
      };
    }
    const login = settings.app.paths.login;
    if (status >= 300 && status < 400 && location && login && new URL(location, url).pathname === login) {
      return { status: 'fail', summary: `${seen}: redirected to ${location}, so the middleware treats the route as private and the sync script cannot reach it`, fix: `Keep ${path} public in the middleware; the route checks its own secret.` };
    }
    return { status: 'fail', summary: `${seen}; expected 401`, fix: `Check that ${path} is deployed and accepts POST (config paths.stripe-sync if it moved).` };
  },
});
