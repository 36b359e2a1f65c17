/**
 * The installed dependencies against the registry's knowledge: which locked copies a published
 * advisory covers (and the first version that leaves every advisory of the package behind), and how
 * far the browser-baseline chain (`autoprefixer` → `browserslist` → `baseline-browser-mapping`, and
 * `caniuse-lite`) is behind its upstream releases (the release checklist's 30 days). Pure: the
 * registry's answers come in (src/probes/npm-registry.ts), facts go out; semver ranges are read with
 * `semver`, the library npm itself uses for them.
 */
import semver from 'semver';
import type { Lockfile } from './lockfile.js';
import type { OpenPullRequest } from '../../probes/github-api.js';

/** Severity as npm ranks it. */
export const SEVERITY_RANK: Readonly<Record<string, number>> = { critical: 4, high: 3, moderate: 2, low: 1, info: 0 };

/**
 * The packages whose advisories matter most to this kind of app, named first: its auth library, its
 * framework, its ORM and its payment SDK.
 */
export const KEY_PACKAGES: Readonly<Record<string, string>> = {
  'next-auth': 'auth',
  '@auth/core': 'auth',
  next: 'framework',
  '@prisma/client': 'ORM',
  prisma: 'ORM',
  stripe: 'payments',
};

/** The release checklist's browser-baseline dependency chain, in its order, and the data it reads. */
export const BROWSER_BASELINE_CHAIN = ['autoprefixer', 'browserslist', 'baseline-browser-mapping', 'caniuse-lite'] as const;

export interface AdvisoryInfo {
  id: number | string;
  url?: string;
  title?: string;
  severity: string;
  vulnerable_versions: string;
}

/**
 * What `npm audit` posts: every registry copy's version by package name. Copies that are not from a
 * registry (linked or copied folders, git checkouts, `file:`/`workspace:` versions) are left out:
 * their name may be a registry package's, their code is not.
 */
export function auditRequest(lock: Lockfile): { body: Record<string, string[]>; packages: number; notFromRegistry: string[] } {
  const body: Record<string, string[]> = {};
  const notFromRegistry = new Set<string>();
  let packages = 0;
  for (const p of lock.packages) {
    if (p.origin || !semver.valid(p.version)) {
      notFromRegistry.add(p.name);
      continue;
    }
    const versions = (body[p.name] ??= []);
    if (!versions.includes(p.version)) {
      versions.push(p.version);
      packages++;
    }
  }
  return { body, packages, notFromRegistry: [...notFromRegistry] };
}

export interface VulnerableCopy {
  name: string;
  version: string;
  /** Only development installs it (no production copy at this version). */
  dev: boolean;
  /** The advisories whose range covers this version, most severe first. */
  advisories: AdvisoryInfo[];
  /** The most severe of them. */
  severity: string;
  /** `auth`, `framework`, `ORM`, `payments` for the app's key packages. */
  role?: string;
}

/** The locked copies the registry's advisories cover: key packages first, then by severity, then by name. */
export function vulnerableCopies(lock: Lockfile, answer: Readonly<Record<string, readonly AdvisoryInfo[]>>): VulnerableCopy[] {
  const copies = new Map<string, { name: string; version: string; dev: boolean }>();
  for (const p of lock.packages) {
    if (p.origin || !answer[p.name]?.length || !semver.valid(p.version)) continue;
    const key = `${p.name}@${p.version}`;
    const known = copies.get(key);
    copies.set(key, { name: p.name, version: p.version, dev: (known?.dev ?? true) && p.dev });
  }
  const found: VulnerableCopy[] = [];
  for (const copy of copies.values()) {
    const advisories = answer[copy.name]!
      .filter((a) => covers(a.vulnerable_versions, copy.version))
      .sort((a, b) => rank(b.severity) - rank(a.severity));
    if (advisories.length === 0) continue;
    found.push({ ...copy, advisories, severity: advisories[0]!.severity, ...(KEY_PACKAGES[copy.name] ? { role: KEY_PACKAGES[copy.name] } : {}) });
  }
  return found.sort((a, b) => Number(!!b.role) - Number(!!a.role) || rank(b.severity) - rank(a.severity) || a.name.localeCompare(b.name));
}

export function rank(severity: string): number {
  return SEVERITY_RANK[severity] ?? 0;
}

/** Whether an advisory's range covers a version (a range that does not parse covers nothing: it is reported). */
export function covers(range: string, version: string): boolean {
  try {
    return semver.satisfies(version, range, { includePrerelease: true });
  } catch {
    return false;
  }
}

