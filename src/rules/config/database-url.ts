/** config.database-url: the production database, over TLS, with connection settings. */
import { defineRule } from '../index.js';
import { notApplicable, variable } from '../app.js';
import { DatabaseUrlError, parseDatabaseUrl, type ParsedDatabaseUrl } from '../../probes/db.js';

const POOL_PARAMS = ['connect_timeout', 'connection_limit', 'pool_timeout', 'pgbouncer'];

/** The URL as it may be shown: password masked, Prisma and TLS parameters kept. */
export function describeDatabaseUrl(p: ParsedDatabaseUrl): string {
  const query = p.params.toString();
  return `postgresql://${p.user}${p.hasPassword ? ':***' : ''}@${p.host}:${p.port}/${p.database}${query ? `?${query.replace(/(sslpassword=)[^&]*/, '$1***')}` : ''}`;
}

export const databaseUrl = defineRule({
  id: 'config.database-url',
  async check({ settings }) {
    const db = variable(settings, 'databaseUrl') ?? { name: 'DATABASE_URL' };
    const provider = settings.app.prisma?.provider;
    if (provider && provider !== 'postgresql' && provider !== 'postgres') {
      return notApplicable('PostgreSQL database', `its Prisma datasource is ${provider}, and the gate's database checks are PostgreSQL's`);
    }
    const value = db.value;
    if (!value) return { status: 'fail', summary: `${db.name} is not set`, fix: `Set ${db.name} to the production PostgreSQL URL, with sslmode=verify-full.` };
    let p: ParsedDatabaseUrl;
    try {
      p = parseDatabaseUrl(value);
    } catch (error) {
      if (error instanceof DatabaseUrlError) return { status: 'fail', summary: error.message, fix: `Give ${db.name} as postgresql://user:password@host:5432/db?sslmode=verify-full.` };
      throw error;
    }
    const shown = describeDatabaseUrl(p);
    if (p.host === 'localhost' || p.host.endsWith('.localhost') || /^127\./.test(p.host) || p.host === '::1' || p.host === '0.0.0.0') {
      return { status: 'fail', summary: `${db.name} points at ${p.host}, this machine, not the production database`, details: shown, fix: 'Use the production database host.' };
    }
    if (!['require', 'verify-ca', 'verify-full'].includes(p.sslMode)) {
      return {
        status: 'fail',
        summary: p.sslModeGiven ? `${db.name} has sslmode=${p.sslMode}: TLS is not required` : `${db.name} does not request TLS (no sslmode)`,
        details: `${shown}\n\nWithout sslmode=require or stricter, the app may talk to the database in clear text.`,
        fix: `Add sslmode=verify-full (or at least sslmode=require) to ${db.name}.`,
      };
    }
    const warnings: string[] = [];
    if (p.sslMode === 'require') {
      warnings.push('sslmode=require encrypts but does not verify the server certificate (a man in the middle goes unnoticed); use verify-full with the provider CA (sslrootcert)');
    }
    if (!POOL_PARAMS.some((k) => p.params.has(k))) {
      warnings.push(`no connection setting (${POOL_PARAMS.join(', ')}): a stalled database hangs requests and serverless instances exhaust connections`);
    }
    const data = { host: p.host, port: p.port, sslmode: p.sslMode };
    if (warnings.length > 0) {
      return { status: 'warn', summary: `${db.name} uses TLS (sslmode=${p.sslMode}) but ${warnings.length === 1 ? warnings[0]!.split(/[;(:]/)[0]!.trim() : 'has 2 weaknesses'}`, details: `${shown}\n\n- ${warnings.join('\n- ')}`, fix: 'Use sslmode=verify-full and add connect_timeout (and connection_limit for serverless).', data };
    }
    return { status: 'pass', summary: `${db.name} is ${p.host}:${p.port} with sslmode=${p.sslMode}`, details: shown, data };
  },
});
