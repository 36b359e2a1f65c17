/**
 * A rehearsal of the migrate step on a copy of production (`rehearsal-database-url`: a restored
 * backup, a Neon or Supabase branch, a staging clone): the real migrate command runs there, and the
 * gate reports each migration's duration, the locks it held and whether it failed, next to the
 * prediction. It writes to the copy, which is what the input is for; it never runs on the production
 * database: a URL that reaches the same database is refused (asked of the servers, not only the
 * strings), and every variable of the command's environment that points at production, and the
 * variables schema.prisma reads its URLs from, are pointed at the copy.
 *
 * Locks are sampled from `pg_locks` while the command runs (every `sampleMs`): the locks of the
 * session that holds Prisma's advisory lock, each attributed to the migration `_prisma_migrations`
 * says was running at that moment. A lock held for less than the interval may not be seen.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConnectOptions, ReadOnlyDb } from '../../probes/db.js';
import { connectReadOnly, describeDbError, isUnreachable, parseDatabaseUrl } from '../../probes/db.js';
import { runCommand, type CommandResult } from '../../probes/exec.js';
import { isLockMode, LOCK_NAMES, stronger, type LockMode } from './locks.js';
import { quoteIfNeeded as quote } from './pg-names.js';

export interface RehearsalOptions {
  /** The copy's URL (`rehearsal-database-url`). */
  url: string;
  /** Production's URL (`DATABASE_URL`), to refuse the same database and to find what points at it. */
  productionUrl: string;
  /** The run's read-only session on production. */
  production: Pick<ReadOnlyDb, 'query'>;
  command: string;
  cwd: string;
  env: Readonly<Record<string, string>>;
  timeoutMs: number;
  signal?: AbortSignal;
  connect: Omit<ConnectOptions, 'sslMode'>;
  onLine?: (line: string) => void;
  sampleMs?: number;
}

export interface RehearsedMigration {
  name: string;
  durationMs?: number;
  failed: boolean;
  /** The SQLSTATE Prisma recorded in `logs` (`Database error code: 23505`). */
  sqlstate?: string;
  error?: string;
  /** The strongest lock seen on each relation while it ran. */
  locks: Array<{ relation: string; mode: LockMode }>;
}

export type Rehearsal =
  | { refused: string }
  /** Not run, for a reason that is not a fault of the copy (no migrate command, the install failed). */
  | { skipped: string }
  | { unreachable: string }
  | {
      command: Pick<CommandResult, 'exitCode' | 'endedBy' | 'durationMs' | 'tail'>;
      migrations: RehearsedMigration[];
      /** Whether the migrate session could be told apart (it holds Prisma's advisory lock). */
      locksSampled: boolean;
      sampleMs: number;
      /** Variables of the command's environment that were pointed at the copy. */
      redirected: string[];
    };

interface Identity {
  sysid: string | null;
  database: string;
  started: string;
  pid: number;
  backend_start: string;
  port: number | null;
}

const IDENTITY_SQL = `SELECT current_database() AS database, pg_postmaster_start_time()::text AS started, pg_backend_pid() AS pid,
  (SELECT backend_start::text FROM pg_stat_activity WHERE pid = pg_backend_pid()) AS backend_start, inet_server_port() AS port`;

async function identity(db: Pick<ReadOnlyDb, 'query'>): Promise<Identity> {
  const { rows } = await db.query<Omit<Identity, 'sysid'>>(IDENTITY_SQL);
  // Not every managed server lets a role call it; without it the session check decides.
  const sysid = await db
    .query<{ s: string }>('SELECT system_identifier::text AS s FROM pg_control_system()')
    .then((r) => r.rows[0]?.s || null)
    .catch(() => null);
  return { ...rows[0]!, sysid };
}

/**
 * Why the copy is the production database, or undefined when it is not: the same server (same
 * system identifier and start time, or the copy's server sees the gate's production session) and
 * the same database name.
 */
