/**
 * Names in PostgreSQL's parse tree, shared by the lint (./lint.ts), the planner (./plan.ts) and the
 * expression deparser (./expressions.ts): a statement node unwrapped, a String node read, identifiers
 * quoted as PostgreSQL prints them, and relations resolved as PostgreSQL resolves them (an unqualified
 * name lives in the default schema: the `schema` parameter of DATABASE_URL, else `public`).
 */
import type { PgNode } from './pg-parser.js';

/** A relation as PostgreSQL resolves it: unqualified names live in the default schema. */
export interface RelRef {
  schema: string;
  name: string;
  /** `schema.name`, unique. */
  key: string;
  /** As a person writes it: `"Team"`, `archive."User"`. */
  shown: string;
}

/** Always quoted, as Prisma writes identifiers: `"Team"`, `"a""b"`. */
export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
/** Quoted only when PostgreSQL would need it (upper case, symbols, a leading digit). */
export const quoteIfNeeded = (name: string) => (/^[a-z_][a-z0-9_$]*$/.test(name) ? name : quoteIdent(name));

/** The text of a String node (`{ String: { sval } }`), else undefined. */
export const str = (node: PgNode | undefined): string | undefined => node?.String?.sval as string | undefined;

/** The statement node's type and body: `{ AlterTableStmt: {…} }` → ['AlterTableStmt', {…}]. */
export function unwrap(node: PgNode): [string, PgNode] {
  const type = Object.keys(node)[0]!;
  return [type, node[type] as PgNode];
}

/** Relations resolved against one default schema. */
export class RelNames {
  constructor(private readonly defaultSchema: string) {}

  rel(schema: string | undefined, name: string): RelRef {
    const resolved = schema ?? this.defaultSchema;
    return { schema: resolved, name, key: `${resolved}.${name}`, shown: schema ? `${quoteIfNeeded(schema)}.${quoteIfNeeded(name)}` : quoteIfNeeded(name) };
  }

  /** A RangeVar node (`ALTER TABLE x`, `CREATE INDEX … ON x`). */
  rangeVar(rv: PgNode): RelRef {
    return this.rel(rv.schemaname as string | undefined, rv.relname as string);
  }

  /** `[schema, name]` or `[name]` as a List of Strings (DROP …, ALTER TYPE). */
  nameList(items: PgNode[]): RelRef {
    const names = items.map(str).filter((n): n is string => n !== undefined);
    return this.rel(names.length > 1 ? names[names.length - 2] : undefined, names[names.length - 1] ?? '');
  }
}
