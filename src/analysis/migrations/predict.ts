/**
 * What `prisma migrate deploy` will do to production, predicted before it runs: for every pending
 * statement of ./plan.ts, one of four outcomes, from read-only queries on the run's one connection.
 *
 * - **will fail**: PostgreSQL's own check meets a row that breaks it (a duplicate, a NULL, an orphan,
 *   a row a CHECK or a cast refuses), the role lacks a privilege, or it refuses the statement
 *   whatever the data; with the SQLSTATE, how many rows, and the query to list them (never their values);
 * - **will wait**: another session holds (or waits for) a lock the statement needs, or another
 *   deploy holds Prisma's advisory lock; with who, since when, and what queues behind it;
 * - **unknown**: the gate could not settle it (cut off by the time budget, rows hidden by row-level
 *   security, a replica, an earlier effect of the set, an expression it will not run on production);
 * - **passes** as of the time of the queries.
 *
 * Safe by construction: every query runs in `BEGIN READ ONLY` with `SET LOCAL statement_timeout`
 * (what is left of the budget) and `lock_timeout`, so it takes nothing stronger than AccessShareLock
 * and never queues behind a migration for long; locks and Prisma's advisory lock are read from
 * `pg_locks`, never taken (`pg_try_advisory_lock` would hold the lock while a real deploy waits).
 * Statistics order the work (smallest tables first) and skip it only where size proves it (a table
 * with no page has no row): a pass is only ever proven by a query.
 */
import type { TransactionBounds, TransactionQueries } from '../../probes/db.js';
import { deparse, quoteLiteral, typeSql, type TypeRef } from './expressions.js';
import { quoteIdent } from './pg-names.js';
import type { RelRef } from './lint.js';
import { conflicts, isLockMode, LOCK_NAMES, type LockMode } from './locks.js';
import type { PgNode, PgParser } from './pg-parser.js';
import type { DataCheck, Plan, PlannedFile, PlannedStatement, PrismaWarning } from './plan.js';

/** What the predictor needs of the database: read-only transactions on one connection. */
export interface PredictionDb {
  readOnly<T>(fn: (tx: TransactionQueries) => Promise<T>, bounds: TransactionBounds): Promise<T>;
}

export interface PredictOptions {
  /** The whole prediction's time budget; past it, what is left is unknown. */
  budgetMs: number;
  /** How long one of the gate's reads waits for a lock before giving up (default 1 s). */
  lockTimeoutMs?: number;
  /** The migrate step's environment: `PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK` turns Prisma's lock off. */
  migrateEnv?: Readonly<Record<string, string | undefined>>;
}

export type Outcome = 'fail' | 'wait' | 'unknown' | 'pass';

/** A session that holds or waits for a lock, as far as this role may see it. */
export interface Holder {
  pid: number;
  user?: string;
  application?: string;
  /** `active`, `idle in transaction`, …; undefined when this role may not see it. */
  state?: string;
  /** Seconds since its transaction started. */
  transactionSeconds?: number;
  /** Seconds in its current state. */
  stateSeconds?: number;
  mode: string;
  granted: boolean;
}

export interface StatementPrediction {
  index: number;
  migration: string;
  file: string;
  line: number;
  what: string;
  outcome: Outcome;
  /** One sentence: why. */
  reason: string;
  sqlstate?: string;
  /** Rows that break the check (`atLeast`: the cast stopped at the first). */
  rows?: { count: number; atLeast?: boolean };
  /** SQL that lists the rows (identifying columns only). */
  query?: string;
  waits?: { relation: string; mode: LockMode; holders: Holder[]; lockTimeoutMs: number };
  /** What was checked, for a pass: `no duplicate in "User"("email")`. */
  checked: string[];
  /** The unknown comes from a relation the database does not have (the lint reports it). */
  missing?: boolean;
  /** The statement runs inside a DO block (its conditions are not evaluated). */
  inDoBlock?: boolean;
}

export interface TimeoutSetting {
  name: 'lock_timeout' | 'statement_timeout';
  ms: number;
  /** Where it comes from: `role "app"`, `database "prod"`, `role "app" in database "prod"`, `server`. */
  source: string;
}

export interface Prediction {
  /** The server's time of the catalog query: "passes as of" this. */
  asOf?: string;
  statements: StatementPrediction[];
  advisory?: { holders: Holder[]; disabled: boolean };
  session?: {
    user: string;
    superuser: boolean;
    replica: boolean;
    database: string;
    /** What `migrate deploy`'s session gets: the server's, the database's and the role's settings. */
    timeouts: TimeoutSetting[];
    /** This role may see other roles' sessions (pg_read_all_stats): states and times are known. */
    seesOtherSessions: boolean;
  };
  /** `SET lock_timeout` advice, one per file that needs it. */
  advice: Array<{ file: string; text: string }>;
  prismaWarnings: Array<PrismaWarning & { outcomes: Outcome[] }>;
  elapsedMs: number;
  queries: number;
  budgetMs: number;
  /** Work the budget cut off. */
  cutOff: boolean;
  counts: Record<Outcome, number>;
  /** The catalog could not be read: every prediction is unknown for this reason. */
  error?: string;
}

const PRISMA_LOCK = 72707369;
/** Prisma waits this long for its advisory lock, then fails with P1002 (schema-engine, ADVISORY_LOCK_TIMEOUT). */
export const PRISMA_LOCK_WAIT_MS = 10_000;

/** Functions the catalog calls STABLE that still assign a transaction id: never run. */
const NEVER_RUN = new Set(['txid_current', 'pg_current_xact_id']);

// ---- the catalog ---------------------------------------------------------------------------

interface CatalogColumn {
  name: string;
  typname: string;
  typoid: number;
  typmod: number;
  notnull: boolean;
  category: string;
}

interface CatalogConstraint {
  name: string;
  type: string;
  validated: boolean;
  def: string;
  columns: string[] | null;
  ref: { schema: string; name: string } | null;
  refcolumns: string[] | null;
  match: string;
}

interface CatalogRelation {
  schema: string;
  name: string;
  oid: number;
  relkind: string;
  heap: number;
  rls: boolean;
  force_rls: boolean;
  owner: boolean;
  owner_name: string;
  can_select: boolean;
  can_reference: boolean;
  can_insert: boolean;
  can_update: boolean;
  can_delete: boolean;
  can_truncate: boolean;
  columns: CatalogColumn[] | null;
  pk: string[] | null;
  index_table: { schema: string; name: string; oid: number } | null;
  constraints: CatalogConstraint[] | null;
  /** Valid unique indexes on plain columns, without a predicate. */
  unique_indexes: Array<{ name: string; columns: string[]; nulls_not_distinct: boolean }> | null;
}

interface CatalogLock {
  relation: number;
  pid: number;
  mode: string;
  granted: boolean;
  user: string | null;
  application: string | null;
  state: string | null;
  xact_seconds: number | null;
  state_seconds: number | null;
}

interface CatalogRow {
  session: {
    user: string;
    superuser: boolean;
    bypassrls: boolean;
    replica: boolean;
    database: string;
    now: string;
    version: number;
    /** The session's own lock_timeout before this transaction's SET LOCAL (server, database and role settings). */
    lock_timeout: string;
    create_db: boolean;
    sees_all: boolean;
  };
  settings: Array<{ db: boolean; role: boolean; config: string[] }> | null;
  relations: CatalogRelation[] | null;
  types: Array<{ schema: string; name: string; owner: boolean; owner_name: string }> | null;
  casts: Array<{ i: number; oid: number | null; category: string | null; context: string | null; same: boolean | null }> | null;
  schemas: Array<{ name: string; create: boolean }> | null;
  extensions: Array<{ name: string; installed: boolean; trusted: boolean }> | null;
  functions: Array<{ name: string; safe: boolean }> | null;
  operators: Array<{ name: string; safe: boolean }> | null;
  locks: CatalogLock[] | null;
  advisory: CatalogLock[] | null;
}

