/**
 * A small Sentry: the envelope ingest endpoint and the two web API endpoints the gate reads.
 *
 *  - `POST /api/<project_id>/envelope/`, authenticated by the DSN's public key (X-Sentry-Auth header,
 *    `sentry_key` query parameter, or the envelope header's `dsn`), gzip/deflate/br bodies accepted.
 *  - `GET /api/0/projects/<org>/<project>/events/<event_id>/` (Bearer token): 404 until the event has
 *    been "processed" (`processingDelayMs` after receipt, 1 s by default), as Sentry's pipeline is
 *    asynchronous; the gate has to poll.
 *  - `GET /api/0/projects/<org>/<project>/rules/` (Bearer token): the project's issue alert rules.
 *
 * The API listens on plain HTTP at 127.0.0.1 (the `sentry-api-base` input). Ingest is served there
 * too, and, when `ingest` is given, over HTTPS on the DSN's own host (e.g. `o123.ingest.sentry.io`
 * resolved to a loopback address): then the DSN looks like production and is covered by the app's
 * CSP `connect-src *.ingest.sentry.io`.
 */
import http from 'node:http';
import https from 'node:https';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import type { IssuedCert } from './certs.js';
import { closeServer, listen } from './net.js';

export interface SentryAlertRule {
  id: string;
  name: string;
  actionMatch: 'all' | 'any' | 'none';
  filterMatch: 'all' | 'any' | 'none';
  conditions: { id: string; name: string }[];
  filters: { id: string; name: string }[];
  actions: { id: string; name: string; targetType?: string }[];
  frequency: number;
  environment: string | null;
  status: 'active' | 'disabled';
  dateCreated: string;
  projects: string[];
}

export interface StoredSentryEvent {
  eventId: string;
  receivedAt: number;
  /** The envelope's item type (`event`, `transaction`, …). */
  type: string;
  payload: Record<string, unknown>;
}

export interface SentryServerOptions {
  org: string;
  project: string;
  projectId: string;
  /** The DSN's public key. */
  publicKey: string;
  /** The API token (SENTRY_AUTH_TOKEN). */
  authToken: string;
  /** HTTPS listener for the DSN host. */
  ingest?: { address: string; port: number; cert: IssuedCert };
  /** How long after receipt an event becomes visible in the API. Default 1000 ms. */
  processingDelayMs?: number;
  /** Default: one active "new issue" email rule. Pass [] for a project without alerts. */
  alertRules?: SentryAlertRule[];
}

export interface SentryServerHandle {
  /** `http://127.0.0.1:<port>`: the `sentry-api-base` input. */
  url: string;
  port: number;
  ingestPort?: number;
  events: StoredSentryEvent[];
  requests: { method: string; path: string; status: number; at: number }[];
  alertRules: SentryAlertRule[];
  stop(): Promise<void>;
}

const NOT_FOUND = { detail: 'The requested resource does not exist' };

