/**
 * The lint of gate.migration-safety on PostgreSQL's own parse trees. It reads the pending migrations
 * in the order Prisma applies them, keeps track of what the set itself creates (a table created
 * earlier in the set is new: nothing reads it and it holds no rows), of what each file's transaction
 * has done (Prisma sends a file as one query: one transaction when it holds more than one statement),
 * and reports candidates: risky statements with the relation whose data decides how bad they are.
 * Grading them against the database's catalog is ./grade.ts.
 */
import { RISKS, type RiskKind } from './risks.js';
import { LineIndex, type PgNode, type PgParser, type ScanToken } from './pg-parser.js';
import { quoteIdent as quoted, quoteIfNeeded, RelNames, str, unwrap, type RelRef } from './pg-names.js';

export interface MigrationSource {
  /** Path of migration.sql relative to the repository root. */
  file: string;
  sql: string;
}

export type { RelRef } from './pg-names.js';

/** A column type as PostgreSQL stores it: `pg_type.typname` and the typmod arguments. */
export interface TypeSpec {
  name: string;
  mods: number[];
  array: boolean;
}

/**
 * Where a relation comes from, as far as the pending set tells: `existing` (not created by it),
 * `new` (created by it, so no one else uses it yet), `maybe-new` (created with IF NOT EXISTS, which
 * is not proof: it may exist with rows; the database decides).
 */
export type Origin = 'existing' | 'new' | 'maybe-new';

export interface Candidate {
  kind: RiskKind;
  file: string;
  line: number;
  /** The statement as a person recognises it, e.g. `ALTER TABLE "User" DROP COLUMN "x"`. */
  what: string;
  /** The relation whose size and rows grade the finding (an index: its table does). */
  rel?: RelRef;
  origin?: Origin;
  /** The pending set inserts rows into the relation before this statement. */
  rowsInserted?: boolean;
  /** A sentence about this statement that the kind's text does not say. */
  extra?: string;
  /** For `syntax-error`: the parser's message. */
  message?: string;
  /** `alter-column-type`: decided against the column's current type. */
  typeChange?: { column: string; to: TypeSpec; using: boolean; from?: TypeSpec };
  /**
   * `set-not-null`: skipped when the database shows the column NOT NULL already or proven by a
   * validated CHECK, unless the set added the column or dropped its NOT NULL (`changedInSet`).
   */
  notNull?: { column: string; changedInSet: boolean };
  /**
   * `add-column-rewrite` when only volatility decides: the functions the default calls that are
   * known VOLATILE, and those whose volatility only the database knows (`pg_proc.provolatile`).
   */
  volatility?: { volatile: string[]; unknown: string[] };
}

export interface Lookups {
  relations: Map<string, RelRef>;
  /** Column names to read (of the relations above). */
  columns: Set<string>;
  functions: Set<string>;
}

export interface LintResult {
  candidates: Candidate[];
  lookups: Lookups;
  statements: number;
}

/** Functions that PostgreSQL (and the common extensions) declare VOLATILE: a default calling one rewrites the table. */
const VOLATILE_FUNCTIONS = new Set([
  'random',
  'random_normal',
  'setseed',
  'gen_random_uuid',
  'uuidv4',
  'uuidv7',
  'uuid_generate_v1',
  'uuid_generate_v1mc',
  'uuid_generate_v4',
  'gen_random_bytes',
  'clock_timestamp',
  'timeofday',
  'nextval',
  'currval',
  'lastval',
  'setval',
  'txid_current',
  'pg_current_xact_id',
]);

const SERIAL_TYPES = new Set(['serial', 'serial4', 'bigserial', 'serial8', 'smallserial', 'serial2']);

/** Type names the grammar leaves as written that pg_type spells differently. */
const TYPE_ALIASES: Record<string, string> = {
  int: 'int4',
  integer: 'int4',
  bigint: 'int8',
  smallint: 'int2',
  decimal: 'numeric',
  boolean: 'bool',
  real: 'float4',
  float: 'float8',
  character: 'bpchar',
  char: 'bpchar',
};


export function typeSpec(typeName: PgNode): TypeSpec {
  const names = ((typeName.names ?? []) as PgNode[]).map(str).filter((n): n is string => n !== undefined);
  const last = names[names.length - 1] ?? '';
  const mods = ((typeName.typmods ?? []) as PgNode[]).map((m) => Number(m.A_Const?.ival?.ival ?? 0));
  return { name: TYPE_ALIASES[last] ?? last, mods, array: Array.isArray(typeName.arrayBounds) && typeName.arrayBounds.length > 0 };
}

export const showType = (t: TypeSpec) => `${t.name}${t.mods.length ? `(${t.mods.join(',')})` : ''}${t.array ? '[]' : ''}`;

interface FileState {
  file: string;
  inTransaction: boolean;
  /** Enum values added by this file's transaction, value → type as shown. */
  enumValuesAdded: Map<string, string>;
  /** Constraints added NOT VALID in this file: `table key\0name` → the kind it would have been. */
  notValid: Map<string, RiskKind>;
}

