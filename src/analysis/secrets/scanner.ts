/**
 * The byte scanner behind security.committed-secrets: every needle (the secret values in their
 * encodings, and pieces of the forms a file may split across lines) and every credential anchor
 * (`sk_live_`, `-----BEGIN`) searched in one pass, so a file is read once whatever the number of
 * secrets.
 *
 * The pass is Wu–Manber: each target is known by a 4-byte window of it, and the scan looks at the
 * last two bytes of the current window only: when no target's window holds that pair, the window
 * moves on by up to 3 bytes without looking at the bytes in between. Only where a pair ends some
 * window is the whole 4-byte window looked up; a needle is then confirmed by comparing all of it, an
 * anchor by its shape's regex at that place. Windows avoid pairs that are common in code and text
 * (`st`, `th`, `es`), so confirmations stay rare.
 *
 * Confirmation decodes where secrets hide: a token after an escape (`%22ghp_…`, `\nghp_…`,
 * `\u0022sk_live_…`) passes the boundary check; a shape that does not match as written is tried
 * again on the text decoded (percent-encoding, JSON/JS escapes, string concatenation across lines,
 * shell line continuations); a piece of a known secret is confirmed when the whole form is in the
 * joined text around it (a value split by concatenation, base64 wrapped at 76 columns). UTF-16 files
 * are read as text; files of any size are scanned, in chunks.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { envEntries, looksLikeEnvFile } from '../../env-file.js';
import { maskValue } from '../../redact.js';
import { lineOfOffset, lineStarts } from '../../util/lines.js';
import type { CredentialPattern, ShapeContext } from './credential-shapes.js';
import { credentialFileKind, credentialFileValues, sniffCredentialFile } from './credential-files.js';
import { type ContextValue, MANIFEST_ANCHORS, manifestValues, MAX_STRUCTURED_BYTES } from './encoded-contexts.js';
import {
  isConventionalDefault,
  isDevelopmentEnvName,
  isEnvFileName,
  isEnvTemplateName,
  isExampleHost,
  isLocalHost,
  isPlaceholderPassword,
  isPlaceholderValue,
  judgeEnvEntry,
  type Needle,
} from './patterns.js';
import { judgeBinaryKey, type KeyVerdict } from './private-keys.js';

/** Window length: the shortest anchors (`AKIA`, `ghp_`) have 4 bytes. */
const WINDOW = 4;
/** Binary files are recognised by a NUL byte in their first 8 KiB (as git and grep do), unless they are UTF-16 text. */
export const BINARY_PROBE_BYTES = 8192;
/** Matches reported per file at most (a minified bundle full of one token says it once enough). */
const MAX_HITS_PER_FILE = 50;
/** Env-style content is looked for in files up to this size (env files are small). */
const MAX_ENV_BYTES = 256 * 1024;
/** Large files are scanned in chunks of this size, each overlapping the next by OVERLAP bytes. */
export const CHUNK_BYTES = 4 * 1024 * 1024;
const OVERLAP = 64 * 1024;

/**
 * One thing found in one file, redacted. Kinds: a value the run knows (`secret`), a live credential
 * (`credential`), an env-file entry (`env`), a credential behind a passphrase or a hash (`protected`:
 * an encrypted private key, an htpasswd hash; a warning), or information (`info`).
 */
export interface Hit {
  line: number;
  kind: 'secret' | 'credential' | 'env' | 'protected' | 'info';
  /** "the value of STRIPE_SECRET_KEY (base64-encoded)", "a GitHub token", ".env sets NEXTAUTH_SECRET". */
  label: string;
  /** The value as the report may show it (`sk_live_…a1b2`). */
  masked: string;
  /** Identity of what was found, for deduplication across files and versions (never the value). */
  key: string;
  /** The shape or rule that found it (`stripe-live-key`, `needle`, `env`, a gitleaks rule id). */
  rule: string;
}

