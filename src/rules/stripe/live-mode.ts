/**
 * stripe.live-mode: the secret key authenticates and the account answers in live mode. A restricted
 * key may not read the balance; then the webhook endpoints' `livemode` tells.
 */
import { defineRule } from '../index.js';
import { describeStripeError, stripeUnavailable } from '../../probes/stripe.js';
import { couldNotCheck } from '../../engine/unavailable.js';
import { isOutcome, stripeKey } from '../app.js';

export const liveMode = defineRule({
  id: 'stripe.live-mode',
  async check({ settings, clients }) {
    const key = stripeKey(settings);
    if (isOutcome(key)) return key;
    const { stripe } = await clients.stripe();
    const restricted = key.value.startsWith('rk_');
    try {
      const balance = await stripe.balance.retrieve();
      return balance.livemode
        ? { status: 'pass', summary: 'the key authenticates and the account answers in live mode (balance.livemode = true)' }
        : {
            status: 'fail',
            summary: 'the key authenticates, but in test mode (balance.livemode = false): no real payment would be taken',
            fix: 'Use the live secret key from https://dashboard.stripe.com/apikeys (Test mode switched off).',
          };
    } catch (error) {
      const type = (error as { type?: string }).type;
      if (stripeUnavailable(error)) {
        return couldNotCheck(settings.unreachable, { component: 'Stripe', what: 'the live mode cannot be checked', cause: describeStripeError(error) });
      }
      if (type !== 'StripePermissionError') {
        return { status: 'fail', summary: describeStripeError(error), fix: `Check ${key.name} against https://dashboard.stripe.com/apikeys.` };
      }
      // A restricted key without Balance read: the webhook endpoints carry livemode too.
      try {
        const endpoints = await stripe.webhookEndpoints.list({ limit: 1 });
        const first = endpoints.data[0];
        if (!first) {
          return {
            status: 'warn',
            summary: 'the restricted key cannot read the balance and the account has no webhook endpoint, so its mode cannot be told',
            fix: 'Give the restricted key "Balance: Read" (or "Webhook Endpoints: Read").',
          };
        }
        return first.livemode
          ? { status: 'pass', summary: 'the restricted key authenticates in live mode (webhook endpoint livemode = true)' }
          : { status: 'fail', summary: 'the restricted key is a test-mode key (webhook endpoint livemode = false)', fix: 'Create the restricted key in live mode.' };
      } catch (inner) {
        return {
          status: 'fail',
          summary: `the ${restricted ? 'restricted ' : ''}key can read neither the balance nor the webhook endpoints: ${describeStripeError(inner)}`,
          fix: 'Give the restricted key "Balance: Read" and "Webhook Endpoints: Read", or use the live secret key.',
        };
      }
    }
  },
});
