/**
 * The pull-request comment: the verdict, then each blocking rule with its result, its fix and links to
 * the lines at the PR's head commit, then the warnings collapsed; a link to the run for the rest.
 * main.ts finds the previous comment by `COMMENT_MARKER` and updates it in place, so the marker must
 * stay the first line and never change.
 */
import type { Report, RuleReport } from '../engine/types.js';
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
  fileUrl,
  formatLocation,
  groupBySection,
  hasFile,
  isBlocking,
  needsAttention,
  oneLine,
  plural,
  redactReport,
  verdictText,
} from './common.js';
import { codeLink, codeSpan, inlineText, link } from './markdown.js';

export const COMMENT_MARKER = '<!-- production-readiness-gate -->';

export interface CommentOptions {
  redactor: Redactor;
  runUrl?: string;
  /** Blob URL prefix of the PR's head commit (`https://github.com/o/r/blob/<sha>/`): findings link to their lines. */
  blobBaseUrl?: string;
}

/** GitHub refuses comments over 65,536 characters; the margin covers the footer and the marker. */
export const COMMENT_CHAR_BUDGET = 60_000;
const MAX_SUMMARY_CHARS = 200;
const MAX_FIX_CHARS = 600;
/** File links per rule: the first few places; the run's annotations have every one. */
const MAX_LINKS = 5;

export function renderComment(report: Report, options: CommentOptions): string {
  const safe = redactReport(report, options.redactor);
  const runUrl = options.runUrl && options.redactor.redact(options.runUrl);
  const baseUrl = options.blobBaseUrl && options.redactor.redact(options.blobBaseUrl);
  const icon = safe.ready ? '✅' : '❌';
  const head = [COMMENT_MARKER, `### ${icon} Production readiness — ${inlineText(verdictText(safe))}`, '', ...comparisonLines(safe), countsText(safe), ''].join('\n');
  const foot = `\n${runUrl ? `${link('Full report in the workflow run', runUrl)} · ` : ''}${inlineText(
    `${safe.tool.name} ${safe.tool.version}, ${safe.startedAt}`,
  )}\n`;

  const ordered = groupBySection(safe.rules).flatMap((g) => g.rules);
  const compared = safe.baseline?.made ? safe.baseline : undefined;
  const subject = compared?.subject ?? '';
  const shown = (rule: RuleReport): RuleReport => (compared ? { ...rule, findings: actionableFindings(rule) } : rule);
  const blocking = ordered.filter((r) => isBlocking(r, safe.failOn));
  const notBlocking = ordered.filter((r) => !isBlocking(r, safe.failOn) && needsAttention(r));
  // Compared with a base, what the change did not introduce goes to its own collapsed sections.
  const introducedSomething = (r: RuleReport) =>
    r.comparison?.verdict !== 'new' || actionableFindings(r).length > 0 || r.comparison.ruleStatus === 'new' || r.comparison.ruleStatus === 'updated';
  const attention = compared ? notBlocking.filter((r) => r.comparison?.verdict !== 'listed' && introducedSomething(r)) : notBlocking;
  const others = [...attention.filter((r) => !r.waived), ...attention.filter((r) => r.waived)];

  let room = COMMENT_CHAR_BUDGET - head.length - foot.length - 400;
  const take = (items: string[]): { kept: string[]; left: number } => {
    const kept: string[] = [];
    for (const item of items) {
      if (item.length + 1 > room) break;
      kept.push(item);
      room -= item.length + 1;
    }
    return { kept, left: items.length - kept.length };
  };

  let body = '';
  if (blocking.length) {
    const { kept, left } = take(blocking.map((r) => blockingItem(shown(r), baseUrl, subject)));
    const more = left > 0 ? `\n- … and ${plural(left, 'more blocking rule')}: see the workflow run` : '';
    body += `**Fix first**\n\n${kept.join('\n\n')}${more}\n\n`;
  }
  if (others.length) {
    const label = others.some((r) => r.waived) ? 'warnings and waived rules' : plural(others.length, 'warning');
    const { kept, left } = take(others.map(listItem));
    const more = left > 0 ? `\n- … and ${plural(left, 'more rule')}: see the workflow run` : '';
    const title = others.some((r) => r.waived) ? `${others.length} ${label}` : label;
    body += `<details>\n<summary>⚠️ ${title}</summary>\n\n${kept.join('\n')}${more}\n\n</details>\n`;
  }
  if (compared) {
    const base = baseName(safe);
    const already = ordered.filter((r) => existingFindings(r).length > 0 || r.comparison?.ruleStatus === 'existing');
    if (already.length) {
      const { kept, left } = take(already.map((r) => existingItem(r, base)));
      const more = left > 0 ? `\n- … and ${plural(left, 'more rule')}: see the workflow run` : '';
      body += `\n<details>\n<summary>📋 ${plural(compared.counts.existing, 'finding')} already on ${codeSpan(base)}, not blocking ${inlineText(subject)}</summary>\n\n${kept.join('\n')}${more}\n\n</details>\n`;
    }
    const environment = notBlocking.filter((r) => r.comparison?.verdict === 'listed');
    if (environment.length) {
      const { kept, left } = take(environment.map(listItem));
      const more = left > 0 ? `\n- … and ${plural(left, 'more rule')}: see the workflow run` : '';
      body += `\n<details>\n<summary>🌐 Environment: ${plural(environment.length, 'rule')} ${inlineText(subject)} cannot have caused, not blocking it</summary>\n\n${kept.join('\n')}${more}\n\n</details>\n`;
    }
  }
  return `${head}${body ? `\n${body}` : ''}${foot}`;
}

