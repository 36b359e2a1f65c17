/**
 * config.database-tls against real PostgreSQL servers: TLS with a trusted CA, with a CA the runner
 * does not trust, and without TLS. The URL names a production-looking host that `resolve` maps to
 * the local server, so verify-full checks the real host name.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectReadOnly } from '../../../src/probes/db.js';
import { databaseTls } from '../../../src/rules/config/database-tls.js';
import { createCA, issueCert } from '../../../sandbox/certs.js';
import { freePort } from '../../../sandbox/net.js';
import { startPostgres, type PostgresHandle } from '../../../sandbox/postgres.js';
import { goodEnv, runRule, settingsFor, tempRepo } from '../../helpers.js';

const HOST = 'db.acme-saas.com';
let tlsServer: PostgresHandle;
let plainServer: PostgresHandle;
const repo = tempRepo();
const caFile = join(repo.dir, 'ca.pem');

before(async () => {
  const ca = createCA('Acme Test Root CA');
  writeFileSync(caFile, ca.certPem);
  [tlsServer, plainServer] = await Promise.all([
    startPostgres({ tls: true, cert: issueCert(ca, { hosts: [HOST] }) }),
    startPostgres({ tls: false }),
  ]);
});

after(async () => {
  await Promise.all([tlsServer?.stop(), plainServer?.stop()]);
  repo.cleanup();
});

function urlFor(server: PostgresHandle, query: string, password = server.password): string {
  return `postgresql://${server.user}:${encodeURIComponent(password)}@${HOST}:${server.port}/${server.database}?${query}`;
}

async function check(server: PostgresHandle, query: string, options: { trustCa?: boolean; password?: string; port?: number } = {}) {
  const settings = await settingsFor(
    { ...goodEnv(), DATABASE_URL: urlFor(server, query, options.password) },
    {
      repo: repo.dir,
      inputs: {
        resolve: `${HOST}:${server.port}:127.0.0.1`,
        'timeout-seconds': '5',
        ...(options.trustCa === false ? {} : { 'ca-file': caFile }),
      },
    },
  );
  return runRule(databaseTls, settings);
}

test('passes with verify-full and a trusted CA, naming the protocol and "verified"', async () => {
  const r = await check(tlsServer, 'sslmode=verify-full&connection_limit=5&schema=public');
  assert.equal(r.status, 'pass', r.summary);
  assert.match(r.summary, /TLSv1\.[23] to db\.acme-saas\.com:\d+, server certificate verified \(sslmode=verify-full\)/);
  assert.equal(r.data?.encrypted, true);
});

test('sslmode=require connects to a server whose CA the runner does not trust, and says it is unverified', async () => {
  const r = await check(tlsServer, 'sslmode=require', { trustCa: false });
  assert.equal(r.status, 'pass', r.summary);
  assert.match(r.summary, /not verified \(sslmode=require\); it would not pass verification/);
});

test('sslmode=require with a trusted CA says verification would pass', async () => {
  const r = await check(tlsServer, 'sslmode=require');
  assert.match(r.summary, /it would pass verification: switch to sslmode=verify-full/);
});

test('verify-full against an untrusted CA fails, and says sslmode=require would connect', async () => {
  const r = await check(tlsServer, 'sslmode=verify-full', { trustCa: false });
  assert.equal(r.status, 'fail');
  assert.match(r.summary, /sslmode=verify-full does not connect: TLS verification of db\.acme-saas\.com:\d+ failed/);
  assert.match(r.details ?? '', /With sslmode=require the connection works \(TLSv1\.[23], encrypted, unverified\)/);
  assert.match(r.fix ?? '', /ca-file/);
});

test('a server without TLS fails: clear text under prefer, refused under require', async () => {
  const prefer = await check(plainServer, 'connect_timeout=5');
  assert.equal(prefer.status, 'fail');
  assert.match(prefer.summary, /not encrypted \(pg_stat_ssl\.ssl = false\)/);
  const required = await check(plainServer, 'sslmode=require');
  assert.equal(required.status, 'fail');
  assert.match(required.summary, /does not offer TLS/);
});

test('wrong credentials fail without printing the password; an unreachable database fails with the reason (warns with unreachable: warn)', async () => {
  const wrong = await check(tlsServer, 'sslmode=verify-full', { password: 'Wr0ngPassw0rdValue' });
  assert.equal(wrong.status, 'fail');
  assert.match(wrong.summary, /refused the credentials of user "postgres"/);
  assert.ok(!JSON.stringify(wrong).includes('Wr0ngPassw0rdValue'));

  const closed = await freePort();
  const settings = await settingsFor(
    { ...goodEnv(), DATABASE_URL: `postgresql://u:p@${HOST}:${closed}/app?sslmode=verify-full` },
    { repo: repo.dir, inputs: { resolve: `${HOST}:${closed}:127.0.0.1`, 'timeout-seconds': '3' } },
  );
  const unreachable = await runRule(databaseTls, settings);
  assert.equal(unreachable.status, 'fail');
  assert.match(unreachable.summary, /^unreachable: database — TLS cannot be checked: .*refused the connection \(ECONNREFUSED\)/);
  assert.equal(unreachable.unreachable?.component, 'database');
  assert.match(unreachable.unreachable?.cause ?? '', /refused the connection \(ECONNREFUSED\)/);
  const optedIn = await runRule(databaseTls, { ...settings, unreachable: 'warn' });
  assert.equal(optedIn.status, 'warn');
  assert.match(optedIn.details ?? '', /unreachable: warn/);
});

test('the session is read-only: a write is refused by the server', async () => {
  const db = await connectReadOnly(urlFor(tlsServer, 'sslmode=verify-full'), {
    ca: (await import('node:fs')).readFileSync(caFile, 'utf8'),
    resolve: [{ host: HOST, port: tlsServer.port, address: '127.0.0.1' }],
    timeoutMs: 5000,
  });
  try {
    await assert.rejects(db.query('CREATE TABLE gate_must_not_write (id int)'), /read-only transaction/);
  } finally {
    await db.close();
  }
});

test('the run shares one session: concurrent queries of several rules wait their turn on one backend, each tracked', async () => {
  const { createClients } = await import('../../../src/probes/clients.js');
  const { Activity, withActivity } = await import('../../../src/util/activity.js');
  const settings = await settingsFor(
    { ...goodEnv(), DATABASE_URL: urlFor(tlsServer, 'sslmode=verify-full') },
    { repo: repo.dir, inputs: { resolve: `${HOST}:${tlsServer.port}:127.0.0.1`, 'ca-file': caFile, 'timeout-seconds': '5' } },
  );
  const clients = createClients(settings);
  try {
    const activity = new Activity();
    const seen: string[] = [];
    const pids = await withActivity(activity, () =>
      Promise.all(
        Array.from({ length: 8 }, async (_, i) => {
          const db = await clients.db();
          const query = db.query<{ pid: number }>(`SELECT pg_backend_pid() AS pid, pg_sleep(0.01), ${i} AS n`);
          seen.push(...activity.inFlight().map((f) => `${f.component}: ${f.detail.split(',')[0]}`));
          return (await query).rows[0]!.pid;
        }),
      ),
    );
    assert.equal(new Set(pids).size, 1, 'one backend serves every query');
    assert.ok(seen.includes('database: query SELECT pg_backend_pid() AS pid'), seen.join('\n'));
    const other = await clients.db({ sslMode: 'require' });
    const { rows } = await other.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    assert.notEqual(rows[0]!.pid, pids[0], 'an sslmode override is a session of its own');
  } finally {
    await clients.close();
  }
});
