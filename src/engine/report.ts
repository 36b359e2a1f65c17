/** Turns the rules' results into the one report model every reporter reads. */
import type { Counts, Report, RuleReport } from './types.js';

export interface ReportInput {
  rules: RuleReport[];
  startedAt: Date;
  durationMs: number;
  appUrl?: string;
  failOn: 'fail' | 'warn';
  version: string;
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