/** A found thing before redaction checks: positions in the scanned bytes, and the secret itself (never reported). */
export interface RawHit {
  start: number;
  end: number;
  kind: Hit['kind'];
  label: string;
  masked: string;
  key: string;
  rule: string;
  /** The matched secret, for allowlists (regexes, stopwords); dropped before anything leaves the scanner. */
  secret: string;
  /** The gitleaks rule ids of the shape (for a `.gitleaks.toml` that tunes them). */
  gitleaks?: readonly string[];
}

/** Decides whether a raw hit is allowlisted (a `.gitleaks.toml` allowlist, a `gitleaks:allow` comment). */
export type AllowFilter = (hit: RawHit, path: string, lineText: string, line: number) => boolean;

/** Extra rules (a repository's gitleaks rules) run over a whole file's text. */
export interface ExtraRules {
  /** Raw hits of the rules in `text` (latin1 of the bytes, so offsets are byte offsets). */
  find(text: string, path: string): RawHit[];
  /** Findings for the file's path alone (gitleaks rules with only a `path`). */
  forPath(path: string): RawHit[];
}

interface Target {
  /** A needle (kind 0), a pattern's anchor (kind 1), or a format's anchor (kind 2: noted, read after the pass). */
  kind: 0 | 1 | 2;
  /** Index into needles, patterns or formats. */
  index: number;
  /** The bytes to find: the whole needle, or the anchor. */
  bytes: Buffer;
  /** Where its 4-byte window starts in `bytes`. */
  offset: number;
}

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

export class SecretMatcher {
  /** Bytes the window may move on when its last two bytes are this pair (0: look it up). */
  private readonly shift = new Uint8Array(65536).fill(WINDOW - 1);
  /** Targets by their 4-byte window (big-endian). */
  private readonly byWindow = new Map<number, Target[]>();
  /** 1 for the first two bytes of some target's window: most candidate windows end like a target's but do not start like one. */
  private readonly firstPairs = new Uint8Array(65536);
  /** Where windows matched in the last scan (their start offsets), confirmed after the loop. */
  private candidates: Int32Array = new Int32Array(256);

  /**
   * `formats`: for each structured format read after the pass (a manifest, a Docker config), the
   * anchors that make a file worth reading as one; `find` notes which were seen.
   */
  constructor(
    private readonly needles: readonly Needle[],
    private readonly patterns: readonly CredentialPattern[],
    formats: ReadonlyArray<readonly string[]> = [],
  ) {
    const targets: Target[] = [];
    needles.forEach((needle, index) => targets.push({ kind: 0, index, bytes: needle.bytes, offset: 0 }));
    patterns.forEach((pattern, index) => {
      for (const anchor of pattern.anchors) targets.push({ kind: 1, index, bytes: Buffer.from(anchor, 'latin1'), offset: 0 });
    });
    formats.forEach((anchors, index) => {
      for (const anchor of anchors) targets.push({ kind: 2, index, bytes: Buffer.from(anchor, 'latin1'), offset: 0 });
    });
    for (const target of targets) {
      if (target.bytes.length < WINDOW) throw new Error(`internal: a search target is shorter than ${WINDOW} bytes`);
      target.offset = rarestWindow(target.bytes);
      const w = target.bytes.subarray(target.offset, target.offset + WINDOW);
      for (let j = 0; j < WINDOW - 1; j++) {
        const pair = (w[j]! << 8) | w[j + 1]!;
        this.shift[pair] = Math.min(this.shift[pair]!, WINDOW - 2 - j);
      }
      this.firstPairs[(w[0]! << 8) | w[1]!] = 1;
      const key = w.readUInt32BE(0);
      const list = this.byWindow.get(key) ?? [];
      list.push(target);
      this.byWindow.set(key, list);
    }
  }

