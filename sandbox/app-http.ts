/**
 * The contract between the app's request pipeline (`./app.ts`) and its route handlers
 * (`./app-routes.ts`, `./app-auth.ts`), kept apart so neither imports the other.
 */
import type http from 'node:http';
import type pg from 'pg';
import type Stripe from 'stripe';
import type { AppConfig } from './app-config.js';

/** What a route handler returns; the pipeline adds the security headers. */
export interface AppResponse {
  status: number;
  headers?: Record<string, string | string[]>;
  /** Serialised as `application/json; charset=utf-8`. */
  json?: unknown;
  /** Served as `text/html; charset=utf-8`. */
  html?: string;
  text?: string;
}

export interface RequestContext {
  req: http.IncomingMessage;
  method: string;
  /** Absolute URL as the app sees it (`https://<Host>/path?query`). */
  url: URL;
  /** Dynamic segments of the matched route (`[slug]` → `params.slug`). */
  params: Record<string, string>;
  config: AppConfig;
  db: pg.Pool;
  /** The app's Stripe client; throws when STRIPE_SECRET_KEY is unset, as `new Stripe('')` does. */
  stripe(): Stripe;
  /** This request's CSP nonce. */
  nonce: string;
  cookies: Record<string, string>;
  /** The raw body (webhooks need the exact bytes). */
  rawBody(): Promise<Buffer>;
  /** Next's API body parser: JSON when the content type says so, `undefined` for an empty body. */
  jsonBody(): Promise<unknown>;
  /** Shared state of the running app (CSP reports, later sessions). */
  state: AppState;
  /** The deployed build's defects (none in a good deployment). */
  defects: AppDefects;
}

/**
 * Code defects of a deployed build, for scenarios: what a bad release does, which no environment
 * variable of the real app switches on.
 */
export interface AppDefects {
  /**
   * `pages/api/webhooks/stripe.ts` parses the body and handles it without `constructEvent`: the
   * signature check was commented out to replay events with curl, and shipped.
   */
  webhookSkipsSignature?: boolean;
  /**
   * Routes (ROUTES paths) whose module throws when Next loads it, with the error: every request to
   * the route gets Next's 500, before the handler runs (a module missing from the serverless
   * function's bundle, a module-scope initialisation that throws).
   */
  failingRoutes?: Record<string, string>;
  /** Routes (ROUTES paths) the build does not have: the module was deleted, Next answers 404. */
  removedRoutes?: readonly string[];
}

/**
 * The platform edge in front of the app (a CDN or reverse proxy with header rules): header name →
 * the value it sets (replacing the app's), null to strip it, or an edit of the app's value.
 */
export type EdgeHeaders = Record<string, string | null | ((appValue: string | undefined) => string | null)>;

export interface AppState {
  cspReports: unknown[];
}

/** A thrown HttpError becomes a JSON response with its status (the app's ApiError). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
  }
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * A server-rendered Next.js page: the body plus the nonce'd bootstrap script, and `__NEXT_DATA__`
 * with the page's props (what the client hydrates from: a client-side tab shows data from here that
 * the server-rendered HTML does not). The JSON is escaped for a <script> as Next does.
 */
export function page(title: string, nonce: string, body: string, data: { page?: string; pageProps?: unknown } = {}): string {
  const nextData = JSON.stringify({ props: { pageProps: data.pageProps ?? {} }, page: data.page ?? '', buildId: 'acme-1.6.0' })
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026');
  return `<!DOCTYPE html><html lang="en"><head><meta charSet="utf-8"/><meta name="viewport" content="width=device-width"/>` +
    `<title>${escapeHtml(title)}</title><link rel="preload" href="/_next/static/css/app.css" as="style"/></head>` +
    `<body><div id="__next">${body}</div>` +
    `<script id="__NEXT_DATA__" type="application/json" nonce="${nonce}">${nextData}</script>` +
    `<script src="/_next/static/chunks/main.js" nonce="${nonce}" defer=""></script></body></html>`;
}
