/**
 * Prisma Migrate's bookkeeping in `_prisma_migrations`, as Prisma's schema engine does it on
 * PostgreSQL (prisma-engines: schema-engine/core/src/commands/apply_migrations.rs, mark_migration_*
 * and the SQL migration persistence). Works on any connected `pg` client; the CLI (./index.js) and
 * the sandbox (to give a scenario its history) share it.
 *
 * - deploy: take the advisory lock (waiting at most 10 s, then P1002; PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK
 *   turns it off); create `_prisma_migrations` when missing (P3005 when the schema
 *   already has objects); refuse with P3009 while a row has finished_at and rolled_back_at NULL;
 *   apply the migrations not recorded (ignoring rolled-back rows) in name order. Each one: insert its
 *   row (checksum = SHA-256 hex of the file, started_at), run the whole file as one simple query
 *   (PostgreSQL runs a multi-statement query as one implicit transaction, so a failing file leaves
 *   nothing behind, and CREATE INDEX CONCURRENTLY only works alone in its file), then count the step
 *   and set finished_at; on error, store the error in `logs`, leave finished_at NULL: P3018.
 * - resolve --rolled-back / --applied, and status.
 * Checksums of applied migrations are not compared: `migrate deploy` does not do it either.
 */
import { createHash, randomUUID } from 'node:crypto';

const LOCK_ID = 72707369;
const RESOLVE_DOCS = 'Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve';

/** A Prisma error with its code. `inline` errors print as `Error: P1001: message`, others as `Error: P3009` + blank line + message. */
export class PrismaError extends Error {
  constructor(code, message, inline = false) {
    super(message);
    this.code = code;
    this.inline = inline;
  }

  format() {
    return this.inline ? `Error: ${this.code}: ${this.message}` : `Error: ${this.code}\n\n${this.message}`;
  }
}

export function checksum(script) {
  return createHash('sha256').update(script, 'utf8').digest('hex');
}

const quote = (identifier) => `"${identifier.replace(/"/g, '""')}"`;
const table = (schema) => `${quote(schema)}."_prisma_migrations"`;

/** The rows, oldest first, with started_at as Prisma prints it (`2024-09-23 09:15:02.123456 UTC`). */
async function listRows(client, schema) {
  const { rows } = await client.query(
    `SELECT "id", "checksum", "migration_name", "logs", "finished_at", "rolled_back_at", "applied_steps_count",
            to_char("started_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || ' UTC' AS "started"
       FROM ${table(schema)} ORDER BY "started_at" ASC`,
  );
  return rows;
}

async function tableExists(client, schema) {
  const { rows } = await client.query(
    `SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = '_prisma_migrations' AND c.relkind IN ('r', 'p')`,
    [schema],
  );
  return rows.length > 0;
}

/** Tables, views, sequences and enums: what makes Prisma call a schema "not empty". */
async function schemaIsEmpty(client, schema) {
  const { rows } = await client.query(
    `SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S'))
          + (SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
              WHERE n.nspname = $1 AND t.typtype = 'e') AS "objects"`,
    [schema],
  );
  return Number(rows[0].objects) === 0;
}

/** Prisma's `initialize`: create the table in an empty schema, refuse (P3005) in a non-empty one. */
async function initialize(client, schema) {
  if (await tableExists(client, schema)) return;
  if (!(await schemaIsEmpty(client, schema))) {
    throw new PrismaError(
      'P3005',
      'The database schema is not empty. Read more about how to baseline an existing production database: https://pris.ly/d/migrate-baseline',
    );
  }
  await client.query(`CREATE TABLE ${table(schema)} (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`);
}

/** How long Prisma waits for its advisory lock (schema-engine's ADVISORY_LOCK_TIMEOUT). */
export const ADVISORY_LOCK_TIMEOUT_MS = 10_000;

/** `PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK`: set, non-empty and not `0`, it turns the lock off (Prisma's rule). */
function advisoryLockDisabled(env = process.env) {
  const value = env.PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK;
  return value !== undefined && value !== '' && value !== '0';
}

/**
 * `SELECT pg_advisory_lock(72707369)`, bounded as Prisma bounds it: a client-side timeout of 10 s,
 * after which it fails with P1002. Prisma's engine drops the waiting query and exits, which closes
 * its connection and ends the wait on the server; here the client is ended the same way.
 */
