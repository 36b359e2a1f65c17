/**
 * gate.destructive-commands: the environment commands playbook's production rules ("never run
 * `npm run setup:db`", "never run `npm run stripe:cleanup` in production unless explicitly approved
 * and planned") and Prisma's commands that destroy the data of the database they are pointed at
 * (`migrate reset`, `migrate dev`, `db push --force-reset` / `--accept-data-loss`). It reads the run's
 * production-path trace, the one gate.no-db-push reads (src/analysis/deploy-paths/), and fails on each
 * path that reaches one of them, showing the whole path (workflow line → script → command). A script
 * nothing production reaches (the app's own `setup:db`) is a notice; a Prisma command against the
 * job's own CI database is a notice. An approved, planned run is a waiver with a reason and an
 * expiry (the config refuses a waiver of this rule without `until`).
 */
import type { Finding } from '../../engine/types.js';
import { defineRule } from '../index.js';
import { destructiveMatchers, type DestructiveMatcher } from '../../analysis/deploy-paths/matchers.js';
import { chain, locationOf, pathKey, productionPaths, type ProductionPath } from '../../analysis/deploy-paths/production-paths.js';

const PLAYBOOK = 'docs/environment-commands-playbook.md';

/** What to do instead, per matcher. */
const FIXES: Record<string, string> = {
  'migrate-reset': 'never reset a production database: apply migrations with `prisma migrate deploy`, and keep `migrate reset` for development and CI databases',
  'migrate-dev': 'use `prisma migrate deploy` in production; `migrate dev` is for creating migrations on a development database',
  'db-push-data-loss': 'use `prisma migrate deploy` with a reviewed migration; a change that drops data belongs in a migration file, after a backup',
  'script:setup:db': 'remove `setup:db` from the deploy path: it is the local bootstrap (the playbook\'s fresh-clone flow)',
  'script:stripe:cleanup': 'remove `stripe:cleanup` from the deploy path: it is for a local or test Stripe account; to sync the live catalog use `npm run sync-stripe`',
};
const WAIVER = 'If a run is explicitly approved and planned (the playbook\'s one exception), waive gate.destructive-commands in the config with the reason and the date it ends (`until`).';

export const destructiveCommands = defineRule({
  id: 'gate.destructive-commands',
  async check({ settings, clients }) {
    const scan = await productionPaths(await clients.repository(), settings);
    const matchers = destructiveMatchers(settings.config['destructive-commands']?.scripts ?? []);
    const byId = new Map<string, DestructiveMatcher>(matchers.map((m) => [m.id, m]));
    const production: ProductionPath[] = [];
    const ciOnly: Array<ProductionPath & { host: string }> = [];
    const devOnly: Array<{ name: string; line: number; what: string; matcher: string }> = [];
    for (const m of matchers) {
      const found = scan.byMatcher.get(m.id)!;
      production.push(...found.production);
      ciOnly.push(...found.ciOnly);
      devOnly.push(...found.devOnly.map((d) => ({ ...d, matcher: m.id })));
    }
    const harm = (use: ProductionPath) => `${use.path.what} ${byId.get(use.path.matcher)!.harm}`;

    const findings: Finding[] = [];
    const sites = new Set<string>();
    for (const use of production) {
      findings.push({ level: 'error', message: `${chain(use)}: ${harm(use)}`, ...locationOf(use.place), key: pathKey(`production:${use.path.matcher}`, use) });
      // The script at the end of the path gets its own annotation (once), unless the chain starts on its line.
      const script = use.path.script;
      if (script && !sites.has(`${use.path.matcher}\u0000${script}`)) {
        sites.add(`${use.path.matcher}\u0000${script}`);
        const line = scan.scripts.get(script)!.line;
        if (use.place.file !== 'package.json' || use.place.line !== line) {
          const runs = use.path.what === `"${script}"` ? `"${script}"` : `"${script}" runs ${use.path.what}`;
          findings.push({ level: 'error', message: `${runs}, and production reaches it: ${chain(use)}`, file: 'package.json', line, key: `script:${script}` });
        }
      }
    }
    for (const use of ciOnly) {
      findings.push({ level: 'notice', message: `${chain(use)}: ${use.path.what} runs against the CI database at ${use.host}, not production`, ...locationOf(use.place), key: pathKey(`ci:${use.path.matcher}`, use) });
    }
    // One notice per script, naming everything it does.
    const devScripts = new Map<string, { line: number; what: string[] }>();
    for (const d of devOnly) {
      const entry = devScripts.get(d.name) ?? { line: d.line, what: [] };
      entry.what.push(d.what === `"${d.name}"` ? byId.get(d.matcher)!.harm : `runs ${d.what}`);
      devScripts.set(d.name, entry);
    }
    for (const [name, { line, what }] of devScripts) {
      findings.push({
        level: 'notice',
        message: `"${name}" ${what.join('; ')}; no workflow, Dockerfile, platform config, gate command or lifecycle script runs it, so it is taken as a developer's command`,
        file: 'package.json',
        line,
        // The same key as the script's own finding when production reaches it: then `updated`.
        key: `script:${name}`,
      });
    }

    const details = [
      `Scanned: ${scan.scanned.join(', ') || 'nothing (no deploy file found)'}; gate commands: ${scan.gateCommands.join(' / ') || 'none'}.`,
      `Looked for: prisma migrate reset, prisma migrate dev, prisma db push --force-reset / --accept-data-loss, and the scripts ${matchers.filter((m) => m.script).map((m) => `"${m.id.slice('script:'.length)}"`).join(', ')}.`,
      ...production.map((use) => `- production: ${chain(use)} (${use.path.what})`),
      ...ciOnly.map((use) => `- CI database (${use.host}): ${chain(use)}`),
      ...[...devScripts].map(([name, { line }]) => `- developer's command: package.json:${line} "${name}"`),
      ...scan.notes.map((n) => `- note: ${n}`),
    ].join('\n');
    const data = {
      productionUses: production.map((use) => ({ command: use.path.what, path: chain(use) })),
      ciUses: ciOnly.length,
      devOnlyScripts: [...devScripts.keys()],
    };

    if (production.length > 0) {
      const first = production[0]!;
      const more = production.length > 1 ? ` (and ${production.length - 1} more)` : '';
      const fixes = [...new Set(production.map((use) => FIXES[use.path.matcher] ?? `remove ${use.path.what} from the deploy path`))];
      return {
        status: 'fail',
        summary: `${first.path.what} runs in production: ${chain(first)}${more}`,
        details,
        fix: `${capitalise(fixes.join('; '))} (${PLAYBOOK}). ${WAIVER}`,
        findings,
        data,
      };
    }
    const quiet: string[] = [];
    if (devScripts.size > 0) quiet.push(`developer's scripts only: ${[...devScripts.keys()].join(', ')}`);
    if (ciOnly.length > 0) quiet.push(`against CI databases only (${[...new Set(ciOnly.map((c) => c.host))].join(', ')})`);
    return {
      status: 'pass',
      summary: `no destructive command on any production path${quiet.length ? ` (${quiet.join('; ')})` : ''}`,
      details,
      findings,
      data,
    };
  },
});

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
