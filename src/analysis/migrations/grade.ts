/**
 * Grading the lint's candidates by the production data: one read-only catalog query (no table is
 * read, only pg_class, pg_attribute, pg_constraint, pg_proc and the statistics views) tells, for
 * every relation a risky statement touches, whether it exists, its estimated rows and its size; and
 * what the statements that depend on it need (the column's current type, NOT NULL proofs, function
 * volatility). Without it the findings keep a static severity and say so.
 */
import type { ReadOnlyDb } from '../../probes/db.js';
import type { Candidate, RelRef, TypeSpec } from './lint.js';
import { showType } from './lint.js';
import { RISKS, type RiskInfo, type RiskKind } from './risks.js';
import { quoteIfNeeded } from './pg-names.js';

export interface RelationFacts {
  relkind: string;
  /** `pg_class.reltuples`: -1 when never vacuumed or analyzed. */
  reltuples: number;
  /** `pg_stat_all_tables.n_live_tup` (0 when unknown). */
  liveTuples: number;
  /** `pg_relation_size`: the heap alone (0 means no row was ever stored). */
  heapBytes: number;
  /** `pg_total_relation_size`: heap, indexes and TOAST. */
  totalBytes: number;
  /** For an index: the table it belongs to. */
  table?: RelationFacts & { schema: string; name: string };
}

export interface ColumnFacts {
  type: TypeSpec;
  notNull: boolean;
  /** A validated CHECK constraint proves it NOT NULL (PostgreSQL 12+ then skips SET NOT NULL's scan). */
  provenNotNull: boolean;
}

export interface DbFacts {
  relations: Map<string, RelationFacts>;
  /** `schema.table\0column` → facts. */
  columns: Map<string, ColumnFacts>;
  /** Function name → the most volatile of its overloads (`i`, `s`, `v`). */
  functions: Map<string, string>;
  timeZone: string;
}

interface FactsRow {
  relations: Array<{ schema: string; name: string; relkind: string; reltuples: number; live: number; heap: number; total: number; indrelid: number | null }> | null;
  index_tables: Array<{ oid: number; schema: string; name: string; relkind: string; reltuples: number; live: number; heap: number; total: number }> | null;
  columns: Array<{ schema: string; name: string; column: string; typname: string; typmod: number; ndims: number; notnull: boolean }> | null;
  checks: Array<{ schema: string; name: string; def: string; columns: string[] }> | null;
  functions: Array<{ name: string; volatile: string }> | null;
  timezone: string;
}

/** One query, whatever the number of statements; catalog and statistics only. */
const FACTS_SQL = `
WITH wanted AS (SELECT * FROM unnest($1::text[], $2::text[]) AS w(schema, name)),
rel AS (
  SELECT w.schema, w.name, c.oid, c.relkind::text AS relkind, c.reltuples::float8 AS reltuples,
         coalesce(s.n_live_tup, 0)::float8 AS live,
         pg_relation_size(c.oid)::float8 AS heap, pg_total_relation_size(c.oid)::float8 AS total, i.indrelid::int8 AS indrelid
    FROM wanted w
    JOIN pg_namespace n ON n.nspname = w.schema
    JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = w.name
    LEFT JOIN pg_stat_all_tables s ON s.relid = c.oid
    LEFT JOIN pg_index i ON i.indexrelid = c.oid
)
SELECT
  (SELECT json_agg(json_build_object('schema', schema, 'name', name, 'relkind', relkind, 'reltuples', reltuples, 'live', live, 'heap', heap, 'total', total, 'indrelid', indrelid)) FROM rel) AS relations,
  (SELECT json_agg(json_build_object('oid', c.oid::int8, 'schema', n.nspname, 'name', c.relname, 'relkind', c.relkind::text, 'reltuples', c.reltuples::float8,
          'live', coalesce(s.n_live_tup, 0)::float8, 'heap', pg_relation_size(c.oid)::float8, 'total', pg_total_relation_size(c.oid)::float8))
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_stat_all_tables s ON s.relid = c.oid
    WHERE c.oid IN (SELECT indrelid FROM rel WHERE indrelid IS NOT NULL)) AS index_tables,
  (SELECT json_agg(json_build_object('schema', r.schema, 'name', r.name, 'column', a.attname, 'typname', t.typname, 'typmod', a.atttypmod, 'ndims', a.attndims, 'notnull', a.attnotnull))
     FROM rel r JOIN pg_attribute a ON a.attrelid = r.oid JOIN pg_type t ON t.oid = a.atttypid
    WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attname = ANY($3::text[])) AS columns,
  (SELECT json_agg(json_build_object('schema', r.schema, 'name', r.name, 'def', pg_get_constraintdef(k.oid),
          'columns', (SELECT array_agg(a.attname) FROM pg_attribute a WHERE a.attrelid = k.conrelid AND a.attnum = ANY(k.conkey))))
     FROM rel r JOIN pg_constraint k ON k.conrelid = r.oid
    WHERE k.contype = 'c' AND k.convalidated) AS checks,
  (SELECT json_agg(json_build_object('name', proname, 'volatile', v))
     FROM (SELECT proname, max(provolatile::text) AS v FROM pg_proc WHERE proname = ANY($4::text[]) GROUP BY proname) p) AS functions,
  current_setting('TimeZone') AS timezone`;