async function acquireLock(client) {
  let timer;
  const lock = client.query(`SELECT pg_advisory_lock(${LOCK_ID})`);
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ADVISORY_LOCK_TIMEOUT_MS);
  });
  try {
    const first = await Promise.race([lock.then(() => 'locked'), timeout]);
    if (first === 'locked') return;
  } finally {
    clearTimeout(timer);
  }
  lock.catch(() => undefined);
  await client.end().catch(() => undefined);
  const where = `\`${client.host ?? 'localhost'}\`:\`${client.port ?? 5432}\``;
  throw new PrismaError(
    'P1002',
    `The database server at ${where} was reached but timed out.\n\nPlease try again.\n\nPlease make sure your database server is running at ${where}.\n\n` +
      `Context: Timed out trying to acquire a postgres advisory lock (SELECT pg_advisory_lock(${LOCK_ID})). Elapsed: ${ADVISORY_LOCK_TIMEOUT_MS}ms. See https://pris.ly/d/migrate-advisory-locking for details.\n`,
  );
}

async function withLock(client, fn) {
  if (advisoryLockDisabled()) return fn();
  await acquireLock(client);
  try {
    return await fn();
  } finally {
    await client.query(`SELECT pg_advisory_unlock(${LOCK_ID})`).catch(() => undefined);
  }
}

const isFailed = (row) => row.finished_at === null && row.rolled_back_at === null;

/**
 * `prisma migrate deploy`. `migrations`: `{ name, script, file? }[]` in name order (the directories of
 * prisma/migrations; `script` undefined when the directory has no migration.sql). `onApplying(name)` is called before each one runs. Resolves to the names applied.
 */
export async function deploy(client, migrations, { schema = 'public', onApplying } = {}) {
  return withLock(client, async () => {
    await initialize(client, schema);
    const rows = await listRows(client, schema);
    const failed = rows.filter(isFailed);
    if (failed.length > 0) {
      const details = failed
        .map((row) => {
          const logs = row.logs?.trim() ? ` with the following logs:\n${row.logs.trim()}` : '';
          return `The \`${row.migration_name}\` migration started at ${row.started} failed${logs}\n`;
        })
        .join('');
      throw new PrismaError(
        'P3009',
        `migrate found failed migrations in the target database, new migrations will not be applied. ${RESOLVE_DOCS}\n${details}`,
      );
    }
    const recorded = new Set(rows.filter((r) => r.rolled_back_at === null).map((r) => r.migration_name));
    const applied = [];
    for (const migration of migrations.filter((m) => !recorded.has(m.name))) {
      if (migration.script === undefined) {
        throw new PrismaError(
          'P3015',
          `Could not find the migration file at ${migration.file ?? `${migration.name}/migration.sql`}. Please delete the directory or restore the migration file.`,
        );
      }
      onApplying?.(migration.name);
      const id = randomUUID();
      await client.query(
        `INSERT INTO ${table(schema)} ("id", "checksum", "migration_name", "started_at") VALUES ($1, $2, $3, now())`,
        [id, checksum(migration.script), migration.name],
      );
      try {
        await client.query(migration.script);
      } catch (error) {
        if (!error || typeof error.code !== 'string' || !/^[0-9A-Z]{5}$/.test(error.code)) throw error;
        const failure = applyMigrationError(migration.name, error);
        try {
          await client.query(`UPDATE ${table(schema)} SET "logs" = $1 WHERE "id" = $2`, [failure.message, id]);
        } catch (logError) {
          // A file that opens its own transaction (BEGIN; … COMMIT;, as Prisma writes an enum rebuild) and
          // fails inside it leaves the session in an aborted transaction block: Prisma's bookkeeping
          // query then fails too, the engine stops with that error (the database's own error is not
          // printed), and the row stays without logs or finished_at. The engine's exit ends the session.
          if (logError?.code !== '25P02') throw logError;
          await client.query('ROLLBACK').catch(() => undefined);
          throw new EngineError(abortedTransactionMessage(migration.name), error);
        }
        throw failure;
      }
      await client.query(`UPDATE ${table(schema)} SET "applied_steps_count" = "applied_steps_count" + 1 WHERE "id" = $1`, [id]);
      await client.query(`UPDATE ${table(schema)} SET "finished_at" = now() WHERE "id" = $1`, [id]);
      applied.push(migration.name);
    }
    return applied;
  });
}

/** An error of the schema engine without a Prisma code, printed as the engine prints it. `cause`: the database's error. */
export class EngineError extends PrismaError {
  constructor(message, cause) {
    super('', message);
    this.cause = cause;
  }

  format() {
    return `Error: ${this.message}`;
  }
}