export interface PackumentInfo {
  versions?: Record<string, { deprecated?: string } | undefined>;
  'dist-tags'?: Record<string, string>;
  time?: Record<string, string>;
}

/**
 * The first published release above `installed` that no advisory of the package covers (prereleases
 * and deprecated versions skipped); undefined when there is none yet.
 */
export function fixedVersion(installed: string, advisories: readonly AdvisoryInfo[], packument: PackumentInfo | undefined): string | undefined {
  const versions = Object.keys(packument?.versions ?? {}).filter((v) => semver.valid(v) && !semver.prerelease(v) && semver.gt(v, installed) && !packument!.versions![v]?.deprecated);
  return versions.sort(semver.compare).find((v) => !advisories.some((a) => covers(a.vulnerable_versions, v)));
}

export interface ChainStatus {
  name: string;
  installed: string;
  /** The registry's `latest` and when it was published. */
  latest?: { version: string; published?: string };
  /** The first release after the installed one: the upstream release the app has not taken. */
  firstNewer?: { version: string; published: string };
  /** Days since `firstNewer` was published (0 when up to date). */
  daysBehind: number;
  /** Behind for longer than the SLA allows. */
  breach: boolean;
}

/**
 * How far an installed version is behind upstream: the earliest release after it (stable releases
 * only, by publication time) and how long ago that was; past `slaDays`, the SLA is broken.
 */
export function chainStatus(name: string, installed: string, packument: PackumentInfo, now: Date, slaDays: number): ChainStatus {
  const time = packument.time ?? {};
  const newer = Object.keys(packument.versions ?? time)
    .filter((v) => semver.valid(v) && !semver.prerelease(v) && semver.valid(installed) && semver.gt(v, installed) && time[v])
    .map((v) => ({ version: v, published: time[v]! }))
    .sort((a, b) => Date.parse(a.published) - Date.parse(b.published));
  const latestVersion = packument['dist-tags']?.latest;
  const firstNewer = newer[0];
  const daysBehind = firstNewer ? Math.max(0, Math.floor((now.getTime() - Date.parse(firstNewer.published)) / 86_400_000)) : 0;
  return {
    name,
    installed,
    ...(latestVersion ? { latest: { version: latestVersion, ...(time[latestVersion] ? { published: time[latestVersion] } : {}) } } : {}),
    ...(firstNewer ? { firstNewer } : {}),
    daysBehind,
    breach: firstNewer !== undefined && daysBehind > slaDays,
  };
}

/**
 * The Dependabot groups that hold the chain, from `.github/dependabot.yml` (`updates[].groups.<name>
 * .patterns`, `*` a wildcard); the checklist's `browser-baseline` when the file names none.
 */
export function chainGroups(dependabotYaml: unknown): string[] {
  const groups = new Set<string>();
  const updates = (dependabotYaml as { updates?: unknown } | undefined)?.updates;
  for (const update of Array.isArray(updates) ? updates : []) {
    const g = (update as { groups?: unknown })?.groups;
    if (!g || typeof g !== 'object') continue;
    for (const [name, def] of Object.entries(g as Record<string, unknown>)) {
      const patterns = (def as { patterns?: unknown })?.patterns;
      if (!Array.isArray(patterns)) continue;
      const res = patterns.filter((p): p is string => typeof p === 'string').map((p) => new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`));
      if (BROWSER_BASELINE_CHAIN.some((pkg) => res.some((re) => re.test(pkg)))) groups.add(name);
    }
  }
  return groups.size ? [...groups] : ['browser-baseline'];
}

/** An open pull request as the GitHub API probe reads it. */
export type PullRequestInfo = OpenPullRequest;

/** A Dependabot pull request of the chain: of one of its groups, or bumping one of its packages. */
export function isChainPullRequest(pr: PullRequestInfo, groups: readonly string[]): boolean {
  if (!/^dependabot(?:\[bot\]|-preview\[bot\])?$/.test(pr.author)) return false;
  const text = `${pr.title}\n${pr.branch}`.toLowerCase();
  if (groups.some((g) => text.includes(`the ${g.toLowerCase()} group`) || pr.branch.toLowerCase().includes(`/${g.toLowerCase()}-`))) return true;
  return BROWSER_BASELINE_CHAIN.some((pkg) => new RegExp(`(?:^|[\\s/])${pkg.replace(/[.-]/g, '\\$&')}(?:[\\s@-]|$)`).test(text));
}
