/**
 * One list of findings from the two engines of gate.migration-safety: the lint's graded findings
 * (./lint.ts, ./grade.ts: what a statement is and how large the table it touches) and the
 * prediction (./predict.ts: what it will do on production's data, locks and privileges now).
 *
 * - A prediction joins the lint finding of its statement (same file and line): a failure or a wait
 *   makes it fail, an unknown makes it at least a warning, and its sentence is added to the message.
 * - A `rows` finding (ADD COLUMN … NOT NULL without a default) takes its severity from the
 *   prediction's EXISTS query, never from the statistics: a table the statistics count rows in but
 *   that has none passes, and one they count none in but that has rows fails.
 * - A statement the lint did not flag gets a finding of its own when the prediction says it will
 *   fail (`[will-fail]`), wait (`[will-wait]`) or cannot be settled (`[unknown]`).
 */
import type { GradedFinding, Severity } from './grade.js';
import type { Outcome, Prediction, StatementPrediction } from './predict.js';
import { describeHolder, formatMs, PRISMA_LOCK_WAIT_MS } from './predict.js';
import { RISKS } from './risks.js';
import { runbookClass } from './runbook.js';

/** The tag of a finding the prediction alone raised. */
export type PredictionTag = 'will-fail' | 'will-wait' | 'unknown';

export interface Finding {
  severity: Severity;
  file: string;
  line: number;
  what: string;
  /** `[create-index]` or `[will-fail]`: the check's name, last in the message. */
  tag: string;
  message: string;
  /** A short reason for the summary line (failures). */
  reason?: string;
  /** The prediction of this finding's statement, if any. */
  prediction?: StatementPrediction;
}

/** SQLSTATE names (PostgreSQL's errcodes.txt) of the errors the prediction names. */
const SQLSTATE_NAMES: Record<string, string> = {
  '0A000': 'feature_not_supported',
  '22001': 'string_data_right_truncation',
  '22003': 'numeric_value_out_of_range',
  '22007': 'invalid_datetime_format',
  '22008': 'datetime_field_overflow',
  '22012': 'division_by_zero',
  '22P02': 'invalid_text_representation',
  '23502': 'not_null_violation',
  '23503': 'foreign_key_violation',
  '23505': 'unique_violation',
  '23514': 'check_violation',
  '23P01': 'exclusion_violation',
  '42501': 'insufficient_privilege',
  '42710': 'duplicate_object',
  '42804': 'datatype_mismatch',
  '55P03': 'lock_not_available',
};

export const sqlstate = (code: string) => `${code}${SQLSTATE_NAMES[code] ? ` ${SQLSTATE_NAMES[code]}` : ''}`;

const RANK: Record<Severity, number> = { fail: 0, warn: 1, note: 2 };
const OUTCOME_SEVERITY: Record<Outcome, Severity | undefined> = { fail: 'fail', wait: 'fail', unknown: 'warn', pass: undefined };

/** One line of a lint finding: what, the risk, what the data says, the prediction, the lock, the safe way, the check's name. */
export function findingMessage(f: Pick<GradedFinding, 'kind' | 'what' | 'message' | 'extra' | 'grade'>, predicted?: string): string {
  const risk = RISKS[f.kind];
  if (f.kind === 'syntax-error') return `${f.what}: ${f.message}. ${risk.effect}. Fix: ${risk.recipe}. [${f.kind}]`;
  const parts = [`${f.what}: ${risk.effect}.`, f.extra, f.grade, predicted, `Lock: ${risk.lock}.`, `Safer: ${risk.recipe}.`].filter(Boolean);
  return `${parts.join(' ')} [${f.kind}]`;
}

