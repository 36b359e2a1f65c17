/**
 * smoke.sentry: error monitoring receives events. The DSN parses; a test event posted to its
 * envelope endpoint is accepted; with an API token the event is found through the Sentry API
 * (polled: Sentry processes events asynchronously); and the deployed CSP's connect-src lets the
 * browser SDK reach the DSN's host, or no browser error would ever arrive.
 */
import type { Outcome } from '../../engine/types.js';
import { defineRule } from '../index.js';
import { ProbeError } from '../../probes/http.js';
import { configuredDsn, DsnError, parseDsn, sendEnvelope, sentryApi, sentryApiGet, testEvent, type Dsn } from '../../probes/sentry.js';
import { appOrigin, appUrlFor } from '../../probes/target.js';
import { noAnswerFrom } from '../live.js';
import { notApplicable } from '../app.js';
import { effectiveDirective, enforcedPolicies, sourceListAllows } from '../../analysis/headers/csp.js';

const POLL_MS = 500;

/** Does a CSP source list allow a request to `url` from a page on `self`? (the CSP module's matcher) */
export const cspAllows = sourceListAllows;

export const sentry = defineRule({
  id: 'smoke.sentry',
  async check({ settings, clients, signal }): Promise<Outcome> {
    if (!settings.app.sentry.present) return notApplicable('Sentry', settings.app.sentry.why);
    const configured = configuredDsn(settings.env);
    if (!configured) return { status: 'skip', summary: 'no Sentry DSN is configured (see security.monitoring)' };
    let dsn: Dsn;
    try {
      dsn = parseDsn(configured.value, configured.variable);
    } catch (error) {
      if (error instanceof DsnError) return { status: 'fail', summary: error.message, fix: 'Copy the DSN from Sentry: Project Settings → Client Keys (DSN).' };
      throw error;
    }
    const http = clients.http();
    const steps: string[] = [];
    const event = testEvent(settings.runId, settings.env.SENTRY_ENVIRONMENT);
    try {
      const sent = await sendEnvelope(http, dsn, event, signal);
      if (sent.status !== 200) {
        const why = sent.status === 401 || sent.status === 403 ? ': the DSN key is unknown or revoked' : sent.status === 429 ? ': the project is rate limited or over quota' : '';
        return { status: 'fail', summary: `Sentry refused the test event (${sent.status} from ${dsn.envelopeUrl})${why}`, fix: 'Check the DSN in Sentry: Project Settings → Client Keys, and the project\'s quota.' };
      }
      steps.push(`test event ${event.eventId} accepted by ${dsn.envelopeUrl} (tags readiness-gate, readiness-run=${settings.runId})`);
    } catch (error) {
      if (error instanceof ProbeError) return { status: 'fail', summary: `the test event could not be sent to Sentry: ${error.message}`, ...noAnswerFrom(error, 'Sentry') };
      throw error;
    }

    const problems: string[] = [];
    let warning: string | undefined;
    const api = sentryApi(settings.env, settings.sentryApiBase);
    if (api) {
      const deadline = Date.now() + settings.timeoutSeconds * 1000;
      let found = false;
      let last = 0;
      while (!found && Date.now() < deadline && !signal.aborted) {
        try {
          last = (await sentryApiGet(http, api, `events/${event.eventId}/`, signal)).status;
        } catch (error) {
          if (error instanceof ProbeError) return { status: 'fail', summary: `the Sentry API could not be read: ${error.message}`, details: steps.join('\n'), ...noAnswerFrom(error, 'Sentry') };
          throw error;
        }
        if (last === 200) found = true;
        else if (last === 401 || last === 403) return { status: 'fail', summary: `the Sentry API refused SENTRY_AUTH_TOKEN (${last})`, details: steps.join('\n'), fix: 'Use a token with project:read for SENTRY_ORG.' };
        else await new Promise((r) => setTimeout(r, POLL_MS));
      }
      if (found) steps.push(`found through the Sentry API in ${api.org}/${api.project}`);
      else warning = `the event was accepted but not found through the API within ${settings.timeoutSeconds} s (last answer ${last}): check that SENTRY_ORG/SENTRY_PROJECT are the DSN's project`;
    } else {
      steps.push('not confirmed through the API (no SENTRY_AUTH_TOKEN, SENTRY_ORG, SENTRY_PROJECT)');
    }

    const origin = appOrigin(settings);
    if (origin && configured.variable === 'NEXT_PUBLIC_SENTRY_DSN') {
      try {
        const page = await http.getShared(appUrlFor(origin, settings.app.paths.login ?? '/'), signal);
        const ingest = new URL(dsn.envelopeUrl);
        // Several enforced policies all apply: the host must be allowed by each of them.
        const blocking = enforcedPolicies(page.rawHeaders)
          .map((policy) => effectiveDirective(policy, 'connect-src'))
          .filter((d) => d !== undefined && !cspAllows(d.sources, ingest, origin));
        if (blocking.length > 0) {
          problems.push(`the deployed CSP ${blocking[0]!.name} (${blocking[0]!.sources.join(' ')}) does not allow ${ingest.host}: browser errors never reach Sentry`);
        } else if (page.headers['content-security-policy']) {
          steps.push(`the deployed CSP connect-src allows ${ingest.host}`);
        }
      } catch (error) {
        if (!(error instanceof ProbeError)) throw error;
        steps.push(`the CSP could not be read (${error.message})`);
      }
    }
    if (problems.length) {
      return { status: 'fail', summary: problems.join('; '), details: steps.join('\n'), fix: `Add the DSN host (or *.ingest.sentry.io) to connect-src in the app's CSP.` };
    }
    if (warning) return { status: 'warn', summary: warning, details: steps.join('\n') };
    return { status: 'pass', summary: steps.join('; ') };
  },
});
