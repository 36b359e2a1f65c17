/**
 * The job summary ($GITHUB_STEP_SUMMARY), ordered by what a person does with it:
 *
 * 1. the verdict (and, for a run of a subset, what was not run);
 * 2. "Fix first": every blocking rule, open, with its one-line result, its fix, its findings linked to
 *    the file and line, then its evidence (collapsed);
 * 3. warnings and waived rules, one collapsed block each;
 * 4. per section, one collapsed line for what passed or was skipped, with the table inside.
 *
 * Each rule and each finding appears once. Rule text is markdown the rule wrote (or bytes from the
 * app, the database or a command): it is escaped for where it goes, and `<summary>` gets HTML.
 *
 * GitHub refuses a step summary over 1 MiB (the whole upload, not just the excess), so the text is
 * fitted to a budget: the verdict, the results, the fixes and the tables are never cut; the longest
 * findings lists and evidence are shortened first.
 */
import type { Finding, Report, RuleReport } from '../engine/types.js';
import type { Redactor } from '../redact.js';
import {
  STATUS_MARK,
  actionableFindings,
  baseName,
  clip,
  existingFindings,
  introducedSummary,
  statusNote,
  countsText,
  docsUrl,
  fileFindingsFirst,
  fileUrl,
  formatDuration,
  formatLocation,
  groupBySection,
  isBlocking,
  needsAttention,
  oneLine,
  plural,
  redactReport,
  requirementText,
  verdictText,
} from './common.js';
import { SECTION_TITLES } from '../engine/types.js';
import { codeLink, codeSpan, inlineHtml, inlineText, link, markdownBlock, tableCell } from './markdown.js';

export interface SummaryOptions {
  redactor: Redactor;
  /**
   * Blob URL prefix of the commit that was checked, e.g. `https://github.com/o/r/blob/<sha>/`: findings
   * link to their lines and docs to their page. Without it, both are shown as paths.
   */
  docsBaseUrl?: string;
  /** Link to the workflow run, shown at the end. */
  runUrl?: string;
}

/** Under GitHub's 1 MiB (1,048,576 bytes) step-summary limit, with room for other steps' markdown. */
export const SUMMARY_BYTE_BUDGET = 1_000_000;

/** A heading or table row is one glance; longer results are clipped (the JSON report keeps them). */
const MAX_SUMMARY_CHARS = 300;
/** Findings beyond this are counted, not listed: annotations and the JSON report carry all of them. */
const MAX_FINDINGS_PER_RULE = 50;
const MAX_FINDING_CHARS = 500;
const MAX_FIX_CHARS = 4000;
/** The fix of what was already on the base is there to help, not to act on now. */
const MAX_EXISTING_FIX_CHARS = 600;

export function renderSummary(report: Report, options: SummaryOptions): string {
  return renderWithBudget(report, options, SUMMARY_BYTE_BUDGET);
}

