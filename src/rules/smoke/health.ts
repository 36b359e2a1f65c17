/**
 * smoke.health: `GET paths.health` (the app's `/api/health`, which runs `SELECT 1`) answers 200, so
 * the deployment runs and reaches its database; the version it reports is shown. The app answers 503
 * when the database query fails.
 */
import type { Outcome } from '../../engine/types.js';
import { defineRule } from '../index.js';
import { safeUrl } from '../../probes/http.js';
import {
  appOrigin,
  appUrlFor,
  describeAnswer,
  isHtml,
  loginRedirect,
  loginRedirectText,
  noTarget,
  parseJson,
  probeFailure,
  shorten,
  truncatedText,
} from './app-probe.js';

/** Where the model looked, for the finding. */
function healthSearched(routers: readonly string[]): string {
  return routers.length ? `no /api/health, /health, /healthz or /status route under ${routers.join(', ')}` : 'paths.health is false in the config';
}

export const health = defineRule({
  id: 'smoke.health',
  async check(ctx): Promise<Outcome> {
    const origin = appOrigin(ctx.settings);
    if (!origin) return noTarget(ctx.settings);
    const { paths } = ctx.settings.app;
    if (!paths.health) {
      // The guide asks for a health route that proves the deployment reaches its database.
      return {
        status: 'fail',
        summary: `the app has no health route (${healthSearched(ctx.settings.app.routes.routers)}): nothing proves a deployment runs and reaches its database`,
        fix: `Add one that runs \`SELECT 1\` through Prisma and answers 200 with the version (app router: app/api/health/route.ts exporting GET; pages router: pages/api/health.ts), keep it public in the middleware, and deploy; if the app has one elsewhere, set paths.health in the config file.`,
      };
    }
    const route = paths.health;
    const url = appUrlFor(origin, route);
    let response;
    try {
      response = await ctx.clients.http().request({ url, followRedirects: true }, ctx.signal);
    } catch (error) {
      return probeFailure(error, `GET ${safeUrl(url)}`);
    }
    const seen = `GET ${route} → ${describeAnswer(response)}${response.redirects.length ? ` (after ${response.redirects.length} redirect${response.redirects.length > 1 ? 's' : ''}, at ${safeUrl(response.url)})` : ''}`;
    const data = { status: response.status, durationMs: Math.round(response.durationMs), attempts: response.attempts };
    const toLogin = (paths.login ? loginRedirect(response, paths.login) : undefined);
    if (toLogin) {
      return {
        status: 'fail',
        summary: `GET ${route} was ${loginRedirectText(toLogin, false)}`,
        details: seen,
        fix: `Add ${route} to the middleware's public routes (unAuthenticatedRoutes), or set paths.health in the config file to the app's health route.`,
        data,
      };
    }
    if (response.bodyTruncated) {
      return {
        status: 'fail',
        summary: `GET ${route} answered ${response.status}, but ${truncatedText(response)}`,
        details: seen,
        fix: `Check that ${route} is the app's health route (a small JSON answer).`,
        data,
      };
    }
    if (response.status === 503) {
      return {
        status: 'fail',
        summary: `GET ${route} answered 503: the app answers but cannot reach its database`,
        details: `${seen}, after ${response.attempts} attempt${response.attempts > 1 ? 's' : ''}.`,
        fix: 'Check DATABASE_URL on the deployment, that the database is up, and that it accepts connections from the app (see config.database-tls and gate.migrations).',
        data,
      };
    }
    if (response.status !== 200) {
      return {
        status: 'fail',
        summary: `GET ${route} answered ${describeAnswer(response)}, not 200`,
        details: seen,
        fix: response.status === 404 ? `Set paths.health in the config file to the app's health route.` : 'Read the deployment logs for this request.',
        data,
      };
    }
    const json = parseJson(response.body) as { version?: unknown } | undefined;
    if (json === undefined || typeof json !== 'object' || json === null) {
      return {
        status: 'warn',
        summary: `GET ${route} answered 200 but ${isHtml(response) ? 'with an HTML page' : 'not with JSON'}: it may not be the app's health route`,
        details: `${seen}; body starts: ${shorten(response.body, 120)}`,
        fix: `Set paths.health in the config file to the route that runs the database check (the app's is /api/health).`,
        data,
      };
    }
    const version = typeof json.version === 'string' || typeof json.version === 'number' ? String(json.version) : undefined;
    return {
      status: 'pass',
      summary: `GET ${route} answered 200 in ${Math.round(response.durationMs)} ms${version ? `; the app reports version ${shorten(version, 40)}` : '; it reports no version'}`,
      details: seen,
      data: { ...data, ...(version ? { version } : {}) },
    };
  },
});