const CATALOG_SQL = `
WITH wanted AS (SELECT * FROM unnest($1::text[], $2::text[]) AS w(schema, name)),
rel AS (
  SELECT w.schema, w.name, c.oid, c.relkind::text AS relkind, pg_relation_size(c.oid)::float8 AS heap,
         c.relrowsecurity AS rls, c.relforcerowsecurity AS force_rls,
         pg_has_role(c.relowner, 'USAGE') AS owner, pg_get_userbyid(c.relowner) AS owner_name,
         has_table_privilege(c.oid, 'SELECT') AS can_select, has_table_privilege(c.oid, 'REFERENCES') AS can_reference,
         has_table_privilege(c.oid, 'INSERT') AS can_insert, has_table_privilege(c.oid, 'UPDATE') AS can_update,
         has_table_privilege(c.oid, 'DELETE') AS can_delete, has_table_privilege(c.oid, 'TRUNCATE') AS can_truncate,
         i.indrelid
    FROM wanted w
    JOIN pg_namespace n ON n.nspname = w.schema
    JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = w.name
    LEFT JOIN pg_index i ON i.indexrelid = c.oid
),
lockable AS (SELECT oid FROM rel UNION SELECT indrelid FROM rel WHERE indrelid IS NOT NULL)
SELECT
  json_build_object(
    'user', current_user, 'superuser', r.rolsuper, 'bypassrls', r.rolbypassrls, 'replica', pg_is_in_recovery(),
    'database', current_database(), 'now', now(), 'version', current_setting('server_version_num')::int,
    'lock_timeout', (SELECT reset_val || coalesce(unit, '') FROM pg_settings WHERE name = 'lock_timeout'),
    'create_db', has_database_privilege(current_database(), 'CREATE'),
    'sees_all', r.rolsuper OR pg_has_role('pg_read_all_stats', 'USAGE')
  ) AS session,
  (SELECT json_agg(json_build_object('db', s.setdatabase <> 0, 'role', s.setrole <> 0, 'config', s.setconfig))
     FROM pg_db_role_setting s WHERE s.setdatabase IN (0, d.oid) AND s.setrole IN (0, r.oid)) AS settings,
  (SELECT json_agg(json_build_object(
      'schema', rel.schema, 'name', rel.name, 'oid', rel.oid::int8, 'relkind', rel.relkind, 'heap', rel.heap,
      'rls', rel.rls, 'force_rls', rel.force_rls, 'owner', rel.owner, 'owner_name', rel.owner_name,
      'can_select', rel.can_select, 'can_reference', rel.can_reference, 'can_insert', rel.can_insert,
      'can_update', rel.can_update, 'can_delete', rel.can_delete, 'can_truncate', rel.can_truncate,
      'columns', (SELECT json_agg(json_build_object('name', a.attname, 'typname', t.typname, 'typoid', a.atttypid::int8, 'typmod', a.atttypmod,
                    'notnull', a.attnotnull, 'category', t.typcategory::text))
                    FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
                   WHERE a.attrelid = rel.oid AND a.attnum > 0 AND NOT a.attisdropped),
      'pk', (SELECT array_agg(a.attname ORDER BY k.ord) FROM pg_index x CROSS JOIN unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum WHERE x.indrelid = rel.oid AND x.indisprimary),
      'unique_indexes', (SELECT json_agg(json_build_object('name', ic.relname, 'nulls_not_distinct', x.indnullsnotdistinct,
                           'columns', (SELECT array_agg(a.attname) FROM unnest(x.indkey[0:x.indnkeyatts - 1]) AS k(attnum)
                                         JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum)))
                           FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid
                          WHERE x.indrelid = rel.oid AND x.indisunique AND x.indisvalid AND x.indpred IS NULL AND x.indexprs IS NULL AND NOT (0 = ANY(x.indkey))),
      'index_table', (SELECT json_build_object('schema', n2.nspname, 'name', c2.relname, 'oid', c2.oid::int8)
                        FROM pg_class c2 JOIN pg_namespace n2 ON n2.oid = c2.relnamespace WHERE c2.oid = rel.indrelid),
      'constraints', (SELECT json_agg(json_build_object('name', k.conname, 'type', k.contype::text, 'validated', k.convalidated,
                        'def', pg_get_constraintdef(k.oid), 'match', k.confmatchtype::text,
                        'columns', (SELECT array_agg(a.attname ORDER BY u.ord) FROM unnest(k.conkey) WITH ORDINALITY AS u(attnum, ord)
                                      JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum),
                        'ref', (SELECT json_build_object('schema', n3.nspname, 'name', c3.relname) FROM pg_class c3
                                  JOIN pg_namespace n3 ON n3.oid = c3.relnamespace WHERE c3.oid = k.confrelid),
                        'refcolumns', (SELECT array_agg(a.attname ORDER BY u.ord) FROM unnest(k.confkey) WITH ORDINALITY AS u(attnum, ord)
                                         JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.attnum)))
                        FROM pg_constraint k WHERE k.conrelid = rel.oid AND k.conname = ANY($3::text[]))
    )) FROM rel) AS relations,
  (SELECT json_agg(json_build_object('schema', w.schema, 'name', w.name, 'owner', pg_has_role(t.typowner, 'USAGE'), 'owner_name', pg_get_userbyid(t.typowner)))
     FROM unnest($4::text[], $5::text[]) AS w(schema, name)
     JOIN pg_namespace n ON n.nspname = w.schema JOIN pg_type t ON t.typnamespace = n.oid AND t.typname = w.name) AS types,
  (SELECT json_agg(json_build_object('i', x.i, 'oid', t.oid::int8, 'category', t.typcategory::text,
          'same', (SELECT a.atttypid = t.oid FROM pg_attribute a WHERE a.attrelid = to_regclass(x.rel) AND a.attname = x.col),
          'context', (SELECT c.castcontext::text FROM pg_cast c, pg_attribute a
                       WHERE a.attrelid = to_regclass(x.rel) AND a.attname = x.col AND c.castsource = a.atttypid AND c.casttarget = t.oid)))
     FROM unnest($6::text[], $7::text[], $8::text[]) WITH ORDINALITY AS x(rel, col, target, i)
     LEFT JOIN pg_type t ON t.oid = to_regtype(x.target)) AS casts,
  (SELECT json_agg(json_build_object('name', n.nspname, 'create', has_schema_privilege(n.oid, 'CREATE')))
     FROM pg_namespace n WHERE n.nspname = ANY($9::text[])) AS schemas,
  (SELECT json_agg(json_build_object('name', e.name, 'installed', e.installed_version IS NOT NULL, 'trusted', coalesce(v.trusted, false)))
     FROM pg_available_extensions e LEFT JOIN pg_available_extension_versions v ON v.name = e.name AND v.version = e.default_version
    WHERE cardinality($10::text[]) > 0 AND e.name = ANY($10::text[])) AS extensions,
  (SELECT json_agg(json_build_object('name', f.proname, 'safe', f.safe)) FROM (
     SELECT p.proname, bool_and(p.pronamespace = 'pg_catalog'::regnamespace AND p.provolatile <> 'v' AND p.prokind = 'f') AS safe
       FROM pg_proc p WHERE p.proname = ANY($11::text[]) GROUP BY p.proname) f) AS functions,
  (SELECT json_agg(json_build_object('name', o.oprname, 'safe', o.safe)) FROM (
     SELECT p.oprname, bool_and(p.oprnamespace = 'pg_catalog'::regnamespace) AS safe
       FROM pg_operator p WHERE p.oprname = ANY($12::text[]) GROUP BY p.oprname) o) AS operators,
  (SELECT json_agg(json_build_object('relation', l.relation::int8, 'pid', l.pid, 'mode', l.mode, 'granted', l.granted,
          'user', a.usename, 'application', a.application_name, 'state', a.state,
          'xact_seconds', extract(epoch FROM now() - a.xact_start)::float8, 'state_seconds', extract(epoch FROM now() - a.state_change)::float8))
     FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.locktype = 'relation' AND l.database = d.oid AND l.pid <> pg_backend_pid() AND l.relation IN (SELECT oid FROM lockable)) AS locks,
  (SELECT json_agg(json_build_object('relation', 0, 'pid', l.pid, 'mode', l.mode, 'granted', l.granted,
          'user', a.usename, 'application', a.application_name, 'state', a.state,
          'xact_seconds', extract(epoch FROM now() - a.xact_start)::float8, 'state_seconds', extract(epoch FROM now() - a.state_change)::float8))
     FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.locktype = 'advisory' AND l.database = d.oid AND l.classid = 0 AND l.objid = ${PRISMA_LOCK} AND l.objsubid = 1
      AND l.pid <> pg_backend_pid()) AS advisory
FROM pg_roles r, pg_database d
WHERE r.rolname = current_user AND d.datname = current_database()`;

