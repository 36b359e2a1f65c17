/**
 * Benchmark (issue 3): gate.migrations comparing a history of 5,000 migrations with the repository,
 * against a real PostgreSQL. Prints the rule's wall time (repository read + queries + comparison),
 * the comparison alone, and the number of queries.
 *
 *   npx tsx bench/migrations.ts [count]
 */
import { createHash, randomUUID } from 'node:crypto';
import { runRules } from '../src/engine/runner.js';
import { createClients, type Clients } from '../src/probes/clients.js';
import { readMigrations } from '../src/probes/migrations.js';
import { compareHistory, migrations } from '../src/rules/gate/migrations.js';
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
  const query = shared.client.query.bind(shared.client);
  shared.client.query = ((...args: Parameters<typeof query>) => (queries++, query(...args))) as typeof query;
  const clients: Clients = { db: async () => shared, http: () => real.http(), stripe: () => real.stripe(), close: () => real.close() };
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
  const dbRows = (await query('SELECT migration_name, checksum, finished_at, rolled_back_at, logs FROM "_prisma_migrations"')).rows;
  const t = performance.now();
  compareHistory(repoMigrations, dbRows, false);
  const compareMs = performance.now() - t;
  await clients.close();
  runs.sort((a, b) => a - b);
  console.log(`gate.migrations with ${count} migrations: ${status}`);
  console.log(`  whole rule (read ${count} files + ${queriesPerRun} queries + compare): median ${runs[2]!.toFixed(0)} ms, best ${runs[0]!.toFixed(0)} ms over ${runs.length} runs`);
  console.log(`  reading and hashing the ${count} migration files: ${readMs.toFixed(0)} ms; comparison alone: ${compareMs.toFixed(1)} ms`);
} finally {
  repo.cleanup();
  await server.stop();
}
