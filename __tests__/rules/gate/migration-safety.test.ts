/**
 * gate.migration-safety against a real PostgreSQL: the pending set is what `_prisma_migrations` has
 * not applied, read before the migrate step.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runRules } from '../../../src/engine/runner.js';
import type { RuleReport } from '../../../src/engine/types.js';
import type pg from 'pg';
import { createClients, type Clients } from '../../../src/probes/clients.js';
import { migrationSafety } from '../../../src/rules/gate/migration-safety.js';
import type { PostgresHandle } from '../../../sandbox/postgres.js';
import { silentLog } from '../../helpers.js';
import { historyFixture, migrationFile as dir, startHistoryServer, unreachableFixture, type HistoryFixture } from './history.js';

let server: PostgresHandle;
before(async () => {
  server = await startHistoryServer();
});
after(async () => {
  await server?.stop();
});

/** The names that are pending; every other migration of the files is recorded as applied. */
const pending = (...names: string[]) => names;

/**
 * Runs gate.migration-safety with `files` (path → SQL) in the repository and every migration not in
 * `pendingNames` applied in the database; `undefined`: the database is unreachable.
 */
async function lint(files: Record<string, string>, pendingNames: string[] | undefined, config?: { level: 'warn' | 'fail' }): Promise<RuleReport> {
  const migrations = Object.fromEntries(Object.entries(files).map(([path, sql]) => [path.split('/')[2]!, sql]));
  const fixture: HistoryFixture = pendingNames
    ? await historyFixture(server, migrations, Object.keys(migrations).filter((n) => !pendingNames.includes(n)).map((name) => ({ name })))
    : await unreachableFixture(migrations);
  if (config) fixture.settings.config = { ...fixture.settings.config, 'migration-safety': { ...fixture.settings.config['migration-safety'], ...config } };
  const clients = createClients(fixture.settings);
  try {
    const [report] = await runRules([migrationSafety], { context: { settings: fixture.settings, clients, log: silentLog }, probeTimeoutMs: 10_000, commandTimeoutMs: 10_000 });
    return report!;
  } finally {
    await clients.close();
    fixture.cleanup();
  }
}

const INIT = [
  'CREATE TABLE "User" ("id" TEXT NOT NULL, "email" TEXT);',
  'DROP TABLE "Scratch";', // applied long ago: not linted
].join('\n');

const RISKY = [
  '-- Drop the old audit table', //                                        1
  'DROP TABLE "AuditLog";', //                                             2
  '', //                                                                   3
  '-- AlterTable', //                                                      4
  'ALTER TABLE "User" ADD COLUMN "locale" TEXT,', //                       5
  'DROP COLUMN "legacyId";', //                                            6
  'ALTER TABLE "Team" ALTER COLUMN "slug" SET DATA TYPE VARCHAR(64);', //  7
  'ALTER TABLE "Team" ALTER COLUMN "billingId" SET NOT NULL;', //          8
  'ALTER TABLE "ApiKey" RENAME COLUMN "hashedKey" TO "keyHash";', //       9
  'ALTER TABLE "Invoice" RENAME TO "Bill";', //                           10
  'TRUNCATE "WebhookEvent";', //                                          11
  'DELETE FROM "Session";', //                                            12
  'UPDATE "User"', //                                                     13
  '  SET "locale" = (SELECT \'en\' WHERE true);', //                      14
  'CREATE UNIQUE INDEX "User_email_key" ON "User"("email");', //          15
  'ALTER TABLE public."Price" ALTER "amount" TYPE BIGINT;', //            16
  'ALTER TYPE "Role" RENAME VALUE \'OWNER\' TO \'ADMIN\';', //            17
].join('\n');

