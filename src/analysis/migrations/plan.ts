/**
 * What `prisma migrate deploy` will ask of the database, statement by statement, read from
 * PostgreSQL's parse trees of the pending set in the order Prisma runs it: the data each statement's
 * own check reads (duplicates for a unique index, NULLs for SET NOT NULL, orphans for a foreign key,
 * the rows a CHECK or a cast refuses), the locks it takes, the privileges it needs, and what the set
 * itself changed before it (tables it created or filled, columns it added, rows it updated, enums it
 * rebuilt, constraints it added NOT VALID). No database is read here: ./predict.ts runs the plan.
 *
 * A statement whose outcome depends on an effect the gate cannot evaluate (rows an earlier UPDATE
 * changed, a DO block's dynamic SQL) carries the reason, and its prediction is "unknown".
 */
import { deparse, hasSubquery, typeRef, type Deparsed, type TypeRef } from './expressions.js';
import { alterTableActionLines, type MigrationSource } from './lint.js';
import { quoteIdent, quoteIfNeeded, RelNames, str, unwrap, type RelRef } from './pg-names.js';
import type { LockMode } from './locks.js';
import { LineIndex, type PgNode, type PgParser } from './pg-parser.js';

export interface PendingMigration extends MigrationSource {
  /** The directory name (`_prisma_migrations.migration_name`). */
  name: string;
  /** Its last attempt failed: it runs again once resolved. */
  failedBefore?: boolean;
}

/** Names the catalog must prove harmless before an expression runs on production. */
export interface ExpressionNames {
  functions: string[];
  operators: string[];
  types: TypeRef[];
}

interface CheckBase {
  /** The relation as the database knows it (renames in the set followed back). */
  table: RelRef;
  /** The SQLSTATE PostgreSQL raises when the check fails. */
  sqlstate: string;
  /** What is checked, as a phrase: `duplicates in "User"("email")`. */
  what: string;
  names?: ExpressionNames;
}

/** ADD COLUMN … NOT NULL without a default: fails when the table has a row (23502). */
export interface RowsCheck extends CheckBase {
  kind: 'rows';
  /** Two rows are needed (a unique key every row shares): fails on a second row. */
  atLeast?: 2;
}

/** SET NOT NULL, a primary key: fails on a NULL (23502). */
export interface NullsCheck extends CheckBase {
  kind: 'nulls';
  column: string;
}

/** A unique index or constraint: fails on two rows with the same key (23505). */
export interface DuplicatesCheck extends CheckBase {
  kind: 'duplicates';
  /** The key's expressions as SQL over the table's columns (empty: every row has the same key). */
  keys: string[];
  /** Rows with a NULL in one of these are never duplicates (NULLS DISTINCT). */
  nullable: string[];
  /** The key's columns as the database names them, when it is only plain columns (no expression, no COLLATE). */
  keyColumns?: string[];
  /** A partial index's predicate. */
  where?: string;
  nullsNotDistinct: boolean;
}

/** A validated foreign key: fails on a row whose key is not in the referenced table (23503). */
export interface OrphansCheck extends CheckBase {
  kind: 'orphans';
  columns: string[];
  refTable: RelRef;
  /** Undefined: the referenced table's primary key. */
  refColumns?: string[];
  matchFull: boolean;
  /** The referenced table is created by the set and empty: every non-null key is an orphan. */
  refEmpty?: boolean;
}

/** A validated CHECK: fails on a row where it is false (23514). */
export interface ExpressionCheck extends CheckBase {
  kind: 'check';
  expr: string;
}

/** ALTER COLUMN … TYPE: fails on a value the cast refuses (22P02, 22001, 22003, …). */
export interface CastCheck extends CheckBase {
  kind: 'cast';
  column: string;
  target: TypeRef;
  /** The USING expression as SQL; undefined: the column itself, assignment-cast. */
  using?: string;
}

/** A cast to an enum the set creates (Prisma's rebuild when a value is removed): fails on another value (22P02). */
export interface EnumValuesCheck extends CheckBase {
  kind: 'enum-values';
  /** The text of each value, as SQL (`CAST("role" AS text)`). */
  value: string;
  array: boolean;
  labels: string[];
  typeName: string;
}

export type DataCheck = RowsCheck | NullsCheck | DuplicatesCheck | OrphansCheck | ExpressionCheck | CastCheck | EnumValuesCheck;

/** VALIDATE CONSTRAINT of a constraint the database already has (NOT VALID): its definition is read there. */
export interface ValidateExisting {
  table: RelRef;
  constraint: string;
}

export type PrivilegeNeed =
  | { kind: 'owner'; rel: RelRef; what: string }
  | { kind: 'owner-type'; type: RelRef }
  | { kind: 'create'; schema: string }
  | { kind: 'create-db' }
  | { kind: 'references'; rel: RelRef }
  | { kind: 'table'; rel: RelRef; privilege: 'INSERT' | 'UPDATE' | 'DELETE' | 'TRUNCATE' }
  | { kind: 'extension'; name: string; ifNotExists: boolean };

export interface LockNeed {
  rel: RelRef;
  mode: LockMode;
}

export interface PlannedStatement {
  /** Position in the pending set, from 0. */
  index: number;
  migration: string;
  file: string;
  line: number;
  /** The statement as a person recognises it. */
  what: string;
  /** The data checks, in the order PostgreSQL runs them (the first that fails is the error). */
  checks: DataCheck[];
  validateExisting?: ValidateExisting;
  /** Why the data checks cannot be evaluated (an earlier effect of the set), if so. */
  unknown?: string;
  /** PostgreSQL refuses the statement whatever the data. */
  certain?: { sqlstate: string; reason: string };
  /** Why it passes without a query (a table the set creates is empty). */
  passes?: string;
  /**
   * A table created with IF NOT EXISTS earlier in the set: the checks hold only when it already
   * exists in the database (else it is new and empty, and they pass).
   */
  maybeNew?: string[];
  locks: LockNeed[];
  privileges: PrivilegeNeed[];
  /** Statements inside a DO block are not run by the gate. */
  inDoBlock?: boolean;
}

export interface PlannedFile {
  migration: string;
  file: string;
  failedBefore: boolean;
  /** Prisma sends the file as one query: one transaction when it holds more than one statement. */
  inTransaction: boolean;
  statements: PlannedStatement[];
  /** `SET lock_timeout` in the file: from which statement, and the value in ms (0: none). */
  lockTimeout?: { from: number; ms: number };
  statementTimeout?: { from: number; ms: number };
  /** The file does not parse (the lint reports it). */
  syntaxError?: boolean;
  /** Prisma's `-- Warnings:` header, one entry per warning line. */
  prismaWarnings: PrismaWarning[];
}

export interface PrismaWarning {
  file: string;
  line: number;
  text: string;
  /** The statements of the file it is about (matched by table and column). */
  statements: number[];
}

export interface Plan {
  files: PlannedFile[];
  statements: PlannedStatement[];
  defaultSchema: string;
}


/** What a statement's data checks are: the checks, why they cannot be made, or a certain failure. */
type BuiltChecks = DataCheck[] | { unknown: string } | { certain: { sqlstate: string; reason: string } };

/** What a column the set added holds in the table's existing rows. */
type AddedValue = 'null' | 'constant' | 'other';

interface Place {
  file: PlannedFile;
  migration: string;
  line(offset: number): number;
  text(): LineIndex;
  location: number;
  length: number;
  inDoBlock: boolean;
}

