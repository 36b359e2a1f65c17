/**
 * The production database the migration corpus is graded against: the app's schema (the sandbox's
 * release migrations) with rows in some tables and none in others, statistics gathered, an empty
 * `_prisma_migrations` (so every file of a corpus repository is pending), and a few objects the
 * app does not have (a varchar table, a schema, a materialized view, an unused enum, a sequence, an
 * unlogged table) for the kinds that need them.
 *
 * Also the corpus runner: a group of migration files goes through the real rule, and each file is
 * run on the database in a transaction that is rolled back, so the rule's "this will fail" is
 * compared with what PostgreSQL does.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type pg from 'pg';
import { runRules } from '../../../src/engine/runner.js';
import type { RuleReport } from '../../../src/engine/types.js';
import { createClients } from '../../../src/probes/clients.js';
import { migrationSafety } from '../../../src/rules/gate/migration-safety.js';
import { startPostgres, type PostgresHandle } from '../../../sandbox/postgres.js';
import { MIGRATIONS, PRISMA_MIGRATIONS_TABLE_SQL } from '../../../sandbox/schema.js';
import { goodEnv, settingsFor, silentLog, tempRepo } from '../../helpers.js';

/** Row counts of the corpus database. Tables not listed are empty. */
export const CORPUS_ROWS = { User: 30, Team: 50, TeamMember: 30, Session: 200, ApiKey: 10, Service: 3, Price: 5, WebhookEvent: 6000, Legacy: 100 };

/** The corpus grades with a row threshold that "WebhookEvent" (6,000 rows) is over. */
export const CORPUS_CONFIG = { level: 'warn' as const, 'block-above-mb': 100, 'block-above-rows': 5000, 'prediction-budget-seconds': 30 };

export async function createCorpusDatabase(server: PostgresHandle, database: string): Promise<void> {
  const admin = await server.adminClient();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const c = await server.adminClient(database);
  try {
    for (const m of MIGRATIONS) await c.query(m.sql);
    await c.query(PRISMA_MIGRATIONS_TABLE_SQL);
    await c.query(`
      INSERT INTO "User" ("id", "name", "email") SELECT 'u' || g, 'User ' || g, 'user' || g || '@acme.test' FROM generate_series(1, 30) g;
      INSERT INTO "Team" ("id", "name", "slug", "domain", "billingId") SELECT 't' || g, 'Team ' || g, 'team-' || g, 'team' || g || '.test', 'cus_' || g FROM generate_series(1, 50) g;
      INSERT INTO "TeamMember" ("id", "teamId", "userId", "role") SELECT 'm' || g, 't' || g, 'u' || g, CASE WHEN g % 2 = 0 THEN 'ADMIN' ELSE 'MEMBER' END::"Role" FROM generate_series(1, 30) g;
      INSERT INTO "Session" ("id", "sessionToken", "userId", "expires") SELECT 's' || g, 'tok' || g, 'u' || (1 + g % 30), now() + interval '1 day' FROM generate_series(1, 200) g;
      INSERT INTO "ApiKey" ("id", "name", "teamId", "hashedKey") SELECT 'k' || g, 'key ' || g, 't' || g, 'hash' || g FROM generate_series(1, 10) g;
      INSERT INTO "Service" ("id", "description", "features", "image", "name", "created") SELECT 'prod_' || g, 'Plan ' || g, '{}', '', 'Plan ' || g, now() FROM generate_series(1, 3) g;
      INSERT INTO "Price" ("id", "billingScheme", "currency", "serviceId", "amount", "metadata", "type", "created") SELECT 'price_' || g, 'per_unit', 'usd', 'prod_' || (1 + g % 3), 1000 * g, '{}', 'recurring', now() FROM generate_series(1, 5) g;
      INSERT INTO "WebhookEvent" ("id", "type", "livemode", "payload", "processedAt") SELECT 'evt_' || g, 'invoice.paid', true, '{"object": "event"}', now() FROM generate_series(1, 6000) g;
      CREATE TABLE "Legacy" ("id" INTEGER PRIMARY KEY, "title" VARCHAR(100), "stock" INTEGER, "price" NUMERIC(10,2), "at" TIMESTAMP(3),
        CONSTRAINT "Legacy_title_not_null" CHECK ("title" IS NOT NULL));
      INSERT INTO "Legacy" SELECT g, 'Item ' || g, g, 9.99, now() FROM generate_series(1, 100) g;
      CREATE SCHEMA "archive"; CREATE TABLE "archive"."OldInvoice" ("id" TEXT PRIMARY KEY);
      CREATE MATERIALIZED VIEW "TeamStats" AS SELECT count(*) AS "teams" FROM "Team";
      CREATE TYPE "LegacyStatus" AS ENUM ('ACTIVE', 'RETIRED');
      CREATE SEQUENCE "invoice_number_seq";
      CREATE UNLOGGED TABLE "CacheEntry" ("key" TEXT PRIMARY KEY, "value" TEXT);
      INSERT INTO "CacheEntry" SELECT 'k' || g, 'v' FROM generate_series(1, 10) g;
      ANALYZE;`);
  } finally {
    await c.end();
  }
}

