/**
 * What the Prisma CLI reads before it talks to the database: `.env` files, the schema's datasource,
 * the connection URL with Prisma's own parameter semantics, and (sandbox only) `.sandbox.json`.
 *
 * Prisma 6's PostgreSQL driver (quaint on tokio-postgres + native-tls) does not follow libpq:
 * - `sslmode`: `disable`, `prefer` (default) or `require`; any other value (`verify-full`,
 *   `verify-ca`, `allow`) is treated as `prefer`: TLS when the server offers it, else plaintext.
 * - `sslaccept`: `accept_invalid_certs` (default: the certificate and host name are not checked) or
 *   `strict` (verified against the system store plus `sslcert`, resolved from the schema's folder).
 * - `connect_timeout` in seconds (default 5, 0 = none); `schema` (default `public`).
 * So `?sslmode=verify-full` alone encrypts without verifying the server, exactly like real Prisma.
 *
 * The sandbox has no DNS for `db.acme-saas.com`: it writes `.sandbox.json` at the repository root
 * (excluded from git), `{ hosts: { name: address }, modules: { pg, typescript } }`, which plays
 * the role of /etc/hosts for this CLI and points at the sandbox's own `pg` module.
 */
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { pathToFileURL } from 'node:url';
import { PrismaError } from './migrate.js';

export const VERSION = '6.16.2';

/** `.sandbox.json` from `dir` or a parent directory, or {}. */
export function sandboxRuntime(dir) {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const file = path.join(d, '.sandbox.json');
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
    if (d === path.dirname(d)) return {};
  }
}

/** A module by bare name: from `.sandbox.json`'s `modules`, else through normal resolution. */
export async function loadModule(runtime, name) {
  const file = runtime.modules?.[name];
  const mod = await import(file ? pathToFileURL(file).href : name);
  return mod.default ?? mod;
}

