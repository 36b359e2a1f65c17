/** Turns the rules' results into the one report model every reporter reads. */
import { posix } from 'node:path';
import type { Counts, Report, RuleReport, Selection } from './types.js';

export interface ReportInput {
  rules: RuleReport[];
  startedAt: Date;
  durationMs: number;
  appUrl?: string;
  failOn: 'fail' | 'warn';
  version: string;
  /** What `checks` selected; every reporter says when a run covered only part of the catalog. */
  selection?: Selection;
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
  };
}

/** Ready when no rule blocks: a `fail` (or, with fail-on warn, a `warn`) that is not waived. */
export function isReady(rules: readonly RuleReport[], failOn: 'fail' | 'warn'): boolean {
  return !rules.some((r) => blocks(r, failOn));
}

export function blocks(rule: RuleReport, failOn: 'fail' | 'warn'): boolean {
  if (rule.waived) return false;
  return rule.status === 'fail' || (failOn === 'warn' && rule.status === 'warn');
}

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
      docs: r.docs ? join(r.docs) : r.docs,
    })),
  };
}