/** Reads the facts the candidates need, in one read-only query. */
export async function readFacts(client: Pick<ReadOnlyDb, 'query'>, lookups: { relations: Map<string, RelRef>; columns: Set<string>; functions: Set<string> }): Promise<DbFacts> {
  const rels = [...lookups.relations.values()];
  const { rows } = await client.query<FactsRow>(FACTS_SQL, [rels.map((r) => r.schema), rels.map((r) => r.name), [...lookups.columns], [...lookups.functions]]);
  const row = rows[0]!;
  const relations = new Map<string, RelationFacts>();
  const tables = new Map((row.index_tables ?? []).map((t) => [t.oid, t]));
  for (const r of row.relations ?? []) {
    const table = r.indrelid !== null ? tables.get(r.indrelid) : undefined;
    relations.set(`${r.schema}.${r.name}`, {
      relkind: r.relkind,
      reltuples: r.reltuples,
      liveTuples: r.live,
      heapBytes: r.heap,
      totalBytes: r.total,
      table: table && { schema: table.schema, name: table.name, relkind: table.relkind, reltuples: table.reltuples, liveTuples: table.live, heapBytes: table.heap, totalBytes: table.total },
    });
  }
  const columns = new Map<string, ColumnFacts>();
  for (const c of row.columns ?? []) {
    columns.set(`${c.schema}.${c.name}\0${c.column}`, { type: storedType(c.typname, c.typmod, c.ndims), notNull: c.notnull, provenNotNull: false });
  }
  for (const check of row.checks ?? []) {
    for (const column of check.columns ?? []) {
      const facts = columns.get(`${check.schema}.${check.name}\0${column}`);
      if (facts && provesNotNull(check.def, column)) facts.provenNotNull = true;
    }
  }
  return { relations, columns, functions: new Map((row.functions ?? []).map((f) => [f.name, f.volatile])), timeZone: row.timezone };
}

/** `CHECK ((col IS NOT NULL))`, alone or ANDed with other conditions (an OR proves nothing). */
function provesNotNull(def: string, column: string): boolean {
  if (/\bOR\b/.test(def)) return false;
  const name = /^[a-z_][a-z0-9_$]*$/.test(column) ? column : `"${column.replace(/"/g, '""')}"`;
  return def.includes(`(${name} IS NOT NULL)`);
}

