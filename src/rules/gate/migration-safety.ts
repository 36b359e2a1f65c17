/**
 * gate.migration-safety: what the next `prisma migrate deploy` will do to production, known before
 * it runs. The migrations it is about to apply (read from `_prisma_migrations` before the migrate
 * step, which waits for this rule) are read by PostgreSQL's parser, linted on the parse tree and
 * graded by the size of what they touch (src/analysis/migrations/lint.ts, grade.ts); then every
 * statement is predicted on production's data, locks and privileges, read-only
 * (src/analysis/migrations/plan.ts, predict.ts: will fail, will wait, unknown, or passes); and,
 * when `rehearsal-database-url` names a copy, the migrate command is rehearsed there (rehearse.ts).
 * src/analysis/migrations/verdict.ts merges it all into one list of findings; this file reads it.
 *
 * It comes after gate.install (the rehearsal runs the app's own Prisma CLI) and has the bound of a
 * command (a rehearsal on a large copy takes minutes); the prediction has its own, much smaller
 * budget (`migration-safety.prediction-budget-seconds`).
 */
import type { Finding, Logger, Outcome, RuleReport } from '../../engine/types.js';
import { couldNotCheck } from '../../engine/unavailable.js';
import type { Clients } from '../../probes/clients.js';
import { MIGRATIONS_DIR, readMigrations, type RepoMigration } from '../../probes/migrations.js';
import type { Settings } from '../../settings.js';
import { addedMigrations, changedMigrations, migrationName, type MigrationChange } from '../../analysis/migrations/changed.js';
import { defineRule } from '../index.js';
import { variable } from '../app.js';
import { describeDbError, parseDatabaseUrl } from '../../probes/db.js';
import { gradeCandidates, readFacts, type DbFacts, type Severity } from '../../analysis/migrations/grade.js';
import { lintPendingSet, type LintResult } from '../../analysis/migrations/lint.js';
import { planPendingSet, type PendingMigration } from '../../analysis/migrations/plan.js';
import { predict, type Prediction } from '../../analysis/migrations/predict.js';
import { rehearsalDetails, rehearsalProblems } from '../../analysis/migrations/rehearsal-report.js';
import { rehearse, type Rehearsal } from '../../analysis/migrations/rehearse.js';
import { mergeFindings, predictionDetails, predictionFixes, type Finding as MergedFinding } from '../../analysis/migrations/verdict.js';
import { migrationsAboutToRun, readMigrationState } from './migrations.js';
import { loadPgParser } from '../../analysis/migrations/pg-parser.js';

export { findingMessage } from '../../analysis/migrations/verdict.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const ORDER: Record<Severity, number> = { fail: 0, warn: 1, note: 2 };

/** What the rule needs of its context besides the settings (the rehearsal runs a command). */
interface RunContext {
  results: ReadonlyMap<string, RuleReport>;
  signal: AbortSignal;
  log: Logger;
}

export const migrationSafety = defineRule({
  id: 'gate.migration-safety',
  // Runs before the migrate step (which waits for it): it reads what is about to be applied.
  async check({ settings, clients, baseline, results, signal, log }): Promise<Outcome> {
    // On a pull request (a run compared with its base): the migrations the change adds are what the
    // next deploy applies; without a database they are linted statically (no prediction, no
    // rehearsal). Edits and deletions of the base's migrations are findings of their own.
    const dir = settings.app.prisma?.migrationsDir ?? MIGRATIONS_DIR;
    const changes = baseline?.pass === 'head' ? changedMigrations(baseline.diff, dir) : [];
    const run: RunContext = { results, signal, log };
    const outcome =
      baseline && !databaseUrl(settings)
        ? await checkMigrations(settings, addedMigrations(baseline.diff, dir).map((name) => ({ name, failedBefore: false })), undefined, run, 'no database is given to this run: graded by the statement alone, and not predicted on production\'s data')
        : await checkPending(settings, clients, run);
    return withChanges(outcome, changes);
  },
});

/** The app's database URL (its datasource's variable, DATABASE_URL by default), if set. */
function databaseUrl(settings: Settings): string | undefined {
  return variable(settings, 'databaseUrl')?.value ?? settings.env.DATABASE_URL;
}

/** The pending set, read from `_prisma_migrations`, linted, graded and predicted on the production data. */
async function checkPending(settings: Settings, clients: Clients, run: RunContext): Promise<Outcome> {
  const state = await readMigrationState(settings, clients);
  if ('unknown' in state) {
    // No migration files: nothing to lint. Anything else (no database answer, no history table) means
    // the pending set is unknown, and an unknown set is not a safe one.
    if (state.outcome.status === 'skip') return state.outcome;
    return { ...state.outcome, summary: `pending migrations are unknown: ${state.outcome.summary}` };
  }
  return checkMigrations(settings, migrationsAboutToRun(state.repo, state.rows), { clients, repo: state.repo }, run);
}

/**
 * Lints `toRun` (in order, as one pending set) with PostgreSQL's parser; with a database, grades each
 * finding by the data it touches, predicts every statement on production's data, locks and
 * privileges, and rehearses on the copy when one is given. Without one (`noDatabase` says why), the
 * lint's static grades only.
 */