/** Milliseconds of a timeout setting (`5000`, `'5s'`, `'1min'`); undefined when not understood. */
export function timeoutMs(value: string | number): number | undefined {
  if (typeof value === 'number') return value;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$/i.exec(value);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? 'ms').toLowerCase();
  const factor: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };
  return Math.round(n * factor[unit]!);
}

export class PendingSetPlanner {
  private readonly files: PlannedFile[] = [];
  private readonly statements: PlannedStatement[] = [];

  /** Tables the set creates: key → how it filled them. */
  private readonly created = new Map<string, { ifNotExists: boolean; filled: 'no' | 'values' | 'query'; pk?: string[] }>();
  /** An existing table renamed by the set: new key → the relation the database knows. */
  private readonly renamed = new Map<string, RelRef>();
  /** `dbKey\0name-in-set` → the column's name in the database. */
  private readonly columnNames = new Map<string, string>();
  /** Columns the set added to existing tables: `dbKey\0name` → what existing rows hold. */
  private readonly added = new Map<string, AddedValue>();
  /** Columns of existing tables whose type or NOT NULL the set changed: `dbKey\0dbName`. */
  private readonly retyped = new Set<string>();
  private readonly nullable = new Set<string>();
  /** Existing tables whose rows the set changed: dbKey → by what. */
  private readonly changed = new Map<string, string>();
  /** Existing tables the set emptied (TRUNCATE, DELETE without WHERE) and did not fill again. */
  private readonly emptied = new Set<string>();
  /** A DO block with SQL built at run time: what it changes is unknown. */
  private opaque?: string;
  /** Enums the set creates: type key → labels. */
  private readonly enums = new Map<string, string[]>();
  /** Constraints added NOT VALID by the set: `dbKey\0name` → its checks. */
  private readonly notValid = new Map<string, DataCheck[]>();

  private readonly names: RelNames;

  constructor(
    private readonly parser: PgParser,
    private readonly defaultSchema: string,
  ) {
    this.names = new RelNames(defaultSchema);
  }

  plan(): Plan {
    return { files: this.files, statements: this.statements, defaultSchema: this.defaultSchema };
  }

  planFile(m: PendingMigration): void {
    let index: LineIndex | undefined;
    const text = () => (index ??= new LineIndex(m.sql));
    const parsed = this.parser.parse(m.sql);
    const file: PlannedFile = { migration: m.name, file: m.file, failedBefore: Boolean(m.failedBefore), inTransaction: false, statements: [], prismaWarnings: [] };
    this.files.push(file);
    if ('error' in parsed) {
      file.syntaxError = true;
      return;
    }
    file.inTransaction = parsed.statements.length > 1;
    for (const s of parsed.statements) {
      this.statement(s.stmt, { file, migration: m.name, line: (o) => text().line(o), text, location: s.location, length: s.length, inDoBlock: false });
    }
    file.prismaWarnings = prismaWarnings(m.sql, m.file, file.statements);
  }

  // ---- names -------------------------------------------------------------------------------

  /** Created by the set without IF NOT EXISTS: certainly new, empty unless the set fills it. */
  private isNew(rel: RelRef): boolean {
    const created = this.created.get(rel.key);
    return created !== undefined && !created.ifNotExists;
  }

  /** The relation the database knows for `rel` (an existing table renamed by the set has its old name there). */
  private known(rel: RelRef): RelRef {
    const from = this.renamed.get(rel.key);
    return from ? { ...from, shown: rel.shown } : rel;
  }

  /** A column's name in the database, as written in the set after its renames. */
  private dbColumn(table: RelRef, name: string): string {
    return this.columnNames.get(`${table.key}\0${name}`) ?? name;
  }

  // ---- statements --------------------------------------------------------------------------

  private push(place: Place, line: number, what: string, fill: Partial<PlannedStatement>): PlannedStatement {
    const s: PlannedStatement = {
      index: this.statements.length,
      migration: place.migration,
      file: place.file.file,
      line,
      what,
      checks: [],
      locks: [],
      privileges: [],
      ...(place.inDoBlock ? { inDoBlock: true } : {}),
      ...fill,
    };
    this.statements.push(s);
    place.file.statements.push(s);
    return s;
  }

  /**
   * Whether a data check on `table` can be evaluated now, from the set's own effects: `undefined` to
   * query it; else a decision that needs no query.
   */
  private dataState(table: RelRef): { unknown: string } | { empty: string } | { filledByValues: string } | { maybeNew: string } | undefined {
    const created = this.created.get(table.key);
    if (created) {
      if (created.filled === 'values') return { filledByValues: `rows are inserted into ${table.shown} earlier in the pending set` };
      if (created.filled === 'query') return { unknown: `${table.shown} is created by the pending set and filled by a query the gate does not run` };
      if (created.ifNotExists) return { maybeNew: table.key };
      return { empty: `${table.shown} is created by the pending set, so it is empty` };
    }
    if (this.opaque) return { unknown: this.opaque };
    const db = this.known(table);
    const changed = this.changed.get(db.key);
    if (changed) return { unknown: `${changed} earlier in the pending set changes the rows of ${table.shown}, and the gate does not evaluate its effect` };
    if (this.emptied.has(db.key)) return { empty: `${table.shown} is emptied earlier in the pending set` };
    return undefined;
  }

  /**
   * A statement with data checks on `table`: the checks (built against the database's names) unless
   * the set's own effects decide without a query.
   */
  private checked(place: Place, line: number, what: string, table: RelRef, build: () => BuiltChecks, extra: Partial<PlannedStatement> = {}): PlannedStatement {
    const state = this.dataState(table);
    const s = this.push(place, line, what, extra);
    if (state && 'empty' in state) {
      s.passes = state.empty;
      return s;
    }
    const built = build();
    if ('certain' in built) {
      s.certain = built.certain;
      return s;
    }
    if ('unknown' in built) {
      s.unknown = built.unknown;
      return s;
    }
    if (state && 'unknown' in state) {
      if (built.length > 0) s.unknown = state.unknown;
      return s;
    }
    if (state && 'filledByValues' in state) {
      // Only "the table has a row" is known: rows inserted by VALUES.
      if (built.some((c) => c.kind === 'rows' && !c.atLeast)) s.certain = { sqlstate: '23502', reason: state.filledByValues };
      else if (built.length > 0) s.unknown = `${state.filledByValues}, and the gate does not evaluate their values`;
      return s;
    }
    if (state && 'maybeNew' in state) s.maybeNew = [state.maybeNew];
    s.checks = built;
    return s;
  }

