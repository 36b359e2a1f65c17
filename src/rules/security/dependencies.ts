/**
 * security.dependencies: what the app installs, read from its lockfile (no install needed), against
 * the registry npm is configured for:
 * - known advisories (the bulk endpoint `npm audit` posts to): a high or critical one in a production
 *   dependency fails, a moderate or low one warns, one in a development-only package is a notice; the
 *   app's auth, framework, ORM and payment packages are named first, with the first fixed version;
 * - the release checklist's dependency hygiene: the browser-baseline chain (`autoprefixer` →
 *   `browserslist` → `baseline-browser-mapping`, and `caniuse-lite`) within `dependencies.sla-days`
 *   (30) of its upstream releases, by the registry's publication dates; and the open Dependabot pull
 *   requests of that group older than that, reviewed or deferred with a reason (read with
 *   `github-token` where its permissions allow). A breach warns (`dependencies.stale: fail` blocks).
 * No registry reachable is `unreachable` (fail, or warn with `unreachable: warn`), never a pass.
 *
 * Why the advisory endpoint and not `npm audit --omit=dev --json`: `npm audit` reads only npm's own
 * lockfile (not pnpm's, Yarn's or Bun's), spawns npm and builds its whole dependency tree first
 * (seconds for a large lockfile), and its answer comes from this same endpoint. Asking it directly
 * reads every lockfile format, keeps the request within the run's time bound and its credentials
 * masked, and also sees development-only advisories (a notice) in the same request.
 */
import type { Finding, Outcome, Status } from '../../engine/types.js';
import { couldNotCheck } from '../../engine/unavailable.js';
import { defineRule } from '../index.js';
import { readLockfile, readManifest, installedVersion, type Lockfile } from '../../analysis/app/lockfile.js';
import {
  auditRequest,
  BROWSER_BASELINE_CHAIN,
  chainGroups,
  chainStatus,
  fixedVersion,
  isChainPullRequest,
  rank,
  vulnerableCopies,
  type ChainStatus,
  type VulnerableCopy,
} from '../../analysis/app/dependencies.js';
import { readNpmConfig, resolveRegistry } from '../../probes/npm-config.js';
import { NpmRegistry, RegistryAnswerError, type Packument } from '../../probes/npm-registry.js';
import { ProbeError, HttpClient } from '../../probes/http.js';
import { GitHubAnswerError, handledByPerson, openPullRequests, type GitHubApi } from '../../probes/github-api.js';
import type { Settings } from '../../settings.js';
import type { Repository } from '../../probes/repository.js';

/** Packuments fetched at once for fixed versions (each can be MBs). */
const PACKUMENT_CONCURRENCY = 8;

export const dependencies = defineRule({
  id: 'security.dependencies',
  async check({ settings, clients, signal }): Promise<Outcome> {
    const root = settings.workingDirectory;
    const manifest = await readManifest(root);
    if (!manifest) return { status: 'skip', summary: 'no package.json (or not JSON) in the working directory: no npm dependencies to check' };
    const lock = await readLockfile(root, manifest);
    if (!lock) {
      return {
        status: 'fail',
        summary: 'no lockfile (package-lock.json, pnpm-lock.yaml, yarn.lock or bun.lock): the versions production installs are unknown',
        fix: 'Commit the lockfile your package manager writes, and install with it in CI (`npm ci`, `pnpm install --frozen-lockfile`, `yarn install --immutable`).',
      };
    }
    if (lock.error) return { status: 'fail', summary: `the lockfile cannot be read: ${lock.error}`, fix: `Regenerate ${lock.file} with the package manager and commit it.` };

    const { body, packages, notFromRegistry } = auditRequest(lock);
    if (packages === 0) {
      return {
        status: 'skip',
        summary: `${lock.file} holds no package from a registry (${notFromRegistry.length ? `only linked or copied folders: ${notFromRegistry.join(', ')}` : 'no package at all'}): no advisory to look up`,
        data: { lockfile: lock.file, packagesChecked: 0 },
      };
    }
    const npm = await readNpmConfig(root, settings.commandEnv);
    let registryUrl: { url: string; source: string };
    try {
      registryUrl = await resolveRegistry(npm, root, settings.commandEnv);
    } catch (error) {
      return {
        status: 'fail',
        summary: `the known advisories cannot be read: the registry npm uses is unknown (no registry in npm_config_registry or an .npmrc, and ${(error as Error).message})`,
        fix: 'Name the registry for npm: `registry=` in the app\'s .npmrc or the user config (actions/setup-node `registry-url`), or npm_config_registry in the step\'s environment.',
      };
    }
    const registry = new NpmRegistry({ url: registryUrl.url, config: npm, timeoutMs: settings.timeoutSeconds * 1000, ca: settings.ca });
    const repo = await clients.repository();
    try {
      return await judge({ settings, lock, body, packages, notFromRegistry, registry, registrySource: registryUrl.source, repo, signal, problems: npm.problems });
    } catch (error) {
      const data = { registry: registry.displayUrl, registrySource: registryUrl.source };
      // No answer: unreachable (fail, or warn with unreachable: warn). A wrong answer fails as it is.
      if (error instanceof ProbeError) {
        return couldNotCheck(settings.unreachable, { component: 'registry', what: 'the known advisories cannot be read', cause: `the registry did not answer: ${error.message}`, data });
      }
      if (error instanceof RegistryAnswerError) {
        const refused = error.status === 401 || error.status === 403;
        return {
          status: 'fail',
          summary: `the known advisories cannot be read: ${error.message}`,
          fix: refused
            ? `Give npm the registry's token: \`//<host>/:_authToken=\${NPM_TOKEN}\` in the app's .npmrc or the user config (actions/setup-node \`registry-url\` with NODE_AUTH_TOKEN); it was read from ${registryUrl.source}.`
            : `Check that ${registry.displayUrl} (from ${registryUrl.source}) is an npm registry that serves the advisory endpoint npm audit uses; a proxy registry must pass it through.`,
          data,
        };
      }
      throw error;
    } finally {
      registry.close();
    }
  },
});

