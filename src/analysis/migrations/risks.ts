/**
 * The risk kinds of gate.migration-safety: one entry per check, with the stable name that findings
 * carry (`[create-index]`) and docs/rules.md documents, the lock PostgreSQL takes, what breaks, the
 * safe recipe, and how the finding is graded. Every lock and failure claimed here is checked on a
 * real PostgreSQL 18 by __tests__/rules/gate/postgres-facts.test.ts.
 */

/**
 * How a finding's severity is decided:
 * - `certain`: PostgreSQL refuses the migration whatever the data: fail.
 * - `rows`: fails when the table has rows (fail), passes on an empty one (a note).
 * - `size`: a lock or rewrite whose length grows with the table: a note on an empty table, a
 *   warning, a failure above the `block-above-mb` / `block-above-rows` thresholds.
 * - `data`: loses data or breaks the release still running: a warning (the row count is said); on an
 *   empty table a note when nothing else is at stake (`emptyIsSafe`).
 * - `static`: a warning, whatever the data.
 * A table created earlier in the same pending set is new: no other code uses it and it holds no
 * rows, so only `certain` findings (and `rows` when the set inserted rows into it) remain.
 */
export type Grading = 'certain' | 'rows' | 'size' | 'data' | 'static';

export interface RiskInfo {
  title: string;
  /** The PostgreSQL lock, as the manual names it, and on what. */
  lock: string;
  /** What goes wrong in production (starts lower case; it follows "statement: "). */
  effect: string;
  /** The safe way to get the same change. */
  recipe: string;
  grading: Grading;
  /** For `data`: an empty table makes it harmless (nothing to lose, no running code at stake). */
  emptyIsSafe?: boolean;
}

