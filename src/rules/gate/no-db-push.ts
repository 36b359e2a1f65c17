/**
 * gate.no-db-push: `prisma db push` syncs the schema without migrations and may drop columns and data
 * to do it, so the guide forbids it in production. This rule reads the run's production-path trace
 * (src/analysis/deploy-paths/production-paths.ts: workflows, Dockerfiles, Procfile, platform configs,
 * the gate's own commands, npm lifecycle scripts, through the package.json scripts they run) and fails
 * on each path that ends in `prisma db push`. A script that only a developer runs by hand (the app's
 * `setup:db`) is a notice. gate.destructive-commands reads the same trace for its own commands.
 */
import type { Finding } from '../../engine/types.js';
import { defineRule } from '../index.js';
import { DB_PUSH } from '../../analysis/deploy-paths/matchers.js';
import { chain, locationOf, pathKey, productionPaths } from '../../analysis/deploy-paths/production-paths.js';

const FIX = 'Use `prisma migrate deploy` in production; keep `db push` for local development (see docs/migration-operations-runbook.md).';

export const noDbPush = defineRule({
  id: 'gate.no-db-push',
  async check({ settings, clients }) {
    const scan = await productionPaths(await clients.repository(), settings);
    const { production, ciOnly, devOnly } = scan.byMatcher.get(DB_PUSH.id)!;

    const findings: Finding[] = [];
    const sites = new Set<string>();
    for (const use of production) {
      findings.push({ level: 'error', message: chain(use), ...locationOf(use.place), key: pathKey('production', use) });
      // The script that pushes gets its own annotation (once), unless the chain starts on its line.
      const script = use.path.script;
      if (script && !sites.has(script)) {
        sites.add(script);
        const line = scan.scripts.get(script)!.line;
        if (use.place.file !== 'package.json' || use.place.line !== line) {
          findings.push({ level: 'error', message: `"${script}" runs prisma db push, and production reaches it: ${chain(use)}`, file: 'package.json', line, key: `script:${script}` });
        }
      }
    }
    for (const use of ciOnly) {
      findings.push({ level: 'notice', message: `${chain(use)}: runs against the CI database at ${use.host}, not production`, ...locationOf(use.place), key: pathKey('ci', use) });
    }
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
      `Scanned: ${scan.scanned.join(', ') || 'nothing (no deploy file found)'}; gate commands: ${scan.gateCommands.join(' / ') || 'none'}.`,
      ...production.map((use) => `- production: ${chain(use)}`),
      ...ciOnly.map((use) => `- CI database (${use.host}): ${chain(use)}`),
      ...devOnly.map(({ name, line }) => `- dev only: package.json:${line} "${name}"`),
      ...scan.notes.map((n) => `- note: ${n}`),
    ].join('\n');
    const data = { productionUses: production.length, ciUses: ciOnly.length, devOnlyScripts: devOnly.map((d) => d.name), scanned: scan.scanned.filter((f) => !f.startsWith('package.json (')) };

    if (production.length > 0) {
      const more = production.length > 1 ? ` (and ${production.length - 1} more)` : '';
      return { status: 'fail', summary: `prisma db push runs in production: ${chain(production[0]!)}${more}`, details, fix: FIX, findings, data };
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
