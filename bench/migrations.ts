/**
 * Benchmark (issue 3): gate.migrations comparing a history of 5,000 migrations with the repository,
 * against a real PostgreSQL. Prints the rule's wall time (repository read + queries + comparison),
 * the comparison alone, and the number of queries.
 *
 * Then (issue 10) gate.migration-safety on a pending set of 200 migrations holding 10,000
 * statements (Prisma shapes: tables, columns, indexes, foreign keys, updates), against a database
 * that has the tables they alter: the lint time with PostgreSQL's parser load included (the first
 * use in this process), its parts, and the whole rule. The bound is 1 s for the lint.
 *
 *   npx tsx bench/migrations.ts [count]
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

const count = Number(process.argv[2] ?? 5000);
const server = await startPostgres({ tls: false });
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
