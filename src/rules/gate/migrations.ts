/**
 * gate.migrations: the database's `_prisma_migrations` against the repository's migration files,
 * read-only, in one query whatever the number of migrations.
 *
 * - a failed row (finished_at and rolled_back_at both NULL) blocks every deploy with P3009;
 * - an applied migration whose file changed since (checksum drift) means the database and the code
 *   disagree about the schema;
 * - a migration applied in the database but absent from the repository (a warning: another branch
 *   deployed it, or it was deleted);
 * - pending migrations: a notice before the migrate step ran, a failure after it.
 */
import type { Finding, Outcome } from '../../engine/types.js';
import { defineRule } from '../index.js';
import { notApplicable, variable } from '../app.js';
import type { Clients } from '../../probes/clients.js';
import type { Settings } from '../../settings.js';
import { describeDbError, isUnreachable, parseDatabaseUrl } from '../../probes/db.js';
import { couldNotCheck } from '../../engine/unavailable.js';
import { checksumMatches, MIGRATIONS_DIR, readMigrations, type RepoMigration } from '../../probes/migrations.js';
import { readRunbook, RUNBOOK } from './commands.js';
import { classifyMigrationFailure, recoveryText, verificationText, type ClassifiedFailure } from '../../analysis/migrations/runbook.js';
import { quoteIdent } from '../../analysis/migrations/pg-names.js';

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
}

/** How many lines of a failed migration's `logs` the report quotes. */
const LOG_LINES = 6;

export type HistoryRow = MigrationRow;

/** The repository's migrations and the database's history, or the outcome that explains why not. */
export type MigrationState = { repo: RepoMigration[]; rows: MigrationRow[] } | { outcome: Outcome; unknown: true };

/**
 * Reads both sides, read-only: the migration files, and `_prisma_migrations` in two queries (does
 * the table exist; the whole history). Shared by gate.migrations (after the migrate step) and
 * gate.migration-safety (before it).
 */
export async function readMigrationState(settings: Settings, clients: Clients): Promise<MigrationState> {
  const unknown = (outcome: Outcome): MigrationState => ({ outcome, unknown: true });
  const provider = settings.app.prisma?.provider;
  if (provider && !['postgresql', 'postgres'].includes(provider.toLowerCase())) {
    return unknown(notApplicable('PostgreSQL database', `its Prisma datasource is ${provider}; the gate reads PostgreSQL's migration history only`));
  }
  const dir = settings.app.prisma?.migrationsDir ?? MIGRATIONS_DIR;
  const repo = await readMigrations(settings.workingDirectory, dir);
  if (repo.length === 0) {
    return unknown({ status: 'skip', summary: `no ${dir}/*/migration.sql in the repository: nothing to compare` });
  }
  const dbVar = variable(settings, 'databaseUrl') ?? { name: 'DATABASE_URL' };
  const url = dbVar.value;
  if (!url) return unknown({ status: 'skip', summary: `${dbVar.name} is not set, so the migration history cannot be read` });
  let parsed;
  try {
    parsed = parseDatabaseUrl(url);
  } catch {
    // The variable's own rule says why; this one cannot verify anything without it.
    return unknown({ status: 'fail', summary: `the migration history cannot be read: ${dbVar.name} does not parse (see config.database-url)`, fix: `Fix ${dbVar.name} (config.database-url says what is wrong).` });
  }
  const schema = parsed.params.get('schema') ?? 'public';
  try {
    const db = await clients.db();
    const table = `${quoteIdent(schema)}."_prisma_migrations"`;
    const exists = await db.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [table]);
    if (!exists.rows[0]?.t) {
      return unknown({
        status: 'fail',
        summary: `the database has no ${schema}._prisma_migrations table: it is not managed by Prisma Migrate; baseline it`,
        details: `The repository has ${repo.length} migrations, but the database has no migration history (it was probably created with \`prisma db push\` or by hand). \`prisma migrate deploy\` would fail with P3005.`,
        fix: `Baseline the database: mark the migrations that match its schema as applied with \`npx prisma migrate resolve --applied <name>\` (${RUNBOOK}).`,
      });
    }
    // One query for the whole history: the comparison is in memory.
    const { rows } = await db.query<MigrationRow>(
      `SELECT migration_name, checksum, finished_at, rolled_back_at, left(logs, 4000) AS logs FROM ${table} ORDER BY started_at, migration_name`,
    );
    return { repo, rows };
  } catch (error) {
    const reason = describeDbError(error, parsed);
    if (isUnreachable(error)) {
      return unknown(couldNotCheck(settings.unreachable, { component: 'database', what: 'the migration history cannot be read', cause: reason }));
    }
    return unknown({ status: 'fail', summary: `cannot read the migration history: ${reason}`, fix: 'Check DATABASE_URL and that its user may read _prisma_migrations.' });
  }
}