interface JudgeInput {
  settings: Settings;
  lock: Lockfile;
  body: Record<string, string[]>;
  packages: number;
  notFromRegistry: string[];
  registry: NpmRegistry;
  registrySource: string;
  repo: Repository;
  signal: AbortSignal;
  problems: string[];
}

async function judge(input: JudgeInput): Promise<Outcome> {
  const { settings, lock, body, registry, signal, repo } = input;
  const slaDays = settings.config.dependencies?.['sla-days'] ?? 30;
  const staleLevel = settings.config.dependencies?.stale ?? 'warn';
  const chainNames = BROWSER_BASELINE_CHAIN.filter((name) => lock.packages.some((p) => p.name === name && !p.origin));

  // One advisory request and the chain's packuments, at once.
  const [answer, chainPackuments] = await Promise.all([
    Object.keys(body).length ? registry.advisories(body, signal) : Promise.resolve({}),
    Promise.all(chainNames.map((name) => registry.packument(name, signal))),
  ]);
  const vulnerable = vulnerableCopies(lock, answer);
  const production = vulnerable.filter((v) => !v.dev);
  const devOnly = vulnerable.filter((v) => v.dev);

  // The first fixed version of each production package with an advisory (and dev ones, for the notice).
  const needing = [...new Set(vulnerable.map((v) => v.name))].filter((name) => !chainNames.includes(name as (typeof chainNames)[number]));
  const packuments = new Map<string, Packument | undefined>(chainNames.map((name, i) => [name, chainPackuments[i]]));
  for (let i = 0; i < needing.length; i += PACKUMENT_CONCURRENCY) {
    const batch = needing.slice(i, i + PACKUMENT_CONCURRENCY);
    const got = await Promise.all(batch.map((name) => registry.packument(name, signal)));
    batch.forEach((name, k) => packuments.set(name, got[k]));
  }
  const fixes = new Map(vulnerable.map((v) => [`${v.name}@${v.version}`, fixedVersion(v.version, v.advisories, packuments.get(v.name))]));

  const now = new Date();
  const chain: ChainStatus[] = [];
  const chainUnknown: string[] = [];
  for (const name of chainNames) {
    const packument = packuments.get(name);
    const installed = (await installedVersion(settings.workingDirectory, name, lock))?.version;
    if (!packument || !installed) chainUnknown.push(`${name} (${packument ? 'installed version unknown' : 'not in the registry'})`);
    else chain.push(chainStatus(name, installed, packument, now, slaDays));
  }
  const dependabot = chainNames.length ? await dependabotPulls(settings, repo, slaDays, now, signal) : { checked: false, note: 'no browser-baseline package installed', stale: [] };

  // Findings: at the package.json line of a direct dependency, else without a file.
  const pkg = await repo.json('package.json');
  const lineOf = (name: string) => pkg?.lineOf('dependencies', name) ?? pkg?.lineOf('devDependencies', name) ?? pkg?.lineOf('optionalDependencies', name);
  const at = (name: string) => {
    const line = lineOf(name);
    return line ? { file: 'package.json', line } : {};
  };
  const describe = (v: VulnerableCopy) => {
    const a = v.advisories[0]!;
    const fixed = fixes.get(`${v.name}@${v.version}`);
    const others = v.advisories.length > 1 ? ` (and ${v.advisories.length - 1} more advisor${v.advisories.length > 2 ? 'ies' : 'y'})` : '';
    return `${a.severity} advisory in ${v.name} ${v.version}${v.role ? ` (${v.role})` : ''}: ${a.title ?? 'untitled'}${a.url ? ` ${a.url}` : ` (${a.id})`}${others}; ${fixed ? `fixed in ${fixed}` : 'no fixed version published yet'}`;
  };
  const findings: Finding[] = [
    ...production.map((v): Finding => ({ level: rank(v.severity) >= 3 ? 'error' : 'warning', message: describe(v), ...at(v.name) })),
    ...devOnly.map((v): Finding => ({ level: 'notice', message: `${describe(v)} — development only: production does not install it`, ...at(v.name) })),
    ...chain
      .filter((c) => c.breach)
      .map((c): Finding => ({ level: staleLevel === 'fail' ? 'error' : 'warning', message: chainText(c, slaDays), ...at(c.name) })),
  ];

  const blocking = production.filter((v) => rank(v.severity) >= 3);
  const lesser = production.filter((v) => rank(v.severity) < 3);
  const breaches = chain.filter((c) => c.breach);
  const problems: Array<{ status: Status; text: string }> = [];
  if (blocking.length) problems.push({ status: 'fail', text: `${describe(blocking[0]!)}${blocking.length > 1 ? ` (and ${blocking.length - 1} more high or critical)` : ''}` });
  if (lesser.length) problems.push({ status: 'warn', text: lesser.length === 1 ? describe(lesser[0]!) : `${lesser.length} production packages with moderate or low advisories (${lesser.slice(0, 3).map((v) => `${v.name} ${v.version}`).join(', ')}${lesser.length > 3 ? ', …' : ''})` });
  if (breaches.length) problems.push({ status: staleLevel, text: `browser-baseline chain behind upstream for more than ${slaDays} days: ${breaches.map((c) => `${c.name} ${c.installed} (${c.firstNewer!.version} out ${c.daysBehind} days ago)`).join(', ')}` });
  if (dependabot.stale.length) problems.push({ status: staleLevel, text: `${dependabot.stale.length} Dependabot pull request${dependabot.stale.length > 1 ? 's' : ''} of the browser-baseline group open for more than ${slaDays} days without review or reason: ${dependabot.stale.map((p) => `#${p.number}`).join(', ')}` });
  if (chainUnknown.length) problems.push({ status: 'warn', text: `the upstream releases of ${chainUnknown.join(', ')} are unknown` });

  const details = [
    `Lockfile: ${lock.file} (${lock.manager} ${lock.format}); ${input.packages} registry package versions asked for advisories${input.notFromRegistry.length ? `; not from a registry (not asked): ${input.notFromRegistry.slice(0, 10).join(', ')}${input.notFromRegistry.length > 10 ? ', …' : ''}` : ''}.`,
    `Registry: ${registry.displayUrl} (from ${input.registrySource}).`,
    ...(vulnerable.length ? ['', 'Advisories:', ...vulnerable.map((v) => `- ${v.dev ? 'development only: ' : ''}${describe(v)}`)] : ['No known advisory covers an installed version.']),
    '',
    `Browser-baseline chain (the release checklist: within ${slaDays} days of upstream):`,
    ...(chain.length || chainUnknown.length ? [...chain.map((c) => `- ${chainText(c, slaDays)}`), ...chainUnknown.map((u) => `- ${u}`)] : ['- none of autoprefixer, browserslist, baseline-browser-mapping, caniuse-lite is installed']),
    `Dependabot pull requests of the group: ${dependabot.note}`,
    ...dependabot.stale.map((p) => `- #${p.number} ${p.title} (opened ${p.createdAt.slice(0, 10)}) ${p.url}`),
    ...input.problems.map((p) => `Note: ${p}`),
  ].join('\n');
  const data = {
    lockfile: lock.file,
    registry: registry.displayUrl,
    packagesChecked: input.packages,
    advisories: vulnerable.flatMap((v) =>
      v.advisories.map((a) => ({ name: v.name, version: v.version, dev: v.dev, role: v.role, severity: a.severity, id: a.id, url: a.url, title: a.title, vulnerable: a.vulnerable_versions, fixedIn: fixes.get(`${v.name}@${v.version}`) })),
    ),
    browserBaseline: chain,
    dependabot: { checked: dependabot.checked, note: dependabot.note, stale: dependabot.stale.map((p) => p.number) },
  };

  if (problems.length === 0) {
    const devNote = devOnly.length ? `; ${devOnly.length} development-only package${devOnly.length > 1 ? 's' : ''} with advisories (notices)` : '';
    const chainNote = chain.length ? `; browser-baseline chain within ${slaDays} days of upstream` : '';
    return { status: 'pass', summary: `no known advisory in the production dependencies (${input.packages} package versions checked)${devNote}${chainNote}`, details, findings, data };
  }
  const worst = problems.some((p) => p.status === 'fail') ? 'fail' : 'warn';
  const fix = [
    ...(production.length ? [`Update the affected packages to the fixed versions named (\`npm install <name>@<version>\`, or the parent that pins them), commit the lockfile and deploy`] : []),
    ...(breaches.length ? ['update the browser-baseline chain (`npm update autoprefixer browserslist baseline-browser-mapping caniuse-lite`, or merge the Dependabot group\'s pull request)'] : []),
    ...(dependabot.stale.length ? ['review the Dependabot pull requests named: merge them, or comment the reason to defer'] : []),
    ...(chainUnknown.length ? ['check that the registry serves the chain\'s packages'] : []),
  ];
  return {
    status: worst,
    summary: problems.sort((a, b) => Number(b.status === 'fail') - Number(a.status === 'fail')).map((p) => p.text).join('; '),
    details,
    fix: `${fix.join('; ').replace(/^./, (c) => c.toUpperCase())} (docs/release-checklist.md).`,
    findings,
    data,
  };
}

function chainText(c: ChainStatus, slaDays: number): string {
  if (!c.firstNewer) return `${c.name} ${c.installed} is the latest release`;
  const state = c.breach ? `more than the ${slaDays} days the checklist allows` : `within ${slaDays} days`;
  return `${c.name} ${c.installed}: ${c.firstNewer.version} came out ${c.firstNewer.published.slice(0, 10)}, ${c.daysBehind} days ago (${state}); latest ${c.latest?.version ?? 'unknown'}`;
}

interface DependabotResult {
  checked: boolean;
  note: string;
  stale: Array<{ number: number; title: string; url: string; createdAt: string }>;
}

/** The chain's open Dependabot pull requests older than the SLA and not handled by a person. */
async function dependabotPulls(settings: Settings, repo: Repository, slaDays: number, now: Date, signal: AbortSignal): Promise<DependabotResult> {
  const repository = settings.commandEnv.GITHUB_REPOSITORY;
  if (!settings.githubToken || !repository) {
    return { checked: false, note: `not checked: ${!settings.githubToken ? 'no github-token' : 'GITHUB_REPOSITORY is not set (not running in GitHub Actions)'}`, stale: [] };
  }
  const api: GitHubApi = { base: settings.commandEnv.GITHUB_API_URL || 'https://api.github.com', repository, token: settings.githubToken };
  const yaml = (await repo.yaml('.github/dependabot.yml')) ?? (await repo.yaml('.github/dependabot.yaml'));
  const groups = chainGroups(yaml?.doc?.toJS());
  const http = new HttpClient({ timeoutMs: settings.timeoutSeconds * 1000, ca: settings.ca, retries: 1 });
  try {
    const { pulls, more } = await openPullRequests(http, api, signal);
    const ofChain = pulls.filter((p) => isChainPullRequest(p, groups));
    const old = ofChain.filter((p) => now.getTime() - Date.parse(p.createdAt) > slaDays * 86_400_000);
    const stale: DependabotResult['stale'] = [];
    for (const pr of old) {
      const handled = await handledByPerson(http, api, pr.number, signal);
      if (!handled.reviewed && !handled.commented) stale.push(pr);
    }
    const note = `${ofChain.length} open (group ${groups.map((g) => `"${g}"`).join(', ')}), ${old.length} older than ${slaDays} days, ${stale.length} of them neither reviewed nor commented${more ? '; only the 100 newest open pull requests were read' : ''}`;
    return { checked: true, note, stale };
  } catch (error) {
    // Optional: a token that may not read pull requests, or GitHub not answering, leaves it unchecked.
    const why =
      error instanceof GitHubAnswerError
        ? error.status === 403 || error.status === 404 || error.status === 401
          ? `the token may not read pull requests (HTTP ${error.status}; give the job \`permissions: pull-requests: read\`)`
          : error.message
        : `GitHub did not answer: ${(error as Error).message}`;
    return { checked: false, note: `not checked: ${why}`, stale: [] };
  } finally {
    http.close();
  }
}
