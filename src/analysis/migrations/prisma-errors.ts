/**
 * Prisma error codes a failed `prisma migrate deploy` prints, each with one sentence on what it means
 * and what to do. Codes and meanings from Prisma's error reference.
 */
export interface PrismaErrorHelp {
  code: string;
  meaning: string;
  action: string;
}

export const PRISMA_ERRORS: Record<string, Omit<PrismaErrorHelp, 'code'>> = {
  P1000: { meaning: 'the database refused the credentials in DATABASE_URL', action: 'Check the user and password of DATABASE_URL in the deploy environment.' },
  P1001: { meaning: 'the database server could not be reached', action: 'Check the host and port of DATABASE_URL, that the database is up, and that this runner may connect to it (firewall, IP allow-list).' },
  P1002: { meaning: 'the database server was reached but timed out', action: 'Retry; if it persists, check the database load and connect_timeout.' },
  P1003: { meaning: 'the database named in DATABASE_URL does not exist', action: 'Create the database or fix its name in DATABASE_URL.' },
  P1010: { meaning: 'the database user was denied access', action: 'Grant the migration user the rights to the database and schema.' },
  P1011: { meaning: 'the TLS connection to the database could not be opened', action: 'Check sslmode and the CA (sslrootcert) in DATABASE_URL.' },
  P1017: { meaning: 'the server closed the connection', action: 'Check the database logs; a pooler in transaction mode needs a direct URL for migrations.' },
  P3005: { meaning: 'the database schema is not empty and has no migration history (it was created with db push or by hand)', action: 'Baseline it: mark the existing migrations as applied with `prisma migrate resolve --applied <name>`, as the runbook describes.' },
  P3006: { meaning: 'a migration failed to apply cleanly to the shadow database', action: 'Fix the migration SQL locally with `prisma migrate dev` and commit the corrected migration.' },
  P3008: { meaning: 'the migration is already recorded as applied', action: 'Nothing to apply; check that the migration history in the repository matches the database.' },
  P3009: { meaning: 'a failed migration is recorded in the database, so Prisma refuses to apply any further migration', action: 'Find why it failed, then mark it with `prisma migrate resolve --rolled-back <name>` (after reverting its partial changes) or `--applied <name>` (after completing them by hand).' },
  P3014: { meaning: 'Prisma could not create the shadow database', action: 'Give the user the right to create databases, or set shadowDatabaseUrl; migrate deploy itself needs no shadow database, so check that the command is not migrate dev.' },
  P3018: { meaning: 'a migration failed to apply and the database may now be partly migrated', action: 'Read the database error in the log, fix the data or the migration, then resolve the failed migration as the runbook describes before deploying again.' },
  P3019: { meaning: 'the datasource provider in schema.prisma does not match migration_lock.toml', action: 'Make the provider in prisma/schema.prisma match prisma/migrations/migration_lock.toml.' },
};

/** The Prisma error codes found in a command's output, in the order they first appear. */
export function findPrismaErrors(output: string): PrismaErrorHelp[] {
  const seen = new Set<string>();
  const found: PrismaErrorHelp[] = [];
  for (const match of output.matchAll(/\b(P[1-3]\d{3})\b/g)) {
    const code = match[1]!;
    const help = PRISMA_ERRORS[code];
    if (help && !seen.has(code)) {
      seen.add(code);
      found.push({ code, ...help });
    }
  }
  return found;
}
