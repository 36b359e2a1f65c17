/**
 * The forms a secret value travels in once a program has touched it: raw, URL-encoded, base64 (standard
 * and URL-safe, padded or not, and inside a longer base64 text at each of the three byte alignments),
 * hex in both cases, and JSON/JS string escapes. One list, used by the redactor (so no report or log
 * shows a secret in any of these forms) and by the committed-secrets scan (so the run's own values are
 * found however a file holds them).
 */

/** How a form was made from the secret, as a finding names it ("base64-encoded"); undefined for the raw value. */
export type SecretEncoding = 'URL-encoded' | 'base64-encoded' | 'base64url-encoded' | 'hex-encoded' | 'JSON/JS-escaped';

/** One form of a secret and the encoding that made it. */
export interface SecretForm {
  form: string;
  encoding?: SecretEncoding;
}

/** Every form of `secret` a reporter must not show and a scanner must find, longest first, deduplicated. */
export function secretForms(secret: string): string[] {
  return labelledSecretForms(secret).map((f) => f.form);
}

/** `secretForms` with the encoding of each form (the first encoding that makes it, raw first). */
export function labelledSecretForms(secret: string): SecretForm[] {
  if (!secret) return [];
  const bytes = Buffer.from(secret, 'utf8');
  const forms = new Map<string, SecretEncoding | undefined>([[secret, undefined]]);
  const add = (form: string, encoding: SecretEncoding) => {
    if (!forms.has(form)) forms.set(form, encoding);
  };
  const url = encodeURIComponent(secret);
  add(url, 'URL-encoded');
  // Percent-encoding is case-insensitive: some encoders write `%2f`.
  add(url.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()), 'URL-encoded');
  // encodeURI keeps `:/?#&=+` as they are (a secret inside a URL that was encoded as a whole).
  add(encodeURI(secret), 'URL-encoded');
  // application/x-www-form-urlencoded: spaces as '+'.
  add(new URLSearchParams({ x: secret }).toString().slice(2), 'URL-encoded');
  for (const alphabet of ['base64', 'base64url'] as const) {
    for (const form of base64Forms(bytes, alphabet)) add(form, alphabet === 'base64' ? 'base64-encoded' : 'base64url-encoded');
  }
  const hex = bytes.toString('hex');
  add(hex, 'hex-encoded');
  add(hex.toUpperCase(), 'hex-encoded');
  for (const form of escapedForms(secret)) add(form, 'JSON/JS-escaped');
  return [...forms].map(([form, encoding]) => ({ form, encoding })).sort((a, b) => b.form.length - a.form.length);
}

/**
 * Base64 of the value alone, and the part of it that stays the same wherever the value sits inside a
 * longer base64 text: with `offset` bytes before it (0, 1 or 2 modulo 3), the characters that also
 * carry bits of the neighbouring bytes are dropped at both ends.
 */
export function base64Forms(bytes: Buffer, only?: 'base64' | 'base64url'): string[] {
  const out: string[] = [];
  for (const alphabet of only ? [only] : (['base64', 'base64url'] as const)) {
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