/** Under the verdict: what the run compared with and the three counts, the change's own exceptions; or why nothing was compared. */
function comparisonLines(report: Report): string[] {
  const b = report.baseline;
  if (!b) return [];
  const base = codeSpan(inlineText(baseName(report)));
  if (!b.made) return [`> [!WARNING]`, `> **Not compared with ${base}**: ${inlineText(clip(b.reason ?? 'no base', 400))}. Every finding is judged.${b.fix ? ` **Fix:** ${inlineText(clip(b.fix, 400))}` : ''}`, ''];
  const lines = [`**${b.counts.new + b.counts.updated} introduced by ${inlineText(b.subject)}** · ${b.counts.existing} already on ${base} · ${b.counts.fixed} fixed`, ''];
  if (b.addedExceptions.length) {
    lines.push('> [!WARNING]', `> **Exceptions added by ${inlineText(b.subject)}** (the gate applies them):`);
    for (const e of b.addedExceptions.slice(0, 10)) lines.push(`> - ${inlineText(clip(e.text, 200))}`);
    if (b.addedExceptions.length > 10) lines.push(`> - … and ${b.addedExceptions.length - 10} more`);
    lines.push('');
  }
  for (const warning of b.warnings.slice(0, 5)) lines.push('> [!NOTE]', `> ${inlineText(clip(warning, 600))}`, '');
  return lines;
}

/** `- ❌ id 3 findings already on main`, with the first places. */
function existingItem(rule: RuleReport, base: string): string {
  const existing = existingFindings(rule);
  const what = existing.length ? plural(existing.length, 'finding') : inlineText(clip(oneLine(rule.summary), MAX_SUMMARY_CHARS));
  const places = existing.filter(hasFile).slice(0, 3).map((f) => codeSpan(formatLocation(f)));
  const more = existing.filter(hasFile).length > 3 ? ', …' : '';
  return `- ${STATUS_MARK[rule.status].emoji} ${codeSpan(rule.id)} ${what} already on ${codeSpan(base)}${places.length ? `: ${places.join(', ')}${more}` : ''}`;
}

/**
 * `- ❌ id result`, then the fix and the first places as paragraphs of the item (indented, after a
 * blank line: a plain next line would run on in the same paragraph).
 */
function blockingItem(rule: RuleReport, baseUrl: string | undefined, subject = ''): string {
  const parts = [`- ${STATUS_MARK[rule.status].emoji} ${codeSpan(rule.id)} ${inlineText(clip(oneLine(introducedSummary(rule, subject)), MAX_SUMMARY_CHARS))}`];
  if (rule.fix) parts.push(`  **Fix:** ${inlineText(clip(oneLine(rule.fix), MAX_FIX_CHARS))}`);
  if (rule.waiver?.expired) parts.push(`  *Waiver expired${rule.waiver.until ? ` on ${inlineText(rule.waiver.until)}` : ''}: ${inlineText(clip(rule.waiver.reason, MAX_SUMMARY_CHARS))}*`);
  const places = rule.findings.filter(hasFile);
  const links = places.slice(0, MAX_LINKS).map((f) => {
    const place = formatLocation(f);
    const where = baseUrl ? codeLink(place, fileUrl(baseUrl, f)) : codeSpan(place);
    const note = subject ? statusNote(f, subject) : '';
    return `  - ${f.status === 'new' ? '🆕 ' : f.status === 'updated' ? '⬆️ ' : ''}${where} ${inlineText(clip(oneLine(f.message), MAX_SUMMARY_CHARS))}${note ? ` *(${inlineText(note)})*` : ''}`;
  });
  if (places.length > MAX_LINKS) links.push(`  - … and ${plural(places.length - MAX_LINKS, 'more place')} in the run's annotations`);
  if (links.length) parts.push(links.join('\n'));
  return parts.join('\n\n');
}

function listItem(rule: RuleReport): string {
  const waived = rule.waived ? ` *(waived${rule.waiver ? `: ${inlineText(clip(rule.waiver.reason, MAX_SUMMARY_CHARS))}` : ''})*` : '';
  return `- ${STATUS_MARK[rule.status].emoji} ${codeSpan(rule.id)} ${inlineText(clip(oneLine(rule.summary), MAX_SUMMARY_CHARS))}${waived}`;
}
