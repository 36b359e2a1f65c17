/**
 * Read-only PostgreSQL access with libpq's meaning of `sslmode`, whatever `pg` does by default.
 *
 * `pg` 8 treats `sslmode=require` in a connection string as verify-full, which refuses the managed
 * databases whose CA is not in Node's store, and Prisma-only parameters confuse it. So the URL is
 * parsed here, the parameters that are not libpq's are dropped, and the TLS options are built
 * explicitly: `require` encrypts without verifying, `verify-ca` checks the chain, `verify-full` the
 * chain and the host name. Every session is read-only with a short statement timeout.
 *
 * The run shares one session: a `pg.Pool` of one connection, which queues the queries of rules that
 * run concurrently (a single `pg.Client` must not be given a second query while one runs; pg 9 refuses
 * it). The connection is kept for the whole run (no idle timeout), so what `tls` says of it holds for
 * every query. Each query is tracked as database work of the rule that asked (src/util/activity.ts).
 */
import { readFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import type { Pool, PoolClient, PoolConfig, QueryResult, QueryResultRow } from 'pg';
import type { ResolveEntry } from '../settings.js';
import { track } from '../util/activity.js';
import { describeCause, networkCause } from './network-errors.js';

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

export interface ParsedDatabaseUrl {
  host: string;
  port: number;
  database: string;
  user: string;
  /** Present, but never printed. */
  hasPassword: boolean;
  /** The effective sslmode (`ssl=true` means require; none means libpq's default, prefer). */
  sslMode: SslMode;
  sslModeGiven: boolean;
  params: URLSearchParams;
  /** Parameters that only Prisma understands, removed before connecting. */
  prismaParams: string[];
}

/** Query parameters Prisma's engines read and libpq/pg do not. */
const PRISMA_ONLY_PARAMS = [
  'schema',
  'connection_limit',
  'pool_timeout',
  'pgbouncer',
  'sslaccept',
  'sslidentity',
  'sslpassword',
  'socket_timeout',
  'statement_cache_size',
  'single_use_connections',
];

export class DatabaseUrlError extends Error {}

/** Parses a Postgres URL without ever putting the password in an error message. */
export function parseDatabaseUrl(value: string): ParsedDatabaseUrl {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new DatabaseUrlError('DATABASE_URL is not a URL (expected postgresql://user:password@host:5432/db?sslmode=verify-full)');
  }
  if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:') {
    throw new DatabaseUrlError(`DATABASE_URL has scheme "${url.protocol}"; expected postgresql:// (Prisma's PostgreSQL provider)`);
  }
  if (!url.hostname) throw new DatabaseUrlError('DATABASE_URL has no host name');
  // A `%` not followed by two hex digits cannot be decoded (decodeURIComponent throws URIError).
  const user = decodePart(url.username, 'user name');
  decodePart(url.password, 'password');
  const database = decodePart(url.pathname.replace(/^\//, ''), 'database name');
  const params = url.searchParams;
  const given = params.get('sslmode')?.toLowerCase();
  const sslTrue = params.get('ssl') === 'true' || params.get('ssl') === '1';
  const modes: SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];
  if (given && !modes.includes(given as SslMode)) {
    throw new DatabaseUrlError(`DATABASE_URL has sslmode=${given}; expected one of ${modes.join(', ')}`);
  }
  return {
    host: url.hostname.replace(/^\[|\]$/g, '').toLowerCase(),
    port: url.port ? Number(url.port) : 5432,
    database: database || 'postgres',
    user,
    hasPassword: url.password !== '',
    sslMode: (given as SslMode | undefined) ?? (sslTrue ? 'require' : 'prefer'),
    sslModeGiven: given !== undefined || sslTrue,
    params,
    prismaParams: [...params.keys()].filter((k) => PRISMA_ONLY_PARAMS.includes(k)),
  };
}

/** A percent-decoded part of the URL, or the error that names the part (never its value: it may be the password). */
function decodePart(value: string, part: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new DatabaseUrlError(`DATABASE_URL's ${part} has a malformed percent-encoding (a % not followed by two hex digits); percent-encode it (encodeURIComponent)`);
  }
}

export interface ConnectOptions {
  /** Extra CA certificates (the `ca-file` input). */
  ca?: string;
  resolve?: ResolveEntry[];
  timeoutMs: number;
  /** Override the URL's sslmode (used to probe without TLS). */
  sslMode?: SslMode;
}