// ---- running the plan ----------------------------------------------------------------------

interface Ctx {
  plan: Plan;
  parser: PgParser;
  db: PredictionDb;
  options: PredictOptions;
  deadline: number;
  queries: number;
  cutOff: boolean;
}

/** A reason a data check is not evaluated. */
class NotEvaluated extends Error {
  constructor(
    message: string,
    readonly missing = false,
  ) {
    super(message);
  }
}

/** One data check, evaluated. */
interface CheckResult {
  check: DataCheck;
  failed?: { sqlstate: string; rows?: { count: number; atLeast?: boolean }; reason: string; query?: string };
  unknown?: string;
  passed?: string;
}

/** Predicts every statement of `plan`. */
export async function predict(parser: PgParser, db: PredictionDb, plan: Plan, options: PredictOptions): Promise<Prediction> {
  const started = performance.now();
  const ctx: Ctx = { plan, parser, db, options, deadline: started + options.budgetMs, queries: 0, cutOff: false };
  const base = (): Prediction => ({
    statements: [],
    advice: [],
    prismaWarnings: [],
    elapsedMs: 0,
    queries: 0,
    budgetMs: options.budgetMs,
    cutOff: false,
    counts: { fail: 0, wait: 0, unknown: 0, pass: 0 },
  });
  if (plan.statements.length === 0) return finish(base(), ctx, started);

  let catalog: CatalogRow;
  try {
    catalog = await readCatalog(ctx);
  } catch (error) {
    const reason = queryProblem(error, ctx, 'the catalog query');
    const prediction = base();
    prediction.error = reason;
    prediction.statements = plan.statements.map((s) => ({ ...head(s), outcome: 'unknown', reason: `not predicted: ${reason}`, checked: [] }));
    return finish(prediction, ctx, started);
  }
  const cat = new Catalog(catalog, plan);
  const prediction = base();
  prediction.asOf = new Date(catalog.session.now).toISOString();
  prediction.session = {
    user: catalog.session.user,
    superuser: catalog.session.superuser,
    replica: catalog.session.replica,
    database: catalog.session.database,
    timeouts: cat.timeouts(),
    seesOtherSessions: catalog.session.sees_all,
  };
  const disabled = !['', '0', undefined].includes(options.migrateEnv?.PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK);
  const advisoryHolders = (catalog.advisory ?? []).map(holder);
  if (advisoryHolders.length > 0) prediction.advisory = { holders: advisoryHolders, disabled };

  // Static parts first (privileges, certain refusals, locks), then the data, within the budget.
  const results = new Map<number, CheckResult[]>();
  const statementFacts = plan.statements.map((s) => staticPrediction(s, cat, plan, parser));
  await runDataChecks(ctx, cat, statementFacts, results);

  prediction.statements = statementFacts.map((f) => combine(f, results.get(f.statement.index) ?? [], prediction.asOf!));
  prediction.advice = lockTimeoutAdvice(plan.files, prediction.statements, cat);
  prediction.prismaWarnings = plan.files.flatMap((f) => f.prismaWarnings).map((w) => ({ ...w, outcomes: w.statements.map((i) => prediction.statements[i]!.outcome) }));
  return finish(prediction, ctx, started);
}

function finish(p: Prediction, ctx: Ctx, started: number): Prediction {
  p.elapsedMs = Math.round(performance.now() - started);
  p.queries = ctx.queries;
  p.cutOff = ctx.cutOff;
  for (const s of p.statements) p.counts[s.outcome]++;
  return p;
}

const head = (s: PlannedStatement) => ({ index: s.index, migration: s.migration, file: s.file, line: s.line, what: s.what, ...(s.inDoBlock ? { inDoBlock: true } : {}) });

/** Runs `sql` in its own read-only transaction, bounded by what is left of the budget. */
async function query<R>(ctx: Ctx, label: string, sql: string, values: unknown[] = [], capMs = Infinity, settings: string[] = []): Promise<R[]> {
  const left = ctx.deadline - performance.now();
  if (left < 20) {
    ctx.cutOff = true;
    throw new NotEvaluated(`cut off: the prediction's time budget (${formatMs(ctx.options.budgetMs)}) was spent`);
  }
  ctx.queries++;
  // row_security = off: a query row-level security would filter is refused (42501), never answered
  // with part of the rows, which could read as a pass.
  const rows = await ctx.db.readOnly(async (tx) => {
    await tx.query(['SET LOCAL row_security = off', ...settings.map((s) => `SET LOCAL ${s}`)].join('; '));
    return tx.query(sql, values);
  }, {
    statementTimeoutMs: Math.min(left, capMs),
    lockTimeoutMs: Math.min(left, ctx.options.lockTimeoutMs ?? 1000),
    label: `predict: ${label}`,
  });
  return rows.rows as R[];
}

/** A query error as a reason (unknown), or a data error PostgreSQL would raise too (returned as such). */
function queryProblem(error: unknown, ctx: Ctx, what: string): string {
  if (error instanceof NotEvaluated) return error.message;
  const e = error as { code?: string; message?: string };
  if (e.code === '57014') {
    ctx.cutOff = true;
    return `${what} was cut off by the prediction's time budget (${formatMs(ctx.options.budgetMs)})`;
  }
  if (e.code === '55P03') return `${what} waited for a lock another session holds (the gate's reads give up after ${formatMs(ctx.options.lockTimeoutMs ?? 1000)})`;
  if (e.code === '42501' && /row-level security/i.test(String(e.message))) return 'row-level security hides rows from this role, so its reads cannot prove anything';
  if (e.code === '42501') return `this role may not read the table (${oneLine(e.message)})`;
  return `${what} failed: ${oneLine(e.message)}${e.code ? ` (${e.code})` : ''}`;
}

const oneLine = (text: unknown) => String(text ?? '').split('\n')[0]!.slice(0, 200);

