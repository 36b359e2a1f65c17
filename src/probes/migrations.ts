/**
 * The repository side of Prisma Migrate: `prisma/migrations/<name>/migration.sql`, read once per run
 * and shared by gate.migrations and gate.migration-safety.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface RepoMigration {
  /** The directory name, which is `_prisma_migrations.migration_name`. */
  name: string;
  /** Path of migration.sql relative to the repository root. */
  file: string;
  sql: string;
  /**
   * SHA-256 hex digests Prisma accepts for this file: as-is, with CRLF turned to LF, and with LF
   * turned to CRLF (a checkout with autocrlf must not look like drift).
   */
  checksums: string[];
}

export const MIGRATIONS_DIR = 'prisma/migrations';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Migrations in name order (Prisma applies them in that order). Missing directory → []. */
export async function readMigrations(repoDir: string, dir = MIGRATIONS_DIR): Promise<RepoMigration[]> {
  let entries;
  try {
    entries = await readdir(join(repoDir, dir), { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const migrations = await Promise.all(
    names.map(async (name): Promise<RepoMigration | undefined> => {
      const file = `${dir}/${name}/migration.sql`;
      const sql = await readFile(join(repoDir, file), 'utf8').catch(() => undefined);
      if (sql === undefined) return undefined;
      const lf = sql.replace(/\r\n/g, '\n');
      const crlf = lf.replace(/\n/g, '\r\n');
      return { name, file, sql, checksums: [...new Set([sha256(sql), sha256(lf), sha256(crlf)])] };
    }),
  );
  return migrations.filter((m): m is RepoMigration => m !== undefined);
}

/** Rows written before Prisma padded its hex digests may lack leading zeros. */
export function checksumMatches(stored: string, candidates: readonly string[]): boolean {
  const s = stored.trim().toLowerCase();
  return candidates.some((c) => c === s || c.replace(/^0+/, '') === s.replace(/^0+/, ''));
}
