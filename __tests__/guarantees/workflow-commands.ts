/**
 * The GitHub Actions runner's reading of a step's stdout, re-implemented from its source
 * (actions/runner: src/Runner.Common/ActionCommand.cs `TryParseV2` / `TryParse`, and
 * src/Runner.Worker/ActionCommandManager.cs `TryProcessCommand`), so the tests can ask of every line the
 * gate printed: would the runner have executed it?
 *
 * - Lines: the runner reads the process output with .NET's `StreamReader.ReadLine`, which ends a line at
 *   `\n`, `\r` or `\r\n`.
 * - V2 (`::name props::data`): `message.TrimStart()` (.NET `char.IsWhiteSpace`: more than ASCII spaces),
 *   then `StartsWith("::")`, the next `::` ends the command info, the name is up to the first space.
 * - V1, the legacy form (`##[name props]data`): `IndexOf("##[")` ANYWHERE in the line, the next `]`.
 * - Names are matched case-insensitively (`StringComparer.OrdinalIgnoreCase`) against the registered
 *   commands; `stop-commands` registers its token as a command until it is seen again.
 * - `StartsWith`/`IndexOf(string)` are culture-sensitive in .NET: with ICU (the runner on Linux and macOS),
 *   characters that collation ignores (controls, zero-width and other format characters) do not count,
 *   so `:\u200B:error::x` may start with `::`. Each line is therefore parsed twice, as it is and with
 *   those characters removed; a command found either way counts.
 */

/** Every command the runner registers (ActionCommandManager: its extensions, plus stop-commands). */
export const RUNNER_COMMANDS = [
  'set-env',
  'set-output',
  'save-state',
  'add-mask',
  'add-path',
  'add-matcher',
  'remove-matcher',
  'debug',
  'warning',
  'error',
  'notice',
  'group',
  'endgroup',
  'echo',
  'stop-commands',
] as const;

/** What @actions/core sends on the gate's behalf (setSecret, annotations, groups); outputs go to GITHUB_OUTPUT. */
export const GATE_COMMANDS: ReadonlySet<string> = new Set(['add-mask', 'error', 'warning', 'notice', 'group', 'endgroup', 'debug']);

export interface ParsedCommand {
  /** 1-based line number in the runner's reading. */
  line: number;
  syntax: 'v2' | 'v1';
  /** As written (the runner compares case-insensitively). */
  name: string;
  properties: Record<string, string>;
  data: string;
  /** The line as the runner read it. */
  raw: string;
  /** True when it was found only once ignorable characters were removed. */
  viaIgnorable: boolean;
}

