/**
 * Literal Report models for the reporter tests. `rule()` fills what a test does not care about;
 * `report()` derives counts and the verdict the way the engine does, so fixtures cannot contradict
 * themselves.
 */
import type { Report, RuleReport, Section } from '../../src/engine/types.js';
import { Redactor } from '../../src/redact.js';

export function rule(id: string, overrides: Partial<RuleReport> = {}): RuleReport {
  const section = id.split('.')[0] as Section;
  return {
    id,
    section,
    title: `Title of ${id}`,
    status: 'pass',
    summary: `${id} looks fine`,
    durationMs: 5,
    waived: false,
    locations: [],
    findings: [],
    ...overrides,
  };
}

export function report(rules: RuleReport[], overrides: Partial<Report> = {}): Report {
  const failOn = overrides.failOn ?? 'fail';
  const count = (status: RuleReport['status']) => rules.filter((r) => r.status === status).length;
  const blocks = rules.some(
    (r) => !r.waived && (r.status === 'fail' || (failOn === 'warn' && r.status === 'warn')),
  );
  return {
    schemaVersion: 1,
    tool: { name: 'production-readiness-gate', version: '1.0.0' },
    target: { appUrl: 'https://app.acme.com' },
    startedAt: '2026-11-27T10:00:00.000Z',
    durationMs: 4210,
    ready: !blocks,
    failOn,
    counts: { pass: count('pass'), warn: count('warn'), fail: count('fail'), skip: count('skip') },
    rules,
    ...overrides,
  };
}

/** A secret with characters that every escaping scheme changes (`|`, `%`, `,`, `:`, `<`). */
export const SECRET = 'sk_live_S3cr3t|va%l,ue:x<y>Z9';
/** Its most distinctive fragment: must not appear even partly escaped. */
export const SECRET_FRAGMENT = 'S3cr3t';
export const redactor = new Redactor([SECRET]);
export const noSecrets = new Redactor([]);

/** A report with the secret planted in every text field a rule can fill. */
export function reportWithSecret(): Report {
  return report([
    rule('config.stripe-secret-key', {
      status: 'fail',
      summary: `STRIPE_SECRET_KEY is ${SECRET}`,
      details: `seen: ${SECRET}\nurl-encoded: ${encodeURIComponent(SECRET)}`,
      fix: `replace ${SECRET}`,
      findings: [
        { level: 'error', message: `literal ${SECRET}`, file: '.env.production', line: 3 },
        { level: 'error', message: `also ${SECRET}` },
      ],
      data: { key: SECRET },
    }),
    rule('config.enable-coep', {
      status: 'warn',
      summary: `no findings, value ${SECRET}`,
      waived: true,
      waiver: { reason: `because ${SECRET}`, expired: false },
    }),
    rule('security.committed-secrets', {
      status: 'warn',
      summary: `found ${SECRET}`,
      findings: [{ level: 'warning', message: `in file ${SECRET}`, file: `src/${SECRET}.ts`, line: 1 }],
    }),
  ]);
}

/** The catalog-shaped report most tests use: one rule per status, in catalog order. */
export function mixedReport(): Report {
  return report([
    rule('config.app-url', { status: 'pass', summary: 'APP_URL is https://app.acme.com' }),
    rule('config.nextauth-secret', {
      status: 'fail',
      summary: 'NEXTAUTH_SECRET is 12 characters',
      details: 'A short secret can be brute-forced.',
      fix: 'Generate one with `openssl rand -base64 32`.',
      docs: 'docs/deployment-guide.md',
    }),
    rule('config.enable-coep', {
      status: 'warn',
      summary: 'ENABLE_COEP is not true',
      waived: true,
      waiver: { reason: 'third-party embeds', until: '2027-03-01', expired: false },
    }),
    rule('gate.no-db-push', {
      status: 'fail',
      summary: 'prisma db push runs in the deploy workflow',
      details: 'The deploy job runs `prisma db push`.',
      fix: 'Use `prisma migrate deploy`.',
      docs: 'docs/migration-operations-runbook.md',
      locations: [{ file: '.github/workflows/deploy.yml', line: 31 }],
      findings: [{ level: 'error', message: 'prisma db push in step "deploy"', file: '.github/workflows/deploy.yml', line: 31 }],
    }),
    rule('gate.migration-safety', {
      status: 'warn',
      summary: '1 locking statement in pending migrations',
      findings: [
        { level: 'warning', message: 'CREATE INDEX without CONCURRENTLY', file: 'prisma/migrations/2_idx/migration.sql', line: 4 },
      ],
    }),
    rule('smoke.health', { status: 'skip', summary: 'APP_URL is not reachable from the runner' }),
  ]);
}
