/**
 * What gate.migration-safety claims about PostgreSQL, checked on a real PostgreSQL 18: the lock each
 * risk kind documents (from src/analysis/migrations/risks.ts, so the docs cannot drift from the
 * server), which statements rewrite the table, what PostgreSQL refuses inside the one transaction a
 * Prisma migration file runs in, the "unsafe use of new value" of enums, and SET NOT NULL skipping
 * its scan after a validated CHECK; and the lock table of the prediction (which modes conflict, the
 * lock each statement asks for). Each case runs inside a transaction that is rolled back.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { startPostgres, type PostgresHandle } from '../../../sandbox/postgres.js';
import { RISKS, type RiskKind } from '../../../src/analysis/migrations/risks.js';
import { storedType, typeChangeEffect } from '../../../src/analysis/migrations/grade.js';
import { typeSpec } from '../../../src/analysis/migrations/lint.js';
import { loadPgParser } from '../../../src/analysis/migrations/pg-parser.js';
import { conflicts, LOCK_MODES, LOCK_NAMES, type LockMode } from '../../../src/analysis/migrations/locks.js';
import { planPendingSet } from '../../../src/analysis/migrations/plan.js';

let server: PostgresHandle;
let client: pg.Client;
let schemaCount = 0;

before(async () => {
  server = await startPostgres({ tls: false });
  client = await server.adminClient();
});
after(async () => {
  await client?.end();
  await server?.stop();
});

/**
 * A fresh schema with a table `t` of 1,000 rows (an index `t_n`, a foreign-key column to `u`), an
 * empty table `e`, an enum `role`, a sequence, a materialized view, and a schema `doomed` holding a table.
 */
async function fixture(): Promise<string> {
  const s = `facts_${++schemaCount}`;
  await client.query(`
    CREATE SCHEMA ${s}; SET search_path = ${s};
    CREATE TYPE role AS ENUM ('USER', 'OWNER');
    CREATE TABLE u (id int PRIMARY KEY);
    INSERT INTO u SELECT g FROM generate_series(1, 10) g;
    CREATE TABLE t (id int PRIMARY KEY, n int, v varchar(100), s text, ts timestamp(3), num numeric(10,2), uid int, r role NOT NULL DEFAULT 'USER', cidr_col cidr);
    INSERT INTO t SELECT g, g, 'v', 's', now(), 1.5, 1 + g % 10, 'USER', '10.0.0.0/8' FROM generate_series(1, 1000) g;
    CREATE INDEX t_n ON t (n);
    CREATE TABLE e (id int PRIMARY KEY, n int);
    CREATE SEQUENCE seq;
    CREATE MATERIALIZED VIEW mv AS SELECT 1 AS x;
    CREATE SCHEMA ${s}_doomed; CREATE TABLE ${s}_doomed.x (a int);`);
  return s;
}

const MODE: Record<string, string> = {
  'ACCESS EXCLUSIVE': 'AccessExclusiveLock',
  'SHARE ROW EXCLUSIVE': 'ShareRowExclusiveLock',
  'SHARE UPDATE EXCLUSIVE': 'ShareUpdateExclusiveLock',
  'ROW EXCLUSIVE': 'RowExclusiveLock',
  SHARE: 'ShareLock',
  EXCLUSIVE: 'ExclusiveLock',
};

/** The lock mode a kind's documentation names first ("SHARE ROW EXCLUSIVE on both tables …" → ShareRowExclusiveLock). */
function documentedMode(kind: RiskKind): string {
  const lock: string = RISKS[kind].lock;
  const name = Object.keys(MODE).find((m) => lock.startsWith(`${m} `));
  assert.ok(name, `${kind}: the lock "${lock}" names no PostgreSQL lock mode`);
  return MODE[name]!;
}

/** An object whose locks are read: a relation (regclass) or a type or schema (pg_locks "object" locks). */
type Target = { relation: string } | { type: string } | { schema: string };