  private statement(stmt: PgNode, place: Place): void {
    const [type, node] = unwrap(stmt);
    const line = place.line(place.location);
    switch (type) {
      case 'CreateStmt': {
        if (node.relation.relpersistence === 't') return;
        const rel = this.names.rangeVar(node.relation);
        const exists = this.created.get(rel.key);
        if (!exists || !node.if_not_exists) this.created.set(rel.key, { ifNotExists: Boolean(node.if_not_exists), filled: 'no', pk: primaryKeyOf(node) });
        const s = this.push(place, line, `CREATE TABLE ${rel.shown}`, { privileges: [{ kind: 'create', schema: rel.schema }] });
        for (const elt of (node.tableElts ?? []) as PgNode[]) {
          const constraints = elt.ColumnDef ? ((elt.ColumnDef.constraints ?? []) as PgNode[]) : elt.Constraint ? [elt] : [];
          for (const c of constraints) {
            const con = (c.Constraint ?? c) as PgNode;
            if (con.contype === 'CONSTR_FOREIGN') this.referenceNeeds(s, this.names.rangeVar(con.pktable));
          }
        }
        return;
      }
      case 'CreateTableAsStmt': {
        const rel = this.names.rangeVar(node.into.rel);
        this.created.set(rel.key, { ifNotExists: Boolean(node.if_not_exists), filled: 'query' });
        this.push(place, line, `CREATE ${node.objtype === 'OBJECT_MATVIEW' ? 'MATERIALIZED VIEW' : 'TABLE'} ${rel.shown} AS …`, { privileges: [{ kind: 'create', schema: rel.schema }] });
        return;
      }
      case 'SelectStmt':
        if (node.intoClause) {
          const rel = this.names.rangeVar(node.intoClause.rel);
          this.created.set(rel.key, { ifNotExists: false, filled: 'query' });
          this.push(place, line, `SELECT … INTO ${rel.shown}`, { privileges: [{ kind: 'create', schema: rel.schema }] });
        }
        return;
      case 'InsertStmt':
      case 'UpdateStmt':
      case 'DeleteStmt':
        return this.dataChange(type, node, place, line);
      case 'CopyStmt':
        if (node.is_from && node.relation) this.fill(this.names.rangeVar(node.relation), 'query', 'COPY');
        return;
      case 'TruncateStmt': {
        const rels = ((node.relations ?? []) as PgNode[]).map((r) => this.names.rangeVar(r.RangeVar));
        const s = this.push(place, line, `TRUNCATE ${rels.map((r) => r.shown).join(', ')}`, {});
        for (const rel of rels) {
          if (this.isNew(rel)) continue;
          const db = this.known(rel);
          s.locks.push({ rel: db, mode: 'AccessExclusiveLock' });
          s.privileges.push({ kind: 'table', rel: db, privilege: 'TRUNCATE' });
          this.emptied.add(db.key);
          this.changed.delete(db.key);
        }
        return;
      }
      case 'IndexStmt':
        return this.createIndex(node, place, line);
      case 'DropStmt':
        return this.drop(node, place, line);
      case 'AlterTableStmt':
        return this.alterTable(node, place, line);
      case 'RenameStmt':
        return this.rename(node, place, line);
      case 'CreateEnumStmt': {
        const t = this.names.nameList(node.typeName as PgNode[]);
        this.enums.set(t.key, ((node.vals ?? []) as PgNode[]).map((v) => str(v) ?? ''));
        this.push(place, line, `CREATE TYPE ${t.shown} AS ENUM`, { privileges: [{ kind: 'create', schema: t.schema }] });
        return;
      }
      case 'AlterEnumStmt': {
        const t = this.names.nameList(node.typeName as PgNode[]);
        const labels = this.enums.get(t.key);
        if (labels && node.newVal !== undefined && node.oldVal === undefined) labels.push(node.newVal as string);
        else if (labels && node.oldVal !== undefined) labels[labels.indexOf(node.oldVal as string)] = node.newVal as string;
        const s = this.push(place, line, `ALTER TYPE ${t.shown}`, {});
        if (!labels) s.privileges.push({ kind: 'owner-type', type: t });
        return;
      }
      case 'CreateSeqStmt':
      case 'ViewStmt':
      case 'CreateFunctionStmt':
      case 'CreateDomainStmt':
      case 'CompositeTypeStmt':
      case 'CreateRangeStmt': {
        const names =
          type === 'CreateSeqStmt'
            ? this.names.rangeVar(node.sequence)
            : type === 'ViewStmt'
              ? this.names.rangeVar(node.view)
              : type === 'CompositeTypeStmt'
                ? this.names.rangeVar(node.typevar)
                : this.names.nameList((node.funcname ?? node.domainname ?? node.typeName) as PgNode[]);
        this.push(place, line, `${type.replace(/Stmt$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase()} ${names.shown}`, { privileges: [{ kind: 'create', schema: names.schema }] });
        return;
      }
      case 'CreateSchemaStmt':
        this.push(place, line, `CREATE SCHEMA ${quoteIfNeeded(node.schemaname as string)}`, { privileges: [{ kind: 'create-db' }] });
        return;
      case 'CreateExtensionStmt':
        this.push(place, line, `CREATE EXTENSION ${node.if_not_exists ? 'IF NOT EXISTS ' : ''}${quoteIfNeeded(node.extname as string)}`, {
          privileges: [{ kind: 'extension', name: node.extname as string, ifNotExists: Boolean(node.if_not_exists) }],
        });
        return;
      case 'VariableSetStmt': {
        const name = String(node.name ?? '').toLowerCase();
        if (name !== 'lock_timeout' && name !== 'statement_timeout') return;
        const arg = (node.args as PgNode[] | undefined)?.[0]?.A_Const;
        const value = node.kind === 'VAR_SET_DEFAULT' || node.kind === 'VAR_RESET' ? 0 : arg?.ival !== undefined ? Number(arg.ival.ival ?? 0) : arg?.sval ? timeoutMs(String(arg.sval.sval)) : undefined;
        if (value === undefined) return;
        const at = { from: this.statements.length, ms: value };
        if (name === 'lock_timeout') place.file.lockTimeout = at;
        else place.file.statementTimeout = at;
        return;
      }
      case 'DoStmt':
        return this.doBlock(node, place, line);
      case 'VacuumStmt': {
        const full = ((node.options ?? []) as PgNode[]).some((o) => o.DefElem?.defname === 'full' && o.DefElem?.arg?.Boolean?.boolval !== false);
        const rels = ((node.rels ?? []) as PgNode[]).map((r) => this.names.rangeVar(r.VacuumRelation.relation)).filter((r) => !this.isNew(r));
        const s = this.push(place, line, `${node.is_vacuumcmd ? 'VACUUM' : 'ANALYZE'}${full ? ' FULL' : ''}`, {});
        for (const rel of rels) {
          s.locks.push({ rel: this.known(rel), mode: full ? 'AccessExclusiveLock' : 'ShareUpdateExclusiveLock' });
          if (full) s.privileges.push({ kind: 'owner', rel: this.known(rel), what: 'table' });
        }
        return;
      }
      case 'ClusterStmt':
      case 'ReindexStmt': {
        if (!node.relation) return;
        const rel = this.names.rangeVar(node.relation);
        if (this.isNew(rel)) return;
        const s = this.push(place, line, `${type === 'ClusterStmt' ? 'CLUSTER' : 'REINDEX'} ${rel.shown}`, {});
        const isIndex = type === 'ReindexStmt' && String(node.kind).endsWith('INDEX');
        if (!isIndex) s.locks.push({ rel: this.known(rel), mode: type === 'ClusterStmt' ? 'AccessExclusiveLock' : 'ShareLock' });
        else s.locks.push({ rel, mode: 'AccessExclusiveLock' });
        s.privileges.push({ kind: 'owner', rel: this.known(rel), what: isIndex ? 'index' : 'table' });
        return;
      }
      case 'CreateTrigStmt': {
        const rel = this.names.rangeVar(node.relation);
        if (this.isNew(rel)) return;
        this.push(place, line, `CREATE TRIGGER ON ${rel.shown}`, { locks: [{ rel: this.known(rel), mode: 'ShareRowExclusiveLock' }], privileges: [{ kind: 'owner', rel: this.known(rel), what: 'table' }] });
        return;
      }
      default:
        return;
    }
  }

