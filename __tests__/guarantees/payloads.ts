/**
 * Workflow-command injection payloads: what a hostile variable, response, row or Stripe object name
 * would carry to act on the runner through the gate's log. Each payload carries a marker
 * (`INJ<kind>P<place>X`) so a command parsed from the log can be traced to where it was injected.
 */

export interface PayloadKind {
  name: string;
  build(marker: string): string;
  /** Carries a NUL character (impossible in an environment variable). */
  nul?: boolean;
}

/** The markers of every payload: a parsed command whose data starts with one was injected. */
export const MARKER_PATTERN = /INJ\d+P\d+X/;

export function marker(kind: number, place: number): string {
  return `INJ${kind}P${place}X`;
}

export const PAYLOAD_KINDS: readonly PayloadKind[] = [
  { name: 'stop-commands after a newline', build: (m) => `\n::stop-commands::${m}` },
  { name: 'add-mask after a newline', build: (m) => `\n::add-mask::${m}` },
  { name: 'error annotation after a newline', build: (m) => `\n::error::${m}` },
  { name: 'notice with properties', build: (m) => `\n::notice title=${m}::${m}` },
  { name: 'warning with a file property', build: (m) => `\n::warning file=${m}.ts,line=1::${m}` },
  { name: 'group', build: (m) => `\n::group::${m}` },
  { name: 'set-output', build: (m) => `\n::set-output name=ready::${m}` },
  { name: 'echo on', build: (m) => `\n::echo::on${m}` },
  { name: 'a lone CR ends the line', build: (m) => `\r::error::${m}` },
  { name: 'CRLF then leading blanks', build: (m) => `\r\n \t::error::${m}` },
  { name: 'leading Unicode spaces (.NET TrimStart)', build: (m) => `\n\u00a0\u2003\u3000::error::${m}` },
  { name: 'NEL before the colons', build: (m) => `\n\u0085::add-mask::${m}` },
  { name: 'zero-width space between the colons', build: (m) => `\n:\u200b:error::${m}` },
  { name: 'zero-width characters before the colons', build: (m) => `\n\u200b\u2060::add-mask::${m}` },
  { name: 'variation selector between the colons', build: (m) => `\n:\ufe0f:error::${m}` },
  { name: 'bidi override before the colons', build: (m) => `\n\u202e::notice::${m}` },
  { name: 'upper-case command name', build: (m) => `\n::ERROR::${m}` },
  { name: 'percent-encoded newline', build: (m) => `%0A::error::${m}` },
  { name: 'legacy ##[error] mid-line', build: (m) => ` ##[error]${m}` },
  { name: 'legacy ##[stop-commands] mid-line', build: (m) => ` ##[stop-commands]${m}` },
  { name: 'legacy form split by a zero-width space', build: (m) => ` #\u200b#[error]${m}` },
  { name: 'legacy form split by a variation selector', build: (m) => ` #\ufe0f#[add-mask]${m}` },
  { name: 'NUL before the colons', build: (m) => `\n\u0000::error::${m}`, nul: true },
];

export interface InjectOptions {
  /** Leave out payloads with NUL (environment variables cannot hold one). */
  noNul?: boolean;
  /** Leave out every payload with a line break or control character (a header value, a URL path). */
  singleLine?: boolean;
  /** Only ISO-8859-1 characters (what an HTTP header value may carry). */
  latin1?: boolean;
  /** No whitespace at all (a config path, `/\S*`): leading spaces are dropped, payloads with others left out. */
  noSpace?: boolean;
}

export interface Injection {
  value: string;
  kinds: number;
}

/** Every payload kind (that `options` allow), each marked for `place`. */
export function payloadTexts(place: number, options: InjectOptions = {}): string[] {
  const texts: string[] = [];
  PAYLOAD_KINDS.forEach((kind, index) => {
    if (options.noNul && kind.nul) return;
    let text = kind.build(marker(index, place));
    if (options.noSpace) text = text.trimStart();
    // eslint-disable-next-line no-control-regex -- the point is to know which payloads hold controls
    if (options.singleLine && /[\u0000-\u001f\u007f-\u009f]/.test(text)) return;
    if (options.latin1 && /[^\t\x20-\xff]/.test(text)) return;
    if (options.noSpace && /\s/.test(text)) return;
    texts.push(text);
  });
  return texts;
}

/** `base` followed by every payload kind, each marked for `place`. */
export function inject(base: string, place: number, options: InjectOptions = {}): Injection {
  const texts = payloadTexts(place, options);
  return { value: base + texts.join(''), kinds: texts.length };
}

/** The payloads in values of at most `maxLength` characters, each starting with `base` (a column of limited width). */
export function injectChunks(base: string, place: number, maxLength: number, options: InjectOptions = {}): { values: string[]; kinds: number } {
  const texts = payloadTexts(place, options);
  const values: string[] = [];
  for (const text of texts) {
    if (values.length && values.at(-1)!.length + text.length <= maxLength) values[values.length - 1] += text;
    else values.push(base + text);
  }
  return { values, kinds: texts.length };
}

/** The places (by number) whose marker appears in `text`. */
export function markersIn(text: string): Set<number> {
  const places = new Set<number>();
  for (const match of text.matchAll(/INJ\d+P(\d+)X/g)) places.add(Number(match[1]));
  return places;
}
