/**
 * gate.no-db-push: `prisma db push` syncs the schema without migrations and may drop columns and data
 * to do it, so the guide forbids it in production. This rule follows every way the app gets deployed
 * (workflows, Dockerfiles, Procfile, platform configs, the gate's own commands, npm lifecycle scripts)
 * through the package.json scripts they run, and fails on each path that ends in `prisma db push`.
 * A script that only a developer runs by hand (the app's `setup:db`) is a notice.
 *
 * The files come from the run's repository model (clients.repository(), shared with
 * security.workflow-secrets); one collector per kind of deploy file lives in src/analysis/deploy-paths/.
 */
import type { Finding } from '../../engine/types.js';
import { defineRule } from '../index.js';
import type { Scripts } from '../../probes/repository.js';
import { dockerfileEntries } from '../../analysis/deploy-paths/dockerfiles.js';
import type { Entry, Place } from '../../analysis/deploy-paths/entries.js';
import { gateCommandEntries, lifecycleEntries } from '../../analysis/deploy-paths/package-scripts.js';
import { jsonPlatformEntries, renderEntries, tomlPlatformEntries } from '../../analysis/deploy-paths/platforms.js';
import { procfileEntries } from '../../analysis/deploy-paths/procfile.js';
import { workflowEntries } from '../../analysis/deploy-paths/workflows.js';
import { traceDbPush, type DbPushPath } from '../../analysis/deploy-paths/shell.js';

const FIX = 'Use `prisma migrate deploy` in production; keep `db push` for local development (see docs/migration-operations-runbook.md).';

export const noDbPush = defineRule({
  id: 'gate.no-db-push',
  async check({ settings, clients }) {
    const repo = await clients.repository();
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

    // Trace every entry; a path is production unless it runs against a throwaway CI database.
    const production: Array<{ place: Place; path: DbPushPath }> = [];
    const ciOnly: Array<{ place: Place; path: DbPushPath; host: string }> = [];
    const reportedScripts = new Set<string>();
    for (const entry of entries) {
      for (const traced of traceDbPush(entry.source, scripts, entry.script ? [entry.script] : [])) {
        const path = { ...traced, script: traced.script ?? entry.script };
        if (entry.secondary && path.script && reportedScripts.has(path.script)) continue;
        const place = entry.place(path.offset);
        const host = ciDatabaseHost(path.env.DATABASE_URL ?? entry.databaseUrl, entry.ciHosts ?? []);
        if (host) ciOnly.push({ place, path, host });
        else {
          production.push({ place, path });
          if (path.script) reportedScripts.add(path.script);
        }
      }
    }

    const chain = (place: Place, path: DbPushPath) => [place.label, ...path.hops].join(' → ');
    // The identity across commits (engine/identity.ts): the commands of the chain, not the line it starts on.
    const chainKey = (kind: string, place: Place, path: DbPushPath) => `${kind}:${[place.file ? '' : place.label, ...path.hops].filter(Boolean).join(' → ')}`;
    const findings: Finding[] = [];
    const sites = new Set<string>();
    for (const { place, path } of production) {
      findings.push({ level: 'error', message: chain(place, path), ...at(place), key: chainKey('production', place, path) });
      // The script that pushes gets its own annotation (once), unless the chain starts on its line.
      const script = path.script;
      if (script && !sites.has(script)) {
        sites.add(script);
        const line = scripts.get(script)!.line;
        if (place.file !== 'package.json' || place.line !== line) {
          findings.push({ level: 'error', message: `"${script}" runs prisma db push, and production reaches it: ${chain(place, path)}`, file: 'package.json', line, key: `script:${script}` });
        }
      }
    }
    for (const { place, path, host } of ciOnly) {
      findings.push({ level: 'notice', message: `${chain(place, path)}: runs against the CI database at ${host}, not production`, ...at(place), key: chainKey('ci', place, path) });
    }

    // Scripts that push by themselves (not through another script) and that nothing above reached.
    const reached = new Set([...production, ...ciOnly].map((u) => u.path.script));
    const devOnly = [...scripts]
      .filter(([name, def]) => !reached.has(name) && traceDbPush(def.command, new Map()).length > 0)
      .map(([name, def]) => ({ name, line: def.line }));
    for (const { name, line } of devOnly) {
      findings.push({
        level: 'notice',
        message: `"${name}" runs prisma db push; no workflow, Dockerfile, platform config, gate command or lifecycle script runs it, so it is taken as local development only`,
        file: 'package.json',
        line,
        // The same key as the script's own finding when production reaches it: dev-only → production is `updated`.
        key: `script:${name}`,
      });
    }

    const details = [
      `Scanned: ${[...scanned, ...(pkg !== undefined ? [`package.json (${scripts.size} scripts)`] : [])].join(', ') || 'nothing (no deploy file found)'}; gate commands: ${[settings.installCommand, settings.migrateCommand, settings.buildCommand].filter(Boolean).join(' / ') || 'none'}.`,
      ...production.map(({ place, path }) => `- production: ${chain(place, path)}`),
      ...ciOnly.map(({ place, path, host }) => `- CI database (${host}): ${chain(place, path)}`),
      ...devOnly.map(({ name, line }) => `- dev only: package.json:${line} "${name}"`),
      ...notes.map((n) => `- note: ${n}`),
    ].join('\n');
    const data = { productionUses: production.length, ciUses: ciOnly.length, devOnlyScripts: devOnly.map((d) => d.name), scanned };

    if (production.length > 0) {
      const first = production[0]!;
      const more = production.length > 1 ? ` (and ${production.length - 1} more)` : '';
      return { status: 'fail', summary: `prisma db push runs in production: ${chain(first.place, first.path)}${more}`, details, fix: FIX, findings, data };
    }
    const quiet: string[] = [];
    if (devOnly.length > 0) quiet.push(`only in dev-only scripts: ${devOnly.map((d) => d.name).join(', ')}`);
    if (ciOnly.length > 0) quiet.push(`only against CI databases (${[...new Set(ciOnly.map((c) => c.host))].join(', ')})`);
    return {
      status: 'pass',
      summary: quiet.length > 0 ? `prisma db push appears ${quiet.join(' and ')}` : 'no prisma db push on any production path',
      details,
      findings,
      data,
    };
  },
});

const at = (place: Place) => (place.file ? { file: place.file, ...(place.line ? { line: place.line } : {}) } : {});

/** A CI-only database: a literal DATABASE_URL on this machine or on a service container of the job. */
function ciDatabaseHost(url: string | undefined, ciHosts: readonly string[]): string | undefined {
  if (!url || url.includes('${{')) return undefined;
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return ['localhost', '127.0.0.1', '::1', '0.0.0.0'].includes(host) || ciHosts.includes(host) ? host : undefined;
  } catch {
    return undefined;
  }
}
