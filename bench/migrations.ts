/**
 * Benchmark (issue 3): gate.migrations comparing a history of 5,000 migrations with the repository,
 * against a real PostgreSQL. Prints the rule's wall time (repository read + queries + comparison),
 * the comparison alone, and the number of queries.
 *
 * Then (issue 10) gate.migration-safety on a pending set of 200 migrations holding 10,000
 * statements (Prisma shapes: tables, columns, indexes, foreign keys, updates), against a database
 * that has the tables they alter: the lint time with PostgreSQL's parser load included (the first
 * use in this process), its parts, and the whole rule. The issue's bound is 1 s for the lint.
 *
 * Then (issue 18) the prediction of `migrate deploy` on a table of 2,000,000 rows holding one
 * duplicate and one NULL (a unique index and SET NOT NULL pending): both found, and the prediction's
 * wall time against one plain `SELECT count(*)` of the table in the same run (the goal: at most 3×
 * one full scan per checked table); the same prediction with a 1 s budget, cut off as unknown; and
 * the failure classes of __tests__/analysis/migrations/prediction-cases.ts, each predicted and then
 * applied with the sandbox's `migrate deploy`.
 *
 *   npx tsx bench/migrations.ts [count]          everything
 *   npx tsx bench/migrations.ts --prediction     the prediction only
 */
import { createHash, randomUUID } from 'node:crypto';
import { runRules } from '../src/engine/runner.js';
import { createClients, type Clients } from '../src/probes/clients.js';
import { readMigrations } from '../src/probes/migrations.js';
import { compareHistory, migrations, type HistoryRow } from '../src/rules/gate/migrations.js';
import { migrationSafety } from '../src/rules/gate/migration-safety.js';
import { lintPendingSet } from '../src/analysis/migrations/lint.js';
import { gradeCandidates, readFacts } from '../src/analysis/migrations/grade.js';
import { loadPgParser } from '../src/analysis/migrations/pg-parser.js';
import { loadSettings } from '../src/settings.js';
import { startPostgres } from '../sandbox/postgres.js';
import { PRISMA_MIGRATIONS_TABLE_SQL } from '../sandbox/schema.js';
import { tempRepo } from '../__tests__/helpers.js';
import { PREDICTION_CASES, PredictionHarness, verdictOf } from '../__tests__/analysis/migrations/prediction-cases.js';
import { planPendingSet } from '../src/analysis/migrations/plan.js';
import { predict } from '../src/analysis/migrations/predict.js';
import { connectReadOnly } from '../src/probes/db.js';

const predictionOnly = process.argv.includes('--prediction');
const count = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 5000);
const server = await startPostgres({ tls: false });
if (predictionOnly) {
  try {
    await benchPrediction();
  } finally {
    await server.stop();
  }
  process.exit(0);
}
const files: Record<string, string> = {};
for (let i = 0; i < count; i++) {
  const name = `${String(20200101000000 + i)}_step_${i}`;
  files[`prisma/migrations/${name}/migration.sql`] = `-- migration ${i}\nALTER TABLE "Team" ADD COLUMN "c${i}" TEXT;\n`;
}
const repo = tempRepo(files);
try {
  const admin = await server.adminClient();
  await admin.query(PRISMA_MIGRATIONS_TABLE_SQL);
  const rows = Object.entries(files).map(([path, sql]) => [randomUUID(), createHash('sha256').update(sql).digest('hex'), path.split('/')[2]!]);
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000);
    await admin.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
       SELECT id, checksum, now(), name, now() + (ord * interval '1 second'), 1 FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS t(id, checksum, name, ord)`,
      [chunk.map((r) => r[0]), chunk.map((r) => r[1]), chunk.map((r) => r[2])],
    );
  }
  await admin.end();

  const settings = await loadSettings({
    inputs: { 'working-directory': repo.dir, 'timeout-seconds': '30' },
    env: { DATABASE_URL: `postgresql://${server.user}:${encodeURIComponent(server.password)}@127.0.0.1:${server.port}/${server.database}?sslmode=disable` },
    cwd: repo.dir,
  });
  const real = createClients(settings);
  await real.db(); // connect outside the measurement: the rule shares the run's connection
  let queries = 0;
  const shared = await real.db();
  const query = shared.query.bind(shared);
  shared.query = ((...args: Parameters<typeof query>) => (queries++, query(...args))) as typeof query;
  const clients: Clients = { ...real, db: async () => shared };
  const log = { info: () => undefined, output: () => undefined, group: <T>(_n: string, fn: () => Promise<T>) => fn() };
  const runs: number[] = [];
  let status = '';
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    const [report] = await runRules([migrations], { context: { settings, clients, log }, probeTimeoutMs: 60_000, commandTimeoutMs: 60_000 });
    runs.push(performance.now() - started);
    status = `${report!.status}: ${report!.summary}`;
  }
  const queriesPerRun = queries / runs.length;
  const r = performance.now();
  const repoMigrations = await readMigrations(repo.dir);
  const readMs = performance.now() - r;
  const dbRows = (await query<HistoryRow>('SELECT migration_name, checksum, finished_at, rolled_back_at, logs FROM "_prisma_migrations"')).rows;
  const t = performance.now();
  compareHistory(repoMigrations, dbRows, false);
  const compareMs = performance.now() - t;
  await clients.close();
  runs.sort((a, b) => a - b);
  console.log(`gate.migrations with ${count} migrations: ${status}`);
  console.log(`  whole rule (read ${count} files + ${queriesPerRun} queries + compare): median ${runs[2]!.toFixed(0)} ms, best ${runs[0]!.toFixed(0)} ms over ${runs.length} runs`);
  console.log(`  reading and hashing the ${count} migration files: ${readMs.toFixed(0)} ms; comparison alone: ${compareMs.toFixed(1)} ms`);
  await benchMigrationSafety();
  await benchPrediction();
} finally {
  repo.cleanup();
  await server.stop();
}

