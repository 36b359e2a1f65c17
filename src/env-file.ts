/**
 * The one reader of dotenv text in the gate: the `env-file` input (settings), the repository's
 * `.env.example` (config rules) and the env files the committed-secrets scan finds all go through
 * Node's own `util.parseEnv`, the parser behind `node --env-file` (which the app's `sync-stripe`
 * script uses), so every part of the gate reads a value the way the app's tooling does.
 *
 * `parseEnv` gives values, not positions; the scan also needs the line of each entry, which is found
 * here from the text (the last assignment of a name wins, as in `parseEnv`).
 */
import { parseEnv } from 'node:util';

/** One `NAME=value` entry of a dotenv text, with the 1-based line of its assignment. */
export interface EnvEntry {
  name: string;
  value: string;
  line: number;
}

/** The variables of a dotenv text, as `node --env-file` would set them. */
export function parseEnvText(text: string): Record<string, string> {
  return parseEnv(text.replace(/^\uFEFF/, '')) as Record<string, string>;
}

/** `NAME=`, `export NAME=` at the start of a line (what `parseEnv` reads as an assignment). */
const ASSIGNMENT_LINE = /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=/;

/** The entries of a dotenv text with their lines, in file order; values are `parseEnv`'s. */
export function envEntries(text: string): EnvEntry[] {
  let values: Record<string, string>;
  try {
    values = parseEnvText(text);
  } catch {
    return [];
  }
  const lines = new Map<string, number>();
  const source = text.split('\n');
  for (let i = 0; i < source.length; i++) {
    const match = ASSIGNMENT_LINE.exec(source[i]!);
    if (match && match[1]! in values) lines.set(match[1]!, i + 1);
  }
  return [...lines]
    .map(([name, line]) => ({ name, value: values[name]!, line }))
    .sort((a, b) => a.line - b.line);
}

/**
 * Whether a text is an env file whatever its name (`.envrc`, `prod.env`, `deploy/web.env`): at
 * least one assignment, and assignments make up most of its lines that are not blank or comments
 * (a shell script with a few exports among commands is not one).
 */
export function looksLikeEnvFile(text: string): boolean {
  let assignments = 0;
  let others = 0;
  let inQuote = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (inQuote) {
      // A multi-line quoted value (a PEM key) continues until its closing quote.
      if (/["'`]\s*$/.test(line)) inQuote = false;
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const match = ASSIGNMENT_LINE.exec(raw);
    if (match) {
      assignments++;
      const rest = raw.slice(match[0].length).trim();
      if (/^["'`]/.test(rest) && !new RegExp(`^${rest[0]}.*${rest[0]}`).test(rest)) inQuote = true;
    } else others++;
    if (others > 3 && others > assignments) return false;
  }
  return assignments > 0 && assignments >= others * 4;
}
