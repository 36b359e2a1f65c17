#!/usr/bin/env node
/**
 * `prisma`: an offline stand-in for the Prisma 6 CLI, installed in the sandbox's fixture app by
 * `npm ci` (a `file:vendor/prisma` dependency), because the real CLI downloads its engines from the
 * internet. It does what the app's deploy path uses, with Prisma's semantics, output and exit codes:
 *
 *   prisma migrate deploy                          apply pending migrations (./migrate.js)
 *   prisma migrate resolve --rolled-back <name>    mark a failed migration rolled back
 *   prisma migrate resolve --applied <name>        record a migration as applied
 *   prisma migrate status                          compare prisma/migrations with the database
 *   prisma generate                                nothing to generate offline: succeeds
 *   prisma --version
 *
 * `prisma db push` and the other development commands exit 1: production never needs them.
 * The connection follows Prisma's URL semantics, see ./project.js.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { deploy, markApplied, markRolledBack, PrismaError, status } from './migrate.js';
import { connect, datasourceUrl, loadEnvFile, loadModule, loadSchema, parseUrl, sandboxRuntime, VERSION } from './project.js';

const out = (text = '') => process.stdout.write(`${text}\n`);

function usage() {
  out(`
◭  Prisma is a modern DB toolkit to query, migrate and model your database (https://prisma.io)

Usage

  $ prisma [command]

Commands

            init   Set up Prisma for your app
        generate   Generate artifacts (e.g. Prisma Client)
              db   Manage your database schema and lifecycle
         migrate   Migrate your database
         version   Displays Prisma version info

(offline stand-in of prisma@${VERSION}: only generate, migrate deploy/resolve/status and version work)`);
}

/** `--flag value` / `--flag=value` options and positional words. */
function parseArgs(argv) {
  const words = [];
  const flags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) words.push(arg);
    else if (arg.includes('=')) flags[arg.slice(2, arg.indexOf('='))] = arg.slice(arg.indexOf('=') + 1);
    else if (['--rolled-back', '--applied', '--schema'].includes(arg)) flags[arg.slice(2)] = argv[++i];
    else flags[arg.slice(2)] = true;
  }
  return { words, flags };
}

/** prisma/migrations as `{ name, script, file }`, in name order (directories only, like Prisma). */
function readMigrations(schemaDir, cwd) {
  const dir = path.join(schemaDir, 'migrations');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const file = path.join(dir, name, 'migration.sql');
      return { name, file: path.relative(cwd, file), script: existsSync(file) ? readFileSync(file, 'utf8') : undefined };
    });
}

/** Loads .env files and the schema, prints Prisma's preamble, connects. */
async function open(cwd, flags, { connectToDb = true } = {}) {
  const runtime = sandboxRuntime(cwd);
  const loaded = [path.join(cwd, '.env'), path.join(cwd, 'prisma', '.env')].filter((f) => loadEnvFile(f));
  if (loaded.length) out(`Environment variables loaded from ${loaded.map((f) => path.relative(cwd, f)).join(', ')}`);
  const schema = loadSchema(cwd, flags.schema);
  out(`Prisma schema loaded from ${schema.relative}`);
  if (!connectToDb) return { schema };
  if (schema.provider !== 'postgresql') throw new Error(`This stand-in supports the postgresql provider only, not "${schema.provider}".`);
  const db = parseUrl(datasourceUrl(schema), schema.dir);
  out(`Datasource "${schema.name}": PostgreSQL database "${db.database}", schema "${db.schema}" at "${db.host}:${db.port}"\n`);
  const pg = await loadModule(runtime, 'pg');
  const client = await connect(pg, db, runtime);
  return { schema, db, client };
}

