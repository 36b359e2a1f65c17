/**
 * The byte scanner behind security.committed-secrets: every needle (the secret values in their
 * encodings) and every credential anchor (`sk_live_`, `-----BEGIN `) searched in one pass, so a file
 * is read once whatever the number of secrets.
 *
 * The pass is Wu–Manber: each target is known by a 4-byte window of it, and the scan looks at the
 * last two bytes of the current window only: when no target's window holds that pair, the window
 * moves on by up to 3 bytes without looking at the bytes in between. Only where a pair ends some
 * window is the whole 4-byte window looked up; a needle is then confirmed by comparing all of it, an
 * anchor by its pattern's regex at that place. Windows avoid pairs that are common in code and text
 * (`st`, `th`, `es`), so confirmations stay rare.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import {
  type CredentialPattern,
  envSecretValue,
  isEnvFileName,
  isEnvTemplateName,
  type Needle,
  parseEnvAssignments,
} from './secret-patterns.js';

/** Window length: the shortest anchors (`AKIA`, `ghp_`) have 4 bytes. */
const WINDOW = 4;
/** Binary files are recognised by a NUL byte in their first 8 KiB (as git and grep do). */
export const BINARY_PROBE_BYTES = 8192;
/** Matches reported per file at most (a minified bundle full of one token says it once enough). */
const MAX_HITS_PER_FILE = 50;

/** One thing found in one file, redacted. */
export interface Hit {
  line: number;
  kind: 'secret' | 'credential' | 'env';
  /** "the value of STRIPE_SECRET_KEY (base64-encoded)", "a GitHub token", ".env sets NEXTAUTH_SECRET". */
  label: string;
  /** The value as the report may show it (`sk_live_…a1b2`). */
  masked: string;
  /** Identity of what was found, for deduplication across files and versions (never the value). */
  key: string;
}

interface Target {
  /** A needle (kind 0) or a pattern's anchor (kind 1). */
  kind: 0 | 1;
  /** Index into needles or patterns. */
  index: number;
  /** The bytes to find: the whole needle, or the anchor. */
  bytes: Buffer;
  /** Where its 4-byte window starts in `bytes`. */
  offset: number;
}

interface RawHit {
  start: number;
  end: number;
  kind: Hit['kind'];
  label: string;
  masked: string;
  key: string;
}

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

export class SecretMatcher {
  /** Bytes the window may move on when its last two bytes are this pair (0: look it up). */
  private readonly shift = new Uint8Array(65536).fill(WINDOW - 1);
  /** Targets by their 4-byte window (big-endian). */
  private readonly byWindow = new Map<number, Target[]>();
  /** Where windows matched in the last scan (their start offsets), confirmed after the loop. */
  private candidates: Int32Array = new Int32Array(256);

  constructor(
    private readonly needles: readonly Needle[],
    private readonly patterns: readonly CredentialPattern[],
  ) {
    const targets: Target[] = [];
    needles.forEach((needle, index) => targets.push({ kind: 0, index, bytes: needle.bytes, offset: 0 }));
    patterns.forEach((pattern, index) => {
      for (const anchor of pattern.anchors) targets.push({ kind: 1, index, bytes: Buffer.from(anchor, 'latin1'), offset: 0 });
    });
    for (const target of targets) {
      if (target.bytes.length < WINDOW) throw new Error(`internal: a search target is shorter than ${WINDOW} bytes`);
      target.offset = rarestWindow(target.bytes);
      const w = target.bytes.subarray(target.offset, target.offset + WINDOW);
      for (let j = 0; j < WINDOW - 1; j++) {
        const pair = (w[j]! << 8) | w[j + 1]!;
        this.shift[pair] = Math.min(this.shift[pair]!, WINDOW - 2 - j);
      }
      const key = w.readUInt32BE(0);
      const list = this.byWindow.get(key) ?? [];
      list.push(target);
      this.byWindow.set(key, list);
    }
  }

  /** Needles and credentials in one file's bytes, redacted, with their lines. */
  scan(content: Buffer): Hit[] {
    let count = skipScan(this.shift, content, this.candidates);
    while (count < 0) {
      // More candidate windows than room: grow and scan again (a file full of near-misses).
      this.candidates = new Int32Array(this.candidates.length * 4);
      count = skipScan(this.shift, content, this.candidates);
    }
    if (count === 0) return NO_HITS;
    const raw: RawHit[] = [];
    for (let k = 0; k < count; k++) {
      const at = this.candidates[k]!;
      const targets = this.byWindow.get(content.readUInt32BE(at));
      if (targets) for (const target of targets) this.confirm(content, target, at - target.offset, raw);
    }
    return raw.length === 0 ? NO_HITS : withLines(content, resolveOverlaps(raw));
  }

