/**
 * gate.migration-dialect: the migrations are SQL for the database the Prisma datasource names. A
 * history written for MySQL (backquotes, `ENGINE=InnoDB`) in a PostgreSQL project fails on the first
 * statement of the production deploy and leaves a failed migration behind (P3018, then P3009 for every
 * deploy after it); a lock file naming another provider stops `migrate deploy` (P3019). Each
 * migration is parsed with PostgreSQL's own parser (src/analysis/migrations/dialect.ts).
 */
import type { Finding } from '../../engine/types.js';
import { defineRule } from '../index.js';
import { notApplicable } from '../app.js';
import { readMigrations } from '../../probes/migrations.js';
import { checkDialect } from '../../analysis/migrations/dialect.js';
import { loadPgParser } from '../../analysis/migrations/pg-parser.js';

export const migrationDialect = defineRule({
  id: 'gate.migration-dialect',
  async check({ settings }) {
    const prisma = settings.app.prisma;
    if (!prisma) return notApplicable('Prisma schema', settings.app.found ? 'no prisma/schema.prisma' : `no app in ${settings.workingDirectory}`);
    if (!prisma.provider) return { status: 'fail', summary: `${prisma.schemaFile} has no datasource provider`, fix: 'Add `datasource db { provider = "postgresql", url = env("DATABASE_URL") }` to the schema.' };
    const migrations = await readMigrations(settings.workingDirectory, prisma.migrationsDir);
    if (migrations.length === 0) return notApplicable('Prisma migrations', `${prisma.migrationsDir} holds no migration.sql`);
    const postgres = ['postgresql', 'postgres'].includes(prisma.provider.toLowerCase());
    const result = checkDialect({ ...prisma, provider: prisma.provider, migrations }, postgres ? await loadPgParser() : undefined);
    const findings: Finding[] = result.problems.map((p) => ({ level: p.kind === 'no-lock' ? 'warning' : 'error', message: p.message, file: p.file, ...(p.line ? { line: p.line } : {}) }));
    const refused = result.problems.filter((p) => p.kind === 'not-postgresql');
    const mismatch = result.problems.find((p) => p.kind === 'lock-mismatch');
    const noLock = result.problems.find((p) => p.kind === 'no-lock');
    const data = { provider: prisma.provider, lockProvider: prisma.lock?.provider, migrations: migrations.length, refused: refused.length };
    const lockFix = `Commit ${prisma.migrationsDir}/migration_lock.toml with \`provider = "${prisma.provider}"\` (prisma migrate dev writes it).`;
    if (refused.length > 0 || mismatch) {
      const other = refused.find((p) => p.looksLike)?.looksLike;
      const what = refused.length > 0
        ? `${refused.length} of ${migrations.length} migration${migrations.length > 1 ? 's are' : ' is'} not PostgreSQL${other ? ` (${other} SQL)` : ''}: ${refused[0]!.message}${refused.length > 1 ? ` (and ${refused.length - 1} more)` : ''}`
        : mismatch!.message;
      return {
        status: 'fail',
        summary: `${what}${noLock && refused.length ? '; and there is no migration_lock.toml' : ''}`,
        details: [
          `Datasource provider: ${prisma.provider} (${prisma.schemaFile}${prisma.providerLine ? `:${prisma.providerLine}` : ''}); lock: ${prisma.lock ? `${prisma.lock.provider ?? 'no provider'} (${prisma.lock.file})` : 'none'}.`,
          ...result.problems.map((p) => `- ${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}`),
          `prisma migrate deploy would ${mismatch ? 'stop with P3019' : 'fail on the first of them (P3018) and leave it recorded as failed, which blocks every later deploy (P3009)'}.`,
        ].join('\n'),
        fix: `Start a PostgreSQL history: move ${prisma.migrationsDir} aside, run \`prisma migrate dev --name init\` against an empty PostgreSQL database (or \`prisma migrate diff --from-empty --to-schema-datamodel ${prisma.schemaFile} --script\` into ${prisma.migrationsDir}/0_init/migration.sql), and on a database that already has the tables mark it applied with \`prisma migrate resolve --applied 0_init\`. ${noLock ? lockFix : ''}`.trim(),
        findings,
        data,
      };
    }
    if (!postgres) {
      return notApplicable('PostgreSQL datasource', `its Prisma datasource is ${prisma.provider} and its lock agrees; the gate parses PostgreSQL's SQL only`);
    }
    if (noLock) {
      return {
        status: 'warn',
        summary: `the ${migrations.length} migration${migrations.length > 1 ? 's parse' : ' parses'} as PostgreSQL, but ${noLock.message}`,
        fix: lockFix,
        findings,
        data,
      };
    }
    return {
      status: 'pass',
      summary: `${migrations.length} migration${migrations.length > 1 ? 's parse' : ' parses'} as PostgreSQL, and ${prisma.lock!.file} says ${prisma.lock!.provider}`,
      data,
    };
  },
});
