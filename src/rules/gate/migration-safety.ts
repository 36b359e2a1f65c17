/**
 * gate.migration-safety: the pending migrations (the ones `migrate deploy` is about to apply, read
 * from `_prisma_migrations` before the migrate step, which waits for this rule) hold no statement that loses data, rewrites or
 * long-locks a live table, or breaks the release that is still running while the migration applies.
 */
import type { Finding, Rule } from '../../engine/types.js';
import { pendingMigrations, readMigrationState } from './migrations.js';
import { splitStatements, type SqlStatement, type SqlToken } from './sql.js';

/** One risky statement of a migration file. */
export interface RiskyStatement {
  file: string;
  line: number;
  /** The statement as a person recognises it, e.g. `DROP TABLE "Legacy"`. */
  what: string;
  /** What goes wrong in production. */
  risk: string;
  /** The safer way to get the same change. */
  instead: string;
}

/** A table name as Postgres resolves it: unquoted parts fold to lower case, quoted ones are kept. */
interface TableName {
  schema?: string;
  name: string;
  /** As written, for messages. */
  shown: string;
}

const RISKS = {
  dropTable: {
    risk: 'data loss: the table and all its rows are deleted, and the release still running queries it',
    instead: 'expand/contract: first ship a release that no longer uses the table, back it up, then drop it in a later migration',
  },
  dropColumn: {
    risk: 'data loss, and the running release fails on every query that selects or writes the column',
    instead: 'expand/contract: first ship a release that no longer reads or writes the column, then drop it in a later migration',
  },
  alterType: {
    risk: 'table rewrite under an ACCESS EXCLUSIVE lock (every read and write waits) unless the cast is binary-compatible, and rows that do not cast make the migration fail',
    instead: 'expand/contract: add a new column of the new type, backfill it in batches, switch the code to it, then drop the old column',
  },
  setNotNull: {
    risk: 'long lock: a full-table scan under an ACCESS EXCLUSIVE lock, and the migration fails if any row is NULL',
    instead: 'add the column nullable and backfill it; add `CHECK (col IS NOT NULL) NOT VALID`, `VALIDATE CONSTRAINT` it in a later migration, then `SET NOT NULL` (Postgres 12+ skips the scan) and drop the check',
  },
  renameTable: {
    risk: 'breaks running code: the release still serving traffic queries the old name until the new one is out',
    instead: 'keep the database name and rename only in schema.prisma with @@map, or expand/contract (new table, write both, backfill, switch reads, drop the old one later)',
  },
  renameColumn: {
    risk: 'breaks running code: the release still serving traffic queries the old column name until the new one is out',
    instead: 'keep the database name and rename only in schema.prisma with @map, or expand/contract (add the new column, write both, backfill, switch reads, drop the old one later)',
  },
  renameValue: {
    risk: 'breaks running code: the release still serving traffic writes the old enum value, which no longer exists',
    instead: 'expand/contract: add the new value, switch the code and backfill rows, and remove the old value in a later migration',
  },
  truncate: {
    risk: 'data loss: every row of the table is deleted',
    instead: 'do not empty tables in a deploy migration; if the data must go, delete it with a WHERE in a reviewed one-off script after a backup',
  },
  deleteAll: {
    risk: 'data loss: without WHERE every row of the table is deleted',
    instead: 'add a WHERE that selects only the intended rows, and delete large sets in batches',
  },
  updateAll: {
    risk: 'rewrites every row of the table in one transaction that row-locks all of it (and may overwrite good data)',
    instead: 'add a WHERE that selects only the intended rows, and backfill large tables in batches outside the migration',
  },
  createIndex: {
    risk: 'long lock: building the index blocks every write to the table until it finishes',
    instead: 'use `CREATE INDEX CONCURRENTLY`, alone in a migration of its own (Postgres refuses it inside a transaction)',
  },
  concurrentlyNotAlone: {
    risk: 'the migration fails: Postgres runs a multi-statement migration as one transaction and refuses CONCURRENTLY there ("cannot run inside a transaction block")',
    instead: 'move the statement into a migration of its own, with nothing else in the file',
  },
} as const satisfies Record<string, { risk: string; instead: string }>;