/**
 * A line, computed only when a finding needs it: most statements report nothing, and an action's
 * line costs a scan of its statement.
 */
type LazyLine = () => number;
type Line = number | LazyLine;
const lineOf = (line: Line): number => (typeof line === 'function' ? line() : line);

/** How a statement's byte offsets become file lines (a DO block's inner queries are offset). */
interface Place {
  fileState: FileState;
  line(offset: number): number;
  /** The text the statement's offsets refer to, for PostgreSQL's scanner. */
  text(): LineIndex;
  location: number;
  length: number;
}

export class PendingSetLint {
  private readonly candidates: Candidate[] = [];
  private readonly lookups: Lookups = { relations: new Map(), columns: new Set(), functions: new Set() };
  private statements = 0;

  /** Tables the set creates: key → whether with IF NOT EXISTS (which is not proof that they are new). */
  private readonly created = new Map<string, { ifNotExists: boolean }>();
  /** Relations (any origin) the set inserts rows into. */
  private readonly filled = new Set<string>();
  /** An existing table renamed by the set: new key → the key the database knows. */
  private readonly renamedFrom = new Map<string, RelRef>();
  /** Column types the set gives existing tables: `table key\0column` → type, and whether the set added it. */
  private readonly columnTypes = new Map<string, { type: TypeSpec; added: boolean }>();
  /** Columns proven NOT NULL by a validated CHECK the set adds: `table key\0column`. */
  private readonly provenNotNull = new Set<string>();
  /** CHECK (col IS NOT NULL) added NOT VALID: `table key\0constraint` → column. */
  private readonly notNullChecks = new Map<string, string>();
  /** Columns of existing tables whose NOT NULL the set dropped: `table key\0column`. */
  private readonly nullableInSet = new Set<string>();
  private readonly createdIndexes = new Set<string>();
  private readonly createdObjects = new Set<string>();
  private readonly functionVolatility = new Map<string, string>();

  private readonly names: RelNames;

  constructor(
    private readonly parser: PgParser,
    /** Where unqualified names live: Prisma's `schema` parameter, else `public`. */
    defaultSchema: string,
  ) {
    this.names = new RelNames(defaultSchema);
  }

  result(): LintResult {
    return { candidates: this.candidates, lookups: this.lookups, statements: this.statements };
  }

  lintFile(source: MigrationSource): void {
    let index: LineIndex | undefined;
    const text = () => (index ??= new LineIndex(source.sql));
    const parsed = this.parser.parse(source.sql);
    if ('error' in parsed) {
      this.candidates.push({
        kind: 'syntax-error',
        file: source.file,
        line: text().line(parsed.error.location),
        what: 'the migration does not parse',
        message: parsed.error.message,
      });
      return;
    }
    const fileState: FileState = { file: source.file, inTransaction: parsed.statements.length > 1, enumValuesAdded: new Map(), notValid: new Map() };
    for (const s of parsed.statements) {
      this.statements++;
      this.statement(s.stmt, { fileState, line: (o) => text().line(o), text, location: s.location, length: s.length });
    }
  }

  // ---- names -------------------------------------------------------------------------------

  /** The set added the column or dropped its NOT NULL: the database's state of it does not hold. */
  private changedInSet(key: string): boolean {
    return (this.columnTypes.get(key)?.added ?? false) || this.nullableInSet.has(key);
  }

  private origin(rel: RelRef): Origin {
    const created = this.created.get(rel.key);
    if (!created) return 'existing';
    return created.ifNotExists ? 'maybe-new' : 'new';
  }

  /** The relation the database knows for `rel` (an existing table renamed by the set has its old name there). */
  private known(rel: RelRef): RelRef {
    return this.renamedFrom.get(rel.key) ?? rel;
  }

  private add(lazy: Omit<Candidate, 'file' | 'line'> & { line: Line }, place: Place): void {
    const file = place.fileState.file;
    const { rel } = lazy;
    const resolve = (): Omit<Candidate, 'file'> => ({ ...lazy, line: lineOf(lazy.line) });
    if (!rel) {
      this.candidates.push({ ...resolve(), file });
      return;
    }
    const origin = lazy.origin ?? this.origin(rel);
    const filled = this.filled.has(rel.key);
    const grading = RISKS[lazy.kind].grading;
    // A table the set creates is used by no running code and is empty: only what fails regardless,
    // or fails on the rows the set itself put in it, is still a risk.
    if (origin === 'new' && grading !== 'certain' && !(grading === 'rows' && filled)) return;
    const known = this.known(rel);
    this.lookups.relations.set(known.key, known);
    this.candidates.push({ ...resolve(), rel: { ...known, shown: rel.shown }, origin, rowsInserted: filled || undefined, file });
  }

  // ---- statements --------------------------------------------------------------------------

