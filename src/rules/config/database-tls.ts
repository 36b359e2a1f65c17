/**
 * config.database-tls: a live, read-only connection proves that TLS is negotiated, with which
 * protocol, and whether the server's certificate was verified.
 */
import { defineRule } from '../index.js';
import { notApplicable, variable } from '../app.js';
import { describeDbError, isUnreachable, parseDatabaseUrl, type ParsedDatabaseUrl } from '../../probes/db.js';
import { couldNotCheck } from '../../engine/unavailable.js';

export const databaseTls = defineRule({
  id: 'config.database-tls',
  async check({ settings, clients }) {
    const dbVar = variable(settings, 'databaseUrl') ?? { name: 'DATABASE_URL' };
    const provider = settings.app.prisma?.provider;
    if (provider && provider !== 'postgresql' && provider !== 'postgres') {
      return notApplicable('PostgreSQL database', `its Prisma datasource is ${provider}, and the gate's database checks are PostgreSQL's`);
    }
    const value = dbVar.value;
    if (!value) return { status: 'skip', summary: `${dbVar.name} is not set (see config.database-url)` };
    let p: ParsedDatabaseUrl;
    try {
      p = parseDatabaseUrl(value);
    } catch {
      return { status: 'fail', summary: `TLS cannot be checked: ${dbVar.name} does not parse (see config.database-url)`, fix: `Fix ${dbVar.name} (config.database-url says what is wrong).` };
    }
    const where = `${p.host}:${p.port}`;
    try {
      const db = await clients.db();
      const { rows } = await db.query<{ ssl: boolean; version: string | null; cipher: string | null }>(
        'SELECT ssl, version, cipher FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
      );
      const row = rows[0];
      const encrypted = row ? row.ssl : db.tls.encrypted;
      const protocol = row?.version ?? db.tls.protocol;
      const data = { encrypted, protocol, verified: db.tls.verified, sslmode: db.sslMode };
      if (!encrypted) {
        return {
          status: 'fail',
          summary: `the connection to ${where} is not encrypted (pg_stat_ssl.ssl = false)`,
          details: `sslmode=${db.sslMode}: the server accepted a clear-text connection.`,
          fix: `Turn TLS on at the database and add sslmode=verify-full to ${dbVar.name}.`,
          data,
        };
      }
      if (db.tls.verified) {
        return { status: 'pass', summary: `${protocol} to ${where}, server certificate verified (sslmode=${db.sslMode})`, data: { ...data, cipher: row?.cipher } };
      }
      const would = db.tls.wouldVerify
        ? 'it would pass verification: switch to sslmode=verify-full at no cost'
        : `it would not pass verification (${db.tls.verifyError ?? 'unknown reason'})`;
      return {
        status: 'pass',
        summary: `${protocol} to ${where}, server certificate not verified (sslmode=${db.sslMode}); ${would}`,
        data: { ...data, wouldVerify: db.tls.wouldVerify, cipher: row?.cipher },
      };
    } catch (error) {
      if (isUnreachable(error)) {
        return couldNotCheck(settings.unreachable, {
          component: 'database',
          what: 'TLS cannot be checked',
          cause: describeDbError(error, p),
          details: 'Private databases often accept connections only from the app network. Run the gate where the database is reachable (a self-hosted runner, or a `resolve` entry) to check TLS live.',
        });
      }
      const reason = describeDbError(error, p);
      if (/^TLS verification/.test(reason)) {
        // Say whether the server speaks TLS at all: encrypted-but-unverified is a different fix.
        const fallback = await clients
          .db({ sslMode: 'require' })
          .then((db) => `With sslmode=require the connection works (${db.tls.protocol}, encrypted, unverified).`)
          .catch((e: unknown) => `With sslmode=require it fails too: ${describeDbError(e, p)}.`);
        return {
          status: 'fail',
          summary: `sslmode=${p.sslMode} does not connect: ${reason}`,
          details: fallback,
          fix: "Give the database provider's CA certificate to the gate with ca-file (and to the app with sslrootcert), or, knowingly, use sslmode=require.",
        };
      }
      return { status: 'fail', summary: `cannot connect to ${where}: ${reason}`, fix: `Check the host, credentials and database name in ${dbVar.name}.` };
    }
  },
});