type RiskKind = keyof typeof RISKS;

/**
 * Lints migrations in the order Prisma applies them. A table created earlier in the same set does not
 * exist in production yet: nothing reads it and it holds no rows, so statements on it are not risky.
 */
export function findRiskyStatements(migrations: ReadonlyArray<{ file: string; sql: string }>): RiskyStatement[] {
  const created: TableName[] = [];
  const isNew = (table: TableName) => created.some((c) => c.name === table.name && (!c.schema || !table.schema || c.schema === table.schema));
  const risky: RiskyStatement[] = [];

  for (const { file, sql } of migrations) {
    const statements = splitStatements(sql);
    const flag = (kind: RiskKind, at: SqlToken | SqlStatement, what: string) => risky.push({ file, line: at.line, what, ...RISKS[kind] });

    for (const statement of statements) {
      const s = new Reader(statement.tokens);
      if (s.accept('create')) {
        s.accept('or', 'replace');
        const unique = s.accept('unique');
        if (s.accept('index')) {
          const concurrently = s.accept('concurrently');
          s.accept('if', 'not', 'exists');
          if (!s.is('on')) s.name();
          let table: TableName | undefined;
          if (s.accept('on')) {
            s.accept('only');
            table = s.name();
          }
          const what = `CREATE ${unique ? 'UNIQUE ' : ''}INDEX${concurrently ? ' CONCURRENTLY' : ''}${table ? ` ON ${table.shown}` : ''}`;
          if (concurrently && statements.length > 1) flag('concurrentlyNotAlone', statement, what);
          if (!concurrently && table && !isNew(table)) flag('createIndex', statement, what);
          continue;
        }
        while (s.acceptAny('temp', 'temporary', 'unlogged', 'global', 'local'));
        if (s.accept('table')) {
          s.accept('if', 'not', 'exists');
          const table = s.name();
          if (table) created.push(table);
        }
        continue;
      }

      if (s.accept('drop', 'table')) {
        s.accept('if', 'exists');
        const tables = s.nameList();
        const existing = tables.filter((t) => !isNew(t));
        if (existing.length > 0) flag('dropTable', statement, `DROP TABLE ${existing.map((t) => t.shown).join(', ')}`);
        continue;
      }

      if (s.accept('truncate')) {
        s.accept('table');
        s.accept('only');
        const tables = s.nameList();
        const existing = tables.filter((t) => !isNew(t));
        if (existing.length > 0) flag('truncate', statement, `TRUNCATE ${existing.map((t) => t.shown).join(', ')}`);
        continue;
      }

      if (s.accept('alter', 'type')) {
        const type = s.name();
        if (type && s.accept('rename', 'value')) flag('renameValue', statement, `ALTER TYPE ${type.shown} RENAME VALUE '${s.peek()?.value ?? '…'}'`);
        continue;
      }

      if (s.accept('alter', 'table')) {
        s.accept('if', 'exists');
        s.accept('only');
        const table = s.name();
        if (!table || isNew(table)) {
          // A rename of a table this set creates moves the "new" mark with it.
          if (table && s.accept('rename', 'to')) {
            const to = s.name();
            if (to) created.push(to);
          }
          continue;
        }
        for (const action of s.topLevelList()) {
          const a = new Reader(action);
          const first = action[0]!;
          if (a.accept('rename', 'to')) {
            flag('renameTable', first, `ALTER TABLE ${table.shown} RENAME TO ${a.name()?.shown ?? '…'}`);
          } else if (a.accept('rename')) {
            if (a.is('constraint')) continue; // constraint names are invisible to the app
            a.accept('column');
            const column = a.name();
            flag('renameColumn', first, `ALTER TABLE ${table.shown} RENAME COLUMN ${column?.shown ?? '…'}`);
          } else if (a.accept('drop')) {
            if (a.is('constraint')) continue;
            a.accept('column'); // COLUMN is optional: `DROP x` drops column x
            a.accept('if', 'exists');
            flag('dropColumn', first, `ALTER TABLE ${table.shown} DROP COLUMN ${a.name()?.shown ?? '…'}`);
          } else if (a.accept('alter')) {
            if (a.is('constraint')) continue;
            a.accept('column');
            const column = a.name();
            const shown = `ALTER TABLE ${table.shown} ALTER COLUMN ${column?.shown ?? '…'}`;
            if (a.accept('type') || a.accept('set', 'data', 'type')) flag('alterType', first, `${shown} TYPE`);
            else if (a.accept('set', 'not', 'null')) flag('setNotNull', first, `${shown} SET NOT NULL`);
          }
        }
        continue;
      }

      const dml = dataChange(s);
      if (dml && !isNew(dml.table) && !dml.reader.hasTopLevel('where')) {
        flag(dml.verb === 'delete' ? 'deleteAll' : 'updateAll', statement, `${dml.verb.toUpperCase()} ${dml.table.shown} without WHERE`);
      }
    }
  }
  return risky;
}

