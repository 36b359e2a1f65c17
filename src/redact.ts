/**
 * Every piece of text a reporter writes passes through a Redactor. The runner masks secrets through
 * `core.setSecret`, but the CLI has no runner, and a report file is read outside the log: so the gate
 * removes every known secret value itself, in every form `secretForms` knows (raw, URL-encoded, base64
 * at any alignment, hex, JSON/JS-escaped), and any run of `PIECE_LENGTH` or more characters of one of
 * those forms (a command that prints a slice of a secret, `cut -c3-20`), which is longer than any
 * vendor's public prefix (`sk_live_`, `xoxb-`, `github_pat_`), so a prefix alone is never masked.
 *
 * The pieces are found in one pass over the text, linear in its size whatever the number of secrets: a
 * rolling hash of every window of `PIECE_LENGTH` characters is looked up among the hashes of every
 * window of every form, and a hit is confirmed by comparing the text.
 */
import { secretForms } from './secret-forms.js';

export const REDACTED = '***';

/** Values shorter than this are not masked: masking "true" or "1" would garble every report. */
const MIN_SECRET_LENGTH = 6;

/** A run of this many characters of a secret (in any of its forms) is masked wherever it appears. */
export const PIECE_LENGTH = 12;
const HASH_BASE = 0x01000193;
/** HASH_BASE^(PIECE_LENGTH-1), the weight of the character that leaves the window. */
const HASH_DROP = (() => {
  let p = 1;
  for (let i = 0; i < PIECE_LENGTH - 1; i++) p = Math.imul(p, HASH_BASE);
  return p;
})();

export class Redactor {
  private readonly needles: string[];
  /** Forms shorter than PIECE_LENGTH, searched whole; every longer form is found by its pieces. */
  private readonly shortNeedles: string[];
  /** Every window of PIECE_LENGTH characters of every form, and their rolling hashes. */
  private readonly pieces = new Set<string>();
  private readonly pieceHashes = new Set<number>();
  /** A bit per hash value modulo 2^20: most windows are ruled out without a Set lookup. */
  private readonly hashBits = new Uint32Array(1 << 15);

  constructor(secrets: Iterable<string | undefined>) {
    const set = new Set<string>();
    for (const secret of secrets) {
      if (!secret || secret.length < MIN_SECRET_LENGTH) continue;
      for (const variant of secretForms(secret)) if (variant.length >= MIN_SECRET_LENGTH) set.add(variant);
    }
    // Longest first, so a secret that contains another is masked whole.
    this.needles = [...set].sort((a, b) => b.length - a.length);
    this.shortNeedles = this.needles.filter((n) => n.length < PIECE_LENGTH);
    for (const needle of this.needles) {
      for (let i = 0; i + PIECE_LENGTH <= needle.length; i++) {
        const piece = needle.slice(i, i + PIECE_LENGTH);
        if (!this.pieces.has(piece)) {
          this.pieces.add(piece);
          const hash = windowHash(piece);
          this.pieceHashes.add(hash);
          this.hashBits[(hash >>> 5) & 0x7fff]! |= 1 << (hash & 31);
        }
      }
    }
  }

  /** The values this redactor masks (raw and encoded), for `core.setSecret`. */
  get values(): readonly string[] {
    return this.needles;
  }

  redact(text: string): string {
    // A form of PIECE_LENGTH characters or more is a run of its own pieces: the one pass below masks it
    // whole, so only the short forms need a search of their own.
    let out = this.pieces.size > 0 && text.length >= PIECE_LENGTH ? this.redactPieces(text) : text;
    for (const needle of this.shortNeedles) if (out.includes(needle)) out = out.split(needle).join(REDACTED);
    return out;
  }

  /** Masks every run of PIECE_LENGTH or more characters that a form of a secret contains. */
  private redactPieces(text: string): string {
    const spans: Array<[number, number]> = [];
    let hash = 0;
    for (let i = 0; i < text.length; i++) {
      if (i >= PIECE_LENGTH) hash = (hash - Math.imul(text.charCodeAt(i - PIECE_LENGTH), HASH_DROP)) | 0;
      hash = (Math.imul(hash, HASH_BASE) + text.charCodeAt(i)) | 0;
      if (i < PIECE_LENGTH - 1 || (this.hashBits[(hash >>> 5) & 0x7fff]! & (1 << (hash & 31))) === 0 || !this.pieceHashes.has(hash)) continue;
      const start = i - PIECE_LENGTH + 1;
      if (!this.pieces.has(text.slice(start, i + 1))) continue;
      // Overlapping or adjacent windows are one run of the secret.
      const last = spans[spans.length - 1];
      if (last && start <= last[1]) last[1] = i + 1;
      else spans.push([start, i + 1]);
    }
    if (spans.length === 0) return text;
    let out = '';
    let at = 0;
    for (const [start, end] of spans) {
      out += text.slice(at, start) + REDACTED;
      at = end;
    }
    return out + text.slice(at);
  }

  /** Deep-redacts every string of a JSON-like value. */
  redactValue<T>(value: T): T {
    if (typeof value === 'string') return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.redactValue(v)) as T;
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.redactValue(v);
      return out as T;
    }
    return value;
  }
}

/** The rolling hash of a whole window, as `redactPieces` computes it incrementally. */
function windowHash(piece: string): number {
  let hash = 0;
  for (let i = 0; i < piece.length; i++) hash = (Math.imul(hash, HASH_BASE) + piece.charCodeAt(i)) | 0;
  return hash;
}

/** Shows just enough of a secret to recognise it: `sk_live_…a1b2`. */
export function maskValue(value: string): string {
  if (value.length <= 8) return REDACTED;
  // A vendor's fixed prefix says what the credential is and carries nothing of the secret.
  const prefix =
    /^(?:(?:sk|rk|pk)_(?:live|test)_|whsec_|GOCSPX-|gh[pousr]_|github_pat_|AKIA|ASIA|AIza|sntry[su]_|xox[abeoprs]-|xapp-|SG\.|npm_|vc[acikpr]_|sk-(?:proj|svcacct|admin)-|sk-ant-(?:api|admin)\d\d-|sk-|sb_secret_|re_|key-|AGE-SECRET-KEY-1)/.exec(value)?.[0] ?? '';
  return `${prefix}…${value.slice(-4)}`;
}