/** One migration file of the corpus and the findings the rule must report for it. */
export interface CorpusCase {
  /** Directory name suffix: `<stamp>_<name>`. */
  name: string;
  sql: string;
  /** `kind@line:level`, level fail | warn | note; empty: nothing to report. */
  expect: string[];
  /**
   * Whether to run the file alone on the database to compare (default true). False for a file that
   * only makes sense after an earlier file of its group, or that names an object the database lacks
   * on purpose.
   */
  executes?: boolean;
}

const LEVEL = { error: 'fail', warning: 'warn', notice: 'note' } as const;

let stamp = 20250101000000;

/** `kind@line:level` of each finding of the report, by file. */
export function findingsByFile(report: RuleReport): Map<string, string[]> {
  const byFile = new Map<string, string[]>();
  for (const f of report.findings) {
    const kind = /\[([a-z-]+)\]$/.exec(f.message)?.[1] ?? '?';
    const list = byFile.get(f.file!) ?? [];
    list.push(`${kind}@${f.line}:${LEVEL[f.level]}`);
    byFile.set(f.file!, list);
  }
  return byFile;
}

/**
 * Runs the group through gate.migration-safety as one pending set (in order) and checks every file's
 * findings; then runs each file alone on the database (rolled back) and checks that the files the
 * rule says fail are exactly those PostgreSQL refuses.
 */
export async function checkCorpusGroup(server: PostgresHandle, database: string, cases: readonly CorpusCase[]): Promise<RuleReport> {
  const names = cases.map((c) => `${stamp++}_${c.name}`);
  const file = (i: number) => `prisma/migrations/${names[i]}/migration.sql`;
  const repo = tempRepo(Object.fromEntries(cases.map((c, i) => [file(i), c.sql])));
  try {
    const url = `postgresql://${server.user}:${encodeURIComponent(server.password)}@db.acme-saas.com:${server.port}/${database}?sslmode=disable`;
    const settings = await settingsFor({ ...goodEnv(), DATABASE_URL: url }, { repo: repo.dir, inputs: { resolve: `db.acme-saas.com:${server.port}:127.0.0.1`, 'timeout-seconds': '10' } });
    settings.config = { ...settings.config, 'migration-safety': CORPUS_CONFIG };
    const clients = createClients(settings);
    let report: RuleReport;
    try {
      [report] = (await runRules([migrationSafety], { context: { settings, clients, log: silentLog }, probeTimeoutMs: 30_000, commandTimeoutMs: 30_000 })) as [RuleReport];
    } finally {
      await clients.close();
    }
    assert.notEqual(report.status, 'skip', report.summary);
    const got = findingsByFile(report);
    const mismatches: string[] = [];
    cases.forEach((c, i) => {
      const actual = [...(got.get(file(i)) ?? [])].sort();
      const expected = [...c.expect].sort();
      if (actual.join() !== expected.join()) mismatches.push(`${c.name}: expected [${expected.join(', ')}], got [${actual.join(', ')}]`);
    });
    assert.deepEqual(mismatches, [], `${mismatches.length} corpus files disagree:\n${mismatches.join('\n')}\n\n${report.details ?? report.summary}`);

    const client = await server.adminClient(database);
    try {
      const disagreements: string[] = [];
      for (const [i, c] of cases.entries()) {
        if (c.executes === false) continue;
        const predicted =
          (got.get(file(i)) ?? []).some((f) => /^(syntax-error|refused-in-transaction|enum-value-used-in-transaction|add-column-not-null|will-fail)@\d+:fail$/.test(f)) ||
          report.findings.some((f) => f.file === file(i) && f.level === 'error' && /Prediction: will fail /.test(f.message));
        const error = await runRolledBack(client, c.sql);
        const failed = error !== undefined;
        if (predicted !== failed) disagreements.push(`${c.name}: the rule ${predicted ? 'predicts a failure' : 'predicts none'}, PostgreSQL ${failed ? `refuses it: ${error}` : 'runs it'}`);
      }
      assert.deepEqual(disagreements, [], disagreements.join('\n'));
    } finally {
      await client.end();
    }
    return report;
  } finally {
    repo.cleanup();
  }
}

/**
 * The file as Prisma sends it (one query: one implicit transaction when it has several statements),
 * inside a transaction that is rolled back. A lone statement PostgreSQL refuses in a transaction
 * block (CONCURRENTLY, VACUUM) runs for Prisma, so that refusal does not count.
 */
async function runRolledBack(client: pg.Client, sql: string): Promise<string | undefined> {
  await client.query('BEGIN');
  try {
    await client.query(sql);
    return undefined;
  } catch (error) {
    const e = error as { code?: string; message: string };
    if (e.code === '25001' && !sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, '').trim().replace(/;\s*$/, '').includes(';')) return undefined;
    return `${e.code}: ${e.message}`;
  } finally {
    await client.query('ROLLBACK');
  }
}

/**
 * One test per corpus group against one PostgreSQL for the file: the corpus is split over two test
 * files only so that node:test runs them in parallel.
 */
export function corpusGroupTests(groups: Readonly<Record<string, readonly CorpusCase[]>>): void {
  let server: PostgresHandle | undefined;
  before(async () => {
    server = await startPostgres({ tls: false });
    await createCorpusDatabase(server, 'corpus');
  });
  after(async () => {
    await server?.stop();
  });
  for (const [group, cases] of Object.entries(groups)) {
    test(`corpus ${group}: ${cases.length} migrations report exactly their expected findings, and fail exactly when PostgreSQL refuses them`, async () => {
      await checkCorpusGroup(server!, 'corpus', cases);
    });
  }
}
