/**
 * The one piece of header grammar several header rules share: splitting a value on a separator that
 * is not inside a quoted-string (RFC 9110 §5.6.4: `"…"` with `\` escapes). Fetch splits a combined
 * header on `,` this way (security.headers), RFC 6797 splits HSTS directives on `;` (security.hsts).
 */

/** The parts of `text` between `separator`s outside quoted strings, untrimmed, quotes kept. */
export function splitOutsideQuotes(text: string, separator: ',' | ';'): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '\\' && i + 1 < text.length) {
      current += c + text[++i];
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === separator && !quoted) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}