/** The prediction of one statement as a sentence (`Prediction: will fail with 23505 unique_violation …`). */
export function predictionSentence(p: StatementPrediction, asOf?: string): string {
  const rows = p.rows ? ` (${p.rows.atLeast ? 'at least ' : ''}${p.rows.count.toLocaleString('en-US')} row${p.rows.count === 1 ? '' : 's'})` : '';
  const list = p.query ? ` List them yourself (read-only): \`${p.query}\`` : '';
  switch (p.outcome) {
    case 'fail': {
      // The migration runbook's class of that failure (docs/migration-operations-runbook.md §3), so the
      // recovery is the one it would need: fix access, patch the rows, or a new forward migration.
      const cls = p.sqlstate ? runbookClass(p.sqlstate) : undefined;
      const runbook = cls ? ` Runbook: ${cls.title.toLowerCase()} (${cls.section}).` : '';
      return `Prediction: will fail with ${sqlstate(p.sqlstate ?? '')}${rows}: ${p.reason}${asOf ? ` (as of ${asOf})` : ''}.${runbook}${list}`;
    }
    case 'wait':
      return `Prediction: will wait: ${p.reason}.${list}`;
    case 'unknown':
      return `Prediction: unknown, and not shown safe: ${p.reason}.`;
    case 'pass':
      return `Prediction: ${p.reason}.`;
  }
}

/** Lint findings and predictions, merged (see the module comment). */
export function mergeFindings(graded: readonly GradedFinding[], prediction: Prediction | undefined): Finding[] {
  const byLine = new Map<string, StatementPrediction[]>();
  for (const p of prediction?.statements ?? []) {
    const key = `${p.file}\0${p.line}`;
    byLine.set(key, [...(byLine.get(key) ?? []), p]);
  }
  const used = new Set<StatementPrediction>();
  const findings: Finding[] = [];
  for (const g of graded) {
    const candidates = (byLine.get(`${g.file}\0${g.line}`) ?? []).filter((p) => !used.has(p));
    // The statement the finding is about: the one with a verdict first.
    const p = candidates.find((x) => x.outcome !== 'pass' && !x.missing) ?? candidates[0];
    let severity = g.severity;
    let grade = g.grade;
    let reason = g.reason;
    let predicted: string | undefined;
    if (p && !used.has(p)) {
      used.add(p);
      const rowsDecided = RISKS[g.kind].grading === 'rows' && (p.outcome === 'pass' || (p.outcome === 'fail' && p.sqlstate === '23502'));
      if (rowsDecided) {
        // The EXISTS query, not the statistics, says whether the table has rows.
        severity = p.outcome === 'fail' ? 'fail' : 'note';
        // The statistics' estimate is kept as context: how many rows, roughly (never the proof).
        const estimate = g.fromStatistics ? /has (about [\d,]+ rows?(?: \([^)]*\))?)/.exec(g.grade)?.[1] : undefined;
        const table = p.reason.replace(/ has rows.*$/, '');
        grade =
          p.outcome === 'fail'
            ? `Will fail (${sqlstate('23502')}): ${table} has rows: an EXISTS query found one${prediction?.asOf ? ` as of ${prediction.asOf}` : ''}${estimate ? ` (the statistics estimate ${estimate})` : ''}.`
            : `Passes: ${p.reason.replace(/^passes as of \S+: /, '')} (as of ${prediction?.asOf ?? 'now'})${g.fromStatistics && g.severity === 'fail' ? ', although the statistics still count rows' : ''}.`;
        reason = p.outcome === 'fail' ? `will fail: ${table} has rows${estimate ? ` (${estimate.replace(/ \(.*$/, '')} by the statistics)` : ''}` : undefined;
      } else if (p.outcome !== 'pass' && !p.missing) {
        const s = OUTCOME_SEVERITY[p.outcome]!;
        if (RANK[s] < RANK[severity]) severity = s;
        if (g.fromStatistics && p.outcome === 'unknown' && RISKS[g.kind].grading === 'rows') {
          // Without the EXISTS answer the severity stays the statistics' one, said as what it is: an estimate.
          grade = `${g.grade.replace(/^Will fail: /, 'Likely to fail, by the statistics (not proven): ')}`;
          reason = g.reason?.replace(/^will fail: /, 'likely to fail: ');
        }
        predicted = predictionSentence(p, prediction?.asOf);
        if (p.outcome !== 'unknown') reason = outcomeReason(p);
      } else if (p.outcome === 'pass' && (p.checked.length > 0 || p.reason.includes('created by the pending set'))) {
        predicted = predictionSentence(p);
      }
    } else if (g.fromStatistics && prediction && RISKS[g.kind].grading === 'rows') {
      grade = `${g.grade.replace(/^Will fail: /, 'Likely to fail, by the statistics (not proven): ')}`;
      reason = g.reason?.replace(/^will fail: /, 'likely to fail: ');
    }
    findings.push({
      severity,
      file: g.file,
      line: g.line,
      what: g.what,
      tag: g.kind,
      message: findingMessage({ ...g, grade }, predicted),
      reason,
      prediction: p,
    });
  }
  for (const p of prediction?.statements ?? []) {
    if (used.has(p) || p.outcome === 'pass' || p.missing) continue;
    if (findings.some((f) => f.file === p.file && f.line === p.line)) continue;
    const tag: PredictionTag = p.outcome === 'fail' ? 'will-fail' : p.outcome === 'wait' ? 'will-wait' : 'unknown';
    findings.push({
      severity: OUTCOME_SEVERITY[p.outcome]!,
      file: p.file,
      line: p.line,
      what: p.what,
      tag,
      message: `${p.what}: ${predictionSentence(p, prediction?.asOf).replace(/^Prediction: /, '')} [${tag}]`,
      reason: p.outcome === 'unknown' ? undefined : outcomeReason(p),
      prediction: p,
    });
  }
  if (prediction?.advisory && !prediction.advisory.disabled && prediction.statements[0]) {
    const first = prediction.statements[0];
    const holders = prediction.advisory.holders.filter((h) => h.granted);
    if (holders.length > 0) {
      findings.push({
        severity: 'fail',
        file: first.file,
        line: 1,
        what: '`prisma migrate deploy`',
        tag: 'will-wait',
        message:
          `\`prisma migrate deploy\`: will wait: another session holds Prisma's advisory lock (pg_advisory_lock(72707369)): ${holders.map(describeHolder).join('; ')}. ` +
          `Prisma waits ${formatMs(PRISMA_LOCK_WAIT_MS)} for it, then fails with P1002 ("Timed out trying to acquire a postgres advisory lock") and applies nothing. ` +
          'Another deploy is running (or a session kept the lock): wait for it to finish, or end that session. [will-wait]',
        reason: `another session holds Prisma's advisory lock: migrate deploy waits ${formatMs(PRISMA_LOCK_WAIT_MS)}, then fails with P1002`,
      });
    }
  }
  return findings;
}

