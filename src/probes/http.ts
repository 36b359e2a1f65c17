/**
 * The one HTTP probe layer every live rule uses.
 *
 * - `resolve` entries (`host:port:address`, like curl's --resolve) send a request for a host to
 *   another address, so a new deployment can be probed before DNS points at it; the TLS server name
 *   and the certificate check still use the real host name.
 * - `ca-file` certificates are trusted in addition to Node's store.
 * - Every request is bounded: a deadline for the whole exchange, bounded retries with backoff on
 *   connection errors and 5xx (never on 4xx), a redirect limit with loop detection, and a cap on the
 *   bytes read from a body.
 * - Every exchange is recorded (method, URL, status, time) as evidence for the report.
 */
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { createSecureContext, rootCertificates, type TLSSocket } from 'node:tls';
import type { ResolveEntry } from '../settings.js';
import { VERSION } from '../version.js';
import { track, type Component } from '../util/activity.js';
import { describeCause, networkCause } from './network-errors.js';

export const USER_AGENT = `production-readiness-gate/${VERSION} (+https://github.com/production-readiness-gate)`;

export type ProbeErrorKind = 'timeout' | 'connect' | 'dns' | 'tls' | 'redirect-loop' | 'too-many-redirects' | 'aborted' | 'protocol' | 'http';

/** A probe that got no usable answer. The message names the URL and says what happened. */
export class ProbeError extends Error {
  override name = 'ProbeError';
  constructor(
    readonly kind: ProbeErrorKind,
    readonly url: string,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export interface ProbeRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Follow 3xx answers (GET only after the first hop), default false: most rules judge the redirect itself. */
  followRedirects?: boolean;
  /** Retry on connection errors and 5xx; default true for GET/HEAD, false otherwise. */
  retry?: boolean;
  /** Override the client's per-request deadline. */
  timeoutMs?: number;
  /** Who answers this URL, for "waiting for …" when a rule is cut off. Default `app`. */
  component?: Component;
  /**
   * A `Host` header other than the URL's (a forged-host probe): the TLS server name, the certificate
   * check and the `resolve` address stay those of the URL's host; only the header changes.
   */
  hostHeader?: string;
}

export interface CertificateInfo {
  subject: string;
  issuer: string;
  validFrom: Date;
  validTo: Date;
  altNames: string[];
  fingerprint256: string;
}

export interface TlsDetails {
  protocol: string | null;
  cipher: string;
  authorized: boolean;
  certificate?: CertificateInfo;
}

export interface Hop {
  url: string;
  status: number;
  location?: string;
}

export interface ProbeResponse {
  /** The URL that answered (after redirects, when followed). */
  url: string;
  status: number;
  /** Lower-case names; repeated headers joined by ", " except `set-cookie`, kept apart in `cookies`. */
  headers: Record<string, string>;
  /** Raw values of every header, in order, for headers that must appear once (HSTS). */
  rawHeaders: Array<[string, string]>;
  /** The size of the header block as sent (names, values, `: ` and CRLFs), for the limits proxies set. */
  headerBytes: number;
  cookies: string[];
  body: string;
  bodyTruncated: boolean;
  redirects: Hop[];
  tls?: TlsDetails;
  durationMs: number;
  attempts: number;
}

export interface ProbeRecord {
  method: string;
  url: string;
  status?: number;
  error?: string;
  durationMs: number;
  attempts: number;
}

export interface HttpClientOptions {
  resolve?: readonly ResolveEntry[];
  ca?: string;
  timeoutMs: number;
  /** Extra attempts after the first (connection errors and 5xx). Default 2. */
  retries?: number;
  /** First backoff; doubles each attempt. Default 250 ms. */
  backoffMs?: number;
  maxRedirects?: number;
  maxBodyBytes?: number;
  /** Sockets per host: bounds how many probes hit the target at once. Default 32 (the whole probe phase's first burst). */
  maxSockets?: number;
}

/**
 * The most response-header bytes a probe reads, as Chromium does (net::HttpStreamParser's
 * kMaxHeaderBufSize, 256 KiB; Firefox accepts more): Node's default of 16 KiB would fail every probe of
 * an app whose headers browsers load fine. Headers past this are refused by browsers too.
 */
export const MAX_RESPONSE_HEADER_BYTES = 256 * 1024;

const RETRY_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

export class HttpClient {
  /** Every exchange this client made, in order of completion. */
  readonly records: ProbeRecord[] = [];
  private readonly httpsAgent: https.Agent;
  private readonly httpAgent: http.Agent;
  private readonly opts: Required<Omit<HttpClientOptions, 'ca' | 'resolve'>> & Pick<HttpClientOptions, 'ca' | 'resolve'>;

