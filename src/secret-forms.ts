/**
 * The forms a secret value travels in once a program has touched it: raw, URL-encoded, base64 (standard
 * and URL-safe, padded or not, and inside a longer base64 text at each of the three byte alignments),
 * hex in both cases, and JSON/JS string escapes. One list, used by the redactor (so no report or log
 * shows a secret in any of these forms) and by the committed-secrets scan (so the run's own values are
 * found however a file holds them).
 */

/** Every form of `secret` a reporter must not show and a scanner must find, longest first, deduplicated. */
export function secretForms(secret: string): string[] {
  if (!secret) return [];
  const bytes = Buffer.from(secret, 'utf8');
  const forms = new Set<string>([secret]);
  forms.add(encodeURIComponent(secret));
  // encodeURI keeps `:/?#&=+` as they are (a secret inside a URL that was encoded as a whole).
  forms.add(encodeURI(secret));
  // application/x-www-form-urlencoded: spaces as '+'.
  forms.add(new URLSearchParams({ x: secret }).toString().slice(2));
  for (const form of base64Forms(bytes)) forms.add(form);
  const hex = bytes.toString('hex');
  forms.add(hex);
  forms.add(hex.toUpperCase());
  for (const form of escapedForms(secret)) forms.add(form);
  return [...forms].sort((a, b) => b.length - a.length);
}

/**
 * Base64 of the value alone, and the part of it that stays the same wherever the value sits inside a
 * longer base64 text: with `offset` bytes before it (0, 1 or 2 modulo 3), the characters that also
 * carry bits of the neighbouring bytes are dropped at both ends.
 */
export function base64Forms(bytes: Buffer): string[] {
  const out: string[] = [];
  for (const alphabet of ['base64', 'base64url'] as const) {
    const whole = bytes.toString(alphabet);
    out.push(whole, whole.replace(/=+$/, ''));
    for (let offset = 0; offset < 3; offset++) {
      const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString(alphabet).replace(/=+$/, '');
      const start = Math.ceil((offset * 8) / 6);
      const end = Math.floor(((offset + bytes.length) * 8) / 6);
      if (end > start) out.push(encoded.slice(start, end));
    }
  }
  return out;
}

/** JSON and JavaScript string escapes: `"`, `\`, `/` as `\/`, control characters, non-ASCII as `\uXXXX`. */
function escapedForms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const slashes = json.replace(/\//g, '\\/');
  const ascii = (text: string) => text.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  // Single-quoted JS strings escape the quote instead.
  const single = secret.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
  return [json, slashes, ascii(json), ascii(slashes), single];
}