/** The latest row per migration decides its state (a rolled-back attempt may be followed by a retry). */
function latestRows(rows: readonly MigrationRow[]): Map<string, MigrationRow> {
  const latest = new Map<string, MigrationRow>();
  for (const row of rows) latest.set(row.migration_name, row);
  return latest;
}

/** Repository migrations that the database has not applied (nor recorded as failed), in order. */
export function pendingMigrations(repo: readonly RepoMigration[], rows: readonly MigrationRow[]): string[] {
  const latest = latestRows(rows);
  return repo.filter((m) => {
    const row = latest.get(m.name);
    return !row || row.rolled_back_at !== null;
  }).map((m) => m.name);
}

/**
 * The migrations the next `migrate deploy` may run, in the order it runs them, as Prisma decides: a
 * migration with no row that is not rolled back is pending; a failed one (its live row has neither
 * finished_at nor rolled_back_at) stops deploy with P3009 now, but runs again from its file as soon
 * as it is resolved with `prisma migrate resolve --rolled-back` (a step deploy workflows often run
 * right before deploy), so its current file is about to run too.
 */
export function migrationsAboutToRun(repo: readonly RepoMigration[], rows: readonly MigrationRow[]): Array<{ name: string; failedBefore: boolean }> {
  const live = rows.filter((r) => r.rolled_back_at === null);
  const recorded = new Set(live.map((r) => r.migration_name));
  const failed = new Set(live.filter((r) => r.finished_at === null).map((r) => r.migration_name));
  const finished = new Set(live.filter((r) => r.finished_at !== null).map((r) => r.migration_name));
  return repo
    .filter((m) => !recorded.has(m.name) || (failed.has(m.name) && !finished.has(m.name)))
    .map((m) => ({ name: m.name, failedBefore: failed.has(m.name) }));
}

export const migrations = defineRule({
  id: 'gate.migrations',
  async check({ settings, clients, results }): Promise<Outcome> {
    const state = await readMigrationState(settings, clients);
    if ('unknown' in state) return state.outcome;
    const runbookText = readRunbook(settings.workingDirectory);
    return compareHistory(state.repo, state.rows, results.get('gate.migrate')?.status === 'pass', { path: runbookText !== undefined ? RUNBOOK : undefined, text: runbookText });
  },
});

/**
 * The comparison itself: pure, so it is tested and benchmarked without a database. `runbook` is the
 * app's migration runbook (its path and text), whose failure classes the fix of a failed row follows.
 */