export const RISKS = {
  'syntax-error': {
    title: 'PostgreSQL refuses the file',
    lock: 'none: the migration fails before it runs',
    effect: 'PostgreSQL refuses the file, so `migrate deploy` records the migration as failed and every later deploy stops with P3009',
    recipe: 'fix the SQL (run it on a copy of the database, or `prisma migrate dev` on a development one) before it is deployed',
    grading: 'certain',
  },
  'refused-in-transaction': {
    title: 'Statement refused inside a transaction block',
    lock: 'none: the migration fails',
    effect:
      'the migration fails: Prisma sends a migration file as one query, which PostgreSQL runs as one transaction when it holds more than one statement, and it refuses this statement there ("cannot run inside a transaction block")',
    recipe: 'move the statement into a migration of its own, with nothing else in the file (comments are fine)',
    grading: 'certain',
  },
  'enum-value-used-in-transaction': {
    title: 'New enum value used in the migration that adds it',
    lock: 'none: the migration fails',
    effect:
      'the migration fails with "unsafe use of new value": an enum value added by `ALTER TYPE … ADD VALUE` cannot be used before its transaction commits, and the whole migration file is one transaction',
    recipe: 'add the value in one migration and use it (defaults, updates, inserts) in a later one',
    grading: 'certain',
  },
  'add-column-not-null': {
    title: 'Required column added without a default',
    lock: 'ACCESS EXCLUSIVE on the table (brief)',
    effect:
      'the migration fails on a table with rows ("column … contains null values", 23502): Prisma records it as failed and P3009 blocks every deploy after it; the running release also cannot insert rows without the column',
    recipe:
      'add the column nullable (or with a constant DEFAULT), backfill it, then make it required in a later migration (`CHECK (col IS NOT NULL) NOT VALID`, `VALIDATE CONSTRAINT`, `SET NOT NULL`)',
    grading: 'rows',
  },
  'add-column-rewrite': {
    title: 'Column added with a rewrite (volatile default, serial, identity, stored generated)',
    lock: 'ACCESS EXCLUSIVE on the table for the whole rewrite',
    effect:
      'table rewrite under an ACCESS EXCLUSIVE lock: a volatile default (`gen_random_uuid()`, `clock_timestamp()`, `random()`, `nextval()`), a serial or identity column and a STORED generated column are computed for every existing row, and every read and write waits until it is done',
    recipe:
      'add the column without the default (nullable), set the default for new rows with `ALTER COLUMN … SET DEFAULT`, backfill existing rows in batches, then `SET NOT NULL` the safe way if needed',
    grading: 'size',
  },
  'create-index': {
    title: 'Index built without CONCURRENTLY',
    lock: 'SHARE on the table while the index builds',
    effect: 'long lock: building the index blocks every write to the table (inserts, updates, deletes) until it finishes',
    recipe: 'use `CREATE INDEX CONCURRENTLY`, alone in a migration of its own (PostgreSQL refuses it inside a transaction)',
    grading: 'size',
  },
  'drop-index': {
    title: 'Index dropped without CONCURRENTLY',
    lock: 'ACCESS EXCLUSIVE on the table',
    effect: 'the drop waits for every running query on the table and blocks every read and write queued behind it',
    recipe: 'use `DROP INDEX CONCURRENTLY`, alone in a migration of its own',
    grading: 'size',
  },
  reindex: {
    title: 'REINDEX without CONCURRENTLY',
    lock: 'SHARE on the table (ACCESS EXCLUSIVE on the index) while it rebuilds',
    effect: 'long lock: writes to the table wait while the index rebuilds, and queries that use the index wait too',
    recipe: 'use `REINDEX … CONCURRENTLY`, alone in a migration of its own (or run it outside the deploy)',
    grading: 'size',
  },
  'add-unique-constraint': {
    title: 'UNIQUE, PRIMARY KEY or EXCLUDE constraint built in place',
    lock: 'ACCESS EXCLUSIVE on the table while the index builds',
    effect: 'long lock: the constraint builds its index under an ACCESS EXCLUSIVE lock, so every read and write waits, and duplicate rows make the migration fail',
    recipe:
      'build the index first with `CREATE UNIQUE INDEX CONCURRENTLY` in a migration of its own, then `ADD CONSTRAINT … UNIQUE USING INDEX` (or `PRIMARY KEY USING INDEX`) in a later one',
    grading: 'size',
  },
  'add-foreign-key': {
    title: 'FOREIGN KEY added without NOT VALID',
    lock: 'SHARE ROW EXCLUSIVE on both tables during a full scan',
    effect: 'long lock: every existing row is checked while writes to both the table and the referenced table wait',
    recipe: 'add the constraint with `NOT VALID` (instant), then `VALIDATE CONSTRAINT` in a later migration (SHARE UPDATE EXCLUSIVE: reads and writes go on)',
    grading: 'size',
  },
  'add-check-constraint': {
    title: 'CHECK constraint added without NOT VALID',
    lock: 'ACCESS EXCLUSIVE on the table during a full scan',
    effect: 'long lock: every existing row is checked while every read and write waits, and a row that fails the check makes the migration fail',
    recipe: 'add the constraint with `NOT VALID` (instant), then `VALIDATE CONSTRAINT` in a later migration (SHARE UPDATE EXCLUSIVE: reads and writes go on)',
    grading: 'size',
  },
  'set-not-null': {
    title: 'SET NOT NULL with a full-table scan',
    lock: 'ACCESS EXCLUSIVE on the table during a full scan',
    effect: 'long lock: a full-table scan under an ACCESS EXCLUSIVE lock, and the migration fails if any row is NULL',
    recipe:
      'add `CHECK (col IS NOT NULL) NOT VALID`, `VALIDATE CONSTRAINT` it in a later migration, then `SET NOT NULL` (PostgreSQL 12+ skips the scan when a validated check proves it) and drop the check; on PostgreSQL 18, `ADD CONSTRAINT … NOT NULL col NOT VALID` then `VALIDATE CONSTRAINT` does it in two steps',
    grading: 'size',
  },
  'alter-column-type': {
    title: 'Column type change that rewrites the table',
    lock: 'ACCESS EXCLUSIVE on the table for the whole rewrite',
    effect:
      'table rewrite under an ACCESS EXCLUSIVE lock (every read and write waits) unless the cast is binary-compatible, and rows that do not cast make the migration fail',
    recipe: 'expand/contract: add a new column of the new type, backfill it in batches, switch the code to it, then drop the old column',
    grading: 'size',
  },
  'set-logged': {
    title: 'SET LOGGED / SET UNLOGGED',
    lock: 'ACCESS EXCLUSIVE on the table for the whole rewrite',
    effect: 'table rewrite under an ACCESS EXCLUSIVE lock: every read and write waits until the table is copied (and an UNLOGGED table is emptied by a crash and not replicated)',
    recipe: 'do not switch a live table; create the new table with the persistence you want and move the rows in batches',
    grading: 'size',
  },
  'vacuum-full': {
    title: 'VACUUM FULL',
    lock: 'ACCESS EXCLUSIVE on the table for the whole rewrite',
    effect: 'table rewrite under an ACCESS EXCLUSIVE lock: every read and write waits until the table is copied',
    recipe: 'leave space reclaiming to autovacuum, or use an online tool (pg_repack) outside the deploy',
    grading: 'size',
  },
  cluster: {
    title: 'CLUSTER',
    lock: 'ACCESS EXCLUSIVE on the table for the whole rewrite',
    effect: 'table rewrite under an ACCESS EXCLUSIVE lock: every read and write waits until the table is copied in index order',
    recipe: 'use an online tool (pg_repack) outside the deploy, or leave the order alone',
    grading: 'size',
  },
  'update-without-where': {
    title: 'UPDATE without WHERE',
    lock: 'ROW EXCLUSIVE on the table and a row lock on every row until the migration commits',
    effect: 'rewrites every row of the table in one transaction that row-locks all of it (and may overwrite good data)',
    recipe: 'add a WHERE that selects only the intended rows, and backfill large tables in batches outside the migration',
    grading: 'size',
  },
  'delete-without-where': {
    title: 'DELETE without WHERE',
    lock: 'ROW EXCLUSIVE on the table and a row lock on every row until the migration commits',
    effect: 'data loss: without WHERE every row of the table is deleted',
    recipe: 'add a WHERE that selects only the intended rows, and delete large sets in batches',
    grading: 'data',
    emptyIsSafe: true,
  },
  truncate: {
    title: 'TRUNCATE',
    lock: 'ACCESS EXCLUSIVE on the table',
    effect: 'data loss: every row of the table is deleted',
    recipe: 'do not empty tables in a deploy migration; if the data must go, delete it with a WHERE in a reviewed one-off script after a backup',
    grading: 'data',
    emptyIsSafe: true,
  },
  'drop-table': {
    title: 'DROP TABLE',
    lock: 'ACCESS EXCLUSIVE on the table',
    effect: 'data loss: the table and all its rows are deleted, and the release still running queries it',
    recipe: 'expand/contract: first ship a release that no longer uses the table, back it up, then drop it in a later migration',
    grading: 'data',
  },
  'drop-column': {
    title: 'DROP COLUMN',
    lock: 'ACCESS EXCLUSIVE on the table (brief)',
    effect: 'data loss, and the running release fails on every query that selects or writes the column',
    recipe: 'expand/contract: first ship a release that no longer reads or writes the column, then drop it in a later migration',
    grading: 'data',
  },
  'drop-schema-cascade': {
    title: 'DROP SCHEMA … CASCADE',
    lock: 'ACCESS EXCLUSIVE on every object in the schema',
    effect: 'data loss: every table, view, type and function in the schema is dropped with it',
    recipe: 'drop the objects one by one in reviewed migrations (so each is seen), or drop the schema without CASCADE once it is empty',
    grading: 'static',
  },
  'drop-materialized-view': {
    title: 'DROP MATERIALIZED VIEW',
    lock: 'ACCESS EXCLUSIVE on the view',
    effect: 'breaks running code: the release still serving traffic reads the view, and its data is gone until it is rebuilt',
    recipe: 'expand/contract: ship a release that no longer reads the view, then drop it in a later migration',
    grading: 'static',
  },
  'drop-type': {
    title: 'DROP TYPE',
    lock: 'ACCESS EXCLUSIVE on the type',
    effect: 'breaks running code: Prisma casts enum parameters to the type by name, so the release still running fails on every query that uses it',
    recipe: 'expand/contract: ship a release that no longer uses the type, then drop it in a later migration',
    grading: 'static',
  },
  'drop-sequence': {
    title: 'DROP SEQUENCE',
    lock: 'ACCESS EXCLUSIVE on the sequence',
    effect: 'breaks running code: inserts that take their ids from the sequence fail, and the counter is lost',
    recipe: 'expand/contract: ship a release that no longer uses the sequence (no default reads it), then drop it in a later migration',
    grading: 'static',
  },
  'rename-table': {
    title: 'Table renamed',
    lock: 'ACCESS EXCLUSIVE on the table (brief)',
    effect: 'breaks running code: the release still serving traffic queries the old name until the new one is out',
    recipe: 'keep the database name and rename only in schema.prisma with @@map, or expand/contract (new table, write both, backfill, switch reads, drop the old one later)',
    grading: 'static',
  },
  'rename-column': {
    title: 'Column renamed',
    lock: 'ACCESS EXCLUSIVE on the table (brief)',
    effect: 'breaks running code: the release still serving traffic queries the old column name until the new one is out',
    recipe: 'keep the database name and rename only in schema.prisma with @map, or expand/contract (add the new column, write both, backfill, switch reads, drop the old one later)',
    grading: 'static',
  },
  'rename-enum-value': {
    title: 'Enum value renamed',
    lock: 'EXCLUSIVE on the enum type (brief)',
    effect: 'breaks running code: the release still serving traffic writes the old enum value, which no longer exists',
    recipe: 'expand/contract: add the new value, switch the code and backfill rows, and remove the old value in a later migration',
    grading: 'static',
  },
  'dynamic-sql': {
    title: 'SQL built at run time in a DO block',
    lock: 'unknown: whatever the generated statements take',
    effect: 'the lint cannot see what a DO block runs with EXECUTE, so its locks and data changes are unchecked',
    recipe: 'write the statements out in the migration (generate the SQL before committing it), or review the DO block and waive the finding',
    grading: 'static',
  },
} as const satisfies Record<string, RiskInfo>;

export type RiskKind = keyof typeof RISKS;

export const RISK_KINDS = Object.keys(RISKS) as RiskKind[];
