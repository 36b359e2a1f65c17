/**
 * A registry on loopback that answers what npm asks a registry about installed packages, as the
 * public registry answers it:
 * - `POST /-/npm/v1/security/advisories/bulk`: the body `{ "<name>": ["<version>", …] }` (plain or
 *   gzip-compressed, as npm sends it), answered `{ "<name>": [advisory, …] }` with the advisories whose
 *   `vulnerable_versions` cover one of the versions asked;
 * - `GET /<name>` and `GET /@scope%2fname`: the full packument (`versions`, `dist-tags`, `time`).
 * It needs no network: the sandbox, the tests and the bench point the gate at it through the npm
 * configuration (`npm_config_registry`, or a user `.npmrc`), as a team points npm at a private registry.
 * With `token`, a request without `authorization: Bearer <token>` is refused with 401, like a private one.
 *
 * The advisories the sandbox serves are made up for the emulation (ids from 1099000, URLs on
 * npm.example.test): they describe no real vulnerability.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import semver from 'semver';

export interface RegistryAdvisory {
  id: number;
  url: string;
  title: string;
  severity: 'critical' | 'high' | 'moderate' | 'low';
  vulnerable_versions: string;
  cwe?: string[];
  cvss?: { score: number; vectorString: string | null };
}

export interface RegistryPackage {
  /** Version → when it was published (ISO). */
  versions: Record<string, string>;
  /** `dist-tags.latest`; default: the highest stable version. */
  latest?: string;
  deprecated?: Record<string, string>;
}

export interface NpmRegistryOptions {
  packages?: Record<string, RegistryPackage>;
  advisories?: Record<string, RegistryAdvisory[]>;
  /** When set, requests must carry `authorization: Bearer <token>`. */
  token?: string;
  /** Loopback address to listen on (default 127.0.0.1). */
  address?: string;
}

export interface RegistryRequest {
  method: string;
  path: string;
  authorization?: string;
  /** The advisory request's body, parsed. */
  body?: Record<string, string[]>;
}

export interface NpmRegistryHandle {
  /** `http://127.0.0.1:<port>/`. */
  url: string;
  requests: RegistryRequest[];
  packages: Record<string, RegistryPackage>;
  advisories: Record<string, RegistryAdvisory[]>;
  stop(): Promise<void>;
}

export async function startNpmRegistry(options: NpmRegistryOptions = {}): Promise<NpmRegistryHandle> {
  const packages = options.packages ?? {};
  const advisories = options.advisories ?? {};
  const requests: RegistryRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const record: RegistryRequest = { method: req.method ?? 'GET', path: req.url ?? '/', ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) };
      requests.push(record);
      const send = (status: number, body: unknown) => {
        const text = JSON.stringify(body);
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      };
      if (options.token && req.headers.authorization !== `Bearer ${options.token}`) return send(401, { error: 'authentication required' });
      const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
      if (req.method === 'POST' && path === '/-/npm/v1/security/advisories/bulk') {
        let asked: Record<string, string[]>;
        try {
          const raw = Buffer.concat(chunks);
          asked = JSON.parse((req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8')) as Record<string, string[]>;
        } catch {
          return send(400, { error: 'invalid json' });
        }
        record.body = asked;
        const answer: Record<string, RegistryAdvisory[]> = {};
        for (const [name, versions] of Object.entries(asked)) {
          const hits = (advisories[name] ?? []).filter((a) => versions.some((v) => semver.valid(v) && semver.satisfies(v, a.vulnerable_versions, { includePrerelease: true })));
          if (hits.length) answer[name] = hits;
        }
        return send(200, answer);
      }
      if (req.method === 'GET' && path.length > 1) {
        const pkg = packages[path.slice(1)];
        return pkg ? send(200, packument(path.slice(1), pkg)) : send(404, { error: 'Not found' });
      }
      send(404, { error: 'Not found' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.address ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}/`,
    requests,
    packages,
    advisories,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The full packument of a package, as the registry serves it. */
function packument(name: string, pkg: RegistryPackage): unknown {
  const versions = Object.keys(pkg.versions).sort(semver.compare);
  const latest = pkg.latest ?? [...versions].reverse().find((v) => !semver.prerelease(v)) ?? versions.at(-1);
  const times = Object.values(pkg.versions).sort();
  return {
    _id: name,
    name,
    'dist-tags': latest ? { latest } : {},
    versions: Object.fromEntries(versions.map((v) => [v, { name, version: v, ...(pkg.deprecated?.[v] ? { deprecated: pkg.deprecated[v] } : {}) }])),
    time: { created: times[0], modified: times.at(-1), ...pkg.versions },
  };
}

/** `count` releases of a package, `everyDays` apart, the last one `lastDaysAgo` days before `now`. */
export function releases(versions: readonly string[], now: Date, lastDaysAgo: number, everyDays = 14): Record<string, string> {
  const out: Record<string, string> = {};
  versions.forEach((v, i) => {
    out[v] = new Date(now.getTime() - (lastDaysAgo + (versions.length - 1 - i) * everyDays) * 86_400_000).toISOString();
  });
  return out;
}

/**
 * What the sandbox's registry knows of the app's packages: next-auth's 4.24 releases, with a made-up
 * critical advisory (1099001) that 4.24.14 fixes, as the guide's app "pins a next-auth inside the range
 * of critical advisories". The scenarios that install next-auth lock it from the registry
 * (sandbox/next-auth-lock.json).
 */
export function appRegistry(now: Date): Required<Pick<NpmRegistryOptions, 'packages' | 'advisories'>> {
  return {
    packages: {
      'next-auth': { versions: releases(['4.24.10', '4.24.11', '4.24.12', '4.24.13', '4.24.14'], now, 9, 30) },
      // The Auth.js v5 flavour installs caniuse-lite from the registry (next depends on it): its latest
      // data release, 6 days ago.
      'caniuse-lite': { versions: releases(['1.0.30001829', '1.0.30001830'], now, 6, 7) },
    },
    advisories: {
      'next-auth': [
        {
          id: 1099001,
          url: 'https://npm.example.test/advisories/1099001',
          title: 'Session cookie accepted for another host behind a shared proxy (made up for the sandbox)',
          severity: 'critical',
          vulnerable_versions: '<4.24.14',
          cwe: ['CWE-287'],
          cvss: { score: 9.1, vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N' },
        },
      ],
    },
  };
}