  private fill(rel: RelRef, how: 'values' | 'query', by: string): void {
    const created = this.created.get(rel.key);
    if (created) {
      if (created.filled !== 'query') created.filled = how;
      return;
    }
    const db = this.known(rel);
    this.changed.set(db.key, `${by} ${rel.shown}`);
    this.emptied.delete(db.key);
  }

  private dataChange(type: string, node: PgNode, place: Place, line: number): void {
    for (const cte of (node.withClause?.ctes ?? []) as PgNode[]) {
      const query = cte.CommonTableExpr?.ctequery as PgNode | undefined;
      if (!query) continue;
      const [qt, qn] = unwrap(query);
      if (qt === 'InsertStmt' || qt === 'UpdateStmt' || qt === 'DeleteStmt') this.dataChange(qt, qn, place, line);
    }
    const rel = this.names.rangeVar(node.relation);
    const verb = type === 'InsertStmt' ? 'INSERT' : type === 'UpdateStmt' ? 'UPDATE' : 'DELETE';
    const s = this.push(place, line, `${verb} ${verb === 'INSERT' ? 'INTO ' : verb === 'DELETE' ? 'FROM ' : ''}${rel.shown}`, {});
    if (this.isNew(rel)) {
      if (type === 'InsertStmt') this.fill(rel, node.selectStmt?.SelectStmt?.valuesLists?.length ? 'values' : 'query', 'INSERT INTO');
      else if (type === 'DeleteStmt' && !node.whereClause) this.created.get(rel.key)!.filled = 'no';
      return;
    }
    const db = this.known(rel);
    s.locks.push({ rel: db, mode: 'RowExclusiveLock' });
    s.privileges.push({ kind: 'table', rel: db, privilege: verb });
    if (type === 'DeleteStmt' && !node.whereClause) {
      this.emptied.add(db.key);
      this.changed.delete(db.key);
    } else {
      this.fill(rel, 'query', verb === 'INSERT' ? 'INSERT INTO' : verb);
    }
  }

  private referenceNeeds(s: PlannedStatement, target: RelRef): void {
    if (this.isNew(target)) return;
    const db = this.known(target);
    s.locks.push({ rel: db, mode: 'ShareRowExclusiveLock' });
    s.privileges.push({ kind: 'references', rel: db });
  }

  // ---- indexes -----------------------------------------------------------------------------

  private createIndex(node: PgNode, place: Place, line: number): void {
    const rel = this.names.rangeVar(node.relation);
    const what = `CREATE ${node.unique ? 'UNIQUE ' : ''}INDEX${node.concurrent ? ' CONCURRENTLY' : ''}${node.idxname ? ` ${quoteIfNeeded(node.idxname as string)}` : ''} ON ${rel.shown}`;
    const db = this.known(rel);
    const isNew = this.isNew(rel);
    const extra: Partial<PlannedStatement> = isNew ? {} : { locks: [{ rel: db, mode: node.concurrent ? 'ShareUpdateExclusiveLock' : 'ShareLock' }], privileges: [{ kind: 'owner', rel: db, what: 'table' }] };
    if (!node.unique) {
      this.push(place, line, what, extra);
      return;
    }
    this.checked(place, line, what, rel, () => {
      const elements = (node.indexParams ?? []) as PgNode[];
      const key = this.uniqueKey(db, rel, elements.map((e) => e.IndexElem as PgNode), node.whereClause as PgNode | undefined, Boolean(node.nulls_not_distinct));
      return 'unknown' in key || 'certain' in key ? key : 'never' in key ? [] : [key];
    }, extra);
  }

  /**
   * The duplicates check of a unique key on `db` (elements are IndexElems: a column or an
   * expression). Columns the set added are taken for what existing rows hold in them.
   */
  private uniqueKey(
    db: RelRef,
    rel: RelRef,
    elements: PgNode[],
    where: PgNode | undefined,
    nullsNotDistinct: boolean,
  ): DuplicatesCheck | { never: string } | { unknown: string } | { certain: { sqlstate: string; reason: string } } {
    const keys: string[] = [];
    const nullable: string[] = [];
    let keyColumns: string[] | undefined = [];
    const names: ExpressionNames = { functions: [], operators: [], types: [] };
    const shown: string[] = [];
    const merge = (d: Deparsed) => {
      names.functions.push(...d.functions);
      names.operators.push(...d.operators);
      names.types.push(...d.types);
    };
    for (const e of elements) {
      const collation = ((e.collation ?? []) as PgNode[]).map(str);
      const collate = collation.length ? ` COLLATE ${collation.map((c) => quoteIdent(c ?? '')).join('.')}` : '';
      if (e.name !== undefined) {
        const name = this.dbColumn(db, e.name as string);
        shown.push(quoteIdent(e.name as string));
        const addedValue = this.added.get(`${db.key}\0${name}`);
        if (addedValue === 'null') {
          // Every existing row holds NULL there: never equal (NULLS DISTINCT), or all equal (NOT DISTINCT).
          if (!nullsNotDistinct) return { never: `column "${e.name}" is added by the pending set, NULL in every existing row` };
          continue;
        }
        if (addedValue === 'constant') continue; // the same value in every existing row
        if (addedValue === 'other') return { unknown: `column "${e.name}" is added by the pending set with a value the gate does not evaluate` };
        if (this.retyped.has(`${db.key}\0${name}`)) return { unknown: `column "${e.name}" changes type earlier in the pending set` };
        keys.push(`${quoteIdent(name)}${collate}`);
        nullable.push(quoteIdent(name));
        if (collate) keyColumns = undefined;
        else keyColumns?.push(name);
      } else if (e.expr) {
        if (hasSubquery(e.expr)) return { certain: { sqlstate: '0A000', reason: 'PostgreSQL refuses a subquery in an index expression' } };
        const d = deparse(e.expr as PgNode, (c) => this.readableColumn(db, c));
        if ('unsupported' in d) return { unknown: `the index expression holds ${d.unsupported}` };
        merge(d);
        keyColumns = undefined;
        keys.push(`(${d.sql})${collate}`);
        nullable.push(`(${d.sql})`);
        shown.push(`(${d.sql})`);
      } else {
        return { unknown: 'an index element the gate does not read' };
      }
    }
    let whereSql: string | undefined;
    if (where) {
      if (hasSubquery(where)) return { certain: { sqlstate: '0A000', reason: 'PostgreSQL refuses a subquery in an index predicate' } };
      const d = deparse(where, (c) => this.readableColumn(db, c));
      if ('unsupported' in d) return { unknown: `the index predicate holds ${d.unsupported}` };
      merge(d);
      whereSql = d.sql;
    }
    return {
      kind: 'duplicates',
      table: db,
      sqlstate: '23505',
      what: `duplicates in ${rel.shown}(${shown.join(', ')})${whereSql ? ` WHERE ${whereSql}` : ''}${nullsNotDistinct ? ' NULLS NOT DISTINCT' : ''}`,
      keys,
      nullable: nullsNotDistinct ? [] : nullable,
      ...(keyColumns && keyColumns.length === keys.length ? { keyColumns } : {}),
      where: whereSql,
      nullsNotDistinct,
      names,
    };
  }

  /** A column of an existing table as SQL, or undefined when the set added or retyped it. */
  private readableColumn(db: RelRef, name: string): string | undefined {
    const dbName = this.dbColumn(db, name);
    const key = `${db.key}\0${dbName}`;
    if (this.added.has(key) || this.retyped.has(key)) return undefined;
    return quoteIdent(dbName);
  }

  // ---- DROP, RENAME ------------------------------------------------------------------------

