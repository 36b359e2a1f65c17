/**
 * The gate's §2 commands in the fixture repository, offline: `npm ci` links the vendored prisma and
 * next, `npx prisma migrate deploy` migrates the sandbox database with Prisma's semantics, and
 * `npm run build-ci` type-checks and builds. Run as the gate runs them: a shell in repoDir with the
 * process environment and the sandbox's variables.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { startSandbox, type Sandbox } from '../../sandbox/index.js';
import { SERVICE_SLUG } from '../../sandbox/scenario-migrations.js';

const exec = promisify(execFile);
/** The installed CLI, for the commands the gate does not run itself (npx adds half a second a call). */
const PRISMA = 'node_modules/.bin/prisma';

interface Run {
  code: number;
  /** stdout then stderr. */
  output: string;
  ms: number;
}

async function sh(sb: Sandbox, command: string, env: Record<string, string> = {}): Promise<Run> {
  const started = Date.now();
  try {
    const r = await exec('/bin/sh', ['-c', command], { cwd: sb.repoDir, env: { ...process.env, ...sb.env, ...env }, timeout: 60_000 });
    return { code: 0, output: r.stdout + r.stderr, ms: Date.now() - started };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}`, ms: Date.now() - started };
  }
}

async function query<T extends Record<string, unknown>>(sb: Sandbox, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = await sb.postgres.adminClient(sb.database.database);
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** DATABASE_URL with changes to its parts or query parameters (null removes one). */
function databaseUrl(sb: Sandbox, change: { port?: number; database?: string; params?: Record<string, string | null> }): string {
  const url = new URL(sb.env.DATABASE_URL!);
  if (change.port) url.port = String(change.port);
  if (change.database) url.pathname = `/${change.database}`;
  for (const [k, v] of Object.entries(change.params ?? {})) {
    if (v === null) url.searchParams.delete(k);
    else url.searchParams.set(k, v);
  }
  return url.toString();
}

const status = async (sb: Sandbox) => (await exec('git', ['status', '--porcelain'], { cwd: sb.repoDir })).stdout;

describe('good scenario: npm ci, prisma migrate deploy and npm run build-ci succeed offline', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ scenario: 'good', quiet: true });
  });
  after(() => sb?.stop());

  test('the repository depends on the vendored CLIs, with the lockfile npm itself writes', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(sb.repoDir, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
      dependencies: Record<string, string>;
      devDependencies?: unknown;
    };
    // next-auth is a stand-in holding only the version the sandbox app emulates (4.24.13, the real app's).
    assert.deepEqual(pkg.dependencies, { 'caniuse-lite': 'file:vendor/caniuse-lite', next: 'file:vendor/next', 'next-auth': 'file:vendor/next-auth', prisma: 'file:vendor/prisma' });
    assert.equal(pkg.devDependencies, undefined, 'nothing comes from a registry');
    assert.equal(pkg.scripts['build-ci'], 'next build');
    assert.equal(pkg.scripts['setup:db'], 'npx prisma db push', "the app's dev-only script is still there");
    assert.equal(pkg.scripts['stripe:cleanup'], 'node --env-file .env scripts/stripe-cleanup.js', "the playbook's Stripe reset is there too");
    const lock = await sh(sb, 'npm install --package-lock-only --offline --ignore-scripts --no-audit --no-fund');
    assert.equal(lock.code, 0, lock.output);
    assert.equal(await status(sb), '', 'npm rewrites package-lock.json identically');
    const tracked = (await exec('git', ['ls-files', '-s', 'vendor'], { cwd: sb.repoDir })).stdout;
    assert.match(tracked, /^100755 \S+ 0\tvendor\/prisma\/build\/index\.js$/m);
    assert.match(tracked, /^100755 \S+ 0\tvendor\/next\/dist\/bin\/next$/m);
    const runtime = JSON.parse(fs.readFileSync(path.join(sb.repoDir, '.sandbox.json'), 'utf8')) as { hosts: Record<string, string> };
    assert.equal(runtime.hosts['db.acme-saas.com'], sb.address);
    assert.equal((await exec('git', ['check-ignore', '.sandbox.json'], { cwd: sb.repoDir })).stdout.trim(), '.sandbox.json');
  });

  test('npm ci links prisma and next without the network', async () => {
    // A registry that cannot answer: any request would fail the install.
    const r = await sh(sb, 'npm ci', { npm_config_registry: 'http://127.0.0.1:9/' });
    assert.equal(r.code, 0, r.output);
    for (const bin of ['prisma', 'next']) assert.ok(fs.existsSync(path.join(sb.repoDir, 'node_modules/.bin', bin)), bin);
    const installed = JSON.parse(fs.readFileSync(path.join(sb.repoDir, 'node_modules/next-auth/package.json'), 'utf8')) as { version: string };
    assert.equal(installed.version, sb.app!.config.auth.version, 'the app runs the next-auth the release installs');
  });

  test('npx prisma migrate deploy finds the release applied', async () => {
    const r = await sh(sb, 'npx prisma migrate deploy');
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /^Datasource "db": PostgreSQL database "acme_production", schema "public" at "db\.acme-saas\.com:\d+"$/m);
    assert.match(r.output, /^4 migrations found in prisma\/migrations$/m);
    assert.match(r.output, /No pending migrations to apply\./);
    assert.ok(!r.output.includes(sb.database.password), 'the password is never printed');
  });

  test('npm run build-ci type-checks the pages, lists the routes and writes .next/BUILD_ID', async () => {
    const r = await sh(sb, 'npm run build-ci');
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /▲ Next\.js 15\.5\.3/);
    assert.match(r.output, /✓ Linting and checking validity of types/);
    assert.match(r.output, /ƒ \/pricing/);
    assert.doesNotMatch(r.output, /Browserslist:/, "the stand-in caniuse-lite's data is 12 days old: no warning");
    assert.match(fs.readFileSync(path.join(sb.repoDir, '.next/BUILD_ID'), 'utf8'), /^[\w-]{21}$/);
    assert.equal(await status(sb), '', 'install, migrate and build leave the tree clean');
  });

  test('prisma generate succeeds; prisma db push is refused', async () => {
    const generate = await sh(sb, `${PRISMA} generate`);
    assert.equal(generate.code, 0, generate.output);
    assert.match(generate.output, /Generated Prisma Client \(v6\.16\.2\)/);
    const push = await sh(sb, `${PRISMA} db push --accept-data-loss`);
    assert.equal(push.code, 1);
    assert.match(push.output, /not available/);
  });

  test("Prisma's URL semantics: verify-full is not libpq's, sslaccept=strict verifies against sslcert", async () => {
    const strict = await sh(sb, `${PRISMA} migrate deploy`, { DATABASE_URL: databaseUrl(sb, { params: { sslmode: 'require', sslaccept: 'strict' } }) });
    assert.equal(strict.code, 1, strict.output);
    assert.match(strict.output, /Error: P1011: Error opening a TLS connection: .*(self.signed|local issuer|unable to verify)/i);
    const trusted = await sh(sb, `${PRISMA} migrate deploy`, {
      DATABASE_URL: databaseUrl(sb, { params: { sslmode: 'require', sslaccept: 'strict', sslcert: sb.caFile } }),
    });
    assert.equal(trusted.code, 0, trusted.output);
  });

  test('P1001 when the server cannot be reached, P3005 on a non-empty schema without history', async () => {
    const closed = await sh(sb, `${PRISMA} migrate deploy`, { DATABASE_URL: databaseUrl(sb, { port: 1, params: { connect_timeout: '2' } }) });
    assert.equal(closed.code, 1);
    assert.match(closed.output, /Error: P1001: Can't reach database server at `db\.acme-saas\.com:1`/);

    const admin = await sb.postgres.adminClient();
    await admin.query(`CREATE DATABASE legacy OWNER ${admin.escapeIdentifier(sb.database.role)}`).finally(() => admin.end());
    const legacy = await sb.postgres.adminClient('legacy');
    await legacy.query(`SET ROLE ${legacy.escapeIdentifier(sb.database.role)}; CREATE TABLE "User" ("id" TEXT PRIMARY KEY)`).finally(() => legacy.end());
    const baseline = await sh(sb, `${PRISMA} migrate deploy`, { DATABASE_URL: databaseUrl(sb, { database: 'legacy' }) });
    assert.equal(baseline.code, 1);
    assert.match(baseline.output, /Error: P3005\n\nThe database schema is not empty\./);
  });
});

describe('failed-migration scenario: P3009, then the runbook: resolve --rolled-back, deploy again, P3018', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ scenario: 'failed-migration', quiet: true });
    const install = await sh(sb, 'npm ci');
    assert.equal(install.code, 0, install.output);
  });
  after(() => sb?.stop());

  const rows = () =>
    query<{ finished_at: Date | null; rolled_back_at: Date | null; logs: string | null; applied_steps_count: number }>(
      sb,
      'SELECT "finished_at", "rolled_back_at", "logs", "applied_steps_count" FROM "_prisma_migrations" WHERE "migration_name" = $1 ORDER BY "started_at"',
      [SERVICE_SLUG.name],
    );

  test('the failed row is recorded the way Prisma records it', async () => {
    const [row, ...more] = await rows();
    assert.equal(more.length, 0);
    assert.equal(row!.finished_at, null);
    assert.equal(row!.rolled_back_at, null);
    assert.equal(row!.applied_steps_count, 0);
    assert.match(row!.logs!, /Database error code: 23502/);
    assert.match(row!.logs!, /column "slug" of relation "Service" contains null values/);
    assert.ok(fs.existsSync(path.join(sb.repoDir, 'prisma/migrations', SERVICE_SLUG.name, 'migration.sql')));
  });

  test('migrate deploy stops with P3009 naming the failed migration', async () => {
    const r = await sh(sb, 'npx prisma migrate deploy');
    assert.equal(r.code, 1, r.output);
    assert.match(r.output, /Error: P3009\n\nmigrate found failed migrations in the target database/);
    assert.match(r.output, new RegExp(`The \`${SERVICE_SLUG.name}\` migration started at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6} UTC failed with the following logs:`));
    const st = await sh(sb, `${PRISMA} migrate status`);
    assert.equal(st.code, 1);
    assert.match(st.output, new RegExp(`Following migration has failed:\\n${SERVICE_SLUG.name}`));
  });

  test('after resolve --rolled-back, the same migration fails again: P3018 and a new failed row', async () => {
    const resolve = await sh(sb, `${PRISMA} migrate resolve --rolled-back ${SERVICE_SLUG.name}`);
    assert.equal(resolve.code, 0, resolve.output);
    assert.match(resolve.output, new RegExp(`Migration ${SERVICE_SLUG.name} marked as rolled back\\.`));
    const again = await sh(sb, `${PRISMA} migrate resolve --rolled-back ${SERVICE_SLUG.name}`);
    assert.equal(again.code, 1);
    assert.match(again.output, /Error: P3012/);

    const r = await sh(sb, 'npx prisma migrate deploy');
    assert.equal(r.code, 1, r.output);
    assert.match(r.output, new RegExp(`Applying migration \`${SERVICE_SLUG.name}\``));
    assert.match(r.output, /Error: P3018\n\nA migration failed to apply\./);
    assert.match(r.output, /Database error code: 23502\n\nDatabase error:\nERROR: column "slug" of relation "Service" contains null values/);
    const [first, second] = await rows();
    assert.ok(first!.rolled_back_at instanceof Date);
    assert.equal(second!.finished_at, null);
    assert.equal(second!.rolled_back_at, null);
    assert.match(second!.logs!, /23502/);
    const slug = await query(sb, `SELECT 1 FROM information_schema.columns WHERE table_name = 'Service' AND column_name = 'slug'`);
    assert.equal(slug.length, 0, 'the failed migration left nothing behind (one implicit transaction)');
  });

  test('resolve --applied records a migration fixed by hand; deploy then passes', async () => {
    const r = await sh(sb, `${PRISMA} migrate resolve --applied ${SERVICE_SLUG.name}`);
    assert.equal(r.code, 0, r.output);
    const deploy = await sh(sb, 'npx prisma migrate deploy');
    assert.equal(deploy.code, 0, deploy.output);
    assert.match(deploy.output, /No pending migrations to apply\./);
    const applied = await query<{ checksum: string }>(sb, 'SELECT "checksum" FROM "_prisma_migrations" WHERE "migration_name" = $1 AND "finished_at" IS NOT NULL', [SERVICE_SLUG.name]);
    assert.deepEqual(applied.map((a) => a.checksum), [createHash('sha256').update(SERVICE_SLUG.sql).digest('hex')]);
  });
});

describe('build-fails scenario', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ scenario: 'build-fails', quiet: true });
  });
  after(() => sb?.stop());

  test('npm run build-ci fails on the type error, printed like Next does', async () => {
    const install = await sh(sb, 'npm ci');
    assert.equal(install.code, 0, install.output);
    const r = await sh(sb, 'npm run build-ci');
    assert.notEqual(r.code, 0);
    assert.match(r.output, /Failed to compile\./);
    assert.match(r.output, /\.\/pages\/pricing\.tsx:\d+:\d+\nType error: Property 'interval' does not exist on type/);
    assert.match(r.output, /Next\.js build worker exited with code: 1/);
    assert.ok(!fs.existsSync(path.join(sb.repoDir, '.next/BUILD_ID')));
  });
});