export async function startSentryServer(options: SentryServerOptions): Promise<SentryServerHandle> {
  const delay = options.processingDelayMs ?? 1000;
  const events: StoredSentryEvent[] = [];
  const requests: SentryServerHandle['requests'] = [];
  const alertRules = options.alertRules ?? [defaultAlertRule(options.project)];

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://sentry.local');
    const entry = { method: req.method ?? 'GET', path: url.pathname, status: 0, at: Date.now() };
    requests.push(entry);
    const send = (status: number, body: unknown) => {
      entry.status = status;
      const text = JSON.stringify(body);
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    };
    route(req, url)
      .then(([status, body]) => send(status, body))
      .catch(() => send(500, { detail: 'Internal Error' }));
  };

  async function route(req: http.IncomingMessage, url: URL): Promise<[number, unknown]> {
    const envelope = /^\/api\/(\d+)\/envelope\/?$/.exec(url.pathname);
    if (envelope) {
      if (req.method !== 'POST') return [405, { detail: `Method "${req.method}" not allowed.` }];
      return ingest(envelope[1]!, req, url);
    }
    const api = /^\/api\/0\/projects\/([^/]+)\/([^/]+)\/(.*)$/.exec(url.pathname);
    if (!api) return [404, NOT_FOUND];
    req.resume();
    const auth = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!auth) return [401, { detail: 'Authentication credentials were not provided.' }];
    if (auth[1] !== options.authToken) return [401, { detail: 'Invalid token' }];
    if (req.method !== 'GET') return [405, { detail: `Method "${req.method}" not allowed.` }];
    const [, org, project, rest] = api;
    if (org !== options.org || project !== options.project) return [404, NOT_FOUND];
    if (/^rules\/?$/.test(rest!)) return [200, alertRules];
    const eventPath = /^events\/([0-9a-fA-F-]{32,36})\/?$/.exec(rest!);
    if (eventPath) {
      const id = eventPath[1]!.replace(/-/g, '').toLowerCase();
      const event = events.find((e) => e.eventId === id && Date.now() - e.receivedAt >= delay);
      return event ? [200, apiEvent(event, options.projectId)] : [404, { detail: 'Event not found' }];
    }
    return [404, NOT_FOUND];
  }

  async function ingest(projectId: string, req: http.IncomingMessage, url: URL): Promise<[number, unknown]> {
    const raw = await readBody(req);
    let body: Buffer;
    try {
      body = decompress(raw, String(req.headers['content-encoding'] ?? ''));
    } catch {
      return [400, { detail: 'invalid body encoding' }];
    }
    const parsed = parseEnvelope(body);
    if (!parsed) return [400, { detail: 'invalid envelope' }];
    const key = sentryKey(req, url, parsed.header);
    if (!key) return [401, { detail: 'missing authorization information' }];
    if (key !== options.publicKey) return [401, { detail: 'invalid public key' }];
    if (projectId !== options.projectId) return [403, { detail: 'event submission rejected with_reason: ProjectId' }];
    const headerId = typeof parsed.header.event_id === 'string' ? parsed.header.event_id : undefined;
    let accepted: string | undefined;
    for (const item of parsed.items) {
      if (item.type !== 'event' && item.type !== 'transaction') continue;
      const id = (headerId ?? (item.payload.event_id as string | undefined) ?? '').replace(/-/g, '').toLowerCase();
      if (!/^[0-9a-f]{32}$/.test(id)) return [400, { detail: 'invalid event id' }];
      events.push({ eventId: id, receivedAt: Date.now(), type: item.type, payload: item.payload });
      accepted = id;
    }
    return [200, accepted ? { id: accepted } : {}];
  }

  const apiServer = http.createServer(handler);
  await listen(apiServer, 0, '127.0.0.1');
  const port = (apiServer.address() as import('node:net').AddressInfo).port;
  let ingestServer: https.Server | undefined;
  if (options.ingest) {
    ingestServer = https.createServer({ cert: options.ingest.cert.certPem, key: options.ingest.cert.keyPem }, handler);
    try {
      await listen(ingestServer, options.ingest.port, options.ingest.address);
    } catch (err) {
      await closeServer(apiServer);
      throw err;
    }
  }

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    ingestPort: options.ingest?.port,
    events,
    requests,
    alertRules,
    stop: async () => {
      await Promise.all([closeServer(apiServer), ingestServer ? closeServer(ingestServer) : undefined]);
    },
  };
}

interface Envelope {
  header: Record<string, unknown>;
  items: { type: string; payload: Record<string, unknown> }[];
}

/**
 * Sentry's envelope format: a JSON header line, then items, each a JSON item header line and a
 * payload that is either `length` bytes long or runs to the next newline.
 */
