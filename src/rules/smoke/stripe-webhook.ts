/**
 * smoke.stripe-webhook: the app's webhook route verifies signatures. Three requests: an unsigned
 * event and a forged one must be refused (4xx); one signed with STRIPE_WEBHOOK_SECRET, for an event
 * type the app does not handle (so nothing is written), must be accepted (2xx).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { defineRule } from '../index.js';
import type { ProbeResponse } from '../../probes/http.js';
import { appOrigin, appUrlFor } from '../../probes/target.js';
import { NO_TARGET, probeFailure } from '../live.js';
import { HANDLED_EVENTS } from '../../target-app.js';

/** A real Stripe event type the app does not handle: its handler acknowledges it and writes nothing. */
export const UNHANDLED_EVENT_TYPE = 'balance.available';

/** Stripe's signature header: `t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<payload>">`. */
export function stripeSignature(payload: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

export function testEvent(livemode: boolean): string {
  if ((HANDLED_EVENTS as readonly string[]).includes(UNHANDLED_EVENT_TYPE)) throw new Error('the probe event must be one the app ignores');
  return JSON.stringify({
    id: `evt_readiness_${randomBytes(8).toString('hex')}`,
    object: 'event',
    type: UNHANDLED_EVENT_TYPE,
    api_version: '2026-10-28.endive',
    created: Math.floor(Date.now() / 1000),
    livemode,
    pending_webhooks: 0,
    request: { id: null, idempotency_key: null },
    data: { object: { object: 'balance', available: [], pending: [], livemode } },
  });
}

const ok = (r: ProbeResponse) => r.status >= 200 && r.status < 300;
const refused = (r: ProbeResponse) => r.status >= 400 && r.status < 500;

export const stripeWebhook = defineRule({
  id: 'smoke.stripe-webhook',
  async check({ settings, clients, signal }) {
    const origin = appOrigin(settings);
    if (!origin) return NO_TARGET;
    const url = appUrlFor(origin, settings.config.paths['stripe-webhook']);
    const secret = settings.env.STRIPE_WEBHOOK_SECRET;
    const payload = testEvent(settings.env.STRIPE_SECRET_KEY?.includes('_live_') ?? true);
    const post = (headers: Record<string, string>) =>
      clients.http().request({ url, method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: payload }, signal);
    let unsigned: ProbeResponse, forged: ProbeResponse, signed: ProbeResponse | undefined;
    try {
      [unsigned, forged, signed] = await Promise.all([
        post({}),
        post({ 'stripe-signature': stripeSignature(payload, `whsec_${randomBytes(24).toString('base64url')}`) }),
        secret ? post({ 'stripe-signature': stripeSignature(payload, secret) }) : Promise.resolve(undefined),
      ]);
    } catch (error) {
      return probeFailure(error, `POST ${url}`);
    }
    const evidence = `unsigned → ${unsigned.status}, forged signature → ${forged.status}${signed ? `, signed with STRIPE_WEBHOOK_SECRET → ${signed.status}` : ''} (POST ${url}, event type ${UNHANDLED_EVENT_TYPE})`;
    const data = { unsigned: unsigned.status, forged: forged.status, signed: signed?.status };
    if (ok(unsigned) || ok(forged)) {
      return {
        status: 'fail',
        summary: `the webhook endpoint ACCEPTS ${ok(unsigned) ? 'unsigned' : 'forged'} events: anyone can fake payments and subscriptions`,
        details: evidence,
        fix: 'Verify every request with stripe.webhooks.constructEvent(rawBody, stripe-signature header, STRIPE_WEBHOOK_SECRET) and answer 400 when it throws.',
        data,
      };
    }
    if (!refused(unsigned) || !refused(forged)) {
      return { status: 'fail', summary: `the webhook endpoint did not answer the bad requests with 4xx: ${evidence}`, fix: `Check that ${settings.config.paths['stripe-webhook']} is deployed and public in the middleware.`, data };
    }
    if (!signed) {
      return { status: 'fail', summary: 'STRIPE_WEBHOOK_SECRET is not set, so a correctly signed event cannot be sent', details: evidence, data };
    }
    if (signed.status === 400) {
      return {
        status: 'fail',
        summary: 'signing secret mismatch: the app refused an event signed with STRIPE_WEBHOOK_SECRET',
        details: `${evidence}\n\nThe app verifies with another secret than the one the gate was given, so real events from Stripe are refused too (if the gate's secret is the endpoint's).`,
        fix: "Copy the production endpoint's signing secret from https://dashboard.stripe.com/webhooks into the app's STRIPE_WEBHOOK_SECRET and redeploy.",
        data,
      };
    }
    if (!ok(signed)) {
      return { status: 'fail', summary: `the app answered ${signed.status} to a correctly signed event it does not handle`, details: evidence, fix: 'An event type the handler does not know must be acknowledged with 2xx; read the app logs for this request.', data };
    }
    return { status: 'pass', summary: `signatures are verified: ${evidence}`, data };
  },
});