  private drop(node: PgNode, place: Place, line: number): void {
    const objects = (node.objects ?? []) as PgNode[];
    const line0 = line;
    switch (node.removeType) {
      case 'OBJECT_TABLE':
      case 'OBJECT_MATVIEW':
      case 'OBJECT_VIEW':
      case 'OBJECT_SEQUENCE':
        for (const o of objects) {
          const rel = this.names.nameList(o.List.items as PgNode[]);
          if (this.created.delete(rel.key)) continue;
          const db = this.known(rel);
          const kind = String(node.removeType).replace('OBJECT_', '').toLowerCase();
          this.push(place, line0, `DROP ${kind === 'matview' ? 'MATERIALIZED VIEW' : kind.toUpperCase()} ${rel.shown}`, {
            locks: [{ rel: db, mode: 'AccessExclusiveLock' }],
            privileges: [{ kind: 'owner', rel: db, what: kind === 'matview' ? 'materialized view' : kind }],
          });
        }
        return;
      case 'OBJECT_INDEX':
        for (const o of objects) {
          const index = this.names.nameList(o.List.items as PgNode[]);
          this.push(place, line0, `DROP INDEX${node.concurrent ? ' CONCURRENTLY' : ''} ${index.shown}`, {
            // The index's table is locked too; the lock on the index stands for it here.
            locks: [{ rel: index, mode: node.concurrent ? 'ShareUpdateExclusiveLock' : 'AccessExclusiveLock' }],
            privileges: [{ kind: 'owner', rel: index, what: 'index' }],
          });
        }
        return;
      case 'OBJECT_TYPE':
      case 'OBJECT_DOMAIN':
        for (const o of objects) {
          const t = this.names.nameList(o.TypeName.names as PgNode[]);
          if (this.enums.delete(t.key)) continue;
          this.push(place, line0, `DROP TYPE ${t.shown}`, { privileges: [{ kind: 'owner-type', type: t }] });
        }
        return;
      default:
        return;
    }
  }

  private rename(node: PgNode, place: Place, line: number): void {
    switch (node.renameType) {
      case 'OBJECT_TABLE': {
        const rel = this.names.rangeVar(node.relation);
        const to = this.names.rel(rel.schema, node.newname as string);
        const created = this.created.get(rel.key);
        if (created) {
          this.created.delete(rel.key);
          this.created.set(to.key, created);
          return;
        }
        const db = this.known(rel);
        this.renamed.set(to.key, db);
        this.push(place, line, `ALTER TABLE ${rel.shown} RENAME TO ${quoteIfNeeded(node.newname as string)}`, {
          locks: [{ rel: db, mode: 'AccessExclusiveLock' }],
          privileges: [{ kind: 'owner', rel: db, what: 'table' }],
        });
        return;
      }
      case 'OBJECT_COLUMN': {
        const rel = this.names.rangeVar(node.relation);
        if (this.isNew(rel)) return;
        const db = this.known(rel);
        const from = this.dbColumn(db, node.subname as string);
        this.columnNames.set(`${db.key}\0${node.newname as string}`, from);
        this.push(place, line, `ALTER TABLE ${rel.shown} RENAME COLUMN ${quoteIdent(node.subname as string)}`, {
          locks: [{ rel: db, mode: 'AccessExclusiveLock' }],
          privileges: [{ kind: 'owner', rel: db, what: 'table' }],
        });
        return;
      }
      case 'OBJECT_TYPE': {
        const from = this.names.nameList(node.object.List.items as PgNode[]);
        const to = this.names.rel(from.schema, node.newname as string);
        const labels = this.enums.get(from.key);
        if (labels) {
          this.enums.delete(from.key);
          this.enums.set(to.key, labels);
          return;
        }
        this.push(place, line, `ALTER TYPE ${from.shown} RENAME TO ${quoteIfNeeded(node.newname as string)}`, { privileges: [{ kind: 'owner-type', type: from }] });
        return;
      }
      default:
        return;
    }
  }

  // ---- ALTER TABLE -------------------------------------------------------------------------

  private alterTable(node: PgNode, place: Place, line: number): void {
    if (node.objtype && node.objtype !== 'OBJECT_TABLE') return;
    const rel = this.names.rangeVar(node.relation);
    const isNew = this.isNew(rel);
    const db = this.known(rel);
    const cmds = (node.cmds ?? []) as PgNode[];
    let lines: number[] | null | undefined = cmds.length > 1 ? undefined : null;
    const at = (i: number) => {
      if (lines === undefined) lines = alterTableActionLines(this.parser, node, place, cmds.length) ?? null;
      return lines?.[i] ?? line;
    };
    const head = `ALTER TABLE ${rel.shown}`;
    cmds.forEach((c, i) => {
      const cmd = c.AlterTableCmd as PgNode;
      const mode = alterLockMode(cmd);
      const base: Partial<PlannedStatement> = isNew ? {} : { locks: [{ rel: db, mode }], privileges: [{ kind: 'owner', rel: db, what: 'table' }] };
      switch (cmd.subtype) {
        case 'AT_AddColumn':
          return this.addColumn(rel, db, isNew, cmd.def.ColumnDef as PgNode, place, at(i), base);
        case 'AT_DropColumn': {
          const name = this.dbColumn(db, cmd.name as string);
          this.added.delete(`${db.key}\0${name}`);
          this.push(place, at(i), `${head} DROP COLUMN ${quoteIdent(cmd.name as string)}`, base);
          return;
        }
        case 'AT_AlterColumnType':
          return this.alterColumnType(rel, db, isNew, cmd, place, at(i), base);
        case 'AT_SetNotNull': {
          const column = cmd.name as string;
          const dbName = this.dbColumn(db, column);
          const what = `${head} ALTER COLUMN ${quoteIdent(column)} SET NOT NULL`;
          this.checked(place, at(i), what, rel, () => this.notNullChecks(db, rel, [dbName], column), base);
          return;
        }
        case 'AT_DropNotNull':
          this.nullable.add(`${db.key}\0${this.dbColumn(db, cmd.name as string)}`);
          this.push(place, at(i), `${head} ALTER COLUMN ${quoteIdent(cmd.name as string)} DROP NOT NULL`, base);
          return;
        case 'AT_AddConstraint':
          return this.addConstraint(rel, db, isNew, cmd.def.Constraint as PgNode, place, at(i), base);
        case 'AT_ValidateConstraint': {
          const name = cmd.name as string;
          const what = `${head} VALIDATE CONSTRAINT ${quoteIfNeeded(name)}`;
          if (isNew) {
            this.push(place, at(i), what, {});
            return;
          }
          const fromSet = this.notValid.get(`${db.key}\0${name}`);
          if (fromSet) {
            this.checked(place, at(i), what, rel, () => fromSet, base);
          } else {
            const s = this.checked(place, at(i), what, rel, () => [], base);
            if (!s.unknown && !s.passes && !s.certain) s.validateExisting = { table: db, constraint: name };
          }
          return;
        }
        default:
          this.push(place, at(i), `${head} ${alterWhat(cmd)}`, base);
          return;
      }
    });
  }