test('each risky statement kind is a warning at its exact line, saying the risk and the safer way', async () => {
  const r = await lint({ [dir('20240101000000_init')]: INIT, [dir('20240601000000_risky')]: RISKY }, pending('20240601000000_risky'));
  assert.equal(r.status, 'warn');
  const file = dir('20240601000000_risky');
  const got = r.findings.map((f) => [f.line, f.level, f.file]);
  assert.deepEqual(got, [2, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17].map((line) => [line, 'warning', file]));
  const message = (line: number) => r.findings.find((f) => f.line === line)!.message;
  assert.match(message(2), /^DROP TABLE "AuditLog": data loss.*Safer: expand\/contract/);
  assert.match(message(6), /^ALTER TABLE "User" DROP COLUMN "legacyId": data loss/);
  assert.match(message(7), /ALTER COLUMN "slug" TYPE: table rewrite under an ACCESS EXCLUSIVE lock/);
  assert.match(message(8), /SET NOT NULL: long lock.*NOT VALID.*VALIDATE CONSTRAINT/);
  assert.match(message(9), /RENAME COLUMN "hashedKey": breaks running code.*@map/);
  assert.match(message(10), /RENAME TO "Bill": breaks running code.*@@map/);
  assert.match(message(11), /^TRUNCATE "WebhookEvent": data loss/);
  assert.match(message(12), /^DELETE "Session" without WHERE: data loss/);
  assert.match(message(13), /^UPDATE "User" without WHERE/, 'a WHERE inside a subquery is not the statement\'s WHERE');
  assert.match(message(15), /^CREATE UNIQUE INDEX ON "User": long lock.*CREATE INDEX CONCURRENTLY.*own/);
  assert.match(message(16), /public\."Price" ALTER COLUMN "amount" TYPE/);
  assert.match(message(17), /RENAME VALUE 'OWNER': breaks running code/);
  assert.match(r.summary, /^12 risky statements in 1 of 1 pending migration: DROP TABLE "AuditLog" at prisma\/migrations\/20240601000000_risky\/migration\.sql:2 and 11 more$/);
  assert.ok(r.fix?.includes('migration-safety.level: fail'));
  assert.deepEqual(r.locations[0], { file, line: 2 });
});

test('comments, strings, safe statements and tables created in the pending set are not flagged', async () => {
  const safe = [
    '-- DROP TABLE "User"; only a comment',
    '/* DELETE FROM "User"; /* nested */ TRUNCATE "User"; */',
    'CREATE TABLE "Project" (',
    '  "id" TEXT NOT NULL,',
    '  "note" TEXT DEFAULT \'DROP TABLE "User"; TRUNCATE x\',',
    '  CONSTRAINT "Project_pkey" PRIMARY KEY ("id")',
    ');',
    'CREATE TABLE public.tags (id int);',
    'CREATE INDEX "Project_note_idx" ON "Project"("note");',
    'CREATE UNIQUE INDEX "Project_id_key" ON "public"."Project"("id");',
    'CREATE INDEX tags_id ON TAGS (id);',
    'ALTER TABLE "Project" ALTER COLUMN "note" SET NOT NULL;',
    'DELETE FROM "Session" WHERE "expires" < now();',
    'UPDATE "User" SET "email" = lower("email") WHERE "email" <> lower("email");',
    'CREATE FUNCTION noop() RETURNS trigger AS $fn$ BEGIN DELETE FROM "Audit"; RETURN NULL; END $fn$ LANGUAGE plpgsql;',
    'ALTER INDEX "a" RENAME TO "b";',
    'ALTER TABLE "User" RENAME CONSTRAINT "x" TO "y";',
    'ALTER TABLE "User" ADD CONSTRAINT "User_team_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") NOT VALID, DROP CONSTRAINT "old_fkey";',
    'ALTER TABLE "User" ALTER COLUMN "email" DROP NOT NULL;',
    'INSERT INTO "Price" SELECT * FROM "Legacy" WHERE true;',
  ].join('\n');
  const later = 'CREATE INDEX "Project_created_idx" ON "Project"("id");\nDROP TABLE "Project";';
  const r = await lint(
    { [dir('20240101000000_init')]: INIT, [dir('20240701000000_safe')]: safe, [dir('20240702000000_later')]: later },
    pending('20240701000000_safe', '20240702000000_later'),
  );
  assert.deepEqual(r.findings, []);
  assert.equal(r.status, 'pass');
  assert.equal(r.summary, '2 pending migrations, no risky statement');
});

test('a FOREIGN KEY without NOT VALID on an existing table is flagged (it scans under SHARE ROW EXCLUSIVE on both tables); NOT VALID is not', async () => {
  const sql = [
    'ALTER TABLE "User" ADD CONSTRAINT "User_team_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id"), DROP CONSTRAINT "old_fkey";',
    'ALTER TABLE "User" ADD CONSTRAINT "User_org_fkey" FOREIGN KEY ("orgId") REFERENCES "Org"("id") NOT VALID;',
  ].join('\n');
  const r = await lint({ [dir('20240101000000_init')]: INIT, [dir('20240703000000_fk')]: sql }, pending('20240703000000_fk'));
  assert.equal(r.status, 'warn');
  assert.deepEqual(r.findings.map((f) => [f.line, f.level]), [[1, 'warning']]);
  assert.match(r.findings[0]!.message, /^ALTER TABLE "User" ADD CONSTRAINT "User_team_fkey" FOREIGN KEY REFERENCES "Team": long lock.*SHARE ROW EXCLUSIVE on both tables.*NOT VALID.*VALIDATE CONSTRAINT.*\[add-foreign-key\]$/);
});