  private statement(stmt: PgNode, place: Place): void {
    const [type, node] = unwrap(stmt);
    let memo: number | undefined;
    const line: LazyLine = () => (memo ??= place.line(place.location));
    const fs = place.fileState;

    if (fs.enumValuesAdded.size > 0 && type !== 'AlterEnumStmt') this.checkEnumUse(stmt, place, line);
    this.dataChanges(type, node, place, line);

    switch (type) {
      case 'CreateStmt': {
        const rel = this.names.rangeVar(node.relation);
        if (node.relation.relpersistence === 't') return;
        if (!this.created.has(rel.key) || !node.if_not_exists) this.created.set(rel.key, { ifNotExists: Boolean(node.if_not_exists) });
        return;
      }
      case 'CreateTableAsStmt': {
        const rel = this.names.rangeVar(node.into.rel);
        this.created.set(rel.key, { ifNotExists: Boolean(node.if_not_exists) });
        this.createdObjects.add(`${node.objtype}:${rel.key}`);
        this.filled.add(rel.key);
        return;
      }
      case 'SelectStmt':
        if (node.intoClause) {
          const rel = this.names.rangeVar(node.intoClause.rel);
          this.created.set(rel.key, { ifNotExists: false });
          this.filled.add(rel.key);
        }
        return;
      case 'IndexStmt':
        return this.createIndex(node, place, line);
      case 'DropStmt':
        return this.drop(node, place, line);
      case 'TruncateStmt':
        for (const rv of node.relations as PgNode[]) {
          const rel = this.names.rangeVar(rv.RangeVar);
          this.add({ kind: 'truncate', line, what: `TRUNCATE ${rel.shown}`, rel }, place);
        }
        return;
      case 'AlterTableStmt':
        return this.alterTable(node, place, line);
      case 'RenameStmt':
        return this.rename(node, place, line);
      case 'AlterEnumStmt': {
        const type = this.names.nameList(node.typeName as PgNode[]);
        if (node.oldVal !== undefined) {
          if (!this.createdObjects.has(`type:${type.key}`)) this.add({ kind: 'rename-enum-value', line, what: `ALTER TYPE ${type.shown} RENAME VALUE '${node.oldVal}'` }, place);
        } else if (node.newVal !== undefined) {
          fs.enumValuesAdded.set(node.newVal as string, type.shown);
        }
        return;
      }
      case 'DoStmt':
        return this.doBlock(node, place, line);
      case 'VacuumStmt': {
        if (!node.is_vacuumcmd) return; // ANALYZE runs in a transaction
        this.refusedInTransaction('VACUUM', place, line);
        const full = ((node.options ?? []) as PgNode[]).some((o) => o.DefElem?.defname === 'full' && o.DefElem?.arg?.Boolean?.boolval !== false);
        if (!full) return;
        const rels = ((node.rels ?? []) as PgNode[]).map((r) => this.names.rangeVar(r.VacuumRelation.relation));
        if (rels.length === 0) this.add({ kind: 'vacuum-full', line, what: 'VACUUM FULL (every table of the database)' }, place);
        for (const rel of rels) this.add({ kind: 'vacuum-full', line, what: `VACUUM FULL ${rel.shown}`, rel }, place);
        return;
      }
      case 'ClusterStmt': {
        if (!node.relation) {
          this.refusedInTransaction('CLUSTER without a table', place, line);
          this.add({ kind: 'cluster', line, what: 'CLUSTER (every clustered table of the database)' }, place);
          return;
        }
        const rel = this.names.rangeVar(node.relation);
        this.add({ kind: 'cluster', line, what: `CLUSTER ${rel.shown}`, rel }, place);
        return;
      }
      case 'ReindexStmt': {
        const concurrently = ((node.params ?? []) as PgNode[]).some((p) => p.DefElem?.defname === 'concurrently' && p.DefElem?.arg?.Boolean?.boolval !== false);
        const objectKind = String(node.kind).replace('REINDEX_OBJECT_', '');
        if (concurrently) return this.refusedInTransaction('REINDEX CONCURRENTLY', place, line);
        if (objectKind === 'TABLE' || objectKind === 'INDEX') {
          const rel = this.names.rangeVar(node.relation);
          if (objectKind === 'INDEX' && this.createdIndexes.has(rel.key)) return;
          this.add({ kind: 'reindex', line, what: `REINDEX ${objectKind} ${rel.shown}`, rel }, place);
        } else {
          this.refusedInTransaction(`REINDEX ${objectKind}`, place, line);
          this.add({ kind: 'reindex', line, what: `REINDEX ${objectKind}${node.name ? ` ${quoteIfNeeded(node.name as string)}` : ''}` }, place);
        }
        return;
      }
      case 'CreatedbStmt':
        return this.refusedInTransaction('CREATE DATABASE', place, line);
      case 'DropdbStmt':
        return this.refusedInTransaction('DROP DATABASE', place, line);
      case 'AlterSystemStmt':
        return this.refusedInTransaction('ALTER SYSTEM', place, line);
      case 'CreateTableSpaceStmt':
        return this.refusedInTransaction('CREATE TABLESPACE', place, line);
      case 'DropTableSpaceStmt':
        return this.refusedInTransaction('DROP TABLESPACE', place, line);
      case 'CreateFunctionStmt': {
        if (node.is_procedure) return;
        const fn = this.names.nameList(node.funcname as PgNode[]);
        const volatility = ((node.options ?? []) as PgNode[]).find((o) => o.DefElem?.defname === 'volatility');
        const v = str(volatility?.DefElem?.arg) ?? 'volatile';
        this.functionVolatility.set(fn.name, v);
        this.functionVolatility.set(fn.key, v);
        return;
      }
      case 'CreateEnumStmt':
      case 'CreateRangeStmt':
        this.createdObjects.add(`type:${this.names.nameList(node.typeName as PgNode[]).key}`);
        return;
      case 'CreateDomainStmt':
        this.createdObjects.add(`type:${this.names.nameList(node.domainname as PgNode[]).key}`);
        return;
      case 'CompositeTypeStmt':
        this.createdObjects.add(`type:${this.names.rangeVar(node.typevar).key}`);
        return;
      case 'CreateSeqStmt':
        this.createdObjects.add(`sequence:${this.names.rangeVar(node.sequence).key}`);
        return;
      case 'CreateSchemaStmt':
        this.createdObjects.add(`schema:${node.schemaname as string}`);
        return;
      case 'ViewStmt':
        return;
      case 'CopyStmt':
        if (node.is_from && node.relation) this.filled.add(this.names.rangeVar(node.relation).key);
        return;
      default:
        return;
    }
  }

