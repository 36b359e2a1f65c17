/**
 * The rehearsal (./rehearse.ts) in words, next to the prediction (./predict.ts): what failed on the
 * copy, and per migration its duration, the locks it held and the two verdicts side by side.
 */
import type { Outcome, Prediction } from './predict.js';
import { formatMs } from './predict.js';
import { describeLock, type Rehearsal } from './rehearse.js';
import { sqlstate } from './verdict.js';

export interface RehearsalProblem {
  /** For the summary line. */
  summary: string;
  message: string;
  file?: string;
}

/** What makes the rehearsal fail the rule: a refused or failed rehearsal (an unreachable copy is the policy's). */
export function rehearsalProblems(r: Rehearsal): RehearsalProblem[] {
  if ('refused' in r) return [{ summary: `not rehearsed: ${r.refused}`, message: `rehearsal-database-url: not rehearsed: ${r.refused}.` }];
  if ('unreachable' in r || 'skipped' in r) return [];
  const failed = r.migrations.find((m) => m.failed);
  if (failed) {
    const code = failed.sqlstate ? ` with ${sqlstate(failed.sqlstate)}` : '';
    return [
      {
        summary: `${failed.name} failed${code} on the copy`,
        message: `Rehearsal on rehearsal-database-url: ${failed.name} failed${code}${failed.error ? ` (${failed.error})` : ''} after ${formatMs(failed.durationMs ?? 0)}: \`migrate deploy\` would fail the same way on production if its data is the copy's.`,
      },
    ];
  }
  if (r.command.exitCode !== 0) {
    const why = r.command.endedBy ?? `exited with code ${r.command.exitCode}`;
    return [{ summary: `the migrate command ${why} on the copy`, message: `Rehearsal on rehearsal-database-url: the migrate command ${why}. Last lines:\n${r.command.tail.slice(-5).join('\n')}` }];
  }
  return [];
}

const OUTCOME: Record<Outcome, string> = { fail: 'will fail', wait: 'will wait', unknown: 'unknown', pass: 'passes' };

/** The rehearsal's part of the details: a table of migrations with duration, locks, result and prediction. */
export function rehearsalDetails(r: Rehearsal, prediction: Prediction): string {
  if ('refused' in r) return `**Rehearsal**: not run: ${r.refused}.`;
  if ('skipped' in r) return `**Rehearsal**: not run: ${r.skipped}.`;
  if ('unreachable' in r) return `**Rehearsal**: not run: ${r.unreachable}.`;
  const lines = [
    `**Rehearsal** of the migrate command on rehearsal-database-url: ${r.command.exitCode === 0 ? 'succeeded' : r.command.endedBy ?? `exited with code ${r.command.exitCode}`} in ${formatMs(r.command.durationMs)}` +
      `${r.redirected.length ? ` (${r.redirected.join(', ')} pointed at the copy)` : ''}. Locks are sampled from pg_locks every ${r.sampleMs} ms${r.locksSampled ? '' : ' (none was seen: the migrate session holds no advisory lock to tell it apart, or its locks were shorter than that)'}.`,
  ];
  if (r.migrations.length === 0) return `${lines[0]} It applied no migration.`;
  lines.push('', '| migration | duration | locks held (sampled) | rehearsal | prediction |', '|---|---|---|---|---|');
  for (const m of r.migrations) {
    const predicted = prediction.statements.filter((s) => s.migration === m.name);
    const worst = (['fail', 'wait', 'unknown', 'pass'] as Outcome[]).find((o) => predicted.some((s) => s.outcome === o)) ?? 'pass';
    const result = m.failed ? `**failed**${m.sqlstate ? ` (${m.sqlstate})` : ''}` : 'applied';
    lines.push(`| ${m.name} | ${m.durationMs === undefined ? '—' : formatMs(m.durationMs)} | ${m.locks.map(describeLock).join(', ') || '—'} | ${result} | ${OUTCOME[worst]} |`);
  }
  return lines.join('\n');
}
