/**
 * The migration operations runbook's failure classes (docs/migration-operations-runbook.md, §3
 * "Failure classification" and §4 "Recovery procedure"), from an error code: a PostgreSQL SQLSTATE
 * (`23502`) or a Prisma error code (`P1001`). Each class carries the runbook's recovery steps, and
 * the runbook's verification list (§6) says what the gate's next run checks after the remediation.
 *
 * Used by gate.migrate (the output of a failed `prisma migrate deploy`), gate.migrations (the logs of
 * a failed row of `_prisma_migrations`) and the predictions of gate.migration-safety ("will fail with
 * SQLSTATE X": `runbookClass(code)`).
 *
 * SQLSTATE classes (PostgreSQL, Appendix A "PostgreSQL Error Codes"):
 * - 08 connection exception, 28 invalid authorization, 42501 insufficient_privilege, 3D000
 *   invalid_catalog_name (the database in DATABASE_URL does not exist), 53300 too_many_connections,
 *   57P01–57P03 (admin shutdown, crash shutdown, cannot connect now) → connectivity/permission;
 * - 23 integrity constraint violation (not null, unique, foreign key, check, exclusion) and 22 data
 *   exception (existing rows that do not convert to a new type, a value too long for it) → data conflict:
 *   the statement is right, the rows are not;
 * - 42 syntax error or access rule violation (but 42501), 55P03 lock_not_available (lock_timeout),
 *   57014 query_canceled (statement_timeout), 25 invalid transaction state (CONCURRENTLY inside the
 *   migration's transaction), 40 transaction rollback (deadlock), 55 object not in prerequisite state
 *   (a new enum value used in its own transaction), 0A feature not supported → SQL/runtime.
 * Other classes (53 resources, 58 system, XX internal) are no class of the runbook: unknown.
 *
 * Prisma's codes map the same way: P1xxx are connection and authentication errors (but P1012, a
 * schema that does not validate, is a broken migration setup); P3xxx are migration errors (P3000 and
 * P3014, a database Prisma may not create, are permission). P3005 (a database without migration
 * history) and P3008 (already applied) are no failure of a migration: no class.
 */

export type RunbookClassId = 'connectivity-permission' | 'data-conflict' | 'sql-runtime';

export interface RunbookClass {
  id: RunbookClassId;
  /** The runbook's name of the class (§3). */
  title: string;
  /** The runbook's recovery section for it (§4). */
  section: string;
  /** The recovery steps, in order (§4 of the runbook). */
  steps: readonly string[];
}

export const RUNBOOK_CLASSES: Readonly<Record<RunbookClassId, RunbookClass>> = {
  'connectivity-permission': {
    id: 'connectivity-permission',
    title: 'Connectivity/permission issue',
    section: 'A. Connectivity/permission issue',
    steps: [
      'Fix connectivity, network or secret configuration: the host, port and credentials of DATABASE_URL in the deploy environment, the runner\'s network access (firewall, IP allow-list), the migration user\'s privileges.',
      'Re-run `npx prisma migrate deploy`.',
    ],
  },
  'data-conflict': {
    id: 'data-conflict',
    title: 'Data constraint conflict',
    section: 'B. Data conflict issue',
    steps: [
      'Prepare a corrective SQL/data patch for the existing rows that violate the new constraint, index or type (back up the affected rows first).',
      'Apply the correction during a maintenance window if needed.',
      'Re-run `npx prisma migrate deploy`.',
    ],
  },
  'sql-runtime': {
    id: 'sql-runtime',
    title: 'SQL/runtime error in migration',
    section: 'C. Broken migration script',
    steps: [
      'Stop the rollout.',
      'Create a new forward migration that safely amends the issue (prefer roll-forward over a destructive rollback).',
      'Validate it on staging with a production-like data snapshot.',
      'Deploy again with `npx prisma migrate deploy`.',
    ],
  },
};

/** The runbook's verification checklist (§6), with what the gate's next run checks for each item. */
export const VERIFICATION: ReadonlyArray<{ item: string; checkedBy: string }> = [
  { item: '`npx prisma migrate status` shows no pending failed state', checkedBy: 'gate.migrations (no failed row, nothing pending after the migrate step)' },
  { item: 'Critical endpoints pass smoke tests', checkedBy: 'the smoke section (smoke.health, smoke.auth-pages, smoke.login-flow, …)' },
  { item: 'Error rate/latency normal in monitoring', checkedBy: 'not measured by the gate: look at your monitoring (security.monitoring checks that alert rules exist)' },
  { item: 'CI/CD pipeline is unblocked', checkedBy: 'gate.migrate (the migrate step exits 0)' },
];

