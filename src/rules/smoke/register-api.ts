/**
 * smoke.register-api: the app's sign-up API refuses an empty body with a 4xx, so it is deployed and
 * validates its input, and nothing is created. The API is the app model's (`paths.registerApi`: a
 * route of the app's own, `/api/auth/join` in the guide's app; with `paths.register` in the config
 * and no `paths.register-api`, the page's path under `/api`). An app without one (sign-in creates the
 * account) has nothing to check.
 *
 * A 4xx proves validation only when the app's own route gave it: under `/api/auth/` NextAuth's
 * catch-all (`[...nextauth]`) answers every action it does not know with 400 (v4: "This action with
 * HTTP POST is not supported by NextAuth.js", Auth.js v5: `"Bad request."`), which is not a sign-up
 * API at all. The rule tells the two apart from the app's routes and from the answer itself.
 */
import type { Outcome } from '../../engine/types.js';
import { defineRule } from '../index.js';
import { safeUrl, type ProbeResponse } from '../../probes/http.js';
import { matchRoute } from '../../analysis/app/routes.js';
import { notApplicable } from '../app.js';
import { appOrigin, appUrlFor, describeAnswer, loginRedirect, loginRedirectText, noTarget, probeFailure, shorten } from './app-probe.js';

/** The sign-up API path for the sign-up page's path (the guide's convention: the page's path under /api). */
export function registerApiPath(registerPage: string): string {
  return registerPage.startsWith('/api/') ? registerPage : `/api${registerPage}`;
}

/** NextAuth's own answer to an action it does not know (v4's text, v5's JSON string). */
export function isAuthCatchAllAnswer(response: Pick<ProbeResponse, 'status' | 'body'>): boolean {
  if (response.status !== 400) return false;
  const body = response.body.trim();
  return /This action with HTTP \w+ is not supported by NextAuth\.js/.test(body) || body === '"Bad request."';
}

export const registerApi = defineRule({
  id: 'smoke.register-api',
  async check(ctx): Promise<Outcome> {
    const origin = appOrigin(ctx.settings);
    if (!origin) return noTarget(ctx.settings);
    const { paths, routes } = ctx.settings.app;
    if (!paths.registerApi) {
      return notApplicable('sign-up API', routes.known ? `no join, register or signup route under ${routes.routers.join(', ')}: signing in creates the account` : 'paths.register-api is false in the config');
    }
    const path = paths.registerApi;
    // The app's router, when known, says what serves the path: a catch-all is not a sign-up API.
    const served = routes.known ? matchRoute(routes.list, path, 'api') : undefined;
    if (routes.known && (!served || served.catchAll)) {
      return {
        status: 'fail',
        summary: served
          ? `${path} is not a sign-up API: the app has no route there, and ${served.file} (a catch-all) answers it`
          : `${path} is not a route of the app (no module under ${routes.routers.join(', ')} serves it)`,
        fix: `Set paths.register-api in the config file to the app's sign-up API, or to false when signing in creates the account.`,
        data: { path, servedBy: served?.file },
      };
    }
    const url = appUrlFor(origin, path);
    let response;
    try {
      // A POST is never retried: a retry could create twice what the first attempt created.
      response = await ctx.clients.http().request({ url, method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }, ctx.signal);
    } catch (error) {
      return probeFailure(error, `POST ${safeUrl(url)}`);
    }
    const seen = `POST ${path} with an empty JSON body ({}) → ${describeAnswer(response)}`;
    const data = { path, status: response.status };
    const status = response.status;
    if (status >= 200 && status < 300) {
      return {
        status: 'fail',
        summary: `POST ${path} ACCEPTED an empty sign-up (${status}): input validation is off, and it may have created an account or team`,
        details: `${seen}\nThe app's sign-up validates name, email, password and team and answers 4xx to an empty body; this deployment did not.`,
        fix: `Restore the sign-up validation (${served?.file ?? path}), and look for users and teams created at ${new Date().toISOString()} with empty values.`,
        data,
      };
    }
    if (isAuthCatchAllAnswer(response)) {
      return {
        status: 'fail',
        summary: `POST ${path} was answered by NextAuth's catch-all (${response.status} ${shorten(response.body.trim(), 90)}), not by a sign-up API: nothing validated the sign-up`,
        details: `${seen}\nNextAuth answers every action it does not know with 400; that is not the app's validation.`,
        fix: `Deploy the sign-up API at ${path}, or set paths.register-api in the config file to the app's sign-up API (false when signing in creates the account).`,
        data,
      };
    }
    if (status >= 300 && status < 400) {
      const toLogin = paths.login ? loginRedirect(response, paths.login) : undefined;
      return {
        status: 'fail',
        summary: toLogin ? `POST ${path} was ${loginRedirectText(toLogin, false)}` : `POST ${path} answered a redirect (${describeAnswer(response)}), not the sign-up API`,
        details: seen,
        fix: toLogin
          ? `Keep ${path} in the middleware's public routes: nobody can sign up otherwise.`
          : `Check that ${path} is the sign-up API (set paths.register-api in the config file).`,
        data,
      };
    }
    if (status >= 500) {
      return {
        status: 'fail',
        summary: `POST ${path} answered ${describeAnswer(response)} to an empty body: the sign-up API fails instead of validating`,
        details: seen,
        fix: 'Read the deployment logs for this request (a crash before validation, a database error).',
        data,
      };
    }
    if (status === 404 || status === 405) {
      return {
        status: 'fail',
        summary: `POST ${path} answered ${describeAnswer(response)}: ${status === 404 ? 'there is no sign-up API there' : 'it does not accept POST'}`,
        details: seen,
        fix: `Set paths.register-api in the config file to the sign-up API, or deploy it.`,
        data,
      };
    }
    if (status === 429) {
      return {
        status: 'warn',
        summary: `POST ${path} answered 429 (rate limited): the endpoint is alive, but whether it validates could not be seen`,
        details: seen,
        fix: 'Run the gate again later, or allow the runner through the rate limit.',
        data,
      };
    }
    return { status: 'pass', summary: `POST ${path} refused an empty body with ${status}: the endpoint is alive and validates`, details: seen, data };
  },
});