  /**
   * DELETE/UPDATE without WHERE and INSERT, at the top level and inside WITH (a data-modifying CTE
   * runs even when the outer statement only reads); a nested one is reported at its table's line.
   */
  private dataChanges(type: string, node: PgNode, place: Place, line: Line): void {
    const visit = (t: string, n: PgNode, at: Line) => {
      for (const cte of (n.withClause?.ctes ?? []) as PgNode[]) {
        const query = cte.CommonTableExpr?.ctequery as PgNode | undefined;
        if (!query) continue;
        const [qt, qn] = unwrap(query);
        visit(qt, qn, this.relationLine(qn.relation as PgNode | undefined, place, at));
      }
      if (t === 'InsertStmt') {
        this.filled.add(this.names.rangeVar(n.relation).key);
      } else if ((t === 'DeleteStmt' || t === 'UpdateStmt') && !n.whereClause) {
        const rel = this.names.rangeVar(n.relation);
        const verb = t === 'DeleteStmt' ? 'DELETE' : 'UPDATE';
        this.add({ kind: t === 'DeleteStmt' ? 'delete-without-where' : 'update-without-where', line: at, what: `${verb} ${rel.shown} without WHERE`, rel }, place);
      }
    };
    visit(type, node, line);
  }

  /** The line of a RangeVar inside the statement (its location is an offset in the statement's text). */
  private relationLine(rv: PgNode | undefined, place: Place, fallback: Line): Line {
    const location = rv?.location as number | undefined;
    return location === undefined ? fallback : () => place.line(location);
  }

  private refusedInTransaction(what: string, place: Place, line: Line): void {
    if (!place.fileState.inTransaction) return;
    this.add({ kind: 'refused-in-transaction', line, what: `${what} in a migration with other statements` }, place);
  }

  private createIndex(node: PgNode, place: Place, line: Line): void {
    const rel = this.names.rangeVar(node.relation);
    if (node.idxname) this.createdIndexes.add(this.names.rel(rel.schema, node.idxname as string).key);
    const what = `CREATE ${node.unique ? 'UNIQUE ' : ''}INDEX${node.concurrent ? ' CONCURRENTLY' : ''} ON ${rel.shown}`;
    if (node.concurrent) {
      if (place.fileState.inTransaction) this.add({ kind: 'refused-in-transaction', line, what }, place);
      return;
    }
    this.add({ kind: 'create-index', line, what, rel }, place);
  }

  private drop(node: PgNode, place: Place, line: Line): void {
    const objects = (node.objects ?? []) as PgNode[];
    const cascade = node.behavior === 'DROP_CASCADE';
    switch (node.removeType) {
      case 'OBJECT_TABLE':
        for (const o of objects) {
          const rel = this.names.nameList(o.List.items as PgNode[]);
          const origin = this.origin(rel);
          this.add({ kind: 'drop-table', line, what: `DROP TABLE ${rel.shown}${cascade ? ' CASCADE' : ''}`, rel, origin }, place);
          this.created.delete(rel.key);
        }
        return;
      case 'OBJECT_INDEX':
        for (const o of objects) {
          const index = this.names.nameList(o.List.items as PgNode[]);
          const what = `DROP INDEX${node.concurrent ? ' CONCURRENTLY' : ''} ${index.shown}`;
          if (node.concurrent) {
            if (place.fileState.inTransaction) this.add({ kind: 'refused-in-transaction', line, what }, place);
            continue;
          }
          if (this.createdIndexes.has(index.key)) continue;
          this.add({ kind: 'drop-index', line, what, rel: index, origin: 'existing' }, place);
        }
        return;
      case 'OBJECT_SCHEMA':
        if (!cascade) return; // without CASCADE PostgreSQL refuses a schema that still holds objects
        for (const o of objects) {
          const name = str(o)!;
          if (this.createdObjects.has(`schema:${name}`)) continue;
          this.add({ kind: 'drop-schema-cascade', line, what: `DROP SCHEMA ${quoteIfNeeded(name)} CASCADE` }, place);
        }
        return;
      case 'OBJECT_MATVIEW':
        for (const o of objects) {
          const rel = this.names.nameList(o.List.items as PgNode[]);
          if (this.createdObjects.has(`OBJECT_MATVIEW:${rel.key}`)) continue;
          this.add({ kind: 'drop-materialized-view', line, what: `DROP MATERIALIZED VIEW ${rel.shown}` }, place);
        }
        return;
      case 'OBJECT_TYPE':
      case 'OBJECT_DOMAIN':
        for (const o of objects) {
          const type = this.names.nameList(o.TypeName.names as PgNode[]);
          // Prisma changes an enum by renaming it to "X_old", creating the new "X" and dropping "X_old":
          // the type dropped is one the set renamed away, which no running code names any more.
          if (this.createdObjects.has(`type:${type.key}`)) continue;
          this.add({ kind: 'drop-type', line, what: `DROP ${node.removeType === 'OBJECT_DOMAIN' ? 'DOMAIN' : 'TYPE'} ${type.shown}` }, place);
        }
        return;
      case 'OBJECT_SEQUENCE':
        for (const o of objects) {
          const seq = this.names.nameList(o.List.items as PgNode[]);
          if (this.createdObjects.has(`sequence:${seq.key}`)) continue;
          this.add({ kind: 'drop-sequence', line, what: `DROP SEQUENCE ${seq.shown}` }, place);
        }
        return;
      default:
        return;
    }
  }

