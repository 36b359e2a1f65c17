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

export declare function checksum(script: string): string;

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