/** `DELETE FROM t …` or `UPDATE t …`, also after a `WITH` list of common table expressions. */
function dataChange(s: Reader): { verb: 'delete' | 'update'; table: TableName; reader: Reader } | undefined {
  if (s.accept('with')) s.skipToTopLevel('delete', 'update', 'insert', 'select', 'merge');
  const verb = s.accept('delete', 'from') ? 'delete' : s.accept('update') ? 'update' : undefined;
  if (!verb) return undefined;
  s.accept('only');
  const table = s.name();
  return table ? { verb, table, reader: s } : undefined;
}

/** A cursor over one statement's tokens, with the few grammar shapes the lint needs. */
class Reader {
  private i = 0;
  constructor(private readonly tokens: readonly SqlToken[]) {}

  peek(): SqlToken | undefined {
    return this.tokens[this.i];
  }

  /** Whether the next tokens are these words. */
  is(...words: string[]): boolean {
    return words.every((w, k) => {
      const t = this.tokens[this.i + k];
      return t?.kind === 'word' && t.value === w;
    });
  }

  /** Consumes the words if they come next, all of them. */
  accept(...words: string[]): boolean {
    if (!this.is(...words)) return false;
    this.i += words.length;
    return true;
  }

  /** Consumes one of the words if it comes next. */
  acceptAny(...words: string[]): boolean {
    return words.some((w) => this.accept(w));
  }

  /** A possibly schema-qualified name: `t`, `"T"`, `public."T"`. */
  name(): TableName | undefined {
    const parts: SqlToken[] = [];
    for (;;) {
      const t = this.tokens[this.i];
      if (t?.kind !== 'word' && t?.kind !== 'identifier') break;
      parts.push(t);
      this.i++;
      const dot = this.tokens[this.i];
      if (dot?.kind !== 'symbol' || dot.value !== '.') break;
      this.i++;
    }
    if (parts.length === 0) return undefined;
    const shown = parts.map((p) => (p.kind === 'identifier' ? `"${p.value}"` : p.value)).join('.');
    const name = parts[parts.length - 1]!.value;
    // database.schema.table is allowed; the schema is the part before the table.
    const schema = parts.length > 1 ? parts[parts.length - 2]!.value : undefined;
    return { schema, name, shown };
  }

  /** `a, b, c` — names separated by commas (TRUNCATE and DROP TABLE take several). */
  nameList(): TableName[] {
    const names: TableName[] = [];
    for (;;) {
      this.accept('only');
      const name = this.name();
      if (name) names.push(name);
      const comma = this.peek();
      if (!name || comma?.kind !== 'symbol' || comma.value !== ',') return names;
      this.i++;
    }
  }

  /** The rest of the statement split on commas outside parentheses (ALTER TABLE's actions). */
  topLevelList(): SqlToken[][] {
    const parts: SqlToken[][] = [[]];
    let depth = 0;
    for (const t of this.tokens.slice(this.i)) {
      if (t.kind === 'symbol' && t.value === '(') depth++;
      if (t.kind === 'symbol' && t.value === ')') depth--;
      if (t.kind === 'symbol' && t.value === ',' && depth === 0) parts.push([]);
      else parts[parts.length - 1]!.push(t);
    }
    this.i = this.tokens.length;
    return parts.filter((p) => p.length > 0);
  }