  private rename(node: PgNode, place: Place, line: Line): void {
    switch (node.renameType) {
      case 'OBJECT_TABLE': {
        const rel = this.names.rangeVar(node.relation);
        const newName = node.newname as string;
        const to: RelRef = { schema: rel.schema, name: newName, key: `${rel.schema}.${newName}`, shown: quoteIfNeeded(newName) };
        const created = this.created.get(rel.key);
        if (created) {
          this.created.delete(rel.key);
          this.created.set(to.key, created);
          return;
        }
        this.add({ kind: 'rename-table', line, what: `ALTER TABLE ${rel.shown} RENAME TO ${to.shown}`, rel }, place);
        this.renamedFrom.set(to.key, this.known(rel));
        return;
      }
      case 'OBJECT_COLUMN': {
        const rel = this.names.rangeVar(node.relation);
        const added = this.columnTypes.get(`${rel.key}\0${node.subname}`)?.added ?? false;
        if (!added) this.add({ kind: 'rename-column', line, what: `ALTER TABLE ${rel.shown} RENAME COLUMN ${quoted(node.subname as string)}`, rel }, place);
        const from = this.columnTypes.get(`${rel.key}\0${node.subname}`);
        if (from) this.columnTypes.set(`${rel.key}\0${node.newname}`, from);
        return;
      }
      case 'OBJECT_TYPE':
      case 'OBJECT_DOMAIN': {
        const from = this.names.nameList(node.object.List.items as PgNode[]);
        // The renamed type keeps its data but has a name no running code uses: dropping it later is safe.
        this.createdObjects.add(`type:${this.names.rel(from.schema, node.newname as string).key}`);
        return;
      }
      default:
        return;
    }
  }

  private alterTable(node: PgNode, place: Place, line: Line): void {
    if (node.objtype && node.objtype !== 'OBJECT_TABLE') return;
    const rel = this.names.rangeVar(node.relation);
    const cmds = (node.cmds ?? []) as PgNode[];
    const fs = place.fileState;
    // Scanned only when an action of a multi-action statement is reported (most are not).
    let lines: number[] | null | undefined = cmds.length > 1 ? undefined : null;
    cmds.forEach((c, i) => {
      const cmd = c.AlterTableCmd as PgNode;
      const at: LazyLine = () => {
        if (lines === undefined) lines = this.actionLines(node, place, cmds.length) ?? null;
        return lines?.[i] ?? lineOf(line);
      };
      const head = `ALTER TABLE ${rel.shown}`;
      const colKey = (column: string) => `${rel.key}\0${column}`;
      switch (cmd.subtype) {
        case 'AT_AddColumn':
          return this.addColumn(rel, cmd.def.ColumnDef as PgNode, place, at);
        case 'AT_DropColumn':
          this.columnTypes.delete(colKey(cmd.name as string));
          return this.add({ kind: 'drop-column', line: at, what: `${head} DROP COLUMN ${quoted(cmd.name as string)}`, rel }, place);
        case 'AT_AlterColumnType': {
          const column = cmd.name as string;
          const def = cmd.def.ColumnDef as PgNode;
          const to = typeSpec(def.typeName);
          const before = this.columnTypes.get(colKey(column));
          this.lookups.columns.add(column);
          this.add({ kind: 'alter-column-type', line: at, what: `${head} ALTER COLUMN ${quoted(column)} TYPE`, rel, typeChange: { column, to, using: def.raw_default !== undefined, from: before?.type } }, place);
          this.columnTypes.set(colKey(column), { type: to, added: before?.added ?? false });
          return;
        }
        case 'AT_SetNotNull': {
          const column = cmd.name as string;
          if (this.provenNotNull.has(colKey(column))) return;
          this.lookups.columns.add(column);
          return this.add({ kind: 'set-not-null', line: at, what: `${head} ALTER COLUMN ${quoted(column)} SET NOT NULL`, rel, notNull: { column, changedInSet: this.changedInSet(colKey(column)) } }, place);
        }
        case 'AT_AddConstraint':
          return this.addConstraint(rel, cmd.def.Constraint as PgNode, place, at);
        case 'AT_ValidateConstraint': {
          const name = cmd.name as string;
          const column = this.notNullChecks.get(`${rel.key}\0${name}`);
          if (column) this.provenNotNull.add(colKey(column));
          const kind = fs.notValid.get(`${rel.key}\0${name}`);
          if (kind) {
            this.add(
              {
                kind,
                line: at,
                what: `${head} VALIDATE CONSTRAINT ${quoteIfNeeded(name)}`,
                rel,
                extra: 'It is validated in the same migration that adds it NOT VALID: the file is one transaction, so the scan runs while the lock taken by ADD CONSTRAINT is still held, as if NOT VALID were not there.',
              },
              place,
            );
          }
          return;
        }
        case 'AT_DropNotNull': {
          // The database's NOT NULL no longer holds for what follows in the set.
          this.nullableInSet.add(colKey(cmd.name as string));
          return;
        }
        case 'AT_SetLogged':
        case 'AT_SetUnLogged':
          return this.add({ kind: 'set-logged', line: at, what: `${head} SET ${cmd.subtype === 'AT_SetLogged' ? 'LOGGED' : 'UNLOGGED'}`, rel }, place);
        case 'AT_DetachPartition':
          if (cmd.def?.PartitionCmd?.concurrent) this.refusedInTransaction(`${head} DETACH PARTITION CONCURRENTLY`, place, at);
          return;
        default:
          return;
      }
    });
  }

