/** config.stripe-webhook-secret: STRIPE_WEBHOOK_SECRET is an endpoint's signing secret (whsec_…). */
import { defineRule } from '../index.js';
import { maskValue } from '../../redact.js';

export const stripeWebhookSecret = defineRule({
  id: 'config.stripe-webhook-secret',
  async check({ settings }) {
    const secret = settings.env.STRIPE_WEBHOOK_SECRET;
    const fix = 'Copy the signing secret (whsec_…) of the production endpoint from https://dashboard.stripe.com/webhooks into STRIPE_WEBHOOK_SECRET.';
    if (!secret) return { status: 'fail', summary: 'STRIPE_WEBHOOK_SECRET is not set: the app refuses every webhook', fix };
    if (!secret.startsWith('whsec_')) return { status: 'fail', summary: `STRIPE_WEBHOOK_SECRET does not start with whsec_ (${maskValue(secret)})`, fix };
    return { status: 'pass', summary: `STRIPE_WEBHOOK_SECRET is a signing secret (${maskValue(secret)})` };
  },
});
