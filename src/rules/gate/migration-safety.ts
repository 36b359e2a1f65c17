/**
 * gate.migration-safety: the migrations `migrate deploy` is about to apply (read from
 * `_prisma_migrations` before the migrate step, which waits for this rule) hold no statement that
 * fails, loses data, rewrites or long-locks a live table, or breaks the release still running while
 * the migration applies.
 *
 * The SQL is read by PostgreSQL's own parser (src/analysis/migrations/pg-parser.ts, loaded only when something is
 * pending), linted on the parse tree (src/analysis/migrations/lint.ts: one check per risk kind of
 * src/analysis/migrations/risks.ts), and each finding is graded by the production data it touches
 * (src/analysis/migrations/grade.ts: one read-only catalog query on the run's shared connection).
 */
import type { Finding, Outcome } from '../../engine/types.js';
import type { Clients } from '../../probes/clients.js';
import { readMigrations, type RepoMigration } from '../../probes/migrations.js';
import type { Settings } from '../../settings.js';
import { addedMigrations, changedMigrations, migrationName, type MigrationChange } from '../../analysis/migrations/changed.js';
import { defineRule } from '../index.js';
import { describeDbError, parseDatabaseUrl } from '../../probes/db.js';
import { gradeCandidates, readFacts, type DbFacts, type GradedFinding, type Severity } from '../../analysis/migrations/grade.js';
import { lintPendingSet, type LintResult, type MigrationSource } from '../../analysis/migrations/lint.js';
import { RISKS } from '../../analysis/migrations/risks.js';
import { migrationsAboutToRun, readMigrationState } from './migrations.js';
import { loadPgParser } from '../../analysis/migrations/pg-parser.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const ORDER: Record<Severity, number> = { fail: 0, warn: 1, note: 2 };

/** One line of a finding: what, the risk, what the data says, the lock, the safe way, the check's name. */
export function findingMessage(f: GradedFinding): string {
  const risk = RISKS[f.kind];
  if (f.kind === 'syntax-error') return `${f.what}: ${f.message}. ${risk.effect}. Fix: ${risk.recipe}. [${f.kind}]`;
  const parts = [`${f.what}: ${risk.effect}.`, f.extra, f.grade, `Lock: ${risk.lock}.`, `Safer: ${risk.recipe}.`].filter(Boolean);
  return `${parts.join(' ')} [${f.kind}]`;
}

export const migrationSafety = defineRule({
  id: 'gate.migration-safety',
  // Runs before the migrate step (which waits for it): it lints what is about to be applied.
  async check({ settings, clients, baseline }) {
    // On a pull request (a run compared with its base): the migrations the change adds are what the
    // next deploy applies; without a database they are linted statically. Edits and deletions of the
    // base's migrations are findings of their own.
    const changes = baseline?.pass === 'head' ? changedMigrations(baseline.diff) : [];
    const outcome =
      baseline && !settings.env.DATABASE_URL
        ? await lintMigrations(settings, addedMigrations(baseline.diff).map((name) => ({ name, failedBefore: false })), undefined, 'no database is given to this run: graded by the statement alone')
        : await lintPending(settings, clients);
    return withChanges(outcome, changes);
  },
});

/** The pending set, read from `_prisma_migrations`, linted and graded by the production data. */
async function lintPending(settings: Settings, clients: Clients): Promise<Outcome> {
  const state = await readMigrationState(settings, clients);
  if ('unknown' in state) {
    // No migration files: nothing to lint. Anything else (no database answer, no history table) means
    // the pending set is unknown, and an unknown set is not a safe one.
    if (state.outcome.status === 'skip') return state.outcome;
    return { ...state.outcome, summary: `pending migrations are unknown: ${state.outcome.summary}` };
  }
  return lintMigrations(settings, migrationsAboutToRun(state.repo, state.rows), { clients, repo: state.repo });
}

/**
 * Lints `toRun` (in order, as one pending set) with PostgreSQL's parser, and grades each finding by the
 * data it touches when a database is at hand, else by its kind (`noDatabase` says why).
 */