  private addColumn(rel: RelRef, def: PgNode, place: Place, line: Line): void {
    const column = def.colname as string;
    const type = typeSpec(def.typeName);
    const constraints = ((def.constraints ?? []) as PgNode[]).map((c) => c.Constraint as PgNode);
    const has = (contype: string) => constraints.find((c) => c.contype === contype);
    const serial = SERIAL_TYPES.has(type.name);
    const identity = has('CONSTR_IDENTITY');
    const generated = has('CONSTR_GENERATED');
    const defaultExpr = has('CONSTR_DEFAULT')?.raw_expr as PgNode | undefined;
    const head = `ALTER TABLE ${rel.shown} ADD COLUMN ${quoted(column)}`;
    this.columnTypes.set(`${rel.key}\0${column}`, { type, added: true });

    const notNull = has('CONSTR_NOTNULL') ?? has('CONSTR_PRIMARY');
    if (notNull && !defaultExpr && !serial && !identity && !generated) {
      this.add({ kind: 'add-column-not-null', line, what: `${head} ${showType(type).toUpperCase()} NOT NULL without a default`, rel }, place);
    }

    const reason = serial ? `a ${type.name} column` : identity ? 'an identity column' : generated?.generated_kind === 's' ? 'a STORED generated column' : undefined;
    if (reason) {
      this.add({ kind: 'add-column-rewrite', line, what: `${head} (${reason})`, rel }, place);
    } else if (defaultExpr) {
      const volatile: string[] = [];
      const unknown: string[] = [];
      for (const f of calledFunctions(defaultExpr)) {
        const short = f.split('.').pop()!;
        const declared = this.functionVolatility.get(f) ?? this.functionVolatility.get(short);
        if (VOLATILE_FUNCTIONS.has(short) || declared === 'volatile') volatile.push(f);
        else if (declared === undefined) unknown.push(f);
      }
      for (const f of unknown) this.lookups.functions.add(f.split('.').pop()!);
      if (volatile.length + unknown.length > 0) {
        this.add({ kind: 'add-column-rewrite', line, what: `${head} DEFAULT ${[...volatile, ...unknown].map((f) => `${f}()`).join(', ')}`, rel, volatility: { volatile, unknown } }, place);
      }
    }
    for (const c of constraints) {
      if (c.contype === 'CONSTR_UNIQUE' || c.contype === 'CONSTR_PRIMARY') {
        this.add({ kind: 'add-unique-constraint', line, what: `${head} ${c.contype === 'CONSTR_UNIQUE' ? 'UNIQUE' : 'PRIMARY KEY'}`, rel }, place);
      } else if (c.contype === 'CONSTR_FOREIGN') {
        this.add({ kind: 'add-foreign-key', line, what: `${head} REFERENCES ${this.names.rangeVar(c.pktable).shown}`, rel }, place);
      } else if (c.contype === 'CONSTR_CHECK') {
        this.add({ kind: 'add-check-constraint', line, what: `${head} CHECK`, rel }, place);
      }
    }
  }

