/**
 * gate.migrations against a real PostgreSQL: each test gets its own database with a
 * `_prisma_migrations` table as Prisma writes it, and a repository with migration files.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runRules } from '../../../src/engine/runner.js';
import type { Rule } from '../../../src/engine/types.js';
import { createClients, type Clients } from '../../../src/probes/clients.js';
import { migrations } from '../../../src/rules/gate/migrations.js';
import type { Settings } from '../../../src/settings.js';
import type { PostgresHandle } from '../../../sandbox/postgres.js';
import { goodEnv, settingsFor, silentLog, tempRepo } from '../../helpers.js';
import { historyFixture, sha, startHistoryServer, unreachableFixture, type HistoryRow } from './history.js';

let server: PostgresHandle;
before(async () => {
  server = await startHistoryServer();
});
after(async () => {
  await server?.stop();
});

const MIGRATION_SQL: Record<string, string> = {
  '20240101000000_init': 'CREATE TABLE "Team" ("id" TEXT PRIMARY KEY, "name" TEXT NOT NULL);\n',
  '20240201000000_services': 'CREATE TABLE "Service" ("id" TEXT PRIMARY KEY);\n',
  '20240301000000_prices': 'CREATE TABLE "Price" ("id" TEXT PRIMARY KEY, "serviceId" TEXT);\n',
};

async function fixture(rows: HistoryRow[], files: Record<string, string> = MIGRATION_SQL, table = true) {
  const f = await historyFixture(server, files, rows, { table });
  return { settings: f.settings, repo: { cleanup: f.cleanup } };
}

/** Runs gate.migrations, optionally after a stand-in result for gate.migrate, counting queries. */
async function check(settings: Settings, migrateStatus?: 'pass' | 'skip') {
  const real = createClients(settings);
  let queries = 0;
  const clients: Clients = {
    ...real,
    async db() {
      const db = await real.db();
      const query = db.query.bind(db);
      db.query = ((...args: Parameters<typeof query>) => {
        queries++;
        return query(...args);
      }) as typeof query;
      return db;
    },
  };
  const rules: Rule[] = [];
  if (migrateStatus) rules.push({ meta: { id: 'gate.migrate', section: 'gate', title: 'migrate' }, check: async () => ({ status: migrateStatus, summary: 'stand-in' }) });
  rules.push(migrations);
  try {
    const results = await runRules(rules, { context: { settings, clients, log: silentLog }, probeTimeoutMs: 15_000, commandTimeoutMs: 15_000 });
    return { report: results.at(-1)!, queries };
  } finally {
    await clients.close();
  }
}

const names = Object.keys(MIGRATION_SQL);

test('passes when every applied migration matches its file, in a constant number of queries', async () => {
  const { settings, repo } = await fixture(names.map((name) => ({ name })));
  const { report, queries } = await check(settings);
  assert.equal(report.status, 'pass', report.summary);
  assert.match(report.summary, /3 applied migrations match the repository/);
  assert.equal(queries, 2, 'one existence check and one history query');
  repo.cleanup();
});

test('accepts CRLF/LF variants and the unpadded hex of old rows', async () => {
  let sql = 'CREATE TABLE "Legacy" ("id" TEXT);\n';
  for (let i = 0; !sha(sql).startsWith('0'); i++) sql = `CREATE TABLE "Legacy" ("id" TEXT); -- ${i}\n`;
  const files = { ...MIGRATION_SQL, '20240101000000_init': MIGRATION_SQL['20240101000000_init']!.replace(/\n/g, '\r\n'), '20240401000000_legacy': sql };
  const { settings, repo } = await fixture([
    { name: '20240101000000_init', checksum: sha(MIGRATION_SQL['20240101000000_init']!) },
    { name: '20240201000000_services' },
    { name: '20240301000000_prices' },
    { name: '20240401000000_legacy', checksum: sha(sql).replace(/^0+/, '') },
  ], files);
  const { report } = await check(settings);
  assert.equal(report.status, 'pass', report.summary);
  repo.cleanup();
});

test('a failed row fails with the P3009 explanation, the migration name, its logs, at its file', async () => {
  const { settings, repo } = await fixture([
    { name: names[0]! },
    { name: names[1]!, finished: false, logs: 'Database error code: 42P07\nrelation "Service" already exists\nline 3\n' },
  ]);
  const { report } = await check(settings);
  assert.equal(report.status, 'fail');
  assert.match(report.summary, /1 failed migration \(20240201000000_services\) blocks every deploy \(P3009\)/);
  const finding = report.findings.find((f) => f.level === 'error')!;
  assert.equal(finding.file, 'prisma/migrations/20240201000000_services/migration.sql');
  assert.match(finding.message, /relation "Service" already exists/);
  assert.match(report.fix ?? '', /prisma migrate resolve --rolled-back 20240201000000_services/);
  repo.cleanup();
});

