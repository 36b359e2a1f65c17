/**
 * Annotations: what GitHub pins on files and lines of a run (and of a PR's diff).
 *
 * An annotation asks for action, so only failing and warning rules that are not waived make them, at
 * error or warning level; in a run compared with its base (pull requests), only the findings the
 * change introduced. Notices (a dev-only `db push` script, pending migrations, waived rules) are
 * information: the job summary has them, and a green run carries no annotation at all.
 *
 * GitHub shows only 10 errors and 10 warnings per step (notices likewise), and drops the rest silently.
 * So findings with a file come first (they are the ones worth pinning), and when a level has more than
 * the limit, the last visible slot becomes one roll-up that points at the job summary.
 */
import type { Report, RuleReport } from '../engine/types.js';
import type { Redactor } from '../redact.js';
import { actionableFindings, findingLevel, hasFile, plural, redactReport, requirementText, ruleLevel } from './common.js';
import type { AnnotationLevel } from './common.js';

export interface Annotation {
  level: AnnotationLevel;
  message: string;
  title: string;
  file?: string;
  startLine?: number;
  endLine?: number;
}

export interface AnnotationOptions {
  redactor: Redactor;
  /** Per level, roll-up included. `Infinity` for the Checks API, which takes every annotation. */
  maxPerLevel?: number;
}

/** What GitHub displays per step and level. */
export const GITHUB_ANNOTATIONS_PER_LEVEL = 10;

export function buildAnnotations(report: Report, options: AnnotationOptions): Annotation[] {
  const max = options.maxPerLevel ?? GITHUB_ANNOTATIONS_PER_LEVEL;
  if (!(max >= 1)) throw new RangeError(`maxPerLevel must be at least 1, got ${max}`);
  const rules = redactReport(report, options.redactor).rules;
  // Compared with a base, only what the change introduced is pinned on its files: what was already
  // there, and the environment rules listed on a pull request, stay in the summary.
  const actionable = rules.filter((rule) => !rule.waived && (rule.status === 'fail' || rule.status === 'warn') && rule.comparison?.verdict !== 'listed');
  // Every rule's file findings before any file-less annotation: those would otherwise use up the slots.
  const all = [...actionable.flatMap(fileAnnotations), ...actionable.flatMap(filelessAnnotation)];
  return limitPerLevel(all.filter((a) => a.level !== 'notice'), max);
}

function fileAnnotations(rule: RuleReport): Annotation[] {
  return actionableFindings(rule).filter(hasFile).map((finding) => ({
    level: findingLevel(rule, finding),
    title: titleOf(rule),
    message: finding.message,
    file: finding.file,
    // A line below 1 is "no line": the annotation then belongs to the whole file.
    ...(finding.line && finding.line >= 1 ? { startLine: finding.line } : {}),
    ...(finding.line && finding.line >= 1 && finding.endLine && finding.endLine >= finding.line
      ? { endLine: finding.endLine }
      : {}),
  }));
}

/** A failing or warning rule with nothing to pin on a file still shows up once, with its summary. */
function filelessAnnotation(rule: RuleReport): Annotation[] {
  if (rule.comparison?.verdict === 'new') {
    // The rule's own result stands for itself only when it is what the change introduced.
    const own = rule.comparison.ruleStatus;
    if (own !== 'new' && own !== 'updated') return [];
  }
  if (actionableFindings(rule).some((f) => hasFile(f) && findingLevel(rule, f) !== 'notice')) return [];
  const fix = rule.fix ? `\nFix: ${rule.fix}` : '';
  return [{ level: ruleLevel(rule), title: titleOf(rule), message: rule.summary + fix }];
}

/** `gate.migrations: Not met: Migration history is clean`: the title says the requirement failed. */
function titleOf(rule: RuleReport): string {
  return `${rule.id}: ${requirementText(rule)}`;
}

/** Keeps order; a level over the limit keeps `max - 1` and ends with one roll-up, so it shows `max`. */
function limitPerLevel(annotations: Annotation[], max: number): Annotation[] {
  const totals = new Map<AnnotationLevel, number>();
  for (const a of annotations) totals.set(a.level, (totals.get(a.level) ?? 0) + 1);
  const keep = (level: AnnotationLevel): number => ((totals.get(level) ?? 0) > max ? max - 1 : max);

  const seen = new Map<AnnotationLevel, number>();
  const kept = annotations.filter((a) => {
    const n = (seen.get(a.level) ?? 0) + 1;
    seen.set(a.level, n);
    return n <= keep(a.level);
  });
  const rollups: Annotation[] = [];
  for (const [level, total] of totals) {
    const hidden = total - keep(level);
    if (hidden <= 0) continue;
    rollups.push({
      level,
      title: `Production readiness: ${plural(hidden, `more ${level}`)}`,
      message: `and ${plural(hidden, `more ${level}`)}: see the job summary`,
    });
  }
  return [...kept, ...rollups];
}

/**
 * The workflow command `core.error/warning/notice(message, properties)` prints for an annotation, byte
 * for byte (@actions/core 3: properties in the order title, file, line, endLine; empty ones left out;
 * the space after the command is printed whenever a properties object is passed).
 */
export function formatAnnotationCommand(a: Annotation): string {
  const properties: [string, string | number | undefined][] = [
    ['title', a.title],
    ['file', a.file],
    ['line', a.startLine],
    ['endLine', a.endLine],
  ];
  const rendered = properties
    .filter(([, value]) => Boolean(value))
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
    .join(',');
  return `::${a.level} ${rendered}::${escapeData(a.message)}`;
}

function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