export async function sameDatabase(production: Pick<ReadOnlyDb, 'query'>, copy: Pick<ReadOnlyDb, 'query'>): Promise<string | undefined> {
  const [p, c] = await Promise.all([identity(production), identity(copy)]);
  const { rows } = await copy.query<{ seen: boolean }>('SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND backend_start::text = $2) AS seen', [p.pid, p.backend_start]);
  const sameServer = (p.sysid !== null && p.sysid === c.sysid && p.started === c.started) || rows[0]?.seen === true;
  if (sameServer && p.database === c.database) {
    return `rehearsal-database-url reaches the production database: the same server${p.sysid && p.sysid === c.sysid ? ` (system identifier ${p.sysid}, started ${p.started})` : ' (it sees the gate\'s production session)'} and the same database "${p.database}"`;
  }
  return undefined;
}

/** `url = env("X")` and `directUrl = env("Y")` of schema.prisma's datasource, or a literal URL there. */
export async function datasourceVariables(cwd: string): Promise<{ variables: string[]; literal?: string }> {
  let schema: string;
  try {
    schema = await readFile(join(cwd, 'prisma', 'schema.prisma'), 'utf8');
  } catch {
    return { variables: ['DATABASE_URL'] };
  }
  const block = /datasource\s+\w+\s*\{([\s\S]*?)\}/.exec(schema)?.[1] ?? '';
  const variables = new Set<string>();
  let literal: string | undefined;
  for (const m of block.matchAll(/^\s*(url|directUrl|shadowDatabaseUrl)\s*=\s*(.+)$/gm)) {
    const value = m[2]!.trim();
    const env = /^env\(\s*"([^"]+)"\s*\)/.exec(value);
    if (env) variables.add(env[1]!);
    else if (m[1] !== 'shadowDatabaseUrl' && /^"/.test(value)) literal = m[1];
  }
  if (variables.size === 0 && !literal) variables.add('DATABASE_URL');
  return { variables: [...variables], literal };
}