test('a rolled-back attempt followed by a successful retry is clean', async () => {
  const { settings, repo } = await fixture([
    { name: names[0]! },
    { name: names[1]!, finished: false, rolledBack: true },
    { name: names[1]! },
    { name: names[2]! },
  ]);
  assert.equal((await check(settings)).report.status, 'pass');
  repo.cleanup();
});

test('checksum drift fails at the changed file', async () => {
  const { settings, repo } = await fixture([{ name: names[0]! }, { name: names[1]!, checksum: sha('the file as it was applied') }, { name: names[2]! }]);
  const { report } = await check(settings);
  assert.equal(report.status, 'fail');
  assert.match(report.summary, /changed since \(20240201000000_services\)/);
  assert.deepEqual(report.locations, [{ file: 'prisma/migrations/20240201000000_services/migration.sql', line: 1 }]);
  repo.cleanup();
});

test('a migration applied in the database but missing from the repository warns', async () => {
  const { settings, repo } = await fixture([...names.map((name) => ({ name })), { name: '20240501000000_hotfix_from_other_branch' }]);
  const { report } = await check(settings);
  assert.equal(report.status, 'warn');
  assert.match(report.summary, /20240501000000_hotfix_from_other_branch/);
  repo.cleanup();
});

test('pending migrations are a notice before the migrate step and a failure after it ran', async () => {
  const { settings, repo } = await fixture([{ name: names[0]! }]);
  const before = await check(settings, 'skip');
  assert.equal(before.report.status, 'pass');
  assert.match(before.report.summary, /2 pending, to be applied by the migrate step/);
  assert.deepEqual((before.report.data as { pending: string[] }).pending, names.slice(1));
  assert.ok(before.report.findings.every((f) => f.level === 'notice'));
  const afterRun = await check(settings, 'pass');
  assert.equal(afterRun.report.status, 'fail');
  assert.match(afterRun.report.summary, /2 migrations still pending after the migrate step/);
  repo.cleanup();
});

test('a database without _prisma_migrations is not managed by Prisma Migrate', async () => {
  const { settings, repo } = await fixture([], MIGRATION_SQL, false);
  const { report } = await check(settings);
  assert.equal(report.status, 'fail');
  assert.match(report.summary, /not managed by Prisma Migrate; baseline it/);
  repo.cleanup();
});

test('an unreachable database fails with the reason (warns with unreachable: warn); a repository without migrations skips', async () => {
  const { settings, cleanup } = await unreachableFixture({ '20240101000000_init': 'SELECT 1;' });
  const { report } = await check(settings);
  assert.equal(report.status, 'fail');
  assert.match(report.summary, /^unreachable: database — .*refused the connection \(ECONNREFUSED\)/);
  const { report: warned } = await check({ ...settings, unreachable: 'warn' });
  assert.equal(warned.status, 'warn');
  const empty = tempRepo();
  const none = await check(await settingsFor(goodEnv(), { repo: empty.dir }));
  assert.equal(none.report.status, 'skip');
  assert.match(none.report.summary, /no prisma\/migrations/);
  cleanup();
  empty.cleanup();
});

test('a failed row quotes the database error, not Prisma\'s boilerplate', async () => {
  const { essentialLogLines } = await import('../../../src/rules/gate/migrations.js');
  const logs = 'A migration failed to apply. New migrations cannot be applied before the error is recovered from.\n\nMigration name: 20240923091500_service_slug\n\nDatabase error code: 23502\n\nDatabase error:\nERROR: column "slug" of relation "Service" contains null values\n\nDbError { severity: "ERROR" }';
  assert.deepEqual(essentialLogLines(logs), ['Database error code: 23502', 'ERROR: column "slug" of relation "Service" contains null values']);
});

