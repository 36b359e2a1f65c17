/**
 * The sandbox scenarios of the guide's companion documents: the playbook's production rules on the
 * fixture repository (built alone, without the servers: these rules read only the repository), and
 * the release checklist's browser-baseline warning in a real build of the fixture app (npm ci and the
 * stand-in `next build`, offline).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../../src/cli.js';
import type { RuleReport } from '../../src/engine/types.js';
import { destructiveCommands } from '../../src/rules/gate/destructive-commands.js';
import { noDbPush } from '../../src/rules/gate/no-db-push.js';
import { createFixtureRepo } from '../../sandbox/fixture-repo.js';
import { SCENARIOS, startSandbox, type Scenario } from '../../sandbox/index.js';
import { runRule, settingsFor } from '../helpers.js';

/** The scenario's fixture repository alone (its files are plain: no run values needed). */
async function repoRules(name: string): Promise<{ push: RuleReport; destructive: RuleReport }> {
  const scenario = SCENARIOS[name] as Scenario;
  assert.ok(scenario && typeof scenario.fixtureFiles !== 'function', name);
  const dir = await mkdtemp(join(tmpdir(), 'prg-companion-'));
  try {
    await createFixtureRepo({ dir, files: scenario.fixtureFiles as Record<string, string>, changeMessage: scenario.fixtureMessage });
    const settings = await settingsFor({}, { repo: dir });
    return { push: await runRule(noDbPush, settings), destructive: await runRule(destructiveCommands, settings) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const notPassing = (...reports: RuleReport[]) => reports.filter((r) => r.status !== 'pass' && r.status !== 'skip').map((r) => r.id).sort();
const expected = (name: string) => SCENARIOS[name]!.expect.notPassing.filter((id) => id === 'gate.no-db-push' || id === 'gate.destructive-commands').sort();

describe("the playbook's production rules on the fixture repository", { concurrency: 2 }, () => {
  test('good: setup:db and stripe:cleanup are there, reached by nothing: notices only', async () => {
    const { push, destructive } = await repoRules('good');
    assert.deepEqual(notPassing(push, destructive), []);
    assert.deepEqual(destructive.findings.map((f) => [f.level, f.message.split(' ')[0]]), [['notice', '"setup:db"'], ['notice', '"stripe:cleanup"']]);
    assert.equal(push.summary, 'prisma db push appears only in dev-only scripts: setup:db');
  });

  test('stripe-cleanup-after-deploy: the post-deploy step, at its line', async () => {
    const { push, destructive } = await repoRules('stripe-cleanup-after-deploy');
    assert.deepEqual(notPassing(push, destructive), expected('stripe-cleanup-after-deploy'));
    assert.match(destructive.summary, /^"stripe:cleanup" runs in production: \.github\/workflows\/deploy\.yml:\d+ → npm run stripe:cleanup$/);
    assert.equal(destructive.findings[0]?.file, '.github/workflows/deploy.yml');
  });

  test('migrate-reset-in-release: the whole path, workflow line → release → db:fresh → prisma migrate reset', async () => {
    const { push, destructive } = await repoRules('migrate-reset-in-release');
    assert.deepEqual(notPassing(push, destructive), expected('migrate-reset-in-release'));
    assert.match(destructive.summary, /^prisma migrate reset runs in production: \.github\/workflows\/deploy\.yml:\d+ → npm run release → npm run db:fresh → prisma migrate reset --force$/);
  });

  test('db-push-data-loss-in-dockerfile: the CMD fails both rules at the Dockerfile line', async () => {
    const { push, destructive } = await repoRules('db-push-data-loss-in-dockerfile');
    assert.deepEqual(notPassing(push, destructive), expected('db-push-data-loss-in-dockerfile'));
    assert.equal(destructive.summary, 'prisma db push --accept-data-loss runs in production: Dockerfile:6 → npx prisma db push --accept-data-loss');
    assert.deepEqual([push.findings[0]?.file, push.findings[0]?.line], ['Dockerfile', 6]);
  });
});

// The slowest case here (a sandbox with PostgreSQL, then npm ci, prisma migrate deploy and next build):
// the scenario's failure is in the build's output, so the build has to run.
test("outdated-browser-data: the stand-in next prints browserslist's warning and gate.build fails (npm ci, migrate and build run offline)", async () => {
  const sb = await startSandbox({ scenario: 'outdated-browser-data', quiet: true });
  try {
    const argv = ['--dotenv', sb.envFile, '--checks', 'gate', '--json', '--run-commands', '--migrate', 'auto'];
    for (const [name, value] of Object.entries(sb.inputs)) {
      if (name === 'resolve') for (const line of sb.resolve) argv.push('--resolve', line);
      else argv.push(`--${name}`, value);
    }
    let stdout = '';
    const code = await cli({ argv, env: { PATH: process.env.PATH, ...sb.processEnv }, cwd: sb.dir, stdout: { write: (t: string) => (stdout += t), isTTY: false }, stderr: { write: () => undefined } });
    const report = JSON.parse(stdout) as { ready: boolean; rules: Array<RuleReport> };
    assert.equal(code, 1);
    const failing = report.rules.filter((r) => r.status === 'warn' || r.status === 'fail').map((r) => r.id);
    assert.deepEqual(failing, SCENARIOS['outdated-browser-data']!.expect.notPassing);
    const build = report.rules.find((r) => r.id === 'gate.build')!;
    assert.match(build.summary, /^`npm run build-ci` succeeded in .*, but its output has the browser-baseline warning \(outdated dataset currency\): Browserslist: browsers data \(caniuse-lite\) is 8 months old\. Please run:$/);
    assert.deepEqual(
      (build.data?.warnings as Array<{ status: string; text: string }>).map((w) => [w.status, w.text]),
      [['browser-baseline', 'Browserslist: browsers data (caniuse-lite) is <n> months old. Please run:']],
    );
  } finally {
    await sb.stop();
  }
});