/** 50 statements as `prisma migrate dev` writes them, on tables the database has and tables the file creates. */
function pendingFile(i: number): string {
  const lines: string[] = [];
  for (let k = 0; k < 10; k++) {
    const n = `${i}_${k}`;
    lines.push(
      `-- CreateTable\nCREATE TABLE "Item${n}" (\n    "id" TEXT NOT NULL,\n    "teamId" TEXT NOT NULL,\n    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,\n    CONSTRAINT "Item${n}_pkey" PRIMARY KEY ("id")\n);`,
      `-- CreateIndex\nCREATE INDEX "Item${n}_teamId_idx" ON "Item${n}"("teamId");`,
      `-- AddForeignKey\nALTER TABLE "Item${n}" ADD CONSTRAINT "Item${n}_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;`,
      `-- AlterTable\nALTER TABLE "Team" ADD COLUMN     "c${n}" TEXT,\nADD COLUMN     "d${n}" INTEGER NOT NULL DEFAULT 0;`,
      k === 0 ? `-- CreateIndex\nCREATE INDEX "Team_c${n}_idx" ON "Team"("c${n}");` : `UPDATE "Team" SET "c${n}" = 'x; DROP TABLE "Team"' WHERE "id" = 'team_${k}';`,
    );
  }
  return `${lines.join('\n\n')}\n`;
}