  constructor(options: HttpClientOptions) {
    this.opts = { retries: 2, backoffMs: 250, maxRedirects: 5, maxBodyBytes: 1024 * 1024, maxSockets: 32, ...options };
    // One secure context for every connection: `ca` on the agent would build a new one per socket,
    // parsing Node's ~140 root certificates each time (about 30 ms of CPU per connection).
    const secureContext = options.ca ? createSecureContext({ ca: [...rootCertificates, options.ca] }) : undefined;
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: this.opts.maxSockets, ...(secureContext ? { secureContext } : {}) });
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: this.opts.maxSockets });
  }

  private readonly shared = new Map<string, Promise<ProbeResponse>>();

  /**
   * A GET that several rules read (the pages the header rules judge, NextAuth's providers list): made
   * once per run, whoever asks first, and shared. A failure is shared too. Following redirects or not
   * makes two different requests.
   */
  getShared(url: string, signal?: AbortSignal, options: { followRedirects?: boolean } = {}): Promise<ProbeResponse> {
    const key = `${options.followRedirects ? 'follow ' : ''}${url}`;
    let pending = this.shared.get(key);
    if (!pending) {
      pending = this.request({ url, followRedirects: options.followRedirects }, signal);
      this.shared.set(key, pending);
    }
    return pending;
  }

  close(): void {
    this.httpsAgent.destroy();
    this.httpAgent.destroy();
  }

  /** One probe: retries, redirects and the deadline included. Throws ProbeError when no answer came. */
  request(req: ProbeRequest, signal?: AbortSignal): Promise<ProbeResponse> {
    return track(req.component ?? 'app', `${(req.method ?? 'GET').toUpperCase()} ${safeUrl(req.url)}`, this.exchange(req, signal));
  }

  private async exchange(req: ProbeRequest, signal?: AbortSignal): Promise<ProbeResponse> {
    const method = (req.method ?? 'GET').toUpperCase();
    const started = performance.now();
    let url = req.url;
    let currentMethod = method;
    let body = req.body;
    const redirects: Hop[] = [];
    const seen = new Set<string>([`${method} ${url}`]);
    let attempts = 0;
    try {
      for (;;) {
        const { response, tries } = await this.withRetries({ ...req, url, method: currentMethod, body }, signal);
        attempts += tries;
        const location = response.headers.location;
        if (!req.followRedirects || response.status < 300 || response.status >= 400 || !location) {
          const result = { ...response, redirects, durationMs: performance.now() - started, attempts };
          this.records.push({ method, url: req.url, status: result.status, durationMs: result.durationMs, attempts });
          return result;
        }
        redirects.push({ url, status: response.status, location });
        const next = new URL(location, url).toString();
        // 303, and 301/302 after a POST, turn into GET as browsers do.
        if (response.status === 303 || ((response.status === 301 || response.status === 302) && currentMethod === 'POST')) {
          currentMethod = 'GET';
          body = undefined;
        }
        const key = `${currentMethod} ${next}`;
        if (seen.has(key)) {
          throw new ProbeError('redirect-loop', req.url, `${req.url} redirects in a loop: ${[...redirects.map((h) => h.url), next].join(' → ')}`);
        }
        if (redirects.length >= this.opts.maxRedirects) {
          throw new ProbeError('too-many-redirects', req.url, `${req.url} redirected more than ${this.opts.maxRedirects} times (last: ${next})`);
        }
        seen.add(key);
        url = next;
      }
    } catch (error) {
      const probeError = toProbeError(error, url);
      attempts += (error as { tries?: number }).tries ?? 1;
      this.records.push({ method, url: req.url, error: probeError.message, durationMs: performance.now() - started, attempts });
      throw probeError;
    }
  }

  private async withRetries(req: ProbeRequest & { method: string }, signal?: AbortSignal): Promise<{ response: Omit<ProbeResponse, 'redirects' | 'durationMs' | 'attempts'>; tries: number }> {
    const retry = req.retry ?? (req.method === 'GET' || req.method === 'HEAD');
    const maxTries = retry ? this.opts.retries + 1 : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await this.once(req, signal);
        if (response.status >= 500 && attempt < maxTries) {
          await sleep(this.opts.backoffMs * 2 ** (attempt - 1), signal);
          continue;
        }
        return { response, tries: attempt };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const retryable = code !== undefined && RETRY_CODES.has(code) && !signal?.aborted;
        if (!retryable || attempt >= maxTries) throw Object.assign(error as object, { tries: attempt });
        await sleep(this.opts.backoffMs * 2 ** (attempt - 1), signal);
      }
    }
  }

  private once(req: ProbeRequest & { method: string }, outer?: AbortSignal): Promise<Omit<ProbeResponse, 'redirects' | 'durationMs' | 'attempts'>> {
    const url = new URL(req.url);
    const isHttps = url.protocol === 'https:';
    if (!isHttps && url.protocol !== 'http:') return Promise.reject(new ProbeError('protocol', req.url, `${req.url} is not an http(s) URL`));
    const timeoutMs = req.timeoutMs ?? this.opts.timeoutMs;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = outer ? AbortSignal.any([outer, deadline]) : deadline;
    const headers: Record<string, string> = { 'user-agent': USER_AGENT, accept: '*/*', ...req.headers };
    if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
    const maxBody = this.opts.maxBodyBytes;
    const hostname = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port || (isHttps ? 443 : 80));
    const override = findResolve(this.opts.resolve, hostname, port);
    if (override) headers.host = url.host;
    if (req.hostHeader !== undefined) headers.host = req.hostHeader;

    return new Promise((resolve, reject) => {
      const options: https.RequestOptions = {
        method: req.method,
        hostname: override?.address ?? hostname,
        port,
        path: `${url.pathname}${url.search}`,
        headers,
        agent: isHttps ? this.httpsAgent : this.httpAgent,
        signal,
        // The certificate is checked against the real host name, whatever address `resolve` chose.
        // For an IP address Node would take the server name from the Host header: with a forged one,
        // say none, as without it.
        servername: isIP(hostname) ? (req.hostHeader !== undefined ? '' : undefined) : hostname,
        maxHeaderSize: MAX_RESPONSE_HEADER_BYTES,
      };
      const request = (isHttps ? https : http).request(options, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let truncated = false;
        const socket = res.socket as TLSSocket;
        const tls = isHttps && typeof socket.getPeerCertificate === 'function' ? tlsDetails(socket) : undefined;
        res.on('data', (chunk: Buffer) => {
          if (truncated) return;
          size += chunk.length;
          if (size > maxBody) {
            chunks.push(chunk.subarray(0, chunk.length - (size - maxBody)));
            truncated = true;
            // An endless body: stop reading and drop the connection.
            res.destroy();
            finish();
            return;
          }
          chunks.push(chunk);
        });
        let done = false;
        const finish = () => {
          if (done) return;
          done = true;
          const joined: Record<string, string> = {};
          const raw: Array<[string, string]> = [];
          let headerBytes = 0;
          for (let i = 0; i < res.rawHeaders.length; i += 2) {
            const name = res.rawHeaders[i]!.toLowerCase();
            const value = res.rawHeaders[i + 1]!;
            headerBytes += Buffer.byteLength(name) + Buffer.byteLength(value) + 4;
            raw.push([name, value]);
            if (name !== 'set-cookie') joined[name] = joined[name] === undefined ? value : `${joined[name]}, ${value}`;
          }
          resolve({
            url: req.url,
            status: res.statusCode ?? 0,
            headers: joined,
            rawHeaders: raw,
            headerBytes,
            cookies: res.headers['set-cookie'] ?? [],
            body: Buffer.concat(chunks).toString('utf8'),
            bodyTruncated: truncated,
            tls,
          });
        };
        res.on('end', finish);
        const midBody = (error: unknown) => {
          if (truncated) return finish();
          // The deadline can pass while a slow body trickles in: that is a timeout, not a reset.
          if (deadline.aborted) return reject(new ProbeError('timeout', req.url, `${req.method} ${req.url}: no complete answer within ${formatMs(timeoutMs)} (the body was still arriving)`));
          if (outer?.aborted) return reject(new ProbeError('aborted', req.url, `${req.method} ${req.url}: stopped (${String(outer.reason?.message ?? 'aborted')})`));
          reject(error);
        };
        res.on('error', midBody);
        res.on('aborted', () => midBody(Object.assign(new Error('the connection closed mid-body'), { code: 'ECONNRESET' })));
      });
      request.on('error', (error) => {
        if (deadline.aborted) reject(new ProbeError('timeout', req.url, `${req.method} ${req.url}: no complete answer within ${formatMs(timeoutMs)}`));
        else if (outer?.aborted) reject(new ProbeError('aborted', req.url, `${req.method} ${req.url}: stopped (${String(outer.reason?.message ?? 'aborted')})`));
        else reject(error);
      });
      request.end(req.body);
    });
  }
}