test('an index on a table created by an applied migration is flagged; CONCURRENTLY alone in its file is not', async () => {
  const files = {
    [dir('20240101000000_init')]: INIT,
    [dir('20240801000000_index')]: '-- CreateIndex\nCREATE INDEX "User_email_idx" ON "User"("email");\n',
    [dir('20240802000000_concurrent')]: 'CREATE INDEX CONCURRENTLY "User_id_idx" ON "User"("id");',
  };
  const r = await lint(files, pending('20240801000000_index', '20240802000000_concurrent'));
  assert.equal(r.status, 'warn');
  assert.deepEqual(r.findings.map((f) => [f.file, f.line]), [[dir('20240801000000_index'), 2]]);
});

test('CREATE INDEX CONCURRENTLY next to other statements is flagged: Postgres refuses it in one transaction', async () => {
  const sql = 'ALTER TABLE "User" ADD COLUMN "name" TEXT;\nCREATE INDEX CONCURRENTLY "User_name_idx" ON "User"("name");';
  const r = await lint({ [dir('20240901000000_mixed')]: sql }, pending('20240901000000_mixed'));
  assert.deepEqual(r.findings.map((f) => f.line), [2]);
  assert.match(r.findings[0]!.message, /cannot run inside a transaction block.*migration of its own/);
});

test('migration-safety.level fail makes risky statements errors and the rule fail', async () => {
  const r = await lint({ [dir('20240601000000_risky')]: 'DROP TABLE "AuditLog";' }, pending('20240601000000_risky'), { level: 'fail' });
  assert.equal(r.status, 'fail');
  assert.deepEqual(r.findings.map((f) => [f.level, f.line]), [['error', 1]]);
  assert.ok(!r.fix?.includes('level: fail'));
});

test('no pending migration passes: an applied DROP TABLE is history, not a risk', async () => {
  const none = await lint({ [dir('20240601000000_risky')]: 'DROP TABLE "AuditLog";' }, pending());
  assert.equal(none.status, 'pass');
  assert.equal(none.summary, 'no pending migration');
});

test('unknown pending migrations fail with the reason: the database is unreachable', async () => {
  const unreachable = await lint({ [dir('20240601000000_risky')]: 'DROP TABLE "AuditLog";' }, undefined);
  assert.equal(unreachable.status, 'fail');
  assert.match(unreachable.summary, /^unreachable: database — pending migrations are unknown: .*refused the connection \(ECONNREFUSED\)/);
});

// ---- graded by the production data --------------------------------------------------------------

/** Runs the rule on `files` (all pending) against a database prepared by `setup`. */
async function lintWithData(
  files: Record<string, string>,
  setup: (client: pg.Client) => Promise<unknown>,
  config: Partial<{ level: 'warn' | 'fail'; 'block-above-mb': number; 'block-above-rows': number }> = {},
  wrap?: (clients: Clients) => Clients,
): Promise<RuleReport> {
  const migrations = Object.fromEntries(Object.entries(files).map(([path, sql]) => [path.split('/')[2]!, sql]));
  const fixture = await historyFixture(server, migrations, [], { setup });
  fixture.settings.config = { ...fixture.settings.config, 'migration-safety': { ...fixture.settings.config['migration-safety'], ...config } };
  const real = createClients(fixture.settings);
  const clients = wrap ? wrap(real) : real;
  try {
    const [report] = await runRules([migrationSafety], { context: { settings: fixture.settings, clients, log: silentLog }, probeTimeoutMs: 10_000, commandTimeoutMs: 10_000 });
    return report!;
  } finally {
    await real.close();
    fixture.cleanup();
  }
}

const USERS_AND_INVITES = async (client: pg.Client) => {
  await client.query(`
    CREATE TABLE "User" ("id" TEXT PRIMARY KEY, "email" TEXT);
    INSERT INTO "User" SELECT 'u' || g, 'u' || g || '@acme.test' FROM generate_series(1, 12400) g;
    CREATE TABLE "Invite" ("id" TEXT PRIMARY KEY, "email" TEXT);
    ANALYZE "User"; ANALYZE "Invite";`);
};

