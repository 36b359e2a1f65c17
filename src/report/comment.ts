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
  clip,
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
  const head = [COMMENT_MARKER, `### ${icon} Production readiness — ${inlineText(verdictText(safe))}`, '', countsText(safe), ''].join('\n');
  const foot = `\n${runUrl ? `${link('Full report in the workflow run', runUrl)} · ` : ''}${inlineText(
    `${safe.tool.name} ${safe.tool.version}, ${safe.startedAt}`,
  )}\n`;

  const ordered = groupBySection(safe.rules).flatMap((g) => g.rules);
  const blocking = ordered.filter((r) => isBlocking(r, safe.failOn));
  const notBlocking = ordered.filter((r) => !isBlocking(r, safe.failOn) && needsAttention(r));
  const others = [...notBlocking.filter((r) => !r.waived), ...notBlocking.filter((r) => r.waived)];

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
    const { kept, left } = take(blocking.map((r) => blockingItem(r, baseUrl)));
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
  return `${head}${body ? `\n${body}` : ''}${foot}`;
}

/**
 * `- ❌ id result`, then the fix and the first places as paragraphs of the item (indented, after a
 * blank line: a plain next line would run on in the same paragraph).
 */
function blockingItem(rule: RuleReport, baseUrl: string | undefined): string {
  const parts = [`- ${STATUS_MARK[rule.status].emoji} ${codeSpan(rule.id)} ${inlineText(clip(oneLine(rule.summary), MAX_SUMMARY_CHARS))}`];
  if (rule.fix) parts.push(`  **Fix:** ${inlineText(clip(oneLine(rule.fix), MAX_FIX_CHARS))}`);
  if (rule.waiver?.expired) parts.push(`  *Waiver expired${rule.waiver.until ? ` on ${inlineText(rule.waiver.until)}` : ''}: ${inlineText(clip(rule.waiver.reason, MAX_SUMMARY_CHARS))}*`);
  const places = rule.findings.filter(hasFile);
  const links = places.slice(0, MAX_LINKS).map((f) => {
    const place = formatLocation(f);
    const where = baseUrl ? codeLink(place, fileUrl(baseUrl, f)) : codeSpan(place);
    return `  - ${where} ${inlineText(clip(oneLine(f.message), MAX_SUMMARY_CHARS))}`;
  });
  if (places.length > MAX_LINKS) links.push(`  - … and ${plural(places.length - MAX_LINKS, 'more place')} in the run's annotations`);
  if (links.length) parts.push(links.join('\n'));
  return parts.join('\n\n');
}

function listItem(rule: RuleReport): string {
  const waived = rule.waived ? ` *(waived${rule.waiver ? `: ${inlineText(clip(rule.waiver.reason, MAX_SUMMARY_CHARS))}` : ''})*` : '';
  return `- ${STATUS_MARK[rule.status].emoji} ${codeSpan(rule.id)} ${inlineText(clip(oneLine(rule.summary), MAX_SUMMARY_CHARS))}${waived}`;
}
