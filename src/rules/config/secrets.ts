/**
 * What "strong and unique" means for the app's own secrets (NEXTAUTH_SECRET, STRIPE_SYNC_SECRET).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Outcome } from '../../engine/types.js';
import { parseEnvText } from '../../env-file.js';
import type { Settings } from '../../settings.js';
import { SECRET_VARIABLES } from '../../target-app.js';

export const MIN_SECRET_LENGTH = 32;
export const MIN_SECRET_BITS = 128;

/** Values that appear in templates, tutorials and `.env.example` files. */
const PLACEHOLDERS = new Set([
  'secret',
  'changeme',
  'change-me',
  'change_me',
  'password',
  'test',
  'development',
  'dev',
  'supersecret',
  'super-secret',
  'mysecret',
  'nextauth_secret',
  'your_nextauth_secret_here',
  'your_secret_here',
  'your-secret-here',
  'replace-me',
  'replace_me',
  'todo',
  'xxx',
]);

export function isPlaceholder(value: string): boolean {
  const v = value.trim().toLowerCase();
  return (
    PLACEHOLDERS.has(v) ||
    /^your[_-].*[_-]here$/.test(v) ||
    /^<.*>$/.test(v) ||
    /^(x+|\*+|\.+|0+|1234567890?)$/.test(v) ||
    /(changeme|change[_-]me|placeholder|replace[_-]?me|example)/.test(v)
  );
}

/**
 * Estimated entropy in bits: length × log2 of the alphabet the value draws from (hex counts as 16
 * symbols, not 36), capped by the value's own symbol distribution so that `aaaa…` or a repeated
 * word does not pass on length alone. `openssl rand -base64 32` (≈ 256 bits) and `openssl rand -hex
 * 16` (128 bits) pass; a 32-character sentence of lowercase words does not.
 */
export function estimateEntropyBits(value: string): number {
  if (!value) return 0;
  let alphabet: number;
  if (/^[0-9a-f]+$/.test(value) || /^[0-9A-F]+$/.test(value)) alphabet = 16;
  else {
    alphabet = 0;
    if (/[a-z]/.test(value)) alphabet += 26;
    if (/[A-Z]/.test(value)) alphabet += 26;
    if (/[0-9]/.test(value)) alphabet += 10;
    if (/[^a-zA-Z0-9]/.test(value)) alphabet += 33;
  }
  const perSymbol = Math.log2(alphabet);
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let shannon = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    shannon -= p * Math.log2(p);
  }
  // A short random string cannot show its alphabet's full Shannon entropy (32 hex characters
  // show about 3.7 of 4 bits), so the distribution only caps values that are clearly repetitive.
  const repetitive = shannon < Math.min(perSymbol, Math.log2(value.length)) * 0.75;
  return Math.round(value.length * (repetitive ? shannon : perSymbol));
}

/** Placeholder values the repo's own `.env.example` gives (a copied template is not a secret). */
export async function examplePlaceholders(settings: Settings): Promise<Record<string, string>> {
  for (const name of ['.env.example', '.env.sample', '.env.template']) {
    try {
      return parseEnvText(await readFile(join(settings.workingDirectory, name), 'utf8'));
    } catch {
      // try the next name
    }
  }
  return {};
}

/**
 * The strong-and-unique check shared by NEXTAUTH_SECRET and STRIPE_SYNC_SECRET: set, not a known
 * placeholder or the `.env.example` value, at least 32 characters and ~128 bits, and not the same
 * value as another configured secret.
 */
export async function checkStrongUniqueSecret(settings: Settings, name: string, howToMake: string): Promise<Outcome> {
  const value = settings.env[name];
  const fix = `Generate one with \`${howToMake}\` and store it in the platform's secret manager as ${name}.`;
  if (!value) return { status: 'fail', summary: `${name} is not set`, fix };
  const example = (await examplePlaceholders(settings))[name];
  if (isPlaceholder(value) || (example !== undefined && example !== '' && example === value)) {
    return {
      status: 'fail',
      summary: `${name} is a placeholder value${example === value ? ' (the one in .env.example)' : ''}`,
      fix,
    };
  }
  // NEXTAUTH_SECRET and AUTH_SECRET are one secret under its Auth.js v4 and v5 names: the same value is expected.
  const sameSecret = (n: string) => n === name || (n === 'AUTH_SECRET' && name === 'NEXTAUTH_SECRET') || (n === 'NEXTAUTH_SECRET' && name === 'AUTH_SECRET');
  const others = [...SECRET_VARIABLES.filter((n) => !sameSecret(n)).map((n) => [n, settings.env[n]] as const), ['the DATABASE_URL password', databasePassword(settings.env.DATABASE_URL)] as const];
  const same = others.filter(([, v]) => v && v === value).map(([n]) => n);
  if (same.length > 0) {
    return {
      status: 'fail',
      summary: `${name} has the same value as ${same.join(' and ')}`,
      details: 'One leaked secret must not open two doors; each secret needs its own value.',
      fix,
    };
  }
  const bits = estimateEntropyBits(value);
  if (value.length < MIN_SECRET_LENGTH || bits < MIN_SECRET_BITS) {
    return {
      status: 'fail',
      summary: `${name} is weak: ${value.length} characters, about ${bits} bits (needs ${MIN_SECRET_LENGTH}+ characters and about ${MIN_SECRET_BITS} bits)`,
      fix,
      data: { length: value.length, estimatedBits: bits },
    };
  }
  return {
    status: 'pass',
    summary: `${name} is set: ${value.length} characters, about ${bits} bits, unique`,
    data: { length: value.length, estimatedBits: bits },
  };
}

function databasePassword(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}