test('ADD COLUMN … NOT NULL without a default fails on a table with rows, naming the row count, and passes with a note on an empty one', async () => {
  const r = await lintWithData(
    {
      [dir('20250101000000_locale')]: '-- AlterTable\nALTER TABLE "User" ADD COLUMN "locale" TEXT NOT NULL;',
      [dir('20250101000001_invite_locale')]: 'ALTER TABLE "Invite" ADD COLUMN "locale" TEXT NOT NULL;',
    },
    USERS_AND_INVITES,
  );
  assert.equal(r.status, 'fail', 'it would fail at deploy even with level: warn');
  assert.deepEqual(r.findings.map((f) => [f.file, f.line, f.level]), [
    [dir('20250101000000_locale'), 2, 'error'],
    [dir('20250101000001_invite_locale'), 1, 'notice'],
  ]);
  assert.match(r.findings[0]!.message, /^ALTER TABLE "User" ADD COLUMN "locale" TEXT NOT NULL without a default: the migration fails on a table with rows.*Will fail: "User" has about 12,400 rows \([\d.]+ [kM]B\)\..*\[add-column-not-null\]$/);
  assert.match(r.findings[1]!.message, /Passes: "Invite" is empty, so no row lacks the value\..*\[add-column-not-null\]$/);
  assert.match(r.summary, /^1 risky statement in 1 of 2 pending migrations: ALTER TABLE "User" ADD COLUMN "locale" TEXT NOT NULL without a default at prisma\/migrations\/20250101000000_locale\/migration\.sql:2 \(will fail: "User" has about 12,400 rows \([\d.]+ [kM]B\)\)$/);
  assert.match(r.fix!, /would fail the migration.*P3009/);
  assert.equal(r.data?.graded, 'by data');
});

test('a non-concurrent index build blocks above the size threshold of the config, warns below it, and is a note on an empty table', async () => {
  const files = { [dir('20250102000000_index')]: 'CREATE INDEX "User_email_idx" ON "User"("email");\nCREATE INDEX "Invite_email_idx" ON "Invite"("email");' };
  const small = await lintWithData(files, USERS_AND_INVITES);
  assert.equal(small.status, 'warn');
  assert.deepEqual(small.findings.map((f) => [f.line, f.level]), [[1, 'warning'], [2, 'notice']]);
  assert.match(small.findings[0]!.message, /"User" has about 12,400 rows \([\d.]+ MB\): under the blocking thresholds, so it warns\..*Lock: SHARE on the table while the index builds\..*\[create-index\]$/);
  assert.match(small.findings[1]!.message, /"Invite" is empty: the lock is brief\./);

  const blockMb = await lintWithData(files, USERS_AND_INVITES, { 'block-above-mb': 0.5 });
  assert.equal(blockMb.status, 'fail');
  assert.deepEqual(blockMb.findings.map((f) => [f.line, f.level]), [[1, 'error'], [2, 'notice']]);
  assert.match(blockMb.findings[0]!.message, /over the 0\.5 MB threshold \(migration-safety\.block-above-mb \/ block-above-rows\), so it blocks/);
  assert.match(blockMb.summary, /\(("User" has about 12,400 rows \([\d.]+ MB\)), over the 0\.5 MB threshold\)$/);

  const blockRows = await lintWithData(files, USERS_AND_INVITES, { 'block-above-rows': 10_000 });
  assert.equal(blockRows.status, 'fail');
  assert.match(blockRows.findings[0]!.message, /over the 10,000-row threshold/);
});

test('migration-safety.level fail makes warnings block, notes stay notes', async () => {
  const r = await lintWithData({ [dir('20250103000000_index')]: 'CREATE INDEX "User_email_idx" ON "User"("email");\nCREATE INDEX "Invite_email_idx" ON "Invite"("email");' }, USERS_AND_INVITES, { level: 'fail' });
  assert.equal(r.status, 'fail');
  assert.deepEqual(r.findings.map((f) => f.level), ['error', 'notice']);
});

test('CREATE TABLE IF NOT EXISTS "User" (or "archive"."User") earlier in the pending set does not make "User" new', async () => {
  const r = await lintWithData(
    {
      [dir('20250104000000_maybe')]: 'CREATE TABLE IF NOT EXISTS "User" ("id" TEXT PRIMARY KEY, "email" TEXT);\nCREATE SCHEMA "archive";\nCREATE TABLE "archive"."Invite" ("id" TEXT);',
      [dir('20250104000001_later')]: 'ALTER TABLE "User" ADD COLUMN "plan" TEXT NOT NULL;\nDELETE FROM "Invite";\nCREATE INDEX "Fresh_idx" ON "Fresh"("id");',
      [dir('20250104000002_fresh')]: 'CREATE TABLE IF NOT EXISTS "Fresh" ("id" TEXT);\nCREATE INDEX "Fresh_id_idx" ON "Fresh"("id");',
    },
    USERS_AND_INVITES,
  );
  assert.deepEqual(r.findings.map((f) => [f.file!.split('/')[2], f.line, f.level, /\[([a-z-]+)\]$/.exec(f.message)![1]]), [
    ['20250104000001_later', 1, 'error', 'add-column-not-null'],
    ['20250104000001_later', 2, 'notice', 'delete-without-where'],
    ['20250104000001_later', 3, 'warning', 'create-index'],
  ]);
  assert.match(r.findings[2]!.message, /Static severity: "Fresh" is neither in the database nor created by the pending migrations\./);
});