async function readCatalog(ctx: Ctx): Promise<CatalogRow> {
  const { plan } = ctx;
  const relations = new Map<string, RelRef>();
  const constraints = new Set<string>();
  const types = new Map<string, RelRef>();
  const schemas = new Set<string>();
  const extensions = new Set<string>();
  const functions = new Set<string>();
  const operators = new Set<string>();
  const add = (r: RelRef) => relations.set(r.key, r);
  for (const s of plan.statements) {
    for (const l of s.locks) add(l.rel);
    for (const p of s.privileges) {
      if (p.kind === 'owner' || p.kind === 'references' || p.kind === 'table') add(p.rel);
      else if (p.kind === 'owner-type') types.set(p.type.key, p.type);
      else if (p.kind === 'create') schemas.add(p.schema);
      else if (p.kind === 'extension') extensions.add(p.name);
    }
    for (const c of s.checks) {
      add(c.table);
      if (c.kind === 'orphans') add(c.refTable);
      for (const f of c.names?.functions ?? []) functions.add(f);
      for (const o of c.names?.operators ?? []) operators.add(o);
    }
    if (s.validateExisting) {
      add(s.validateExisting.table);
      constraints.add(s.validateExisting.constraint);
    }
  }
  const rels = [...relations.values()];
  const casts = castLookups(plan);
  const rows = await query<CatalogRow>(ctx, 'read the catalog, locks and privileges', CATALOG_SQL, [
    rels.map((r) => r.schema),
    rels.map((r) => r.name),
    [...constraints],
    [...types.values()].map((t) => t.schema),
    [...types.values()].map((t) => t.name),
    casts.map((c) => `${quoteIdent(c.table.schema)}.${quoteIdent(c.table.name)}`),
    casts.map((c) => c.column),
    casts.map((c) => c.target),
    [...schemas],
    [...extensions],
    [...functions],
    [...operators],
  ], 15_000);
  return rows[0]!;
}

/** The (table, column, target type) of every cast check, in plan order. */
function castLookups(plan: Plan): Array<{ table: RelRef; column: string; target: string; check: DataCheck }> {
  const out: Array<{ table: RelRef; column: string; target: string; check: DataCheck }> = [];
  for (const s of plan.statements) {
    for (const c of s.checks) {
      if (c.kind === 'cast') out.push({ table: c.table, column: c.column, target: typeSql({ ...c.target, mods: [] }), check: c });
      for (const t of c.names?.types ?? []) if (c.kind !== 'cast' || t !== c.target) out.push({ table: c.table, column: '', target: typeSql({ ...t, mods: [] }), check: c });
    }
  }
  return out;
}

/** The catalog row, indexed. */
class Catalog {
  readonly relations = new Map<string, CatalogRelation>();
  readonly byOid = new Map<number, CatalogRelation>();
  readonly types = new Map<string, { owner: boolean; owner_name: string }>();
  readonly schemas = new Map<string, boolean>();
  readonly extensions = new Map<string, { installed: boolean; trusted: boolean }>();
  readonly functions = new Map<string, boolean>();
  readonly operators = new Map<string, boolean>();
  /** Cast lookups by their check, in order. */
  readonly casts = new Map<DataCheck, Array<{ target: string; oid: number | null; category: string | null; context: string | null; same: boolean | null }>>();

  constructor(
    readonly row: CatalogRow,
    plan: Plan,
  ) {
    for (const r of row.relations ?? []) {
      this.relations.set(`${r.schema}.${r.name}`, r);
      this.byOid.set(r.oid, r);
    }
    for (const t of row.types ?? []) this.types.set(`${t.schema}.${t.name}`, t);
    for (const s of row.schemas ?? []) this.schemas.set(s.name, s.create);
    for (const e of row.extensions ?? []) this.extensions.set(e.name, e);
    for (const f of row.functions ?? []) this.functions.set(f.name, f.safe);
    for (const o of row.operators ?? []) this.operators.set(o.name, o.safe);
    const lookups = castLookups(plan);
    const found = new Map((row.casts ?? []).map((c) => [Number(c.i), c]));
    lookups.forEach((l, i) => {
      const c = found.get(i + 1);
      const list = this.casts.get(l.check) ?? [];
      list.push({ target: l.target, oid: c?.oid ?? null, category: c?.category ?? null, context: c?.context ?? null, same: c?.same ?? null });
      this.casts.set(l.check, list);
    });
  }

  get superuser(): boolean {
    return this.row.session.superuser;
  }

  rel(r: RelRef): CatalogRelation | undefined {
    return this.relations.get(r.key);
  }

  /** Locks on `oid` held or awaited by other sessions that conflict with `mode`. */
  conflicting(oid: number, mode: LockMode): Holder[] {
    return (this.row.locks ?? []).filter((l) => l.relation === oid && isLockMode(l.mode) && conflicts(mode, l.mode)).map(holder);
  }

  /** The lock_timeout and statement_timeout `migrate deploy`'s session gets, and where from. */
  timeouts(): TimeoutSetting[] {
    const out: TimeoutSetting[] = [];
    const settings = this.row.settings ?? [];
    const s = this.row.session;
    const specific = (name: string) => {
      // Most specific first: role in database, role, database.
      const order = [settings.find((x) => x.role && x.db), settings.find((x) => x.role && !x.db), settings.find((x) => !x.role && x.db)];
      const sources = [`role "${s.user}" in database "${s.database}"`, `role "${s.user}"`, `database "${s.database}"`];
      for (const [i, entry] of order.entries()) {
        const value = entry?.config?.find((c) => c.toLowerCase().startsWith(`${name}=`));
        if (value !== undefined) return { value: value.slice(name.length + 1), source: sources[i]! };
      }
      return undefined;
    };
    for (const name of ['lock_timeout', 'statement_timeout'] as const) {
      const set = specific(name);
      if (set) {
        out.push({ name, ms: settingMs(set.value), source: set.source });
      } else if (name === 'lock_timeout') {
        // This session's own value, which the gate does not override: the server's.
        const ms = settingMs(s.lock_timeout);
        if (ms > 0) out.push({ name, ms, source: 'server' });
      }
    }
    return out;
  }

  lockTimeoutMs(): number {
    return this.timeouts().find((t) => t.name === 'lock_timeout')?.ms ?? 0;
  }
}

/** `5s`, `500ms`, `1min`, `0` as PostgreSQL prints a time setting, in ms. */
function settingMs(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?$/.exec(value.trim());
  if (!m) return 0;
  const factor: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };
  return Math.round(Number(m[1]) * factor[m[2] ?? 'ms']!);
}

function holder(l: CatalogLock): Holder {
  return {
    pid: l.pid,
    user: l.user ?? undefined,
    application: l.application || undefined,
    state: l.state ?? undefined,
    transactionSeconds: l.xact_seconds ?? undefined,
    stateSeconds: l.state_seconds ?? undefined,
    mode: l.mode,
    granted: l.granted,
  };
}

// ---- per statement: privileges, refusals, locks ---------------------------------------------

interface StatementFacts {
  statement: PlannedStatement;
  /** A failure decided without the data (privilege, certain refusal). */
  fail?: { sqlstate: string; reason: string };
  wait?: StatementPrediction['waits'];
  unknown?: { reason: string; missing?: boolean };
  pass?: string;
  /** Data checks to run (after `validateExisting` is resolved). */
  checks: DataCheck[];
}

