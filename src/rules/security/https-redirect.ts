/**
 * The `http://` → `https://` redirect of security.tls: what a browser gets when someone types the bare
 * host name. Observatory's rule: the first hop must go to https on the same host (otherwise the
 * browser never sees that host's HSTS header on the way).
 *
 * Which plain-HTTP port is probed:
 * - port 80 of APP_URL's host: that is where a typed bare name goes. The HttpClient applies a
 *   `resolve` entry for `host:80` like for any request, and DNS otherwise;
 * - when `resolve` maps the host but has no entry for port 80, the address of the host's HTTPS entry
 *   is used for port 80 too (the user is probing a deployment before DNS points at it: DNS would
 *   reach the old one);
 * - when APP_URL has an explicit port (a deployment on a high port, like the sandbox without root)
 *   and `resolve` maps the host on one more port, that port is the plain-HTTP listener: `resolve`
 *   is the only place such a port can be given.
 * A refused connection fails: browsers typing the bare name get an error page.
 */
import type { Clients } from '../../probes/clients.js';
import { ProbeError, type ProbeResponse } from '../../probes/http.js';
import { NO_ANSWER } from '../../probes/target.js';
import type { ResolveEntry, Settings } from '../../settings.js';
import { code, type Problem } from './problems.js';

export interface HttpProbePlan {
  /** The plain-HTTP URL to request. */
  url: string;
  /** A resolve entry the probe needs beyond the user's (port 80 borrowed from the HTTPS entry). */
  extra?: ResolveEntry;
  /** Why this port or address, when it is not simply port 80 through DNS or the user's entry. */
  note?: string;
}

export function httpsPortOf(app: URL): number {
  return Number(app.port || 443);
}

/** Chooses the plain-HTTP URL to probe for APP_URL (see the file comment). Pure. */
export function planHttpProbe(app: URL, resolve: readonly ResolveEntry[]): HttpProbePlan {
  const host = app.hostname.toLowerCase();
  const httpsPort = httpsPortOf(app);
  const entries = resolve.filter((e) => e.host === host);
  const bare = `http://${app.hostname}/`;
  if (entries.some((e) => e.port === 80)) return { url: bare };
  if (httpsPort !== 443) {
    const other = entries.find((e) => e.port !== httpsPort && e.port !== 443);
    if (other) {
      return {
        url: `http://${app.hostname}:${other.port}/`,
        note: `APP_URL has port ${httpsPort}, so the plain-HTTP listener was taken from the resolve entry ${host}:${other.port}:${other.address}.`,
      };
    }
  }
  const https = entries.find((e) => e.port === httpsPort) ?? entries[0];
  if (https) {
    return {
      url: bare,
      extra: { host, port: 80, address: https.address },
      note: `resolve has no entry for ${host}:80, so port 80 was probed on the address given for ${host}:${https.port} (${https.address}).`,
    };
  }
  return { url: bare };
}

export interface RedirectJudgement {
  problem?: Problem;
  /** True when nothing answered at all (refused, no answer, no such host): the app may simply be down. */
  noAnswer?: boolean;
  /** What was seen, for the details: `http://host/` → 301 `https://host/`. */
  seen: string;
}

const REDIRECT_FIX = 'Redirect every http:// request to https:// on the same host with a 301 or 308 (a setting of the hosting platform or load balancer).';

/** Judges the first answer of the plain-HTTP probe. Pure. */
export function judgeHttpRedirect(url: string, app: URL, response: Pick<ProbeResponse, 'status' | 'headers'>): RedirectJudgement {
  const { status } = response;
  const location = response.headers.location;
  const shownUrl = code(url);
  if (status >= 300 && status < 400 && location) {
    const seen = `${shownUrl} → ${status} ${code(location)}`;
    let target: URL;
    try {
      target = new URL(location, url);
    } catch {
      return { seen, problem: { level: 'fail', message: `${shownUrl} redirects to ${code(location)}, which is not a URL`, fix: REDIRECT_FIX } };
    }
    if (target.protocol !== 'https:') {
      return { seen, problem: { level: 'fail', message: `${shownUrl} redirects to ${code(target.href)}, not to https:// (the first hop must go to https)`, fix: REDIRECT_FIX } };
    }
    if (target.hostname.toLowerCase() !== app.hostname.toLowerCase()) {
      return {
        seen,
        problem: {
          level: 'fail',
          message: `${shownUrl} redirects to another host, ${code(target.href)}: browsers never receive ${app.hostname}'s HSTS header over that hop`,
          fix: `Redirect http://${app.hostname}/ to https://${app.hostname}/ first; send visitors to other hosts from there.`,
        },
      };
    }
    if (Number(target.port || 443) !== httpsPortOf(app)) {
      return {
        seen,
        problem: { level: 'warn', message: `${shownUrl} redirects to ${code(target.href)}, a different port than APP_URL (${httpsPortOf(app)})`, fix: REDIRECT_FIX },
      };
    }
    return { seen };
  }
  const seen = `${shownUrl} → ${status}`;
  if (status >= 300 && status < 400) {
    return { seen, problem: { level: 'fail', message: `${shownUrl} answers ${status} without a Location header`, fix: REDIRECT_FIX } };
  }
  if (status >= 200 && status < 300) {
    return { seen, problem: { level: 'fail', message: `${shownUrl} serves the site over plain HTTP (HTTP ${status}) instead of redirecting to https://`, fix: REDIRECT_FIX } };
  }
  return { seen, problem: { level: 'fail', message: `${shownUrl} answers HTTP ${status} instead of redirecting to https://`, fix: REDIRECT_FIX } };
}

/** A plain-HTTP probe that got no answer. */
export function judgeHttpFailure(url: string, app: URL, error: unknown): RedirectJudgement {
  return { ...judgeHttpFailureText(url, app, error), noAnswer: error instanceof ProbeError && NO_ANSWER.has(error.kind) };
}

function judgeHttpFailureText(url: string, app: URL, error: unknown): RedirectJudgement {
  const shownUrl = code(url);
  const fix = `Listen on port 80 and redirect to https://${app.hostname}/ (301 or 308).`;
  if (error instanceof ProbeError && error.code === 'ECONNREFUSED') {
    return {
      seen: `${shownUrl}: connection refused`,
      problem: { level: 'fail', message: `nothing answers on ${shownUrl} (connection refused): browsers typing the bare name get an error`, fix },
    };
  }
  if (error instanceof ProbeError && error.kind === 'timeout') {
    return {
      seen: `${shownUrl}: no answer`,
      problem: { level: 'fail', message: `${shownUrl} does not answer (${error.message}): browsers typing the bare name wait, then get an error`, fix },
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { seen: `${shownUrl}: ${message}`, problem: { level: 'fail', message: `${shownUrl} cannot be reached: ${message}`, fix } };
}

/** Probes the plan's URL (without following redirects) and judges the answer. */
export async function checkHttpRedirect(app: URL, settings: Settings, clients: Clients, signal?: AbortSignal): Promise<RedirectJudgement & { note?: string }> {
  const plan = planHttpProbe(app, settings.resolve);
  // The borrowed entry is the rule's own, not the user's: a client of its own keeps it out of the shared one.
  const http = clients.http(plan.extra ? { extraResolve: [plan.extra] } : {});
  try {
    const response = await http.request({ url: plan.url }, signal);
    return { ...judgeHttpRedirect(plan.url, app, response), note: plan.note };
  } catch (error) {
    return { ...judgeHttpFailure(plan.url, app, error), note: plan.note };
  }
}
