/**
 * stripe.webhook-endpoint: Stripe has an enabled endpoint for `<APP_URL>/api/webhooks/stripe` that
 * subscribes to every event the app handles (or to `*`).
 */
import type Stripe from 'stripe';
import { defineRule } from '../index.js';
import { describeStripeError, stripeUnavailable } from '../../probes/stripe.js';
import { couldNotCheck } from '../../engine/unavailable.js';
import { appOrigin, appUrlFor } from '../../probes/target.js';
import { NO_TARGET } from '../live.js';
import { HANDLED_EVENTS } from '../../target-app.js';

const normalise = (url: string) => url.replace(/\/+$/, '').toLowerCase();

export const webhookEndpoint = defineRule({
  id: 'stripe.webhook-endpoint',
  async check({ settings, clients }) {
    if (!settings.env.STRIPE_SECRET_KEY) return { status: 'skip', summary: 'STRIPE_SECRET_KEY is not set (see config.stripe-secret-key)' };
    const origin = appOrigin(settings);
    if (!origin) return NO_TARGET;
    const expected = appUrlFor(origin, settings.config.paths['stripe-webhook']);
    const { stripe } = await clients.stripe();
    const endpoints: Stripe.WebhookEndpoint[] = [];
    try {
      for await (const endpoint of stripe.webhookEndpoints.list({ limit: 100 })) endpoints.push(endpoint);
    } catch (error) {
      if (stripeUnavailable(error)) {
        return couldNotCheck(settings.unreachable, { component: 'Stripe', what: 'the webhook endpoints cannot be listed', cause: describeStripeError(error) });
      }
      return { status: 'fail', summary: `cannot list the webhook endpoints: ${describeStripeError(error)}`, fix: 'A restricted key needs "Webhook Endpoints: Read".' };
    }
    const fix = `In https://dashboard.stripe.com/webhooks, add an endpoint for ${expected} with the events ${HANDLED_EVENTS.join(', ')}, and put its signing secret in STRIPE_WEBHOOK_SECRET.`;
    const matching = endpoints.filter((e) => normalise(e.url) === normalise(expected));
    if (matching.length === 0) {
      const others = endpoints.map((e) => `${e.url} (${e.status})`);
      return {
        status: 'fail',
        summary: `no Stripe webhook endpoint for ${expected}${others.length ? `; the account sends to ${others.slice(0, 3).join(', ')}${others.length > 3 ? ', …' : ''}` : ': the account has none'}`,
        details: 'Without it, checkouts, renewals and cancellations never reach the app: subscriptions in the database go stale.',
        fix,
        data: { endpoints: endpoints.length },
      };
    }
    const enabled = matching.filter((e) => e.status === 'enabled');
    if (enabled.length === 0) {
      return { status: 'fail', summary: `the endpoint for ${expected} (${matching[0]!.id}) is disabled in Stripe`, fix: `Enable ${matching[0]!.id} in https://dashboard.stripe.com/webhooks (Stripe disables endpoints that keep failing: check the app's logs too).` };
    }
    const best = enabled.find((e) => e.enabled_events.includes('*')) ?? enabled[0]!;
    const missing = best.enabled_events.includes('*') ? [] : HANDLED_EVENTS.filter((event) => !best.enabled_events.includes(event));
    if (missing.length > 0) {
      return {
        status: 'fail',
        summary: `the endpoint for ${expected} (${best.id}) does not subscribe to ${missing.length} event${missing.length > 1 ? 's' : ''} the app handles: ${missing.join(', ')}`,
        fix: `Add ${missing.join(', ')} to the endpoint's events in https://dashboard.stripe.com/webhooks.`,
        data: { endpoint: best.id, missing },
      };
    }
    return {
      status: 'pass',
      summary: `enabled endpoint ${best.id} for ${expected}, subscribed to ${best.enabled_events.includes('*') ? 'every event (*)' : `the ${HANDLED_EVENTS.length} events the app handles`}`,
      data: { endpoint: best.id },
    };
  },
});