export interface TlsInfo {
  encrypted: boolean;
  /** The certificate chain and (for verify-full) host name were checked and the connection went on. */
  verified: boolean;
  /** With an unverified connection: would the certificate have passed verification? */
  wouldVerify?: boolean;
  verifyError?: string;
  protocol?: string;
}

/** The bounds of one explicit read-only transaction (`ReadOnlyDb.readOnly`). */
export interface TransactionBounds {
  /** `SET LOCAL statement_timeout`: every query of the transaction is cancelled past it (57014). */
  statementTimeoutMs: number;
  /** `SET LOCAL lock_timeout`: a lock this session waits for longer fails (55P03) instead of queueing. */
  lockTimeoutMs: number;
  /** What the transaction does, for the activity log ("predict …"). */
  label?: string;
}

/** The queries of one transaction: only `query`, on the connection the transaction holds. */
export interface TransactionQueries {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

export interface ReadOnlyDb {
  /** One query on the run's read-only session; concurrent calls wait their turn. */
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
  /**
   * `fn` inside `BEGIN READ ONLY` with `SET LOCAL statement_timeout` and `lock_timeout`, on the run's
   * one connection, held for the transaction (the other rules' queries wait their turn, so none of
   * them runs inside it), then `COMMIT` (`ROLLBACK` when `fn` throws). Nothing stays open: the
   * connection is idle again when the promise settles, or is closed when it is broken.
   */
  readOnly<T>(fn: (tx: TransactionQueries) => Promise<T>, bounds: TransactionBounds): Promise<T>;
  tls: TlsInfo;
  sslMode: SslMode;
  close(): Promise<void>;
}

/** Connects read-only. Throws pg/Node errors as they are; `describeDbError` turns them into text. */
export async function connectReadOnly(url: string, options: ConnectOptions): Promise<ReadOnlyDb> {
  const parsed = parseDatabaseUrl(url);
  const mode = options.sslMode ?? parsed.sslMode;
  if (mode === 'prefer' || mode === 'allow') {
    // libpq tries TLS first and falls back to plain; so do we.
    try {
      return await connectWith(url, parsed, 'require', options, mode);
    } catch (error) {
      if (!/does not support SSL/i.test(String((error as Error).message))) throw error;
      return connectWith(url, parsed, 'disable', options, mode);
    }
  }
  return connectWith(url, parsed, mode, options, mode);
}

async function connectWith(
  url: string,
  parsed: ParsedDatabaseUrl,
  mode: SslMode,
  options: ConnectOptions,
  reportedMode: SslMode,
): Promise<ReadOnlyDb> {
  const { Pool } = (await import('pg')).default;
  const target = new URL(url);
  const override = options.resolve?.find((r) => r.host === parsed.host && r.port === parsed.port);
  const ca = [options.ca, readRootCert(parsed.params.get('sslrootcert'))].filter(Boolean).join('\n') || undefined;
  // Fields, not `connectionString`: pg lets the string's host and ssl settings override these.
  const config: PoolConfig = {
    host: override?.address ?? parsed.host,
    port: parsed.port,
    user: parsed.user,
    password: decodeURIComponent(target.password),
    database: parsed.database,
    connectionTimeoutMillis: options.timeoutMs,
    statement_timeout: Math.min(options.timeoutMs, 10_000),
    query_timeout: options.timeoutMs,
    application_name: 'production-readiness-gate',
    options: '-c default_transaction_read_only=on',
    // One session for the run, kept open: the pool queues the queries of concurrent rules.
    max: 1,
    idleTimeoutMillis: 0,
  };
  if (mode === 'disable') {
    config.ssl = false;
  } else {
    const verify = mode === 'verify-ca' || mode === 'verify-full';
    config.ssl = {
      // Node's store plus the extra CAs: `ca` alone would replace the store.
      ca: ca ? [...(await import('node:tls')).rootCertificates, ca] : undefined,
      servername: isIp(parsed.host) ? undefined : parsed.host,
      rejectUnauthorized: verify,
      // verify-ca checks the chain only; verify-full (Node's default) the host name as well.
      ...(mode === 'verify-full' ? {} : { checkServerIdentity: () => undefined }),
    };
  }
  const pool = new Pool(config);
  // A connection-level error after connect (server gone) must not crash the process.
  pool.on('error', () => undefined);
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  const socket = (client as unknown as { connection: { stream: TLSSocket } }).connection.stream;
  const encrypted = typeof socket.getProtocol === 'function' && socket.encrypted === true;
  const tls: TlsInfo = { encrypted, verified: encrypted && (mode === 'verify-ca' || mode === 'verify-full') };
  if (encrypted) {
    tls.protocol = socket.getProtocol() ?? undefined;
    if (!tls.verified) {
      tls.wouldVerify = socket.authorized;
      tls.verifyError = socket.authorizationError ? String(socket.authorizationError) : undefined;
    }
  }
  client.release();
  return {
    query: <R extends QueryResultRow>(text: string, values?: unknown[]) =>
      track('database', `query ${text.replace(/\s+/g, ' ').slice(0, 60)}`, pool.query<R>(text, values)),
    readOnly: (fn, bounds) => track('database', bounds.label ?? 'read-only transaction', readOnlyTransaction(pool, fn, bounds)),
    tls,
    sslMode: reportedMode,
    close: () => endPool(pool),
  };
}

/** Whole milliseconds for `SET LOCAL … = <n>` (at least 1: 0 would mean "no limit"). */
const ms = (n: number) => String(Math.max(1, Math.floor(n)));

async function readOnlyTransaction<T>(pool: Pool, fn: (tx: TransactionQueries) => Promise<T>, bounds: TransactionBounds): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    // One simple query: the bounds are in force before the first statement of `fn` runs.
    await client.query(`BEGIN READ ONLY; SET LOCAL statement_timeout = ${ms(bounds.statementTimeoutMs)}; SET LOCAL lock_timeout = ${ms(bounds.lockTimeoutMs)}`);
    let result: T;
    try {
      result = await fn({ query: <R extends QueryResultRow>(text: string, values?: unknown[]) => client.query<R>(text, values) });
    } catch (error) {
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw error;
    }
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // A connection that failed at the protocol level (no SQLSTATE) is not given back to the pool.
    if (!(error as { code?: string }).code || !/^[0-9A-Z]{5}$/.test(String((error as { code?: string }).code))) broken ??= error as Error;
    throw error;
  } finally {
    client.release(broken);
  }
}