function staticPrediction(s: PlannedStatement, cat: Catalog, plan: Plan, parser: PgParser): StatementFacts {
  const facts: StatementFacts = { statement: s, checks: [] };
  const privilege = privilegeProblem(s, cat);
  if (privilege) facts.fail = privilege;
  else if (s.certain) facts.fail = s.certain;

  // Locks: the first conflicting lock this statement asks for.
  const file = plan.files.find((f) => f.statements.includes(s))!;
  for (const need of s.locks) {
    const r = cat.rel(need.rel);
    if (!r) continue;
    const oids = [r.oid, ...(r.index_table ? [r.index_table.oid] : [])];
    const holders = oids.flatMap((oid) => cat.conflicting(oid, need.mode));
    if (holders.length === 0) continue;
    const fileTimeout = file.lockTimeout && file.lockTimeout.from <= s.index ? file.lockTimeout.ms : undefined;
    facts.wait = { relation: need.rel.shown, mode: need.mode, holders, lockTimeoutMs: fileTimeout ?? cat.lockTimeoutMs() };
    break;
  }

  if (s.unknown) facts.unknown = { reason: s.unknown };
  else if (s.passes) facts.pass = s.passes;
  if (facts.fail || s.unknown || s.passes) return facts;

  const replica = cat.row.session.replica;
  const tables = new Set([...s.checks.map((c) => c.table.key), ...(s.validateExisting ? [s.validateExisting.table.key] : [])]);
  for (const key of tables) {
    const table = [...s.checks.map((c) => c.table), s.validateExisting?.table].find((t) => t?.key === key)!;
    const r = cat.rel(table);
    if (!r) {
      if (s.maybeNew?.includes(key)) {
        facts.pass = `${table.shown} does not exist yet: CREATE TABLE IF NOT EXISTS earlier in the pending set creates it empty`;
        return facts;
      }
      facts.unknown = { reason: `${table.shown} is not in the database, so PostgreSQL will refuse the statement (the lint reports it)`, missing: true };
      return facts;
    }
    if (replica) {
      facts.unknown = { reason: 'the database is a read replica (in recovery): its rows may lag the primary, and `migrate deploy` cannot write there' };
      return facts;
    }
    if (r.rls && (r.force_rls || !r.owner) && !cat.row.session.bypassrls && !cat.superuser) {
      facts.unknown = { reason: `row-level security on ${table.shown} hides rows from role "${cat.row.session.user}", so its reads cannot prove anything` };
      return facts;
    }
    if (!r.can_select && !cat.superuser) {
      facts.unknown = { reason: `role "${cat.row.session.user}" may not SELECT from ${table.shown}` };
      return facts;
    }
  }
  if (s.validateExisting) {
    const resolved = existingConstraintChecks(s.validateExisting.table, s.validateExisting.constraint, cat, parser);
    if ('unknown' in resolved) facts.unknown = { reason: resolved.unknown };
    else if ('pass' in resolved) facts.pass = resolved.pass;
    else facts.checks = resolved;
    return facts;
  }
  facts.checks = s.checks;
  return facts;
}

function privilegeProblem(s: PlannedStatement, cat: Catalog): { sqlstate: string; reason: string } | undefined {
  if (cat.superuser) return undefined;
  const role = `role "${cat.row.session.user}" (DATABASE_URL's, which \`migrate deploy\` uses)`;
  for (const need of s.privileges) {
    switch (need.kind) {
      case 'owner': {
        const r = cat.rel(need.rel);
        if (r && !r.owner) return { sqlstate: '42501', reason: `must be owner of ${need.what} ${need.rel.shown}: it belongs to "${r.owner_name}", not to ${role}` };
        break;
      }
      case 'owner-type': {
        const t = cat.types.get(need.type.key);
        if (t && !t.owner) return { sqlstate: '42501', reason: `must be owner of type ${need.type.shown}: it belongs to "${t.owner_name}", not to ${role}` };
        break;
      }
      case 'create': {
        const can = cat.schemas.get(need.schema);
        if (can === false) return { sqlstate: '42501', reason: `permission denied for schema ${quoteIdent(need.schema)}: ${role} lacks CREATE on it` };
        break;
      }
      case 'create-db':
        if (!cat.row.session.create_db) return { sqlstate: '42501', reason: `permission denied for database "${cat.row.session.database}": ${role} lacks CREATE on it` };
        break;
      case 'references': {
        const r = cat.rel(need.rel);
        if (r && !r.can_reference) return { sqlstate: '42501', reason: `permission denied for table ${need.rel.shown}: ${role} lacks REFERENCES on it` };
        break;
      }
      case 'table': {
        const r = cat.rel(need.rel);
        const can = r && { INSERT: r.can_insert, UPDATE: r.can_update, DELETE: r.can_delete, TRUNCATE: r.can_truncate }[need.privilege];
        if (r && !can) return { sqlstate: '42501', reason: `permission denied for table ${need.rel.shown}: ${role} lacks ${need.privilege} on it` };
        break;
      }
      case 'extension':
        break;
    }
  }
  for (const need of s.privileges) {
    if (need.kind !== 'extension') continue;
    const e = cat.extensions.get(need.name);
    if (!e) return { sqlstate: '0A000', reason: `extension "${need.name}" is not available on the server (no control file): install it there, or use one the provider offers` };
    if (e.installed) {
      if (!need.ifNotExists) return { sqlstate: '42710', reason: `extension "${need.name}" already exists` };
      continue;
    }
    if (!e.trusted) return { sqlstate: '42501', reason: `permission denied to create extension "${need.name}": it is not trusted, so only a superuser may create it, and ${role} is not one` };
    if (!cat.row.session.create_db) return { sqlstate: '42501', reason: `permission denied to create extension "${need.name}": a trusted extension needs CREATE on database "${cat.row.session.database}", which ${role} lacks` };
  }
  return undefined;
}

/** The checks of VALIDATE CONSTRAINT on a constraint the database has (added NOT VALID earlier). */
function existingConstraintChecks(table: RelRef, name: string, cat: Catalog, parser: PgParser): DataCheck[] | { unknown: string } | { pass: string } {
  const r = cat.rel(table)!;
  const k = (r.constraints ?? []).find((c) => c.name === name);
  if (!k) return { unknown: `constraint ${quoteIdent(name)} is not on ${table.shown} in the database` };
  if (k.validated) return { pass: `constraint ${quoteIdent(name)} is already validated: PostgreSQL does nothing` };
  if (k.type === 'n' && k.columns?.[0]) return [{ kind: 'nulls', table, sqlstate: '23502', column: k.columns[0], what: `NULLs in ${table.shown}."${k.columns[0]}"` }];
  if (k.type === 'f' && k.columns && k.ref) {
    const ref: RelRef = { schema: k.ref.schema, name: k.ref.name, key: `${k.ref.schema}.${k.ref.name}`, shown: quoteIdent(k.ref.name) };
    return [{ kind: 'orphans', table, sqlstate: '23503', columns: k.columns, refTable: ref, refColumns: k.refcolumns ?? undefined, matchFull: k.match === 'f', what: `rows of ${table.shown} without a match in ${ref.shown}` }];
  }
  if (k.type === 'c') {
    const parsed = parser.parse(`ALTER TABLE t ADD CONSTRAINT c ${k.def}`);
    const expr = 'error' in parsed ? undefined : (parsed.statements[0]?.stmt.AlterTableStmt?.cmds?.[0]?.AlterTableCmd?.def?.Constraint?.raw_expr as PgNode | undefined);
    if (!expr) return { unknown: `the definition of ${quoteIdent(name)} could not be read` };
    const d = deparse(expr, (col) => quoteIdent(col));
    if ('unsupported' in d) return { unknown: `the CHECK holds ${d.unsupported}` };
    return [{ kind: 'check', table, sqlstate: '23514', expr: d.sql, what: `rows of ${table.shown} that break CHECK (${d.sql})`, names: { functions: d.functions, operators: d.operators, types: d.types } }];
  }
  return { unknown: `a ${k.type} constraint the gate does not validate` };
}

// ---- the data ------------------------------------------------------------------------------

/** The names an expression calls, proven harmless by the catalog; else why not. */
function unsafeNames(c: DataCheck, cat: Catalog): string | undefined {
  for (const f of c.names?.functions ?? []) {
    if (NEVER_RUN.has(f)) return `it calls ${f}(), which the gate never runs on production`;
    const safe = cat.functions.get(f);
    if (safe === undefined) return `it calls ${f}(), which is not in the database's catalog`;
    if (!safe) return `it calls ${f}(), which is volatile or outside pg_catalog: the gate does not run it on production`;
  }
  for (const o of c.names?.operators ?? []) {
    if (cat.operators.get(o) === false) return `it uses the operator ${o}, which is defined outside pg_catalog: the gate does not run it on production`;
  }
  for (const t of cat.casts.get(c) ?? []) {
    if (t.oid === null) return `the type ${t.target} is not in the database`;
  }
  return undefined;
}