/** pg_type's name and atttypmod decoded into the arguments a person writes (`varchar(100)`). */
export function storedType(typname: string, typmod: number, ndims: number): TypeSpec {
  const array = ndims > 0 || typname.startsWith('_');
  const name = typname.startsWith('_') ? typname.slice(1) : typname;
  let mods: number[] = [];
  if (typmod >= 0) {
    if (name === 'varchar' || name === 'bpchar') mods = [typmod - 4];
    else if (name === 'numeric') mods = [((typmod - 4) >> 16) & 0xffff, (typmod - 4) & 0xffff];
    else mods = [typmod];
  }
  return { name, mods, array };
}

/** What a type change does to the stored rows, as PostgreSQL decides it (ATColumnChangeRequiresRewrite). */
export function typeChangeEffect(from: TypeSpec, to: TypeSpec, using: boolean, timeZone: string | undefined): 'none' | 'rewrite' | 'narrowing' {
  if (using) return 'rewrite';
  if (from.array !== to.array) return 'rewrite';
  const same = from.name === to.name;
  const widerOrSame = (a: number | undefined, b: number | undefined) => b === undefined || (a !== undefined && b >= a);
  if (same && from.mods.join() === to.mods.join()) return 'none';
  if (from.array) return 'rewrite';
  const text = (n: string) => n === 'text' || n === 'varchar';
  if (text(from.name) && text(to.name)) {
    if (to.name === 'text' || to.mods.length === 0) return 'none';
    if (from.name === 'text' || from.mods.length === 0) return 'narrowing';
    return to.mods[0]! >= from.mods[0]! ? 'none' : 'narrowing';
  }
  if (same && from.name === 'numeric') {
    if (to.mods.length === 0) return 'none';
    if (from.mods.length === 0) return 'narrowing';
    return to.mods[1] === from.mods[1] && to.mods[0]! >= from.mods[0]! ? 'none' : 'narrowing';
  }
  if (same && ['timestamp', 'timestamptz', 'time', 'timetz', 'interval', 'varbit', 'bit'].includes(from.name)) {
    if (from.name === 'bit') return 'rewrite';
    return widerOrSame(from.mods[0], to.mods[0]) || to.mods.length === 0 ? 'none' : 'rewrite';
  }
  // PostgreSQL 12+: between timestamp and timestamptz no rewrite when the session's time zone is UTC.
  const utc = timeZone !== undefined && ['utc', 'etc/utc', 'gmt', 'etc/gmt', 'uct', 'etc/uct', 'universal', 'zulu', 'etc/universal', 'etc/zulu'].includes(timeZone.toLowerCase());
  // A target precision adds a length coercion over the conversion, which then rewrites after all.
  if (((from.name === 'timestamp' && to.name === 'timestamptz') || (from.name === 'timestamptz' && to.name === 'timestamp')) && utc) {
    return to.mods.length === 0 ? 'none' : 'rewrite';
  }
  if (from.name === 'cidr' && to.name === 'inet') return 'none';
  return 'rewrite';
}

export interface Thresholds {
  blockAboveMb: number;
  blockAboveRows: number;
}

export type Severity = 'fail' | 'warn' | 'note';

export interface GradedFinding {
  kind: RiskKind;
  severity: Severity;
  file: string;
  line: number;
  what: string;
  /** What the data says (or why there is none), one sentence, or empty. */
  grade: string;
  /** The short reason of a failure, for the summary. */
  reason?: string;
  /** No size could be read: the severity is the kind's static one. */
  staticSeverity?: boolean;
  /**
   * The severity of a `rows` finding came from the statistics (`reltuples`, the counters), which
   * prove nothing: the prediction's EXISTS query decides it (./verdict.ts).
   */
  fromStatistics?: boolean;
  extra?: string;
  message?: string;
}

/** `about 12,400 rows (3.1 MB)`; `64 kB, never analyzed`; how big a relation is, in words. */
function describeSize(f: RelationFacts): string {
  const rows = estimatedRows(f);
  if (f.heapBytes === 0) return 'empty';
  if (rows === undefined) return `${formatBytes(f.totalBytes)} with no row estimate (never analyzed)`;
  return `about ${formatCount(rows)} row${Math.round(rows) === 1 ? '' : 's'} (${formatBytes(f.totalBytes)})`;
}

