/**
 * The run's one Stripe client: the real `stripe` SDK, loaded only when a Stripe rule runs, pinned to
 * one API version, pointed at `stripe-api-base` when given, retrying 429 and 5xx with backoff, and
 * unable to write: any request that is not a GET throws before it leaves the process.
 */
import type Stripe from 'stripe';
import { track } from '../util/activity.js';
import { describeCause } from './network-errors.js';

/** The API version the gate's reading of Stripe objects was written against. */
export const STRIPE_API_VERSION = '2026-10-28.endive';

export class StripeWriteRefused extends Error {
  override name = 'StripeWriteRefused';
}

export interface StripeClientOptions {
  secretKey: string;
  /** `stripe-api-base`: e.g. http://127.0.0.1:12111 for stripe-mock. */
  apiBase?: string;
  timeoutMs: number;
  /** Extra attempts on 429/5xx/connection errors. Default 3. */
  retries?: number;
  backoffMs?: number;
}

export interface StripeHandle {
  stripe: Stripe;
  /** Requests that reached the network (attempts included), for evidence and benchmarks. */
  requests: { method: string; path: string; status?: number }[];
}

type MakeRequest = (host: string, port: string | number, path: string, method: string, headers: object, data: unknown, protocol: string, timeout: number) => Promise<{ getStatusCode(): number }>;

export async function createStripe(options: StripeClientOptions): Promise<StripeHandle> {
  const { default: StripeSdk } = await import('stripe');
  const requests: StripeHandle['requests'] = [];
  const base = StripeSdk.createNodeHttpClient() as unknown as { makeRequest: MakeRequest };
  const retries = options.retries ?? 3;
  const backoffMs = options.backoffMs ?? 500;
  // The SDK retries 5xx and connection errors itself (maxNetworkRetries) but not a plain 429 rate
  // limit; this wrapper adds that, and refuses anything but GET.
  const guarded = Object.create(base) as { makeRequest: MakeRequest };
  guarded.makeRequest = async (host, port, path, method, headers, data, protocol, timeout) => {
    if (method.toUpperCase() !== 'GET') {
      // Answered here as a 400 so the SDK neither retries nor sends it: the caller gets an error
      // whose message says why, and nothing reaches Stripe.
      return refusedResponse(`refused ${method} ${path.split('?')[0]}: the gate only reads Stripe`);
    }
    for (let attempt = 0; ; attempt++) {
      const response = await track('Stripe', `${method} ${path.split('?')[0]}`, base.makeRequest.call(base, host, port, path, method, headers, data, protocol, timeout));
      requests.push({ method, path: path.split('?')[0]!, status: response.getStatusCode() });
      if (response.getStatusCode() !== 429 || attempt >= retries) return response;
      await new Promise((r) => setTimeout(r, backoffMs * 2 ** attempt));
    }
  };
  const config: Stripe.StripeConfig = {
    apiVersion: STRIPE_API_VERSION as Stripe.LatestApiVersion,
    httpClient: guarded as unknown as Stripe.HttpClient,
    maxNetworkRetries: retries,
    timeout: options.timeoutMs,
    appInfo: { name: 'production-readiness-gate' },
    telemetry: false,
  };
  if (options.apiBase) {
    const url = new URL(options.apiBase);
    config.host = url.hostname;
    config.port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    config.protocol = url.protocol === 'http:' ? 'http' : 'https';
  }
  return { stripe: new StripeSdk(options.secretKey, config), requests };
}

function refusedResponse(message: string) {
  const body = { error: { type: 'invalid_request_error', code: 'readiness_gate_read_only', message } };
  return {
    getStatusCode: () => 400,
    getHeaders: () => ({ 'request-id': 'req_refused_by_gate' }),
    getRawResponse: () => undefined,
    toStream: () => {
      throw new StripeWriteRefused(message);
    },
    toJSON: () => Promise.resolve(body),
  };
}

/** One sentence for a Stripe SDK error, naming Stripe and the cause. Never includes the key. */
export function describeStripeError(error: unknown): string {
  const e = error as { type?: string; statusCode?: number; message?: string; code?: string; detail?: unknown };
  if (error instanceof StripeWriteRefused || e.code === 'readiness_gate_read_only') return e.message!;
  switch (e.type) {
    case 'StripeAuthenticationError':
      return 'Stripe refused the key (401): it is invalid, revoked, or from another account';
    case 'StripePermissionError':
      return `the restricted key lacks a permission Stripe needs for this read (403): ${e.message ?? ''}`.trim();
    case 'StripeRateLimitError':
      return 'Stripe kept answering 429 (rate limited) after retries';
    case 'StripeConnectionError': {
      const timedOut = /timeout/i.test(e.message ?? '') || (e.detail as { code?: string } | undefined)?.code === 'ETIMEDOUT';
      return timedOut ? 'Stripe did not answer within the time bound (timeout-seconds)' : `Stripe could not be reached: ${describeCause(e.detail ?? error)}`;
    }
    case 'StripeAPIError':
      return `Stripe answered an error${e.statusCode ? ` (${e.statusCode})` : ''}: ${e.message ?? ''}`.trim();
    default:
      return e.message ? `Stripe: ${e.message}` : `Stripe: the request failed`;
  }
}

/**
 * True when the error says Stripe could not answer (no connection, a timeout, 5xx or 429 after the
 * retries), as opposed to an answer about the key or the account: such a check could not run.
 */
export function stripeUnavailable(error: unknown): boolean {
  const e = error as { type?: string; statusCode?: number };
  return e.type === 'StripeConnectionError' || e.type === 'StripeRateLimitError' || (e.statusCode ?? 0) >= 500 || (e.type === 'StripeAPIError' && !e.statusCode);
}