async function checkMigrations(
  settings: Settings,
  toRun: ReadonlyArray<{ name: string; failedBefore: boolean }>,
  source: { clients: Clients; repo: RepoMigration[] } | undefined,
  { results, signal, log }: RunContext,
  noDatabase?: string,
): Promise<Outcome> {
  const pendingWord = source ? 'pending migration' : 'added migration';
  if (toRun.length === 0) {
    return { status: 'pass', summary: source ? 'no pending migration' : 'no migration added by this change', data: { pendingMigrations: 0, riskyStatements: 0 } };
  }
  const repo = source?.repo ?? (await readMigrations(settings.workingDirectory, settings.app.prisma?.migrationsDir ?? MIGRATIONS_DIR));
  const byName = new Map(repo.map((m) => [m.name, m]));
  const migrations: PendingMigration[] = toRun
    .filter((m) => byName.has(m.name))
    .map((m) => ({ name: m.name, file: byName.get(m.name)!.file, sql: byName.get(m.name)!.sql, failedBefore: m.failedBefore }));
  const rerun = migrations.filter((m) => m.failedBefore).map((m) => m.file);

  const parser = await loadPgParser();
  const url = databaseUrl(settings) ? parseDatabaseUrl(databaseUrl(settings)!) : undefined;
  const schema = url?.params.get('schema') ?? 'public';
  const lint: LintResult = lintPendingSet(parser, migrations, schema);
  const config = settings.config['migration-safety'];
  const db = source ? await source.clients.db() : undefined;

  // The rehearsal (on the copy) runs while production is read: they share nothing.
  const rehearsal: Promise<Rehearsal | undefined> = db && settings.rehearsalDatabaseUrl ? runRehearsal(db) : Promise.resolve(undefined);

  // The sizes: one catalog query on the connection that just read the history.
  let facts: DbFacts | undefined;
  let noFacts: string | undefined = db ? undefined : noDatabase;
  if (db && url && lint.candidates.some((c) => c.rel || c.volatility)) {
    try {
      facts = await readFacts(db, lint.lookups);
    } catch (error) {
      noFacts = `the catalog query failed: ${describeDbError(error, url)}`;
    }
  }
  const graded = gradeCandidates(lint.candidates, facts, noFacts, { blockAboveMb: config['block-above-mb'], blockAboveRows: config['block-above-rows'] });

  // The prediction: every statement against production's data, locks and privileges, read-only.
  const prediction: Prediction | undefined = db
    ? await predict(parser, db, planPendingSet(parser, migrations, schema), { budgetMs: config['prediction-budget-seconds'] * 1000, migrateEnv: settings.commandEnv })
    : undefined;
  const merged = mergeFindings(graded, prediction);
  const rehearsed = await rehearsal;
  const escalate = config.level === 'fail';
  const severity = (f: MergedFinding): Severity => (escalate && f.severity === 'warn' ? 'fail' : f.severity);
  const risky = merged.filter((f) => f.severity !== 'note');
  const notes = merged.filter((f) => f.severity === 'note');
  const failing = merged.filter((f) => severity(f) === 'fail');
  const rehearsalFailures = rehearsed ? rehearsalProblems(rehearsed) : [];
  const data = {
    pendingMigrations: toRun.length,
    rerunAfterFailure: rerun.length,
    statements: lint.statements,
    riskyStatements: risky.length,
    failing: failing.length,
    notes: notes.length,
    kinds: [...new Set(risky.map((f) => f.tag))],
    graded: noFacts ? 'static' : graded.some((f) => f.staticSeverity) ? 'partly static' : 'by data',
    ...(prediction
      ? {
          prediction: {
            asOf: prediction.asOf,
            counts: prediction.counts,
            elapsedMs: prediction.elapsedMs,
            queries: prediction.queries,
            budgetMs: prediction.budgetMs,
            cutOff: prediction.cutOff,
            ...(prediction.error ? { error: prediction.error } : {}),
            statements: prediction.statements
              .filter((s) => s.outcome !== 'pass')
              .map((s) => ({ file: s.file, line: s.line, what: s.what, outcome: s.outcome, sqlstate: s.sqlstate, rows: s.rows?.count, reason: s.reason })),
          },
        }
      : {}),
  ...(rehearsed ? { rehearsal: rehearsalData(rehearsed) } : {}),
  };

  const linted = `Linted with PostgreSQL's parser (grammar ${Math.floor(parser.version / 10000)}): ${migrations.map((m) => m.file).join(', ')}.`;
  const rerunText = rerun.length > 0 ? `\n\nFailed before and linted as they will run again once resolved (\`prisma migrate resolve --rolled-back\`): ${rerun.join(', ')}.` : '';
  const staticText = noFacts ? `\n\nNot graded by data: ${noFacts}; every finding keeps its static severity.` : '';
  const predictionText = prediction ? `\n\n${predictionDetails(prediction)}` : '';
  const rehearsalText = rehearsed && prediction ? `\n\n${rehearsalDetails(rehearsed, prediction)}` : '';
  const findings: Finding[] = merged.map((f) => ({
    level: severity(f) === 'fail' ? 'error' : severity(f) === 'warn' ? 'warning' : 'notice',
    message: f.message,
    file: f.file,
    line: f.line,
    // The migration and the check's name: its identity whatever the line (engine/identity.ts).
    key: `${migrationName(f.file) ?? f.file}:${f.tag}`,
  }));
  for (const problem of rehearsalFailures) findings.push({ level: 'error', message: problem.message, ...(problem.file ? { file: problem.file, line: 1 } : {}) });
  const noteText = notes.length > 0 ? `\n\n${plural(notes.length, 'note')} (safe on this data, listed with the findings).` : '';
  const tail = `${linted}${rerunText}${noteText}${staticText}${predictionText}${rehearsalText}`;

  if (rehearsed && 'unreachable' in rehearsed && failing.length === 0) {
    return couldNotCheck(settings.unreachable, {
      component: 'database',
      what: 'the migrations could not be rehearsed on rehearsal-database-url',
      cause: rehearsed.unreachable,
      details: `${risky.map((f) => `- \`${f.file}:${f.line}\` **${severity(f)}** ${f.message}`).join('\n')}\n\n${tail}`,
      data,
    });
  }

  if (risky.length === 0 && rehearsalFailures.length === 0) {
    return {
      status: 'pass',
      summary: `${plural(toRun.length, pendingWord)}, no risky statement`,
      details: tail,
      findings,
      data,
    };
  }

  const status = failing.length > 0 || rehearsalFailures.length > 0 ? 'fail' : 'warn';
  const files = new Set(risky.map((f) => f.file));
  const first = [...risky].sort((a, b) => ORDER[severity(a)] - ORDER[severity(b)])[0];
  const firstReason = first && severity(first) === 'fail' && first.severity === 'fail' && first.reason ? ` (${first.reason})` : '';
  const summary = first
    ? `${plural(risky.length, 'risky statement')} in ${files.size} of ${plural(toRun.length, pendingWord)}: ` +
      `${first.what} at ${first.file}:${first.line}${firstReason}${risky.length > 1 ? ` and ${risky.length - 1} more` : ''}`
    : `the rehearsal on rehearsal-database-url failed: ${rehearsalFailures[0]!.summary}`;
  const predictedToFail = failing.some((f) => f.severity === 'fail');
  return {
    status,
    summary: first && rehearsalFailures.length > 0 ? `${summary}; the rehearsal failed: ${rehearsalFailures[0]!.summary}` : summary,
    details: risky.map((f) => `- \`${f.file}:${f.line}\` **${severity(f)}** ${f.message}`).join('\n') + `\n\n${tail}`,
    fix:
      predictionFixes(merged).map((f) => `${f} `).join('') +
      (rehearsalFailures.length > 0 ? 'The rehearsal on the copy failed: read its table in the details. ' : '') +
      (predictedToFail && predictionFixes(merged).length === 0
        ? 'The failing statements would fail the migration (Prisma then records it as failed and blocks every deploy with P3009) or lock a large table: rewrite them first. '
        : '') +
      'Rewrite the risky statements with the safer pattern named for each (expand/contract across two releases), ' +
      'or apply them in a maintenance window with a tested backup; see docs/migration-operations-runbook.md.' +
      (escalate ? '' : ' Warnings do not block; set `migration-safety.level: fail` in the config to make them block.'),
    findings,
    data,
  };

  async function runRehearsal(production: NonNullable<typeof db>): Promise<Rehearsal | undefined> {
    const install = results.get('gate.install');
    if (install?.status === 'fail') return { skipped: 'gate.install failed, so the app\'s Prisma CLI is not installed to rehearse with' };
    if (!settings.migrateCommand) return { skipped: 'migrate-command is empty: there is no migrate command to rehearse' };
    return log.group(`rehearse: ${settings.migrateCommand} on rehearsal-database-url`, () =>
      rehearse({
        url: settings.rehearsalDatabaseUrl!,
        productionUrl: databaseUrl(settings)!,
        production,
        command: settings.migrateCommand,
        cwd: settings.workingDirectory,
        env: settings.commandEnv,
        timeoutMs: settings.commandTimeoutMs,
        signal,
        connect: { ca: settings.ca, resolve: settings.resolve, timeoutMs: settings.timeoutSeconds * 1000 },
        onLine: (l) => log.output(l),
      }),
    );
  }
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

function rehearsalData(r: Rehearsal): Record<string, unknown> {
  if ('refused' in r) return { refused: r.refused };
  if ('skipped' in r) return { skipped: r.skipped };
  if ('unreachable' in r) return { unreachable: r.unreachable };
  return {
    exitCode: r.command.exitCode,
    durationMs: Math.round(r.command.durationMs),
    migrations: r.migrations.map((m) => ({ name: m.name, durationMs: m.durationMs === undefined ? undefined : Math.round(m.durationMs), failed: m.failed, sqlstate: m.sqlstate, locks: m.locks })),
  };
}
