/**
 * What the production-path trace looks for (src/analysis/deploy-paths/production-paths.ts): one
 * matcher per command that must not run in production, each with what it does, in the words of the
 * app's documents (the environment commands playbook, the migration runbook) and of Prisma's CLI.
 *
 * - gate.no-db-push: `prisma db push`, with any flags (migration history bypassed);
 * - gate.destructive-commands: the commands that destroy data on the database or the account they
 *   are pointed at: `prisma migrate reset`, `prisma migrate dev`, `prisma db push --force-reset` /
 *   `--accept-data-loss`, and the app's scripts the playbook forbids in production (`setup:db`,
 *   `stripe:cleanup`), plus any the gate's config names.
 */
import { DB_PUSH, prismaSubcommand, type CommandMatcher } from './shell.js';

export { DB_PUSH };

/** A matcher of the destructive-commands rule, with what the command destroys. */
export interface DestructiveMatcher extends CommandMatcher {
  /** What running it in production does, as a sentence fragment ("drops the database …"). */
  harm: string;
  /** Acts on DATABASE_URL: against a job's own CI database (localhost, a service container) it is harmless. */
  database: boolean;
}

const prisma = (sub: string, sub2: string, args: readonly string[], program: string) => {
  const [a, b] = prismaSubcommand(args);
  return program === 'prisma' && a === sub && b === sub2;
};

/** `--flag` or `--flag=true` (Prisma's boolean flags also take `=true`); `=false` is off. */
const hasFlag = (args: readonly string[], flag: string) => args.some((a) => a === flag || (a.startsWith(`${flag}=`) && a !== `${flag}=false`));

export const MIGRATE_RESET: DestructiveMatcher = {
  id: 'migrate-reset',
  database: true,
  harm: 'drops the database (or every table of its schema), applies every migration again and runs the seed: all data is lost',
  command: (program, args) => (prisma('migrate', 'reset', args, program) ? 'prisma migrate reset' : undefined),
};

export const MIGRATE_DEV: DestructiveMatcher = {
  id: 'migrate-dev',
  database: true,
  harm: 'is a development command: it resets the database when the history and the schema drift apart (after a prompt, or it fails without a terminal), and needs a shadow database it creates and drops',
  command: (program, args) => (prisma('migrate', 'dev', args, program) ? 'prisma migrate dev' : undefined),
};

export const DB_PUSH_DATA_LOSS: DestructiveMatcher = {
  id: 'db-push-data-loss',
  database: true,
  harm: 'drops every table and its data first (--force-reset), or applies changes that drop columns and tables with their data without asking (--accept-data-loss)',
  command: (program, args) => {
    if (!prisma('db', 'push', args, program)) return undefined;
    const flags = ['--force-reset', '--accept-data-loss'].filter((f) => hasFlag(args, f));
    return flags.length ? `prisma db push ${flags.join(' ')}` : undefined;
  },
};

/** The scripts of the app the environment commands playbook forbids in production, by name. */
export const PLAYBOOK_SCRIPTS: Readonly<Record<string, { harm: string; database: boolean }>> = {
  'setup:db': { harm: 'resets the local Docker stack and applies the schema with prisma db push (the playbook: never in production)', database: true },
  'stripe:cleanup': {
    harm: 'archives every active product and price in the Stripe account of STRIPE_SECRET_KEY (the playbook: never in production unless explicitly approved and planned)',
    database: false,
  },
};

/** A matcher for a script reached by its name. */
function scriptMatcher(name: string, harm: string, database: boolean): DestructiveMatcher {
  return { id: `script:${name}`, database, harm, script: (reached) => (reached === name ? `"${name}"` : undefined) };
}

/** Every matcher of gate.destructive-commands: the commands, the playbook's scripts, the config's scripts. */
export function destructiveMatchers(configScripts: readonly string[] = []): DestructiveMatcher[] {
  const scripts = Object.entries(PLAYBOOK_SCRIPTS).map(([name, s]) => scriptMatcher(name, s.harm, s.database));
  for (const name of configScripts) {
    if (PLAYBOOK_SCRIPTS[name]) continue;
    // What the script does is known only to the team that named it: it may touch the database or not.
    scripts.push(scriptMatcher(name, 'is named destructive in the gate config (destructive-commands.scripts)', false));
  }
  return [MIGRATE_RESET, MIGRATE_DEV, DB_PUSH_DATA_LOSS, ...scripts];
}