  private addConstraint(rel: RelRef, c: PgNode, place: Place, line: Line): void {
    const name = c.conname as string | undefined;
    const head = `ALTER TABLE ${rel.shown} ADD ${name ? `CONSTRAINT ${quoteIfNeeded(name)} ` : ''}`;
    const notValid = Boolean(c.skip_validation);
    const remember = (kind: RiskKind) => {
      if (name) place.fileState.notValid.set(`${rel.key}\0${name}`, kind);
    };
    switch (c.contype) {
      case 'CONSTR_FOREIGN': {
        const target = this.names.rangeVar(c.pktable);
        if (notValid) return remember('add-foreign-key');
        this.add({ kind: 'add-foreign-key', line, what: `${head}FOREIGN KEY REFERENCES ${target.shown}`, rel, extra: `The referenced table ${target.shown} is locked too.` }, place);
        return;
      }
      case 'CONSTR_CHECK': {
        const column = notNullColumn(c.raw_expr as PgNode);
        if (notValid) {
          if (column && name) this.notNullChecks.set(`${rel.key}\0${name}`, column);
          return remember('add-check-constraint');
        }
        if (column) this.provenNotNull.add(`${rel.key}\0${column}`);
        this.add({ kind: 'add-check-constraint', line, what: `${head}CHECK`, rel }, place);
        return;
      }
      case 'CONSTR_NOTNULL': {
        // PostgreSQL 18: ADD CONSTRAINT … NOT NULL col [NOT VALID].
        const column = str((c.keys as PgNode[] | undefined)?.[0]);
        if (notValid) {
          if (column && name) this.notNullChecks.set(`${rel.key}\0${name}`, column);
          return remember('set-not-null');
        }
        if (column) {
          this.lookups.columns.add(column);
          this.add({ kind: 'set-not-null', line, what: `${head}NOT NULL ${quoted(column)}`, rel, notNull: { column, changedInSet: this.changedInSet(`${rel.key}\0${column}`) } }, place);
        }
        return;
      }
      case 'CONSTR_UNIQUE':
      case 'CONSTR_PRIMARY':
      case 'CONSTR_EXCLUSION': {
        if (c.indexname) return; // USING INDEX: the index is already built
        const shape = c.contype === 'CONSTR_UNIQUE' ? 'UNIQUE' : c.contype === 'CONSTR_PRIMARY' ? 'PRIMARY KEY' : 'EXCLUDE';
        this.add({ kind: 'add-unique-constraint', line, what: `${head}${shape}`, rel }, place);
        return;
      }
      default:
        return;
    }
  }

  /** A new enum value used (as a literal) in the file that adds it: PostgreSQL refuses it. */
  private checkEnumUse(stmt: PgNode, place: Place, line: Line): void {
    const added = place.fileState.enumValuesAdded;
    let found: string | undefined;
    const walk = (n: unknown): void => {
      if (found !== undefined || n === null || typeof n !== 'object') return;
      if (Array.isArray(n)) return n.forEach(walk);
      const node = n as PgNode;
      const value = node.A_Const?.sval?.sval as string | undefined;
      if (value !== undefined && added.has(value)) {
        found = value;
        return;
      }
      for (const v of Object.values(node)) walk(v);
    };
    walk(stmt);
    if (found === undefined) return;
    this.add({ kind: 'enum-value-used-in-transaction', line, what: `'${found}' used after ALTER TYPE ${added.get(found)} ADD VALUE '${found}' in the same migration` }, place);
  }

  /**
   * A DO block's PL/pgSQL runs in the migration's transaction: its SQL statements are linted like
   * the file's own, at their lines; SQL built at run time (EXECUTE of an expression) cannot be.
   */
  private doBlock(node: PgNode, place: Place, line: Line): void {
    const args = (node.args ?? []) as PgNode[];
    const language = str(args.find((a) => a.DefElem?.defname === 'language')?.DefElem?.arg) ?? 'plpgsql';
    const body = args.find((a) => a.DefElem?.defname === 'as')?.DefElem as PgNode | undefined;
    const source = str(body?.arg);
    if (source === undefined || language.toLowerCase() !== 'plpgsql') return;
    const bodyLine = body?.location !== undefined ? place.line(body.location as number) : lineOf(line);
    let tag = 'prg';
    while (source.includes(`$${tag}$`)) tag += '_';
    let tree: PgNode;
    try {
      tree = this.parser.parsePlpgsql(`CREATE FUNCTION pg_temp.prg_do_block() RETURNS void LANGUAGE plpgsql AS $${tag}$${source}$${tag}$`);
    } catch (error) {
      this.add({ kind: 'dynamic-sql', line, what: 'DO block', extra: `PostgreSQL's PL/pgSQL parser could not read it (${(error as Error).message}).` }, place);
      return;
    }
    const inner = (query: string, lineno: number) => {
      const innerLine = bodyLine + lineno - 1;
      const parsed = this.parser.parse(query);
      if ('error' in parsed) return;
      const text = new LineIndex(query);
      for (const s of parsed.statements) {
        this.statement(s.stmt, { fileState: { ...place.fileState, inTransaction: true }, line: (o) => innerLine + text.line(o) - 1, text: () => text, location: s.location, length: s.length });
      }
    };
    const walk = (n: unknown): void => {
      if (n === null || typeof n !== 'object') return;
      if (Array.isArray(n)) return n.forEach(walk);
      const obj = n as PgNode;
      if (obj.PLpgSQL_stmt_execsql) {
        const s = obj.PLpgSQL_stmt_execsql as PgNode;
        inner(s.sqlstmt.PLpgSQL_expr.query as string, (s.lineno as number) ?? 1);
        return;
      }
      if (obj.PLpgSQL_stmt_dynexecute || obj.PLpgSQL_stmt_dynfors) {
        const s = (obj.PLpgSQL_stmt_dynexecute ?? obj.PLpgSQL_stmt_dynfors) as PgNode;
        const expr = s.query?.PLpgSQL_expr?.query as string | undefined;
        const literal = expr !== undefined ? stringLiteral(this.parser, expr) : undefined;
        if (literal !== undefined) inner(literal, (s.lineno as number) ?? 1);
        else this.add({ kind: 'dynamic-sql', line: bodyLine + ((s.lineno as number) ?? 1) - 1, what: `EXECUTE ${expr ?? '…'} in a DO block` }, place);
        if (obj.PLpgSQL_stmt_dynfors) walk(s.body);
        return;
      }
      for (const v of Object.values(obj)) walk(v);
    };
    walk(tree);
  }