/** The budget is a parameter so tests (and the check run, 65,535 characters) can use a smaller one. */
export function renderWithBudget(report: Report, options: SummaryOptions, budgetBytes: number): string {
  const safe = redactReport(report, options.redactor);
  const baseUrl = options.docsBaseUrl && options.redactor.redact(options.docsBaseUrl);
  const runUrl = options.runUrl && options.redactor.redact(options.runUrl);
  const ordered = groupBySection(safe.rules).flatMap((group) => group.rules);
  const blocking = ordered.filter((rule) => isBlocking(rule, safe.failOn));
  // Warnings a person should weigh first, then the waived rules (they are known and accepted).
  const notBlocking = ordered.filter((rule) => !isBlocking(rule, safe.failOn) && (needsAttention(rule) || rule.waived));
  const compared = safe.baseline?.made ? safe.baseline : undefined;
  const subject = compared?.subject ?? '';
  const shown = (rule: RuleReport): RuleReport => (compared ? { ...rule, findings: actionableFindings(rule) } : rule);

  const groups: Group[] = [];
  if (blocking.length) {
    groups.push({
      heading: `### ❌ Fix first: ${plural(blocking.length, 'blocking rule')}\n\n`,
      blocks: blocking.map((rule) => blockingBlock(shown(rule), baseUrl, subject)),
    });
  }
  // Compared with a base: the rules with nothing introduced are not warnings of this change; what was
  // already there and the environment get a section each, collapsed.
  const introducedSomething = (rule: RuleReport) =>
    rule.comparison?.verdict !== 'new' || actionableFindings(rule).length > 0 || rule.comparison.ruleStatus === 'new' || rule.comparison.ruleStatus === 'updated';
  const attention = compared ? notBlocking.filter((r) => r.comparison?.verdict !== 'listed' && introducedSomething(r)) : notBlocking;
  const other = [...attention.filter((r) => !r.waived), ...attention.filter((r) => r.waived)];
  if (other.length) {
    const title = other.some((r) => r.waived) ? 'Warnings and waived rules' : 'Warnings';
    groups.push({
      heading: `### ⚠️ ${title} (${other.length})\n\n`,
      blocks: other.map((rule) => collapsedBlock(shown(rule), baseUrl, subject)),
    });
  }
  if (compared) {
    const already = ordered.filter((r) => (needsAttention(r) || r.waived) && (existingFindings(r).length > 0 || r.comparison?.ruleStatus === 'existing'));
    if (already.length) {
      const base = inlineText(baseName(safe));
      groups.push({
        heading: `### 📋 Already on ${codeSpan(base)}: ${plural(compared.counts.existing, 'finding')}, not blocking ${inlineText(subject)}\n\n`,
        blocks: already.map((rule) => existingBlock(rule, baseUrl, base)),
      });
    }
    const environment = notBlocking.filter((r) => r.comparison?.verdict === 'listed');
    if (environment.length) {
      groups.push({
        heading: `### 🌐 Environment: ${plural(environment.length, 'rule')} ${inlineText(subject)} cannot have caused, not blocking it\n\n`,
        blocks: environment.map((rule) => collapsedBlock(rule, baseUrl, subject)),
      });
    }
    const fixed = ordered.filter((r) => (r.comparison?.fixed.length ?? 0) > 0);
    if (fixed.length) {
      groups.push({
        heading: `### ✅ Fixed by ${inlineText(subject)}: ${plural(fixed.reduce((n, r) => n + r.comparison!.fixed.length, 0), 'finding')}\n\n`,
        blocks: fixed.map((rule) => fixedBlock(rule)),
      });
    }
  }
  const page: Page = {
    verdict: verdictBlock(safe),
    groups,
    outro: passedAndSkipped(safe) + (runUrl ? `\n${link('Workflow run', runUrl)}\n` : ''),
  };
  return fitToBudget(page, budgetBytes);
}

/** Items of a short list that the verdict block shows at most (it is never cut). */
const MAX_HEAD_ITEMS = 20;

function verdictBlock(report: Report): string {
  const icon = report.ready ? '✅' : '❌';
  const context = [
    report.target.appUrl ? codeSpan(report.target.appUrl) : '',
    formatDuration(report.durationMs),
    `${report.tool.name} ${report.tool.version}`,
  ].filter(Boolean);
  const checks = report.selection?.notRun.length ? `\n\nSelected checks: ${codeSpan(report.selection.checks.join(','))}` : '';
  return `## ${icon} ${inlineText(verdictText(report))}\n\n${comparisonBlock(report)}${countsText(report)} — ${inlineText(context.join(', '))}${checks}\n`;
}

/**
 * Under the verdict of a run that asked for a comparison: what it compared with and the three counts,
 * what the change itself adds to the exceptions (for the reviewer), and what to know; or, when no
 * comparison could be made, why and how to fix it.
 */