async function oidOf(target: Target): Promise<{ column: 'relation' | 'objid'; oid: number }> {
  if ('relation' in target) return { column: 'relation', oid: Number((await client.query(`SELECT $1::regclass::oid AS oid`, [target.relation])).rows[0].oid) };
  if ('type' in target) return { column: 'objid', oid: Number((await client.query(`SELECT $1::regtype::oid AS oid`, [target.type])).rows[0].oid) };
  return { column: 'objid', oid: Number((await client.query(`SELECT oid FROM pg_namespace WHERE nspname = $1`, [target.schema])).rows[0].oid) };
}

/** Runs `sql` in a transaction that is rolled back; resolves to the lock modes held on each target, and whether `t` was rewritten. */
async function runAndInspect(sql: string, targets: Target[]): Promise<{ modes: string[][]; rewrote: boolean }> {
  const oids = await Promise.all(targets.map(oidOf));
  const filenode = async () => (await client.query(`SELECT pg_relation_filenode(to_regclass('t')) AS f`)).rows[0].f as string | null;
  const before = await filenode();
  await client.query('BEGIN');
  try {
    await client.query(sql);
    const modes: string[][] = [];
    for (const { column, oid } of oids) {
      const { rows } = await client.query<{ mode: string }>(`SELECT mode FROM pg_locks WHERE pid = pg_backend_pid() AND ${column} = $1`, [oid]);
      modes.push(rows.map((r) => r.mode));
    }
    return { modes, rewrote: (await filenode()) !== before };
  } finally {
    await client.query('ROLLBACK');
  }
}

/** Every kind with a lock on a relation or type, with a statement that shows it on the fixture. */
const LOCK_CASES: Array<{ kind: RiskKind; sql: (s: string) => string; on: (s: string) => Target[]; rewrite?: boolean }> = [
  { kind: 'add-column-not-null', sql: () => 'ALTER TABLE e ADD COLUMN x int NOT NULL', on: () => [{ relation: 'e' }] },
  { kind: 'add-column-rewrite', sql: () => 'ALTER TABLE t ADD COLUMN x uuid DEFAULT gen_random_uuid()', on: () => [{ relation: 't' }], rewrite: true },
  { kind: 'create-index', sql: () => 'CREATE INDEX t_s ON t (s)', on: () => [{ relation: 't' }] },
  { kind: 'drop-index', sql: () => 'DROP INDEX t_n', on: () => [{ relation: 't' }] },
  { kind: 'reindex', sql: () => 'REINDEX INDEX t_n', on: () => [{ relation: 't' }] },
  { kind: 'add-unique-constraint', sql: () => 'ALTER TABLE t ADD CONSTRAINT t_n_key UNIQUE (n)', on: () => [{ relation: 't' }] },
  { kind: 'add-foreign-key', sql: () => 'ALTER TABLE t ADD CONSTRAINT t_uid_fkey FOREIGN KEY (uid) REFERENCES u (id)', on: () => [{ relation: 't' }, { relation: 'u' }] },
  { kind: 'add-check-constraint', sql: () => 'ALTER TABLE t ADD CONSTRAINT t_n_check CHECK (n > 0)', on: () => [{ relation: 't' }] },
  { kind: 'set-not-null', sql: () => 'ALTER TABLE t ALTER COLUMN n SET NOT NULL', on: () => [{ relation: 't' }] },
  { kind: 'alter-column-type', sql: () => 'ALTER TABLE t ALTER COLUMN n TYPE bigint', on: () => [{ relation: 't' }], rewrite: true },
  { kind: 'set-logged', sql: () => 'ALTER TABLE t SET UNLOGGED', on: () => [{ relation: 't' }], rewrite: true },
  { kind: 'cluster', sql: () => 'CLUSTER t USING t_pkey', on: () => [{ relation: 't' }], rewrite: true },
  { kind: 'update-without-where', sql: () => 'UPDATE t SET n = n + 1', on: () => [{ relation: 't' }] },
  { kind: 'delete-without-where', sql: () => 'DELETE FROM t', on: () => [{ relation: 't' }] },
  { kind: 'truncate', sql: () => 'TRUNCATE t CASCADE', on: () => [{ relation: 't' }] },
  { kind: 'drop-table', sql: () => 'DROP TABLE t', on: () => [{ relation: 't' }] },
  { kind: 'drop-column', sql: () => 'ALTER TABLE t DROP COLUMN s', on: () => [{ relation: 't' }] },
  { kind: 'drop-schema-cascade', sql: (s) => `DROP SCHEMA ${s}_doomed CASCADE`, on: (s) => [{ relation: `${s}_doomed.x` }, { schema: `${s}_doomed` }] },
  { kind: 'drop-materialized-view', sql: () => 'DROP MATERIALIZED VIEW mv', on: () => [{ relation: 'mv' }] },
  { kind: 'drop-type', sql: () => 'DROP TYPE role CASCADE', on: () => [{ type: 'role' }] },
  { kind: 'drop-sequence', sql: () => 'DROP SEQUENCE seq', on: () => [{ relation: 'seq' }] },
  { kind: 'rename-table', sql: () => 'ALTER TABLE t RENAME TO t2', on: () => [{ relation: 't' }] },
  { kind: 'rename-column', sql: () => 'ALTER TABLE t RENAME COLUMN s TO s2', on: () => [{ relation: 't' }] },
  { kind: 'rename-enum-value', sql: () => "ALTER TYPE role RENAME VALUE 'OWNER' TO 'ADMIN'", on: () => [{ type: 'role' }] },
];