function endPool(pool: Pool): Promise<void> {
  return pool.end().catch(() => undefined);
}

function readRootCert(path: string | null): string | undefined {
  if (!path || path === 'system') return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function isIp(host: string): boolean {
  return /^[0-9.]+$/.test(host) || host.includes(':');
}

const NETWORK_CODES = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET'];

/** True when the error means "could not reach the server" (as opposed to a refusal by it). */
export function isUnreachable(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException)?.code;
  const message = String((error as Error)?.message ?? '');
  return (code !== undefined && NETWORK_CODES.includes(code)) || /timeout expired|Connection terminated due to connection timeout/i.test(message);
}

/** One sentence about a database error, naming host and port, never the password. */
export function describeDbError(error: unknown, parsed: Pick<ParsedDatabaseUrl, 'host' | 'port' | 'user' | 'database'>): string {
  const err = error as NodeJS.ErrnoException & { code?: string };
  const where = `${parsed.host}:${parsed.port}`;
  const code = err?.code;
  const message = String(err?.message ?? error);
  if (code === '28P01' || code === '28000') return `${where} refused the credentials of user "${parsed.user}" (${code})`;
  if (code === '3D000') return `database "${parsed.database}" does not exist on ${where}`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `the host name ${parsed.host} does not resolve from the runner (${code})`;
  if (code === 'ECONNREFUSED') return `${where} refused the connection (ECONNREFUSED)`;
  if (isUnreachable(error)) return `no answer from ${where} within the time bound (${code ?? 'timeout'})`;
  if (/does not support SSL/i.test(message)) return `${where} does not offer TLS (the server has ssl=off)`;
  const cause = networkCause(error);
  if (cause.kind === 'certificate') return `TLS verification of ${where} failed: ${cause.text} (${cause.code})`;
  if (cause.kind !== 'unknown') return `${where}: ${describeCause(error)}`;
  // A SQLSTATE (five characters) means the server answered: its own message says what it refused.
  if (code && /^[0-9A-Z]{5}$/.test(code)) {
    const said = message.replace(/postgres(ql)?:\/\/[^\s]+/g, 'postgresql://…');
    return `${where} answered: ${said} (${code})`;
  }
  if (/terminated|closed|ended/i.test(message)) return `${where} closed the connection before it was ready`;
  return `${where}: the connection failed${code ? ` (${code})` : ''}`;
}