/** Whether `value` is a PostgreSQL URL for the same host, port and database as `production`. */
function pointsAt(value: string, production: ReturnType<typeof parseDatabaseUrl>): boolean {
  if (!/^postgres(ql)?:\/\//i.test(value.trim())) return false;
  try {
    const p = parseDatabaseUrl(value.trim());
    return p.host === production.host && p.port === production.port && p.database === production.database;
  } catch {
    return false;
  }
}

const SAMPLE_SQL = `SELECT extract(epoch FROM clock_timestamp())::float8 AS at, n.nspname AS schema, c.relname AS relation, l.mode
  FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE l.locktype = 'relation' AND l.granted AND c.relkind IN ('r', 'p', 'i', 'm', 'S')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND c.relname <> '_prisma_migrations'
   AND l.pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = 0 AND objid = 72707369 AND objsubid = 1 AND granted
                  AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))`;

/** Runs the migrate command against the copy, sampling the locks it takes. */
export async function rehearse(o: RehearsalOptions): Promise<Rehearsal> {
  const production = parseDatabaseUrl(o.productionUrl);
  const copyUrl = parseDatabaseUrl(o.url);
  if (copyUrl.host === production.host && copyUrl.port === production.port && copyUrl.database === production.database) {
    return { refused: `rehearsal-database-url names the production database (${production.host}:${production.port}/${production.database})` };
  }
  if (/postgres(ql)?:\/\//i.test(o.command)) return { refused: 'the migrate command names a database URL itself, so it cannot be pointed at the copy' };
  const datasource = await datasourceVariables(o.cwd);
  if (datasource.literal) return { refused: `prisma/schema.prisma gives its datasource's ${datasource.literal} as a literal URL, so \`migrate deploy\` cannot be pointed at the copy` };

  let copy: ReadOnlyDb;
  try {
    copy = await connectReadOnly(o.url, o.connect);
  } catch (error) {
    const reason = describeDbError(error, copyUrl);
    return isUnreachable(error) ? { unreachable: `the rehearsal database is not reachable from the runner: ${reason}` } : { refused: `cannot connect to the rehearsal database: ${reason}` };
  }
  try {
    const same = await sameDatabase(o.production, copy);
    if (same) return { refused: same };

    const env: Record<string, string> = { ...o.env };
    const redirected = new Set<string>();
    for (const [name, value] of Object.entries(env)) {
      if (pointsAt(value, production)) {
        env[name] = o.url;
        redirected.add(name);
      }
    }
    for (const name of datasource.variables) {
      env[name] = o.url;
      redirected.add(name);
    }

    const started = await copy.query<{ now: string }>('SELECT clock_timestamp()::text AS now');
    const since = started.rows[0]!.now;
    const samples: Array<{ at: number; relation: string; mode: string }> = [];
    let sampling = true;
    let sampledAny = false;
    const sampleMs = o.sampleMs ?? 50;
    const sampler = (async () => {
      while (sampling) {
        try {
          const { rows } = await copy.query<{ at: number; schema: string; relation: string; mode: string }>(SAMPLE_SQL);
          if (rows.length > 0) sampledAny = true;
          for (const r of rows) samples.push({ at: r.at, relation: r.schema === 'public' ? quote(r.relation) : `${quote(r.schema)}.${quote(r.relation)}`, mode: r.mode });
        } catch {
          // The copy is being migrated; a failed sample is only a gap.
        }
        await new Promise((resolve) => setTimeout(resolve, sampleMs));
      }
    })();
    let result: CommandResult;
    try {
      result = await runCommand(o.command, { cwd: o.cwd, env, onLine: o.onLine, tailLines: 30, timeoutMs: o.timeoutMs, signal: o.signal });
    } finally {
      sampling = false;
      await sampler;
    }

    const rows = await copy
      .query<{ name: string; started: number; finished: number | null; ms: number | null; logs: string | null; rolled_back: boolean }>(
        `SELECT migration_name AS name, extract(epoch FROM started_at)::float8 AS started, extract(epoch FROM finished_at)::float8 AS finished,
                (extract(epoch FROM finished_at - started_at) * 1000)::float8 AS ms, left(logs, 4000) AS logs, rolled_back_at IS NOT NULL AS rolled_back
           FROM "_prisma_migrations" WHERE started_at >= $1::timestamptz ORDER BY started_at`,
        [since],
      )
      .then((r) => r.rows)
      .catch(() => []);
    const migrations = rows
      .filter((r) => !r.rolled_back)
      .map((r, i, all): RehearsedMigration => {
        const end = r.finished ?? all[i + 1]?.started;
        const locks = new Map<string, LockMode>();
        for (const s of samples) {
          if (s.at < r.started || (end !== undefined && end !== null && s.at > end) || !isLockMode(s.mode)) continue;
          const had = locks.get(s.relation);
          locks.set(s.relation, had ? stronger(had, s.mode) : s.mode);
        }
        const failed = r.finished === null;
        return {
          name: r.name,
          durationMs: r.ms ?? undefined,
          failed,
          sqlstate: failed ? /Database error code: (\w{5})/.exec(r.logs ?? '')?.[1] : undefined,
          error: failed ? /Database error:\s*\n(?:ERROR: )?([^\n]+)/.exec(r.logs ?? '')?.[1] : undefined,
          locks: [...locks.entries()].map(([relation, mode]) => ({ relation, mode })),
        };
      });
    return {
      command: { exitCode: result.exitCode, endedBy: result.endedBy, durationMs: result.durationMs, tail: result.tail },
      migrations,
      locksSampled: sampledAny,
      sampleMs,
      redirected: [...redirected].sort(),
    };
  } finally {
    await copy.close();
  }
}


/** `ACCESS EXCLUSIVE on "User"`, for the report. */
export const describeLock = (l: { relation: string; mode: LockMode }) => `${LOCK_NAMES[l.mode]} on ${l.relation}`;