function tlsDetails(socket: TLSSocket): TlsDetails {
  const cert = socket.getPeerCertificate();
  return {
    protocol: socket.getProtocol(),
    cipher: socket.getCipher()?.name ?? '',
    authorized: socket.authorized,
    certificate: cert && cert.valid_to ? certificateInfo(cert) : undefined,
  };
}

export function certificateInfo(cert: import('node:tls').PeerCertificate): CertificateInfo {
  const name = (x: Record<string, string | string[]> | undefined) => (x ? Object.entries(x).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`).join(', ') : '');
  return {
    subject: name(cert.subject as unknown as Record<string, string>),
    issuer: name(cert.issuer as unknown as Record<string, string>),
    validFrom: new Date(cert.valid_from),
    validTo: new Date(cert.valid_to),
    altNames: (cert.subjectaltname ?? '').split(/,\s*/).filter(Boolean).map((s) => s.replace(/^(DNS|IP Address):/, '')),
    fingerprint256: cert.fingerprint256,
  };
}

/** The `resolve` entry for a host and port (curl's rule: both must match). */
export function findResolve(entries: readonly ResolveEntry[] | undefined, host: string, port: number): ResolveEntry | undefined {
  return entries?.find((e) => e.host === host.toLowerCase() && e.port === port);
}

function toProbeError(error: unknown, url: string): ProbeError {
  if (error instanceof ProbeError) return error;
  const where = safeUrl(url);
  const cause = networkCause(error);
  const code = cause.code;
  if (cause.kind === 'dns') return new ProbeError('dns', url, `${where}: ${cause.text} (${code}); check the URL, DNS, or give a resolve entry`, code);
  if (cause.kind === 'certificate' || cause.kind === 'handshake') return new ProbeError('tls', url, `${where}: TLS failed: ${describeCause(error)}`, code);
  if (cause.kind === 'http') return new ProbeError('http', url, `${where}: ${describeCause(error)}`, code);
  return new ProbeError('connect', url, `${where}: ${describeCause(error)}`, code);
}

/** A URL as it may be printed: no credentials. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms % 1000 ? 1 : 0)} s` : `${ms} ms`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