async function migrateDeploy(cwd, flags) {
  const { schema, db, client } = await open(cwd, flags);
  try {
    const migrations = readMigrations(schema.dir, cwd);
    const where = path.relative(cwd, path.join(schema.dir, 'migrations'));
    out(migrations.length ? `${migrations.length} migration${migrations.length > 1 ? 's' : ''} found in ${where}` : `No migration found in ${where}`);
    out();
    const applied = await deploy(client, migrations, { schema: db.schema, onApplying: (name) => out(`Applying migration \`${name}\``) });
    if (applied.length === 0) {
      out('\nNo pending migrations to apply.');
      return 0;
    }
    out('\nThe following migration(s) have been applied:\n\nmigrations/');
    for (const name of applied) out(`  └─ ${name}/\n    └─ migration.sql`);
    out('      \nAll migrations have been successfully applied.');
    return 0;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function migrateResolve(cwd, flags) {
  const name = flags['rolled-back'] ?? flags.applied;
  if (typeof name !== 'string' || (flags['rolled-back'] && flags.applied)) {
    process.stderr.write('Either --applied or --rolled-back must be provided, with the name of a migration.\n');
    return 1;
  }
  const { schema, db, client } = await open(cwd, flags);
  try {
    if (flags['rolled-back']) {
      await markRolledBack(client, name, { schema: db.schema });
      out(`Migration ${name} marked as rolled back.`);
    } else {
      const migration = readMigrations(schema.dir, cwd).find((m) => m.name === name && m.script !== undefined);
      await markApplied(client, name, migration, { schema: db.schema });
      out(`Migration ${name} marked as applied.`);
    }
    return 0;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function migrateStatus(cwd, flags) {
  const { schema, db, client } = await open(cwd, flags);
  try {
    const migrations = readMigrations(schema.dir, cwd);
    out(`${migrations.length} migration${migrations.length === 1 ? '' : 's'} found in prisma/migrations`);
    const s = await status(client, migrations, { schema: db.schema });
    if (s.missingLocally.length) out(`\nThe migrations from the database are not found locally in prisma/migrations:\n${s.missingLocally.join('\n')}`);
    if (s.pending.length) out(`\nFollowing migration${s.pending.length > 1 ? 's have' : ' has'} not yet been applied:\n${s.pending.join('\n')}\n\nTo apply migrations in development run prisma migrate dev.\nTo apply migrations in production run prisma migrate deploy.`);
    if (s.failed.length) out(`\nFollowing migration${s.failed.length > 1 ? 's have' : ' has'} failed:\n${s.failed.join('\n')}\n\nThe failed migration(s) can be marked as rolled back or applied:\n\n- If you rolled back the migration(s) manually:\nprisma migrate resolve --rolled-back "${s.failed[0]}"\n\n- If you fixed the database manually (hotfix):\nprisma migrate resolve --applied "${s.failed[0]}"\n\nRead more about how to resolve migration issues in a production database:\nhttps://pris.ly/d/migrate-resolve`);
    const upToDate = !s.pending.length && !s.failed.length && !s.missingLocally.length;
    if (upToDate) out('\nDatabase schema is up to date!');
    return upToDate ? 0 : 1;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function main(argv) {
  const cwd = process.cwd();
  const { words, flags } = parseArgs(argv);
  const [command, sub] = words;
  if (flags.version || flags.v || command === 'version' || argv[0] === '-v') {
    out(`prisma                  : ${VERSION}\n@prisma/client          : Not found\nOperating System        : ${process.platform}\nArchitecture            : ${process.arch}\nNode.js                 : ${process.version}\nSchema Engine           : offline stand-in (the gate's sandbox)`);
    return 0;
  }
  if (!command || flags.help || flags.h) {
    usage();
    return 0;
  }
  if (command === 'generate') {
    const started = performance.now();
    await open(cwd, flags, { connectToDb: false });
    out(`\n✔ Generated Prisma Client (v${VERSION}) to ./node_modules/@prisma/client in ${Math.round(performance.now() - started) + 40}ms\n\nStart by importing your Prisma Client (See: https://pris.ly/d/importing-client)\n`);
    return 0;
  }
  if (command === 'migrate' && sub === 'deploy') return migrateDeploy(cwd, flags);
  if (command === 'migrate' && sub === 'resolve') return migrateResolve(cwd, flags);
  if (command === 'migrate' && sub === 'status') return migrateStatus(cwd, flags);
  process.stderr.write(
    `Error: \`prisma ${words.join(' ')}\` is not available in this offline stand-in of the Prisma CLI (the gate's sandbox).\n` +
      'It runs what a production deploy needs: generate, migrate deploy, migrate resolve, migrate status.\n',
  );
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`${error instanceof PrismaError ? error.format() : `Error: ${error?.message ?? error}`}\n`);
    process.exitCode = 1;
  },
);
