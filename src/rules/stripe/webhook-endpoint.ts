/**
 * stripe.webhook-endpoint: Stripe has an enabled endpoint for the app's webhook route
 * (`<APP_URL>/api/webhooks/stripe` in the guide's app) that subscribes to every event the app's
 * handler acts on (the event types its code switches on, read by the app model; or `*`).
 */
import type Stripe from 'stripe';
import { defineRule } from '../index.js';
import { describeStripeError, stripeUnavailable } from '../../probes/stripe.js';
import { couldNotCheck } from '../../engine/unavailable.js';
import { appOrigin, appUrlFor } from '../../probes/target.js';
import { noTarget } from '../live.js';
import { isOutcome, notApplicable, stripeKey, variable } from '../app.js';

const normalise = (url: string) => url.replace(/\/+$/, '').toLowerCase();

export const webhookEndpoint = defineRule({
  id: 'stripe.webhook-endpoint',
  async check({ settings, clients }) {
    const key = stripeKey(settings);
    if (isOutcome(key)) return key;
    const { paths, stripe: app } = settings.app;
    if (!paths.stripeWebhook) return notApplicable('Stripe webhook route', settings.app.routes.known ? 'no API route verifies Stripe signatures (constructEvent) or is named like a Stripe webhook' : 'paths.stripe-webhook is false in the config');
    const origin = appOrigin(settings);
    if (!origin) return noTarget(settings);
    const expected = appUrlFor(origin, paths.stripeWebhook);
    const handled = app.events.filter((e) => e !== '*');
    const eventsFrom = app.eventsSource === 'config' ? 'app.webhook-events in the config' : app.eventsSource === 'app' ? `the handler (${app.webhook?.files.join(', ') ?? paths.stripeWebhook})` : "the guide's app";
    const secretName = variable(settings, 'stripeWebhookSecret')?.name ?? 'the app\'s webhook secret';
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
    const fix = `In https://dashboard.stripe.com/webhooks, add an endpoint for ${expected}${handled.length ? ` with the events ${handled.join(', ')}` : ''}, and put its signing secret in ${secretName}.`;
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
    const missing = best.enabled_events.includes('*') ? [] : handled.filter((event) => !best.enabled_events.includes(event));
    if (missing.length > 0) {
      return {
        status: 'fail',
        summary: `the endpoint for ${expected} (${best.id}) does not subscribe to ${missing.length} event${missing.length > 1 ? 's' : ''} the app handles: ${missing.join(', ')}`,
        details: `The app handles ${handled.length} event types (from ${eventsFrom}): ${handled.join(', ')}.`,
        fix: `Add ${missing.join(', ')} to the endpoint's events in https://dashboard.stripe.com/webhooks.`,
        data: { endpoint: best.id, missing, handled },
      };
    }
    // Events the endpoint sends that the handler ignores cost requests, not correctness: a note only.
    const unused = best.enabled_events.includes('*') || handled.length === 0 ? [] : best.enabled_events.filter((e) => !handled.includes(e));
    if (handled.length === 0 && !best.enabled_events.includes('*')) {
      return {
        status: 'warn',
        summary: `enabled endpoint ${best.id} for ${expected}, but the handler names no Stripe event type the gate could read, so its events cannot be compared`,
        details: `The endpoint subscribes to ${best.enabled_events.join(', ')}.`,
        fix: 'Name the events the handler acts on in the config file (app.webhook-events).',
        data: { endpoint: best.id },
      };
    }
    return {
      status: 'pass',
      summary: `enabled endpoint ${best.id} for ${expected}, subscribed to ${best.enabled_events.includes('*') ? 'every event (*)' : `the ${handled.length} event${handled.length > 1 ? 's' : ''} the app handles`}`,
      details: `The app handles (from ${eventsFrom}): ${handled.join(', ') || 'no event type it names'}.${unused.length ? ` The endpoint also sends ${unused.join(', ')}, which the handler ignores.` : ''}`,
      data: { endpoint: best.id, handled },
    };
  },
});