function comparisonBlock(report: Report): string {
  const b = report.baseline;
  if (!b) return '';
  const base = codeSpan(inlineText(baseName(report)));
  if (!b.made) {
    return `> [!WARNING]\n> **Not compared with ${base}**: ${inlineText(b.reason ?? 'no base')}. Every finding is judged as in a full run.${b.fix ? ` **Fix:** ${inlineText(b.fix)}` : ''}\n\n`;
  }
  const introduced = b.counts.new + b.counts.updated;
  const at = b.sha ? ` at ${codeSpan(b.sha.slice(0, 12))}` : '';
  const parts = [`**${introduced} introduced by ${inlineText(b.subject)}** · ${b.counts.existing} already on ${base} · ${b.counts.fixed} fixed — compared with ${base}${at}\n\n`];
  if (b.addedExceptions.length) {
    const items = b.addedExceptions.slice(0, MAX_HEAD_ITEMS).map((e) => `> - ${inlineText(clip(e.text, 300))}`);
    if (b.addedExceptions.length > MAX_HEAD_ITEMS) items.push(`> - … and ${b.addedExceptions.length - MAX_HEAD_ITEMS} more (see the JSON report)`);
    parts.push(`> [!WARNING]\n> **${inlineText(b.subject[0]!.toUpperCase() + b.subject.slice(1))} adds its own exceptions**: review them, the gate applies them.\n${items.join('\n')}\n\n`);
  }
  for (const warning of b.warnings.slice(0, MAX_HEAD_ITEMS)) parts.push(`> [!NOTE]\n> ${inlineText(warning)}\n\n`);
  return parts.join('');
}

// ---- one rule ----

/**
 * A rule's block is a list of segments. Fixed segments (the result, the fix, the links) are never cut;
 * `cuttable` ones (the findings list, the evidence) are shortened when the page is over budget, and
 * their `open`/`close` frame is dropped with them when they have to go entirely.
 */
interface Segment {
  text: string;
  cuttable?: boolean;
  open?: string;
  close?: string;
  /** A list is cut between items, and then says how many findings were left out of `total`. */
  list?: { items: string[]; total: number };
}
type Block = Segment[];

function blockingBlock(rule: RuleReport, baseUrl: string | undefined, subject: string): Block {
  const findings = findingsList(rule.findings, baseUrl, subject);
  const evidence = evidenceText(rule);
  return [
    { text: `#### ${STATUS_MARK[rule.status].emoji} ${codeSpan(rule.id)} ${inlineText(clip(oneLine(introducedSummary(rule, subject)), MAX_SUMMARY_CHARS))}\n\n` },
    { text: ruleContext(rule, baseUrl) },
    { text: rule.fix ? `**Fix:** ${markdownBlock(clip(rule.fix, MAX_FIX_CHARS))}\n\n` : '' },
    { text: rule.waiver ? `${waiverLine(rule)}\n\n` : '' },
    { text: rule.comparison?.note ? `*${inlineText(rule.comparison.note)}*\n\n` : '' },
    ...(findings ? [findings] : []),
    ...(evidence ? [{ text: evidence, cuttable: true, open: '<details>\n<summary>Evidence</summary>\n\n', close: '\n\n</details>\n\n' }] : []),
  ];
}

function collapsedBlock(rule: RuleReport, baseUrl: string | undefined, subject = ''): Block {
  const findings = findingsList(rule.findings, baseUrl, subject);
  const evidence = evidenceText(rule);
  const status = `${STATUS_MARK[rule.status].emoji} <code>${inlineHtml(rule.id)}</code>`;
  const waived = rule.waived ? ' <em>(waived)</em>' : '';
  return [
    { text: `<details>\n<summary>${status} ${inlineHtml(clip(oneLine(rule.summary), MAX_SUMMARY_CHARS))}${waived}</summary>\n\n` },
    { text: ruleContext(rule, baseUrl) },
    { text: rule.fix ? `**Fix:** ${markdownBlock(clip(rule.fix, MAX_FIX_CHARS))}\n\n` : '' },
    { text: rule.waiver ? `${waiverLine(rule)}\n\n` : '' },
    { text: rule.comparison?.note ? `*${inlineText(rule.comparison.note)}*\n\n` : '' },
    ...(findings ? [findings] : []),
    ...(evidence ? [{ text: evidence, cuttable: true, open: '**Evidence**\n\n', close: '\n\n' }] : []),
    { text: '</details>\n\n' },
  ];
}

