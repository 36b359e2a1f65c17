/**
 * A Stripe-compatible API server, enough of it for the real `stripe` SDK to read the account:
 * `GET /v1/balance`, `/v1/webhook_endpoints`, `/v1/products`, `/v1/prices` (and single objects), with
 * Stripe's list envelope and cursor pagination, its error JSON, and its headers.
 *
 * Test and live data live apart in Stripe; here one catalog is shown in the mode of the key that asks
 * (`livemode` on every object follows the key), which is what a gate reading one key can observe.
 *
 * It is read-only, like the gate must be: anything but GET answers 404 the way Stripe answers an
 * unknown route, and every request is recorded so tests can assert that no write was attempted.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { closeServer, listen } from './net.js';
import { HANDLED_EVENTS } from '../src/target-app.js';

export interface StripeProduct {
  id: string;
  object: 'product';
  active: boolean;
  created: number;
  default_price: string | null;
  description: string | null;
  images: string[];
  livemode: boolean;
  marketing_features: { name: string }[];
  metadata: Record<string, string>;
  name: string;
  package_dimensions: null;
  shippable: null;
  statement_descriptor: string | null;
  tax_code: string | null;
  type: 'service';
  unit_label: string | null;
  updated: number;
  url: string | null;
}

export interface StripePrice {
  id: string;
  object: 'price';
  active: boolean;
  billing_scheme: 'per_unit';
  created: number;
  currency: string;
  custom_unit_amount: null;
  livemode: boolean;
  lookup_key: string | null;
  metadata: Record<string, string>;
  nickname: string | null;
  product: string;
  recurring: {
    interval: 'month' | 'year';
    interval_count: number;
    meter: null;
    trial_period_days: number | null;
    usage_type: 'licensed';
  } | null;
  tax_behavior: 'unspecified';
  tiers_mode: null;
  transform_quantity: null;
  type: 'recurring' | 'one_time';
  unit_amount: number;
  unit_amount_decimal: string;
}

export interface StripeWebhookEndpoint {
  id: string;
  object: 'webhook_endpoint';
  api_version: string | null;
  application: null;
  created: number;
  description: string | null;
  enabled_events: string[];
  livemode: boolean;
  metadata: Record<string, string>;
  status: 'enabled' | 'disabled';
  url: string;
}

export interface StripeCatalog {
  products: StripeProduct[];
  prices: StripePrice[];
}

export interface StripeKey {
  secret: string;
  /** Default: from the prefix (`sk_live_`, `rk_live_` → live). */
  livemode?: boolean;
  /**
   * For restricted keys: the resources the key may read (`balance`, `webhook_endpoints`, `products`,
   * `prices`). Others answer 403 like Stripe's permission error. Default: everything.
   */
  allow?: string[];
}

export interface RecordedStripeRequest {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  status: number;
  /** The key's mode; the key itself is never recorded. */
  livemode?: boolean;
  at: number;
}

export interface InjectedFailure {
  status: 429 | 500 | 503;
  /** How many matching requests fail (SDK retries count). Default 1. */
  times?: number;
  /** Only requests whose path starts with this. */
  path?: string;
}

export interface StripeServerOptions {
  keys: (string | StripeKey)[];
  catalog?: StripeCatalog;
  webhookEndpoints?: Omit<StripeWebhookEndpoint, 'livemode'>[];
  /** The account id shown in permission errors. */
  accountId?: string;
}

export interface StripeServerHandle {
  /** `http://127.0.0.1:<port>`: the `stripe-api-base` input. */
  url: string;
  host: string;
  port: number;
  /** Options for `new Stripe(key, …)` that point the SDK here. */
  sdkOptions: { host: string; port: number; protocol: 'http' };
  requests: RecordedStripeRequest[];
  /** The live data, mutable by tests and scenarios (e.g. archive a product). */
  catalog: StripeCatalog;
  webhookEndpoints: Omit<StripeWebhookEndpoint, 'livemode'>[];
  addKey(key: string | StripeKey): void;
  failNext(failure: InjectedFailure): void;
  stop(): Promise<void>;
}

const API_VERSION = '2026-10-28.endive';