  /** Whether the rest of the statement has the word outside parentheses (so not in a subquery). */
  hasTopLevel(word: string): boolean {
    return this.topLevelIndex(this.i, [word]) !== -1;
  }

  /** Moves to the first of the words outside parentheses (the main verb after a WITH list). */
  skipToTopLevel(...words: string[]): void {
    const at = this.topLevelIndex(this.i, words);
    this.i = at === -1 ? this.tokens.length : at;
  }

  private topLevelIndex(from: number, words: readonly string[]): number {
    let depth = 0;
    for (let k = from; k < this.tokens.length; k++) {
      const t = this.tokens[k]!;
      if (t.kind === 'symbol' && t.value === '(') depth++;
      else if (t.kind === 'symbol' && t.value === ')') depth--;
      else if (depth === 0 && t.kind === 'word' && words.includes(t.value)) return k;
    }
    return -1;
  }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export const migrationSafety: Rule = {
  meta: {
    id: 'gate.migration-safety',
    section: 'gate',
    title: 'Pending migrations are safe to apply',
    docs: 'docs/migration-operations-runbook.md',
  },
  // Runs before the migrate step (which waits for it): it lints what is about to be applied.
  async check({ settings, clients }) {
    const state = await readMigrationState(settings, clients);
    if ('unknown' in state) {
      // No migration files: nothing to lint. Anything else (no database answer, no history table) means
      // the pending set is unknown, and an unknown set is not a safe one.
      if (state.outcome.status === 'skip') return state.outcome;
      return { ...state.outcome, summary: `pending migrations are unknown: ${state.outcome.summary}` };
    }
    const pendingData = pendingMigrations(state.repo, state.rows);
    const pending = new Set(pendingData);
    if (pending.size === 0) return { status: 'pass', summary: 'no pending migration', data: { pendingMigrations: 0, riskyStatements: 0 } };

    const migrations = state.repo.filter((m) => pending.has(m.name));
    const missing = [...pending].filter((name) => !migrations.some((m) => m.name === name));
    const risky = findRiskyStatements(migrations);
    const data = { pendingMigrations: pending.size, riskyStatements: risky.length };
    const notFound = missing.length > 0 ? `\n\nNot found in the repository, not linted: ${missing.join(', ')}.` : '';

    if (risky.length === 0) {
      return {
        status: 'pass',
        summary: `${plural(pending.size, 'pending migration')}, no risky statement`,
        details: `Linted: ${migrations.map((m) => m.file).join(', ') || 'none'}.${notFound}`,
        data,
      };
    }

    const blocking = settings.config['migration-safety'].level === 'fail';
    const findings: Finding[] = risky.map((r) => ({
      level: blocking ? 'error' : 'warning',
      message: `${r.what}: ${r.risk}. Safer: ${r.instead}.`,
      file: r.file,
      line: r.line,
    }));
    const files = new Set(risky.map((r) => r.file));
    const first = risky[0]!;
    return {
      status: blocking ? 'fail' : 'warn',
      summary:
        `${plural(risky.length, 'risky statement')} in ${files.size} of ${plural(pending.size, 'pending migration')}: ` +
        `${first.what} at ${first.file}:${first.line}${risky.length > 1 ? ` and ${risky.length - 1} more` : ''}`,
      details: risky.map((r) => `- \`${r.file}:${r.line}\` ${r.what}: ${r.risk}.\n  Safer: ${r.instead}.`).join('\n') + notFound,
      fix:
        'Rewrite the risky statements with the safer pattern named for each (expand/contract across two releases), ' +
        'or apply them in a maintenance window with a tested backup; see docs/migration-operations-runbook.md.' +
        (blocking ? '' : ' This warns only; set `migration-safety.level: fail` in the config to make it block.'),
      findings,
      data,
    };
  },
};