/** Rows from the planner's statistics; undefined when the table was never analyzed and the counters are empty. */
function estimatedRows(f: RelationFacts): number | undefined {
  if (f.heapBytes === 0) return 0;
  const rows = Math.max(f.reltuples, f.liveTuples);
  if (rows > 0) return rows;
  return undefined;
}

/** 12400 → `12,400` (toLocaleString loads ICU data: slow on its first calls). */
export function formatCount(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 10 ? Math.round(value) : Math.round(value * 10) / 10} ${units[unit]}`;
}

/**
 * The severity of each candidate. `facts` undefined: the database could not be read (`why` says
 * why), so sizes are unknown and every finding keeps its kind's static severity.
 */
export function gradeCandidates(candidates: readonly Candidate[], facts: DbFacts | undefined, why: string | undefined, thresholds: Thresholds): GradedFinding[] {
  const graded: GradedFinding[] = [];
  for (const c of candidates) {
    const g = gradeOne(c, facts, why, thresholds);
    if (g) graded.push(g);
  }
  return graded;
}

function gradeOne(c: Candidate, facts: DbFacts | undefined, why: string | undefined, t: Thresholds): GradedFinding | undefined {
  const risk: RiskInfo = RISKS[c.kind];
  const base = { kind: c.kind, file: c.file, line: c.line, what: c.what, extra: c.extra, message: c.message };
  if (risk.grading === 'certain') return { ...base, severity: 'fail', grade: '', reason: c.kind === 'syntax-error' ? c.message : 'PostgreSQL refuses it' };

  const rel = c.rel;
  let relFacts = rel ? facts?.relations.get(rel.key) : undefined;
  if (relFacts?.relkind === 'i') relFacts = relFacts.table;
  const shown = rel?.shown ?? '';
  const column = (name: string) => (rel ? facts?.columns.get(`${rel.key}\0${name}`) : undefined);

  // What only the database can settle: no rewrite, no scan, not volatile.
  if (c.typeChange) {
    const from = c.typeChange.from ?? column(c.typeChange.column)?.type;
    if (from) {
      const effect = typeChangeEffect(from, c.typeChange.to, c.typeChange.using, facts?.timeZone);
      if (effect === 'none') return undefined;
      base.extra = [`${showType(from)} → ${showType(c.typeChange.to)}${c.typeChange.using ? ' USING …' : ''}: ${effect === 'narrowing' ? 'every value is checked and rewritten, and one that does not fit makes the migration fail' : 'not binary-compatible, so every row is rewritten'}.`, c.extra].filter(Boolean).join(' ');
    } else if (facts) {
      base.extra = [`The column's current type could not be read, so a binary-compatible change (varchar(n) to a wider varchar or text) cannot be told apart.`, c.extra].filter(Boolean).join(' ');
    }
  }
  if (c.notNull && !c.notNull.changedInSet) {
    const col = column(c.notNull.column);
    if (col?.notNull && c.kind === 'set-not-null') return undefined;
    if (col?.provenNotNull) return undefined;
  }
  if (c.volatility) {
    const volatile = [...c.volatility.volatile, ...c.volatility.unknown.filter((f) => facts?.functions.get(f.split('.').pop()!) === 'v')];
    if (volatile.length === 0) return undefined; // stable or immutable (or unknown without a database): no rewrite
    base.what = `${c.what.replace(/ DEFAULT .*/, '')} DEFAULT ${volatile.map((f) => `${f}()`).join(', ')}`;
    base.extra = [`${volatile.join(', ')} ${volatile.length > 1 ? 'are' : 'is'} VOLATILE: evaluated once per existing row.`, c.extra].filter(Boolean).join(' ');
  }

  // Severity from the data.
  const noData = (): GradedFinding => {
    const reason =
      c.origin === 'maybe-new' && !facts
        ? `${shown} may already exist with rows: CREATE TABLE IF NOT EXISTS earlier in the pending set is not proof that it is new`
        : !facts
          ? `the size of ${shown} is unknown (${why ?? 'the database was not read'})`
          : `${shown} is neither in the database nor created by the pending migrations`;
    return { ...base, severity: 'warn', grade: `Static severity: ${reason}.`, staticSeverity: true };
  };

  if (!rel) return { ...base, severity: 'warn', grade: '' };
  if (c.origin === 'maybe-new' && facts && !relFacts) {
    // CREATE TABLE IF NOT EXISTS created it: new and empty unless the set filled it.
    if (risk.grading === 'rows' && c.rowsInserted) return { ...base, severity: 'fail', grade: `Rows are inserted into ${shown} earlier in the pending set.`, reason: `rows are inserted into ${shown} before it` };
    return undefined;
  }
  if (c.origin === 'new') {
    // Only `rows` findings reach here for new tables: the set inserted rows into it.
    return { ...base, severity: 'fail', grade: `${shown} is created by the pending set, which inserts rows into it before this statement.`, reason: `rows are inserted into ${shown} before it` };
  }
  if (risk.grading === 'static') return { ...base, severity: 'warn', grade: '' };
  if (!relFacts) return noData();

  // An empty table the pending set inserts rows into before this statement is not empty any more.
  const size = relFacts.heapBytes === 0 && c.rowsInserted ? 'rows inserted earlier in the pending set' : describeSize(relFacts);
  const rows = estimatedRows(relFacts);
  const empty = relFacts.heapBytes === 0 && !c.rowsInserted;
  const isIndex = rel && facts?.relations.get(rel.key)?.relkind === 'i';
  const subject = isIndex ? `its table ${relFacts.table ? quoteIfNeeded(relFacts.table.name) : ''}`.trim() : shown;
  switch (risk.grading) {
    case 'rows': {
      if (empty) return { ...base, severity: 'note', grade: `Passes: ${subject} is empty, so no row lacks the value.` };
      if (rows === undefined && relFacts.reltuples === 0) {
        return { ...base, severity: 'warn', grade: `${subject} holds ${formatBytes(relFacts.heapBytes)} of data although its statistics count no row: the migration fails if any row is left.`, fromStatistics: true };
      }
      const inserted = c.rowsInserted && relFacts.heapBytes === 0;
      const what = inserted ? `rows are inserted into ${subject} earlier in the pending set` : `${subject} has ${size}`;
      return { ...base, severity: 'fail', grade: `Will fail: ${what}.`, reason: `will fail: ${what}`, ...(inserted ? {} : { fromStatistics: true }) };
    }
    case 'size': {
      if (empty) return { ...base, severity: 'note', grade: `${capitalise(subject)} is empty: the lock is brief.` };
      const mb = relFacts.totalBytes / (1024 * 1024);
      const large = mb > t.blockAboveMb || (rows ?? 0) > t.blockAboveRows;
      if (large) {
        const over = mb > t.blockAboveMb ? `over the ${t.blockAboveMb} MB threshold` : `over the ${formatCount(t.blockAboveRows)}-row threshold`;
        return { ...base, severity: 'fail', grade: `${capitalise(subject)} has ${size}: ${over} (migration-safety.block-above-mb / block-above-rows), so it blocks.`, reason: `${subject} has ${size}, ${over}` };
      }
      return { ...base, severity: 'warn', grade: `${capitalise(subject)} has ${size}: under the blocking thresholds, so it warns.` };
    }
    case 'data': {
      if (empty) {
        if (risk.emptyIsSafe) return { ...base, severity: 'note', grade: `${capitalise(subject)} is empty: no row is lost.` };
        return { ...base, severity: 'warn', grade: `${capitalise(subject)} is empty, so no row is lost, but the running release may still use it.` };
      }
      return { ...base, severity: 'warn', grade: `${capitalise(subject)} has ${size}.` };
    }
    default:
      return { ...base, severity: 'warn', grade: '' };
  }
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
