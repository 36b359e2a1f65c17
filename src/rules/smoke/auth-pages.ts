/**
 * smoke.auth-pages: the login and sign-up pages (`paths.login`, `paths.register`, as the app model
 * finds them in the app's router) answer 200 HTML to a signed-out visitor. An app without a sign-up
 * page of its own (sign-in creates the account) has only its login page checked, and says so. Both are fetched at once; redirects are followed as a browser would, and a
 * redirect to the login page says the middleware treats the page as private.
 */
import type { Outcome } from '../../engine/types.js';
import { defineRule } from '../index.js';
import { notApplicable } from '../app.js';
import { safeUrl, type ProbeResponse } from '../../probes/http.js';
import { isNoAnswer } from '../../probes/target.js';
import {
  appOrigin,
  appUrlFor,
  describeAnswer,
  isHtml,
  loginRedirect,
  loginRedirectText,
  noTarget,
  probeErrorText,
  truncatedText,
} from './app-probe.js';

interface PageCheck {
  label: string;
  path: string;
  ok: boolean;
  text: string;
  loginRedirect?: boolean;
  /** The app did not answer at all. */
  noAnswer?: boolean;
}

export const authPages = defineRule({
  id: 'smoke.auth-pages',
  async check(ctx): Promise<Outcome> {
    const origin = appOrigin(ctx.settings);
    if (!origin) return noTarget(ctx.settings);
    const { paths } = ctx.settings.app;
    if (!paths.login) return notApplicable('sign-in page', 'paths.login is false in the config');
    const login = paths.login;
    const http = ctx.clients.http();
    const checkPage = async (label: string, path: string): Promise<PageCheck> => {
      const url = appUrlFor(origin, path);
      let response: ProbeResponse;
      try {
        response = await http.request({ url, followRedirects: true }, ctx.signal);
      } catch (error) {
        return { label, path, ok: false, text: probeErrorText(error), noAnswer: isNoAnswer(error) };
      }
      const via = response.redirects.length ? ` (after redirects, at ${safeUrl(response.url)})` : '';
      // The login page itself may not redirect to itself; any other page that lands there is private.
      const toLogin = path === login ? undefined : loginRedirect(response, login);
      if (toLogin) return { label, path, ok: false, text: `GET ${path} was ${loginRedirectText(toLogin, false)}`, loginRedirect: true };
      const type = response.headers['content-type'] ?? 'no content type';
      if (response.status !== 200) return { label, path, ok: false, text: `GET ${path} answered ${describeAnswer(response)}${via}` };
      if (response.bodyTruncated) return { label, path, ok: false, text: `GET ${path} answered ${response.status}, but ${truncatedText(response)}${via}` };
      if (!isHtml(response)) return { label, path, ok: false, text: `GET ${path} answered 200 but ${type}, not text/html${via}` };
      return { label, path, ok: true, text: `GET ${path} → 200 text/html${via}` };
    };
    const pages = await Promise.all([checkPage('login page', login), ...(paths.register ? [checkPage('sign-up page', paths.register)] : [])]);
    const noSignUp = paths.register ? '' : '; the app has no sign-up page of its own (signing in creates the account)';
    const details = pages.map((p) => `- ${p.label}: ${p.text}`).join('\n') + (noSignUp ? `\n- sign-up page: none in the app's routes${ctx.settings.app.pathSources.register === 'config' ? ' (paths.register is false)' : ''}` : '');
    const failed = pages.filter((p) => !p.ok);
    if (failed.length === 0) {
      return { status: 'pass', summary: `${pages.map((p) => p.path).join(' and ')} answer${pages.length > 1 ? '' : 's'} 200 HTML${noSignUp}`, details };
    }
    const fixes: string[] = [];
    if (failed.some((p) => p.loginRedirect)) fixes.push(`Keep ${failed.filter((p) => p.loginRedirect).map((p) => p.path).join(' and ')} in the middleware's public routes.`);
    fixes.push('If the app serves these pages elsewhere, set paths.login / paths.register in the config file; otherwise read the deployment logs for these requests.');
    return {
      status: 'fail',
      summary: failed.map((p) => `${p.label}: ${p.text}`).join('; '),
      details,
      fix: fixes.join(' '),
      data: { pages: pages.map((p) => ({ path: p.path, ok: p.ok })) },
      // Nothing was judged when the app did not answer: the run's `unreachable` input decides.
      ...(failed.every((p) => p.noAnswer) ? { unreachable: { component: 'app' as const, cause: failed[0]!.text } } : {}),
    };
  },
});