  /** NULL checks of columns as the database holds them (an added column: what existing rows hold). */
  private notNullChecks(db: RelRef, rel: RelRef, dbNames: string[], shownName?: string): DataCheck[] | { unknown: string } {
    const checks: DataCheck[] = [];
    for (const name of dbNames) {
      const added = this.added.get(`${db.key}\0${name}`);
      if (added === 'constant') continue;
      if (added === 'other') return { unknown: `column "${shownName ?? name}" is added by the pending set with a value the gate does not evaluate` };
      if (added === 'null') {
        checks.push({ kind: 'rows', table: db, sqlstate: '23502', what: `rows in ${rel.shown} (column "${shownName ?? name}" is added by the pending set without a value)` });
        continue;
      }
      checks.push({ kind: 'nulls', table: db, sqlstate: '23502', column: name, what: `NULLs in ${rel.shown}."${name}"` });
    }
    return checks;
  }

  private addColumn(rel: RelRef, db: RelRef, _isNew: boolean, def: PgNode, place: Place, line: number, base: Partial<PlannedStatement>): void {
    const column = def.colname as string;
    const constraints = ((def.constraints ?? []) as PgNode[]).map((c) => c.Constraint as PgNode);
    const has = (contype: string) => constraints.find((c) => c.contype === contype);
    const type = typeRef(def.typeName);
    const serial = type !== undefined && /^(small|big)?serial[248]?$/.test(type.name);
    const identity = has('CONSTR_IDENTITY');
    const generated = has('CONSTR_GENERATED');
    const defaultExpr = has('CONSTR_DEFAULT')?.raw_expr as PgNode | undefined;
    const value: AddedValue = serial || identity || generated ? 'other' : defaultExpr === undefined || defaultExpr.A_Const?.isnull ? 'null' : isConstant(defaultExpr) ? 'constant' : 'other';
    const what = `ALTER TABLE ${rel.shown} ADD COLUMN ${quoteIdent(column)}`;
    const key = `${db.key}\0${column}`;
    const fk = has('CONSTR_FOREIGN');
    if (fk) {
      const target = this.names.rangeVar(fk.pktable);
      if (!this.isNew(target)) {
        (base.locks ??= []).push({ rel: this.known(target), mode: 'ShareRowExclusiveLock' });
        (base.privileges ??= []).push({ kind: 'references', rel: this.known(target) });
      }
    }
    const notNull = has('CONSTR_NOTNULL') ?? has('CONSTR_PRIMARY');
    const unique = has('CONSTR_UNIQUE') ?? has('CONSTR_PRIMARY');
    this.checked(place, line, what, rel, () => {
      const checks: DataCheck[] = [];
      if (notNull && value === 'null') checks.push({ kind: 'rows', table: db, sqlstate: '23502', what: `rows in ${rel.shown} (the required column "${column}" has no default)` });
      if (unique && value === 'constant') checks.push({ kind: 'rows', atLeast: 2, table: db, sqlstate: '23505', what: `a second row in ${rel.shown} (every row gets the same "${column}")` });
      if (value === 'other' && (unique || fk || has('CONSTR_CHECK') || notNull) && !serial && !identity) {
        return { unknown: `the new column's value (${generated ? 'a generated expression' : 'its default'}) is computed per row, which the gate does not evaluate` };
      }
      if (value === 'constant' && (fk || has('CONSTR_CHECK'))) return { unknown: "the new column's default is checked by its constraint, which the gate does not evaluate" };
      return checks;
    }, base);
    this.added.set(key, value);
  }

  private alterColumnType(rel: RelRef, db: RelRef, isNew: boolean, cmd: PgNode, place: Place, line: number, base: Partial<PlannedStatement>): void {
    const column = cmd.name as string;
    const def = cmd.def.ColumnDef as PgNode;
    const what = `ALTER TABLE ${rel.shown} ALTER COLUMN ${quoteIdent(column)} TYPE`;
    const dbName = this.dbColumn(db, column);
    const key = `${db.key}\0${dbName}`;
    this.checked(place, line, what, rel, () => {
      const target = typeRef(def.typeName);
      if (!target) return { unknown: 'the target type is one the gate does not write back' };
      const added = this.added.get(key);
      if (added === 'null') return [];
      if (added) return { unknown: `column "${column}" is added by the pending set with a value the gate does not evaluate` };
      if (this.retyped.has(key)) return { unknown: `column "${column}" changes type earlier in the pending set` };
      const using = def.raw_default as PgNode | undefined;
      if (using && hasSubquery(using)) return { certain: { sqlstate: '0A000', reason: 'PostgreSQL refuses a subquery in a USING expression' } };
      const enumTarget = this.enums.get(this.names.rel(target.schema, target.name).key);
      if (enumTarget) return this.enumCast(db, rel, column, target, enumTarget, using);
      let usingSql: string | undefined;
      let names: ExpressionNames = { functions: [], operators: [], types: [target] };
      if (using) {
        const d = deparse(using, (c) => this.readableColumn(db, c));
        if ('unsupported' in d) return { unknown: `the USING expression holds ${d.unsupported}` };
        if (d.types.some((t) => this.enums.has(this.names.rel(t.schema, t.name).key))) return { unknown: 'the USING expression casts to a type the pending set creates' };
        usingSql = d.sql;
        names = { functions: d.functions, operators: d.operators, types: [...d.types, target] };
      }
      return [{ kind: 'cast', table: db, sqlstate: '22P02', column: dbName, target, using: usingSql, what: `values of ${rel.shown}."${column}" that do not cast`, names }];
    }, base);
    // Without USING the values are only cast (a later check of the column reads them as they are:
    // a chain of casts is checked from the current values); with USING they become something else.
    if (def.raw_default !== undefined || isNew) this.retyped.add(key);
  }

  /** Prisma's enum rebuild: `ALTER COLUMN "role" TYPE "Role_new" USING ("role"::text::"Role_new")`. */
  private enumCast(db: RelRef, rel: RelRef, column: string, target: TypeRef, labels: string[], using: PgNode | undefined): DataCheck[] | { unknown: string } {
    // The value whose text must be a label: the USING's argument of the last cast, or the column.
    let inner: PgNode | undefined = using;
    if (inner?.TypeCast) inner = inner.TypeCast.arg as PgNode;
    if (inner?.TypeCast) {
      const t = typeRef(inner.TypeCast.typeName);
      if (!t || (t.name !== 'text' && t.name !== 'varchar')) return { unknown: 'the USING expression is not the text cast Prisma writes' };
      inner = inner.TypeCast.arg as PgNode;
    }
    if (using && !inner?.ColumnRef) return { unknown: 'the USING expression is not the text cast Prisma writes' };
    const source = inner?.ColumnRef ? str((inner.ColumnRef.fields as PgNode[]).at(-1)) : column;
    if (!source) return { unknown: 'the USING expression is not the text cast Prisma writes' };
    const sourceDb = this.dbColumn(db, source);
    if (this.added.has(`${db.key}\0${sourceDb}`) || this.retyped.has(`${db.key}\0${sourceDb}`)) return { unknown: `column "${source}" changes earlier in the pending set` };
    const typeName = quoteIfNeeded(target.name);
    return [
      {
        kind: 'enum-values',
        table: db,
        sqlstate: '22P02',
        value: `CAST(${quoteIdent(sourceDb)} AS text${target.array ? '[]' : ''})`,
        array: target.array,
        labels: [...labels],
        typeName,
        what: `values of ${rel.shown}."${column}" that are not labels of ${typeName}`,
      },
    ];
  }

