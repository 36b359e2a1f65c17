/**
 * The migration history against the datasource's provider, judged by PostgreSQL's own parser: the
 * sandbox's migrations (written as Prisma writes PostgreSQL SQL) parse; MySQL's DDL as Prisma writes
 * it for MySQL (backquotes, DATETIME(3), ENGINE=InnoDB) and SQLite's are refused at their line and
 * named; a lock naming another provider is P3019; no lock is a warning of its own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkDialect, otherDialect } from '../../../src/analysis/migrations/dialect.js';
import { loadPgParser } from '../../../src/analysis/migrations/pg-parser.js';
import { MIGRATIONS } from '../../../sandbox/schema.js';

const MYSQL = [
  '-- CreateTable',
  'CREATE TABLE `accounts` (',
  '    `id` VARCHAR(191) NOT NULL,',
  '    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),',
  '    PRIMARY KEY (`id`)',
  ') DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci ENGINE=InnoDB;',
  '',
].join('\n');
const SQLITE = 'CREATE TABLE "User" (\n    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,\n    "email" TEXT NOT NULL\n);\nPRAGMA foreign_keys=OFF;\n';

const base = { provider: 'postgresql', schemaFile: 'prisma/schema.prisma', migrationsDir: 'prisma/migrations', lock: { file: 'prisma/migrations/migration_lock.toml', provider: 'postgresql', line: 3 } };
const repo = (sql: string, name = '20240101000000_x') => ({ name, file: `prisma/migrations/${name}/migration.sql`, sql });

test("PostgreSQL migrations parse; another database's SQL is refused at its line and named", async () => {
  const parser = await loadPgParser();
  const good = checkDialect({ ...base, migrations: MIGRATIONS.map((m) => repo(m.sql, m.name)) }, parser);
  assert.deepEqual(good, { problems: [], parsed: MIGRATIONS.length });

  const mysql = checkDialect({ ...base, migrations: [repo(MYSQL)] }, parser);
  assert.equal(mysql.problems.length, 1);
  const [problem] = mysql.problems;
  assert.deepEqual([problem!.kind, problem!.line, problem!.looksLike], ['not-postgresql', 2, 'MySQL']);
  assert.match(problem!.message, /syntax error at or near "`".*MySQL SQL: backquoted identifiers, ENGINE=, DEFAULT CHARACTER SET/);

  const sqlite = checkDialect({ ...base, migrations: [repo(SQLITE)] }, parser);
  assert.deepEqual(sqlite.problems.map((p) => [p.line, p.looksLike]), [[2, 'SQLite']]);
});

test('the lock: another provider is P3019, none is a problem of its own; another datasource is not parsed', () => {
  const mismatch = checkDialect({ ...base, lock: { ...base.lock, provider: 'mysql' }, migrations: [] });
  assert.deepEqual(mismatch.problems.map((p) => [p.kind, p.file, p.line]), [['lock-mismatch', 'prisma/migrations/migration_lock.toml', 3]]);
  assert.match(mismatch.problems[0]!.message, /says the migrations are for mysql, but prisma\/schema\.prisma uses postgresql: prisma migrate deploy stops with P3019/);
  const noLock = checkDialect({ ...base, lock: undefined, migrations: [] });
  assert.deepEqual(noLock.problems.map((p) => p.kind), ['no-lock']);
  // "postgres" and "postgresql" are one provider to Prisma.
  assert.deepEqual(checkDialect({ ...base, provider: 'postgres', migrations: [] }).problems, []);
  // A MySQL app whose lock agrees: nothing the PostgreSQL parser could judge.
  assert.deepEqual(checkDialect({ ...base, provider: 'mysql', lock: { ...base.lock, provider: 'mysql' }, migrations: [repo(MYSQL)] }), { problems: [], parsed: 0 });
  assert.equal(otherDialect('CREATE TABLE "x" ("id" SERIAL PRIMARY KEY);'), undefined);
});