/** `StreamReader.ReadLine`: `\n`, `\r` and `\r\n` end a line; a last line without an end still counts. */
export function runnerLines(stdout: string): string[] {
  const lines = stdout.split(/\r\n|\r|\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

// .NET char.IsWhiteSpace: U+0009–U+000D, U+0020, U+0085, U+00A0, and the Zs, Zl, Zp categories.
const DOTNET_LEADING_WHITESPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;
// What ICU collation ignores: C0/C1 controls other than the whitespace ones, format characters
// (zero-width space and joiners, bidi controls, soft hyphen, BOM, word joiner…) and the other default
// ignorable code points (variation selectors, the combining grapheme joiner, Hangul fillers, tags).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const IGNORABLE = /[\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;

const V2_DATA_ESCAPES: Array<[string, string]> = [
  ['%0D', '\r'],
  ['%0A', '\n'],
];
const V2_PROPERTY_ESCAPES: Array<[string, string]> = [
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%3A', ':'],
  ['%2C', ','],
  ['%25', '%'],
];
const V1_ESCAPES: Array<[string, string]> = [
  ['%3B', ';'],
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%5D', ']'],
  ['%25', '%'],
];

function unescape(text: string, mappings: Array<[string, string]>): string {
  let out = text;
  for (const [replacement, token] of mappings) out = out.split(replacement).join(token);
  return out;
}

function isRegistered(name: string, registered: ReadonlySet<string>): boolean {
  return registered.has(name.toLowerCase());
}

function tryParseV2(message: string, registered: ReadonlySet<string>): Omit<ParsedCommand, 'line' | 'raw' | 'viaIgnorable'> | undefined {
  const trimmed = message.replace(DOTNET_LEADING_WHITESPACE, '');
  if (!trimmed.startsWith('::')) return undefined;
  const end = trimmed.indexOf('::', 2);
  if (end < 0) return undefined;
  const info = trimmed.slice(2, end);
  const space = info.indexOf(' ');
  const name = space < 0 ? info : info.slice(0, space);
  if (!isRegistered(name, registered)) return undefined;
  const properties: Record<string, string> = {};
  if (space > 0) {
    for (const part of info.slice(space + 1).trim().split(',').filter(Boolean)) {
      const at = part.indexOf('=');
      if (at > 0 && at < part.length - 1) properties[part.slice(0, at)] = unescape(part.slice(at + 1), V2_PROPERTY_ESCAPES);
    }
  }
  return { syntax: 'v2', name, properties, data: unescape(trimmed.slice(end + 2), V2_DATA_ESCAPES) };
}

function tryParseV1(message: string, registered: ReadonlySet<string>): Omit<ParsedCommand, 'line' | 'raw' | 'viaIgnorable'> | undefined {
  const prefix = message.indexOf('##[');
  if (prefix < 0) return undefined;
  const rb = message.indexOf(']', prefix);
  if (rb < 0) return undefined;
  const info = message.slice(prefix + 3, rb);
  const space = info.indexOf(' ');
  const name = space < 0 ? info : info.slice(0, space);
  if (!isRegistered(name, registered)) return undefined;
  const properties: Record<string, string> = {};
  if (space > 0) {
    for (const part of info.slice(space + 1).split(';').filter(Boolean)) {
      const at = part.indexOf('=');
      if (at > 0 && at < part.length - 1) properties[part.slice(0, at)] = unescape(part.slice(at + 1), V1_ESCAPES);
    }
  }
  return { syntax: 'v1', name, properties, data: unescape(message.slice(rb + 1), V1_ESCAPES) };
}

/**
 * Every line of `stdout` the runner would execute as a workflow command, in order. After a
 * `stop-commands`, the runner executes nothing but the resume token; the parse goes on regardless
 * (a test wants every command, and any stop-commands is already a failure).
 */
export function parseWorkflowCommands(stdout: string): ParsedCommand[] {
  const registered = new Set<string>(RUNNER_COMMANDS);
  const commands: ParsedCommand[] = [];
  runnerLines(stdout).forEach((raw, index) => {
    if (!raw) return;
    const stripped = raw.replace(IGNORABLE, '');
    const direct = tryParseV2(raw, registered) ?? tryParseV1(raw, registered);
    const found = direct ?? (stripped !== raw ? (tryParseV2(stripped, registered) ?? tryParseV1(stripped, registered)) : undefined);
    if (!found) return;
    if (found.name.toLowerCase() === 'stop-commands' && found.data) registered.add(found.data.toLowerCase());
    commands.push({ ...found, line: index + 1, raw, viaIgnorable: !direct });
  });
  return commands;
}

export interface UnsafeCommand extends ParsedCommand {
  why: string;
}

/**
 * The commands the gate did not mean to send. @actions/core writes its commands at the start of a line
 * in the V2 form, with names from GATE_COMMANDS; an injected payload carries a marker (`markerPattern`)
 * at the start of its data. Anything else parsed from the log is someone else's command. (An annotation
 * of the gate's whose escaped properties or data quote a payload is still one command, the gate's.)
 */
export function unintendedCommands(stdout: string, markerPattern: RegExp): UnsafeCommand[] {
  const out: UnsafeCommand[] = [];
  for (const c of parseWorkflowCommands(stdout)) {
    const name = c.name.toLowerCase();
    let why: string | undefined;
    if (name === 'stop-commands') why = 'stop-commands silences every later command';
    else if (c.syntax === 'v1') why = 'the legacy ##[ form, which @actions/core never writes';
    else if (c.viaIgnorable) why = 'a command hidden behind characters collation ignores';
    else if (!GATE_COMMANDS.has(name)) why = `"${c.name}" is not a command the gate sends`;
    else if (!c.raw.startsWith('::')) why = 'a command after leading whitespace (@actions/core writes commands at column 0)';
    else if (c.name !== name) why = 'a command name in other case than @actions/core writes';
    else if (new RegExp(`^\\s*(?:${markerPattern.source})`).test(c.data)) why = 'its data starts with an injected payload marker';
    if (why) out.push({ ...c, why });
  }
  return out;
}
