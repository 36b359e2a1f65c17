/**
 * What a change does to Prisma's migration folders (Atlas's `migrate lint --git-base` view): the
 * migrations it adds are what the next deploy applies, and an edit or a deletion of a migration the
 * base has is a problem in itself. Prisma records a checksum per applied migration and
 * `migrate deploy` never runs an applied migration again: an edited file is silently ignored where
 * it was applied ("No pending migrations to apply"), a deleted one leaves its changes in place.
 */
import type { ChangedFiles } from '../../engine/types.js';
import { MIGRATIONS_DIR } from '../../probes/migrations.js';

export interface MigrationChange {
  /** The migration's folder name (`_prisma_migrations.migration_name`). */
  name: string;
  /** Its migration.sql, relative to the working directory. */
  file: string;
  change: 'edited' | 'deleted';
}

/** The migration name of a `prisma/migrations/<name>/migration.sql` path, else undefined. */
export function migrationName(path: string, dir = MIGRATIONS_DIR): string | undefined {
  const match = new RegExp(`^${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/([^/]+)/migration\\.sql$`).exec(path);
  return match?.[1];
}

/** The migrations the change adds (a folder renamed counts as added under its new name). */
export function addedMigrations(diff: ChangedFiles, dir = MIGRATIONS_DIR): string[] {
  const names = [...diff.added, ...diff.renamed.map((r) => r.to)].map((p) => migrationName(p, dir)).filter((n): n is string => n !== undefined);
  return [...new Set(names)].sort();
}

/** The base's migrations that the change edits or deletes (a folder renamed away is deleted). */
export function changedMigrations(diff: ChangedFiles, dir = MIGRATIONS_DIR): MigrationChange[] {
  const out: MigrationChange[] = [];
  for (const file of diff.modified) {
    const name = migrationName(file, dir);
    if (name) out.push({ name, file, change: 'edited' });
  }
  for (const file of [...diff.deleted, ...diff.renamed.map((r) => r.from)]) {
    const name = migrationName(file, dir);
    if (name) out.push({ name, file, change: 'deleted' });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
