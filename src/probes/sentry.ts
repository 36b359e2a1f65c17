/**
 * Sentry, as the gate uses it: parse a DSN, send one test event through the envelope endpoint (the
 * way the SDKs do), and read the web API (events, alert rules) with an auth token.
 */
import { randomBytes } from 'node:crypto';
import type { HttpClient, ProbeResponse } from './http.js';
import { VERSION } from '../version.js';

export interface Dsn {
  protocol: 'https:' | 'http:';
  publicKey: string;
  host: string;
  /** `host[:port]` as written. */
  hostWithPort: string;
  /** Path prefix of a self-hosted Sentry under a sub-path ('' usually). */
  pathPrefix: string;
  projectId: string;
  /** `https://host[:port]/<prefix>/api/<project_id>/envelope/` */
  envelopeUrl: string;
}

export class DsnError extends Error {}

/** Parses `https://<public_key>@<host>[/<prefix>]/<project_id>`; the message never contains the key. */
export function parseDsn(value: string, variable: string): Dsn {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new DsnError(`${variable} is not a URL (expected https://<public_key>@o0.ingest.sentry.io/<project_id>)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new DsnError(`${variable} has scheme ${url.protocol}; expected https://`);
  if (!url.username) throw new DsnError(`${variable} has no public key (the part before @)`);
  const parts = url.pathname.split('/').filter(Boolean);
  const projectId = parts.pop();
  if (!projectId || !/^\d+$/.test(projectId)) throw new DsnError(`${variable} does not end in a numeric project id`);
  const pathPrefix = parts.length ? `/${parts.join('/')}` : '';
  return {
    protocol: url.protocol,
    publicKey: decodeURIComponent(url.username),
    host: url.hostname,
    hostWithPort: url.host,
    pathPrefix,
    projectId,
    envelopeUrl: `${url.protocol}//${url.host}${pathPrefix}/api/${projectId}/envelope/`,
  };
}

export interface TestEvent {
  eventId: string;
  envelope: string;
}

/** One error-level event that says what it is, tagged so a person can find and mute it. */
export function testEvent(runId: string, environment: string | undefined): TestEvent {
  const eventId = randomBytes(16).toString('hex');
  const now = new Date().toISOString();
  const event = {
    event_id: eventId,
    timestamp: now,
    platform: 'node',
    level: 'info',
    logger: 'production-readiness-gate',
    environment: environment ?? 'production',
    message: { formatted: `Production Readiness Gate test event (run ${runId}): safe to ignore` },
    tags: { 'readiness-gate': 'production-readiness-gate', 'readiness-run': runId },
    sdk: { name: 'production-readiness-gate', version: VERSION },
  };
  const envelope = [JSON.stringify({ event_id: eventId, sent_at: now }), JSON.stringify({ type: 'event' }), JSON.stringify(event)].join('\n');
  return { eventId, envelope };
}

export function sendEnvelope(http: HttpClient, dsn: Dsn, event: TestEvent, signal?: AbortSignal): Promise<ProbeResponse> {
  return http.request(
    {
      url: dsn.envelopeUrl,
      method: 'POST',
      component: 'Sentry',
      headers: {
        'content-type': 'application/x-sentry-envelope',
        'x-sentry-auth': `Sentry sentry_version=7, sentry_client=production-readiness-gate/${VERSION}, sentry_key=${dsn.publicKey}`,
      },
      body: event.envelope,
    },
    signal,
  );
}

export interface SentryApi {
  base: string;
  token: string;
  org: string;
  project: string;
}

export function sentryApiGet(http: HttpClient, api: SentryApi, path: string, signal?: AbortSignal): Promise<ProbeResponse> {
  const url = `${api.base.replace(/\/+$/, '')}/api/0/projects/${encodeURIComponent(api.org)}/${encodeURIComponent(api.project)}/${path}`;
  return http.request({ url, component: 'Sentry', headers: { authorization: `Bearer ${api.token}`, accept: 'application/json' } }, signal);
}

/** The Sentry DSN the app uses: the browser one first (it is what the CSP must allow), else the server one. */
export function configuredDsn(env: Readonly<Record<string, string | undefined>>): { value: string; variable: string } | undefined {
  if (env.NEXT_PUBLIC_SENTRY_DSN) return { value: env.NEXT_PUBLIC_SENTRY_DSN, variable: 'NEXT_PUBLIC_SENTRY_DSN' };
  if (env.SENTRY_DSN) return { value: env.SENTRY_DSN, variable: 'SENTRY_DSN' };
  return undefined;
}

export function sentryApi(env: Readonly<Record<string, string | undefined>>, base: string): SentryApi | undefined {
  const { SENTRY_AUTH_TOKEN: token, SENTRY_ORG: org, SENTRY_PROJECT: project } = env;
  return token && org && project ? { base, token, org, project } : undefined;
}