/** Where a check reads: ONLY for a plain table's index or foreign key (they do not reach child tables). */
const from = (r: CatalogRelation, table: RelRef, only: boolean) => `${only && r.relkind === 'r' ? 'ONLY ' : ''}${quoteIdent(table.schema)}.${quoteIdent(table.name)}`;

/** Columns that identify a row in the listing queries: the primary key, else ctid. */
const identity = (r: CatalogRelation) => (r.pk?.length ? r.pk.map(quoteIdent).join(', ') : 'ctid');

interface Member {
  check: DataCheck;
  /** A count(*) FILTER condition: true for a row that breaks the check. */
  breaks: string;
  list: string;
  reason: (n: number) => string;
}

async function runDataChecks(ctx: Ctx, cat: Catalog, facts: StatementFacts[], results: Map<number, CheckResult[]>): Promise<void> {
  const record = (f: StatementFacts, r: CheckResult) => results.set(f.statement.index, [...(results.get(f.statement.index) ?? []), r]);

  // Group per table, smallest first: the statistics order the work, they never decide it.
  const byTable = new Map<string, Array<{ f: StatementFacts; c: DataCheck }>>();
  for (const f of facts) {
    if (f.fail || f.unknown || f.pass) continue;
    for (const c of f.checks) {
      const unsafe = unsafeNames(c, cat);
      if (unsafe) {
        record(f, { check: c, unknown: `the check is not run: ${unsafe}` });
        continue;
      }
      byTable.set(c.table.key, [...(byTable.get(c.table.key) ?? []), { f, c }]);
    }
  }
  const tables = [...byTable.entries()].sort((a, b) => (cat.relations.get(a[0])?.heap ?? 0) - (cat.relations.get(b[0])?.heap ?? 0));
  const v16 = cat.row.session.version >= 160000;

  for (const [key, items] of tables) {
    const r = cat.relations.get(key)!;
    const table = items[0]!.c.table;
    const shown = table.shown;
    // A table with no page has no row, whatever its statistics say: that is proof, not an estimate.
    if (r.heap === 0) {
      for (const { f, c } of items) {
        if (c.kind === 'orphans' && c.refEmpty) record(f, { check: c, passed: `${shown} is empty (no page)` });
        else record(f, { check: c, passed: `${shown} is empty (no page)` });
      }
      continue;
    }
    const members: Array<{ f: StatementFacts; m: Member }> = [];
    const separate: Array<{ f: StatementFacts; c: DataCheck }> = [];
    for (const item of items) {
      const m = filterMember(item.c, r, cat, v16);
      if (m && 'certain' in m) record(item.f, { check: item.c, failed: m.certain });
      else if (m) members.push({ f: item.f, m });
      else separate.push(item);
    }
    if (members.length > 0) await runFilterScan(ctx, r, table, members, record);
    for (const { f, c } of separate) record(f, await runSeparate(ctx, cat, r, c));
  }
}

/** A check that one scan of its table can count with others (`count(*) FILTER (WHERE …)`). */
function filterMember(c: DataCheck, r: CatalogRelation, cat: Catalog, v16: boolean): Member | { certain: NonNullable<CheckResult['failed']> } | undefined {
  const t = `${quoteIdent(c.table.schema)}.${quoteIdent(c.table.name)}`;
  const id = identity(r);
  switch (c.kind) {
    case 'nulls': {
      const col = quoteIdent(c.column);
      const column = (r.columns ?? []).find((x) => x.name === c.column);
      if (column?.notnull) return undefined; // already NOT NULL: handled as a pass in runSeparate
      return { check: c, breaks: `${col} IS NULL`, list: `SELECT ${id} FROM ${t} WHERE ${col} IS NULL;`, reason: (n) => `${plural(n, 'row')} of ${c.table.shown} ${n === 1 ? 'has' : 'have'} NULL in "${c.column}"` };
    }
    case 'check':
      return { check: c, breaks: `(${c.expr}) IS FALSE`, list: `SELECT ${id} FROM ${t} WHERE (${c.expr}) IS FALSE;`, reason: (n) => `${plural(n, 'row')} of ${c.table.shown} ${n === 1 ? 'breaks' : 'break'} the CHECK` };
    case 'enum-values': {
      const labels = `ARRAY[${c.labels.map(quoteLiteral).join(', ')}]::text[]`;
      const breaks = c.array ? `NOT (array_remove(${c.value}, NULL) <@ ${labels})` : `${c.value} <> ALL (${labels})`;
      return { check: c, breaks, list: `SELECT ${id} FROM ${t} WHERE ${breaks};`, reason: (n) => `${plural(n, 'row')} of ${c.table.shown} ${n === 1 ? 'holds' : 'hold'} a value that is not a label of ${c.typeName} (${c.labels.join(', ')})` };
    }
    case 'cast': {
      const path = castPath(c, r, cat);
      if ('certain' in path) return { certain: path.certain };
      if (path.kind !== 'input') return undefined;
      const target = typeSql(c.target);
      const value = c.using ? `CAST((${c.using}) AS text)` : `CAST(${quoteIdent(c.column)} AS text)`;
      const breaks = v16
        ? `${value} IS NOT NULL AND NOT pg_input_is_valid(${value}, ${quoteLiteral(target)})`
        : path.length !== undefined
          ? `char_length(rtrim(${value}, ' ')) > ${path.length}`
          : undefined;
      if (!breaks) return undefined;
      return {
        check: c,
        breaks,
        list: `SELECT ${id} FROM ${t} WHERE ${breaks};`,
        reason: (n) => `${plural(n, 'value')} of ${c.table.shown}."${c.column}" ${n === 1 ? 'does' : 'do'} not fit ${displayType(c.target)}`,
      };
    }
    default:
      return undefined;
  }
}

/** How a type change's values are checked: by the input function (exact for string targets), or by running the cast. */
function castPath(c: Extract<DataCheck, { kind: 'cast' }>, r: CatalogRelation, cat: Catalog): { kind: 'input'; length?: number } | { kind: 'cast' } | { certain: NonNullable<CheckResult['failed']> } {
  const lookup = (cat.casts.get(c) ?? [])[0];
  const column = (r.columns ?? []).find((x) => x.name === c.column);
  const lengthTarget = ['varchar', 'bpchar'].includes(c.target.name) && c.target.mods.length === 1 ? c.target.mods[0] : undefined;
  const stringTarget = lookup?.category === 'S';
  if (c.using) return stringTarget ? { kind: 'input', length: lengthTarget } : { kind: 'cast' };
  if (!column || !lookup) return { kind: 'cast' };
  if (lookup.same) return stringTarget ? { kind: 'input', length: lengthTarget } : { kind: 'cast' };
  // An assignment cast from the column's type, or an I/O conversion to a string type (allowed at assignment).
  if (lookup.context === 'a' || lookup.context === 'i') return stringTarget ? { kind: 'input', length: lengthTarget } : { kind: 'cast' };
  if (lookup.context === null && stringTarget) return { kind: 'input', length: lengthTarget };
  return {
    certain: {
      sqlstate: '42804',
      reason: `column "${c.column}" cannot be cast automatically to type ${displayType(c.target)}: PostgreSQL refuses the type change without a USING expression, whatever the rows`,
    },
  };
}

