/**
 * The emulated target app (`/work/shared/spec/target-app.md`): a Next.js + NextAuth SaaS as seen
 * from the network. One HTTPS server with the app's certificate, driven by the same environment
 * variables as the real app, plus the hosting platform's plain-HTTP listener.
 *
 * The request pipeline mirrors Next.js:
 *   1. security headers for every response (next.config `headers()` + the middleware's CSP nonce);
 *   2. the auth middleware: a non-public path without a valid session cookie (`./app-auth.ts`,
 *      database sessions) is redirected (307) to the login page, API routes included;
 *   3. the route table (`./app-routes.ts`), data-driven, in Next's file-route syntax;
 *   4. Next's own 404 page when nothing matches.
 */
import http from 'node:http';
import https from 'node:https';
import { randomBytes } from 'node:crypto';
import type { SecureContextOptions } from 'node:tls';
import pg from 'pg';
import Stripe from 'stripe';
import type { IssuedCert } from './certs.js';
import { closeServer, hostWithPort, listen } from './net.js';
import { ROUTES, PUBLIC_ROUTES, V5_PRIVATE_ROUTES, V5_ROUTES, type Route } from './app-routes.js';
import type { Flavour } from './flavours.js';
import { currentSession } from './app-auth.js';
import { loadAppConfig, type AppConfig, type AuthSetup } from './app-config.js';
import { HttpError, page, type AppDefects, type AppResponse, type AppState, type EdgeHeaders, type RequestContext } from './app-http.js';

export { AppConfigError, loadAppConfig, type AppConfig } from './app-config.js';
export type { AppDefects, AppResponse, EdgeHeaders, RequestContext } from './app-http.js';

export interface AppServerOptions {
  /** The app's process environment (APP_URL, NEXTAUTH_URL, ENABLE_HSTS, …). */
  env: Record<string, string | undefined>;
  /** Which app runs (./flavours.ts); default `guide`. */
  flavour?: Flavour;
  address: string;
  httpsPort: number;
  /** The platform's port-80 listener; ignored when `http` is `off`. */
  httpPort?: number;
  /**
   * What plain HTTP does: `redirect` (301 to https, the platform default), `serve` (the app over
   * plaintext: a misconfigured edge), `off` (nothing listens).
   */
  http?: 'redirect' | 'serve' | 'off';
  cert: IssuedCert;
  /** TLS settings of the edge (default: TLS 1.2 minimum, as hosting platforms do). */
  tls?: Pick<SecureContextOptions, 'minVersion' | 'maxVersion' | 'ciphers'>;
  /** How the app reaches its database (the pool behind Prisma). */
  database: pg.PoolConfig;
  /** Where the app's Stripe SDK sends requests (the sandbox Stripe server). */
  stripeApi: { host: string; port: number; protocol: 'http' | 'https' };
  /** Receives one line per request. */
  onLog?: (line: string) => void;
  /**
   * Every response (HTTPS and plain HTTP, the edge's redirects included) waits this long before it
   * is sent: a slow deployment (cold starts, a distant region). Default 0.
   */
  responseDelayMs?: number;
  /**
   * The platform edge in front of the app (a CDN or reverse proxy): header changes applied to every
   * response of the app, after the app set its own (`./app-http.ts`, EdgeHeaders).
   */
  edge?: EdgeHeaders;
  /** Code defects of the deployed build (`./app-http.ts`, AppDefects). */
  defects?: AppDefects;
  /**
   * Paths that neither next.config `headers()` nor the middleware matcher reach (an i18n setting's
   * locale routing keeps both off `/`): they are served with no security headers and no auth
   * redirect.
   */
  unmatchedPaths?: readonly string[];
  /**
   * The origin the app sees itself at behind a proxy that passes its internal Host
   * (`https://localhost:4002`): what it builds absolute URLs from (`req.nextUrl.origin`: the
   * middleware's login redirect, the Report-To endpoints). Default: the request's own Host.
   */
  internalOrigin?: string;
  /**
   * The next-auth version the deployment runs and whether the app's config passes `trustHost`
   * (./app-config.ts, AuthSetup): the sandbox index takes the version from the fixture
   * repository's lockfile. Default: next-auth 4.24.13 with the app's `trustHost` line.
   */
  auth?: AuthSetup;
  /**
   * The host names the platform edge serves. A request whose `Host` names another (the TLS server
   * name still this one) is answered `421 Misdirected Request` before it reaches the app, as a
   * platform that routes by Host does (Vercel, Netlify, an nginx `server_name` with a default
   * server). Default: every Host reaches the app (a proxy that passes Host through).
   */
  hosts?: readonly string[];
}

