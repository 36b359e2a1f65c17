/**
 * smoke.stripe-webhook: the app's webhook route (the app model's) verifies signatures. Three
 * requests: an unsigned event and a forged one must be refused (4xx); one signed with the app's
 * webhook secret (STRIPE_WEBHOOK_SECRET, or its own name for it), for an event type its handler does
 * not act on (so nothing is written), must be accepted (2xx). A route that never answers an unsigned
 * request (it hangs until the probe's bound) is a defect of its own: Stripe's deliveries time out too.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { defineRule } from '../index.js';
import type { ProbeResponse } from '../../probes/http.js';
import { ProbeError } from '../../probes/http.js';
import { appOrigin, appUrlFor } from '../../probes/target.js';
import { noTarget, probeFailure } from '../live.js';
import { HANDLED_EVENTS } from '../../target-app.js';
import { notApplicable, variable } from '../app.js';

/** A real Stripe event type the app does not handle: its handler acknowledges it and writes nothing. */
export const UNHANDLED_EVENT_TYPE = 'balance.available';
/** Others, for a handler that acts on balance.available. */
const UNHANDLED_CANDIDATES = [UNHANDLED_EVENT_TYPE, 'payout.paid', 'topup.created', 'transfer.created', 'coupon.created'];

/** The first probe event type the handler does not act on. */
export function unhandledEventType(handled: readonly string[]): string {
  if (handled.includes('*')) return UNHANDLED_EVENT_TYPE;
  return UNHANDLED_CANDIDATES.find((e) => !handled.includes(e)) ?? UNHANDLED_EVENT_TYPE;
}

/** Stripe's signature header: `t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<payload>">`. */
export function stripeSignature(payload: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

export function testEvent(livemode: boolean, type = UNHANDLED_EVENT_TYPE, handled: readonly string[] = HANDLED_EVENTS): string {
  if (handled.includes(type)) throw new Error('the probe event must be one the app ignores');
  return JSON.stringify({
    id: `evt_readiness_${randomBytes(8).toString('hex')}`,
    object: 'event',
    type,
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
    const { paths, stripe } = settings.app;
    if (!paths.stripeWebhook) return notApplicable('Stripe webhook route', settings.app.routes.known ? 'no API route verifies Stripe signatures or is named like a Stripe webhook' : 'paths.stripe-webhook is false in the config');
    const origin = appOrigin(settings);
    if (!origin) return noTarget(settings);
    const path = paths.stripeWebhook;
    const url = appUrlFor(origin, path);
    const secretVar = variable(settings, 'stripeWebhookSecret') ?? { name: 'STRIPE_WEBHOOK_SECRET' };
    const secret = secretVar.value;
    const type = unhandledEventType(stripe.events);
    const payload = testEvent(variable(settings, 'stripeSecretKey')?.value?.includes('_live_') ?? true, type, stripe.events);
    const post = (headers: Record<string, string>) =>
      clients.http().request({ url, method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: payload }, signal);
    const answers = await Promise.allSettled([
      post({}),
      post({ 'stripe-signature': stripeSignature(payload, `whsec_${randomBytes(24).toString('base64url')}`) }),
      secret ? post({ 'stripe-signature': stripeSignature(payload, secret) }) : Promise.resolve(undefined),
    ]);
    const failed = answers.map((a) => (a.status === 'rejected' ? (a.reason as unknown) : undefined));
    const timedOut = failed.map((e) => e instanceof ProbeError && e.kind === 'timeout');
    const answeredAny = answers.some((a) => a.status === 'fulfilled' && a.value !== undefined);
    if (timedOut[0] && answeredAny) {
      // The route answered the others: hanging on an unsigned request is the route's own defect.
      return {
        status: 'fail',
        summary: `POST ${path} without a signature got no answer within ${settings.timeoutSeconds} s: the webhook route hangs instead of refusing it with 400`,
        details: `Answers: ${answers.map((a, i) => `${['unsigned', 'forged signature', `signed with ${secretVar.name}`][i]} → ${a.status === 'fulfilled' ? (a.value?.status ?? 'not sent') : failed[i] instanceof ProbeError ? (failed[i] as ProbeError).message : String(failed[i])}`).join('; ')}.`,
        fix: 'Answer 400 as soon as the stripe-signature header is missing or constructEvent throws (read the raw body first, and never await anything that waits for a signature); a request that hangs holds a server slot until the platform kills it.',
      };
    }
    const firstError = failed.find((e) => e !== undefined);
    if (firstError !== undefined) return probeFailure(firstError, `POST ${url}`);
    const [unsigned, forged, signed] = answers.map((a) => (a as PromiseFulfilledResult<ProbeResponse | undefined>).value) as [ProbeResponse, ProbeResponse, ProbeResponse | undefined];
    const evidence = `unsigned → ${unsigned.status}, forged signature → ${forged.status}${signed ? `, signed with ${secretVar.name} → ${signed.status}` : ''} (POST ${url}, event type ${type})`;
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
      return { status: 'fail', summary: `the webhook endpoint did not answer the bad requests with 4xx: ${evidence}`, fix: `Check that ${path} is deployed and public in the middleware.`, data };
    }
    if (!signed) {
      return { status: 'fail', summary: `${secretVar.name} is not set, so a correctly signed event cannot be sent`, details: evidence, data };
    }
    if (signed.status === 400) {
      return {
        status: 'fail',
        summary: `signing secret mismatch: the app refused an event signed with ${secretVar.name}`,
        details: `${evidence}\n\nThe app verifies with another secret than the one the gate was given, so real events from Stripe are refused too (if the gate's secret is the endpoint's).`,
        fix: `Copy the production endpoint's signing secret from https://dashboard.stripe.com/webhooks into the app's ${secretVar.name} and redeploy.`,
        data,
      };
    }
    if (!ok(signed)) {
      return { status: 'fail', summary: `the app answered ${signed.status} to a correctly signed event it does not handle`, details: evidence, fix: 'An event type the handler does not know must be acknowledged with 2xx; read the app logs for this request.', data };
    }
    return { status: 'pass', summary: `signatures are verified: ${evidence}`, data };
  },
});