  private addConstraint(rel: RelRef, db: RelRef, isNew: boolean, c: PgNode, place: Place, line: number, base: Partial<PlannedStatement>): void {
    const name = c.conname as string | undefined;
    const head = `ALTER TABLE ${rel.shown} ADD ${name ? `CONSTRAINT ${quoteIfNeeded(name)} ` : ''}`;
    const notValid = Boolean(c.skip_validation);
    /**
     * A validated constraint is checked now; a NOT VALID one is not (PostgreSQL skips the existing
     * rows), but its checks are kept for a later VALIDATE CONSTRAINT of the same name.
     */
    const validate = (what: string, build: () => BuiltChecks, extra: Partial<PlannedStatement>): void => {
      if (!notValid) {
        this.checked(place, line, what, rel, build, extra);
        return;
      }
      if (!isNew) {
        const checks = build();
        if (name && Array.isArray(checks)) this.notValid.set(`${db.key}\0${name}`, checks);
      }
      this.push(place, line, what, extra);
    };
    switch (c.contype) {
      case 'CONSTR_FOREIGN': {
        const target = this.names.rangeVar(c.pktable);
        const what = `${head}FOREIGN KEY REFERENCES ${target.shown}`;
        // Both tables are locked SHARE ROW EXCLUSIVE, NOT VALID or not; REFERENCES on the referenced one.
        const refNeeds: Partial<PlannedStatement> = { locks: [], privileges: [] };
        if (!this.isNew(target)) {
          refNeeds.locks!.push({ rel: this.known(target), mode: 'ShareRowExclusiveLock' });
          refNeeds.privileges!.push({ kind: 'references', rel: this.known(target) });
        }
        const withRef: Partial<PlannedStatement> = { locks: [...(base.locks ?? []), ...refNeeds.locks!], privileges: [...(base.privileges ?? []), ...refNeeds.privileges!] };
        const build = () => this.foreignKey(db, rel, c, target);
        validate(what, build, isNew ? refNeeds : withRef);
        return;
      }
      case 'CONSTR_CHECK': {
        const what = `${head}CHECK`;
        const build = (): BuiltChecks => {
          const expr = c.raw_expr as PgNode;
          if (hasSubquery(expr)) return { certain: { sqlstate: '0A000', reason: 'PostgreSQL refuses a subquery in a CHECK constraint' } };
          const d = deparse(expr, (col) => this.readableColumn(db, col));
          if ('unsupported' in d) return { unknown: `the CHECK holds ${d.unsupported}` };
          return [{ kind: 'check', table: db, sqlstate: '23514', expr: d.sql, what: `rows of ${rel.shown} that break CHECK (${d.sql})`, names: { functions: d.functions, operators: d.operators, types: d.types } }];
        };
        validate(what, build, isNew ? {} : base);
        return;
      }
      case 'CONSTR_NOTNULL': {
        const column = str((c.keys as PgNode[] | undefined)?.[0]);
        const what = `${head}NOT NULL${column ? ` ${quoteIdent(column)}` : ''}`;
        if (!column) return;
        const build = () => this.notNullChecks(db, rel, [this.dbColumn(db, column)], column);
        validate(what, build, isNew ? {} : base);
        return;
      }
      case 'CONSTR_UNIQUE':
      case 'CONSTR_PRIMARY':
      case 'CONSTR_EXCLUSION': {
        const shape = c.contype === 'CONSTR_UNIQUE' ? 'UNIQUE' : c.contype === 'CONSTR_PRIMARY' ? 'PRIMARY KEY' : 'EXCLUDE';
        const what = `${head}${shape}`;
        if (c.indexname) {
          this.push(place, line, what, isNew ? {} : base);
          return;
        }
        this.checked(place, line, what, rel, () => {
          let elements: PgNode[];
          if (c.contype === 'CONSTR_EXCLUSION') {
            const method = String(c.access_method ?? 'btree');
            const pairs = ((c.exclusions ?? []) as PgNode[]).map((p) => p.List.items as PgNode[]);
            if (!['btree', 'hash'].includes(method) || pairs.some((p) => ((p[1]?.List?.items ?? []) as PgNode[]).map(str).join('.') !== '=')) {
              return { unknown: 'an exclusion constraint with operators other than =, which the gate does not evaluate' };
            }
            elements = pairs.map((p) => p[0]!.IndexElem as PgNode);
          } else {
            elements = ((c.keys ?? []) as PgNode[]).map((k) => ({ name: str(k) }));
          }
          const key = this.uniqueKey(db, rel, elements, c.where_clause as PgNode | undefined, Boolean(c.nulls_not_distinct));
          if ('unknown' in key || 'certain' in key) return key;
          const checks: DataCheck[] = 'never' in key ? [] : [key];
          if (c.contype === 'CONSTR_PRIMARY') {
            // The index is built first (duplicates: 23505), then the columns are made NOT NULL (23502).
            const nulls = this.notNullChecks(db, rel, elements.map((e) => this.dbColumn(db, e.name as string)));
            if ('unknown' in nulls) return nulls;
            checks.push(...nulls);
          }
          return checks;
        }, isNew ? {} : base);
        return;
      }
      default:
        this.push(place, line, `${head}${String(c.contype).replace('CONSTR_', '')}`, isNew ? {} : base);
        return;
    }
  }

  private foreignKey(db: RelRef, rel: RelRef, c: PgNode, target: RelRef): DataCheck[] | { unknown: string } {
    const columns = ((c.fk_attrs ?? []) as PgNode[]).map((a) => str(a)!);
    const refColumns = ((c.pk_attrs ?? []) as PgNode[]).map((a) => str(a)!);
    const dbColumns: string[] = [];
    for (const col of columns) {
      const name = this.dbColumn(db, col);
      const added = this.added.get(`${db.key}\0${name}`);
      if (added === 'null') return []; // every existing row has a NULL key: MATCH SIMPLE passes it
      if (added || this.retyped.has(`${db.key}\0${name}`)) return { unknown: `column "${col}" changes earlier in the pending set` };
      dbColumns.push(name);
    }
    const created = this.isNew(target) ? this.created.get(target.key) : undefined;
    const refState = created ? this.dataState(target) : undefined;
    if (created && refState && !('empty' in refState)) return { unknown: `the referenced table ${target.shown} is filled by the pending set` };
    const refDb = this.known(target);
    const refEmpty = created !== undefined;
    const refCols = refColumns.length ? refColumns.map((r) => this.dbColumn(refDb, r)) : created?.pk;
    return [
      {
        kind: 'orphans',
        table: db,
        sqlstate: '23503',
        columns: dbColumns,
        refTable: refDb,
        refColumns: refCols,
        matchFull: c.fk_matchtype === 'f',
        refEmpty,
        what: `rows of ${rel.shown}(${columns.map(quoteIdent).join(', ')}) without a match in ${target.shown}`,
      },
    ];
  }

  // ---- DO blocks ---------------------------------------------------------------------------