export interface RecordedAppRequest {
  method: string;
  path: string;
  status: number;
  scheme: 'https' | 'http';
  /** When the request arrived (ms since the epoch). */
  at: number;
  /** From its arrival to the response sent (the response delay included). */
  durationMs: number;
}

export interface AppHandle {
  config: AppConfig;
  address: string;
  httpsPort: number;
  httpPort?: number;
  requests: RecordedAppRequest[];
  /** Bodies posted to /api/security/csp-report. */
  cspReports: unknown[];
  db: pg.Pool;
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Starts the app. Throws `AppConfigError` when the environment would stop the real app from booting
 * (an enabled OAuth provider without its id or secret), before anything listens.
 */
export async function startApp(options: AppServerOptions): Promise<AppHandle> {
  const config = loadAppConfig(options.env, options.auth, options.flavour);
  // Like Prisma: a short connect timeout, so a dead database fails health checks instead of hanging them.
  const db = new pg.Pool({ max: 5, connectionTimeoutMillis: 5000, ...options.database });
  db.on('error', () => undefined); // idle-client errors (database restarts) must not crash the app
  let stripe: Stripe | undefined;
  const stripeClient = () => {
    stripe ??= new Stripe(config.stripe.secretKey ?? '', { ...options.stripeApi, maxNetworkRetries: 1 });
    return stripe;
  };
  const state: AppState = { cspReports: [] };
  const requests: RecordedAppRequest[] = [];
  const httpsPort = options.httpsPort;
  const delayMs = Math.max(0, options.responseDelayMs ?? 0);
  const edge = options.edge ?? {};
  const defects = options.defects ?? {};
  const unmatchedPaths = new Set(options.unmatchedPaths ?? []);
  const internalOrigin = options.internalOrigin;

  const served = options.hosts ? new Set(options.hosts.map((h) => h.toLowerCase())) : undefined;
  const misdirected = (req: http.IncomingMessage) => served !== undefined && !served.has((req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase());

  const handle = (scheme: 'https' | 'http') => (req: http.IncomingMessage, res: http.ServerResponse) => {
    const started = Date.now();
    const record = (status: number) => {
      const entry = { method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0]!, status, scheme, at: started, durationMs: Date.now() - started };
      requests.push(entry);
      options.onLog?.(`${scheme} ${entry.method} ${entry.path} ${status} ${entry.durationMs}ms`);
    };
    const onError = (err: unknown) => options.onLog?.(`app error: ${(err as Error).stack ?? String(err)}`);
    if (misdirected(req)) {
      req.resume();
      void sleep(delayMs).then(() => {
        res.writeHead(421, { 'Content-Type': 'text/plain' }).end('Misdirected Request');
        record(421);
      });
      return;
    }
    serve(req, res, scheme, { config, db, stripe: stripeClient, state, onError, delayMs, edge, defects, unmatchedPaths, internalOrigin })
      .then(record)
      .catch(async (err: unknown) => {
        onError(err);
        if (!res.headersSent) {
          await sleep(delayMs);
          res.writeHead(500, { 'Content-Type': 'text/plain' }).end('Internal Server Error');
        } else res.destroy();
        record(500);
      });
  };

  const httpsServer = https.createServer(
    { cert: options.cert.certPem, key: options.cert.keyPem, minVersion: 'TLSv1.2', ...options.tls },
    handle('https'),
  );
  const mode = options.http ?? 'redirect';
  let httpServer: http.Server | undefined;
  if (mode !== 'off' && options.httpPort !== undefined) {
    httpServer = http.createServer(
      mode === 'serve'
        ? handle('http')
        : (req, res) => {
            // The hosting platform's edge, not the app: a bare redirect without the app's headers.
            const host = (req.headers.host ?? '').replace(/:\d+$/, '');
            const location = `https://${hostWithPort(host, httpsPort, 443)}${req.url ?? '/'}`;
            const at = Date.now();
            const refused = misdirected(req);
            req.resume();
            void sleep(delayMs).then(() => {
              if (refused) res.writeHead(421, { 'Content-Type': 'text/plain', Connection: 'close' }).end('Misdirected Request');
              else {
                res.writeHead(301, { Location: location, 'Content-Type': 'text/plain', Connection: 'close' });
                res.end('Redirecting...');
              }
              requests.push({ method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0]!, status: refused ? 421 : 301, scheme: 'http', at, durationMs: Date.now() - at });
            });
          },
    );
  }