test('when the catalog query fails, the pending set is still linted and every finding keeps its static severity, saying why', async () => {
  const refuseCatalog = (clients: Clients): Clients => ({
    ...clients,
    db: async () => {
      const db = await clients.db();
      const query = db.query.bind(db) as (...args: unknown[]) => Promise<unknown>;
      db.query = ((text: unknown, ...rest: unknown[]) =>
        typeof text === 'string' && text.includes('pg_total_relation_size') ? Promise.reject(Object.assign(new Error('permission denied for table pg_class'), { code: '42501' })) : query(text, ...rest)) as typeof db.query;
      return db;
    },
  });
  const r = await lintWithData({ [dir('20250105000000_locale')]: 'ALTER TABLE "User" ADD COLUMN "locale" TEXT NOT NULL;\nCREATE INDEX "i" ON "Invite"("email");' }, USERS_AND_INVITES, {}, refuseCatalog);
  assert.equal(r.status, 'warn');
  assert.deepEqual(r.findings.map((f) => f.level), ['warning', 'warning']);
  assert.match(r.findings[0]!.message, /Static severity: the size of "User" is unknown \(the catalog query failed: .*permission denied for table pg_class \(42501\)\)\./);
  assert.match(r.details!, /Not graded by data: the catalog query failed: .*every finding keeps its static severity/);
  assert.equal(r.data?.graded, 'static');
});

test('a failed migration is linted as it will run again: before and after `prisma migrate resolve --rolled-back`, until it is applied', async () => {
  const { deploy, markRolledBack } = await import('../../../sandbox/vendor/prisma/build/migrate.js');
  const name = '20250106000000_team_plan';
  const failing = 'CREATE INDEX "Team_slug_idx" ON "Team"("slug");\nALTER TABLE "Team" ADD COLUMN "plan" TEXT NOT NULL;\n';
  const corrected = 'CREATE INDEX "Team_slug_idx" ON "Team"("slug");\nALTER TABLE "Team" ADD COLUMN "plan" TEXT NOT NULL DEFAULT \'free\';\n';
  const fixture = await historyFixture(server, { [name]: corrected }, [], {
    setup: async (client) => {
      await client.query(`CREATE TABLE "Team" ("id" TEXT PRIMARY KEY, "slug" TEXT); INSERT INTO "Team" SELECT 't' || g, 'team-' || g FROM generate_series(1, 40) g; ANALYZE "Team";`);
      await assert.rejects(deploy(client, [{ name, script: failing }]), { code: 'P3018' });
    },
  });
  const run = async () => {
    const clients = createClients(fixture.settings);
    try {
      return (await runRules([migrationSafety], { context: { settings: fixture.settings, clients, log: silentLog }, probeTimeoutMs: 10_000, commandTimeoutMs: 10_000 }))[0]!;
    } finally {
      await clients.close();
    }
  };
  const admin = await server.adminClient(fixture.database);
  try {
    const failed = await run();
    assert.equal(failed.status, 'warn');
    assert.deepEqual(failed.findings.map((f) => [f.line, f.level]), [[1, 'warning']]);
    assert.match(failed.findings[0]!.message, /^CREATE INDEX ON "Team": long lock.*"Team" has about 40 rows/);
    assert.match(failed.details!, /Failed before and linted as they will run again once resolved \(`prisma migrate resolve --rolled-back`\): prisma\/migrations\/20250106000000_team_plan\/migration\.sql/);

    await markRolledBack(admin, name);
    const resolved = await run();
    assert.deepEqual(resolved.findings.map((f) => [f.line, f.level]), [[1, 'warning']]);
    assert.equal(resolved.data?.rerunAfterFailure, 0);

    await deploy(admin, [{ name, script: corrected }]);
    const applied = await run();
    assert.equal(applied.status, 'pass');
    assert.equal(applied.summary, 'no pending migration');
  } finally {
    await admin.end();
    fixture.cleanup();
  }
});