test("the runbook's failure classes of real PostgreSQL errors: connectivity/permission, data conflict, SQL/runtime", async () => {
  const { runbookClass } = await import('../../../src/analysis/migrations/runbook.js');
  const pg = (await import('pg')).default;
  const database = `runbook_${process.pid}`;
  const admin = await server.adminClient();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.query(`DROP ROLE IF EXISTS runbook_reader; CREATE ROLE runbook_reader LOGIN PASSWORD 'reader-password-1'`);
  await admin.end();
  const db = await server.adminClient(database);
  const other = await server.adminClient(database);
  /** The SQLSTATE PostgreSQL answers a statement (or a connection) with. */
  const code = async (work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (error) {
      return (error as { code?: string }).code;
    }
    return 'no error';
  };
  const connect = (options: { password?: string; database?: string }) => async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'runbook_reader', password: options.password ?? 'reader-password-1', database: options.database ?? database });
    try {
      await client.connect();
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  try {
    await db.query(`CREATE TABLE "Service" (id TEXT PRIMARY KEY, name TEXT NOT NULL, price INT); INSERT INTO "Service" VALUES ('a', 'Team', 1), ('b', 'Team', -1)`);
    const seen: Record<string, string | undefined> = {
      'wrong password': await code(connect({ password: 'wrong-password-2' })),
      'no such database': await code(connect({ database: 'not_there' })),
      'no privilege': await code(() => db.query('SET ROLE runbook_reader; CREATE TABLE public."Invoice" (id TEXT)').finally(() => db.query('RESET ROLE'))),
      'required column on rows': await code(() => db.query('ALTER TABLE "Service" ADD COLUMN slug TEXT NOT NULL')),
      'duplicate rows under a unique index': await code(() => db.query('CREATE UNIQUE INDEX "Service_name_key" ON "Service"(name)')),
      'check violated by rows': await code(() => db.query('ALTER TABLE "Service" ADD CONSTRAINT positive CHECK (price > 0)')),
      'rows that do not convert': await code(() => db.query('ALTER TABLE "Service" ALTER COLUMN name TYPE INT USING name::integer')),
      'invalid SQL': await code(() => db.query('ALTER TABLE "Service" ADD COLUM x INT')),
      'CONCURRENTLY in the migration transaction': await code(() => db.query('CREATE INDEX CONCURRENTLY "Service_price_idx" ON "Service"(price); SELECT 1')),
      'lock timeout': await code(async () => {
        await other.query('BEGIN; LOCK TABLE "Service" IN ACCESS SHARE MODE');
        try {
          await db.query(`SET lock_timeout = '100ms'; ALTER TABLE "Service" ADD COLUMN note TEXT`);
        } finally {
          await other.query('ROLLBACK');
          await db.query('RESET lock_timeout');
        }
      }),
      'statement timeout': await code(() => db.query(`SET statement_timeout = '50ms'; SELECT pg_sleep(2)`).finally(() => db.query('RESET statement_timeout'))),
    };
    const classOf = Object.fromEntries(Object.entries(seen).map(([what, c]) => [what, `${c} ${runbookClass(c ?? '')?.section ?? '(no class)'}`]));
    assert.deepEqual(classOf, {
      'wrong password': '28P01 A. Connectivity/permission issue',
      'no such database': '3D000 A. Connectivity/permission issue',
      'no privilege': '42501 A. Connectivity/permission issue',
      'required column on rows': '23502 B. Data conflict issue',
      'duplicate rows under a unique index': '23505 B. Data conflict issue',
      'check violated by rows': '23514 B. Data conflict issue',
      'rows that do not convert': '22P02 B. Data conflict issue',
      'invalid SQL': '42601 C. Broken migration script',
      'CONCURRENTLY in the migration transaction': '25001 C. Broken migration script',
      'lock timeout': '55P03 C. Broken migration script',
      'statement timeout': '57014 C. Broken migration script',
    });
  } finally {
    await db.end();
    await other.end();
  }
});

test('a failed row of a data conflict gets the runbook\'s recovery steps, the resolve step, and the verification list', async () => {
  const logs = 'A migration failed to apply. New migrations cannot be applied before the error is recovered from.\n\nMigration name: 20240201000000_services\n\nDatabase error code: 23505\n\nDatabase error:\nERROR: could not create unique index "Service_name_key"\nDETAIL: Key (name)=(Team) is duplicated.\n';
  const { settings, repo } = await fixture([{ name: names[0]! }, { name: names[1]!, finished: false, logs }]);
  const { report } = await check(settings);
  assert.equal(report.status, 'fail');
  assert.match(report.summary, /blocks every deploy \(P3009\); runbook class: Data constraint conflict$/);
  assert.match(report.fix ?? '', /^Runbook class: Data constraint conflict\. 1\. Prepare a corrective SQL\/data patch .*back up the affected rows first.* 3\. Mark the failed migration as rolled back .*`npx prisma migrate resolve --rolled-back 20240201000000_services`\. 4\. Re-run `npx prisma migrate deploy`/);
  assert.match(report.details ?? '', /next run of the gate checks the runbook's verification list:\n- `npx prisma migrate status` shows no pending failed state: gate\.migrations/);
  assert.deepEqual([report.data?.runbookClass, report.data?.errorCode], ['data-conflict', '23505']);
  assert.match(report.findings.find((f) => f.level === 'error')!.message, /Runbook class: Data constraint conflict \(SQLSTATE 23505\)\./);
  repo.cleanup();
});
