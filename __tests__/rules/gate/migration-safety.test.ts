/**
 * gate.migration-safety against a real PostgreSQL: the pending set is what `_prisma_migrations` has
 * not applied, read before the migrate step.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runRules } from '../../../src/engine/runner.js';
import type { RuleReport } from '../../../src/engine/types.js';
import { createClients } from '../../../src/probes/clients.js';
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
  assert.match(unreachable.summary, /^pending migrations are unknown: .*the database is not reachable from the runner.*ECONNREFUSED/);
});