const CONNECTIVITY_SQLSTATES = new Set(['42501', '3D000', '53300', '57P01', '57P02', '57P03']);
const SQL_RUNTIME_SQLSTATES = new Set(['55P03', '57014']);
const SQL_RUNTIME_CLASSES = new Set(['42', '25', '40', '55', '0A']);
const NO_CLASS_PRISMA = new Set(['P3005', 'P3008']);

/**
 * The runbook class of a PostgreSQL SQLSTATE (five characters) or a Prisma error code (`P1001`);
 * undefined when the code is no class of the runbook (or not a code at all).
 */
export function runbookClass(code: string): RunbookClass | undefined {
  const c = code.trim().toUpperCase();
  if (/^P\d{4}$/.test(c)) {
    if (NO_CLASS_PRISMA.has(c)) return undefined;
    if (c.startsWith('P1')) return RUNBOOK_CLASSES[c === 'P1012' ? 'sql-runtime' : 'connectivity-permission'];
    if (c.startsWith('P3')) return RUNBOOK_CLASSES[c === 'P3000' || c === 'P3014' ? 'connectivity-permission' : 'sql-runtime'];
    return undefined;
  }
  if (!/^[0-9A-Z]{5}$/.test(c)) return undefined;
  const cls = c.slice(0, 2);
  if (cls === '08' || cls === '28' || CONNECTIVITY_SQLSTATES.has(c)) return RUNBOOK_CLASSES['connectivity-permission'];
  if (cls === '23' || cls === '22') return RUNBOOK_CLASSES['data-conflict'];
  if (SQL_RUNTIME_CLASSES.has(cls) || SQL_RUNTIME_SQLSTATES.has(c)) return RUNBOOK_CLASSES['sql-runtime'];
  return undefined;
}

export interface ClassifiedFailure {
  class: RunbookClass;
  /** The code the class was read from: the database's SQLSTATE when Prisma printed one, else Prisma's code. */
  code: string;
  source: 'database' | 'prisma';
}

/**
 * The runbook class of a failed migration, from what Prisma printed (`prisma migrate deploy`'s
 * output) or recorded (`_prisma_migrations.logs`): the database's own error code decides when Prisma
 * quotes it (`Database error code: 23502`, `code: SqlState(E23502)`), since P3018 and P3009 only say
 * that *a* migration failed; else the first Prisma code that has a class.
 */
export function classifyMigrationFailure(text: string): ClassifiedFailure | undefined {
  const sqlstate = /Database error code: ([0-9A-Z]{5})\b/.exec(text)?.[1] ?? /\bSqlState\(E([0-9A-Z]{5})\)/.exec(text)?.[1] ?? /\bSQLSTATE[ :[]+([0-9A-Z]{5})\b/i.exec(text)?.[1];
  const fromDatabase = sqlstate ? runbookClass(sqlstate) : undefined;
  if (sqlstate && fromDatabase) return { class: fromDatabase, code: sqlstate, source: 'database' };
  for (const match of text.matchAll(/\b(P[13]\d{3})\b/g)) {
    const cls = runbookClass(match[1]!);
    if (cls) return { class: cls, code: match[1]!, source: 'prisma' };
  }
  return undefined;
}

/**
 * The name of the app's runbook section for a class, as the app's runbook writes it (a heading that
 * names the class), else the companion runbook's name.
 */
export function runbookSection(runbookText: string | undefined, cls: RunbookClass): string {
  const words: Record<RunbookClassId, RegExp> = {
    'connectivity-permission': /connectivity|permission/i,
    'data-conflict': /data (?:constraint )?conflict/i,
    'sql-runtime': /broken migration|sql\/runtime|sql or runtime/i,
  };
  for (const line of (runbookText ?? '').split('\n')) {
    const heading = /^#{2,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (heading && words[cls.id].test(heading[1]!)) return heading[1]!;
  }
  return cls.section;
}

/** The recovery steps as one paragraph, numbered, for a rule's fix. */
export function recoveryText(cls: RunbookClass, options: { runbook?: string; runbookText?: string; failedMigration?: string } = {}): string {
  const steps = [...cls.steps];
  if (options.failedMigration) {
    // Prisma keeps the failed row until it is resolved: no deploy runs before that (P3009).
    steps.splice(steps.length - 1, 0, `Mark the failed migration as rolled back (PostgreSQL rolled its transaction back): \`npx prisma migrate resolve --rolled-back ${options.failedMigration}\`.`);
  }
  const where = options.runbook ? ` (${options.runbook}, "${runbookSection(options.runbookText, cls)}")` : '';
  return `Runbook class: ${cls.title}${where}. ${steps.map((s, i) => `${i + 1}. ${s}`).join(' ')}`;
}

/** What the next run checks after the remediation: the runbook's verification list (§6). */
export function verificationText(): string {
  return ['After the remediation, the next run of the gate checks the runbook\'s verification list:', ...VERIFICATION.map((v) => `- ${v.item}: ${v.checkedBy}`)].join('\n');
}