  /**
   * A DO block is not run by the gate. Its static SQL is read for what it changes (tables whose
   * rows or columns it alters make later checks on them unknown); SQL built at run time makes every
   * later data check unknown.
   */
  private doBlock(node: PgNode, place: Place, line: number): void {
    const args = (node.args ?? []) as PgNode[];
    const as = args.find((a) => a.DefElem?.defname === 'as')?.DefElem as PgNode | undefined;
    const body = str(as?.arg);
    const bodyLine = as?.location !== undefined ? place.line(as.location as number) : line;
    this.push(place, line, 'DO block', {});
    if (body === undefined) return;
    let tag = 'prg';
    while (body.includes(`$${tag}$`)) tag += '_';
    let tree: PgNode;
    try {
      tree = this.parser.parsePlpgsql(`CREATE FUNCTION pg_temp.prg_do_block() RETURNS void LANGUAGE plpgsql AS $${tag}$${body}$${tag}$`);
    } catch {
      this.opaque = `the DO block at ${place.file.file}:${line} could not be read`;
      return;
    }
    const inner = (query: string, lineno: number) => {
      const parsed = this.parser.parse(query);
      if ('error' in parsed) return;
      const text = new LineIndex(query);
      const innerLine = bodyLine + lineno - 1;
      for (const s of parsed.statements) {
        this.statement(s.stmt, { ...place, line: (o) => innerLine + text.line(o) - 1, text: () => text, location: s.location, length: s.length, inDoBlock: true });
        const [t, n] = unwrap(s.stmt);
        const rel = n.relation ? this.names.rangeVar(n.relation) : undefined;
        if (rel && (t === 'AlterTableStmt' || t === 'InsertStmt' || t === 'UpdateStmt' || t === 'DeleteStmt')) this.fill(rel, 'query', 'a DO block changing');
      }
    };
    const walk = (n: unknown): void => {
      if (n === null || typeof n !== 'object') return;
      if (Array.isArray(n)) return n.forEach(walk);
      const obj = n as PgNode;
      if (obj.PLpgSQL_stmt_execsql) {
        inner(obj.PLpgSQL_stmt_execsql.sqlstmt.PLpgSQL_expr.query as string, (obj.PLpgSQL_stmt_execsql.lineno as number) ?? 1);
        return;
      }
      if (obj.PLpgSQL_stmt_dynexecute || obj.PLpgSQL_stmt_dynfors) {
        this.opaque = `the DO block at ${place.file.file}:${line} runs SQL built at run time`;
        return;
      }
      for (const v of Object.values(obj)) walk(v);
    };
    walk(tree);
  }
}

/** The lock ALTER TABLE takes for one subcommand (AlterTableGetLockLevel in tablecmds.c). */
function alterLockMode(cmd: PgNode): LockMode {
  switch (cmd.subtype) {
    case 'AT_AddConstraint':
      return cmd.def?.Constraint?.contype === 'CONSTR_FOREIGN' ? 'ShareRowExclusiveLock' : 'AccessExclusiveLock';
    case 'AT_ValidateConstraint':
    case 'AT_SetStatistics':
    case 'AT_ClusterOn':
    case 'AT_DropCluster':
    case 'AT_SetOptions':
    case 'AT_ResetOptions':
    case 'AT_SetStorage':
    case 'AT_AttachPartition':
      return 'ShareUpdateExclusiveLock';
    case 'AT_EnableTrig':
    case 'AT_DisableTrig':
    case 'AT_EnableAlwaysTrig':
    case 'AT_EnableReplicaTrig':
    case 'AT_EnableTrigAll':
    case 'AT_DisableTrigAll':
    case 'AT_EnableTrigUser':
    case 'AT_DisableTrigUser':
      return 'ShareRowExclusiveLock';
    default:
      return 'AccessExclusiveLock';
  }
}

function alterWhat(cmd: PgNode): string {
  const column = cmd.name ? quoteIdent(cmd.name as string) : '';
  switch (cmd.subtype) {
    case 'AT_ColumnDefault':
      return `ALTER COLUMN ${column} ${cmd.def ? 'SET' : 'DROP'} DEFAULT`;
    case 'AT_DropConstraint':
      return `DROP CONSTRAINT ${cmd.name ? quoteIfNeeded(cmd.name as string) : ''}`;
    case 'AT_SetStatistics':
      return `ALTER COLUMN ${column} SET STATISTICS`;
    default: {
      const sub = String(cmd.subtype).replace(/^AT_/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
      return column ? `${sub} ${column}` : sub;
    }
  }
}

/** Primary key columns of a CREATE TABLE (inline or table constraint). */
function primaryKeyOf(node: PgNode): string[] | undefined {
  for (const elt of (node.tableElts ?? []) as PgNode[]) {
    if (elt.Constraint?.contype === 'CONSTR_PRIMARY') return ((elt.Constraint.keys ?? []) as PgNode[]).map((k) => str(k)!);
    if (elt.ColumnDef && ((elt.ColumnDef.constraints ?? []) as PgNode[]).some((c) => c.Constraint?.contype === 'CONSTR_PRIMARY')) return [elt.ColumnDef.colname as string];
  }
  return undefined;
}

/** A default with no function call and no column: one value for every existing row. */
function isConstant(expr: PgNode): boolean {
  let constant = true;
  const walk = (n: unknown): void => {
    if (!constant || n === null || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(walk);
    const node = n as PgNode;
    if (node.FuncCall || node.ColumnRef || node.SubLink || node.SQLValueFunction) {
      // CURRENT_TIMESTAMP and now() are evaluated once per statement: the same value in every row.
      const name = node.FuncCall ? (node.FuncCall.funcname as PgNode[]).map(str).at(-1) : undefined;
      if (node.SQLValueFunction || name === 'now' || name === 'transaction_timestamp' || name === 'statement_timestamp') return;
      constant = false;
      return;
    }
    for (const v of Object.values(node)) walk(v);
  };
  walk(expr);
  return constant;
}

/**
 * Prisma's `-- Warnings:` header (`/*\n  Warnings:\n\n  - …\n*\/` at the top of a generated
 * migration.sql), each warning matched to the statements of the file it is about by its table and
 * column names.
 */
export function prismaWarnings(sql: string, file: string, statements: PlannedStatement[]): PrismaWarning[] {
  const header = /^\s*\/\*\s*\n\s*Warnings:\s*\n([\s\S]*?)\*\//.exec(sql);
  if (!header) return [];
  // The line of the header's body (after `Warnings:` and the blank lines that follow it).
  const bodyStart = header.index + header[0].length - header[1]!.length - 2;
  const startLine = sql.slice(0, bodyStart).split('\n').length;
  const warnings: PrismaWarning[] = [];
  header[1]!.split('\n').forEach((raw, i) => {
    const m = /^\s*-\s+(.*\S)\s*$/.exec(raw);
    if (!m) return;
    const text = m[1]!;
    const names = [...text.matchAll(/`([^`]+)`/g)].map((x) => x[1]!.replace(/^\[|\]$/g, ''));
    const table = /\b(?:on the table|to the|on the|on table|drop the) `([^`]+)`/.exec(text)?.[1];
    const enumName = /on the enum `([^`]+)`/.exec(text)?.[1];
    const matched = statements.filter((s) => {
      if (enumName) return s.checks.some((c) => c.kind === 'enum-values' && c.typeName.replace(/"/g, '') === enumName) || /TYPE/.test(s.what);
      if (!table) return false;
      const onTable = new RegExp(`(?:ON|TABLE) (?:[^ ]+\\.)?"?${escapeRegExp(table)}"?(?:\\s|$|\\()`).test(s.what);
      if (!onTable) return false;
      const columns = names.filter((n) => n !== table).flatMap((n) => n.split(','));
      return columns.length === 0 || columns.some((col) => s.what.includes(`"${col}"`) || s.checks.some((c) => c.what.includes(`"${col}"`)));
    });
    warnings.push({ file, line: startLine + i, text, statements: matched.map((s) => s.index) });
  });
  return warnings;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Plans `migrations` in order as one pending set. */
export function planPendingSet(parser: PgParser, migrations: readonly PendingMigration[], defaultSchema = 'public'): Plan {
  const planner = new PendingSetPlanner(parser, defaultSchema);
  for (const m of migrations) planner.planFile(m);
  return planner.plan();
}
