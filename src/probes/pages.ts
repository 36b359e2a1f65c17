/**
 * The pages of the app the live header rules judge. Frameworks set headers per route (Next.js
 * `headers()` sources and the middleware matcher, which i18n routing can keep off some pages), so one
 * page says nothing about the others. The set: `/` (the landing page), the sign-in page, the pricing
 * page, one API route (the health route), and `paths.pages` from the config file.
 *
 * Each page is one GET per run, made through the HttpClient's shared cache (`getShared`): every rule
 * that reads a page (security.hsts, csp, coep, headers, origin, smoke.billing-plans, smoke.sentry)
 * asks for it, the first ask makes the request and the others wait for the same answer. The requests
 * run concurrently. Redirects are not followed: a redirect is judged as the response it is.
 */
import type { Settings } from '../settings.js';
import type { Clients } from './clients.js';
import type { ProbeResponse } from './http.js';
import { appOrigin, appUrlFor } from './target.js';

export type PageRole = 'landing page' | 'sign-in page' | 'pricing page' | 'API route' | 'paths.pages';

/**
 * What the browser does with the answer: renders a `document` (HTML, any status), follows a
 * `redirect`, or reads a `resource` (JSON and other non-HTML bodies, fetched by scripts).
 */
export type PageKind = 'document' | 'redirect' | 'resource';

export interface AppPage {
  /** The path as configured (`/`, `/auth/login`). */
  path: string;
  url: string;
  role: PageRole;
  response?: ProbeResponse;
  /** Why there is no response (a ProbeError, usually). */
  error?: unknown;
}

export interface AnsweredPage extends AppPage {
  response: ProbeResponse;
  kind: PageKind;
}

/** The page paths, in order, without duplicates (a configured page that is already in the set is not asked twice). */
export function pagePlan(settings: Settings): Array<{ path: string; role: PageRole }> {
  const { paths } = settings.app;
  const planned: Array<{ path: string | undefined; role: PageRole }> = [
    { path: '/', role: 'landing page' },
    { path: paths.login, role: 'sign-in page' },
    { path: paths.pricing, role: 'pricing page' },
    // An API route: the health route, else the auth library's session route (every app of this stack has one).
    { path: paths.health ?? `${paths.authBase}/session`, role: 'API route' },
    ...paths.pages.map((path) => ({ path, role: 'paths.pages' as const })),
  ];
  const seen = new Set<string>();
  return planned.filter((p): p is { path: string; role: PageRole } => p.path !== undefined && !seen.has(p.path) && !!seen.add(p.path));
}

/** GETs every page (shared per run, concurrent); undefined when APP_URL is not a usable https:// URL. */
export async function fetchPages(ctx: { settings: Settings; clients: Pick<Clients, 'http'>; signal?: AbortSignal }): Promise<AppPage[] | undefined> {
  const origin = appOrigin(ctx.settings);
  if (!origin) return undefined;
  const http = ctx.clients.http();
  return Promise.all(
    pagePlan(ctx.settings).map(async ({ path, role }): Promise<AppPage> => {
      const url = appUrlFor(origin, path);
      try {
        return { path, url, role, response: await http.getShared(url, ctx.signal) };
      } catch (error) {
        return { path, url, role, error };
      }
    }),
  );
}

/** How a browser uses the answer (see PageKind). */
export function pageKind(response: ProbeResponse): PageKind {
  if (response.status >= 300 && response.status < 400 && response.headers.location !== undefined) return 'redirect';
  const type = response.headers['content-type'];
  if (type === undefined) return /^\s*</.test(response.body) ? 'document' : 'resource';
  return /^\s*(text\/html|application\/xhtml\+xml)\b/i.test(type) ? 'document' : 'resource';
}

export function answered(pages: readonly AppPage[]): AnsweredPage[] {
  return pages.filter((p): p is AppPage & { response: ProbeResponse } => p.response !== undefined).map((p) => ({ ...p, kind: pageKind(p.response) }));
}
