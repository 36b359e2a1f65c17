/**
 * Are the app's Prisma migrations SQL for the database its datasource names? Prisma writes each
 * `migration.sql` for the provider it was generated against, and records that provider in
 * `migrations/migration_lock.toml`; `prisma migrate deploy` refuses a history whose lock names
 * another provider (P3019), and runs a history without a lock as it is, so MySQL's SQL (backquoted
 * identifiers, `ENGINE=InnoDB`, `DEFAULT CHARACTER SET utf8mb4`) reaches PostgreSQL, which refuses it
 * on the first statement (P3018), on the production deploy.
 *
 * For a PostgreSQL datasource every migration is parsed with PostgreSQL's own parser (./pg-parser.ts):
 * a file it refuses would be refused by the server. What the text looks like (MySQL, SQLite, SQL
 * Server) is only said to explain the refusal; the parser decides.
 */
import type { PgParser } from './pg-parser.js';
import { LineIndex } from './pg-parser.js';

export interface DialectMigration {
  name: string;
  file: string;
  sql: string;
}

export interface DialectInput {
  /** The datasource's provider and where it is written. */
  provider: string;
  schemaFile: string;
  providerLine?: number;
  /** The lock file; absent when the migrations folder has none. */
  lock?: { file: string; provider?: string; line?: number };
  migrationsDir: string;
  migrations: readonly DialectMigration[];
}

export interface DialectProblem {
  kind: 'not-postgresql' | 'lock-mismatch' | 'no-lock';
  file: string;
  line?: number;
  /** What PostgreSQL's parser said, or what differs. */
  message: string;
  /** The other database the text is written for, when its marks show it. */
  looksLike?: string;
}

export interface DialectResult {
  problems: DialectProblem[];
  /** Migrations PostgreSQL's parser accepted. */
  parsed: number;
}

const POSTGRES = new Set(['postgresql', 'postgres']);

/** Marks of other databases' SQL, each with the database it belongs to. */
const MARKS: ReadonlyArray<[RegExp, string, string]> = [
  [/`[^`\n]+`/, 'MySQL', 'backquoted identifiers'],
  [/\bENGINE\s*=\s*\w+/i, 'MySQL', 'ENGINE='],
  [/\bDEFAULT\s+CHARACTER\s+SET\b|\bCOLLATE\s+utf8mb4/i, 'MySQL', 'DEFAULT CHARACTER SET / utf8mb4'],
  [/\bAUTO_INCREMENT\b/i, 'MySQL', 'AUTO_INCREMENT'],
  [/\bDATETIME\s*\(\s*3\s*\)/i, 'MySQL', 'DATETIME(3)'],
  [/\bAUTOINCREMENT\b/i, 'SQLite', 'AUTOINCREMENT'],
  [/\bPRAGMA\b/i, 'SQLite', 'PRAGMA'],
  [/\[dbo\]|\bNVARCHAR\b|\bIDENTITY\s*\(\s*1\s*,\s*1\s*\)/i, 'SQL Server', '[dbo] / NVARCHAR / IDENTITY(1,1)'],
];

/** The other database a SQL text's marks point at, with the marks found. */
export function otherDialect(sql: string): { database: string; marks: string[] } | undefined {
  const found = MARKS.filter(([re]) => re.test(sql));
  if (found.length === 0) return undefined;
  const counts = new Map<string, number>();
  for (const [, db] of found) counts.set(db, (counts.get(db) ?? 0) + 1);
  const database = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
  return { database, marks: found.filter(([, db]) => db === database).map(([, , mark]) => mark) };
}

/**
 * The problems of a migration history: a lock naming another provider (P3019), no lock, and, for
 * PostgreSQL, every migration its parser refuses (with the line where it stopped).
 */
export function checkDialect(input: DialectInput, parser?: PgParser): DialectResult {
  const problems: DialectProblem[] = [];
  const provider = input.provider.toLowerCase();
  if (!input.lock) {
    problems.push({
      kind: 'no-lock',
      file: `${input.migrationsDir}/migration_lock.toml`,
      message: `${input.migrationsDir} has no migration_lock.toml: nothing records which database its migrations were written for, and prisma migrate deploy runs them whatever they are`,
    });
  } else if (input.lock.provider && input.lock.provider.toLowerCase() !== provider && !(POSTGRES.has(provider) && POSTGRES.has(input.lock.provider.toLowerCase()))) {
    problems.push({
      kind: 'lock-mismatch',
      file: input.lock.file,
      line: input.lock.line,
      message: `${input.lock.file} says the migrations are for ${input.lock.provider}, but ${input.schemaFile} uses ${input.provider}: prisma migrate deploy stops with P3019`,
    });
  }
  let parsed = 0;
  if (parser && POSTGRES.has(provider)) {
    for (const m of input.migrations) {
      const result = parser.parse(m.sql);
      if (!('error' in result)) {
        parsed++;
        continue;
      }
      const line = new LineIndex(m.sql).line(Math.max(0, Math.min(result.error.location, Buffer.byteLength(m.sql) - 1)));
      const other = otherDialect(m.sql);
      problems.push({
        kind: 'not-postgresql',
        file: m.file,
        line,
        message: `PostgreSQL refuses ${m.file}: ${result.error.message}${other ? ` (the file is ${other.database} SQL: ${other.marks.join(', ')})` : ''}`,
        looksLike: other?.database,
      });
    }
  }
  return { problems, parsed };
}