  /** Needles and credentials in `content`, with their byte positions, overlaps resolved; the formats whose anchors were seen go into `formats`. */
  find(content: Buffer, formats?: Set<number>): RawHit[] {
    let count = skipScan(this.shift, this.firstPairs, content, this.candidates);
    while (count < 0) {
      // More candidate windows than room: grow and scan again (a file full of near-misses).
      this.candidates = new Int32Array(this.candidates.length * 4);
      count = skipScan(this.shift, this.firstPairs, content, this.candidates);
    }
    if (count === 0) return NO_HITS;
    const raw: RawHit[] = [];
    for (let k = 0; k < count; k++) {
      const at = this.candidates[k]!;
      const targets = this.byWindow.get(content.readUInt32BE(at));
      if (targets) for (const target of targets) this.confirm(content, target, at - target.offset, raw, formats);
    }
    return raw.length === 0 ? NO_HITS : resolveOverlaps(raw);
  }

  /** Whether `target` is at `at`: the rest of a needle compared, a piece's whole form found around it, a shape's regex run there. */
  private confirm(content: Buffer, target: Target, at: number, raw: RawHit[], formats: Set<number> | undefined): void {
    const length = target.bytes.length;
    if (at < 0 || at + length > content.length || content.compare(target.bytes, 0, length, at, at + length) !== 0) return;
    if (target.kind === 2) {
      formats?.add(target.index);
      return;
    }
    if (target.kind === 0) {
      const needle = this.needles[target.index]!;
      if (needle.piece && !pieceConfirmed(content, at, needle.piece.form)) return;
      raw.push({ start: at, end: at + length, kind: 'secret', label: needle.label, masked: needle.masked, key: needle.key, rule: 'needle', secret: '' });
      return;
    }
    const pattern = this.patterns[target.index]!;
    const start = at - pattern.back;
    if (start < 0 || (pattern.boundary && !boundaryBefore(content, start))) return;
    const text = content.toString('latin1', start, Math.min(content.length, start + pattern.window + 1));
    const context: ShapeContext = {
      before: (n) => content.toString('latin1', Math.max(0, start - n), start),
      after: (n) => content.toString('latin1', start, Math.min(content.length, start + n)),
    };
    // Encoded or split, a token takes more room: the decoded attempt reads a wider window.
    const wide = () => content.toString('latin1', start, Math.min(content.length, start + pattern.window * 3 + 256));
    const found = runShape(pattern, text, context) ?? (mayBeEncoded(text) ? runShape(pattern, decodeText(wide()), context) : undefined);
    if (!found) return;
    const { match, accepted } = found;
    const indices = (match as RegExpExecArray & { indices?: Array<[number, number] | undefined> }).indices;
    const span = indices?.[1] ?? indices?.[0] ?? [0, match[0].length];
    const detail = typeof accepted === 'string' ? undefined : accepted;
    const masked = detail ? detail.masked : (accepted as string);
    const label = detail?.label ?? pattern.label;
    const secret = detail?.secret ?? match[1] ?? match[0];
    const kind = detail?.protected ? 'protected' : 'credential';
    raw.push({ start: start + span[0], end: start + Math.max(span[1], span[0] + 1), kind, label, masked, key: hashOf(secret), rule: pattern.id, secret, gitleaks: pattern.gitleaks });
  }
}

function runShape(pattern: CredentialPattern, text: string, context: ShapeContext) {
  pattern.regex.lastIndex = 0;
  const match = pattern.regex.exec(text);
  if (!match) return undefined;
  const accepted = pattern.accept(match, text, context);
  return accepted === undefined ? undefined : { match, accepted };
}

/**
 * The hot loop, on its own so the engine optimises it early: per step, one table lookup on the
 * last two bytes of the window, and a move of up to 3 bytes. Notes the start of every window whose
 * last pair ends some target's window. Returns the count, or -1 when `found` is too small.
 */