  /** Whether `target` is at `start`: the rest of a needle compared, a pattern run there. */
  private confirm(content: Buffer, target: Target, start: number, raw: RawHit[]): void {
    const length = target.bytes.length;
    if (start < 0 || start + length > content.length || content.compare(target.bytes, 0, length, start, start + length) !== 0) return;
    if (target.kind === 0) {
      const needle = this.needles[target.index]!;
      raw.push({ start, end: start + length, kind: 'secret', label: needle.label, masked: needle.masked, key: needle.key });
      return;
    }
    const pattern = this.patterns[target.index]!;
    if (pattern.boundary && start > 0 && isWordByte(content[start - 1]!)) return;
    const text = content.toString('latin1', start, Math.min(content.length, start + pattern.window + 1));
    pattern.regex.lastIndex = 0;
    const match = pattern.regex.exec(text);
    const masked = match ? pattern.accept(match, text) : undefined;
    if (match && masked !== undefined) {
      raw.push({ start, end: start + match[0].length, kind: 'credential', label: pattern.label, masked, key: hashOf(match[0]) });
    }
  }
}

const NO_HITS: Hit[] = [];

/**
 * The hot loop, on its own so the engine optimises it early: per step, one table lookup on the
 * last two bytes of the window, and a move of up to 3 bytes. Notes the start of every window whose
 * last pair ends some target's window. Returns the count, or -1 when `found` is too small.
 */
function skipScan(shift: Uint8Array, content: Uint8Array, found: Int32Array): number {
  const n = content.length;
  const room = found.length;
  let count = 0;
  let pos = WINDOW - 1;
  while (pos < n) {
    const step = shift[(content[pos - 1]! << 8) | content[pos]!]!;
    if (step !== 0) {
      pos += step;
      continue;
    }
    if (count === room) return -1;
    found[count++] = pos - (WINDOW - 1);
    pos++;
  }
  return count;
}

/**
 * How common a byte is in code and prose, 0 to 2: the frequent lowercase letters and white space
 * most, other lowercase letters and punctuation less, capitals and digits least.
 */
function commonness(b: number): number {
  if (b === 0x20 || b === 0x0a || 'etaoinsrhl'.includes(String.fromCharCode(b))) return 2;
  if ((b >= 0x61 && b <= 0x7a) || '._-/:"\'(),;='.includes(String.fromCharCode(b))) return 1;
  return 0;
}

/**
 * The offset of the 4-byte window of `bytes` least likely to occur in ordinary text: scored by how
 * common the bytes of its last pair (which decides the lookups) and its other pairs are.
 */
function rarestWindow(bytes: Buffer): number {
  let best = 0;
  let bestScore = Infinity;
  for (let o = 0; o + WINDOW <= bytes.length && o < 32; o++) {
    let score = 0;
    for (let j = 0; j < WINDOW - 1; j++) {
      const common = commonness(bytes[o + j]!) + commonness(bytes[o + j + 1]!);
      score += common * (j === WINDOW - 2 ? 4 : 1);
    }
    if (score < bestScore) {
      best = o;
      bestScore = score;
    }
  }
  return best;
}

function isWordByte(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x5f;
}

/**
 * A known secret's value wins over a credential shape found inside it (the message then names the
 * variable); of overlapping needles (the raw value and an encoding of it), the longest.
 */
function resolveOverlaps(raw: RawHit[]): RawHit[] {
  const secrets = raw.filter((h) => h.kind === 'secret').sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: RawHit[] = [];
  for (const hit of secrets) {
    const last = kept[kept.length - 1];
    if (last && hit.start < last.end) continue;
    kept.push(hit);
  }
  const overlaps = (h: RawHit) => kept.some((k) => h.start < k.end && k.start < h.end);
  for (const hit of raw) if (hit.kind === 'credential' && !overlaps(hit)) kept.push(hit);
  return kept.sort((a, b) => a.start - b.start);
}

/** Lines of sorted hits, counted once through the content; one hit per thing per line. */
function withLines(content: Buffer, hits: RawHit[]): Hit[] {
  const out: Hit[] = [];
  let line = 1;
  let pos = 0;
  const seen = new Set<string>();
  for (const hit of hits) {
    for (let nl = content.indexOf(10, pos); nl !== -1 && nl < hit.start; nl = content.indexOf(10, nl + 1)) {
      line++;
      pos = nl + 1;
    }
    const id = `${line}\u0000${hit.key}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ line, kind: hit.kind, label: hit.label, masked: hit.masked, key: hit.key });
    if (out.length >= MAX_HITS_PER_FILE) break;
  }
  return out;
}

/** True when the first 8 KiB hold a NUL byte. */
export function isBinary(content: Buffer): boolean {
  return content.subarray(0, BINARY_PROBE_BYTES).includes(0);
}

/**
 * Everything found in one file: the matcher's hits, and for a dotenv file (`.env*`) each entry that
 * holds a secret. An entry on a line the matcher already reported is not reported twice.
 */
export function scanFile(matcher: SecretMatcher, path: string, content: Buffer): Hit[] {
  const found = matcher.scan(content);
  const base = posix.basename(path);
  if (!isEnvFileName(base)) return found;
  const hits = [...found];
  const lines = new Set(hits.map((h) => h.line));
  const template = isEnvTemplateName(base);
  for (const { name, value, line } of parseEnvAssignments(content.toString('utf8'))) {
    const masked = envSecretValue(name, value);
    if (masked === undefined || lines.has(line)) continue;
    hits.push({
      line,
      kind: 'env',
      label: `${template ? 'the template' : 'the env file'} ${base} sets ${name} to a real value`,
      masked,
      key: hashOf(value),
    });
  }
  return hits.sort((a, b) => a.line - b.line);
}