test('every risk kind with a lock takes the lock its documentation names, on a real PostgreSQL', async () => {
  const documented = new Set(LOCK_CASES.map((c) => c.kind));
  const lockless: RiskKind[] = ['syntax-error', 'refused-in-transaction', 'enum-value-used-in-transaction', 'dynamic-sql', 'vacuum-full'];
  for (const kind of Object.keys(RISKS) as RiskKind[]) {
    assert.ok(documented.has(kind) || lockless.includes(kind), `${kind} has no lock case`);
  }
  for (const c of LOCK_CASES) {
    const s = await fixture();
    const { modes, rewrote } = await runAndInspect(c.sql(s), c.on(s));
    for (const held of modes) assert.ok(held.includes(documentedMode(c.kind)), `${c.kind}: ${c.sql(s)} holds ${held.join(', ') || 'nothing'}, the docs say ${RISKS[c.kind].lock}`);
    if (c.rewrite !== undefined) assert.equal(rewrote, c.rewrite, `${c.kind}: rewrite`);
  }
});

test('VACUUM FULL waits for an ACCESS EXCLUSIVE lock and rewrites the table', async () => {
  const s = await fixture();
  const reader = await server.adminClient();
  const vacuumer = await server.adminClient();
  try {
    await reader.query(`SET search_path = ${s}; BEGIN; SELECT count(*) FROM t`);
    const before = (await client.query(`SELECT pg_relation_filenode('t') AS f`)).rows[0].f;
    await vacuumer.query(`SET search_path = ${s}`);
    const running = vacuumer.query('VACUUM FULL t');
    let waiting: string[] = [];
    for (let i = 0; i < 100 && waiting.length === 0; i++) {
      waiting = (await client.query<{ mode: string }>(`SELECT mode FROM pg_locks WHERE relation = 't'::regclass AND NOT granted`)).rows.map((r) => r.mode);
      if (waiting.length === 0) await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual(waiting, ['AccessExclusiveLock']);
    await reader.query('COMMIT');
    await running;
    assert.notEqual((await client.query(`SELECT pg_relation_filenode('t') AS f`)).rows[0].f, before);
  } finally {
    await reader.end();
    await vacuumer.end();
  }
});

test('ADD COLUMN … NOT NULL without a default fails on a table with rows (23502) and passes on an empty one', async () => {
  await fixture();
  await assert.rejects(client.query('ALTER TABLE t ADD COLUMN x int NOT NULL'), { code: '23502', message: 'column "x" of relation "t" contains null values' });
  await client.query('BEGIN');
  await client.query('ALTER TABLE e ADD COLUMN x int NOT NULL');
  await client.query('ROLLBACK');
});

test('which ADD COLUMN forms rewrite the table: volatile defaults, serial, identity and STORED generated do; constants, now() and VIRTUAL do not', async () => {
  const cases: Array<[string, boolean]> = [
    ['ADD COLUMN x uuid DEFAULT gen_random_uuid()', true],
    ['ADD COLUMN x timestamptz DEFAULT clock_timestamp()', true],
    ['ADD COLUMN x float8 DEFAULT random()', true],
    ['ADD COLUMN x uuid DEFAULT uuidv7()', true],
    ['ADD COLUMN x serial', true],
    ['ADD COLUMN x bigint GENERATED ALWAYS AS IDENTITY', true],
    ['ADD COLUMN x int GENERATED ALWAYS AS (n * 2) STORED', true],
    ['ADD COLUMN x int GENERATED ALWAYS AS (n * 2) VIRTUAL', false],
    ["ADD COLUMN x text NOT NULL DEFAULT 'k'", false],
    ['ADD COLUMN x timestamptz NOT NULL DEFAULT now()', false],
    ['ADD COLUMN x timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP', false],
    ['ADD COLUMN x text', false],
  ];
  await fixture();
  for (const [action, rewrites] of cases) {
    const { rewrote } = await runAndInspect(`ALTER TABLE t ${action}`, []);
    assert.equal(rewrote, rewrites, action);
  }
});

test('which ALTER COLUMN TYPE changes rewrite, as typeChangeEffect predicts them from the stored type', async () => {
  const parser = await loadPgParser();
  const cases: Array<[column: string, to: string, timeZone?: string]> = [
    ['v', 'varchar(512)'],
    ['v', 'text'],
    ['v', 'varchar'],
    ['v', 'varchar(50)'],
    ['s', 'varchar(100)'],
    ['s', 'varchar'],
    ['n', 'bigint'],
    ['n', 'int4'],
    ['num', 'numeric(12,2)'],
    ['num', 'numeric(12,3)'],
    ['num', 'numeric'],
    ['num', 'numeric(8,2)'],
    ['ts', 'timestamp(6)'],
    ['ts', 'timestamp'],
    ['ts', 'timestamp(0)'],
    ['ts', 'timestamptz(3)', 'UTC'],
    ['ts', 'timestamptz(3)', 'Europe/Paris'],
    ['cidr_col', 'inet'],
    ['n', 'text'],
  ];
  await fixture();
  for (const [column, to, timeZone] of cases) {
    const stored = (await client.query(`SELECT t.typname, a.atttypmod, a.attndims FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid WHERE a.attrelid = 't'::regclass AND a.attname = $1`, [column])).rows[0];
    const from = storedType(stored.typname, stored.atttypmod, stored.attndims);
    const parsed = parser.parse(`ALTER TABLE t ALTER COLUMN ${column} TYPE ${to}`);
    assert.ok(!('error' in parsed));
    const target = typeSpec(parsed.statements[0]!.stmt.AlterTableStmt.cmds[0].AlterTableCmd.def.ColumnDef.typeName);
    const predicted = typeChangeEffect(from, target, false, timeZone ?? 'UTC');
    const { rewrote } = await runAndInspect(`SET LOCAL TimeZone = '${timeZone ?? 'UTC'}'; ALTER TABLE t ALTER COLUMN ${column} TYPE ${to}`, []);
    assert.equal(predicted !== 'none', rewrote, `${column} ${from.name}(${from.mods}) → ${to} (${timeZone ?? 'UTC'}): predicted ${predicted}, the server ${rewrote ? 'rewrote' : 'did not rewrite'}`);
  }
});

test('a multi-statement query is one transaction: PostgreSQL refuses CONCURRENTLY, VACUUM and the like in it, and accepts them alone', async () => {
  const refused = [
    ['CREATE INDEX CONCURRENTLY t_s ON t (s)', 'CREATE INDEX CONCURRENTLY cannot run inside a transaction block'],
    ['DROP INDEX CONCURRENTLY t_n', 'DROP INDEX CONCURRENTLY cannot run inside a transaction block'],
    ['REINDEX INDEX CONCURRENTLY t_n', 'REINDEX CONCURRENTLY cannot run inside a transaction block'],
    ['VACUUM t', 'VACUUM cannot run inside a transaction block'],
    ['REINDEX SCHEMA public', 'REINDEX SCHEMA cannot run inside a transaction block'],
    ['CLUSTER', 'CLUSTER cannot run inside a transaction block'],
    ["ALTER SYSTEM SET work_mem = '4MB'", 'ALTER SYSTEM cannot run inside a transaction block'],
    ['CREATE DATABASE never_created', 'CREATE DATABASE cannot run inside a transaction block'],
  ];
  const s = await fixture();
  for (const [statement, message] of refused) {
    await assert.rejects(client.query(`SELECT 1; ${statement}`), { code: '25001', message }, statement);
  }
  await client.query(`SET search_path = ${s}`);
  await client.query('CREATE INDEX CONCURRENTLY t_s ON t (s)');
  await client.query('DROP INDEX CONCURRENTLY t_s');
  // Comments are not statements: a file with only comments around it is still one statement.
  await client.query('-- CreateIndex\nCREATE INDEX CONCURRENTLY t_s ON t (s); -- done\n');
});

test('an enum value added in a transaction cannot be used before it commits ("unsafe use of new value"); a later transaction may', async () => {
  await fixture();
  await assert.rejects(client.query(`ALTER TYPE role ADD VALUE 'ADMIN'; ALTER TABLE t ALTER COLUMN r SET DEFAULT 'ADMIN'`), { code: '55P04', message: 'unsafe use of new value "ADMIN" of enum type role' });
  await assert.rejects(client.query(`ALTER TYPE role ADD VALUE 'GUEST'; UPDATE t SET r = 'USER' WHERE r = 'GUEST'`), { code: '55P04' });
  await client.query(`ALTER TYPE role ADD VALUE 'GUEST'`);
  await client.query(`UPDATE t SET r = 'GUEST' WHERE id = 1`);
});

test('SET NOT NULL scans the table unless a validated CHECK (col IS NOT NULL) proves it; NOT VALID proves nothing', async () => {
  await fixture();
  const notices: string[] = [];
  const onNotice = (n: { message?: string }) => notices.push(n.message ?? '');
  client.on('notice', onNotice);
  try {
    await client.query('SET client_min_messages = debug1');
    await client.query('ALTER TABLE t ADD CONSTRAINT t_n_nn CHECK (n IS NOT NULL) NOT VALID');
    notices.length = 0;
    await client.query('BEGIN; ALTER TABLE t ALTER COLUMN n SET NOT NULL; ROLLBACK');
    assert.ok(notices.includes('verifying table "t"'), notices.join(' | '));
    await client.query('ALTER TABLE t VALIDATE CONSTRAINT t_n_nn');
    notices.length = 0;
    await client.query('ALTER TABLE t ALTER COLUMN n SET NOT NULL');
    assert.ok(notices.some((m) => /existing constraints on column "t\.n" are sufficient to prove that it does not contain nulls/.test(m)), notices.join(' | '));
    assert.ok(!notices.includes('verifying table "t"'));
    // PostgreSQL 18: a NOT NULL constraint added NOT VALID, then validated, makes the column NOT NULL.
    await client.query('ALTER TABLE t ADD CONSTRAINT t_v_nn NOT NULL v NOT VALID');
    await client.query('ALTER TABLE t VALIDATE CONSTRAINT t_v_nn');
    assert.equal((await client.query(`SELECT attnotnull FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'v'`)).rows[0].attnotnull, true);
  } finally {
    await client.query('SET client_min_messages = notice');
    client.off('notice', onNotice);
  }
});

test('VALIDATE CONSTRAINT takes SHARE UPDATE EXCLUSIVE (reads and writes go on) when it runs in its own migration', async () => {
  await fixture();
  await client.query('ALTER TABLE t ADD CONSTRAINT t_uid_fkey FOREIGN KEY (uid) REFERENCES u (id) NOT VALID');
  const { modes } = await runAndInspect('ALTER TABLE t VALIDATE CONSTRAINT t_uid_fkey', [{ relation: 't' }]);
  assert.deepEqual([...modes[0]!].sort(), ['AccessShareLock', 'ShareUpdateExclusiveLock']);
});

test('catalog estimates: a table filled after its indexes were built and never analyzed has reltuples -1 but a heap; an empty one has no heap; an index build or ANALYZE sets the estimate', async () => {
  await fixture();
  const estimates = async () =>
    (await client.query(`SELECT relname, reltuples, pg_relation_size(oid)::int > 0 AS heap FROM pg_class WHERE oid IN ('u'::regclass, 'e'::regclass, 't'::regclass) ORDER BY relname`)).rows;
  assert.deepEqual(await estimates(), [
    { relname: 'e', reltuples: -1, heap: false },
    { relname: 't', reltuples: 1000, heap: true }, // CREATE INDEX t_n counted the rows
    { relname: 'u', reltuples: -1, heap: true },
  ]);
  await client.query('ANALYZE u');
  assert.equal((await client.query(`SELECT reltuples FROM pg_class WHERE oid = 'u'::regclass`)).rows[0].reltuples, 10);
});

test('the lock conflict table the prediction uses is PostgreSQL\'s: a lock waits exactly when another session holds a conflicting one', async () => {
  const s = await fixture();
  const holder = await server.adminClient();
  const asker = await server.adminClient();
  try {
    await holder.query(`SET search_path = ${s}`);
    await asker.query(`SET search_path = ${s}`);
    const sqlMode = (m: LockMode) => LOCK_NAMES[m];
    for (const held of LOCK_MODES) {
      await holder.query(`BEGIN; LOCK TABLE t IN ${sqlMode(held)} MODE`);
      for (const asked of LOCK_MODES) {
        await asker.query('BEGIN');
        const waited = await asker.query(`LOCK TABLE t IN ${sqlMode(asked)} MODE NOWAIT`).then(
          () => false,
          (e: { code?: string }) => e.code === '55P03',
        );
        await asker.query('ROLLBACK');
        assert.equal(waited, conflicts(asked, held), `${asked} asked while ${held} is held`);
      }
      await holder.query('ROLLBACK');
    }
  } finally {
    await holder.end();
    await asker.end();
  }
});

test('each statement asks for the lock the prediction plans for it (pg_locks inside the statement\'s transaction)', async () => {
  const parser = await loadPgParser();
  const cases = [
    'ALTER TABLE t ADD COLUMN x text',
    'ALTER TABLE t ALTER COLUMN n SET NOT NULL',
    'ALTER TABLE t ADD CONSTRAINT t_uid_fkey FOREIGN KEY (uid) REFERENCES u (id)',
    'ALTER TABLE t ADD CONSTRAINT t_uid_fkey FOREIGN KEY (uid) REFERENCES u (id) NOT VALID',
    'ALTER TABLE t ADD CONSTRAINT t_n_check CHECK (n > 0)',
    'CREATE INDEX t_s ON t (s)',
    'CREATE UNIQUE INDEX t_id_key ON t (id)',
    'TRUNCATE t CASCADE',
    'UPDATE t SET n = n + 1 WHERE id = 1',
    'DELETE FROM t WHERE id = 1',
    'ALTER TABLE t RENAME COLUMN s TO s2',
    'DROP TABLE t CASCADE',
  ];
  for (const sql of cases) {
    const s = await fixture();
    const plan = planPendingSet(parser, [{ name: 'm', file: 'm.sql', sql }], s);
    const needs = plan.statements.flatMap((st) => st.locks);
    assert.ok(needs.length > 0, `${sql}: the plan asks for no lock`);
    const { modes } = await runAndInspect(sql, needs.map((n) => ({ relation: n.rel.name })));
    needs.forEach((n, i) => assert.ok(modes[i]!.includes(n.mode), `${sql}: planned ${n.mode} on ${n.rel.name}, PostgreSQL holds ${modes[i]!.join(', ')}`));
  }
});
