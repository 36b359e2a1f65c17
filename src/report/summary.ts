/**
 * The job summary ($GITHUB_STEP_SUMMARY): the verdict, one table per guide section, then collapsed
 * details with evidence, findings, the fix and the app's doc for every rule a person must look at.
 *
 * GitHub refuses a step summary over 1 MiB (the whole upload, not just the excess), so the text is fitted
 * to a budget: the verdict and the tables are never cut; the longest details are shortened first.
 */
import type { Finding, Report, RuleReport } from '../engine/types.js';
import type { Redactor } from '../redact.js';
import {
  STATUS_MARK,
  clip,
  countsText,
  docsUrl,
  fileFindingsFirst,
  formatDuration,
  formatLocation,
  groupBySection,
  needsAttention,
  oneLine,
  plural,
  redactReport,
  verdictText,
} from './common.js';
import { codeSpan, escapeHtml, inlineText, link, markdownBlock, tableCell } from './markdown.js';

export interface SummaryOptions {
  redactor: Redactor;
  /** URL prefix for the app's files, e.g. `https://github.com/o/r/blob/<sha>/`; without it docs are shown as paths. */
  docsBaseUrl?: string;
  /** Link to the workflow run, shown at the end. */
  runUrl?: string;
}

/** Under GitHub's 1 MiB (1,048,576 bytes) step-summary limit, with room for other steps' markdown. */
export const SUMMARY_BYTE_BUDGET = 1_000_000;

/** A table row or `<summary>` is one glance; longer summaries are clipped (the details keep everything). */
const MAX_SUMMARY_CHARS = 300;
/** Findings beyond this are counted, not listed: annotations and the JSON report carry all of them. */
const MAX_FINDINGS_PER_RULE = 50;
const MAX_FINDING_CHARS = 500;
const MAX_FIX_CHARS = 4000;

export function renderSummary(report: Report, options: SummaryOptions): string {
  return renderWithBudget(report, options, SUMMARY_BYTE_BUDGET);
}

/** The budget is a parameter so tests can exercise the fitting without megabytes of fixtures. */
export function renderWithBudget(report: Report, options: SummaryOptions, budgetBytes: number): string {
  const safe = redactReport(report, options.redactor);
  const docsBaseUrl = options.docsBaseUrl && options.redactor.redact(options.docsBaseUrl);
  const runUrl = options.runUrl && options.redactor.redact(options.runUrl);
  const page: Page = {
    verdict: verdictBlock(safe),
    tables: sectionTables(safe).join('\n'),
    blocks: groupBySection(safe.rules)
      .flatMap((group) => group.rules)
      .filter((rule) => needsAttention(rule) || rule.waived)
      .map((rule) => detailBlock(rule, docsBaseUrl)),
    foot: runUrl ? `\n${link('Workflow run', runUrl)}\n` : '',
  };
  return fitToBudget(page, budgetBytes);
}

function verdictBlock(report: Report): string {
  const icon = report.ready ? '✅' : '❌';
  const context = [
    report.target.appUrl ? codeSpan(report.target.appUrl) : '',
    formatDuration(report.durationMs),
    `${report.tool.name} ${report.tool.version}`,
  ].filter(Boolean);
  return `## ${icon} ${inlineText(verdictText(report))}\n\n${countsText(report)} — ${inlineText(context.join(', '))}\n`;
}

function sectionTables(report: Report): string[] {
  return groupBySection(report.rules).map((group) => {
    const rows = group.rules.map(
      (rule) => `| ${statusCell(rule)} | ${tableCell(codeSpan(rule.id))} | ${tableCell(clip(oneLine(rule.summary), MAX_SUMMARY_CHARS))} |`,
    );
    return [`### ${inlineText(group.title)}`, '', '| Status | Rule | Result |', '|---|---|---|', ...rows, ''].join('\n');
  });
}

function statusCell(rule: RuleReport): string {
  return `${STATUS_MARK[rule.status].emoji} ${rule.status}${rule.waived ? ', waived' : ''}`;
}

/**
 * One collapsed block per rule, split so the budget can shorten `body` (evidence and findings, which
 * can be long command output) while the header and the fix, what a person acts on, stay whole.
 */
interface DetailBlock {
  header: string;
  body: string;
  tail: string;
}

function detailBlock(rule: RuleReport, docsBaseUrl: string | undefined): DetailBlock {
  const title = `${escapeHtml(rule.title)}: ${escapeHtml(clip(oneLine(rule.summary), MAX_SUMMARY_CHARS))}`;
  const waived = rule.waived ? ' (waived)' : '';
  const header = `<details>\n<summary>${STATUS_MARK[rule.status].emoji} <code>${escapeHtml(rule.id)}</code> ${title}${waived}</summary>\n\n`;

  const body = paragraphs([rule.details ? markdownBlock(rule.details) : '', findingsList(rule.findings)]);
  const tail = paragraphs([
    rule.fix ? `**Fix:** ${markdownBlock(clip(rule.fix, MAX_FIX_CHARS))}` : '',
    rule.waiver ? waiverLine(rule) : '',
    rule.docs ? `📖 ${docsBaseUrl ? link(rule.docs, docsUrl(docsBaseUrl, rule.docs)) : codeSpan(rule.docs)}` : '',
  ]);
  return { header, body, tail: `${tail}</details>\n` };
}