/** dotenv lines into process.env, never overriding a variable already set (Prisma's rule). */
export function loadEnvFile(file) {
  if (!existsSync(file)) return false;
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m || m[1] in process.env) continue;
    let value = m[2];
    const quoted = /^(['"`])([\s\S]*)\1$/.exec(value);
    if (quoted) value = quoted[1] === '"' ? quoted[2].replace(/\\n/g, '\n') : quoted[2];
    else value = value.replace(/\s+#.*$/, '');
    process.env[m[1]] = value;
  }
  return true;
}

/** The schema file (`--schema`, package.json `prisma.schema`, or prisma/schema.prisma) and its datasource. */
export function loadSchema(cwd, schemaArg) {
  let rel = schemaArg;
  if (!rel && existsSync(path.join(cwd, 'package.json'))) {
    rel = JSON.parse(readFileSync(path.join(cwd, 'package.json'), 'utf8')).prisma?.schema;
  }
  rel ??= existsSync(path.join(cwd, 'prisma/schema.prisma')) ? 'prisma/schema.prisma' : 'schema.prisma';
  const file = path.resolve(cwd, rel);
  if (!existsSync(file)) {
    throw new Error(
      'Could not find Prisma Schema that is required for this command.\nYou can either provide it with `--schema` argument, set it as `prisma.schema` in your package.json or put it into the default location.\nChecked following paths:\n\nschema.prisma: file not found\nprisma/schema.prisma: file not found',
    );
  }
  const text = readFileSync(file, 'utf8');
  const block = /^datasource\s+(\w+)\s*\{([\s\S]*?)^\}/m.exec(text);
  if (!block) throw new Error(`Prisma schema validation: no datasource block in ${path.relative(cwd, file)}`);
  const attr = (key) => {
    const m = new RegExp(`^\\s*${key}\\s*=\\s*(?:env\\(\\s*"([^"]+)"\\s*\\)|"([^"]*)")`, 'm').exec(block[2]);
    if (!m) return undefined;
    const line = text.slice(0, block.index + block[0].indexOf(m[0].trimStart())).split('\n').length;
    return { env: m[1], value: m[2], line };
  };
  return {
    file,
    relative: path.relative(cwd, file) || file,
    dir: path.dirname(file),
    name: block[1],
    provider: attr('provider')?.value,
    url: attr('url'),
    // Migrate connects with directUrl when the schema has one.
    directUrl: attr('directUrl'),
    lines: text.split('\n'),
  };
}

/** The datasource URL, or Prisma's P1012 validation error when its variable is not set. */
export function datasourceUrl(schema) {
  const source = schema.directUrl ?? schema.url;
  if (!source) throw new Error(`Prisma schema validation: the datasource "${schema.name}" has no url`);
  if (source.value !== undefined) return source.value;
  const value = process.env[source.env];
  if (value) return value;
  const frame = [source.line - 1, source.line]
    .filter((n) => n >= 1)
    .map((n) => `${String(n).padStart(2)} | ${schema.lines[n - 1]}`)
    .join('\n');
  throw new Error(
    `Prisma schema validation - (get-config wasm)\nError code: P1012\nerror: Environment variable not found: ${source.env}.\n` +
      `  -->  ${schema.relative}:${source.line}\n   | \n${frame}\n   | \n\nValidation Error Count: 1\n[Context: getConfig]\n\nPrisma CLI Version : ${VERSION}`,
  );
}

/** Prisma's reading of a PostgreSQL URL (see the header). */
export function parseUrl(urlString, schemaDir) {
  let url;
  try {
    url = new URL(urlString);
  } catch {
    url = undefined;
  }
  if (!url || !['postgresql:', 'postgres:'].includes(url.protocol)) {
    throw new PrismaError(
      'P1013',
      'The provided database string is invalid. The scheme is not recognized in database URL. Please refer to the documentation in https://pris.ly/d/config-url for constructing a correct connection string. In some cases, certain characters must be escaped. Please check the string for any illegal characters.',
      true,
    );
  }
  const q = url.searchParams;
  const seconds = (name, fallback) => {
    const v = q.get(name);
    if (v === null) return fallback;
    if (!/^\d+$/.test(v)) throw new PrismaError('P1013', `The provided database string is invalid. Invalid \`${name}\` value in database URL.`, true);
    return Number(v) === 0 ? undefined : Number(v);
  };
  const sslcert = q.get('sslcert');
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost',
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: decodeURIComponent(url.pathname.slice(1)) || 'postgres',
    schema: q.get('schema') ?? 'public',
    sslmode: ['disable', 'prefer', 'require'].includes(q.get('sslmode')) ? q.get('sslmode') : 'prefer',
    strict: q.has('sslaccept') ? q.get('sslaccept') !== 'accept_invalid_certs' : false,
    sslcert: sslcert ? path.resolve(schemaDir, sslcert) : undefined,
    connectTimeout: seconds('connect_timeout', 5),
    applicationName: q.get('application_name') ?? undefined,
  };
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET']);

/** A connected pg client, or the PrismaError the real CLI would print. */
export async function connect(pg, db, runtime) {
  const address = runtime.hosts?.[db.host] ?? db.host;
  const at = `${db.host}:${db.port}`;
  const attempt = async (useTls) => {
    let ssl = false;
    if (useTls) {
      ssl = { rejectUnauthorized: db.strict, servername: net.isIP(db.host) ? undefined : db.host };
      if (db.strict && db.sslcert) {
        let pem;
        try {
          pem = readFileSync(db.sslcert, 'utf8');
        } catch (error) {
          throw new PrismaError('P1011', `Error opening a TLS connection: cert file not found (${error.message})`, true);
        }
        ssl.ca = [...tls.rootCertificates, pem];
      }
    }
    const client = new pg.Client({
      host: address,
      port: db.port,
      user: db.user,
      password: db.password,
      database: db.database,
      ssl,
      connectionTimeoutMillis: db.connectTimeout ? db.connectTimeout * 1000 : 0,
      application_name: db.applicationName,
    });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  };
  let client;
  try {
    try {
      client = await attempt(db.sslmode !== 'disable');
    } catch (error) {
      if (db.sslmode === 'prefer' && /does not support SSL/.test(error?.message ?? '')) client = await attempt(false);
      else throw error;
    }
  } catch (error) {
    throw connectionError(error, db, at);
  }
  if (db.schema !== 'public') await client.query(`SET search_path TO "${db.schema.replace(/"/g, '""')}"`);
  return client;
}

function connectionError(error, db, at) {
  if (error instanceof PrismaError) return error;
  const code = error?.code;
  const message = error?.message ?? String(error);
  if (UNREACHABLE.has(code) || /timeout|Connection terminated unexpectedly/i.test(message)) {
    return new PrismaError('P1001', `Can't reach database server at \`${at}\`\n\nPlease make sure your database server is running at \`${at}\`.`, true);
  }
  if (code === '28P01') {
    return new PrismaError(
      'P1000',
      `Authentication failed against database server at \`${db.host}\`, the provided database credentials for \`${db.user}\` are not valid.\n\nPlease make sure to provide valid database credentials for the database server at \`${db.host}\`.`,
      true,
    );
  }
  if (code === '3D000') return new PrismaError('P1003', `Database \`${db.database}\` does not exist on the database server at \`${at}\`.`, true);
  if (code === '28000') return new PrismaError('P1010', `User \`${db.user}\` was denied access on the database \`${db.database}\``, true);
  if (/does not support SSL/.test(message)) return new PrismaError('P1011', 'Error opening a TLS connection: server does not support TLS', true);
  if (typeof code === 'string' && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO/.test(code)) {
    return new PrismaError('P1011', `Error opening a TLS connection: ${message}`, true);
  }
  return new Error(`Schema engine error:\n${message}`);
}