export function parseEnvelope(body: Buffer): Envelope | undefined {
  let offset = 0;
  const readLine = (): Buffer | undefined => {
    if (offset >= body.length) return undefined;
    let end = body.indexOf(0x0a, offset);
    if (end < 0) end = body.length;
    const line = body.subarray(offset, end);
    offset = end + 1;
    return line;
  };
  try {
    const headerLine = readLine();
    if (!headerLine) return undefined;
    const header = JSON.parse(headerLine.toString('utf8')) as Record<string, unknown>;
    const items: Envelope['items'] = [];
    for (let line = readLine(); line; line = readLine()) {
      if (line.length === 0) continue;
      const itemHeader = JSON.parse(line.toString('utf8')) as { type?: string; length?: number };
      let payload: Buffer;
      if (typeof itemHeader.length === 'number') {
        payload = body.subarray(offset, offset + itemHeader.length);
        offset += itemHeader.length + 1;
      } else {
        payload = readLine() ?? Buffer.alloc(0);
      }
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
      } catch {
        // Attachments and other binary items are not JSON: kept as an empty payload.
      }
      items.push({ type: itemHeader.type ?? 'unknown', payload: json });
    }
    return { header, items };
  } catch {
    return undefined;
  }
}

function sentryKey(req: http.IncomingMessage, url: URL, header: Record<string, unknown>): string | undefined {
  const auth = req.headers['x-sentry-auth'];
  const fromHeader = typeof auth === 'string' ? /sentry_key=([^,\s]+)/.exec(auth)?.[1] : undefined;
  if (fromHeader) return fromHeader;
  const fromQuery = url.searchParams.get('sentry_key');
  if (fromQuery) return fromQuery;
  if (typeof header.dsn === 'string') {
    try {
      return new URL(header.dsn).username || undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function decompress(raw: Buffer, encoding: string): Buffer {
  switch (encoding.trim().toLowerCase()) {
    case 'gzip':
      return gunzipSync(raw);
    case 'deflate':
      return inflateSync(raw);
    case 'br':
      return brotliDecompressSync(raw);
    default:
      return raw;
  }
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The shape of `GET …/events/<id>/` (the fields a client looks at). */
function apiEvent(event: StoredSentryEvent, projectId: string): Record<string, unknown> {
  const p = event.payload;
  const message =
    (typeof p.message === 'string' ? p.message : (p.message as { formatted?: string } | undefined)?.formatted) ??
    ((p.exception as { values?: { type?: string; value?: string }[] } | undefined)?.values?.[0]?.value ?? '');
  const tags = p.tags && typeof p.tags === 'object' && !Array.isArray(p.tags)
    ? Object.entries(p.tags as Record<string, unknown>).map(([key, value]) => ({ key, value: String(value) }))
    : [];
  return {
    id: event.eventId,
    eventID: event.eventId,
    groupID: String(4_500_000_000 + (parseInt(event.eventId.slice(0, 6), 16) % 1_000_000)),
    projectID: projectId,
    title: message || '<unlabeled event>',
    message,
    type: event.type === 'transaction' ? 'transaction' : 'default',
    platform: p.platform ?? 'javascript',
    environment: p.environment ?? null,
    release: p.release ?? null,
    dateCreated: typeof p.timestamp === 'number' ? new Date(p.timestamp * 1000).toISOString() : new Date(event.receivedAt).toISOString(),
    dateReceived: new Date(event.receivedAt).toISOString(),
    tags,
    contexts: p.contexts ?? {},
    entries: [],
  };
}

function defaultAlertRule(project: string): SentryAlertRule {
  return {
    id: '1',
    name: 'Send a notification for high priority issues',
    actionMatch: 'any',
    filterMatch: 'all',
    conditions: [
      { id: 'sentry.rules.conditions.first_seen_event.FirstSeenEventCondition', name: 'A new issue is created' },
      { id: 'sentry.rules.conditions.regression_event.RegressionEventCondition', name: 'The issue changes state from resolved to unresolved' },
    ],
    filters: [],
    actions: [
      {
        id: 'sentry.mail.actions.NotifyEmailAction',
        name: 'Send a notification to IssueOwners and if none can be found then send a notification to ActiveMembers',
        targetType: 'IssueOwners',
      },
    ],
    frequency: 30,
    environment: 'production',
    status: 'active',
    dateCreated: '2024-02-12T12:00:00.000000Z',
    projects: [project],
  };
}
