/**
 * What every reporter agrees on: how a status looks, in which order rules appear, what blocks a
 * release, and how a finding's level follows from its rule. Keeping it in one place is what makes the
 * job summary, the console, the annotations, SARIF and the PR comment tell the same story.
 */
import { blocks } from '../engine/report.js';
import { SECTIONS, SECTION_TITLES } from '../engine/types.js';
import type { Finding, Report, RuleReport, Section, Status } from '../engine/types.js';
import type { Redactor } from '../redact.js';

/** Emoji for markdown (summary, comment) and plain symbols for the terminal, where emoji widths vary. */
export const STATUS_MARK: Record<Status, { emoji: string; symbol: string }> = {
  pass: { emoji: '✅', symbol: '✔' },
  warn: { emoji: '⚠️', symbol: '▲' },
  fail: { emoji: '❌', symbol: '✖' },
  skip: { emoji: '⏭️', symbol: '○' },
};

export type AnnotationLevel = Finding['level'];

/**
 * Redacts the whole model before any rendering. Redacting the rendered text instead would miss a secret
 * that escaping has already changed (`a|b` → `a\|b` in a table, `,` → `%2C` in a command), and those
 * escaped forms are still readable.
 */
export function redactReport(report: Report, redactor: Redactor): Report {
  return redactor.redactValue(report);
}

export interface SectionGroup {
  section: Section;
  title: string;
  rules: RuleReport[];
}

/** Sections present in the report, in the guide's order; rules keep the engine's (catalog) order. */
export function groupBySection(rules: readonly RuleReport[]): SectionGroup[] {
  return SECTIONS.map((section) => ({
    section,
    title: SECTION_TITLES[section],
    rules: rules.filter((rule) => rule.section === section),
  })).filter((group) => group.rules.length > 0);
}

/** Rules a person should look at: failing or warning, waived or not. */
export function needsAttention(rule: RuleReport): boolean {
  return rule.status === 'fail' || rule.status === 'warn';
}

/**
 * Rules that stop the release under the run's `fail-on`: a waiver takes a rule out; in a run compared
 * with a base, only what the change introduced blocks (engine/report.ts `blocks`).
 */