/** Markdown paragraphs, each followed by a blank line (so parts can be concatenated, or dropped). */
function paragraphs(parts: string[]): string {
  return parts
    .filter(Boolean)
    .map((part) => `${part}\n\n`)
    .join('');
}

function findingsList(findings: readonly Finding[]): string {
  if (findings.length === 0) return '';
  const shown = fileFindingsFirst(findings).slice(0, MAX_FINDINGS_PER_RULE);
  const items = shown.map((f) => {
    const where = f.file ? `${codeSpan(formatLocation(f))} ` : '';
    return `- ${where}${inlineText(clip(f.message, MAX_FINDING_CHARS))}`;
  });
  const more = findings.length - shown.length;
  if (more > 0) items.push(`- … and ${plural(more, 'more finding')} (see the annotations or the JSON report)`);
  return `**Findings**\n\n${items.join('\n')}`;
}

function waiverLine(rule: RuleReport): string {
  const waiver = rule.waiver!;
  const until = waiver.until ? ` (until ${inlineText(waiver.until)})` : '';
  // An expired waiver no longer applies: the rule blocks again, and the reader should know why.
  return waiver.expired
    ? `**Waiver expired**${until}: ${inlineText(waiver.reason)}`
    : `**Waived**${until}: ${inlineText(waiver.reason)}`;
}

// ---- fitting the page to GitHub's limit ----

interface Page {
  verdict: string;
  tables: string;
  blocks: DetailBlock[];
  foot: string;
}

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

const SHORTENED = "\n\n*… shortened to fit GitHub's 1 MiB job summary; the JSON report has the full text.*\n\n";
/** Room for the shortening note plus a fence that `closeFences` may have to add after the cut. */
const SHORTENED_COST = bytes(SHORTENED) + 24;
/** Room for the note at the top that says the page was shortened. */
const NOTICE_RESERVE = 400;

function fitToBudget(page: Page, budget: number): string {
  const whole = assemble(page, page.blocks.map(fullBlock), '');
  if (bytes(whole) <= budget) return whole;

  const fixed = bytes(page.verdict) + bytes(page.tables) + bytes(page.foot) + bytes(DETAILS_HEADING) + NOTICE_RESERVE;
  // Each block costs its frame plus the newline `assemble` puts between blocks.
  const frames = page.blocks.map((b) => bytes(b.header) + bytes(b.tail) + 1);
  const bodies = page.blocks.map((b) => bytes(b.body));
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  const costAt = (cap: number): number =>
    fixed + sum(frames) + sum(bodies.map((len) => (len <= cap ? len : cap + SHORTENED_COST)));

  // Water-filling: one cap for every body, as high as the budget allows, so the longest are cut first
  // and short evidence stays whole. Binary search keeps `costAt(lo) <= budget` as its invariant.
  if (costAt(0) <= budget) {
    let lo = 0;
    let hi = bodies.reduce((a, b) => Math.max(a, b), 0);
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (costAt(mid) <= budget) lo = mid;
      else hi = mid - 1;
    }
    const cut = page.blocks.filter((_, i) => bodies[i]! > lo).length;
    const rendered = page.blocks.map((b, i) => b.header + shortenBody(b.body, bodies[i]!, lo) + b.tail);
    const notice = `> [!NOTE]\n> The details of ${plural(cut, 'rule')} were shortened to stay under GitHub's 1 MiB job summary limit; the JSON report has them in full.\n`;
    return guard(assemble(page, rendered, notice), budget);
  }

  // Even the headers and fixes do not fit (thousands of failing rules): keep blocks in order while they
  // fit, without bodies, and say how many were left out.
  let room = budget - fixed;
  const kept: string[] = [];
  for (const [i, b] of page.blocks.entries()) {
    if (frames[i]! > room) break;
    room -= frames[i]!;
    kept.push(b.header + b.tail);
  }
  const omitted = page.blocks.length - kept.length;
  const notice = `> [!NOTE]\n> To stay under GitHub's 1 MiB job summary limit, evidence is left out${
    omitted ? ` and the details of ${plural(omitted, 'rule')} are not shown` : ''
  }; the JSON report has everything.\n`;
  return guard(assemble(page, kept, notice), budget);
}

const DETAILS_HEADING = '\n### Details\n\n';

function fullBlock(block: DetailBlock): string {
  return block.header + block.body + block.tail;
}

/** The verdict stays first; a note about shortening goes right under it, where it is seen. */
function assemble(page: Page, blocks: string[], notice: string): string {
  const details = blocks.length ? DETAILS_HEADING + blocks.join('\n') : '';
  return [page.verdict, notice, page.tables].filter(Boolean).join('\n') + details + page.foot;
}

function shortenBody(body: string, length: number, cap: number): string {
  if (length <= cap) return body;
  return markdownBlock(truncateBytes(body, cap)) + SHORTENED;
}

/** Cuts UTF-8 text to at most `max` bytes without leaving half a character. */
function truncateBytes(text: string, max: number): string {
  return Buffer.from(text, 'utf8').subarray(0, max).toString('utf8').replace(/\uFFFD+$/, '');
}

/** Last resort, should the estimates above ever be wrong: a hard cut at a line boundary. */
function guard(text: string, budget: number): string {
  if (bytes(text) <= budget) return text;
  const note = '\n\n*… cut to fit GitHub\'s 1 MiB job summary.*\n';
  const cut = truncateBytes(text, budget - bytes(note) - 8);
  return `${cut.slice(0, Math.max(0, cut.lastIndexOf('\n')))}${note}`;
}
