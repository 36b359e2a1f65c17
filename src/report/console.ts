/**
 * The command line's report: one line per rule, grouped by guide section, with the fix and findings
 * under each rule that needs attention, and the verdict last, where the eye lands when the run ends.
 */
import type { Report, RuleReport, Status } from '../engine/types.js';
import type { Redactor } from '../redact.js';
import {
  STATUS_MARK,
  comparisonHeadline,
  countsText,
  isIntroduced,
  fileFindingsFirst,
  formatDuration,
  formatLocation,
  groupBySection,
  needsAttention,
  oneLine,
  plural,
  redactReport,
  verdictText,
  waiverNote,
} from './common.js';

export interface ConsoleOptions {
  redactor: Redactor;
  /** ANSI colours; the CLI decides (TTY, NO_COLOR, FORCE_COLOR), this function never looks. */
  color: boolean;
  /** Also the details of every rule, all findings and each rule's duration. */
  verbose?: boolean;
}

/** Findings listed per rule without `verbose`: the rest are one `--verbose` (or the JSON report) away. */
const MAX_FINDINGS = 10;

type Paint = (text: string) => string;
interface Palette {
  status: Record<Status, Paint>;
  bold: Paint;
  dim: Paint;
}

const ansi = (open: number, close: number): Paint => (text) => `\x1b[${open}m${text}\x1b[${close}m`;
const plain: Paint = (text) => text;

function palette(color: boolean): Palette {
  if (!color) return { status: { pass: plain, warn: plain, fail: plain, skip: plain }, bold: plain, dim: plain };
  const dim = ansi(2, 22);
  return {
    status: { pass: ansi(32, 39), warn: ansi(33, 39), fail: ansi(31, 39), skip: dim },
    bold: ansi(1, 22),
    dim,
  };
}

export function renderConsole(report: Report, options: ConsoleOptions): string {
  const safe = redactReport(report, options.redactor);
  const paint = palette(options.color);
  const idWidth = Math.max(0, ...safe.rules.map((r) => r.id.length));
  const lines: string[] = [];

  const target = safe.target.appUrl ? ` · ${terminalText(safe.target.appUrl)}` : '';
  lines.push(paint.dim(`${safe.tool.name} ${safe.tool.version}${target}`), '');
  for (const group of groupBySection(safe.rules)) {
    lines.push(paint.bold(group.title));
    for (const rule of group.rules) lines.push(...ruleLines(rule, idWidth, paint, options.verbose ?? false));
    lines.push('');
  }

  const verdictStatus: Status = safe.ready ? 'pass' : 'fail';
  const mark = STATUS_MARK[verdictStatus].symbol;
  lines.push(paint.bold(paint.status[verdictStatus](`${mark} ${verdictText(safe)}`)));
  const compared = comparisonHeadline(safe);
  if (compared) lines.push(`  ${terminalText(compared)}`);
  for (const e of safe.baseline?.addedExceptions ?? []) lines.push(`  added by ${terminalText(safe.baseline!.subject)}: ${terminalText(e.text)}`);
  lines.push(`  ${countsText(safe)} · ${formatDuration(safe.durationMs)}`);
  return `${lines.join('\n')}\n`;
}

function ruleLines(rule: RuleReport, idWidth: number, paint: Palette, verbose: boolean): string[] {
  const color = paint.status[rule.status];
  const status = color(`${STATUS_MARK[rule.status].symbol} ${rule.status.padEnd(4)}`);
  const took = verbose ? paint.dim(`  (${formatDuration(rule.durationMs)})`) : '';
  const head = `  ${status}  ${rule.id.padEnd(idWidth)}  ${terminalText(oneLine(rule.summary) + waiverText(rule))}${took}`;
  if (!needsAttention(rule) && !verbose) return [head];

  const indent = '      ';
  const out = [head];
  if (verbose && rule.details) out.push(...terminalText(rule.details).split('\n').map((l) => paint.dim(indent + l)));
  const findings = fileFindingsFirst(rule.findings).sort((a, b) => Number(isIntroduced(b)) - Number(isIntroduced(a)));
  const shown = verbose ? findings : findings.slice(0, MAX_FINDINGS);
  for (const f of shown) {
    const where = f.file ? `${formatLocation(f)} ` : '';
    // Compared with a base: what the change introduced, and what was already there.
    const status = f.status ? paint.dim(`[${f.status === 'existing' ? 'already there' : f.status}] `) : '';
    out.push(`${indent}→ ${status}${terminalText(where + oneLine(f.message))}`);
  }
  if (shown.length < findings.length) out.push(paint.dim(`${indent}… and ${plural(findings.length - shown.length, 'more finding')}`));
  if (rule.fix) out.push(`${indent}fix: ${terminalText(oneLine(rule.fix))}`);
  if (rule.docs && needsAttention(rule)) out.push(paint.dim(`${indent}docs: ${terminalText(rule.docs)}`));
  return out;
}

function waiverText(rule: RuleReport): string {
  if (rule.waiver?.expired) return ` (waiver expired${rule.waiver.until ? ` ${rule.waiver.until}` : ''})`;
  return waiverNote(rule);
}

/**
 * Rule text can carry bytes from HTTP responses and command output: control characters (escape
 * sequences above all) are removed so they cannot recolour, move the cursor or rewrite the terminal.
 */
function terminalText(text: string): string {
  /* eslint-disable no-control-regex -- matching control characters is the point */
  return text
    .replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, '') // CSI: colours, cursor moves
    .replace(/\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?/g, '') // OSC: window titles, hyperlinks
    .replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, '');
  /* eslint-enable no-control-regex */
}
