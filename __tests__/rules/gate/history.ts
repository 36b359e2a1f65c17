/**
 * A real PostgreSQL with a Prisma migration history, for the gate rules that read it: each fixture
 * gets its own database with `_prisma_migrations` rows as Prisma writes them, and a repository with
 * migration files. The URL names a production host that `resolve` maps to the local server.
 */
import { createHash, randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Settings } from '../../../src/settings.js';
import { freePort } from '../../../sandbox/net.js';
import { startPostgres, type PostgresHandle } from '../../../sandbox/postgres.js';
import { PRISMA_MIGRATIONS_TABLE_SQL } from '../../../sandbox/schema.js';
import { goodEnv, settingsFor, tempRepo } from '../../helpers.js';

export const sha = (text: string) => createHash('sha256').update(text).digest('hex');
export const migrationFile = (name: string) => `prisma/migrations/${name}/migration.sql`;

export interface HistoryRow {
  name: string;
  checksum?: string;
  finished?: boolean;
  rolledBack?: boolean;
  logs?: string;
}

export interface HistoryFixture {
  settings: Settings;
  /** The fixture's database on the server (undefined for an unreachable one). */
  database?: string;
  cleanup(): void;
}

let counter = 0;

export function startHistoryServer(): Promise<PostgresHandle> {
  return startPostgres({ tls: false });
}

/**
 * `migrations`: name → SQL of the repository's files. `rows`: the history (checksums default to the
 * file's). `table: false` leaves out `_prisma_migrations` (a database Prisma never managed).
 */
export async function historyFixture(
  server: PostgresHandle,
  migrations: Record<string, string>,
  rows: HistoryRow[],
  options: { table?: boolean; inputs?: Record<string, string>; setup?: (client: pg.Client) => Promise<unknown>; files?: Record<string, string> } = {},
): Promise<HistoryFixture> {
  const database = `history_${process.pid}_${++counter}`;
  const admin = await server.adminClient();
  // FILE_COPY: a disposable database is copied faster than it is WAL-logged.
  await admin.query(`CREATE DATABASE ${database} STRATEGY = FILE_COPY`);
  await admin.end();
  const client = await server.adminClient(database);
  try {
    if (options.table !== false) await client.query(PRISMA_MIGRATIONS_TABLE_SQL);
    await options.setup?.(client);
    let minute = 0;
    for (const row of rows) {
      await client.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1)`,
        [randomUUID(), row.checksum ?? sha(migrations[row.name] ?? row.name), row.finished === false ? null : new Date(), row.name, row.logs ?? null, row.rolledBack ? new Date() : null, new Date(Date.UTC(2024, 0, 1, 0, minute++))],
      );
    }
  } finally {
    await client.end();
  }
  const repo = tempRepo({ ...options.files, ...Object.fromEntries(Object.entries(migrations).map(([name, sql]) => [migrationFile(name), sql])) });
  const url = `postgresql://${server.user}:${encodeURIComponent(server.password)}@db.acme-saas.com:${server.port}/${database}?sslmode=disable`;
  const settings = await settingsFor(
    { ...goodEnv(), DATABASE_URL: url },
    { repo: repo.dir, inputs: { resolve: `db.acme-saas.com:${server.port}:127.0.0.1`, 'timeout-seconds': '5', ...options.inputs } },
  );
  return { settings, database, cleanup: repo.cleanup };
}

/** Settings whose database refuses connections (a closed local port), with the given files. */
export async function unreachableFixture(migrations: Record<string, string>, files: Record<string, string> = {}): Promise<HistoryFixture> {
  const port = await freePort();
  const repo = tempRepo({ ...files, ...Object.fromEntries(Object.entries(migrations).map(([name, sql]) => [migrationFile(name), sql])) });
  const settings = await settingsFor(
    { ...goodEnv(), DATABASE_URL: `postgresql://u:p@db.acme-saas.com:${port}/app?sslmode=disable` },
    { repo: repo.dir, inputs: { resolve: `db.acme-saas.com:${port}:127.0.0.1`, 'timeout-seconds': '3' } },
  );
  return { settings, cleanup: repo.cleanup };
}
