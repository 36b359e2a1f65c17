/**
 * The runbook's failure classes from Prisma's codes and from what a failed `prisma migrate deploy`
 * prints (the real PostgreSQL SQLSTATEs are checked on a server in __tests__/rules/gate/migrations.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyMigrationFailure, recoveryText, runbookClass, runbookSection, RUNBOOK_CLASSES } from '../../../src/analysis/migrations/runbook.js';
import { PRISMA_ERRORS } from '../../../src/analysis/migrations/prisma-errors.js';

test("every Prisma code the gate explains has the runbook's class, or none when it is no failed migration", () => {
  const classes = Object.fromEntries(Object.keys(PRISMA_ERRORS).map((code) => [code, runbookClass(code)?.id ?? '(none)']));
  assert.deepEqual(classes, {
    P1000: 'connectivity-permission',
    P1001: 'connectivity-permission',
    P1002: 'connectivity-permission',
    P1003: 'connectivity-permission',
    P1010: 'connectivity-permission',
    P1011: 'connectivity-permission',
    P1017: 'connectivity-permission',
    P3005: '(none)',
    P3006: 'sql-runtime',
    P3008: '(none)',
    P3009: 'sql-runtime',
    P3014: 'connectivity-permission',
    P3018: 'sql-runtime',
    P3019: 'sql-runtime',
  });
  for (const code of ['53100', 'XX000', '', 'P9999', 'not a code']) assert.equal(runbookClass(code), undefined, code);
});

test("the database's SQLSTATE that Prisma quotes decides over P3018/P3009, which only say a migration failed", () => {
  const p3018 = [
    'Error: P3018',
    '',
    'A migration failed to apply. New migrations cannot be applied before the error is recovered from.',
    '',
    'Migration name: 20240923091500_service_slug',
    '',
    'Database error code: 23502',
    '',
    'Database error:',
    'ERROR: column "slug" of relation "Service" contains null values',
  ].join('\n');
  assert.deepEqual(classifyMigrationFailure(p3018), { class: RUNBOOK_CLASSES['data-conflict'], code: '23502', source: 'database' });
  const rustDump = 'DbError { severity: "ERROR", parsed_severity: Some(Error), code: SqlState(E55P03), message: "canceling statement due to lock timeout" }';
  assert.equal(classifyMigrationFailure(`Error: P3018\n${rustDump}`)?.code, '55P03');
  assert.deepEqual(classifyMigrationFailure("Error: P1001: Can't reach database server at `db.acme-saas.com:5432`"), { class: RUNBOOK_CLASSES['connectivity-permission'], code: 'P1001', source: 'prisma' });
  assert.equal(classifyMigrationFailure('Error: P3005\n\nThe database schema is not empty.'), undefined);
  assert.equal(classifyMigrationFailure('npm error could not determine executable to run'), undefined);
});

test("the fix names the app's own runbook section when its runbook has one, and numbers the steps", () => {
  const app = '# Runbook\n\n## 4) Recovery procedure\n\n### A. Connectivity/permission issue\n\n1. Fix it.\n\n### B. Data conflict issue\n\n### C. Broken migration script\n';
  assert.equal(runbookSection(app, RUNBOOK_CLASSES['data-conflict']), 'B. Data conflict issue');
  assert.equal(runbookSection('# Runbook\n\n## Failures\n', RUNBOOK_CLASSES['sql-runtime']), 'C. Broken migration script');
  const text = recoveryText(RUNBOOK_CLASSES['connectivity-permission'], { runbook: 'docs/migration-operations-runbook.md', runbookText: app });
  assert.equal(
    text,
    'Runbook class: Connectivity/permission issue (docs/migration-operations-runbook.md, "A. Connectivity/permission issue"). 1. Fix connectivity, network or secret configuration: the host, port and credentials of DATABASE_URL in the deploy environment, the runner\'s network access (firewall, IP allow-list), the migration user\'s privileges. 2. Re-run `npx prisma migrate deploy`.',
  );
});