  private actionLines(node: PgNode, place: Place, count: number): number[] | undefined {
    return alterTableActionLines(this.parser, node, place, count);
  }
}

/**
 * The line of each action of a multi-action ALTER TABLE: PostgreSQL's parse tree does not locate
 * them, so its scanner's tokens are split on the commas outside parentheses after the table name.
 * `place` is the statement: its byte offsets in the text, and how an offset becomes a line.
 */
export function alterTableActionLines(
  parser: PgParser,
  node: PgNode,
  place: { line(offset: number): number; text(): LineIndex; location: number; length: number },
  count: number,
): number[] | undefined {
  let tokens: ScanToken[];
  try {
    tokens = parser.scan(place.text().slice(place.location, place.location + place.length));
  } catch {
    return undefined;
  }
  tokens = tokens.filter((t) => t.tokenName !== 'SQL_COMMENT' && t.tokenName !== 'C_COMMENT');
  const relStart = (node.relation.location as number) - place.location;
  let i = tokens.findIndex((t) => t.start === relStart);
  if (i === -1) return undefined;
  i++;
  while (tokens[i]?.text === '.' && tokens[i + 1]) i += 2;
  const starts = [tokens[i]];
  let depth = 0;
  for (; i < tokens.length; i++) {
    const t = tokens[i]!.text;
    if (t === '(' || t === '[') depth++;
    else if (t === ')' || t === ']') depth--;
    else if (t === ',' && depth === 0 && tokens[i + 1]) starts.push(tokens[i + 1]);
  }
  if (starts.length !== count || starts.some((s) => !s)) return undefined;
  return starts.map((s) => place.line(place.location + s!.start));
}

/** The functions a default expression calls, `name` or `schema.name`. */
function calledFunctions(expr: PgNode): string[] {
  const names = new Set<string>();
  const walk = (n: unknown): void => {
    if (n === null || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(walk);
    const node = n as PgNode;
    if (node.FuncCall) {
      const parts = ((node.FuncCall.funcname ?? []) as PgNode[]).map(str).filter((p): p is string => p !== undefined);
      names.add(parts.filter((p) => p !== 'pg_catalog').join('.'));
    }
    for (const v of Object.values(node)) walk(v);
  };
  walk(expr);
  return [...names];
}

/** `col IS NOT NULL`, also as one side of AND: the column it proves NOT NULL. */
function notNullColumn(expr: PgNode | undefined): string | undefined {
  if (!expr) return undefined;
  if (expr.NullTest?.nulltesttype === 'IS_NOT_NULL') {
    const fields = (expr.NullTest.arg?.ColumnRef?.fields ?? []) as PgNode[];
    return fields.length === 1 ? str(fields[0]) : undefined;
  }
  if (expr.BoolExpr?.boolop === 'AND_EXPR') {
    for (const arg of expr.BoolExpr.args as PgNode[]) {
      const column = notNullColumn(arg);
      if (column) return column;
    }
  }
  return undefined;
}

/** The content of a PL/pgSQL expression that is a single string literal (`EXECUTE 'DROP TABLE x'`). */
function stringLiteral(parser: PgParser, expr: string): string | undefined {
  const parsed = parser.parse(`SELECT ${expr}`);
  if ('error' in parsed || parsed.statements.length !== 1) return undefined;
  const targets = parsed.statements[0]!.stmt.SelectStmt?.targetList as PgNode[] | undefined;
  if (targets?.length !== 1) return undefined;
  return targets[0]!.ResTarget?.val?.A_Const?.sval?.sval as string | undefined;
}

/** Lints `migrations` in order as one pending set. */
export function lintPendingSet(parser: PgParser, migrations: readonly MigrationSource[], defaultSchema = 'public'): LintResult {
  const lint = new PendingSetLint(parser, defaultSchema);
  for (const m of migrations) lint.lintFile(m);
  return lint.result();
}