/** What to do first about the predicted failures and waits among `findings`, one sentence each. */
export function predictionFixes(findings: readonly Finding[]): string[] {
  const predicted = findings.map((f) => f.prediction).filter((p): p is StatementPrediction => p !== undefined && (p.outcome === 'fail' || p.outcome === 'wait'));
  const fixes: string[] = [];
  const data = predicted.filter((p) => p.outcome === 'fail' && p.sqlstate && /^2[23]/.test(p.sqlstate));
  if (data.length > 0) fixes.push('Fix the rows first (the details give a read-only query that lists them for each statement), or change the migration so it accepts them: the migration would fail, and Prisma then records it as failed and blocks every deploy with P3009.');
  if (predicted.some((p) => p.sqlstate === '42501' || p.sqlstate === '0A000' || p.sqlstate === '42710')) fixes.push('Give the role of DATABASE_URL the privilege the statement needs (or make it the owner), or have the provider install the extension, before deploying.');
  if (predicted.some((p) => p.outcome === 'wait' || p.sqlstate === '55P03')) {
    fixes.push('A session holds a lock the migration needs: deploy when it has finished (or end it), and put `SET lock_timeout = \'5s\';` at the top of the migration so a wait fails fast instead of queueing every query of the app behind it.');
  }
  if (findings.some((f) => f.tag === 'will-wait' && !f.prediction)) fixes.push("Another deploy holds Prisma's advisory lock: let it finish, then deploy.");
  return fixes;
}