async function lintMigrations(
  settings: Settings,
  toRun: ReadonlyArray<{ name: string; failedBefore: boolean }>,
  db: { clients: Clients; repo: RepoMigration[] } | undefined,
  noDatabase?: string,
): Promise<Outcome> {
  if (toRun.length === 0) {
    return { status: 'pass', summary: db ? 'no pending migration' : 'no migration added by this change', data: { pendingMigrations: 0, riskyStatements: 0 } };
  }
  const repo = db?.repo ?? (await readMigrations(settings.workingDirectory));
  const byName = new Map(repo.map((m) => [m.name, m]));
  const present = toRun.filter((m) => byName.has(m.name));
  const migrations: MigrationSource[] = present.map((m) => byName.get(m.name)!).map((m) => ({ file: m.file, sql: m.sql }));
  const rerun = present.filter((m) => m.failedBefore).map((m) => byName.get(m.name)!.file);
  const pendingWord = db ? 'pending migration' : 'added migration';

  const parser = await loadPgParser();
  const schema = settings.env.DATABASE_URL ? (parseDatabaseUrl(settings.env.DATABASE_URL).params.get('schema') ?? 'public') : 'public';
  const lint: LintResult = lintPendingSet(parser, migrations, schema);

  // The data: one catalog query on the connection that just read the history.
  let facts: DbFacts | undefined;
  let noFacts: string | undefined = db ? undefined : noDatabase;
  if (db && lint.candidates.some((c) => c.rel || c.volatility)) {
    try {
      facts = await readFacts(await db.clients.db(), lint.lookups);
    } catch (error) {
      noFacts = `the catalog query failed: ${describeDbError(error, parseDatabaseUrl(settings.env.DATABASE_URL!))}`;
    }
  }
  const config = settings.config['migration-safety'];
  const graded = gradeCandidates(lint.candidates, facts, noFacts, { blockAboveMb: config['block-above-mb'], blockAboveRows: config['block-above-rows'] });
  const escalate = config.level === 'fail';
  const severity = (f: GradedFinding): Severity => (escalate && f.severity === 'warn' ? 'fail' : f.severity);

  const risky = graded.filter((f) => f.severity !== 'note');
  const notes = graded.filter((f) => f.severity === 'note');
  const failing = graded.filter((f) => severity(f) === 'fail');
  const statics = [...new Set(graded.filter((f) => f.staticSeverity).map((f) => f.grade))];
  const data = {
    pendingMigrations: toRun.length,
    rerunAfterFailure: rerun.length,
    statements: lint.statements,
    riskyStatements: risky.length,
    failing: failing.length,
    notes: notes.length,
    kinds: [...new Set(risky.map((f) => f.kind))],
    graded: noFacts ? 'static' : statics.length > 0 ? 'partly static' : 'by data',
  };

  const linted = `Linted with PostgreSQL's parser (grammar ${Math.floor(parser.version / 10000)}): ${migrations.map((m) => m.file).join(', ')}.`;
  const rerunText = rerun.length > 0 ? `\n\nFailed before and linted as they will run again once resolved (\`prisma migrate resolve --rolled-back\`): ${rerun.join(', ')}.` : '';
  const staticText = noFacts ? `\n\nNot graded by data: ${noFacts}; every finding keeps its static severity.` : '';
  const findings: Finding[] = graded.map((f) => ({
    level: severity(f) === 'fail' ? 'error' : severity(f) === 'warn' ? 'warning' : 'notice',
    message: findingMessage(f),
    file: f.file,
    line: f.line,
    // The migration and the statement kind: its identity whatever the line (engine/identity.ts).
    key: `${migrationName(f.file) ?? f.file}:${f.kind}`,
  }));
  const noteText = notes.length > 0 ? `\n\n${plural(notes.length, 'note')} (safe on this data, listed with the findings).` : '';

  if (risky.length === 0) {
    return {
      status: 'pass',
      summary: `${plural(toRun.length, pendingWord)}, no risky statement`,
      details: `${linted}${rerunText}${noteText}${staticText}`,
      findings,
      data,
    };
  }

  const status = failing.length > 0 ? 'fail' : 'warn';
  const files = new Set(risky.map((f) => f.file));
  const first = [...risky].sort((a, b) => ORDER[severity(a)] - ORDER[severity(b)])[0]!;
  const firstReason = severity(first) === 'fail' && first.severity === 'fail' && first.reason ? ` (${first.reason})` : '';
  return {
    status,
    summary:
      `${plural(risky.length, 'risky statement')} in ${files.size} of ${plural(toRun.length, pendingWord)}: ` +
      `${first.what} at ${first.file}:${first.line}${firstReason}${risky.length > 1 ? ` and ${risky.length - 1} more` : ''}`,
    details:
      risky.map((f) => `- \`${f.file}:${f.line}\` **${severity(f)}** ${findingMessage(f)}`).join('\n') + `\n\n${linted}${rerunText}${noteText}${staticText}`,
    fix:
      (failing.some((f) => f.severity === 'fail')
        ? 'The failing statements would fail the migration (Prisma then records it as failed and blocks every deploy with P3009) or lock a large table: rewrite them first. '
        : '') +
      'Rewrite the risky statements with the safer pattern named for each (expand/contract across two releases), ' +
      'or apply them in a maintenance window with a tested backup; see docs/migration-operations-runbook.md.' +
      (escalate ? '' : ' Warnings do not block; set `migration-safety.level: fail` in the config to make them block.'),
    findings,
    data,
  };
}

/** Edits and deletions of migrations the base has: each an error, whatever the lint found. */
function withChanges(outcome: Outcome, changes: readonly MigrationChange[]): Outcome {
  if (changes.length === 0) return outcome;
  const findings: Finding[] = changes.map((c) => ({
    level: 'error',
    key: `${c.change}:${c.name}`,
    file: c.file,
    ...(c.change === 'edited' ? { line: 1 } : {}),
    message:
      c.change === 'edited'
        ? `${c.file} exists on the base and this change edits it: a database that applied it keeps the old version (prisma migrate deploy reports no pending migration and never runs the edit), and gate.migrations reports the checksum drift. Restore the file and put the change in a new migration.`
        : `${c.file} exists on the base and this change deletes it: a database that applied it keeps its changes, and gate.migrations reports it applied but missing from the repository. Restore it, and undo its changes with a new migration if they must go.`,
  }));
  const what = changes.map((c) => `${c.name} (${c.change})`).join(', ');
  return {
    ...outcome,
    status: 'fail',
    summary: `${plural(changes.length, 'migration')} of the base edited or deleted: ${what}${outcome.status === 'pass' || outcome.status === 'skip' ? '' : `; ${outcome.summary}`}`,
    details: [findings.map((f) => `- ${f.message}`).join('\n'), outcome.details].filter(Boolean).join('\n\n'),
    fix: ['Never edit or delete a migration that may have been applied: restore it, and put every change in a new migration (docs/migration-operations-runbook.md).', outcome.status === 'pass' ? '' : outcome.fix].filter(Boolean).join(' '),
    findings: [...findings, ...(outcome.findings ?? [])],
  };
}
