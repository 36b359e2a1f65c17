/**
 * Who a finding is, without its line number: the rule id, the path, the key the rule supplies (a
 * variable, a workflow step's commands, a script, a migration and statement kind), a hash of the
 * source lines it points at with all whitespace removed, and an ordinal among findings that agree on
 * all of that. A finding shifted by 500 lines keeps its identity; a volatile number in a message
 * (a size, a timing) never enters it, because a finding without a key is known by its message with
 * its numbers taken out.
 *
 * Secrets are different: the lines that hold one are never hashed (an unkeyed hash of a line with a
 * weak password in it can be reversed by guessing), so a secret finding is known by its rule's key and,
 * for matching within the run only, by `secretMatch`: an HMAC of the secret's digest with a key made
 * for this run and never written out.
 *
 * Pure apart from the random run key: the caller reads the files (`LineReader`).
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Finding } from './types.js';

/** Made once per process, that is once per run: the head and the base pass share it. */
const RUN_KEY = randomBytes(32);

/** The value findings about one secret share within this run (the argument is a digest, never the secret). */
export function secretMatch(digest: string): string {
  return createHmac('sha256', RUN_KEY).update(digest).digest('hex');
}

export interface IdentityParts {
  rule: string;
  /** The finding's file as the rule gave it ('' for none). */
  path: string;
  /** The rule's key, else the message without its numbers. */
  subject: string;
  /** `secretMatch`, or ''. In memory only: not part of the written identity. */
  secret: string;
  /** Hash of the lines the finding points at, whitespace removed ('' for none, and for secrets). */
  snippet: string;
  /** 0 for the first finding with these parts, 1 for the next … */
  ordinal: number;
}

/** A file's lines, or undefined when it cannot (or should not) be read. */
export type LineReader = (file: string) => Promise<readonly string[] | undefined>;

/** Lines hashed at most per finding: a finding spans a statement or a step, not a file. */
const MAX_SNIPPET_LINES = 40;

/** Numbers out (sizes, counts, timings, dates), blanks collapsed. */
export function normaliseMessage(message: string): string {
  return message
    .replace(/\d+(?:[.,:]\d+)*/g, '#')
    .replace(/\s+/g, ' ')
    .trim();
}

export function snippetHash(lines: readonly string[], line: number, endLine?: number): string {
  if (line < 1 || line > lines.length) return '';
  const last = Math.min(lines.length, Math.max(line, endLine ?? line), line + MAX_SNIPPET_LINES - 1);
  const text = lines.slice(line - 1, last).join('\n').replace(/\s+/g, '');
  return text ? createHash('sha256').update(text).digest('hex').slice(0, 16) : '';
}

/** The parts of each finding's identity, in the findings' order (ordinals follow it). */
export async function identityParts(rule: string, findings: readonly Finding[], read: LineReader): Promise<IdentityParts[]> {
  const seen = new Map<string, number>();
  const parts: IdentityParts[] = [];
  for (const f of findings) {
    let snippet = '';
    if (f.file && f.line && !f.secretMatch) {
      const lines = await read(f.file);
      if (lines) snippet = snippetHash(lines, f.line, f.endLine);
    }
    const base = { rule, path: f.file ?? '', subject: f.key ?? `message:${normaliseMessage(f.message)}`, secret: f.secretMatch ?? '', snippet };
    const id = [base.rule, base.path, base.subject, base.secret, base.snippet].join('\u0000');
    const ordinal = seen.get(id) ?? 0;
    seen.set(id, ordinal + 1);
    parts.push({ ...base, ordinal });
  }
  return parts;
}

/** The written identity: stable across runs (the per-run secret match is not part of it). */
export function identityHash(parts: IdentityParts): string {
  return createHash('sha256').update([parts.rule, parts.path, parts.subject, parts.snippet, String(parts.ordinal)].join('\u0000')).digest('hex');
}