  try {
    await listen(httpsServer, httpsPort, options.address);
    if (httpServer) await listen(httpServer, options.httpPort!, options.address);
  } catch (err) {
    await closeServer(httpsServer);
    await db.end();
    throw err;
  }

  let stopping: Promise<void> | undefined;
  return {
    config,
    address: options.address,
    httpsPort,
    httpPort: httpServer ? options.httpPort : undefined,
    requests,
    cspReports: state.cspReports,
    db,
    stop() {
      stopping ??= (async () => {
        await Promise.all([closeServer(httpsServer), httpServer ? closeServer(httpServer) : undefined]);
        await db.end().catch(() => undefined);
      })();
      return stopping;
    },
  };
}

interface AppRuntime {
  config: AppConfig;
  db: pg.Pool;
  stripe: () => Stripe;
  state: AppState;
  onError: (err: unknown) => void;
  delayMs: number;
  edge: EdgeHeaders;
  defects: AppDefects;
  unmatchedPaths: ReadonlySet<string>;
  internalOrigin?: string;
}

const sleep = (ms: number) => (ms > 0 ? new Promise<void>((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

/** Handles one request; resolves to the status sent. */
async function serve(req: http.IncomingMessage, res: http.ServerResponse, scheme: 'https' | 'http', app: AppRuntime): Promise<number> {
  // What Next's req.nextUrl is: the request's Host, or the internal origin a proxy passes on.
  const url = new URL(req.url ?? '/', app.internalOrigin ?? `${scheme}://${req.headers.host ?? 'localhost'}`);
  const method = (req.method ?? 'GET').toUpperCase();
  const nonce = randomBytes(16).toString('base64');
  // A path outside the matchers gets neither the headers nor the middleware.
  const matched = !app.unmatchedPaths.has(url.pathname);
  const headers = matched ? securityHeaders(app.config, nonce, url.origin) : {};

  let response: AppResponse;
  if (matched && !isPublic(url.pathname, app.config.flavour) && !(await currentSession(app.db, app.config, parseCookies(req.headers.cookie)))) {
    // NextResponse.redirect(new URL('/auth/login', req.url)) with callbackUrl = encodeURI(req.url).
    const login = new URL(app.config.loginPath, url);
    login.searchParams.set('callbackUrl', encodeURI(url.href));
    response = { status: 307, headers: { Location: login.href } };
  } else {
    const found = matchRoute(url.pathname, app.config.flavour);
    const match = found && !app.defects.removedRoutes?.includes(found.route.path) ? found : undefined;
    const loadError = match ? app.defects.failingRoutes?.[match.route.path] : undefined;
    if (!match) {
      response = notFound(url.pathname, nonce);
    } else if (loadError !== undefined) {
      // The route's module throws when Next loads it: every request to it is Next's 500.
      app.onError(new Error(`${match.route.path}: ${loadError}`));
      response = url.pathname.startsWith('/api/')
        ? { status: 500, text: 'Internal Server Error' }
        : { status: 500, html: page('500: Internal Server Error', nonce, '<h1>500</h1><h2>Internal Server Error.</h2>') };
    } else {
      let bodyPromise: Promise<Buffer> | undefined;
      const rawBody = () => (bodyPromise ??= readBody(req));
      const ctx: RequestContext = {
        req,
        method,
        url,
        params: match.params,
        config: app.config,
        db: app.db,
        stripe: app.stripe,
        nonce,
        cookies: parseCookies(req.headers.cookie),
        rawBody,
        jsonBody: async () => parseJsonBody(req, await rawBody()),
        state: app.state,
        defects: app.defects,
      };
      try {
        response = await match.route.handler(ctx);
      } catch (err) {
        if (err instanceof HttpError) response = { status: err.status, json: err.body };
        else {
          // An unhandled error: Next answers 500 (text for API routes, its error page otherwise).
          app.onError(err);
          response = url.pathname.startsWith('/api/')
            ? { status: 500, text: 'Internal Server Error' }
            : { status: 500, html: page('500: Internal Server Error', nonce, '<h1>500</h1><h2>Internal Server Error.</h2>') };
        }
      }
    }
  }

  const out = applyEdge({ ...headers, ...response.headers }, app.edge);
  let body: string | undefined;
  if (response.json !== undefined) {
    body = JSON.stringify(response.json);
    out['Content-Type'] = 'application/json; charset=utf-8';
  } else if (response.html !== undefined) {
    body = response.html;
    out['Content-Type'] = 'text/html; charset=utf-8';
    out['Cache-Control'] ??= 'private, no-cache, no-store, max-age=0, must-revalidate';
  } else if (response.text !== undefined) {
    body = response.text;
    out['Content-Type'] ??= 'text/plain; charset=utf-8';
  }
  // An empty body still gets a length (Next sends none chunked), except where HTTP forbids a body.
  if (response.status !== 204 && response.status !== 304) out['Content-Length'] = String(body === undefined ? 0 : Buffer.byteLength(body));
  // Drain an unread request body so keep-alive connections stay usable.
  if (!req.readableEnded) req.resume();
  await sleep(app.delayMs);
  res.writeHead(response.status, out);
  res.end(method === 'HEAD' ? undefined : body);
  return response.status;
}

/** The edge's header changes over the app's headers (names matched case-insensitively). */
export function applyEdge(headers: Record<string, string | string[]>, edge: EdgeHeaders): Record<string, string | string[]> {
  const out = { ...headers };
  for (const [name, change] of Object.entries(edge)) {
    const key = Object.keys(out).find((k) => k.toLowerCase() === name.toLowerCase());
    const current = key === undefined ? undefined : out[key];
    const value = typeof change === 'function' ? change(Array.isArray(current) ? current.join(', ') : current) : change;
    if (key !== undefined) delete out[key];
    if (value !== null) out[key ?? name] = value;
  }
  return out;
}

/**
 * The headers the app puts on every response (target-app.md, "Security headers"), plus its
 * reporting endpoint for CSP reports, built like the app builds it from the request's origin
 * (`req.nextUrl.origin`), so behind a proxy it carries whatever origin the app sees.
 */
export function securityHeaders(config: AppConfig, nonce: string, origin: string): Record<string, string> {
  const reportUrl = `${origin}/api/security/csp-report`;
  const headers: Record<string, string> = {
    'Content-Security-Policy': contentSecurityPolicy(config, nonce),
    'Report-To': JSON.stringify({ group: 'csp-endpoint', max_age: 10886400, endpoints: [{ url: reportUrl }] }),
    'Reporting-Endpoints': `csp-endpoint="${reportUrl}"`,
    'X-Frame-Options': 'SAMEORIGIN',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    'Permissions-Policy': 'geolocation=(), microphone=()',
    'Cross-Origin-Resource-Policy': 'same-site',
  };
  // Exactly the app's value, trailing semicolon included.
  if (config.hsts) headers['Strict-Transport-Security'] = 'max-age=31536000; includeSubDomains;';
  if (config.coep) {
    headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
    headers['Cross-Origin-Opener-Policy'] = 'same-origin';
  }
  return headers;
}

export function contentSecurityPolicy(config: AppConfig, nonce: string): string {
  const scriptSrc = ["'self'", `'nonce-${nonce}'`];
  if (config.cspStrict) scriptSrc.push("'strict-dynamic'");
  if (config.development) scriptSrc.push("'unsafe-eval'");
  scriptSrc.push('*.gstatic.com', '*.google.com');
  const directives: [string, string[]][] = [
    ['default-src', ["'self'"]],
    ['script-src', scriptSrc],
    ['style-src', ["'self'", "'unsafe-inline'"]],
    ['img-src', ["'self'", 'data:', '*.dicebear.com', 'files.stripe.com']],
    ['connect-src', ["'self'", '*.google.com', '*.gstatic.com', 'api.stripe.com', '*.ingest.sentry.io', '*.mixpanel.com']],
    ['frame-src', ["'self'", '*.google.com', '*.gstatic.com', 'js.stripe.com']],
    ['font-src', ["'self'"]],
    ['object-src', ["'none'"]],
    ['base-uri', ["'self'"]],
    ['form-action', ["'self'"]],
    ['frame-ancestors', ["'none'"]],
    ['script-src-attr', ["'none'"]],
    ['report-uri', ['/api/security/csp-report']],
  ];
  const parts = directives.map(([name, values]) => `${name} ${values.join(' ')}`);
  if (config.cspStrict) parts.push('upgrade-insecure-requests');
  return parts.join('; ');
}

/** The middleware's allow-list (micromatch globs: `*` one segment, `**` any depth). */
export function isPublic(pathname: string, flavour: Flavour = 'guide'): boolean {
  if (flavour === 'authjs-pnpm') return !V5_PRIVATE_MATCHERS.some((re) => re.test(pathname));
  return PUBLIC_MATCHERS.some((re) => re.test(pathname));
}

const PUBLIC_MATCHERS = PUBLIC_ROUTES.map(globToRegExp);
const V5_PRIVATE_MATCHERS = V5_PRIVATE_ROUTES.map(globToRegExp);

function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      // "/**" also matches the bare prefix, as micromatch's globstar does.
      if (source.endsWith('/')) source = `${source.slice(0, -1)}(?:/.*)?`;
      else source += '.*';
      i++;
    } else if (c === '*') source += '[^/]+';
    else source += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

interface CompiledRoute {
  route: Route;
  pattern: RegExp;
  names: string[];
}

const compile = (routes: readonly Route[]): CompiledRoute[] => routes.map((route) => {
  const names: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      const catchAll = /^\[\.\.\.(\w+)\]$/.exec(segment);
      if (catchAll) {
        names.push(catchAll[1]!);
        return '(.+)';
      }
      const dynamic = /^\[(\w+)\]$/.exec(segment);
      if (dynamic) {
        names.push(dynamic[1]!);
        return '([^/]+)';
      }
      return segment.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { route, pattern: new RegExp(`^${source}/?$`), names };
});

const COMPILED: Record<Flavour, CompiledRoute[]> = { guide: compile(ROUTES), 'authjs-pnpm': compile(V5_ROUTES) };

/** Next's precedence: the first static match wins over dynamic ones, so ROUTES lists specific paths first. */
function matchRoute(pathname: string, flavour: Flavour): { route: Route; params: Record<string, string> } | undefined {
  for (const c of COMPILED[flavour]) {
    const m = c.pattern.exec(pathname);
    if (m) {
      const params: Record<string, string> = {};
      c.names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1]!)));
      return { route: c.route, params };
    }
  }
  return undefined;
}

function notFound(pathname: string, nonce: string): AppResponse {
  if (pathname.startsWith('/api/')) return { status: 404, json: { error: { message: 'Not Found' } } };
  return {
    status: 404,
    html: page('404: This page could not be found', nonce, '<h1>404</h1><h2>This page could not be found.</h2>'),
  };
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, { error: { message: 'Body exceeded 1mb limit' } });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function parseJsonBody(req: http.IncomingMessage, raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  const type = req.headers['content-type'] ?? '';
  if (!/application\/json/i.test(type)) return raw.toString('utf8');
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    // Next's body parser answers invalid JSON itself.
    throw new HttpError(400, { error: { message: 'Invalid JSON' } });
  }
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || name in out) continue;
    try {
      out[name] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      out[name] = part.slice(eq + 1).trim();
    }
  }
  return out;
}
