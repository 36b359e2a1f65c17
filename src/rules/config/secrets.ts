/**
 * What "strong and unique" means for the app's own secrets (NEXTAUTH_SECRET, STRIPE_SYNC_SECRET).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Outcome } from '../../engine/types.js';
import { parseEnvText } from '../../env-file.js';
import type { Settings } from '../../settings.js';
import { estimateEntropyBits, isPlaceholder } from '../../analysis/secrets/strength.js';
import { variable } from '../app.js';

export { estimateEntropyBits, isPlaceholder };

export const MIN_SECRET_LENGTH = 32;
export const MIN_SECRET_BITS = 128;

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
  // NEXTAUTH_SECRET and AUTH_SECRET are one secret under its NextAuth v4 and Auth.js v5 names (and the
  // auth secret's other names the library takes): the same value is expected.
  const authNames = [settings.app.variables.roles.authSecret?.name, ...(settings.app.variables.roles.authSecret?.aliases ?? []), 'NEXTAUTH_SECRET', 'AUTH_SECRET'];
  const sameSecret = (n: string) => n === name || (authNames.includes(n) && authNames.includes(name));
  const db = variable(settings, 'databaseUrl') ?? { name: 'DATABASE_URL', value: settings.env.DATABASE_URL };
  const others = [...settings.app.variables.secrets.filter((n) => !sameSecret(n)).map((n) => [n, settings.env[n]] as const), [`the ${db.name} password`, databasePassword(db.value)] as const];
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
