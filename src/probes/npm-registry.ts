/**
 * The npm registry's two read-only endpoints the dependency rule needs, asked as npm asks them:
 * - `POST /-/npm/v1/security/advisories/bulk` with `{ "<name>": ["<version>", …] }`, the endpoint
 *   `npm audit` posts to (npm's arborist, audit-report.js), answering `{ "<name>": [advisory, …] }`
 *   with each advisory's id, url, title, severity and vulnerable_versions;
 * - `GET /<name>` (`@scope%2fname`), the full packument: versions, dist-tags, and `time` (when each
 *   version was published; the abbreviated "corgi" document npm install asks for has no `time`).
 * Requests carry the registry's credentials from the npm configuration (npm-config.ts), go through the
 * run's bounded HTTP client (deadline, retries on connection errors and 5xx, body cap) and are tracked
 * as waiting for the registry.
 */
import { HttpClient, ProbeError, safeUrl } from './http.js';
import { authorizationFor, registryFor, type NpmConfig } from './npm-config.js';

export interface Advisory {
  id: number | string;
  url?: string;
  title?: string;
  severity: 'critical' | 'high' | 'moderate' | 'low' | 'info' | string;
  /** A semver range. */
  vulnerable_versions: string;
  cwe?: string[];
  cvss?: { score?: number; vectorString?: string | null };
}

export interface Packument {
  name: string;
  'dist-tags'?: Record<string, string>;
  versions?: Record<string, { deprecated?: string } | undefined>;
  /** Version → ISO date of its publication (and `created`, `modified`). */
  time?: Record<string, string>;
}

/** The registry answered, but not with what was asked (a status or a body that is not the endpoint's). */
export class RegistryAnswerError extends Error {
  override name = 'RegistryAnswerError';
  constructor(
    readonly url: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface NpmRegistryOptions {
  /** The default registry (ends in `/`). */
  url: string;
  config: NpmConfig;
  timeoutMs: number;
  /** Extra CA certificates (the `ca-file` input). */
  ca?: string;
}

/** A packument can be large (caniuse-lite's is several MB): the cap is well above any real one. */
const MAX_PACKUMENT_BYTES = 64 * 1024 * 1024;

export class NpmRegistry {
  private readonly http: HttpClient;

  constructor(private readonly options: NpmRegistryOptions) {
    this.http = new HttpClient({ timeoutMs: options.timeoutMs, ca: options.ca, maxBodyBytes: MAX_PACKUMENT_BYTES, maxSockets: 16 });
  }

  /** The registry's URL without credentials, for messages. */
  get displayUrl(): string {
    return safeUrl(this.options.url);
  }

  close(): void {
    this.http.close();
  }

  /** Known advisories of the given versions, as `npm audit` asks for them. */
  async advisories(versions: Readonly<Record<string, readonly string[]>>, signal?: AbortSignal): Promise<Record<string, Advisory[]>> {
    const url = new URL('-/npm/v1/security/advisories/bulk', this.options.url).toString();
    const body = await this.json(url, { method: 'POST', body: JSON.stringify(versions), headers: { 'content-type': 'application/json' }, retry: true }, signal);
    if (!body || typeof body !== 'object' || Array.isArray(body) || Object.values(body).some((v) => !Array.isArray(v))) {
      throw new RegistryAnswerError(safeUrl(url), 200, `${safeUrl(url)} answered something else than advisories (an object of arrays)`);
    }
    return body as Record<string, Advisory[]>;
  }

  /** The full packument of a package; undefined when the registry does not have it (404). */
  async packument(name: string, signal?: AbortSignal): Promise<Packument | undefined> {
    const registry = registryFor(this.options.config, this.options.url, name);
    const url = new URL(name.replace('/', '%2f'), registry).toString();
    const body = await this.json(url, { method: 'GET', headers: { accept: 'application/json' } }, signal, true);
    return body as Packument | undefined;
  }

  private async json(url: string, req: { method: string; body?: string; headers: Record<string, string>; retry?: boolean }, signal: AbortSignal | undefined, missingOk = false): Promise<unknown> {
    const authorization = authorizationFor(this.options.config, url);
    const response = await this.http.request(
      { url, method: req.method, body: req.body, retry: req.retry, component: 'registry', headers: { ...req.headers, ...(authorization ? { authorization } : {}) } },
      signal,
    );
    const shown = safeUrl(url);
    if (missingOk && response.status === 404) return undefined;
    if (response.status === 401 || response.status === 403) {
      throw new RegistryAnswerError(shown, response.status, `${req.method} ${shown} was refused (HTTP ${response.status}): ${authorization ? 'the token in the npm configuration is not accepted' : 'the registry wants a token, and the npm configuration has none for it'}`);
    }
    if (response.status !== 200) throw new RegistryAnswerError(shown, response.status, `${req.method} ${shown} answered HTTP ${response.status}`);
    if (response.bodyTruncated) throw new RegistryAnswerError(shown, 200, `${req.method} ${shown} answered more than ${MAX_PACKUMENT_BYTES / 1024 / 1024} MB`);
    try {
      return JSON.parse(response.body) as unknown;
    } catch {
      throw new RegistryAnswerError(shown, 200, `${req.method} ${shown} did not answer JSON`);
    }
  }
}

export { ProbeError };