export async function startStripeServer(options: StripeServerOptions): Promise<StripeServerHandle> {
  const keys = new Map<string, Required<Pick<StripeKey, 'livemode'>> & StripeKey>();
  const addKey = (key: string | StripeKey) => {
    const k = typeof key === 'string' ? { secret: key } : key;
    keys.set(k.secret, { ...k, livemode: k.livemode ?? /^(sk|rk)_live_/.test(k.secret) });
  };
  options.keys.forEach(addKey);
  const catalog = options.catalog ?? defaultCatalog();
  const webhookEndpoints = options.webhookEndpoints ?? [];
  const accountId = options.accountId ?? 'acct_1OaCmeSaaSLive01';
  const requests: RecordedStripeRequest[] = [];
  const failures: { status: InjectedFailure['status']; times: number; path?: string }[] = [];

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stripe.local');
    const record: RecordedStripeRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: parseQuery(url.searchParams),
      status: 0,
      at: Date.now(),
    };
    requests.push(record);
    // Drain any body: the SDK may send one on POST, and we never read it.
    req.resume();
    const send = (status: number, body: unknown, extra: Record<string, string> = {}) => {
      record.status = status;
      const text = JSON.stringify(body, null, 2);
      res.writeHead(status, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(text),
        'Request-Id': `req_${randomId(14)}`,
        'Stripe-Version': (req.headers['stripe-version'] as string | undefined) ?? API_VERSION,
        'Access-Control-Allow-Origin': '*',
        ...extra,
      });
      res.end(text);
    };

    const key = keys.get(apiKeyOf(req) ?? '');
    if (!key) {
      const given = apiKeyOf(req);
      return send(401, {
        error: {
          message: given
            ? `Invalid API Key provided: ${maskKey(given)}`
            : "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
          type: 'invalid_request_error',
        },
      }, { 'WWW-Authenticate': 'Bearer realm="Stripe"' });
    }
    record.livemode = key.livemode;

    const failure = failures.find((f) => !f.path || url.pathname.startsWith(f.path));
    if (failure) {
      if (--failure.times <= 0) failures.splice(failures.indexOf(failure), 1);
      return failure.status === 429
        ? send(429, {
            error: {
              code: 'rate_limit',
              doc_url: 'https://stripe.com/docs/error-codes/rate-limit',
              message: 'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.',
              type: 'invalid_request_error',
            },
          })
        : send(failure.status, { error: { message: 'An unknown error occurred', type: 'api_error' } });
    }

    const notFound = () =>
      send(404, {
        error: {
          message: `Unrecognized request URL (${record.method}: ${url.pathname}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
          type: 'invalid_request_error',
        },
      });
    if (record.method !== 'GET') return notFound();

    const [, version, resource, id, ...rest] = url.pathname.split('/');
    if (version !== 'v1' || !resource || rest.length > 0) return notFound();
    if (key.allow && !key.allow.includes(resource)) {
      return send(403, {
        error: {
          message: `The provided key '${maskKey(key.secret)}' does not have the required permissions for this endpoint on account '${accountId}'. Having the 'rak_${resource}_read' permission would allow this request to continue.`,
          type: 'invalid_request_error',
        },
      });
    }
    const live = <T extends object>(obj: T) => ({ ...obj, livemode: key.livemode });

    switch (resource) {
      case 'balance':
        if (id) return notFound();
        return send(200, {
          object: 'balance',
          available: [{ amount: 1_284_550, currency: 'usd', source_types: { card: 1_284_550 } }],
          livemode: key.livemode,
          pending: [{ amount: 93_120, currency: 'usd', source_types: { card: 93_120 } }],
        });
      case 'products':
      case 'prices':
      case 'webhook_endpoints': {
        const all: { id: string; created: number }[] =
          resource === 'products' ? catalog.products : resource === 'prices' ? catalog.prices : webhookEndpoints;
        const noun = resource === 'webhook_endpoints' ? 'webhook_endpoint' : resource.slice(0, -1);
        if (id) {
          const found = all.find((o) => o.id === id);
          return found
            ? send(200, live(found))
            : send(404, {
                error: {
                  code: 'resource_missing',
                  message: `No such ${noun}: '${id}'`,
                  param: 'id',
                  type: 'invalid_request_error',
                },
              });
        }
        const filtered = all.filter((o) => matchesFilters(o as unknown as Record<string, unknown>, url.searchParams));
        const page = paginate(filtered, url.searchParams);
        if ('error' in page) return send(400, { error: { ...page.error, type: 'invalid_request_error' } });
        return send(200, { object: 'list', data: page.data.map(live), has_more: page.hasMore, url: `/v1/${resource}` });
      }
      default:
        return notFound();
    }
  });

  const host = '127.0.0.1';
  await listen(server, 0, host);
  const port = (server.address() as import('node:net').AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    host,
    port,
    sdkOptions: { host, port, protocol: 'http' },
    requests,
    catalog,
    webhookEndpoints,
    addKey,
    failNext(failure) {
      failures.push({ status: failure.status, times: failure.times ?? 1, path: failure.path });
    },
    stop: () => closeServer(server),
  };
}

function apiKeyOf(req: http.IncomingMessage): string | undefined {
  const header = req.headers.authorization ?? '';
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  if (bearer) return bearer[1];
  // curl -u sk_live_…: (Basic auth, key as the user name)
  const basic = /^Basic\s+(\S+)$/i.exec(header);
  if (basic) return Buffer.from(basic[1]!, 'base64').toString('utf8').split(':')[0] || undefined;
  return undefined;
}

/** Stripe shows a key as its prefix, asterisks and the last four characters. */
function maskKey(key: string): string {
  const prefix = /^(sk|rk|pk)_(live|test)_/.exec(key)?.[0] ?? '';
  return `${prefix}${'*'.repeat(Math.max(0, key.length - prefix.length - 4))}${key.slice(-4)}`;
}

function parseQuery(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of params) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** The list filters the gate and the app's sync use: `active`, `product`, `type`, `currency`. */
function matchesFilters(obj: Record<string, unknown>, params: URLSearchParams): boolean {
  const active = params.get('active');
  if (active !== null && String(obj.active) !== active) return false;
  for (const field of ['product', 'type', 'currency']) {
    const want = params.get(field);
    if (want !== null && obj[field] !== want) return false;
  }
  return true;
}

type Page<T> = { data: T[]; hasMore: boolean } | { error: { message: string; param?: string; code?: string } };

/** Stripe's cursor pagination: newest first, `limit` 1–100 (default 10), `starting_after`/`ending_before` ids. */
function paginate<T extends { id: string; created: number }>(all: T[], params: URLSearchParams): Page<T> {
  const limit = params.has('limit') ? Number(params.get('limit')) : 10;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    return { error: { message: 'This value must be greater than or equal to 1 and less than or equal to 100.', param: 'limit' } };
  }
  // Stable newest-first order: by creation time, then by position (later entries are newer).
  const sorted = all.map((o, i) => ({ o, i })).sort((a, b) => b.o.created - a.o.created || b.i - a.i).map((x) => x.o);
  const after = params.get('starting_after');
  const before = params.get('ending_before');
  const cursor = after ?? before;
  if (cursor !== null) {
    const index = sorted.findIndex((o) => o.id === cursor);
    if (index < 0) {
      return { error: { code: 'resource_missing', message: `No such object: '${cursor}'`, param: after !== null ? 'starting_after' : 'ending_before' } };
    }
    if (after !== null) {
      const rest = sorted.slice(index + 1);
      return { data: rest.slice(0, limit), hasMore: rest.length > limit };
    }
    const head = sorted.slice(0, index);
    return { data: head.slice(Math.max(0, head.length - limit)), hasMore: head.length > limit };
  }
  return { data: sorted.slice(0, limit), hasMore: sorted.length > limit };
}

function randomId(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(length), (b) => alphabet[b % alphabet.length]).join('');
}

/**
 * The account's catalog: the three plans the app sells (Free, Team, Enterprise) with monthly and
 * yearly prices, an add-on without a tier (not a plan: /pricing must not list it), and a retired plan
 * (archived product and price) that a sync must skip.
 */
export function defaultCatalog(): StripeCatalog {
  const created = Date.UTC(2024, 1, 12, 11, 0, 0) / 1000;
  const product = (
    id: string,
    name: string,
    description: string,
    features: string[],
    metadata: Record<string, string>,
    defaultPrice: string,
    offset: number,
    active = true,
  ): StripeProduct => ({
    id,
    object: 'product',
    active,
    created: created + offset,
    default_price: defaultPrice,
    description,
    images: [],
    livemode: true,
    marketing_features: features.map((name) => ({ name })),
    metadata,
    name,
    package_dimensions: null,
    shippable: null,
    statement_descriptor: null,
    tax_code: 'txcd_10103001',
    type: 'service',
    unit_label: null,
    updated: created + offset + 3600,
    url: null,
  });
  const price = (
    id: string,
    productId: string,
    unitAmount: number,
    interval: 'month' | 'year',
    offset: number,
    active = true,
  ): StripePrice => ({
    id,
    object: 'price',
    active,
    billing_scheme: 'per_unit',
    created: created + offset,
    currency: 'usd',
    custom_unit_amount: null,
    livemode: true,
    lookup_key: null,
    metadata: {},
    nickname: null,
    product: productId,
    recurring: { interval, interval_count: 1, meter: null, trial_period_days: null, usage_type: 'licensed' },
    tax_behavior: 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: 'recurring',
    unit_amount: unitAmount,
    unit_amount_decimal: String(unitAmount),
  });
  return {
    products: [
      product('prod_PfReeAcm3Sa4S1', 'Free', 'For individuals getting started', ['api_keys'], { tier: 'free', features: 'api_keys' }, 'price_1OfReeMonthAcme00000001', 0),
      product('prod_PtEamAcm3Sa4S2', 'Team', 'For growing teams', ['api_keys', 'webhooks', 'team_audit_log'], { tier: 'business', features: 'api_keys,webhooks,team_audit_log' }, 'price_1OtEamMonthAcme00000002', 60),
      product('prod_PeNtpAcm3Sa4S3', 'Enterprise', 'SSO, directory sync and everything in Team', ['api_keys', 'webhooks', 'team_audit_log', 'sso', 'directory_sync'], { tier: 'business', features: 'api_keys,webhooks,team_audit_log,sso,directory_sync' }, 'price_1OeNtpMonthAcme00000004', 120),
      product('prod_PsUppAcm3Sa4S4', 'Priority Support', 'Add-on: four-hour response time', [], {}, 'price_1OsUppMonthAcme00000006', 180),
      product('prod_PsTarTAcm3Sa05', 'Starter (2023)', 'Retired plan', ['api_keys'], { tier: 'business' }, 'price_1OsTarMonthAcme00000007', -86_400 * 200, false),
    ],
    prices: [
      price('price_1OfReeMonthAcme00000001', 'prod_PfReeAcm3Sa4S1', 0, 'month', 1),
      price('price_1OtEamMonthAcme00000002', 'prod_PtEamAcm3Sa4S2', 2900, 'month', 61),
      price('price_1OtEamYearlAcme00000003', 'prod_PtEamAcm3Sa4S2', 29000, 'year', 62),
      price('price_1OeNtpMonthAcme00000004', 'prod_PeNtpAcm3Sa4S3', 9900, 'month', 121),
      price('price_1OeNtpYearlAcme00000005', 'prod_PeNtpAcm3Sa4S3', 99000, 'year', 122),
      price('price_1OsUppMonthAcme00000006', 'prod_PsUppAcm3Sa4S4', 4900, 'month', 181),
      price('price_1OsTarMonthAcme00000007', 'prod_PsTarTAcm3Sa05', 1900, 'month', -86_400 * 200 + 1, false),
    ],
  };
}

/** The app's webhook endpoint as registered in the Stripe dashboard. */
export function appWebhookEndpoint(appOrigin: string): Omit<StripeWebhookEndpoint, 'livemode'> {
  return {
    id: 'we_1OaCmeWebhook0001',
    object: 'webhook_endpoint',
    api_version: null,
    application: null,
    created: Date.UTC(2024, 1, 12, 12, 0, 0) / 1000,
    description: 'Production app',
    enabled_events: [...HANDLED_EVENTS],
    metadata: {},
    status: 'enabled',
    url: `${appOrigin}/api/webhooks/stripe`,
  };
}
