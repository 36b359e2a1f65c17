/** gate.install → gate.migrate → gate.build, run for real in a shell. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runRules } from '../../../src/engine/runner.js';
import type { RuleReport } from '../../../src/engine/types.js';
import { createClients } from '../../../src/probes/clients.js';
import { build } from '../../../src/rules/gate/build.js';
import { install } from '../../../src/rules/gate/install.js';
import { migrate } from '../../../src/rules/gate/migrate.js';
import { findPrismaErrors } from '../../../src/analysis/migrations/prisma-errors.js';
import type { Settings } from '../../../src/settings.js';
import { goodEnv, settingsFor, silentLog, tempRepo } from '../../helpers.js';

const ok = 'node -e "process.exit(0)"';
const fail = (code: number, lines = 1) => `node -e "for (let i = 1; i <= ${lines}; i++) console.log('line ' + i); process.exit(${code})"`;

async function gate(inputs: Record<string, string>, env: Record<string, string | undefined> = {}, files: Record<string, string> = {}) {
  const repo = tempRepo(files);
  const settings: Settings = await settingsFor({ ...goodEnv(), ...env }, { repo: repo.dir, inputs });
  const output: string[] = [];
  const clients = createClients(settings);
  const results = await runRules([install, migrate, build], {
    context: { settings, clients, log: { ...silentLog, output: (l) => output.push(l) } },
    probeTimeoutMs: 10_000,
    commandTimeoutMs: 60_000,
  });
  await clients.close();
  repo.cleanup();
  const byId = Object.fromEntries(results.map((r) => [r.id, r])) as Record<string, RuleReport>;
  return { byId, output };
}

test('the three steps run in order in the working directory and pass', async () => {
  const order = 'node -e "require(\'fs\').appendFileSync(\'order.txt\', process.argv[1])"';
  const { byId } = await gate({
    'install-command': `${order} install && node -e "process.exit(require('fs').existsSync('package.json') ? 0 : 3)"`,
    'migrate-command': `${order} migrate`,
    'build-command': `${order} build && node -e "process.exit(require('fs').readFileSync('order.txt','utf8') === 'installmigratebuild' ? 0 : 4)"`,
    migrate: 'true',
  }, {}, { 'package.json': '{}' });
  for (const id of ['gate.install', 'gate.migrate', 'gate.build']) assert.equal(byId[id]!.status, 'pass', `${id}: ${byId[id]!.summary}`);
  assert.match(byId['gate.install']!.summary, /succeeded in \d/);
});

test('a failed install skips the later steps and shows the last 30 lines', async () => {
  const { byId, output } = await gate({ 'install-command': fail(1, 45), 'migrate-command': ok, 'build-command': ok, migrate: 'true' });
  assert.equal(byId['gate.install']!.status, 'fail');
  assert.match(byId['gate.install']!.summary, /exited with code 1/);
  assert.match(byId['gate.install']!.details ?? '', /line 16\nline 17/);
  assert.doesNotMatch(byId['gate.install']!.details ?? '', /line 15\n/);
  assert.equal(byId['gate.migrate']!.status, 'skip');
  assert.match(byId['gate.migrate']!.summary, /gate\.install failed first/);
  assert.equal(byId['gate.build']!.status, 'skip');
  assert.equal(output.length, 45, 'every line streamed to the log');
});

test('a failed migrate names the Prisma error, says what to do, and links the runbook', async () => {
  const prismaOutput = [
    'Prisma schema loaded from prisma/schema.prisma',
    'Error: P3009',
    '',
    'migrate found failed migrations in the target database, new migrations will not be applied.',
    'The `20240201000000_services` migration started at 2026-11-20 failed',
  ];
  const { byId } = await gate(
    { 'install-command': ok, 'migrate-command': 'cat prisma-output.txt; exit 1', 'build-command': ok, migrate: 'true' },
    {},
    { 'docs/migration-operations-runbook.md': '# Runbook\n', 'prisma-output.txt': prismaOutput.join('\n') },
  );
  const r = byId['gate.migrate']!;
  assert.equal(r.status, 'fail');
  assert.match(r.summary, /failed with P3009: a failed migration is recorded in the database/);
  assert.match(r.fix ?? '', /prisma migrate resolve --rolled-back 20240201000000_services/, 'the advice names the migration');
  assert.match(r.fix ?? '', /docs\/migration-operations-runbook\.md/);
  assert.match(r.details ?? '', /20240201000000_services/);
  assert.equal(byId['gate.build']!.status, 'skip');
});

test('migrate: auto never runs the migrate command on pull_request, pull_request_target or merge_group', async () => {
  for (const event of ['pull_request', 'pull_request_target', 'merge_group']) {
    const { byId } = await gate({ 'install-command': ok, 'migrate-command': 'node -e "process.exit(9)"', 'build-command': ok }, { GITHUB_EVENT_NAME: event });
    assert.equal(byId['gate.migrate']!.status, 'skip', event);
    assert.match(byId['gate.migrate']!.summary, new RegExp(`not run on ${event} events`));
    assert.equal(byId['gate.build']!.status, 'pass', 'the build still runs');
  }
  const push = await gate({ 'install-command': ok, 'migrate-command': 'node -e "process.exit(9)"', 'build-command': ok }, { GITHUB_EVENT_NAME: 'push' });
  assert.equal(push.byId['gate.migrate']!.status, 'fail', 'on push, auto runs the migrate step');
});

test('an empty command or migrate: false skips the step with the reason', async () => {
  const { byId } = await gate({ 'install-command': '', 'migrate-command': ok, 'build-command': ok, migrate: 'false' });
  assert.match(byId['gate.install']!.summary, /install-command is empty/);
  assert.match(byId['gate.migrate']!.summary, /migrate is false/);
  assert.equal(byId['gate.build']!.status, 'pass');
});

test('commands see the process environment with the app variables, including those from the env file', async () => {
  const { byId } = await gate(
    {
      'env-file': '.env.production',
      'install-command': 'node -e "process.exit(process.env.DATABASE_URL === \'postgresql://from-file/app\' && process.env.KEEP === \'1\' ? 0 : 5)"',
      'migrate-command': '',
      'build-command': '',
    },
    { DATABASE_URL: undefined, KEEP: '1' },
    { '.env.production': 'DATABASE_URL=postgresql://from-file/app\n' },
  );
  assert.equal(byId['gate.install']!.status, 'pass', byId['gate.install']!.summary);
});

test('findPrismaErrors knows the codes of a failed deploy, in order of appearance', () => {
  const codes = findPrismaErrors('Error: P1001: Can\'t reach database server\n… later P3018 and P1001 again, P9999 unknown').map((e) => e.code);
  assert.deepEqual(codes, ['P1001', 'P3018']);
  for (const code of ['P1001', 'P3005', 'P3006', 'P3009', 'P3014', 'P3018']) assert.equal(findPrismaErrors(code).length, 1, code);
});

test('the first error line is kept when it scrolled out of the last 30 lines', async () => {
  const script = `node -e "console.error('npm error The npm ci command can only install with an existing package-lock.json'); for (let i = 0; i < 40; i++) console.error('npm error   --usage line ' + i); process.exit(1)"`;
  const { byId } = await gate({ 'install-command': script, 'migrate-command': '', 'build-command': '' });
  assert.match(byId['gate.install']!.details ?? '', /First error line:\n\n```text\nnpm error The npm ci command can only install with an existing package-lock\.json/);
});

test('the migrate step does not run when gate.migration-safety failed (migration-safety.level: fail)', async () => {
  const repo = tempRepo();
  const settings = await settingsFor(goodEnv(), { repo: repo.dir, inputs: { 'install-command': ok, 'migrate-command': 'node -e "process.exit(7)"', 'build-command': ok, migrate: 'true' } });
  const safety = { meta: { id: 'gate.migration-safety', section: 'gate' as const, title: 'stand-in' }, check: async () => ({ status: 'fail' as const, summary: 'DROP TABLE pending' }) };
  const results = await runRules([install, migrate, build, safety], { context: { settings, clients: createClients(settings), log: silentLog }, probeTimeoutMs: 10_000, commandTimeoutMs: 60_000 });
  repo.cleanup();
  const byId = Object.fromEntries(results.map((r) => [r.id, r]));
  assert.equal(byId['gate.migrate']!.status, 'skip');
  assert.match(byId['gate.migrate']!.summary, /gate\.migration-safety failed first/);
  assert.equal(byId['gate.build']!.status, 'skip');
});

test('a failed migrate gets the runbook class of the database error, its recovery steps and the verification list', async () => {
  const prismaOutput = [
    'Applying migration `20240923091500_service_slug`',
    'Error: P3018',
    '',
    'A migration failed to apply. New migrations cannot be applied before the error is recovered from. Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve',
    '',
    'Migration name: 20240923091500_service_slug',
    '',
    'Database error code: 23502',
    '',
    'Database error:',
    'ERROR: column "slug" of relation "Service" contains null values',
  ];
  const runbook = '# Migration Operations Runbook\n\n## 4) Recovery procedure\n\n### A. Connectivity/permission issue\n\n### B. Data conflict issue\n\n### C. Broken migration script\n';
  const { byId } = await gate(
    { 'install-command': ok, 'migrate-command': 'cat prisma-output.txt; exit 1', 'build-command': ok, migrate: 'true' },
    {},
    { 'docs/migration-operations-runbook.md': runbook, 'prisma-output.txt': prismaOutput.join('\n') },
  );
  const r = byId['gate.migrate']!;
  assert.equal(r.status, 'fail');
  assert.match(r.summary, /failed with P3018: a migration failed to apply .*; runbook class: Data constraint conflict \(SQLSTATE 23502\)$/);
  assert.match(r.fix ?? '', /^Runbook class: Data constraint conflict \(docs\/migration-operations-runbook\.md, "B\. Data conflict issue"\)\. 1\. Prepare a corrective SQL\/data patch/);
  assert.match(r.fix ?? '', /`npx prisma migrate resolve --rolled-back 20240923091500_service_slug`\. 4\. Re-run `npx prisma migrate deploy`\.$/);
  assert.match(r.details ?? '', /- CI\/CD pipeline is unblocked: gate\.migrate \(the migrate step exits 0\)$/);
  assert.deepEqual([r.data?.runbookClass, r.data?.errorCode], ['data-conflict', '23502']);

  const unreachable = await gate(
    { 'install-command': ok, 'migrate-command': "echo \"Error: P1001: Can't reach database server at \\`db.acme-saas.com:5432\\`\"; exit 1", 'build-command': ok, migrate: 'true' },
  );
  const u = unreachable.byId['gate.migrate']!;
  assert.match(u.summary, /runbook class: Connectivity\/permission issue \(P1001\)$/);
  assert.match(u.fix ?? '', /^Runbook class: Connectivity\/permission issue\. 1\. Fix connectivity/);
  assert.doesNotMatch(u.fix ?? '', /migrate resolve/, 'nothing was recorded as failed');
});