export function compareHistory(repo: readonly RepoMigration[], rows: readonly MigrationRow[], migrateRan: boolean, runbook: { path?: string; text?: string } = {}): Outcome {
  const byName = new Map(repo.map((m) => [m.name, m]));
  const latest = latestRows(rows);

  const findings: Finding[] = [];
  const failed: string[] = [];
  /** The runbook class of the first failed row, from the database error its logs quote. */
  let failure: ClassifiedFailure | undefined;
  const drifted: string[] = [];
  const missing: string[] = [];
  const applied = new Set<string>();

  for (const row of latest.values()) {
    const file = byName.get(row.migration_name);
    if (row.rolled_back_at) continue;
    if (!row.finished_at) {
      failed.push(row.migration_name);
      const logs = essentialLogLines(row.logs ?? '').slice(0, LOG_LINES).join('\n');
      const classified = classifyMigrationFailure(row.logs ?? '');
      failure ??= classified;
      const classText = classified ? ` Runbook class: ${classified.class.title}${classified.source === 'database' ? ` (SQLSTATE ${classified.code})` : ''}.` : '';
      findings.push({
        level: 'error',
        message: `${row.migration_name} failed and is recorded as unfinished: prisma migrate deploy stops with P3009 until it is resolved.${classText}${logs ? `\n${logs}` : ''}`,
        ...(file ? { file: file.file, line: 1 } : {}),
      });
      applied.add(row.migration_name);
      continue;
    }
    applied.add(row.migration_name);
    if (!file) {
      missing.push(row.migration_name);
      findings.push({ level: 'warning', message: `${row.migration_name} is applied in the database but missing from ${MIGRATIONS_DIR}` });
    } else if (!checksumMatches(row.checksum, file.checksums)) {
      drifted.push(row.migration_name);
      findings.push({
        level: 'error',
        message: `${file.file} changed after it was applied (the checksum in _prisma_migrations no longer matches): the database schema and this file disagree`,
        file: file.file,
        line: 1,
      });
    }
  }
  const pending = pendingMigrations(repo, rows);
  for (const name of pending) {
    const file = byName.get(name)!;
    findings.push({
      level: migrateRan ? 'error' : 'notice',
      message: migrateRan ? `${name} is still pending after the migrate step ran` : `${name} is pending: the migrate step will apply it`,
      file: file.file,
      line: 1,
    });
  }

  const data = { applied: applied.size, pending, failed, drifted, missingInRepo: missing, repoMigrations: repo.length };
  const problems: string[] = [];
  if (failed.length) problems.push(`${failed.length} failed migration${failed.length > 1 ? 's' : ''} (${failed.join(', ')}) block${failed.length > 1 ? '' : 's'} every deploy (P3009)`);
  if (drifted.length) problems.push(`${drifted.length} applied migration${drifted.length > 1 ? 's' : ''} changed since (${drifted.join(', ')})`);
  if (migrateRan && pending.length) problems.push(`${pending.length} migration${pending.length > 1 ? 's' : ''} still pending after the migrate step`);
  if (problems.length > 0) {
    const fixes: string[] = [];
    if (failed.length && failure) {
      fixes.push(`${recoveryText(failure.class, { runbook: runbook.path, runbookText: runbook.text, failedMigration: failed[0] }).replace(/\.$/, '')} (or, after completing its changes by hand, \`npx prisma migrate resolve --applied ${failed[0]}\`)`);
    } else if (failed.length) {
      fixes.push(`resolve the failed migration: after reverting its partial changes, \`npx prisma migrate resolve --rolled-back ${failed[0]}\`; or after completing them by hand, \`--applied ${failed[0]}\``);
    }
    if (drifted.length) fixes.push('restore the applied migration files as they were applied, and put the change in a new migration');
    if (migrateRan && pending.length) fixes.push('read the migrate step log: it exited 0 but did not apply everything (another migrations directory? a different database?)');
    return {
      status: 'fail',
      summary: `${problems.join('; ')}${failure ? `; runbook class: ${failure.class.title}` : ''}`,
      ...(failed.length ? { details: verificationText() } : {}),
      findings,
      fix: `${capitalise(fixes.join('; '))} (${RUNBOOK}).`,
      data: { ...data, ...(failure ? { runbookClass: failure.class.id, errorCode: failure.code } : {}) },
    };
  }
  if (missing.length) {
    return {
      status: 'warn',
      summary: `${missing.length} migration${missing.length > 1 ? 's are' : ' is'} applied in the database but missing from the repository: ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''}`,
      findings,
      fix: 'Deploy from a branch that has every applied migration (another branch may have migrated production), or restore the deleted migration directory.',
      data,
    };
  }
  const pendingText = pending.length ? `; ${pending.length} pending, to be applied by the migrate step: ${pending.slice(0, 3).join(', ')}${pending.length > 3 ? ', …' : ''}` : '';
  return { status: 'pass', summary: `${applied.size} applied migrations match the repository${pendingText}`, findings, data };
}

/**
 * The lines of a failed migration's `logs` that say what went wrong: Prisma wraps the database error
 * in boilerplate ("A migration failed to apply…", the migration name, a Rust debug dump).
 */
export function essentialLogLines(logs: string): string[] {
  return logs
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^(A migration failed to apply|Migration name:|DbError \{|Database error:$)/.test(l));
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