async function runFilterScan(ctx: Ctx, r: CatalogRelation, table: RelRef, members: Array<{ f: StatementFacts; m: Member }>, record: (f: StatementFacts, r: CheckResult) => void): Promise<void> {
  const sql = `SELECT ${members.map((x, i) => `count(*) FILTER (WHERE ${x.m.breaks}) AS c${i}`).join(', ')} FROM ${from(r, table, false)}`;
  try {
    const [row] = await query<Record<string, string>>(ctx, `scan ${table.shown}`, sql);
    members.forEach(({ f, m }, i) => record(f, outcomeOfCount(m, Number(row![`c${i}`]))));
  } catch (error) {
    const e = error as { code?: string };
    if (members.length > 1 && isDataError(e.code)) {
      // One of the expressions raised an error: run them one by one to know which.
      for (const x of members) await runFilterScan(ctx, r, table, [x], record);
      return;
    }
    for (const { f, m } of members) record(f, errorResult(ctx, m.check, error, m.list));
  }
}

function outcomeOfCount(m: Member, n: number): CheckResult {
  if (n > 0) return { check: m.check, failed: { sqlstate: m.check.sqlstate === '22P02' && m.check.kind === 'cast' ? castState(m.check) : m.check.sqlstate, rows: { count: n }, reason: m.reason(n), query: m.list } };
  return { check: m.check, passed: `no ${m.check.what}` };
}

/** The SQLSTATE of a refused value for a string target: too long (22001) or not valid input (22P02). */
function castState(c: Extract<DataCheck, { kind: 'cast' }>): string {
  return ['varchar', 'bpchar'].includes(c.target.name) ? '22001' : '22P02';
}

/** Class 22 (data exception) and 23 (integrity): an error PostgreSQL raises on the rows too. */
const isDataError = (code: string | undefined) => code !== undefined && /^2[23]/.test(code);

/** A query error: the same error PostgreSQL would raise on the rows (data errors), else unknown. */
function errorResult(ctx: Ctx, check: DataCheck, error: unknown, list?: string): CheckResult {
  const e = error as { code?: string; message?: string };
  if (!(error instanceof NotEvaluated) && isDataError(e.code)) {
    return { check, failed: { sqlstate: e.code!, rows: { count: 1, atLeast: true }, reason: `a row makes PostgreSQL raise "${oneLine(e.message)}"`, query: list } };
  }
  return { check, unknown: queryProblem(error, ctx, `the check of ${check.what}`) };
}

async function runSeparate(ctx: Ctx, cat: Catalog, r: CatalogRelation, c: DataCheck): Promise<CheckResult> {
  const t = from(r, c.table, false);
  const id = identity(r);
  try {
    switch (c.kind) {
      case 'nulls':
        // Only reached for a column the database already has NOT NULL.
        return { check: c, passed: `"${c.column}" is already NOT NULL in the database` };
      case 'rows': {
        if (c.atLeast) {
          const [row] = await query<{ n: string }>(ctx, `rows of ${c.table.shown}`, `SELECT count(*) AS n FROM (SELECT 1 FROM ${t} LIMIT 2) x`);
          const n = Number(row!.n);
          if (n >= 2) return { check: c, failed: { sqlstate: c.sqlstate, rows: { count: 2, atLeast: true }, reason: `${c.table.shown} has more than one row`, query: `SELECT ${id} FROM ${t} LIMIT 10;` } };
          return { check: c, passed: `${c.table.shown} has at most one row` };
        }
        const [row] = await query<{ any: boolean }>(ctx, `rows of ${c.table.shown}`, `SELECT EXISTS (SELECT 1 FROM ${t}) AS any`);
        if (row!.any) return { check: c, failed: { sqlstate: c.sqlstate, rows: { count: 1, atLeast: true }, reason: `${c.table.shown} has rows (an EXISTS query found one)`, query: `SELECT ${id} FROM ${t} LIMIT 10;` } };
        return { check: c, passed: `${c.table.shown} has no row (EXISTS)` };
      }
      case 'duplicates': {
        // A unique index the database already has on part of the key rules duplicates out: a proof, no scan.
        const proof = c.keyColumns ? (r.unique_indexes ?? []).find((x) => x.columns.every((col) => c.keyColumns!.includes(col)) && (!c.nullsNotDistinct || x.nulls_not_distinct)) : undefined;
        if (proof) return { check: c, passed: `no ${c.what}: the unique index ${quoteIdent(proof.name)} on (${proof.columns.map(quoteIdent).join(', ')}) already rules them out` };
        const u = from(r, c.table, true);
        const where = [...c.nullable.map((k) => `${k} IS NOT NULL`), ...(c.where ? [`(${c.where})`] : [])];
        const whereSql = where.length ? ` WHERE ${where.join(' AND ')}` : '';
        const sql =
          c.keys.length === 0
            ? `SELECT CASE WHEN count(*) > 1 THEN 1 ELSE 0 END AS groups, CASE WHEN count(*) > 1 THEN count(*) ELSE 0 END AS rows FROM ${u}${whereSql}`
            : `SELECT count(*) AS groups, coalesce(sum(n), 0) AS rows FROM (SELECT count(*) AS n FROM ${u}${whereSql} GROUP BY ${c.keys.join(', ')} HAVING count(*) > 1) d`;
        const list = c.keys.length === 0 ? `SELECT ${id} FROM ${u}${whereSql};` : `SELECT ${c.keys.join(', ')}, count(*) FROM ${u}${whereSql} GROUP BY ${c.keys.join(', ')} HAVING count(*) > 1;`;
        // Sorted, not hashed: a hash table of millions of distinct keys spills in small batches, a sort
        // of them is steadier (measured in bench/migrations.ts); one sort at a time, bounded memory.
        const [row] = await query<{ groups: string; rows: string }>(ctx, `duplicates in ${c.table.shown}`, sql, [], Infinity, ['enable_hashagg = off', "work_mem = '64MB'"]);
        const groups = Number(row!.groups);
        const rows = Number(row!.rows);
        if (groups > 0) {
          return {
            check: c,
            failed: { sqlstate: '23505', rows: { count: rows }, reason: `${plural(rows, 'row')} of ${c.table.shown} share ${groups === 1 ? 'one key value' : `${groups} key values`}: ${c.what}`, query: list },
          };
        }
        return { check: c, passed: `no ${c.what}` };
      }
      case 'orphans': {
        const ref = cat.rel(c.refTable);
        const refColumns = c.refColumns ?? ref?.pk ?? undefined;
        const notNull = c.columns.map((k) => `fk.${quoteIdent(k)} IS NOT NULL`).join(c.matchFull ? ' OR ' : ' AND ');
        let sql: string;
        if (c.refEmpty) {
          sql = `SELECT count(*) AS n FROM ${from(r, c.table, true)} fk WHERE ${notNull}`;
        } else {
          if (!ref) return { check: c, unknown: `the referenced table ${c.refTable.shown} is not in the database` };
          if (!refColumns || refColumns.length !== c.columns.length) return { check: c, unknown: `the referenced columns of ${c.refTable.shown} are not known` };
          // The query PostgreSQL runs to validate a foreign key (RI_Initial_Check in ri_triggers.c).
          const on = refColumns.map((p, i) => `pk.${quoteIdent(p)} = fk.${quoteIdent(c.columns[i]!)}`).join(' AND ');
          sql = `SELECT count(*) AS n FROM ${from(r, c.table, true)} fk LEFT OUTER JOIN ${from(ref, c.refTable, true)} pk ON (${on}) WHERE pk.${quoteIdent(refColumns[0]!)} IS NULL AND (${notNull})`;
        }
        const [row] = await query<{ n: string }>(ctx, `foreign key of ${c.table.shown}`, sql);
        const n = Number(row!.n);
        const list = sql.replace(/^SELECT count\(\*\) AS n/, `SELECT ${c.columns.map((k) => `fk.${quoteIdent(k)}`).join(', ')}`) + ';';
        if (n > 0) return { check: c, failed: { sqlstate: '23503', rows: { count: n }, reason: `${plural(n, 'row')} of ${c.table.shown} ${n === 1 ? 'references' : 'reference'} a row missing from ${c.refTable.shown}`, query: list } };
        return { check: c, passed: `no ${c.what}` };
      }
      case 'cast': {
        // The cast itself, inside the aggregate so it is evaluated for every row.
        const value = c.using ? `(${c.using})` : quoteIdent(c.column);
        const sql = `SELECT count(CAST(${value} AS ${typeSql(c.target)})) AS n FROM ${t}`;
        await query(ctx, `cast ${c.table.shown}."${c.column}"`, sql);
        return { check: c, passed: `every value of ${c.table.shown}."${c.column}" casts to ${displayType(c.target)}` };
      }
      default:
        return { check: c, unknown: `the gate has no query for ${c.what}` };
    }
  } catch (error) {
    const list = c.kind === 'cast' && cat.row.session.version >= 160000 ? `SELECT ${id} FROM ${t} WHERE NOT pg_input_is_valid(CAST(${c.using ? `(${c.using})` : quoteIdent(c.column)} AS text), ${quoteLiteral(typeSql(c.target))});` : undefined;
    return errorResult(ctx, c, error, list);
  }
}

