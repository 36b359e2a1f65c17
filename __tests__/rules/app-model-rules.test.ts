/**
 * Rules that ask the app model, on small repositories of another shape than the guide's app: the
 * names they judge and print are the app's, a subject the app lacks is "not applicable", and the
 * settings read, mask and run what the app uses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appUrl } from '../../src/rules/config/app-url.js';
import { nextauthSecret } from '../../src/rules/config/nextauth-secret.js';
import { nextauthUrl } from '../../src/rules/config/nextauth-url.js';
import { stripeSecretKey } from '../../src/rules/config/stripe-secret-key.js';
import { enableHsts } from '../../src/rules/config/enable-hsts.js';
import { oauthGithub } from '../../src/rules/config/oauth-github.js';
import { migrationDialect } from '../../src/rules/gate/migration-dialect.js';
import { registerApi } from '../../src/rules/smoke/register-api.js';
import { runRule, settingsFor, tempRepo } from '../helpers.js';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const V5: Record<string, string> = {
  'package.json': json({ name: 'x', scripts: { build: 'next build' }, dependencies: { next: '15.0.0', 'next-auth': '^5.0.0-beta.25', stripe: '^17.0.0' } }),
  'pnpm-lock.yaml': "lockfileVersion: '9.0'\n",
  'env.ts': `import { z } from "zod";\nexport const env = z.object({ NEXT_PUBLIC_APP_URL: z.string(), AUTH_SECRET: z.string(), STRIPE_API_KEY: z.string(), MAILER_API_TOKEN: z.string(), FEATURE_BETA_API_KEY: z.string() }).parse(process.env);\n`,
  'auth.ts': 'import NextAuth from "next-auth";\nimport GitHub from "next-auth/providers/github";\nexport const { handlers } = NextAuth({ providers: [GitHub] });\n',
  'app/api/auth/[...nextauth]/route.ts': 'export { GET, POST } from "@/auth";\n',
  'app/page.tsx': 'export default function Home() { return null; }\n',
  'prisma/schema.prisma': 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n',
  'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n',
  'prisma/migrations/0_init/migration.sql': 'CREATE TABLE "User" ("id" TEXT NOT NULL PRIMARY KEY);\n',
};
const ORIGIN = 'https://app.example-saas.com';
const ENV = {
  NEXT_PUBLIC_APP_URL: ORIGIN,
  AUTH_URL: ORIGIN,
  AUTH_SECRET: 'Jd8s0Qm2vX+LkP4r9TzWn6bY1cHfA3gE5uK7oR2iM0s=',
  AUTH_GITHUB_ID: 'Ov23liAbCdEfGhIjKlMn',
  AUTH_GITHUB_SECRET: '4f9c2a7e1b8d3f6a0c5e9b2d7f1a4c8e6b3d0f92',
  STRIPE_API_KEY: ['sk', 'test', '51NQ7cT2mVb9KpL3sR8wX1yZ4aB6dE0fG'].join('_'),
  MAILER_API_TOKEN: 'mt_9f8e7d6c5b4a39281706f5e4d3c2b1a0',
  FEATURE_BETA_API_KEY: 'true',
  // The guide's names, given by habit: the app reads none of them.
  NEXTAUTH_SECRET: 'short',
};

test("an Auth.js v5 app's own names: URL, secret, Stripe key, GitHub client; the guide's flags are not applicable", async () => {
  const repo = tempRepo(V5);
  try {
    const settings = await settingsFor(ENV, { repo: repo.dir });
    assert.equal(settings.installCommand, 'pnpm install --frozen-lockfile');
    assert.equal(settings.buildCommand, 'pnpm run build');
    assert.deepEqual(settings.commandSources, { install: 'app', build: 'app' });
    // Secrets by the app's names are masked; a switch's value is not a secret.
    assert.ok(settings.secrets.includes(ENV.STRIPE_API_KEY) && settings.secrets.includes(ENV.MAILER_API_TOKEN) && settings.secrets.includes(ENV.AUTH_GITHUB_SECRET));
    assert.ok(!settings.secrets.includes('true'));
    const results = Object.fromEntries(
      await Promise.all([appUrl, nextauthUrl, nextauthSecret, stripeSecretKey, enableHsts, oauthGithub, registerApi, migrationDialect].map(async (rule) => {
        const r = await runRule(rule, settings);
        return [r.id, `${r.status}: ${r.summary}`];
      })),
    );
    assert.equal(results['config.app-url'], `pass: NEXT_PUBLIC_APP_URL is ${ORIGIN}`);
    assert.equal(results['config.nextauth-url'], `pass: AUTH_URL is ${ORIGIN}, the same origin as NEXT_PUBLIC_APP_URL`);
    // AUTH_SECRET is judged (strong), not the short NEXTAUTH_SECRET the app does not read.
    assert.match(results['config.nextauth-secret']!, /^pass: AUTH_SECRET is set: 44 characters/);
    assert.match(results['config.stripe-secret-key']!, /^fail: STRIPE_API_KEY is a test-mode key/);
    assert.match(results['config.enable-hsts']!, /^skip: not applicable: the app has no ENABLE_HSTS flag/);
    assert.match(results['config.oauth-github']!, /^pass: GitHub client id and secret are set \(AUTH_GITHUB_ID, AUTH_GITHUB_SECRET\); callback URL to register: https:\/\/app\.example-saas\.com\/api\/auth\/callback\/github/);
    assert.match(results['smoke.register-api']!, /^skip: not applicable: the app has no sign-up API/);
    assert.match(results['gate.migration-dialect']!, /^pass: 1 migration parses as PostgreSQL, and prisma\/migrations\/migration_lock\.toml says postgresql$/);
  } finally {
    repo.cleanup();
  }
});

test('install-command and build-command: given ones are run as given, empty skips, auto follows the app', async () => {
  const repo = tempRepo(V5);
  try {
    const given = await settingsFor(ENV, { repo: repo.dir, inputs: { 'install-command': 'npm ci', 'build-command': '' } });
    assert.deepEqual([given.installCommand, given.buildCommand, given.commandSources], ['npm ci', '', { install: 'input', build: 'input' }]);
  } finally {
    repo.cleanup();
  }
});

test('gate.migration-dialect: no lock warns; a MySQL migration fails at its line; no schema is not applicable', async () => {
  const noLock = tempRepo({ ...V5, 'prisma/migrations/migration_lock.toml': '' });
  const mysql = tempRepo({ ...V5, 'prisma/migrations/1_more/migration.sql': 'ALTER TABLE `User` ADD COLUMN `name` VARCHAR(191) NULL;\n' });
  const none = tempRepo({ 'package.json': json({ dependencies: { next: '15.0.0' } }) });
  try {
    const lockless = await runRule(migrationDialect, await settingsFor(ENV, { repo: noLock.dir }));
    // An empty lock file names no provider: it is there, so only the SQL is judged.
    assert.equal(lockless.status, 'pass');
    const { rm } = await import('node:fs/promises');
    await rm(`${noLock.dir}/prisma/migrations/migration_lock.toml`);
    const missing = await runRule(migrationDialect, await settingsFor(ENV, { repo: noLock.dir }));
    assert.equal(missing.status, 'warn');
    assert.match(missing.summary, /prisma\/migrations has no migration_lock\.toml/);
    const refused = await runRule(migrationDialect, await settingsFor(ENV, { repo: mysql.dir }));
    assert.equal(refused.status, 'fail');
    assert.deepEqual(refused.findings.map((f) => [f.file, f.line, f.level]), [['prisma/migrations/1_more/migration.sql', 1, 'error']]);
    const skipped = await runRule(migrationDialect, await settingsFor(ENV, { repo: none.dir }));
    assert.deepEqual([skipped.status, skipped.summary], ['skip', 'not applicable: the app has no Prisma schema (no prisma/schema.prisma)']);
  } finally {
    for (const r of [noLock, mysql, none]) r.cleanup();
  }
});
