/**
 * The §2 scenarios whose state is in the repository and the database: each one is what it says,
 * and `npx prisma migrate deploy` treats it as Prisma does (it never compares checksums, skips
 * migrations missing from the repository, and applies pending ones).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { startSandbox, type Sandbox } from '../../sandbox/index.js';
import { DRIFTED_MIGRATION, TEAM_CLEANUP, WEBHOOK_EVENT_HOTFIX } from '../../sandbox/scenario-migrations.js';

const exec = promisify(execFile);
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function withSandbox(scenario: string, fn: (sb: Sandbox) => Promise<void>): Promise<void> {
  const sb = await startSandbox({ scenario, quiet: true });
  try {
    await fn(sb);
  } finally {
    await sb.stop();
  }
}

/** `npm ci && npx prisma migrate deploy` in repoDir, as the gate runs it; resolves to the migrate output. */
async function installAndMigrate(sb: Sandbox): Promise<string> {
  const env = { ...process.env, ...sb.env };
  await exec('npm', ['ci'], { cwd: sb.repoDir, env });
  const { stdout, stderr } = await exec('/bin/sh', ['-c', 'npx prisma migrate deploy'], { cwd: sb.repoDir, env });
  return stdout + stderr;
}

async function history(sb: Sandbox): Promise<Map<string, { checksum: string; finished: boolean }>> {
  const client = await sb.postgres.adminClient(sb.database.database);
  try {
    const { rows } = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      'SELECT "migration_name", "checksum", "finished_at" FROM "_prisma_migrations" WHERE "rolled_back_at" IS NULL',
    );
    return new Map(rows.map((r) => [r.migration_name, { checksum: r.checksum, finished: r.finished_at !== null }]));
  } finally {
    await client.end();
  }
}

const repoFile = (sb: Sandbox, file: string) => fs.readFileSync(path.join(sb.repoDir, file), 'utf8');
const migrationFile = (name: string) => `prisma/migrations/${name}/migration.sql`;

test('drifted-migration: an applied migration edited afterwards; migrate deploy does not mind', () =>
  withSandbox('drifted-migration', async (sb) => {
    const file = repoFile(sb, migrationFile(DRIFTED_MIGRATION.name));
    assert.match(file, /CREATE INDEX "Invoice_subscriptionId_idx"/);
    const applied = (await history(sb)).get(DRIFTED_MIGRATION.name)!;
    assert.equal(applied.finished, true);
    assert.notEqual(applied.checksum, sha256(file), 'the recorded checksum is the file before the edit');
    assert.match(await installAndMigrate(sb), /No pending migrations to apply\./);
  }));

test('missing-migration-file: applied from an unmerged branch, absent from the repository', () =>
  withSandbox('missing-migration-file', async (sb) => {
    assert.equal((await history(sb)).get(WEBHOOK_EVENT_HOTFIX.name)?.finished, true);
    assert.equal(fs.existsSync(path.join(sb.repoDir, 'prisma/migrations', WEBHOOK_EVENT_HOTFIX.name)), false);
    const output = await installAndMigrate(sb);
    assert.match(output, /^4 migrations found/m);
    assert.match(output, /No pending migrations to apply\./);
  }));

test('pending-destructive-migration: committed, not applied; migrate deploy applies it', () =>
  withSandbox('pending-destructive-migration', async (sb) => {
    const sql = repoFile(sb, migrationFile(TEAM_CLEANUP.name));
    assert.match(sql, /DROP COLUMN "billingProvider"/);
    assert.match(sql, /ALTER COLUMN "name" SET DATA TYPE VARCHAR\(100\)/);
    assert.match(sql, /^CREATE INDEX "Subscription_priceId_idx" ON "Subscription"/m);
    assert.equal((await history(sb)).has(TEAM_CLEANUP.name), false);
    const output = await installAndMigrate(sb);
    assert.match(output, new RegExp(`Applying migration \`${TEAM_CLEANUP.name}\``));
    assert.match(output, /All migrations have been successfully applied\./);
    assert.deepEqual((await history(sb)).get(TEAM_CLEANUP.name), { checksum: sha256(sql), finished: true });
  }));

test('db-push-in-deploy: the workflow runs npm run release, which reaches prisma db push', () =>
  withSandbox('db-push-in-deploy', async (sb) => {
    const pkg = JSON.parse(repoFile(sb, 'package.json')) as { scripts: Record<string, string> };
    assert.equal(pkg.scripts.release, 'npm run db:sync && next build');
    assert.equal(pkg.scripts['db:sync'], 'prisma db push --accept-data-loss');
    const workflow = repoFile(sb, '.github/workflows/deploy.yml');
    assert.match(workflow, /- name: Release\n {8}run: \|\n {10}npx prisma generate\n {10}npm run release\n/);
    assert.doesNotMatch(workflow, /migrate:deploy/);
    const { stdout } = await exec('git', ['status', '--porcelain'], { cwd: sb.repoDir });
    assert.equal(stdout, '', 'package.json, its lockfile and the workflow are committed together');
  }));
