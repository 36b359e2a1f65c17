/**
 * The prediction of `prisma migrate deploy` on a real PostgreSQL 18, one failure class per case
 * (./prediction-cases.ts): the failing twin is predicted to fail with the SQLSTATE, then really
 * applied with the sandbox's `migrate deploy` and fails with exactly that one; the passing twin (the
 * same migration on clean data) is predicted to pass and applies. Then the sessions: a lock held by
 * another session (will wait, and the deploy does wait), a role's lock_timeout (55P03), Prisma's
 * advisory lock held by another deploy (P1002), rows hidden by row-level security (unknown, never
 * passes), the time budget; and the proof that the prediction only reads.
 *
 * One server for the file, a database per case, independent cases run concurrently.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PREDICTION_CASES, PredictionHarness, verdictOf } from './prediction-cases.js';

let h: PredictionHarness;
before(async () => {
  h = await PredictionHarness.start();
});
after(async () => {
  await h?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it is true (at most `ms`). */
async function until(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(20);
  }
}

// Everything below runs four at a time: each case has its own database, and most of the time is waiting.
describe('the prediction of migrate deploy', { concurrency: 4 }, () => {
  describe('each failure class: the failing twin is predicted and fails so, the passing twin passes and applies', { concurrency: 4 }, () => {
    for (const c of PREDICTION_CASES) {
      test(c.name, async () => {
        const failing = await h.database(`${c.setup} ${c.breakIt}`, c.admin?.setup);
        await h.asAdmin(failing, c.admin?.breakIt);
        const passing = await h.database(c.setup, c.admin?.setup);
        await h.asAdmin(passing, c.admin?.passing);

        const [bad, good] = await Promise.all([h.predict(failing, c.migration), h.predict(passing, c.migration)]);
        const predicted = verdictOf(bad);
        assert.equal(predicted.outcome, 'fail', `${c.name}: ${predicted.reason}`);
        assert.equal(predicted.sqlstate, c.sqlstate, predicted.reason);
        assert.equal(verdictOf(good).outcome, 'pass', `${c.name} (clean): ${verdictOf(good).reason}`);

        const [applyBad, applyGood] = await Promise.all([h.apply(failing, c.migration), h.apply(passing, c.migration)]);
        assert.equal(applyBad.sqlstate, c.sqlstate, 'PostgreSQL refuses it with the predicted SQLSTATE');
        // P3018, or for a file in its own BEGIN … COMMIT the engine's "current transaction is aborted".
        assert.equal(applyBad.prisma, c.migration.includes('\nBEGIN;') ? 'engine error' : 'P3018');
        assert.deepEqual(applyGood, {}, 'the clean twin applies');
      });
    }
  });

  describe('what a failure says: the rows, the query to list them, never their values', { concurrency: 3 }, () => {
    test('duplicates: how many rows, the GROUP BY query, and no value of the rows', async () => {
      const c = PREDICTION_CASES[0]!;
      const db = await h.database(`${c.setup} ${c.breakIt} INSERT INTO "User" VALUES ('dup2', 'user7@acme.test', NULL), ('dup3', NULL, NULL), ('dup4', NULL, NULL);`);
      const s = (await h.predict(db, c.migration)).statements[0]!;
      assert.equal(s.outcome, 'fail');
      assert.deepEqual(s.rows, { count: 3 }, 'three rows share user7@acme.test; NULLs are never duplicates (NULLS DISTINCT)');
      assert.match(s.reason, /^3 rows of "User" share one key value: duplicates in "User"\("email"\)$/);
      assert.equal(s.query, `SELECT "email", count(*) FROM ONLY "public"."User" WHERE "email" IS NOT NULL GROUP BY "email" HAVING count(*) > 1;`);
      assert.doesNotMatch(JSON.stringify(s), /user7@acme\.test/, 'no value of the rows');
    });

    test('NULLS NOT DISTINCT and a partial unique index are checked as PostgreSQL checks them', async () => {
      const db = await h.database(`CREATE TABLE "Seat" ("id" INT PRIMARY KEY, "code" TEXT, "active" BOOLEAN NOT NULL);
        INSERT INTO "Seat" VALUES (1, NULL, true), (2, NULL, true), (3, 'a', false), (4, 'a', true);`);
      const notDistinct = await h.predict(db, 'CREATE UNIQUE INDEX "Seat_code_key" ON "Seat"("code") NULLS NOT DISTINCT;');
      assert.equal(verdictOf(notDistinct).sqlstate, '23505', 'two NULLs collide under NULLS NOT DISTINCT');
      const partial = await h.predict(db, 'CREATE UNIQUE INDEX "Seat_active_code_key" ON "Seat"("code") WHERE "active";');
      assert.equal(verdictOf(partial).outcome, 'pass', 'the duplicate "a" has one inactive row, outside the index');
      assert.deepEqual(await h.apply(db, 'CREATE UNIQUE INDEX "Seat_active_code_key" ON "Seat"("code") WHERE "active";'), {});
    });

    test('a unique index the database already has on part of the key proves there is no duplicate, without a scan', async () => {
      const db = await h.database(PREDICTION_CASES[0]!.setup);
      const p = await h.predict(db, 'CREATE UNIQUE INDEX "User_id_email_key" ON "User"("id", "email");');
      assert.equal(verdictOf(p).outcome, 'pass');
      assert.match(p.statements[0]!.checked[0]!, /the unique index "User_pkey" on \("id"\) already rules them out$/);
      assert.equal(p.queries, 1, 'the catalog query alone');
    });

    test('a table whose statistics count no row but that has rows fails; a never-analysed one too', async () => {
      const c = PREDICTION_CASES.find((x) => x.sqlstate === '23502' && x.migration.includes('ADD COLUMN'))!;
      const db = await h.database(`CREATE TABLE "Team" ("id" TEXT PRIMARY KEY); ANALYZE "Team"; INSERT INTO "Team" SELECT 't' || g FROM generate_series(1, 20) g;`);
      assert.equal(verdictOf(await h.predict(db, c.migration)).sqlstate, '23502');
      // reltuples = -1: never vacuumed nor analysed (autovacuum is too slow to see a fresh table).
      const fresh = await h.database(`CREATE TABLE "Team" ("id" TEXT PRIMARY KEY); INSERT INTO "Team" VALUES ('t1');`);
      assert.equal(verdictOf(await h.predict(fresh, c.migration)).sqlstate, '23502');
    });
  });

  describe('sessions and locks', { concurrency: 3 }, () => {
    test('an idle-in-transaction session that read the table makes a brief ACCESS EXCLUSIVE wait, with every later query queued behind it', async () => {
      const db = await h.database(`CREATE TABLE "Team" ("id" TEXT PRIMARY KEY); INSERT INTO "Team" VALUES ('t1');`);
      const sql = 'ALTER TABLE "Team" ADD COLUMN "nickname" TEXT;';
      assert.equal(verdictOf(await h.predict(db, sql)).outcome, 'pass', 'without the session it passes');
      const report = await h.session(db, 'metabase');
      await report.query('BEGIN; SELECT count(*) FROM "Team"');
      try {
        const p = await h.predict(db, sql);
        const s = p.statements[0]!;
        assert.equal(s.outcome, 'wait');
        assert.equal(s.waits?.holders[0]?.application, 'metabase');
        assert.equal(s.waits?.holders[0]?.state, 'idle in transaction');
        assert.match(s.reason, /needs ACCESS EXCLUSIVE on "Team", which conflicts with pid \d+, "metabase", user app \(idle in transaction for .*, transaction open .*\) holds ACCESS SHARE: it waits, and every later query on "Team" queues behind it/);
        assert.match(p.advice[0]!.text, /SET lock_timeout = '5s';/);

        // The deploy does wait, and the app's next read of the table queues behind it.
        const applying = h.apply(db, sql);
        const probe = await h.session(db, 'probe');
        const app = await h.session(db, 'app-request');
        try {
          await until(async () => (await probe.query(`SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND application_name = 'prisma-migrate' AND wait_event_type = 'Lock'`, [db])).rowCount === 1);
          const read = app.query('SELECT count(*) FROM "Team"');
          await until(async () => (await probe.query(`SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND application_name = 'app-request' AND wait_event_type = 'Lock'`, [db])).rowCount === 1);
          await report.query('COMMIT');
          assert.deepEqual(await applying, {}, 'it applies once the session lets go');
          await read;
        } finally {
          await probe.end();
          await app.end();
        }
      } finally {
        await report.end().catch(() => undefined);
      }
    });

    test('with the role\'s lock_timeout the wait ends in 55P03, and migrate deploy fails so', async () => {
      const db = await h.database(`CREATE TABLE "Team" ("id" TEXT PRIMARY KEY); INSERT INTO "Team" VALUES ('t1');`);
      await h.asAdmin(db, `ALTER ROLE app IN DATABASE ${db} SET lock_timeout = '300ms'`);
      const sql = 'ALTER TABLE "Team" ADD COLUMN "nickname" TEXT;';
      const report = await h.session(db, 'nightly-report');
      await report.query('BEGIN; SELECT count(*) FROM "Team"');
      try {
        const p = await h.predict(db, sql);
        assert.deepEqual(p.session?.timeouts.find((t) => t.name === 'lock_timeout'), { name: 'lock_timeout', ms: 300, source: `role "app" in database "${db}"` });
        const s = verdictOf(p);
        assert.equal(s.outcome, 'fail');
        assert.equal(s.sqlstate, '55P03');
        assert.match(s.reason, /lock_timeout \(300 ms\) then cancels it/);
        assert.deepEqual(p.advice, [], 'a lock_timeout is set: no advice');
        assert.deepEqual(await h.apply(db, sql), { prisma: 'P3018', sqlstate: '55P03' });
      } finally {
        await report.end();
      }
    });

    test('another deploy holding Prisma\'s advisory lock: migrate deploy waits 10 s and fails with P1002', async () => {
      const db = await h.database(`CREATE TABLE "Team" ("id" TEXT PRIMARY KEY);`);
      const sql = 'ALTER TABLE "Team" ADD COLUMN "plan" TEXT;';
      assert.equal((await h.predict(db, sql)).advisory, undefined);
      const other = await h.session(db, 'prisma-migrate-other-deploy');
      await other.query('SELECT pg_advisory_lock(72707369)');
      try {
        const p = await h.predict(db, sql);
        assert.equal(p.advisory?.holders[0]?.application, 'prisma-migrate-other-deploy');
        assert.equal(p.advisory?.disabled, false);
        assert.equal((await h.predict(db, sql, { migrateEnv: { PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK: '1' } })).advisory?.disabled, true);
        // Slow on purpose: Prisma's own 10-second wait for the lock, then P1002 (a timeout, not a SQL error).
        const result = await h.apply(db, sql);
        assert.deepEqual(result, { prisma: 'P1002', sqlstate: undefined });
        // The other deploy still holds the lock: the migration gave up on it, it did not take it.
        const held = await other.query<{ n: string }>("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = 72707369 AND granted");
        assert.equal(held.rows[0]!.n, '1');
      } finally {
        await other.end();
      }
    });

    test('rows hidden by row-level security make the prediction unknown, never a pass (the index build sees every row)', async () => {
      const c = PREDICTION_CASES[0]!;
      const db = await h.database(`${c.setup} ${c.breakIt}
        ALTER TABLE "User" ENABLE ROW LEVEL SECURITY; ALTER TABLE "User" FORCE ROW LEVEL SECURITY;
        CREATE POLICY "tenant" ON "User" USING ("id" <> 'dup');`);
      const s = verdictOf(await h.predict(db, c.migration));
      assert.equal(s.outcome, 'unknown');
      assert.match(s.reason, /row-level security on "User" hides rows from role "app"/);
      assert.deepEqual(await h.apply(db, c.migration), { prisma: 'P3018', sqlstate: '23505' }, 'a pass would have been wrong');
    });
  });

  describe('safe by construction', { concurrency: 3 }, () => {
    test('the prediction only reads: AccessShareLock at most, no advisory lock, zero writes, nothing left open', async () => {
      const c = PREDICTION_CASES.find((x) => x.name.startsWith('validated foreign key'))!;
      const db = await h.database(`${c.setup} ${c.breakIt} ${PREDICTION_CASES[0]!.setup} ANALYZE;`);
      const sql = [c.migration, 'CREATE UNIQUE INDEX "User_email_key" ON "User"("email");', 'ALTER TABLE "User" ALTER COLUMN "name" SET NOT NULL;', 'ALTER TABLE "Member" ADD COLUMN "x" TEXT NOT NULL;'].join('\n');
      const admin = await h.server.adminClient(db);
      try {
        const counters = async () => {
          await admin.query('SELECT pg_stat_clear_snapshot()');
          const { rows } = await admin.query(
            `SELECT d.tup_inserted::int8 + d.tup_updated::int8 + d.tup_deleted::int8 AS writes,
                    (SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_user_tables)::int8 AS table_writes
               FROM pg_stat_database d WHERE d.datname = current_database()`,
          );
          return rows[0] as { writes: string; table_writes: string };
        };
        await admin.query('SELECT pg_stat_force_next_flush()');
        const before = await counters();

        // Sample the gate's locks while it predicts.
        const modes = new Set<string>();
        let sampling = true;
        const sampler = (async () => {
          while (sampling) {
            const { rows } = await admin.query(
              `SELECT l.locktype, l.mode FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE a.application_name = 'production-readiness-gate' AND a.datname = current_database() AND l.locktype IN ('relation', 'advisory', 'tuple', 'object')`,
            );
            for (const r of rows) modes.add(`${r.locktype}:${r.mode}`);
            await sleep(2);
          }
        })();
        const p = await h.predict(db, sql);
        sampling = false;
        await sampler;
        assert.deepEqual(p.counts, { fail: 2, wait: 0, unknown: 0, pass: 2 }, JSON.stringify(p.statements.map((s) => s.reason)));
        assert.ok(modes.size > 0, 'the sampler saw the gate read');
        assert.deepEqual([...modes].sort(), ['relation:AccessShareLock']);

        // The gate's session is gone (closed, not left idle in a transaction), and wrote nothing.
        await until(async () => (await admin.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'production-readiness-gate'`)).rowCount === 0);
        await sleep(50);
        assert.deepEqual(await counters(), before, 'no row inserted, updated or deleted');
      } finally {
        await admin.end();
      }
    });

    test('past its time budget the prediction stops, and what it did not check is unknown', async () => {
      const db = await h.database(PREDICTION_CASES[0]!.setup);
      const p = await h.predict(db, PREDICTION_CASES[0]!.migration, { budgetMs: 1 });
      assert.equal(verdictOf(p).outcome, 'unknown');
      assert.match(verdictOf(p).reason, /time budget \(1 ms\)/);
    });

    test('an expression that is not side-effect free is never run on production', async () => {
      const db = await h.database(`CREATE TABLE "Team" ("id" INT PRIMARY KEY); INSERT INTO "Team" VALUES (1);`);
      const p = await h.predict(db, 'ALTER TABLE "Team" ADD CONSTRAINT "evil" CHECK (pg_terminate_backend("id") OR true);');
      assert.equal(verdictOf(p).outcome, 'unknown');
      assert.match(verdictOf(p).reason, /pg_terminate_backend\(\), which is volatile or outside pg_catalog: the gate does not run it on production/);
    });
  });
});
