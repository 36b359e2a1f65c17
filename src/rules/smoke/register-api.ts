/**
 * smoke.register-api: the sign-up API refuses an empty body with a 4xx, so it is deployed and
 * validates its input, and nothing is created. `paths.register` is the sign-up PAGE (`/auth/join`);
 * the app's API for it is the same path under `/api` (`/api/auth/join`, Next's pages/api/auth/join.ts),
 * so the rule posts to `/api${paths.register}` (or to `paths.register` itself when it already starts
 * with `/api/`).
 */
import type { Outcome } from '../../engine/types.js';
import { defineRule } from '../index.js';
import { safeUrl } from '../../probes/http.js';
import { appOrigin, appUrlFor, describeAnswer, loginRedirect, loginRedirectText, NO_TARGET, probeFailure } from './app-probe.js';

/** The sign-up API path for the sign-up page's path. */
export function registerApiPath(registerPage: string): string {
  return registerPage.startsWith('/api/') ? registerPage : `/api${registerPage}`;
}

export const registerApi = defineRule({
  id: 'smoke.register-api',
  async check(ctx): Promise<Outcome> {
    const origin = appOrigin(ctx.settings);
    if (!origin) return NO_TARGET;
    const { paths } = ctx.settings.config;
    const path = registerApiPath(paths.register);
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
        fix: `Restore the sign-up validation (pages/api/auth/join.ts), and look in "User" and "Team" for rows created at ${new Date().toISOString()} with empty values.`,
        data,
      };
    }
    if (status >= 300 && status < 400) {
      const toLogin = loginRedirect(response, paths.login);
      return {
        status: 'fail',
        summary: toLogin ? `POST ${path} was ${loginRedirectText(toLogin, false)}` : `POST ${path} answered a redirect (${describeAnswer(response)}), not the sign-up API`,
        details: seen,
        fix: toLogin
          ? `Keep /api/auth/** in the middleware's public routes (unAuthenticatedRoutes): nobody can sign up otherwise.`
          : `Check that ${path} is the sign-up API (set paths.register to the sign-up page whose API is /api<page>).`,
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
        fix: `Set paths.register in the config file to the sign-up page (its API is /api<page>), or deploy the sign-up API.`,
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
