/** Types of ./migrate.js, for the sandbox's TypeScript (which gives scenarios their migration history with it). */
import type pg from 'pg';

export interface MigrationScript {
  name: string;
  /** Undefined when the migration directory has no migration.sql. */
  script: string | undefined;
  file?: string;
}

export declare class PrismaError extends Error {
  constructor(code: string, message: string, inline?: boolean);
  code: string;
  inline: boolean;
  /** As the CLI prints it: `Error: P1001: …`, or `Error: P3009` + blank line + message. */
  format(): string;
}

/** An error of the schema engine without a Prisma code (a migration that fails inside its own BEGIN … COMMIT); `cause` is the database's error. */
export declare class EngineError extends PrismaError {
  constructor(message: string, cause: unknown);
  cause: unknown;
}

export declare function checksum(script: string): string;

/** How long `deploy` waits for Prisma's advisory lock before failing with P1002 (10 s, as Prisma). */
export declare const ADVISORY_LOCK_TIMEOUT_MS: number;

export declare function deploy(
  client: pg.ClientBase,
  migrations: readonly MigrationScript[],
  options?: { schema?: string; onApplying?: (name: string) => void },
): Promise<string[]>;

export declare function markRolledBack(client: pg.ClientBase, name: string, options?: { schema?: string }): Promise<void>;

export declare function markApplied(
  client: pg.ClientBase,
  name: string,
  migration: MigrationScript | undefined,
  options?: { schema?: string },
): Promise<void>;

export declare function status(
  client: pg.ClientBase,
  migrations: readonly MigrationScript[],
  options?: { schema?: string },
): Promise<{ failed: string[]; pending: string[]; missingLocally: string[] }>;