export function isBlocking(rule: RuleReport, failOn: Report['failOn']): boolean {
  return blocks(rule, failOn);
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/**
 * The headline every reporter opens or closes with. The numbers are the unwaived failures and
 * warnings, i.e. what the person has to act on; waived rules are counted in `countsText`. A run of a
 * subset of the catalog says so: "ready" is then only "ready for the selected checks".
 */
export function verdictText(report: Report): string {
  if (report.baseline?.made) return comparedVerdictText(report);
  const failed = report.rules.filter((r) => r.status === 'fail' && !r.waived).length;
  const warned = report.rules.filter((r) => r.status === 'warn' && !r.waived).length;
  const notRun = notRunText(report);
  if (report.ready) {
    const ready = notRun ? 'Ready for the selected checks' : 'Ready to go live';
    const warnings = warned ? `, with ${plural(warned, 'warning')}` : '';
    return `${ready}${warnings}${notRun ? `; not run: ${notRun}` : ''}`;
  }
  const parts = [failed ? `${failed} failed` : '', warned ? plural(warned, 'warning') : ''].filter(Boolean);
  // With `fail-on: warn` a release can be blocked by warnings alone; say why, or it reads as a bug.
  const why = !failed && warned && report.failOn === 'warn' ? ' (fail-on: warn)' : '';
  const head = parts.length ? `Not ready: ${parts.join(', ')}${why}` : 'Not ready';
  return `${head}${notRun ? `; not run: ${notRun}` : ''}`;
}

/**
 * The verdict of a run compared with its base: what blocks is what the change introduced (and the
 * command rules), so the numbers count blocking rules only.
 */
function comparedVerdictText(report: Report): string {
  const subject = report.baseline!.subject;
  const notRun = notRunText(report);
  const tail = notRun ? `; not run: ${notRun}` : '';
  const blocking = report.rules.filter((r) => isBlocking(r, report.failOn));
  if (report.ready) return `Ready: nothing ${subject} introduces blocks${tail}`;
  const failed = blocking.filter((r) => r.status === 'fail').length;
  const warned = blocking.filter((r) => r.status === 'warn').length;
  const parts = [failed ? `${failed} failed` : '', warned ? plural(warned, 'warning') : ''].filter(Boolean);
  const why = !failed && warned && report.failOn === 'warn' ? ' (fail-on: warn)' : '';
  return `Not ready: ${parts.join(', ')}${why}${tail}`;
}

/** True for a finding the change introduced (new, or at a higher level than on the base). */
export function isIntroduced(finding: Finding): boolean {
  return finding.status === 'new' || finding.status === 'updated';
}

/** The base's name as the reports write it: `main`, `v1.6.0`. */
export function baseName(report: Report): string {
  return report.baseline?.ref ?? 'the base';
}

/**
 * The line every reporter of a compared run leads with: `2 introduced by this PR · 14 already on
 * main · 1 fixed`; for a run that asked for a comparison and could not make one, why not. Undefined
 * when no comparison was asked. Counts are of findings at warning level or above.
 */
export function comparisonHeadline(report: Report): string | undefined {
  const b = report.baseline;
  if (!b) return undefined;
  if (!b.made) return `Not compared with ${baseName(report)}: ${b.reason ?? 'no base'}. Every finding is judged.`;
  const introduced = b.counts.new + b.counts.updated;
  return `${introduced} introduced by ${b.subject} · ${b.counts.existing} already on ${baseName(report)} · ${b.counts.fixed} fixed`;
}

/**
 * The findings of a rule that belong where a person acts: for a rule compared with the base, those the
 * change introduced; otherwise all of them.
 */
export function actionableFindings(rule: RuleReport): Finding[] {
  return rule.comparison?.verdict === 'new' ? rule.findings.filter(isIntroduced) : rule.findings;
}

/**
 * The findings of a compared rule that were already on the base, at warning level or above (what the
 * counts count: a notice is information, not a problem the base has).
 */
export function existingFindings(rule: RuleReport): Finding[] {
  if (rule.comparison?.verdict !== 'new' || ruleLevel(rule) === 'notice') return [];
  return rule.findings.filter((f) => f.status === 'existing' && f.level !== 'notice');
}

/**
 * A compared rule's one-line result, about what the change introduced: "2 findings introduced by this
 * PR: <the first>"; the rule's own summary otherwise.
 */
export function introducedSummary(rule: RuleReport, subject: string): string {
  if (rule.comparison?.verdict !== 'new' || !subject) return rule.summary;
  const introduced = rule.findings.filter(isIntroduced);
  if (introduced.length === 0) return rule.summary;
  const first = [...introduced].sort((a, b) => LOUDNESS[b.level] - LOUDNESS[a.level])[0]!;
  const location = first.file ? formatLocation(first) : '';
  const place = location && !first.message.startsWith(location) ? `${location}: ` : '';
  return `${plural(introduced.length, 'finding')} introduced by ${subject}: ${place}${first.message}`;
}

/** `new`, `updated` or `existing` with where it is: "on a line this PR changes" / "caused elsewhere". */
export function statusNote(finding: Finding, subject: string): string {
  if (!finding.status || finding.status === 'existing') return '';
  const what = finding.status === 'updated' ? 'worse than on the base' : 'new';
  const where = finding.changedLine === undefined ? '' : finding.changedLine ? `, on a line ${subject} changes` : `, caused by ${subject} elsewhere (this line is unchanged)`;
  return `${what}${where}`;
}

/**
 * What the run's selection left out, shortest first: whole sections by name, partly selected ones as
 * "9 of 13 security rules"; '' when every rule of the catalog ran.
 */
export function notRunText(report: Report): string {
  const notRun = report.selection?.notRun ?? [];
  if (notRun.length === 0) return '';
  const parts: string[] = [];
  for (const section of SECTIONS) {
    const missing = notRun.filter((id) => id.split('.')[0] === section).length;
    if (missing === 0) continue;
    const ran = report.rules.filter((r) => r.section === section).length;
    parts.push(ran === 0 ? section : `${missing} of ${ran + missing} ${section} rules`);
  }
  return parts.join(', ');
}

/**
 * A rule's title states its requirement ("No secret is committed"); on its own above a failure it
 * reads as the opposite of the result. This phrases it for the status it heads.
 */
export function requirementText(rule: RuleReport): string {
  const state = rule.waived ? 'Waived' : { pass: 'Met', warn: 'At risk', fail: 'Not met', skip: 'Not checked' }[rule.status];
  return `${state}: ${rule.title}`;
}

export function waivedCount(report: Report): number {
  return report.rules.filter((r) => r.waived).length;
}

/** `30 passed · 2 warnings · 3 failed · 5 skipped · 1 waived` */
export function countsText(report: Report): string {
  const { pass, warn, fail, skip } = report.counts;
  const parts = [`${pass} passed`, plural(warn, 'warning'), `${fail} failed`, `${skip} skipped`];
  const waived = waivedCount(report);
  if (waived) parts.push(`${waived} waived`);
  return parts.join(' · ');
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * The level a finding is reported at. A finding can never be louder than its rule (an error finding of a
 * warning rule is a warning; anything under a passing or skipped rule is a notice), and a waived rule
 * is only a notice: it must not look like it blocks.
 */
export function findingLevel(rule: RuleReport, finding: Finding): AnnotationLevel {
  return quieter(finding.level, ruleLevel(rule));
}

/** The level of a rule as a whole, for reports of a rule that has no file finding. */
export function ruleLevel(rule: RuleReport): AnnotationLevel {
  if (rule.waived) return 'notice';
  if (rule.status === 'fail') return 'error';
  if (rule.status === 'warn') return 'warning';
  return 'notice';
}

const LOUDNESS: Record<AnnotationLevel, number> = { notice: 0, warning: 1, error: 2 };

function quieter(a: AnnotationLevel, b: AnnotationLevel): AnnotationLevel {
  return LOUDNESS[a] <= LOUDNESS[b] ? a : b;
}

export type FileFinding = Finding & { file: string };

export function hasFile(finding: Finding): finding is FileFinding {
  return typeof finding.file === 'string' && finding.file.length > 0;
}

/** Findings with a place first (they are what a person can jump to), otherwise in the rule's order. */
export function fileFindingsFirst(findings: readonly Finding[]): Finding[] {
  return [...findings.filter(hasFile), ...findings.filter((f) => !hasFile(f))];
}

/** `path/file.ts:12` or `path/file.ts:12-14`; a line below 1 means "no line". */
export function formatLocation(finding: { file?: string; line?: number; endLine?: number }): string {
  if (!finding.file) return '';
  if (!finding.line || finding.line < 1) return finding.file;
  const end = finding.endLine && finding.endLine > finding.line ? `-${finding.endLine}` : '';
  return `${finding.file}:${finding.line}${end}`;
}

/** ` (waived: reason, until 2027-03-01)` for a waived rule, '' otherwise. */
export function waiverNote(rule: RuleReport): string {
  if (!rule.waived || !rule.waiver) return rule.waived ? ' (waived)' : '';
  const until = rule.waiver.until ? `, until ${rule.waiver.until}` : '';
  return ` (waived: ${rule.waiver.reason}${until})`;
}

/** Collapses a text to one line: tables, list items and terminal rows break on a newline. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** Cuts a text to `max` characters with an ellipsis, never splitting a surrogate pair. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = Math.max(0, max - 1);
  if (cut > 0 && /[\uD800-\uDBFF]/.test(text[cut - 1]!)) cut -= 1;
  return `${text.slice(0, cut)}…`;
}

/**
 * A link to a file's lines in the repository: `<base><file>#L3-L5`, where `base` is the blob URL of the
 * commit that was checked (`https://github.com/o/r/blob/<sha>/`).
 */
export function fileUrl(baseUrl: string, place: { file: string; line?: number; endLine?: number }): string {
  const anchor = place.line && place.line >= 1 ? `#L${place.line}${place.endLine && place.endLine > place.line ? `-L${place.endLine}` : ''}` : '';
  return `${docsUrl(baseUrl, place.file)}${anchor}`;
}

/** Joins a docs path to a URL prefix, keeping exactly one slash between them. */
export function docsUrl(docsBaseUrl: string, docs: string): string {
  return `${docsBaseUrl.replace(/\/+$/, '')}/${encodeURI(docs.replace(/^\.?\/+/, '')).replace(/[#?]/g, encodeURIComponent)}`;
}