// ---- combining -----------------------------------------------------------------------------

function combine(f: StatementFacts, results: CheckResult[], asOf: string): StatementPrediction {
  const s = f.statement;
  const base = { ...head(s), checked: results.filter((r) => r.passed).map((r) => r.passed!) };
  const waitText = f.wait ? describeWait(f.wait) : undefined;
  if (f.fail) return { ...base, outcome: 'fail', sqlstate: f.fail.sqlstate, reason: f.fail.reason };
  // Checks fail in their own order; the first failure is PostgreSQL's error.
  const ordered = [...f.checks.map((c) => results.find((r) => r.check === c)).filter((r): r is CheckResult => r !== undefined), ...results.filter((r) => !f.checks.includes(r.check))];
  const failed = ordered.find((r) => r.failed);
  // A statement of a DO block runs only when the block's conditions let it: said, not evaluated.
  const inDo = s.inDoBlock ? 'if the DO block runs it (the gate does not evaluate its conditions): ' : '';
  if (f.wait && f.wait.lockTimeoutMs > 0) {
    return { ...base, outcome: 'fail', sqlstate: '55P03', reason: `${inDo}${waitText}; lock_timeout (${formatMs(f.wait.lockTimeoutMs)}) then cancels it` + (failed ? `, and past the lock it would fail anyway: ${failed.failed!.reason} (${failed.failed!.sqlstate})` : ''), waits: f.wait };
  }
  if (f.wait) {
    return {
      ...base,
      outcome: 'wait',
      reason: `${inDo}${waitText}, and every later query on ${f.wait.relation} queues behind it` + (failed ? `; once it has the lock it fails: ${failed.failed!.reason} (${failed.failed!.sqlstate})` : ''),
      waits: f.wait,
      ...(failed ? { sqlstate: failed.failed!.sqlstate, rows: failed.failed!.rows, query: failed.failed!.query } : {}),
    };
  }
  if (failed) return { ...base, outcome: 'fail', sqlstate: failed.failed!.sqlstate, reason: `${inDo}${failed.failed!.reason}`, rows: failed.failed!.rows, query: failed.failed!.query };
  if (f.unknown) return { ...base, outcome: 'unknown', reason: f.unknown.reason, ...(f.unknown.missing ? { missing: true } : {}) };
  const unknown = ordered.find((r) => r.unknown);
  if (unknown) return { ...base, outcome: 'unknown', reason: unknown.unknown! };
  const why = f.pass ?? (base.checked.length ? base.checked.join('; ') : 'nothing in the data, the locks or the privileges stops it');
  return { ...base, outcome: 'pass', reason: `passes as of ${asOf}: ${why}` };
}

export function describeHolder(h: Holder): string {
  const who = [`pid ${h.pid}`, h.application ? `"${h.application}"` : undefined, h.user ? `user ${h.user}` : undefined].filter(Boolean).join(', ');
  const state = h.state ? `${h.state}${h.stateSeconds !== undefined ? ` for ${formatSeconds(h.stateSeconds)}` : ''}` : 'state hidden from this role';
  const txn = h.transactionSeconds !== undefined ? `, transaction open ${formatSeconds(h.transactionSeconds)}` : '';
  return `${who} (${state}${txn}) ${h.granted ? 'holds' : 'waits for'} ${LOCK_NAMES[h.mode as LockMode] ?? h.mode}`;
}

function describeWait(w: NonNullable<StatementPrediction['waits']>): string {
  const first = w.holders.slice(0, 3).map(describeHolder).join('; ');
  const more = w.holders.length > 3 ? ` and ${w.holders.length - 3} more` : '';
  return `it needs ${LOCK_NAMES[w.mode]} on ${w.relation}, which conflicts with ${first}${more}: it waits`;
}

/** Per file, advice to bound lock waits when a statement takes a strong lock on an existing table and nothing bounds the wait. */
function lockTimeoutAdvice(files: PlannedFile[], predictions: StatementPrediction[], cat: Catalog): Prediction['advice'] {
  const advice: Prediction['advice'] = [];
  const sessionTimeout = cat.lockTimeoutMs();
  for (const file of files) {
    const strong = file.statements.find((s) => {
      if (file.lockTimeout && file.lockTimeout.ms > 0 && file.lockTimeout.from <= s.index) return false;
      if (predictions[s.index]?.outcome === 'fail' && predictions[s.index]?.sqlstate !== '55P03') return false;
      return s.locks.some((l) => cat.rel(l.rel) && ['AccessExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock'].includes(l.mode));
    });
    if (!strong || sessionTimeout > 0) continue;
    const lock = strong.locks.find((l) => cat.rel(l.rel))!;
    advice.push({
      file: file.file,
      text:
        `Add \`SET lock_timeout = '5s';\` at the top of ${file.file}: nothing bounds its lock waits (no lock_timeout for the role, the database or the file), ` +
        `so ${strong.what} (line ${strong.line}) would wait for ${LOCK_NAMES[lock.mode]} on ${lock.rel.shown} as long as any session holds a conflicting lock, with every later query on the table queued behind it. With the timeout it fails fast (55P03) and can be retried.`,
    });
  }
  return advice;
}

// ---- text ----------------------------------------------------------------------------------

const TYPE_NAMES: Record<string, string> = { int2: 'smallint', int4: 'integer', int8: 'bigint', bpchar: 'char', float4: 'real', float8: 'double precision', bool: 'boolean' };

/** A type as a person writes it: `varchar(5)`, `integer`, `"Role"[]`. */
export function displayType(t: TypeRef): string {
  const name = t.schema === 'pg_catalog' || (!t.schema && TYPE_NAMES[t.name]) ? (TYPE_NAMES[t.name] ?? t.name) : /^[a-z_][a-z0-9_]*$/.test(t.name) ? t.name : quoteIdent(t.name);
  return `${t.schema && t.schema !== 'pg_catalog' ? `${quoteIdent(t.schema)}.` : ''}${name}${t.mods.length ? `(${t.mods.join(',')})` : ''}${t.array ? '[]' : ''}`;
}

export function plural(n: number, word: string): string {
  return `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;
}

function formatCount(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${Math.round(ms / 100) / 10} s`;
  return `${Math.round(ms / 60_000)} min`;
}

export function formatSeconds(s: number): string {
  if (s < 1) return 'under a second';
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

export type { TypeRef };
export { deparse };