function skipScan(shift: Uint8Array, first: Uint8Array, content: Uint8Array, found: Int32Array): number {
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
    if (first[(content[pos - 3]! << 8) | content[pos - 2]!] === 1) {
      if (count === room) return -1;
      found[count++] = pos - (WINDOW - 1);
    }
    pos++;
  }
  return count;
}

/** The result of a file without hits (most files): shared, never changed. */
const NO_HITS: RawHit[] = [];

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

function isHexByte(b: number | undefined): boolean {
  return b !== undefined && ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66));
}

/**
 * Whether a token may start at `start`: the byte before is not part of a word, or it ends an escape
 * (`%22`, `\n`, `\u0022`, `\x22`) that a URL, a JSON or JS string puts before the token.
 */
export function boundaryBefore(content: Uint8Array, start: number): boolean {
  if (start === 0 || !isWordByte(content[start - 1]!)) return true;
  if (start >= 3 && content[start - 3] === 0x25 && isHexByte(content[start - 2]) && isHexByte(content[start - 1])) return true;
  if (start >= 2 && content[start - 2] === 0x5c) return true;
  if (start >= 4 && content[start - 4] === 0x5c && content[start - 3] === 0x78 && isHexByte(content[start - 2]) && isHexByte(content[start - 1])) return true;
  if (start >= 6 && content[start - 6] === 0x5c && content[start - 5] === 0x75 && [4, 3, 2, 1].every((k) => isHexByte(content[start - k]))) return true;
  return false;
}

