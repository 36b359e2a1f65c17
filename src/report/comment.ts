/**
 * The pull-request comment: the verdict and what needs attention, short enough to read in a PR, with a
 * link to the run for everything else. main.ts finds the previous comment by `COMMENT_MARKER` and
 * updates it in place, so the marker must stay the first line and never change.
 */
import type { Report, RuleReport } from '../engine/types.js';
import type { Redactor } from '../redact.js';
import { STATUS_MARK, clip, countsText, groupBySection, needsAttention, oneLine, plural, redactReport, verdictText } from './common.js';
import { codeSpan, inlineText, link } from './markdown.js';

export const COMMENT_MARKER = '<!-- production-readiness-gate -->';

export interface CommentOptions {
  redactor: Redactor;
  runUrl?: string;
}

/** GitHub refuses comments over 65,536 characters; the margin covers the footer and the marker. */
export const COMMENT_CHAR_BUDGET = 60_000;
const MAX_SUMMARY_CHARS = 200;

export function renderComment(report: Report, options: CommentOptions): string {
  const safe = redactReport(report, options.redactor);
  const runUrl = options.runUrl && options.redactor.redact(options.runUrl);
  const icon = safe.ready ? '✅' : '❌';
  const head = [
    COMMENT_MARKER,
    `### ${icon} Production readiness — ${inlineText(verdictText(safe))}`,
    '',
    countsText(safe),
    '',
  ].join('\n');
  const foot = `\n${runUrl ? `${link('Full report in the workflow run', runUrl)} · ` : ''}${inlineText(
    `${safe.tool.name} ${safe.tool.version}, ${safe.startedAt}`,
  )}\n`;

  // Failures first, then warnings, then waived rules: the order of what a reviewer must act on.
  const attention = groupBySection(safe.rules).flatMap((g) => g.rules).filter(needsAttention);
  const ordered = [
    ...attention.filter((r) => r.status === 'fail' && !r.waived),
    ...attention.filter((r) => r.status === 'warn' && !r.waived),
    ...attention.filter((r) => r.waived),
  ];

  const items: string[] = [];
  let room = COMMENT_CHAR_BUDGET - head.length - foot.length - 200;
  for (const rule of ordered) {
    const item = listItem(rule);
    if (item.length + 1 > room) break;
    items.push(item);
    room -= item.length + 1;
  }
  const left = ordered.length - items.length;
  if (left > 0) items.push(`- … and ${plural(left, 'more rule')}: see the workflow run`);
  return `${head}${items.length ? `${items.join('\n')}\n` : ''}${foot}`;
}

function listItem(rule: RuleReport): string {
  const waived = rule.waived ? ` *(waived${rule.waiver ? `: ${inlineText(clip(rule.waiver.reason, MAX_SUMMARY_CHARS))}` : ''})*` : '';
  return `- ${STATUS_MARK[rule.status].emoji} ${codeSpan(rule.id)} ${inlineText(clip(oneLine(rule.summary), MAX_SUMMARY_CHARS))}${waived}`;
}
