/**
 * Text from outside is data, never commands. The Actions runner reads the step's stdout line by line
 * and runs two kinds of workflow commands (actions/runner, ActionCommandManager):
 *
 * - `::name props::data`, when the line starts with `::` after leading whitespace is trimmed;
 * - the legacy `##[name props]data`, found anywhere in the line.
 *
 * Both include `stop-commands` (every later annotation, mask and the step's own failure ignored),
 * `add-mask`, `error`/`warning`/`notice`, `group`. So every line the gate prints that carries text it
 * does not control (a variable, a response, a row, an error message) goes through `workflowSafeLines`:
 * multi-line text is split here, and no resulting line can be read as a command. The gate's own
 * commands go through @actions/core, which escapes their data.
 *
 * Output of the user's own install, migrate and build commands is not changed: it is their code, as
 * in a `run:` step, and their tools may mean to annotate (tsc and eslint formatters do).
 */

// Control characters (all but tab) and invisible format characters (zero-width space, soft hyphen,
// bidi overrides): a terminal or the runner's string comparison may not see them, so a check for `::`
// could be fooled by `:\u200B:`, and a bidi override can make a line read differently than it is.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const HIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\p{Cf}]/gu;

/** Marks a line that would otherwise start a workflow command; visible, so the reader knows why. */
export const COMMAND_QUOTE = '› ';

/** One line as it may be printed: hidden characters removed, never a workflow command. */
export function workflowSafeLine(line: string): string {
  let safe = line.replace(HIDDEN, '');
  // `##[` anywhere is the legacy command syntax; a space breaks it without hiding the text.
  safe = safe.replaceAll('##[', '## [');
  if (safe.trimStart().startsWith('::')) safe = COMMAND_QUOTE + safe.trimStart();
  return safe;
}

/** Splits text the way the runner reads lines (\n, \r\n, \r), each line made safe. */
export function workflowSafeLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/).map(workflowSafeLine);
}

/** `workflowSafeLines` joined again with \n. */
export function workflowSafeText(text: string): string {
  return workflowSafeLines(text).join('\n');
}