/** Whether text may hold an encoded or split form worth decoding. */
function mayBeEncoded(text: string): boolean {
  return text.includes('%') || text.includes('\\') || /["'`][ \t]*(?:\+|\r?\n)/.test(text);
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v', '0': '\0' };

/**
 * Text as a program would read it: string literals joined across `+` and line breaks (JS, Python,
 * shell `\` continuations), percent-encoding decoded, JSON/JS escapes (`\n`, `\/`, `\uXXXX`, `\xXX`)
 * decoded, twice for a string escaped twice.
 */
export function decodeText(text: string): string {
  let out = text
    .replace(/(["'`])[ \t]*\+[ \t]*(?:\r?\n[ \t]*)?\1/g, '')
    .replace(/(["'`])[ \t]*\r?\n[ \t]*\+?[ \t]*\1/g, '')
    .replace(/\\\r?\n[ \t]*/g, '');
  if (out.includes('%')) out = out.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  for (let pass = 0; pass < 2 && out.includes('\\'); pass++) {
    out = out.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[\s\S])/g, (_, e: string) =>
      e.length > 1 ? String.fromCharCode(parseInt(e.slice(1), 16)) : (ESCAPES[e] ?? e),
    );
  }
  return out;
}

/**
 * A piece of a known form at `at`: the whole form is in the text around it once lines are joined
 * (wrapped base64, YAML block scalars), string concatenations joined, or escapes decoded.
 */
function pieceConfirmed(content: Buffer, at: number, form: Buffer): boolean {
  const reach = form.length * 2 + 256;
  const text = content.toString('latin1', Math.max(0, at - reach), Math.min(content.length, at + reach));
  const wanted = form.toString('latin1');
  const unwrapped = text.replace(/\r?\n[ \t]*/g, '');
  const decoded = decodeText(text);
  return unwrapped.includes(wanted) || decoded.includes(wanted) || decoded.replace(/\r?\n[ \t]*/g, '').includes(wanted);
}

/**
 * A known secret's value wins over a credential shape found inside it (the message then names the
 * variable); of overlapping needles (the raw value and an encoding of it, a piece and its whole
 * form), the first and longest; of overlapping shapes, the first found.
 */
function resolveOverlaps(raw: RawHit[]): RawHit[] {
  const kept: RawHit[] = [];
  const overlaps = (h: RawHit) => kept.some((k) => h.start < k.end && k.start < h.end);
  const byPlace = (a: RawHit, b: RawHit) => a.start - b.start || b.end - a.end;
  for (const hit of raw.filter((h) => h.kind === 'secret').sort(byPlace)) if (!overlaps(hit)) kept.push(hit);
  for (const hit of raw.filter((h) => h.kind !== 'secret').sort(byPlace)) if (!overlaps(hit)) kept.push(hit);
  return kept.sort(byPlace);
}

/** True when the first 8 KiB hold a NUL byte (UTF-16 text too: see `textOf`). */
export function isBinary(content: Buffer): boolean {
  return content.subarray(0, BINARY_PROBE_BYTES).includes(0);
}

/**
 * The text of a file as bytes to scan: as it is; UTF-16 (with a byte-order mark, or ASCII text with
 * a NUL in every other byte) converted to UTF-8; undefined for a binary file.
 */
export function textOf(content: Buffer): Buffer | undefined {
  if (!isBinary(content)) return content;
  const le = content[0] === 0xff && content[1] === 0xfe;
  const be = content[0] === 0xfe && content[1] === 0xff;
  let order: 'le' | 'be' | undefined = le ? 'le' : be ? 'be' : undefined;
  if (!order) {
    const probe = content.subarray(0, BINARY_PROBE_BYTES & ~1);
    let evenZeros = 0;
    let oddZeros = 0;
    for (let i = 0; i < probe.length; i += 2) {
      if (probe[i] === 0) evenZeros++;
      if (probe[i + 1] === 0) oddZeros++;
    }
    const half = probe.length / 2;
    if (oddZeros > half * 0.6 && evenZeros < half * 0.02) order = 'le';
    else if (evenZeros > half * 0.6 && oddZeros < half * 0.02) order = 'be';
  }
  if (!order) return undefined;
  const body = content.subarray(le || be ? 2 : 0, content.length & ~1);
  const little = order === 'le' ? body : Buffer.from(body).swap16();
  return Buffer.from(little.toString('utf16le'), 'utf8');
}

/** What a file scan needs besides the bytes. */
export interface ScanContext {
  matcher: SecretMatcher;
  extra?: ExtraRules;
  allow?: AllowFilter;
  /** Values the repository's docker-compose files set: local defaults in env files. */
  localDefaults?: ReadonlySet<string>;
}

/** Whether a file is a docker-compose file for local use (its values are local defaults). */
export function isLocalComposeFile(path: string): boolean {
  const base = posix.basename(path);
  return /^(?:docker-)?compose(?:[.-][\w.-]+)?\.ya?ml$/.test(base) && !/prod|live|release/i.test(base);
}

/** The anchors of the structured formats the scanner reads after its pass (index 0: manifests and Docker configs). */
export const FORMAT_ANCHORS: ReadonlyArray<readonly string[]> = [MANIFEST_ANCHORS];

/**
 * Everything found in one file's text: the matcher's hits, the extra rules' hits, for an env file
 * (by name, or by its `KEY=VALUE` content) each entry that holds a secret, and the values of the
 * structured formats: a manifest or a Docker config whose anchors the pass saw (base64 decoded:
 * encoded-contexts.ts), a credential file by name or by its first line (credential-files.ts). An
 * entry on a line the matcher already reported is not reported twice. Allowlisted hits are dropped.
 */
export function scanText(ctx: ScanContext, path: string, content: Buffer): Hit[] {
  const base = posix.basename(path);
  const small = content.length <= MAX_ENV_BYTES;
  const first = small && !CODE_FILE.test(base) ? firstLine(content) : undefined;
  const envFile = small && (isEnvFileName(base) || (first !== undefined && ENV_LINE.test(first) && looksLikeEnvFile(content.toString('utf8'))));
  const formats = new Set<number>();
  let raw = ctx.matcher.find(content, formats);
  const credentialFile = small ? (credentialFileKind(path) ?? (first !== undefined ? sniffCredentialFile(first, () => content.toString('utf8')) : undefined)) : undefined;
  const manifest = formats.has(0) && content.length <= MAX_STRUCTURED_BYTES;
  // Most files: nothing found, nothing more to do.
  if (raw.length === 0 && !envFile && !ctx.extra && !credentialFile && !manifest) return NO_FINDINGS;
  // An env file's entries are judged as entries (a template's sample is information); a local
  // docker-compose file's values are local defaults.
  if (envFile || isLocalComposeFile(path)) raw = raw.filter((h) => h.rule !== 'hardcoded-app-secret');
  if (ctx.extra) raw = raw.concat(ctx.extra.find(content.toString('latin1'), path));
  const lines = new LineIndex(content);
  const hits: Hit[] = [];
  for (const r of raw) {
    const line = lines.lineOf(r.start);
    if (ctx.allow && r.kind !== 'secret' && ctx.allow(r, path, lines.text(line), line)) continue;
    hits.push(toHit(r, line));
  }
  if (envFile) {
    const template = isEnvTemplateName(base);
    const development = isDevelopmentEnvName(base);
    const taken = new Set(hits.map((h) => h.line));
    for (const { name, value, line } of envEntries(content.toString('utf8'))) {
      if (taken.has(line)) continue;
      const verdict = judgeEnvEntry(name, value, { template: template || development, localDefaults: ctx.localDefaults });
      if (!verdict) continue;
      if (verdict.kind === 'secret') {
        const r: RawHit = { start: 0, end: 0, kind: 'env', label: `the env file ${base} sets ${name} to a real value`, masked: verdict.masked, key: hashOf(value), rule: 'env', secret: value };
        if (ctx.allow && ctx.allow(r, path, lines.text(line), line)) continue;
        hits.push(toHit(r, line));
      } else if (verdict.kind === 'sample') {
        hits.push({ line, kind: 'info', label: `the template ${base} sets ${name} to a random-looking sample value; no environment may use it`, masked: verdict.masked, key: hashOf(value), rule: 'env-sample' });
      } else {
        hits.push({ line, kind: 'info', label: `${base}: ${verdict.why}`, masked: '', key: hashOf(`${name}=${value}`), rule: 'env-default' });
      }
    }
  }
  if (manifest || credentialFile) {
    const text = content.toString('utf8');
    let values: ContextValue[] = [];
    try {
      values = [...(manifest ? manifestValues(text) : []), ...(credentialFile ? credentialFileValues(credentialFile, text) : [])];
    } catch {
      // A file the YAML reader cannot take (nesting deeper than the stack): its plain text was scanned above.
    }
    for (const value of values) {
      for (const r of judgeValue(ctx, value)) {
        if (ctx.allow && r.kind !== 'secret' && ctx.allow(r, path, lines.text(value.line), value.line)) continue;
        hits.push(toHit(r, value.line));
      }
    }
  }
  if (ctx.extra) for (const r of ctx.extra.forPath(path)) if (!ctx.allow?.(r, path, '', 1)) hits.push(toHit(r, 1));
  return dedupe(hits.sort((a, b) => a.line - b.line));
}

/**
 * A value a format holds (decoded), judged as if it were a file of its own: every credential shape
 * and the run's own values (the matcher), a private key in binary form, then by the format's
 * meaning: a credential by definition (a registry password, a `.pgpass` password) unless a
 * placeholder, a documentation host's, or a local default; a named entry (`NEXTAUTH_SECRET` in a
 * Secret) as an env entry; a decoded env file by its entries. Labels say where the value was.
 */
export function judgeValue(ctx: ScanContext, v: ContextValue): RawHit[] {
  const where = `in ${v.container} (${v.field})`;
  if (v.bytes) {
    const key = judgeBinaryKey(v.bytes);
    return key ? [binaryKeyHit(key, v.bytes, where)] : [];
  }
  const value = v.value;
  if (value.trim() === '') return [];
  const found = ctx.matcher.find(Buffer.from(value, 'utf8'));
  if (found.length > 0) return found.map((r) => ({ ...r, start: 0, end: 0, label: `${r.label} ${where}` }));
  const hit = (kind: RawHit['kind'], label: string, masked: string): RawHit => ({ start: 0, end: 0, kind, label, masked, key: hashOf(value), rule: 'credential-format', secret: value });
  if (v.credential) {
    if (value.length < 4 || isPlaceholderValue(value) || /^\$\{?\w+\}?$|^%\(|^\{\{/.test(value)) return [];
    if (v.host !== undefined && v.host !== '' && isExampleHost(v.host)) return [];
    if (v.host && isLocalHost(v.host) && (isConventionalDefault(value) || isPlaceholderPassword({ decoded: value, host: v.host }))) return [];
    return [hit('credential', `${v.credential} ${where}`, `${v.shownPrefix ?? ''}${maskValue(value)}`)];
  }
  if (v.name) {
    const verdict = judgeEnvEntry(v.name.replace(/[-.]/g, '_'), value, { template: false, localDefaults: ctx.localDefaults });
    if (verdict?.kind === 'secret') return [hit('credential', `${v.container} sets ${v.name} to a real value (${v.field})`, verdict.masked)];
    if (verdict?.kind === 'default') return [{ ...hit('info', `${v.container}: ${verdict.why} (${v.field})`, ''), key: hashOf(`${v.name}=${value}`), rule: 'env-default' }];
  }
  // A decoded env file (a Secret holding `.env`): each of its entries.
  if (value.includes('\n') && looksLikeEnvFile(value)) {
    const out: RawHit[] = [];
    for (const entry of envEntries(value)) {
      const verdict = judgeEnvEntry(entry.name, entry.value, { template: false, localDefaults: ctx.localDefaults });
      if (verdict?.kind === 'secret') out.push({ ...hit('credential', `${v.container} sets ${entry.name} to a real value (${v.field})`, verdict.masked), key: hashOf(entry.value), secret: entry.value });
    }
    return out;
  }
  return [];
}

/** The gitleaks ids of the private-key shape, for allowlists that tune it. */
const PRIVATE_KEY_GITLEAKS = ['private-key', 'pkcs8-private-key'];

function binaryKeyHit(key: KeyVerdict, bytes: Buffer, where = ''): RawHit {
  const form = bytes[0] === 0x30 ? 'DER' : 'binary OpenPGP';
  return {
    start: 0,
    end: 0,
    kind: key.protected ? 'protected' : 'credential',
    label: where ? `${key.label} ${where}` : key.label,
    masked: `${form}, ${bytes.length} bytes`,
    key: hashOf(key.block),
    rule: 'private-key',
    secret: key.block,
    gitleaks: PRIVATE_KEY_GITLEAKS,
  };
}

/**
 * What a binary file holds that matters: a private key stored as DER or binary OpenPGP (which a
 * text scan skips). Allowlisted hits are dropped.
 */
export function scanBinary(ctx: ScanContext, path: string, content: Buffer): Hit[] {
  const key = judgeBinaryKey(content);
  if (!key) return NO_FINDINGS;
  const r = binaryKeyHit(key, content);
  return ctx.allow?.(r, path, '', 1) ? NO_FINDINGS : [toHit(r, 1)];
}

/** Source and markup files, whose `a = b` lines are code, not env entries. */
const CODE_FILE = /\.(?:[cm]?[jt]sx?|py|rb|go|rs|java|kt|php|cs|swift|c|h|cpp|json|ya?ml|toml|md|mdx|html?|css|scss|sql|prisma|graphql|xml|svg|lock|map)$/i;

/** `NAME=` at the start of a line: an env file's first entry. */
const ENV_LINE = /^(?:export\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*=/;

/** The file's first line that is not blank or a comment (within its first 4 KiB), trimmed. */
function firstLine(content: Buffer): string | undefined {
  let pos = 0;
  while (pos < content.length && pos < 4096) {
    const end = content.indexOf(10, pos);
    const line = content.toString('latin1', pos, end === -1 ? Math.min(content.length, pos + 512) : Math.min(end, pos + 512)).trim();
    if (line !== '' && !line.startsWith('#')) return line;
    if (end === -1) return undefined;
    pos = end + 1;
  }
  return undefined;
}

const NO_FINDINGS: Hit[] = [];

const toHit = (r: RawHit, line: number): Hit => ({ line, kind: r.kind, label: r.label, masked: r.masked, key: r.key, rule: r.rule });

/** One hit per thing per line, at most MAX_HITS_PER_FILE. */
function dedupe(hits: Hit[]): Hit[] {
  const seen = new Set<string>();
  const out: Hit[] = [];
  for (const hit of hits) {
    const id = `${hit.line}\u0000${hit.key}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(hit);
    if (out.length >= MAX_HITS_PER_FILE) break;
  }
  return out;
}

/** Line numbers of byte offsets, and the text of a line, computed as asked (offsets asked in any order). */
class LineIndex {
  private starts: number[] | undefined;
  constructor(private readonly content: Buffer) {}

  private lineStarts(): number[] {
    this.starts ??= lineStarts(this.content);
    return this.starts;
  }

  lineOf(offset: number): number {
    return lineOfOffset(this.lineStarts(), offset);
  }

  text(line: number): string {
    const starts = this.lineStarts();
    const start = starts[line - 1] ?? 0;
    const end = starts[line] ?? this.content.length;
    return this.content.toString('latin1', start, Math.min(end, start + 4096));
  }
}

/**
 * Scans a file or blob of any size as it streams: chunks of CHUNK_BYTES, each carrying the last
 * OVERLAP bytes of the one before, so a secret across a chunk border is found once. Env-file rules do
 * not apply (env files are small); the extra rules run on each chunk.
 */
export class StreamScan {
  private buffer = Buffer.allocUnsafe(CHUNK_BYTES + OVERLAP);
  private filled = 0;
  /** Line number of the buffer's first byte. */
  private line = 1;
  private readonly hits: Hit[] = [];

  constructor(
    private readonly ctx: ScanContext,
    private readonly path: string,
  ) {}

  push(data: Buffer): void {
    let offset = 0;
    while (offset < data.length) {
      const take = Math.min(data.length - offset, this.buffer.length - this.filled);
      data.copy(this.buffer, this.filled, offset, offset + take);
      this.filled += take;
      offset += take;
      if (this.filled === this.buffer.length) this.process(false);
    }
  }

  end(): Hit[] {
    this.process(true);
    return dedupe(this.hits.sort((a, b) => a.line - b.line));
  }

  private process(final: boolean): void {
    const content = this.buffer.subarray(0, this.filled);
    const limit = final ? this.filled : this.filled - OVERLAP;
    let raw = this.ctx.matcher.find(content);
    if (this.ctx.extra) raw = raw.concat(this.ctx.extra.find(content.toString('latin1'), this.path));
    const lines = new LineIndex(content);
    for (const r of raw) {
      if (r.start >= limit || this.hits.length >= MAX_HITS_PER_FILE) continue;
      const line = lines.lineOf(r.start);
      if (this.ctx.allow && r.kind !== 'secret' && this.ctx.allow(r, this.path, lines.text(line), this.line + line - 1)) continue;
      this.hits.push(toHit(r, this.line + line - 1));
    }
    if (final) return;
    // Keep the overlap for the next chunk; count the lines of what is dropped.
    for (let nl = content.indexOf(10); nl !== -1 && nl < limit; nl = content.indexOf(10, nl + 1)) this.line++;
    this.buffer.copy(this.buffer, 0, limit, this.filled);
    this.filled -= limit;
  }
}