async function benchMigrationSafety(): Promise<void> {
  const files: Record<string, string> = {};
  for (let i = 0; i < 200; i++) files[`prisma/migrations/${String(20300101000000 + i)}_pending_${i}/migration.sql`] = pendingFile(i);
  const pendingRepo = tempRepo(files);
  const admin = await server.adminClient();
  await admin.query('CREATE DATABASE bench_safety');
  await admin.end();
  const db = await server.adminClient('bench_safety');
  await db.query(`${PRISMA_MIGRATIONS_TABLE_SQL}; CREATE TABLE "Team" ("id" TEXT PRIMARY KEY, "name" TEXT);
    INSERT INTO "Team" SELECT 'team_' || g, 'Team ' || g FROM generate_series(1, 20000) g; ANALYZE "Team";`);
  try {
    const settings = await loadSettings({
      inputs: { 'working-directory': pendingRepo.dir, 'timeout-seconds': '30' },
      env: { DATABASE_URL: `postgresql://${server.user}:${encodeURIComponent(server.password)}@127.0.0.1:${server.port}/bench_safety?sslmode=disable` },
      cwd: pendingRepo.dir,
    });
    const sources = (await readMigrations(pendingRepo.dir)).map((m) => ({ file: m.file, sql: m.sql }));

    // The lint as the rule does it, on this process's first use of the parser. CPU time is printed
    // too: on a shared machine the wall time also counts the time other processes hold the cores.
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const parser = await loadPgParser();
    const t1 = performance.now();
    const lint = lintPendingSet(parser, sources);
    const t2 = performance.now();
    const facts = await readFacts(db, lint.lookups);
    const t3 = performance.now();
    const graded = gradeCandidates(lint.candidates, facts, undefined, { blockAboveMb: 100, blockAboveRows: 1_000_000 });
    const t4 = performance.now();
    const cpu = process.cpuUsage(cpu0);

    const clients = createClients(settings);
    const log = { info: () => undefined, output: () => undefined, group: <T>(_n: string, fn: () => Promise<T>) => fn() };
    const runs: number[] = [];
    let status = '';
    try {
      for (let i = 0; i < 5; i++) {
        const started = performance.now();
        const [report] = await runRules([migrationSafety], { context: { settings, clients, log }, probeTimeoutMs: 60_000, commandTimeoutMs: 60_000 });
        runs.push(performance.now() - started);
        status = `${report!.status}: ${report!.summary}`;
      }
    } finally {
      await clients.close();
    }
    runs.sort((a, b) => a - b);
    console.log(`gate.migration-safety with ${sources.length} pending migrations, ${lint.statements} statements: ${status.slice(0, 160)}`);
    console.log(`  lint of the pending set, parser load included: ${(t4 - t0).toFixed(0)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU (bound: 1000 ms)`);
    console.log(
      `    parser load ${(t1 - t0).toFixed(0)} ms, parse + lint ${(t2 - t1).toFixed(0)} ms, catalog query ${(t3 - t2).toFixed(0)} ms (1 query, ${lint.lookups.relations.size} relations), grading ${(t4 - t3).toFixed(1)} ms; ${graded.length} findings`,
    );
    console.log(`  whole rule (read files + history + lint + catalog): median ${runs[2]!.toFixed(0)} ms, best ${runs[0]!.toFixed(0)} ms over ${runs.length} runs`);
  } finally {
    await db.end();
    pendingRepo.cleanup();
  }
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}