function outcomeReason(p: StatementPrediction): string {
  if (p.outcome === 'wait') return `will wait: ${p.reason.split(';')[0]}`;
  return `will fail with ${p.sqlstate}: ${p.reason.split(';')[0]}`;
}

/** The prediction's part of the details: counts, the table of outcomes, Prisma's warnings, timeouts and advice. */
export function predictionDetails(prediction: Prediction, limit = 60): string {
  const lines: string[] = [];
  const c = prediction.counts;
  if (prediction.error) return `**Prediction**: not made: ${prediction.error}. Every statement is unknown, and none is shown safe.`;
  const session = prediction.session;
  if (!session) return '**Prediction**: nothing to predict (no statement PostgreSQL would accept).';
  lines.push(
    `**Prediction** on production as of ${prediction.asOf} (database "${session.database}", role "${session.user}"${session.superuser ? ', a superuser' : ''}): ` +
      `${c.fail} will fail, ${c.wait} will wait, ${c.unknown} unknown, ${c.pass} pass. ` +
      `${prediction.queries} read-only ${prediction.queries === 1 ? 'query' : 'queries'} in ${formatMs(prediction.elapsedMs)} (budget ${formatMs(prediction.budgetMs)}${prediction.cutOff ? ', reached: what it cut off is unknown' : ''}).`,
  );
  const shown = prediction.statements.filter((s) => s.outcome !== 'pass' || s.checked.length > 0);
  if (shown.length > 0) {
    lines.push('', '| statement | outcome | why |', '|---|---|---|');
    for (const s of shown.slice(0, limit)) {
      const outcome = s.outcome === 'fail' ? `**will fail** (${s.sqlstate})` : s.outcome === 'wait' ? '**will wait**' : s.outcome === 'unknown' ? 'unknown' : 'passes';
      lines.push(`| \`${s.file}:${s.line}\` ${cell(s.what)} | ${outcome} | ${cell(s.outcome === 'pass' ? s.checked.join('; ') : s.reason)} |`);
    }
    if (shown.length > limit) lines.push(`| … | | ${shown.length - limit} more in the JSON report |`);
  }
  if (prediction.prismaWarnings.length > 0) {
    lines.push('', "**Prisma's warnings**, checked against the data:");
    for (const w of prediction.prismaWarnings) {
      const verdict = w.outcomes.length === 0 ? 'not matched to a statement of the file' : w.outcomes.map(describeOutcome).join(', ');
      lines.push(`- \`${w.file}:${w.line}\` «${w.text}» → ${verdict}`);
    }
  }
  const timeouts = session.timeouts.map((t) => `${t.name} = ${formatMs(t.ms)} (${t.source})`);
  lines.push('', `**Timeouts** of \`migrate deploy\`'s session: ${timeouts.length ? timeouts.join(', ') : 'no lock_timeout or statement_timeout is set for the role or the database'}.`);
  for (const a of prediction.advice) lines.push(`- ${a.text}`);
  const hidden = prediction.statements.some((s) => s.waits?.holders.some((h) => h.state === undefined)) || prediction.advisory?.holders.some((h) => h.state === undefined);
  if (!session.seesOtherSessions && hidden) lines.push('', `Role "${session.user}" cannot see other roles' sessions in full (grant it pg_read_all_stats): a lock holder's state and age are hidden.`);
  return lines.join('\n');
}

function describeOutcome(o: Outcome): string {
  return o === 'fail' ? '**will fail**' : o === 'wait' ? '**will wait**' : o === 'unknown' ? 'unknown' : 'passes on this data';
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
