/**
 * Every way production reaches a forbidden command: the command lines production runs (one collector
 * per kind of deploy file: workflows.ts, dockerfiles.ts, procfile.ts, platforms.ts, and npm's
 * lifecycle scripts and the gate's own commands, package-scripts.ts), traced through package.json
 * scripts (shell.ts) with every matcher at once (matchers.ts). gate.no-db-push and
 * gate.destructive-commands read the one trace of a run, each its own matchers' paths.
 *
 * A path is production unless it runs against a throwaway CI database (a literal localhost URL or a
 * service container of the job) and its matcher only acts on the database. A script that matches by
 * itself and that nothing reaches is a developer's script (the app's `setup:db`).
 */
import type { Repository, Scripts } from '../../probes/repository.js';
import type { Settings } from '../../settings.js';
import { dockerfileEntries } from './dockerfiles.js';
import type { Entry, Place } from './entries.js';
import { DB_PUSH, destructiveMatchers } from './matchers.js';
import { gateCommandEntries, lifecycleEntries } from './package-scripts.js';
import { jsonPlatformEntries, renderEntries, tomlPlatformEntries } from './platforms.js';
import { procfileEntries } from './procfile.js';
import { tracePaths, type CommandMatcher, type TracedPath } from './shell.js';
import { workflowEntries } from './workflows.js';

export type { Place, TracedPath };

export interface ProductionPath {
  place: Place;
  path: TracedPath;
}

export interface MatcherPaths {
  production: ProductionPath[];
  /** Paths that run only against the job's own CI database (the host named). */
  ciOnly: Array<ProductionPath & { host: string }>;
  /** Scripts that match by themselves and that nothing scanned reaches: run by hand, in development. */
  devOnly: Array<{ name: string; line: number; what: string }>;
}

export interface ProductionPathScan {
  /** The deploy files read, and package.json with its number of scripts. */
  scanned: string[];
  /** Files that could not be read (not valid YAML, JSON or TOML), named with the reason. */
  notes: string[];
  scripts: Scripts;
  /** The gate's install, migrate and build commands that were traced. */
  gateCommands: string[];
  /** What each matcher found, by matcher id. */
  byMatcher: ReadonlyMap<string, MatcherPaths>;
}

type CommandSettings = Pick<Settings, 'installCommand' | 'migrateCommand' | 'buildCommand' | 'config'>;

/** Every matcher of a run: gate.no-db-push's and gate.destructive-commands' (with the config's scripts). */
export function runMatchers(settings: Pick<Settings, 'config'>): CommandMatcher[] {
  return [DB_PUSH, ...destructiveMatchers(settings.config['destructive-commands']?.scripts ?? [])];
}

/** The trace of a run, shared by the rules that read it (keyed by the run's repository model). */
const scans = new WeakMap<Repository, Map<string, Promise<ProductionPathScan>>>();

/** The run's trace: computed by the first rule that asks, read by the others. */
export function productionPaths(repo: Repository, settings: CommandSettings): Promise<ProductionPathScan> {
  const matchers = runMatchers(settings);
  const key = JSON.stringify([settings.installCommand, settings.migrateCommand, settings.buildCommand, matchers.map((m) => m.id)]);
  let byKey = scans.get(repo);
  if (!byKey) scans.set(repo, (byKey = new Map()));
  let scan = byKey.get(key);
  if (!scan) {
    scan = scanProductionPaths(repo, settings, matchers);
    byKey.set(key, scan);
  }
  return scan;
}

