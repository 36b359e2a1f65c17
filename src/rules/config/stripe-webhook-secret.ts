/** config.stripe-webhook-secret: STRIPE_WEBHOOK_SECRET is an endpoint's signing secret (whsec_…). */
import { defineRule } from '../index.js';
import { maskValue } from '../../redact.js';
import { notApplicable, variable } from '../app.js';

export const stripeWebhookSecret = defineRule({
  id: 'config.stripe-webhook-secret',
  async check({ settings }) {
    const role = variable(settings, 'stripeWebhookSecret');
    if (!role) {
      if (settings.app.paths.stripeWebhook) return notApplicable('webhook secret variable the gate could find', `name it in the config file (app.variables.stripe-webhook-secret); its webhook route is ${settings.app.paths.stripeWebhook}`);
      return notApplicable('Stripe webhook route');
    }
    const name = role.name;
    const secret = role.value;
    const fix = `Copy the signing secret (whsec_…) of the production endpoint from https://dashboard.stripe.com/webhooks into ${name}.`;
    if (!secret) return { status: 'fail', summary: `${name} is not set: the app refuses every webhook`, fix };
    if (!secret.startsWith('whsec_')) return { status: 'fail', summary: `${name} does not start with whsec_ (${maskValue(secret)})`, fix };
    return { status: 'pass', summary: `${name} is a signing secret (${maskValue(secret)})` };
  },
});