/** A compared rule's findings that were already on the base: one collapsed block, the list cut first. */
function existingBlock(rule: RuleReport, baseUrl: string | undefined, base: string): Block {
  const existing = existingFindings(rule);
  const own = rule.comparison?.ruleStatus === 'existing' ? `${STATUS_MARK[rule.status].emoji} ${inlineText(clip(oneLine(rule.summary), MAX_SUMMARY_CHARS))}\n\n` : '';
  const findings = findingsList(existing, baseUrl, '');
  const count = existing.length ? plural(existing.length, 'finding') : 'its result';
  return [
    { text: `<details>\n<summary>${STATUS_MARK[rule.status].emoji} <code>${inlineHtml(rule.id)}</code> ${count} already on <code>${inlineHtml(base)}</code>${rule.waived ? ' <em>(waived)</em>' : ''}</summary>\n\n` },
    { text: own },
    { text: rule.fix ? `**Fix:** ${markdownBlock(clip(rule.fix, MAX_EXISTING_FIX_CHARS))}\n\n` : '' },
    ...(findings ? [findings] : []),
    { text: '</details>\n\n' },
  ];
}

/** The base's findings that the change no longer has. */
function fixedBlock(rule: RuleReport): Block {
  const fixed = rule.comparison?.fixed ?? [];
  // The lines are the base's: no link to the head's files.
  const findings = findingsList(fixed, undefined, '');
  return [
    { text: `<details>\n<summary><code>${inlineHtml(rule.id)}</code> ${plural(fixed.length, 'finding')} fixed</summary>\n\n` },
    ...(findings ? [findings] : []),
    { text: '</details>\n\n' },
  ];
}

/** `Not met: Migration history is clean · §2 Build and migration gate · 📖 docs/runbook.md` */
function ruleContext(rule: RuleReport, baseUrl: string | undefined): string {
  const docs = rule.docs ? `📖 ${baseUrl ? link(rule.docs, docsUrl(baseUrl, rule.docs)) : codeSpan(rule.docs)}` : '';
  const parts = [`*${inlineText(requirementText(rule)).replace(/[*_]/g, '\\$&')}*`, inlineText(SECTION_TITLES[rule.section]), docs];
  return `${parts.filter(Boolean).join(' · ')}\n\n`;
}

/**
 * Every finding once, loudest first, those with a place linked to their lines; in a run compared with
 * its base, each introduced finding says so, and whether it is on a line the change touched.
 */
function findingsList(findings: readonly Finding[], baseUrl: string | undefined, subject = ''): Segment | undefined {
  if (findings.length === 0) return undefined;
  const loudness = { error: 0, warning: 1, notice: 2 } as const;
  const sorted = fileFindingsFirst(findings).sort((a, b) => loudness[a.level] - loudness[b.level]);
  const items = sorted.slice(0, MAX_FINDINGS_PER_RULE).map((f) => {
    const place = f.file ? formatLocation(f) : '';
    const where = f.file ? `${baseUrl ? codeLink(place, fileUrl(baseUrl, { ...f, file: f.file })) : codeSpan(place)} ` : '';
    const level = f.level === 'notice' ? 'ℹ️ ' : '';
    const note = subject ? statusNote(f, subject) : '';
    const mark = f.status === 'new' ? '🆕 ' : f.status === 'updated' ? '⬆️ ' : '';
    return `- ${mark}${level}${where}${inlineText(clip(f.message, MAX_FINDING_CHARS))}${note ? ` *(${inlineText(note)})*` : ''}`;
  });
  const list = { items, total: findings.length };
  return { text: listText(items, findings.length), cuttable: true, open: '**Findings**\n\n', close: '\n\n', list };
}

function listText(items: string[], total: number): string {
  const more = total - items.length;
  const tail = more > 0 ? `\n- … and ${plural(more, 'more finding')} (see the annotations or the JSON report)` : '';
  return items.join('\n') + tail;
}

/**
 * The rule's details, without the lines that only repeat a finding (rules often list their findings
 * in the details too, for the JSON report and the console): each finding is shown once, in the list.
 */