export async function scanProductionPaths(repo: Repository, settings: CommandSettings, matchers: readonly CommandMatcher[]): Promise<ProductionPathScan> {
  const notes: string[] = [];
  const pkg = await repo.packageJson();
  const scripts: Scripts = pkg?.scripts ?? new Map();
  if (pkg?.error !== undefined) notes.push(`package.json is not valid JSON (${pkg.error}); its scripts were not followed.`);

  const scanned: string[] = [];
  const entries: Entry[] = [];
  for (const collect of [workflowEntries, dockerfileEntries, procfileEntries, jsonPlatformEntries, tomlPlatformEntries, renderEntries]) {
    const found = await collect(repo, notes);
    scanned.push(...found.files);
    entries.push(...found.entries);
  }
  // Lifecycle scripts before the gate's commands: `npm ci` runs postinstall either way, and the
  // package.json line of postinstall is a better place to annotate than an input with no file.
  entries.push(...lifecycleEntries(scripts), ...gateCommandEntries(settings));
  if (pkg !== undefined) scanned.push(`package.json (${scripts.size} scripts)`);

  const byMatcher = new Map<string, MatcherPaths>(matchers.map((m) => [m.id, { production: [], ciOnly: [], devOnly: [] }]));
  const database = new Set(matchers.filter((m) => m.database).map((m) => m.id));
  // Per matcher: a script already reported from a deploy file is not reported again from a lifecycle
  // script or a gate command (one use, one report).
  const reportedScripts = new Set<string>();
  for (const entry of entries) {
    for (const traced of tracePaths(entry.source, scripts, matchers, entry.script ? [entry.script] : [])) {
      const path = { ...traced, script: traced.script ?? entry.script };
      const found = byMatcher.get(path.matcher)!;
      const scriptKey = `${path.matcher}\u0000${path.script}`;
      if (entry.secondary && path.script && reportedScripts.has(scriptKey)) continue;
      const place = entry.place(path.offset);
      const host = database.has(path.matcher) ? ciDatabaseHost(path.env.DATABASE_URL ?? entry.databaseUrl, entry.ciHosts ?? []) : undefined;
      if (host) found.ciOnly.push({ place, path, host });
      else {
        found.production.push({ place, path });
        if (path.script) reportedScripts.add(scriptKey);
      }
    }
  }

  // Scripts that match by themselves (not through another script) and that nothing above reached.
  for (const matcher of matchers) {
    const found = byMatcher.get(matcher.id)!;
    const reached = new Set([...found.production, ...found.ciOnly].map((u) => u.path.script));
    for (const [name, def] of scripts) {
      if (reached.has(name)) continue;
      const what = matcher.script?.(name) ?? tracePaths(def.command, new Map(), [matcher])[0]?.what;
      if (what) found.devOnly.push({ name, line: def.line, what });
    }
  }
  const gateCommands = [settings.installCommand, settings.migrateCommand, settings.buildCommand].filter(Boolean);
  return { scanned, notes, scripts, gateCommands, byMatcher };
}

/** A path as a person reads it: `.github/workflows/deploy.yml:31 → npm run release → prisma db push`. */
export function chain({ place, path }: ProductionPath): string {
  return [place.label, ...path.hops].join(' → ');
}

/**
 * What a path finding is about across commits (a finding's `key`, engine/identity.ts): the commands it
 * goes through, not the file and line it starts on (the finding's path and snippet say those); a
 * gate input, which has no file, by its label.
 */
export function pathKey(kind: string, { place, path }: ProductionPath): string {
  return `${kind}:${[place.file ? '' : place.label, ...path.hops].filter(Boolean).join(' → ')}`;
}

/** Where an annotation goes for a path's start: its file and line, or nothing for a gate input. */
export function locationOf(place: Place): { file?: string; line?: number } {
  return place.file ? { file: place.file, ...(place.line ? { line: place.line } : {}) } : {};
}

/** A CI-only database: a literal DATABASE_URL on this machine or on a service container of the job. */
export function ciDatabaseHost(url: string | undefined, ciHosts: readonly string[]): string | undefined {
  if (!url || url.includes('${{')) return undefined;
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return ['localhost', '127.0.0.1', '::1', '0.0.0.0'].includes(host) || ciHosts.includes(host) ? host : undefined;
  } catch {
    return undefined;
  }
}
