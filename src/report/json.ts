/**
 * The JSON report (`report-path`), schema version 1, for dashboards and scripts. Field names and order
 * follow interface.md; fields beyond the spec are additive. Every rule has every key (absent values are
 * `null`), so a script never needs to guess whether a key exists; inside a location or finding, `line`
 * and `endLine` are left out when there is none, as in the spec's example.
 */
import type { Finding, Report, RuleReport } from '../engine/types.js';
import type { Redactor } from '../redact.js';
import { redactReport } from './common.js';

export interface JsonOptions {
  redactor: Redactor;
}

export function renderJson(report: Report, options: JsonOptions): string {
  const safe = redactReport(report, options.redactor);
  const document = {
    schemaVersion: safe.schemaVersion,
    tool: { name: safe.tool.name, version: safe.tool.version },
    target: { appUrl: safe.target.appUrl ?? null },
    startedAt: safe.startedAt,
    durationMs: safe.durationMs,
    ready: safe.ready,
    failOn: safe.failOn,
    counts: { pass: safe.counts.pass, warn: safe.counts.warn, fail: safe.counts.fail, skip: safe.counts.skip },
    rules: safe.rules.map(ruleJson),
    // Additive: what `checks` selected, and the catalog's rules that did not run (empty: all ran).
    selection: { checks: safe.selection?.checks ?? [], notRun: safe.selection?.notRun ?? [] },
    // Additive: why no rule ran (a configuration error), else null.
    error: safe.error ? { kind: safe.error.kind, message: safe.error.message } : null,
    // Additive: the comparison with a base (pull requests); null when the run was not asked for one.
    baseline: safe.baseline
      ? {
          newFindingsOnly: safe.baseline.newFindingsOnly,
          ref: safe.baseline.ref ?? null,
          sha: safe.baseline.sha ?? null,
          made: safe.baseline.made,
          reason: safe.baseline.reason ?? null,
          fix: safe.baseline.fix ?? null,
          warnings: safe.baseline.warnings,
          counts: safe.baseline.counts,
          addedExceptions: safe.baseline.addedExceptions.map((e) => ({ kind: e.kind, text: e.text, file: e.file ?? null, ...lines(e) })),
          readyAll: safe.baseline.readyAll,
          durationMs: safe.baseline.durationMs,
        }
      : null,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function ruleJson(rule: RuleReport) {
  return {
    id: rule.id,
    section: rule.section,
    title: rule.title,
    status: rule.status,
    summary: rule.summary,
    details: rule.details ?? null,
    durationMs: rule.durationMs,
    waived: rule.waived,
    locations: rule.locations.map((l) => ({ file: l.file, ...lines(l) })),
    docs: rule.docs ?? null,
    // Additive to the spec's example:
    fix: rule.fix ?? null,
    findings: rule.findings.map((f) => findingJson(f, rule)),
    waiver: rule.waiver
      ? { reason: rule.waiver.reason, until: rule.waiver.until ?? null, expired: rule.waiver.expired }
      : null,
    data: rule.data ?? null,
    // "Could not check" apart from "checked and failed": the component that did not answer and why;
    // `partial` when the rest of the rule was judged.
    unreachable: rule.unreachable ? { component: rule.unreachable.component, cause: rule.unreachable.cause, partial: rule.unreachable.partial === true } : null,
    scope: rule.scope ?? null,
    comparison: rule.comparison
      ? {
          verdict: rule.comparison.verdict,
          note: rule.comparison.note ?? null,
          ruleStatus: rule.comparison.ruleStatus ?? null,
          fixed: rule.comparison.fixed.map((f) => findingJson(f, rule)),
        }
      : null,
  };
}

/** A finding; its secret match (in memory only, engine/identity.ts) is never written. */
function findingJson(f: Finding, rule: RuleReport) {
  return {
    level: f.level,
    message: f.message,
    file: f.file ?? null,
    ...lines(f),
    // Additive: what the finding is about, its identity, and against the base its status and scope.
    key: f.key ?? null,
    fingerprint: f.identity ?? null,
    status: f.status ?? null,
    scope: rule.scope ?? null,
    changedLine: f.changedLine ?? null,
  };
}

function lines(place: { line?: number; endLine?: number }): { line?: number; endLine?: number } {
  return {
    ...(place.line !== undefined ? { line: place.line } : {}),
    ...(place.endLine !== undefined ? { endLine: place.endLine } : {}),
  };
}
