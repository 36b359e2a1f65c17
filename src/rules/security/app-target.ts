/**
 * What the header rules judge: the login page (`APP_URL` + `paths.login`). It is public and answers
 * 200 HTML in the target app, whereas `/` redirects a signed-out visitor, and a redirect is not the
 * document a browser renders. It is fetched once per run (`getShared`) and read by security.hsts, csp,
 * coep and headers, so the five rules cost one request.
 */
import type { Outcome, RuleContext } from '../../engine/types.js';
import { safeUrl, type ProbeResponse } from '../../probes/http.js';
import { appOrigin, appUrlFor, NO_TARGET, probeFailure } from '../../probes/target.js';
import { code } from './problems.js';

export { NO_TARGET, probeFailure };

export interface AppDocument {
  url: string;
  response: ProbeResponse;
}

/** The login page's response, or the outcome that says why there is none (skip, or the probe's failure). */
export async function fetchAppDocument(ctx: Pick<RuleContext, 'settings' | 'clients' | 'signal'>): Promise<AppDocument | Outcome> {
  const origin = appOrigin(ctx.settings);
  if (!origin) return NO_TARGET;
  const url = appUrlFor(origin, ctx.settings.config.paths.login);
  try {
    return { url, response: await ctx.clients.http().getShared(url, ctx.signal) };
  } catch (error) {
    return probeFailure(error, `GET ${safeUrl(url)}`);
  }
}

export function isOutcome(value: object): value is Outcome {
  return 'status' in value && 'summary' in value;
}


/**
 * One line saying which answer the headers came from. A login page that does not answer 200 is
 * still judged (Next.js sends its headers on every answer), but the user should know it was a
 * redirect or an error page.
 */
export function documentNote(doc: AppDocument): string {
  const { status, headers } = doc.response;
  const seen = `Headers of GET ${safeUrl(doc.url)} (HTTP ${status}${headers.location ? ` → ${code(headers.location)}` : ''}).`;
  if (status >= 200 && status < 300) return seen;
  return `${seen} The login page did not answer 200: the headers judged are those of that answer. Set \`paths.login\` in the config file to a public page if the app's login page lives elsewhere.`;
}
