/**
 * The app's pages and API routes, read from its file-system routers as Next.js reads them:
 *
 * - pages router (`pages/`, `src/pages/`): every module is a route (`index` is its folder), under
 *   `pages/api/` an API route; `_app`, `_document`, `_error`, `404` and `500` are not routes;
 * - app router (`app/`, `src/app/`): a folder's `page.*` is a page and its `route.*` a route handler;
 *   route groups `(marketing)` and parallel slots `@modal` add no segment, private folders `_lib` and
 *   intercepting routes `(.)photo` are left out;
 * - segments: `[id]` dynamic, `[...slug]` catch-all, `[[...slug]]` optional catch-all.
 *
 * `matchRoute` answers which route serves a path with Next's precedence (static segments before
 * dynamic ones, catch-alls last), so a rule can tell the app's own route from NextAuth's
 * `[...nextauth]` catch-all answering a path it does not know.
 */
import { listDir } from './sources.js';

export interface AppRoute {
  /** The route as Next writes it: `/api/auth/[...nextauth]`, `/dashboard/[id]`, `/`. */
  path: string;
  kind: 'page' | 'api';
  router: 'pages' | 'app';
  /** The module that serves it, relative to the app's root. */
  file: string;
  /** Ends in `[...x]` or `[[...x]]`. */
  catchAll: boolean;
  /** Has a dynamic segment (`[id]`, or a catch-all). */
  dynamic: boolean;
}

const PAGE_EXT = /\.(?:tsx|ts|jsx|js|mdx)$/;
const NOT_ROUTES = new Set(['_app', '_document', '_error', '404', '500', '_middleware']);
const MAX_ROUTES = 2000;

export async function readRoutes(root: string): Promise<{ routes: AppRoute[]; routers: string[] }> {
  const routes: AppRoute[] = [];
  const routers: string[] = [];
  for (const base of ['pages', 'src/pages']) {
    if ((await listDir(root, base)).length === 0) continue;
    routers.push(base);
    await walkPages(root, base, [], routes);
  }
  for (const base of ['app', 'src/app']) {
    const entries = await listDir(root, base);
    // An `app/` folder without a layout or page anywhere is not the app router (some apps keep code there).
    if (entries.length === 0) continue;
    const before = routes.length;
    await walkApp(root, base, [], routes);
    if (routes.length > before || entries.some((e) => /^layout\./.test(e.name))) routers.push(base);
  }
  return { routes: routes.slice(0, MAX_ROUTES), routers };
}

async function walkPages(root: string, dir: string, segments: string[], out: AppRoute[]): Promise<void> {
  for (const entry of await listDir(root, dir)) {
    if (out.length >= MAX_ROUTES) return;
    if (entry.dir) {
      await walkPages(root, `${dir}/${entry.name}`, [...segments, entry.name], out);
      continue;
    }
    if (!entry.file || !PAGE_EXT.test(entry.name) || entry.name.endsWith('.d.ts') || /\.(?:test|spec)\./.test(entry.name)) continue;
    const name = entry.name.replace(PAGE_EXT, '');
    if (segments.length === 0 && NOT_ROUTES.has(name)) continue;
    const parts = name === 'index' ? segments : [...segments, name];
    out.push(route(parts, parts[0] === 'api' ? 'api' : 'page', 'pages', `${dir}/${entry.name}`));
  }
}

async function walkApp(root: string, dir: string, segments: string[], out: AppRoute[]): Promise<void> {
  for (const entry of await listDir(root, dir)) {
    if (out.length >= MAX_ROUTES) return;
    if (entry.dir) {
      const name = entry.name;
      if (name.startsWith('_') || /^\(\.+\)/.test(name)) continue; // private folders, intercepting routes
      const added = /^\(.*\)$/.test(name) || name.startsWith('@') ? [] : [name];
      await walkApp(root, `${dir}/${name}`, [...segments, ...added], out);
      continue;
    }
    if (!entry.file) continue;
    if (/^page\.(?:tsx|jsx|ts|js|mdx)$/.test(entry.name)) out.push(route(segments, 'page', 'app', `${dir}/${entry.name}`));
    else if (/^route\.(?:ts|js|tsx|jsx)$/.test(entry.name)) out.push(route(segments, 'api', 'app', `${dir}/${entry.name}`));
  }
}

function route(segments: string[], kind: AppRoute['kind'], router: AppRoute['router'], file: string): AppRoute {
  const last = segments[segments.length - 1] ?? '';
  return {
    path: `/${segments.join('/')}`,
    kind,
    router,
    file,
    catchAll: /^\[\[?\.\.\.[^\]]+\]\]?$/.test(last),
    dynamic: segments.some((s) => s.startsWith('[')),
  };
}

/** How well a route's segments match a path: undefined when they do not, else a rank (higher wins). */
function matchScore(route: AppRoute, path: string): number[] | undefined {
  const want = path.split('/').filter(Boolean);
  const have = route.path.split('/').filter(Boolean);
  const score: number[] = [];
  for (let i = 0; i < have.length; i++) {
    const seg = have[i]!;
    if (/^\[\[\.\.\./.test(seg)) return [...score, 0];
    if (/^\[\.\.\./.test(seg)) return i < want.length ? [...score, 1] : undefined;
    if (i >= want.length) return undefined;
    if (seg.startsWith('[')) score.push(2);
    else if (seg === want[i]) score.push(3);
    else return undefined;
  }
  return have.length === want.length ? score : undefined;
}

/** The route that serves `path` (query and trailing slash aside), with Next's precedence; undefined for a 404. */
export function matchRoute(routes: readonly AppRoute[], path: string, kind?: AppRoute['kind']): AppRoute | undefined {
  const clean = path.split(/[?#]/)[0]!.replace(/\/+$/, '') || '/';
  let best: { route: AppRoute; score: number[] } | undefined;
  for (const r of routes) {
    if (kind && r.kind !== kind) continue;
    const score = matchScore(r, clean);
    if (!score) continue;
    if (!best || compareScores(score, best.score) > 0) best = { route: r, score };
  }
  return best?.route;
}

function compareScores(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

/** The static routes among `routes` whose path is one of `candidates`, in candidate order. */
export function firstStatic(routes: readonly AppRoute[], candidates: readonly string[], kind: AppRoute['kind']): AppRoute | undefined {
  for (const path of candidates) {
    const found = routes.find((r) => r.kind === kind && !r.dynamic && r.path === path);
    if (found) return found;
  }
  return undefined;
}