function evidenceText(rule: RuleReport): string {
  if (!rule.details) return '';
  if (rule.findings.length === 0) return markdownBlock(rule.details).trim();
  const repeated = new Set<string>();
  for (const f of rule.findings) {
    const message = normalise(f.message);
    repeated.add(message);
    if (f.file) {
      const place = formatLocation(f);
      repeated.add(normalise(`${place} ${f.message}`));
      repeated.add(normalise(`${place}: ${f.message}`));
    }
  }
  let inFence = false;
  const kept = rule.details.split('\n').filter((line) => {
    if (/^ {0,3}(`{3,}|~{3,})/.test(line)) inFence = !inFence;
    return inFence || !repeated.has(normalise(line));
  });
  return markdownBlock(kept.join('\n')).trim();
}

/** A line as a reader compares it: no list marker, no code-span ticks, single spaces. */
function normalise(line: string): string {
  return line
    .replace(/^\s*(?:[-*+]|\d+[.)])\s+/, '')
    .replace(/`/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function waiverLine(rule: RuleReport): string {
  const waiver = rule.waiver!;
  const until = waiver.until ? ` (until ${inlineText(waiver.until)})` : '';
  // An expired waiver no longer applies: the rule blocks again, and the reader should know why.
  return waiver.expired
    ? `**Waiver expired**${until}: ${inlineText(waiver.reason)}`
    : `**Waived**${until}: ${inlineText(waiver.reason)}`;
}

/** Per section, one collapsed line for the rules that passed or were skipped, the table inside. */
function passedAndSkipped(report: Report): string {
  const sections = groupBySection(report.rules)
    .map((group) => ({ ...group, rules: group.rules.filter((r) => !needsAttention(r) && !r.waived) }))
    .filter((group) => group.rules.length > 0);
  if (sections.length === 0) return '';
  const blocks = sections.map((group) => {
    const passed = group.rules.filter((r) => r.status === 'pass').length;
    const skipped = group.rules.length - passed;
    const icon = passed ? STATUS_MARK.pass.emoji : STATUS_MARK.skip.emoji;
    const counts = [passed ? `${passed} passed` : '', skipped ? `${skipped} skipped` : ''].filter(Boolean).join(', ');
    const rows = group.rules.map(
      (rule) => `| ${statusCell(rule)} | ${tableCell(codeSpan(rule.id))} | ${tableCell(clip(oneLine(rule.summary), MAX_SUMMARY_CHARS))} |`,
    );
    return [
      `<details>\n<summary>${icon} ${inlineHtml(group.title)}: ${counts}</summary>\n`,
      '| Status | Rule | Result |',
      '|---|---|---|',
      ...rows,
      '\n</details>\n',
    ].join('\n');
  });
  return `### Passed and skipped\n\n${blocks.join('\n')}`;
}

/** A no-break space keeps the status on one line in a narrow column. */
function statusCell(rule: RuleReport): string {
  return `${STATUS_MARK[rule.status].emoji}\u00a0${rule.status}`;
}

// ---- fitting the page to GitHub's limit ----

interface Group {
  heading: string;
  blocks: Block[];
}

interface Page {
  verdict: string;
  groups: Group[];
  /** The pass/skip tables and the link to the run: never cut. */
  outro: string;
}

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

const SHORTENED = "\n\n*… shortened to fit GitHub's 1 MiB job summary; the JSON report has the full text.*";
/** Room for the shortening note plus a fence that `closeFences` may have to add after the cut. */
const SHORTENED_COST = bytes(SHORTENED) + 24;
/** Room for the note at the top that says the page was shortened. */
const NOTICE_RESERVE = 400;

function fitToBudget(page: Page, budget: number): string {
  const whole = assemble(page, (segment) => frame(segment, segment.text), '');
  if (bytes(whole) <= budget) return whole;

  const segments = page.groups.flatMap((g) => g.blocks.flat());
  // What is never cut: the verdict, the headings, the tables, and the room for the note.
  const base = bytes(page.verdict) + bytes(page.outro) + NOTICE_RESERVE + sum(page.groups.map((g) => bytes(g.heading) + 1));
  const fixed = base + sum(segments.filter((s) => !s.cuttable).map((s) => bytes(s.text)));
  const cuttable = segments.filter((s) => s.cuttable).map((s) => ({ length: bytes(s.text), frame: bytes(s.open ?? '') + bytes(s.close ?? '') }));
  const costAt = (cap: number): number =>
    fixed + sum(cuttable.map((c) => c.frame + (c.length <= cap ? c.length : cap + SHORTENED_COST)));

  // Water-filling: one cap for every cuttable part, as high as the budget allows, so the longest are
  // cut first and short evidence stays whole. Binary search keeps `costAt(lo) <= budget`.
  if (costAt(0) <= budget) {
    let lo = 0;
    let hi = cuttable.reduce((a, c) => Math.max(a, c.length), 0);
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (costAt(mid) <= budget) lo = mid;
      else hi = mid - 1;
    }
    const cut = page.groups.flatMap((g) => g.blocks).filter((b) => b.some((s) => s.cuttable && bytes(s.text) > lo)).length;
    const notice = `> [!NOTE]\n> The findings or evidence of ${plural(cut, 'rule')} were shortened to stay under GitHub's 1 MiB job summary limit; the JSON report has them in full.\n`;
    return guard(assemble(page, (segment) => frame(segment, shorten(segment, lo)), notice), budget);
  }

  // Even the results and fixes do not fit (thousands of failing rules): no findings or evidence, and
  // blocks kept in order while they fit; the note says how many were left out.
  let room = budget - base;
  let omitted = 0;
  const groups = page.groups.map((g) => ({
    ...g,
    blocks: g.blocks.filter((block) => {
      const size = sum(block.filter((s) => !s.cuttable).map((s) => bytes(s.text)));
      if (omitted > 0 || size > room) {
        omitted += 1;
        return false;
      }
      room -= size;
      return true;
    }),
  }));
  const notice = `> [!NOTE]\n> To stay under GitHub's 1 MiB job summary limit, findings and evidence are left out${
    omitted ? ` and ${plural(omitted, 'rule')} not shown here` : ''
  }; the JSON report has everything.\n`;
  return guard(assemble({ ...page, groups }, (segment) => (segment.cuttable ? '' : segment.text), notice), budget);
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

function frame(segment: Segment, text: string): string {
  return segment.cuttable ? `${segment.open ?? ''}${text}${segment.close ?? ''}` : text;
}

/** The verdict stays first; a note about shortening goes right under it, where it is seen. */
function assemble(page: Page, render: (segment: Segment) => string, notice: string): string {
  const groups = page.groups
    .filter((g) => g.blocks.length > 0)
    .map((g) => `${g.heading}${g.blocks.map((block) => block.map(render).join('')).join('')}`);
  return [page.verdict, notice, ...groups, page.outro].filter(Boolean).join('\n');
}

/**
 * Cuts a part to about `cap` bytes: a findings list between items (then it counts what it left out),
 * other text at a line boundary, closing any code fence it opened.
 */
function shorten(segment: Segment, cap: number): string {
  const text = segment.text;
  if (bytes(text) <= cap) return text;
  if (segment.list) {
    const kept: string[] = [];
    let size = 0;
    for (const item of segment.list.items) {
      size += bytes(item) + 1;
      if (size > cap) break;
      kept.push(item);
    }
    return listText(kept, segment.list.total);
  }
  const cut = truncateBytes(text, cap);
  const atLine = cut.lastIndexOf('\n');
  return markdownBlock(atLine > 0 ? cut.slice(0, atLine) : cut) + SHORTENED;
}

/** Cuts UTF-8 text to at most `max` bytes without leaving half a character. */
function truncateBytes(text: string, max: number): string {
  return Buffer.from(text, 'utf8').subarray(0, max).toString('utf8').replace(/\uFFFD+$/, '');
}

/** Last resort, should the estimates above ever be wrong: a hard cut at a line boundary. */
function guard(text: string, budget: number): string {
  if (bytes(text) <= budget) return text;
  const note = "\n\n*… cut to fit GitHub's 1 MiB job summary.*\n";
  const cut = truncateBytes(text, budget - bytes(note) - 8);
  return `${cut.slice(0, Math.max(0, cut.lastIndexOf('\n')))}${note}`;
}
