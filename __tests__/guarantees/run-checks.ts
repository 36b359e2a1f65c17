/**
 * What every end-to-end run of the bundle must show, whatever was injected or broken: the report, the
 * summary and the outputs are written and agree; every annotation the gate meant to send is in the log
 * as @actions/core writes it, and no other command is; no secret appears anywhere, in any form.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import type { Report, RuleReport } from '../../src/engine/types.js';
import { Redactor } from '../../src/redact.js';
import { buildAnnotations, formatAnnotationCommand } from '../../src/report/annotations.js';
import { secretForms } from '../../src/secret-forms.js';
import type { ActionRun } from '../../scripts/run-action.js';
import { MARKER_PATTERN } from './payloads.js';
import { runnerLines, unintendedCommands } from './workflow-commands.js';

export interface JsonRule {
  id: string;
  section: string;
  title: string;
  status: 'pass' | 'warn' | 'fail' | 'skip';
  summary: string;
  details: string | null;
  fix: string | null;
  waived: boolean;
  waiver: { reason: string; until: string | null; expired: boolean } | null;
  locations: Array<{ file: string; line?: number; endLine?: number }>;
  findings: Array<{ level: 'error' | 'warning' | 'notice'; message: string; file: string | null; line?: number; endLine?: number }>;
  data: Record<string, unknown> | null;
  unreachable: { component: string; cause: string; partial: boolean } | null;
}

export interface JsonReport {
  schemaVersion: number;
  ready: boolean;
  failOn: 'fail' | 'warn';
  counts: { pass: number; warn: number; fail: number; skip: number };
  target: { appUrl: string | null };
  rules: JsonRule[];
}

export const OUTPUT_NAMES = ['ready', 'passed', 'warnings', 'failed', 'skipped', 'report-path', 'sarif-path'];

/** The JSON report the run wrote (its path is the `report-path` output). */
export function readReport(run: ActionRun): { report: JsonReport; text: string } {
  const path = run.outputs['report-path'];
  assert.ok(path, `no report-path output; stdout:\n${run.stdout.slice(-3000)}\nstderr:\n${run.stderr.slice(-2000)}`);
  assert.ok(existsSync(path), `the JSON report ${path} was not written`);
  const text = readFileSync(path, 'utf8');
  return { report: JSON.parse(text) as JsonReport, text };
}

/**
 * The report, the summary and the outputs were all written and agree with each other; `rules` (when
 * given) is the selection, each reported exactly once.
 */
export function assertWritten(run: ActionRun, rules?: readonly string[]): JsonReport {
  const { report } = readReport(run);
  if (rules) assert.deepEqual([...report.rules.map((r) => r.id)].sort(), [...rules].sort(), 'every selected rule is reported once');
  for (const name of OUTPUT_NAMES) assert.ok(name in run.outputs, `output ${name} was not set`);
  assert.equal(run.outputs.ready, String(report.ready));
  assert.equal(run.outputs.passed, String(report.counts.pass));
  assert.equal(run.outputs.warnings, String(report.counts.warn));
  assert.equal(run.outputs.failed, String(report.counts.fail));
  assert.equal(run.outputs.skipped, String(report.counts.skip));
  assert.match(run.summary, report.ready ? /^## ✅ Ready/m : /^## ❌ Not ready/m, 'the job summary opens with the verdict');
  // Blocking rules and the passed/skipped tables show the id as `code`, collapsed warnings as <code>.
  for (const rule of report.rules) assert.ok(run.summary.includes(`\`${rule.id}\``) || run.summary.includes(`<code>${rule.id}</code>`), `the summary lists ${rule.id}`);
  assert.equal(run.exitCode, report.ready ? 0 : 1, 'the step fails exactly when not ready');
  if (!report.ready) assert.match(run.stdout, /^::error::.*Not ready to go live/m, 'the step failure is sent');
  assert.doesNotMatch(run.stdout + run.stderr, /\n\s+at .+:\d+:\d+\)?\n/, 'no stack trace');
  return report;
}

