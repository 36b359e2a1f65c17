/** Turns the rules' results into the one report model every reporter reads. */
import { posix } from 'node:path';
import type { BaselineReport, Counts, Finding, FindingStatus, Report, RuleReport, Selection } from './types.js';

export interface ReportInput {
  rules: RuleReport[];
  startedAt: Date;
  durationMs: number;
  appUrl?: string;
  failOn: 'fail' | 'warn';
  version: string;
  /** What `checks` selected; every reporter says when a run covered only part of the catalog. */
  selection?: Selection;
  /** The comparison with a base, when the run was asked for one (src/baseline.ts). */
  baseline?: BaselineReport;
}

export function buildReport(input: ReportInput): Report {
  const counts: Counts = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const rule of input.rules) counts[rule.status]++;
  return {
    schemaVersion: 1,
    tool: { name: 'production-readiness-gate', version: input.version },
    target: input.appUrl ? { appUrl: input.appUrl } : {},
    startedAt: input.startedAt.toISOString(),
    durationMs: Math.round(input.durationMs),
    ready: isReady(input.rules, input.failOn),
    failOn: input.failOn,
    counts,
    rules: input.rules,
    selection: input.selection ?? { checks: [], notRun: [] },
    ...(input.baseline ? { baseline: { ...input.baseline, readyAll: !input.rules.some((r) => blocksAll(r, input.failOn)) } } : {}),
  };
}

/** Ready when no rule blocks: a `fail` (or, with fail-on warn, a `warn`) that is not waived. */
export function isReady(rules: readonly RuleReport[], failOn: 'fail' | 'warn'): boolean {
  return !rules.some((r) => blocks(r, failOn));
}

/**
 * Whether a rule stops the release. In a run that compared with a base, a compared rule blocks only
 * with a finding the change introduced (`new` or `updated`) at a blocking level, and a listed one
 * (environment rules on a pull request) never does.
 */
export function blocks(rule: RuleReport, failOn: 'fail' | 'warn'): boolean {
  if (!blocksAll(rule, failOn)) return false;
  const comparison = rule.comparison;
  if (!comparison || comparison.verdict === 'full') return true;
  if (comparison.verdict === 'listed') return false;
  const threshold = failOn === 'warn' ? LOUDNESS.warning : LOUDNESS.error;
  const ruleLoudness = rule.status === 'fail' ? LOUDNESS.error : LOUDNESS.warning;
  const introduced = (status: FindingStatus | undefined) => status === 'new' || status === 'updated';
  return (
    rule.findings.some((f) => introduced(f.status) && Math.min(LOUDNESS[f.level], ruleLoudness) >= threshold) ||
    (introduced(comparison.ruleStatus) && ruleLoudness >= threshold)
  );
}

/** Whether a rule blocks when every finding is judged (no comparison): `ready-all`. */
export function blocksAll(rule: RuleReport, failOn: 'fail' | 'warn'): boolean {
  if (rule.waived) return false;
  return rule.status === 'fail' || (failOn === 'warn' && rule.status === 'warn');
}

const LOUDNESS: Record<Finding['level'], number> = { notice: 0, warning: 1, error: 2 };

/**
 * Rules name files relative to `working-directory`; GitHub wants them relative to the repository
 * root. `prefix` is the working directory as seen from the workspace (`apps/web`), or '' for none.
 */
export function rebaseReport(report: Report, prefix: string): Report {
  const clean = prefix.replace(/\\/g, '/').replace(/^\.\/?|\/+$/g, '');
  if (!clean || clean.startsWith('..')) return report;
  // posix.normalize: a rule may name a file above the working directory (`../../.github/…`).
  const join = (file: string) => posix.normalize(`${clean}/${file}`);
  return {
    ...report,
    rules: report.rules.map((r) => ({
      ...r,
      locations: r.locations.map((l) => ({ ...l, file: join(l.file) })),
      findings: r.findings.map((f) => (f.file ? { ...f, file: join(f.file) } : f)),
      ...(r.comparison ? { comparison: { ...r.comparison, fixed: r.comparison.fixed.map((f) => (f.file ? { ...f, file: join(f.file) } : f)) } } : {}),
      docs: r.docs ? join(r.docs) : r.docs,
    })),
  };
}