/** The prediction on 2,000,000 rows with one duplicate and one NULL, against one full scan of the table. */
async function benchPrediction(): Promise<void> {
  const admin = await server.adminClient();
  await admin.query('CREATE DATABASE bench_predict');
  await admin.end();
  const db = await server.adminClient('bench_predict');
  const rows = 2_000_000;
  const t0 = performance.now();
  await db.query(`CREATE TABLE "Event" ("id" TEXT NOT NULL, "email" TEXT, "name" TEXT, "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP, CONSTRAINT "Event_pkey" PRIMARY KEY ("id"));
    INSERT INTO "Event" ("id", "email", "name") SELECT 'evt_' || g, 'user' || g || '@acme.test', 'Event ' || g FROM generate_series(1, ${rows}) g;
    UPDATE "Event" SET "email" = 'user42@acme.test' WHERE "id" = 'evt_1234567';
    UPDATE "Event" SET "name" = NULL WHERE "id" = 'evt_1999999';`);
  await db.query('VACUUM ANALYZE "Event"');
  const size = (await db.query<{ s: string }>(`SELECT pg_size_pretty(pg_total_relation_size('"Event"')) AS s`)).rows[0]!.s;
  console.log(`prediction on "Event": ${rows.toLocaleString('en-US')} rows (${size}), one duplicate email, one NULL name; built in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  const sql = `-- CreateIndex\nCREATE UNIQUE INDEX "Event_email_key" ON "Event"("email");\n\n-- AlterTable\nALTER TABLE "Event" ALTER COLUMN "name" SET NOT NULL;\n`;
  const parser = await loadPgParser();
  const plan = planPendingSet(parser, [{ name: '20260101000000_event_constraints', file: 'prisma/migrations/20260101000000_event_constraints/migration.sql', sql }]);
  const url = `postgresql://${server.user}:${encodeURIComponent(server.password)}@127.0.0.1:${server.port}/bench_predict?sslmode=disable`;
  const gate = await connectReadOnly(url, { timeoutMs: 120_000 });
  try {
    // Warm the cache the same way for both: one scan first.
    await gate.query('SELECT count(*) FROM "Event"');
    const scans: number[] = [];
    const predictions: number[] = [];
    let outcome = '';
    for (let i = 0; i < 3; i++) {
      const s0 = performance.now();
      await gate.query('SELECT count(*) FROM "Event"');
      scans.push(performance.now() - s0);
      const p0 = performance.now();
      const p = await predict(parser, gate, plan, { budgetMs: 120_000 });
      predictions.push(performance.now() - p0);
      outcome = p.statements.map((s) => `${s.outcome}${s.sqlstate ? ` ${s.sqlstate}` : ''} (${s.rows?.count ?? 0} rows)`).join(', ');
      if (i === 0) console.log(`  found: ${p.statements.map((s) => `${s.what}: ${s.outcome} ${s.sqlstate ?? ''}: ${s.reason}`).join('; ')}`);
    }
    const scan = median(scans);
    const whole = median(predictions);
    console.log(`  one SELECT count(*) of the table: median ${scan.toFixed(0)} ms; the prediction (2 checks on 1 table: a GROUP BY for duplicates, a FILTER scan for NULLs): median ${whole.toFixed(0)} ms = ${(whole / scan).toFixed(1)}× one scan (goal: at most 3×); ${outcome}`);
    // Each check alone, and what PostgreSQL itself takes to run the statement on the same rows (until
    // it meets the duplicate or the NULL), in a transaction that is rolled back.
    const alone = async (statement: string) => {
      const one = planPendingSet(parser, [{ name: '20260101000000_one', file: 'one.sql', sql: statement }]);
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        await predict(parser, gate, one, { budgetMs: 120_000 });
        times.push(performance.now() - t);
      }
      const own: number[] = [];
      for (let i = 0; i < 3; i++) {
        await db.query('BEGIN');
        const t = performance.now();
        await db.query(statement).catch(() => undefined);
        own.push(performance.now() - t);
        await db.query('ROLLBACK');
      }
      return { predicted: median(times), postgres: median(own) };
    };
    const dup = await alone('CREATE UNIQUE INDEX "Event_email_key" ON "Event"("email");');
    const nul = await alone('ALTER TABLE "Event" ALTER COLUMN "name" SET NOT NULL;');
    console.log(
      `  each check alone: duplicates ${dup.predicted.toFixed(0)} ms = ${(dup.predicted / scan).toFixed(1)}× one scan (PostgreSQL's own CREATE UNIQUE INDEX until it meets the duplicate: ${dup.postgres.toFixed(0)} ms); ` +
        `NULLs ${nul.predicted.toFixed(0)} ms = ${(nul.predicted / scan).toFixed(1)}× (PostgreSQL's SET NOT NULL: ${nul.postgres.toFixed(0)} ms)`,
    );
    const cut = await predict(parser, gate, plan, { budgetMs: 1000 });
    console.log(`  with a 1 s budget: ${cut.statements.map((s) => `${s.outcome}${s.outcome === 'unknown' ? ` (${s.reason.slice(0, 80)})` : ''}`).join(', ')}; ${cut.elapsedMs} ms`);
  } finally {
    await gate.close();
    await db.end();
  }

  // The failure classes: each predicted on its failing twin, then applied.
  const h = await PredictionHarness.start();
  try {
    let predicted = 0;
    let refused = 0;
    const misses: string[] = [];
    for (const c of PREDICTION_CASES) {
      const database = await h.database(`${c.setup} ${c.breakIt}`, c.admin?.setup);
      await h.asAdmin(database, c.admin?.breakIt);
      const v = verdictOf(await h.predict(database, c.migration));
      const applied = await h.apply(database, c.migration);
      if (v.outcome === 'fail' && v.sqlstate === c.sqlstate) predicted++;
      else misses.push(`${c.name}: ${v.outcome} ${v.sqlstate ?? ''}`);
      if (applied.sqlstate === c.sqlstate) refused++;
    }
    console.log(`  failure classes: ${predicted} of ${PREDICTION_CASES.length} predicted with their SQLSTATE; ${refused} of ${PREDICTION_CASES.length} then refused by PostgreSQL under the sandbox's migrate deploy with that SQLSTATE${misses.length ? `; missed: ${misses.join('; ')}` : ''}`);
  } finally {
    await h.stop();
  }
}
