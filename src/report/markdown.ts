/**
 * GitHub-flavoured markdown helpers shared by the job summary and the PR comment. Rule text comes from
 * the app's files, HTTP responses and command output, so it must not be able to open a tag, break a
 * table row or swallow the rest of the page in an unclosed code fence.
 */

/** Inline text (a table cell, a list item, a `<summary>`): one line, no tags. */
export function inlineText(text: string): string {
  return escapeTags(text.replace(/\s*[\r\n]+\s*/g, ' ').trim());
}

/** A table cell: inline text with `|` escaped (GFM needs `\|` even inside code spans). */
export function tableCell(text: string): string {
  return inlineText(text).replace(/\|/g, '\\|');
}

/**
 * Neutralises what looks like an HTML tag or comment start (`<x`, `</x`, `<!`, `<?`), and nothing else:
 * escaping every `<` or `&` would garble code spans, where entities are shown literally.
 */
export function escapeTags(text: string): string {
  return text.replace(/<(?=[A-Za-z/!?])/g, '&lt;');
}

/** Escapes text for an HTML context such as `<summary>` or `<code>`, where markdown does not apply. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A code span that survives backticks in its content (CommonMark: use a longer backtick run). */
export function codeSpan(text: string): string {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const ticks = '`'.repeat(longestRun + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${text}${pad}${ticks}`;
}

/**
 * A block of rule-written markdown (details, fix) placed inside `<details>`: the tags that would end the
 * block early are neutralised, and an unclosed code fence is closed so it cannot swallow what follows.
 */
export function markdownBlock(text: string): string {
  const safe = text.replace(/<(?=\/?(details|summary)\b)/gi, '&lt;');
  return closeFences(safe);
}

/** Appends a closing fence when the text opens more ``` / ~~~ fences than it closes. */
export function closeFences(text: string): string {
  let open: string | undefined;
  for (const line of text.split('\n')) {
    const fence = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (!fence) continue;
    if (open === undefined) open = fence;
    else if (fence[0] === open[0] && fence.length >= open.length && line.trim() === fence) open = undefined;
  }
  return open === undefined ? text : `${text}\n${open}`;
}

/** A link whose text is a code span (a file:line): backticks bind tighter than the brackets. */
export function codeLink(code: string, url: string): string {
  return `[${codeSpan(code.replace(/\s*[\r\n]+\s*/g, " "))}](${url.replace(/[()\s]/g, encodeURIComponent)})`;
}

/** A markdown link whose text cannot break out of the brackets. */
export function link(text: string, url: string): string {
  return `[${inlineText(text).replace(/[[\]]/g, '\\$&')}](${url.replace(/[()\s]/g, encodeURIComponent)})`;
}

/**
 * Inline text for an HTML context where markdown is not parsed (`<summary>`): one line, HTML-escaped,
 * with markdown code spans turned into `<code>` so they do not show their backticks.
 */
export function inlineHtml(text: string): string {
  const flat = text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  let out = '';
  let rest = flat;
  for (;;) {
    const open = /`+/.exec(rest);
    if (!open) break;
    const ticks = open[0];
    // The closing run must have the same length (CommonMark); an unmatched run is literal text.
    const close = new RegExp(`(?<!\`)${ticks}(?!\`)`).exec(rest.slice(open.index + ticks.length));
    if (!close) {
      out += escapeHtml(rest.slice(0, open.index + ticks.length));
      rest = rest.slice(open.index + ticks.length);
      continue;
    }
    let code = rest.slice(open.index + ticks.length, open.index + ticks.length + close.index);
    if (/^ .*[^ ].* $/.test(code)) code = code.slice(1, -1);
    out += `${escapeHtml(rest.slice(0, open.index))}<code>${escapeHtml(code)}</code>`;
    rest = rest.slice(open.index + ticks.length + close.index + ticks.length);
  }
  return out + escapeHtml(rest);
}