function abortedTransactionMessage(name) {
  return (
    'ERROR: current transaction is aborted, commands ignored until end of transaction block\n' +
    '   0: schema_commands::commands::apply_migrations::Applying migration\n' +
    `           with migration_name=${JSON.stringify(name)}\n` +
    '             at schema-engine/commands/src/commands/apply_migrations.rs:91\n' +
    '   1: schema_core::state::ApplyMigrations\n' +
    '             at schema-engine/core/src/state.rs:236'
  );
}

/** P3018 with the database error as tokio-postgres shows it. */
function applyMigrationError(name, error) {
  const opt = (v) => (v === undefined || v === null ? 'None' : `Some(${JSON.stringify(String(v))})`);
  const dbError =
    `DbError { severity: ${JSON.stringify(error.severity ?? 'ERROR')}, code: SqlState(E${error.code}), ` +
    `message: ${JSON.stringify(error.message)}, detail: ${opt(error.detail)}, hint: ${opt(error.hint)}, ` +
    `position: ${error.position ? `Some(Original(${error.position}))` : 'None'}, where_: ${opt(error.where)}, ` +
    `schema: ${opt(error.schema)}, table: ${opt(error.table)}, column: ${opt(error.column)}, ` +
    `datatype: ${opt(error.dataType)}, constraint: ${opt(error.constraint)}, file: ${opt(error.file)}, ` +
    `line: ${error.line ? `Some(${error.line})` : 'None'}, routine: ${opt(error.routine)} }`;
  return new PrismaError(
    'P3018',
    `A migration failed to apply. New migrations cannot be applied before the error is recovered from. ${RESOLVE_DOCS}\n\n` +
      `Migration name: ${name}\n\nDatabase error code: ${error.code}\n\nDatabase error:\n` +
      `${error.severity ?? 'ERROR'}: ${error.message}\n\n${dbError}\n`,
  );
}

/** `prisma migrate resolve --rolled-back <name>`. */
export async function markRolledBack(client, name, { schema = 'public' } = {}) {
  return withLock(client, async () => {
    await initialize(client, schema);
    const rows = (await listRows(client, schema)).filter((r) => r.migration_name === name);
    if (rows.length === 0) {
      throw new PrismaError(
        'P3011',
        `Migration \`${name}\` cannot be rolled back because it was never applied to the database. Hint: did you pass in the whole migration name? (example: "20201207184859_initial_migration")`,
      );
    }
    const failed = rows.filter(isFailed);
    if (failed.length === 0) {
      throw new PrismaError('P3012', `Migration \`${name}\` cannot be rolled back because it is not in a failed state.`);
    }
    for (const row of failed) {
      await client.query(`UPDATE ${table(schema)} SET "rolled_back_at" = now() WHERE "id" = $1`, [row.id]);
    }
  });
}

/** `prisma migrate resolve --applied <name>`; `migration` is undefined when prisma/migrations has no such directory. */
export async function markApplied(client, name, migration, { schema = 'public' } = {}) {
  if (!migration) {
    throw new PrismaError(
      'P3017',
      `The migration ${name} could not be found. Please make sure that the migration exists, and that you included the whole name of the directory. (example: "20201207184859_initial_migration")`,
    );
  }
  return withLock(client, async () => {
    await initialize(client, schema);
    const rows = (await listRows(client, schema)).filter((r) => r.migration_name === name);
    if (rows.some((r) => r.finished_at !== null)) {
      throw new PrismaError('P3008', `The migration \`${name}\` is already recorded as applied in the database.`);
    }
    for (const row of rows.filter(isFailed)) {
      await client.query(`UPDATE ${table(schema)} SET "rolled_back_at" = now() WHERE "id" = $1`, [row.id]);
    }
    await client.query(
      `INSERT INTO ${table(schema)} ("id", "checksum", "migration_name", "started_at", "finished_at", "applied_steps_count")
       VALUES ($1, $2, $3, now(), now(), 0)`,
      [randomUUID(), checksum(migration.script), name],
    );
  });
}

/**
 * `prisma migrate status`, read-only: what is failed, not yet applied, or applied but missing from
 * prisma/migrations. No table yet means every migration is pending.
 */
export async function status(client, migrations, { schema = 'public' } = {}) {
  const rows = (await tableExists(client, schema)) ? await listRows(client, schema) : [];
  const live = rows.filter((r) => r.rolled_back_at === null);
  const local = new Set(migrations.map((m) => m.name));
  return {
    failed: [...new Set(live.filter(isFailed).map((r) => r.migration_name))],
    pending: migrations.filter((m) => !live.some((r) => r.migration_name === m.name)).map((m) => m.name),
    missingLocally: [...new Set(live.filter((r) => !local.has(r.migration_name)).map((r) => r.migration_name))],
  };
}
