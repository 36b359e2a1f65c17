/** config.stripe-secret-key, config.stripe-webhook-secret, config.stripe-sync-secret. */
import type { Rule } from '../../engine/types.js';
import { maskValue } from '../../redact.js';
import { checkStrongUniqueSecret } from './secrets.js';

const DASHBOARD = 'https://dashboard.stripe.com/apikeys';

export const stripeSecretKey: Rule = {
  meta: { id: 'config.stripe-secret-key', section: 'config', title: 'STRIPE_SECRET_KEY is a live key', docs: 'docs/billing-integration-guide.md' },
  async check({ settings }) {
    const key = settings.env.STRIPE_SECRET_KEY;
    const fix = `Set STRIPE_SECRET_KEY to the live secret key (sk_live_…) or a live restricted key (rk_live_…) from ${DASHBOARD}.`;
    if (!key) return { status: 'fail', summary: 'STRIPE_SECRET_KEY is not set: billing cannot work', fix };
    const shown = maskValue(key);
    if (/^(sk|rk)_live_/.test(key)) {
      return { status: 'pass', summary: `STRIPE_SECRET_KEY is a live ${key.startsWith('rk_') ? 'restricted ' : ''}key (${shown})` };
    }
    if (/^(sk|rk)_test_/.test(key)) {
      return { status: 'fail', summary: `STRIPE_SECRET_KEY is a test-mode key (${shown}): no real payment would be taken`, fix };
    }
    if (/^pk_/.test(key)) {
      return { status: 'fail', summary: `STRIPE_SECRET_KEY holds a publishable key (${shown}), which cannot call the API`, fix };
    }
    return { status: 'fail', summary: `STRIPE_SECRET_KEY is not a Stripe secret key (${shown})`, fix };
  },
};

export const stripeWebhookSecret: Rule = {
  meta: { id: 'config.stripe-webhook-secret', section: 'config', title: 'STRIPE_WEBHOOK_SECRET is a signing secret', docs: 'docs/billing-integration-guide.md' },
  async check({ settings }) {
    const secret = settings.env.STRIPE_WEBHOOK_SECRET;
    const fix = 'Copy the signing secret (whsec_…) of the production endpoint from https://dashboard.stripe.com/webhooks into STRIPE_WEBHOOK_SECRET.';
    if (!secret) return { status: 'fail', summary: 'STRIPE_WEBHOOK_SECRET is not set: the app refuses every webhook', fix };
    if (!secret.startsWith('whsec_')) return { status: 'fail', summary: `STRIPE_WEBHOOK_SECRET does not start with whsec_ (${maskValue(secret)})`, fix };
    return { status: 'pass', summary: `STRIPE_WEBHOOK_SECRET is a signing secret (${maskValue(secret)})` };
  },
};

export const stripeSyncSecret: Rule = {
  meta: { id: 'config.stripe-sync-secret', section: 'config', title: 'STRIPE_SYNC_SECRET is strong and unique', docs: 'docs/billing-integration-guide.md' },
  check: ({ settings }) => checkStrongUniqueSecret(settings, 'STRIPE_SYNC_SECRET', 'openssl rand -hex 32'),
};