/** The Report model back from its JSON form, for the reporters' own functions. */
export function reportModel(json: JsonReport): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'production-readiness-gate', version: '' },
    target: { appUrl: json.target.appUrl ?? undefined },
    startedAt: '',
    durationMs: 0,
    ready: json.ready,
    failOn: json.failOn,
    counts: json.counts,
    rules: json.rules.map(
      (r): RuleReport => ({
        id: r.id,
        section: r.section as RuleReport['section'],
        title: r.title,
        status: r.status,
        summary: r.summary,
        details: r.details ?? undefined,
        fix: r.fix ?? undefined,
        durationMs: 0,
        waived: r.waived,
        waiver: r.waiver ? { reason: r.waiver.reason, until: r.waiver.until ?? undefined, expired: r.waiver.expired } : undefined,
        locations: r.locations,
        findings: r.findings.map((f) => ({ level: f.level, message: f.message, file: f.file ?? undefined, line: f.line, endLine: f.endLine })),
      }),
    ),
  };
}

export interface CommandCheck {
  /** Lines of stdout the runner's parser read. */
  lines: number;
  /** Annotations the gate meant to send, all found. */
  annotations: number;
}

/**
 * No command but the gate's own, and every one of the gate's own annotations, byte for byte as
 * @actions/core writes it (computed again from the JSON report with the reporters' own function).
 */
export function assertOnlyGateCommands(run: ActionRun, report: JsonReport): CommandCheck {
  const unintended = unintendedCommands(run.stdout, MARKER_PATTERN);
  assert.deepEqual(
    unintended.map((c) => `line ${c.line}: ${c.why}: ${JSON.stringify(c.raw.slice(0, 200))}`),
    [],
    'the runner would run commands the gate did not send',
  );
  const lines = new Set(runnerLines(run.stdout));
  const expected = buildAnnotations(reportModel(report), { redactor: new Redactor([]) }).map(formatAnnotationCommand);
  const missing = expected.filter((line) => !lines.has(line));
  assert.deepEqual(missing, [], "annotations the gate meant to send are missing from the log");
  return { lines: runnerLines(run.stdout).length, annotations: expected.length };
}

/** The log as a person sees it: `::add-mask::` lines register secrets with the runner and are not shown. */
export function visibleLog(stdout: string): string {
  return stdout
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');
}

/** The forms `secretForms` may produce for one value (raw, 3 URL encodings, 10 base64, 2 hex, 5 escapes). */
export const SECRET_FORM_KINDS = 21;

export interface LeakSearch {
  /** `secret × form kind × place` searches (a form that two kinds share is searched once, counted for each). */
  searches: number;
  found: string[];
}

/** Searches every form of every secret in every place; `found` says which secret, form and place, never the value. */
export function searchSecrets(secrets: readonly string[], places: Record<string, string>): LeakSearch {
  const found: string[] = [];
  let searches = 0;
  for (const [s, secret] of secrets.entries()) {
    const forms = secretForms(secret).filter((f) => f.length >= 6);
    for (const [where, text] of Object.entries(places)) {
      searches += SECRET_FORM_KINDS;
      for (const form of forms) {
        if (text.includes(form)) found.push(`secret #${s} (${secret.slice(0, 4)}…, ${secret.length} chars) as ${JSON.stringify(form.slice(0, 6))}… in ${where}`);
      }
    }
  }
  return { searches, found };
}

/** The places of one run a secret must never reach (the JSON report, SARIF and API bodies are added by the caller). */
export function runPlaces(run: ActionRun, extra: Record<string, string> = {}): Record<string, string> {
  const reportPath = run.outputs['report-path'];
  return {
    stdout: visibleLog(run.stdout),
    stderr: run.stderr,
    summary: run.summary,
    outputs: JSON.stringify(run.outputs),
    ...(reportPath && existsSync(reportPath) ? { report: readFileSync(reportPath, 'utf8') } : {}),
    ...extra,
  };
}

export function assertNoLeak(secrets: readonly string[], places: Record<string, string>): LeakSearch {
  assert.ok(secrets.length > 0, 'there are secrets to look for');
  const search = searchSecrets(secrets, places);
  assert.deepEqual(search.found, [], 'a secret leaked');
  return search;
}

/** Statuses by rule id. */
export function statuses(report: JsonReport): Record<string, string> {
  return Object.fromEntries(report.rules.map((r) => [r.id, r.status]));
}
