/**
 * On pull requests, only what the change introduces blocks: the gate in process on real git
 * repositories, each a `main`, a PR branch and GitHub's merge commit, checked out as actions/checkout
 * does (src/baseline.ts). The fixtures share one temporary directory and the cases run concurrently:
 * each builds a few small repositories with git (a few hundred milliseconds) and runs the repository
 * rules twice.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../../src/cli.js';
import { Redactor } from '../../src/redact.js';
import { buildAnnotations, buildOutputs, renderComment, renderJson, renderSummary } from '../../src/report/index.js';
import { gen } from '../rules/security/secret-fixtures.js';
import { APP, fixtureRoot, gateOn, git, pullRequest, statuses, type Files } from './fixtures.js';

const root = fixtureRoot();
after(() => root.cleanup());
const redactor = new Redactor([]);

const LEGACY = gen.stripeLive();
/** main with a key committed long ago: what every PR would be blamed for without the comparison. */
const WITH_LEGACY: Files = { ...APP, 'src/legacy.ts': `// TODO move to the environment\nexport const stripeKey = "${LEGACY}";\n` };
const scripts = (extra: Record<string, string>) => `${JSON.stringify({ name: 'acme-saas', private: true, scripts: { build: 'next build', ...extra } }, null, 2)}\n`;

describe('pull requests compared with their base', { concurrency: 4 }, () => {
  test('a new secret is new and blocks, on the line the PR adds; the key already on main is listed, not blocking', async () => {
    const token = gen.github();
    const fx = await pullRequest(root.dir, { base: WITH_LEGACY, pr: [{ 'src/client.ts': `export const token = "${token}";\n` }] });
    const report = await gateOn(fx);
    assert.equal(report.baseline?.made, true, report.baseline?.reason);
    assert.equal(report.baseline?.sha, fx.baseSha, 'the merge commit\'s first parent');
    const secrets = statuses(report, 'security.committed-secrets');
    assert.deepEqual(secrets.map((f) => [f.status, f.file, f.changedLine]), [
      ['new', 'src/client.ts', true],
      ['existing', 'src/legacy.ts', false],
    ]);
    assert.equal(report.ready, false);
    assert.deepEqual(report.baseline?.counts, { new: 1, updated: 0, existing: 2, fixed: 0 }, 'the legacy key and security.rollback\'s missing tag are already on main');
    // Annotations only for what the PR introduced.
    assert.deepEqual(buildAnnotations(report, { redactor }).map((a) => a.file), ['src/client.ts']);
    const summary = renderSummary(report, { redactor });
    assert.match(summary, /\*\*1 introduced by this PR\*\* · 2 already on `main` · 0 fixed/);
    assert.match(summary, /🆕 `src\/client\.ts:1` a GitHub token: ghp_…\w{4} \*\(new, on a line this PR changes\)\*/);
    assert.match(summary, /### 📋 Already on `main`: 2 findings, not blocking this PR[\s\S]*`src\/legacy\.ts:2` a Stripe live secret key/);
    assert.ok(summary.indexOf('src/client.ts:1') < summary.indexOf('Already on'), 'what blocks comes first');
    const outputs = buildOutputs(report);
    assert.deepEqual([outputs.new, outputs.existing, outputs.fixed, outputs.comparison, outputs['baseline-sha'], outputs['ready-all']], ['1', '2', '0', 'made', fx.baseSha, 'false']);
    // The JSON report: each finding's status, scope and key; the per-run secret match is never written.
    const json = renderJson(report, { redactor });
    const finding = JSON.parse(json).rules.find((r: { id: string }) => r.id === 'security.committed-secrets').findings[0];
    assert.deepEqual([finding.status, finding.scope, finding.key, finding.changedLine], ['new', 'repository', 'credential:github-token', true]);
    assert.doesNotMatch(json, /secretMatch/);
    assert.ok(!json.includes(token) && !json.includes(LEGACY));
  });

  test('the PR fixes nothing and adds nothing: ready, although main keeps its own findings', async () => {
    const fx = await pullRequest(root.dir, { base: WITH_LEGACY, pr: [{ 'src/index.ts': 'export const app = "acme-saas";\n' }] });
    const report = await gateOn(fx);
    assert.equal(report.ready, true, 'nothing this PR introduces blocks');
    assert.equal(report.baseline?.readyAll, false, 'judged as a whole, the legacy key would block');
    assert.equal(buildOutputs(report)['ready-all'], 'false');
    assert.deepEqual(buildAnnotations(report, { redactor }), [], 'no annotation for what was already on main');
    assert.match(renderComment(report, { redactor }), /### ✅ Production readiness — Ready: nothing this PR introduces blocks/);
  });

  test('an existing secret moved, copied and in a renamed file is existing; removing one is fixed', async () => {
    const other = gen.github();
    const base = { ...WITH_LEGACY, 'config/old.ts': `export const gh = "${other}";\n` };
    const fx = await pullRequest(root.dir, {
      base,
      pr: [
        {
          'src/legacy.ts': null,
          // moved, with new lines above it
          'src/payments/keys.ts': `// Keys\n\n\nexport const stripeKey = "${LEGACY}";\n`,
          // copied
          'scripts/seed.ts': `const key = "${LEGACY}";\n`,
        },
      ],
    });
    // A rename in a second step (git mv): followed by git diff -M.
    await git(fx.dir, 'mv', 'config/old.ts', 'config/github.ts');
    // The base pass scans only the files the change touched; with scan-history it scans the whole base.
    const [report, withHistory] = await Promise.all([gateOn(fx), gateOn(fx, { inputs: { 'scan-history': 'true' } })]);
    for (const r of [report, withHistory]) {
      const secrets = statuses(r, 'security.committed-secrets');
      assert.deepEqual(secrets.map((f) => [f.file, f.status]).sort(), [
        ['config/github.ts', 'existing'],
        ['scripts/seed.ts', 'existing'],
        // With scan-history the removed file's key is still found, in history: on main already.
        ...(r === withHistory ? [['src/legacy.ts', 'existing']] : []),
        ['src/payments/keys.ts', 'existing'],
      ]);
      assert.equal(r.rules.find((x) => x.id === 'security.committed-secrets')!.comparison?.fixed.length, 0, 'the key moved: nothing fixed');
      assert.equal(r.ready, true);
    }
  });

  test('a secret added and removed within the PR is still exposed: new, from the PR\'s own commits', async () => {
    const key = gen.stripeLive();
    const fx = await pullRequest(root.dir, { pr: [{ '.env.production': `STRIPE_SECRET_KEY=${key}\n` }, { '.env.production': null }] });
    const report = await gateOn(fx);
    const secrets = statuses(report, 'security.committed-secrets');
    assert.equal(secrets.length, 1);
    assert.equal(secrets[0]!.status, 'new');
    assert.match(secrets[0]!.message, /^In git history only: /);
    assert.equal(report.ready, false);
  });

  test('db push put in package.json and reached by an unchanged workflow: new, outside the diff', async () => {
    const fx = await pullRequest(root.dir, { pr: [{ 'package.json': scripts({ 'db:migrate': 'prisma db push --accept-data-loss', 'setup:db': 'prisma db push' }) }] });
    const report = await gateOn(fx);
    const push = statuses(report, 'gate.no-db-push').filter((f) => f.level === 'error');
    assert.deepEqual(push.map((f) => [f.file, f.status, f.changedLine]), [
      ['.github/workflows/deploy.yml', 'new', false],
      ['package.json', 'new', true],
    ]);
    assert.equal(report.ready, false);
    const comment = renderComment(report, { redactor });
    assert.match(comment, /🆕 `\.github\/workflows\/deploy\.yml:11` .*\*\(new, caused by this PR elsewhere \(this line is unchanged\)\)\*/);
    assert.deepEqual(buildAnnotations(report, { redactor }).map((a) => a.file), ['.github/workflows/deploy.yml', 'package.json'], 'the unchanged workflow line is annotated too: the PR caused it');
  });

  test('a finding shifted 500 lines down, or its step moved to another workflow, is existing', async () => {
    const pushing = (APP['.github/workflows/deploy.yml'] as string).replace('run: npm run db:migrate', 'run: npx prisma db push');
    const shifted = pushing.replace('jobs:\n', `${Array.from({ length: 500 }, (_, i) => `# deploy note ${i + 1}`).join('\n')}\njobs:\n`);
    const [a, b] = await Promise.all([
      pullRequest(root.dir, { base: { ...APP, '.github/workflows/deploy.yml': pushing }, pr: [{ '.github/workflows/deploy.yml': shifted }] }),
      pullRequest(root.dir, { base: { ...APP, '.github/workflows/deploy.yml': pushing }, pr: [{ '.github/workflows/deploy.yml': null, '.github/workflows/release.yml': pushing.replace('name: Deploy', 'name: Release') }] }),
    ]);
    const [shiftedReport, movedReport] = await Promise.all([gateOn(a), gateOn(b)]);
    assert.deepEqual(statuses(shiftedReport, 'gate.no-db-push').filter((f) => f.level === 'error').map((f) => [f.message.replace(/:\d+/, ':N'), f.status]), [['.github/workflows/deploy.yml:N → npx prisma db push', 'existing']]);
    assert.equal(shiftedReport.rules.find((r) => r.id === 'gate.no-db-push')!.findings[0]!.line, 511);
    assert.deepEqual(statuses(movedReport, 'gate.no-db-push').filter((f) => f.level === 'error').map((f) => [f.file, f.status]), [['.github/workflows/release.yml', 'existing']]);
    assert.equal(shiftedReport.ready, true);
    assert.equal(movedReport.ready, true);
  });

  test('main fixes a finding after the branch point: the merge checkout does not blame the PR; a head checkout compares with the merge base and says so', async () => {
    const spec = { base: WITH_LEGACY, pr: [{ 'src/feature.ts': 'export const feature = true;\n' }], mainAfter: [{ 'src/legacy.ts': null }] };
    const [merge, head] = await Promise.all([pullRequest(root.dir, spec), pullRequest(root.dir, { ...spec, checkout: 'head' })]);
    const [onMerge, onHead] = await Promise.all([gateOn(merge), gateOn(head)]);
    assert.deepEqual(statuses(onMerge, 'security.committed-secrets'), [], 'the merge commit has main\'s fix');
    assert.equal(onMerge.ready, true);
    assert.deepEqual(onMerge.baseline?.warnings, []);

    assert.deepEqual(statuses(onHead, 'security.committed-secrets').map((f) => f.status), ['existing'], 'on the merge base the key was there');
    assert.equal(onHead.ready, true);
    assert.match(onHead.baseline!.warnings[0]!, /head commit is checked out, not its merge commit: compared with the merge base [0-9a-f]{12}, where the branch left main/);
    assert.match(renderSummary(onHead, { redactor }), /> \[!NOTE\]\n> The PR's head commit is checked out/);
  });

  test('a PR that adds its own waiver and gitleaks:allow: both applied and called out at the top', async () => {
    const token = gen.github();
    const fx = await pullRequest(root.dir, {
      pr: [
        {
          'package.json': scripts({ 'db:migrate': 'prisma db push' }),
          '.github/production-readiness.yml': 'waivers:\n  - rule: gate.no-db-push\n    reason: migrating next sprint\n',
          '.gitleaks.toml': "[extend]\nuseDefault = true\n\n[allowlist]\npaths = ['''^test/''']\n",
          'src/fixture.ts': `export const t = "${token}"; // gitleaks:allow\n`,
        },
      ],
    });
    const report = await gateOn(fx);
    assert.equal(report.rules.find((r) => r.id === 'gate.no-db-push')!.waived, true);
    assert.equal(report.ready, true);
    assert.deepEqual(report.baseline?.addedExceptions.map((e) => [e.kind, e.text]), [
      ['waiver', 'waiver for gate.no-db-push: "migrating next sprint"'],
      ['allowlist', 'gitleaks:allow at src/fixture.ts:1'],
      ['allowlist', '.gitleaks.toml edited (5 lines added from line 1): its rules and allowlists apply to the secret scan'],
    ]);
    const summary = renderSummary(report, { redactor });
    assert.ok(summary.indexOf('adds its own exceptions') < summary.indexOf('###'), 'called out above every section');
    assert.match(renderComment(report, { redactor }), /\*\*Exceptions added by this PR\*\* \(the gate applies them\):\n> - waiver for gate\.no-db-push: "migrating next sprint"/);
  });

  test('an applied migration edited, or deleted, by the PR is a new finding; a risky migration it adds is linted without a database', async () => {
    const init = 'prisma/migrations/20240101000000_init/migration.sql';
    const fx = await pullRequest(root.dir, {
      base: { ...APP, 'prisma/migrations/20240201000000_teams/migration.sql': 'CREATE TABLE "Team" ("id" TEXT NOT NULL);\n' },
      pr: [
        {
          [init]: `${APP[init]}ALTER TABLE "User" ADD COLUMN "locale" TEXT;\n`,
          'prisma/migrations/20240201000000_teams/migration.sql': null,
          'prisma/migrations/20250301000000_drop_audit/migration.sql': '-- Cleanup\nDROP TABLE "AuditLog";\n',
        },
      ],
    });
    const report = await gateOn(fx);
    const safety = report.rules.find((r) => r.id === 'gate.migration-safety')!;
    assert.equal(safety.status, 'fail');
    assert.deepEqual(safety.findings.map((f) => [f.key, f.status, f.file]), [
      ['edited:20240101000000_init', 'new', init],
      ['deleted:20240201000000_teams', 'new', 'prisma/migrations/20240201000000_teams/migration.sql'],
      ['20250301000000_drop_audit:drop-table', 'new', 'prisma/migrations/20250301000000_drop_audit/migration.sql'],
    ]);
    assert.match(safety.findings[0]!.message, /exists on the base and this change edits it: .*never runs the edit/);
    assert.match(safety.summary, /2 migrations of the base edited or deleted: 20240101000000_init \(edited\), 20240201000000_teams \(deleted\); 1 risky statement in 1 of 1 added migration/);
    assert.equal(report.ready, false);
  });

  test('a depth-1 checkout fetches the one base commit it lacks, and a PR\'s own commits for the history scan', async () => {
    const token = gen.github();
    const key = gen.stripeLive();
    const fx = await pullRequest(root.dir, { base: WITH_LEGACY, depth: 1, pr: [{ 'src/client.ts': `export const token = "${token}";\n`, 'tmp.env': `STRIPE_SECRET_KEY=${key}\n` }, { 'tmp.env': null }] });
    assert.equal(await git(fx.dir, 'rev-parse', '--is-shallow-repository'), 'true');
    assert.notEqual(await git(fx.dir, 'cat-file', '-t', fx.baseSha).catch(() => 'missing'), 'commit', 'the base is not in the checkout');
    const report = await gateOn(fx);
    assert.equal(report.baseline?.made, true, report.baseline?.reason);
    assert.deepEqual(statuses(report, 'security.committed-secrets').map((f) => [f.status, f.file]), [
      ['new', 'src/client.ts'],
      ['existing', 'src/legacy.ts'],
      ['new', 'tmp.env'],
    ]);
  });

  test('a base that cannot be had: every finding judged, with the reason and the fix; never "0 new"', async () => {
    const fx = await pullRequest(root.dir, { base: WITH_LEGACY, depth: 1, pr: [{ 'src/index.ts': 'export const app = 2;\n' }] });
    // The remote is gone (a network failure looks the same to git).
    await git(fx.dir, 'remote', 'set-url', 'origin', `file://${join(root.dir, 'nowhere')}`);
    const [lost, noRef] = await Promise.all([gateOn(fx), gateOn(fx, { inputs: { 'baseline-ref': 'release/9.9' } })]);
    for (const report of [lost, noRef]) {
      assert.equal(report.baseline?.made, false);
      assert.equal(report.ready, false, 'judged as a whole: the legacy key blocks');
      assert.equal(report.rules.find((r) => r.id === 'security.committed-secrets')!.comparison?.verdict, 'full');
      const outputs = buildOutputs(report);
      assert.deepEqual([outputs.comparison, outputs.new, outputs.existing], ['unavailable', '', '']);
      assert.doesNotMatch(renderSummary(report, { redactor }), /introduced by/);
    }
    assert.match(lost.baseline!.reason!, /^the base commit [0-9a-f]{12} could not be fetched: git fetch exited with 128/);
    assert.match(lost.baseline!.fix!, /fetch-depth: 0/);
    assert.match(noRef.baseline!.reason!, /^baseline-ref: origin could not be asked for release\/9\.9/);
    assert.match(renderSummary(lost, { redactor }), /> \[!WARNING\]\n> \*\*Not compared with `main`\*\*: the base commit [0-9a-f]{12} could not be fetched: .*Every finding is judged as in a full run\. \*\*Fix:\*\* Check out with `fetch-depth: 0`/);

    // baseline-unavailable: warn lists the repository findings without blocking.
    const warned = await gateOn(fx, { inputs: { 'baseline-unavailable': 'warn' } });
    assert.equal(warned.rules.find((r) => r.id === 'security.committed-secrets')!.comparison?.verdict, 'listed');
    assert.equal(warned.ready, true);
  });

  test('environment rules on a PR are listed, not blocking, unless environment-on-pr: block', async () => {
    const fx = await pullRequest(root.dir, { pr: [{ 'src/index.ts': 'export const app = 3;\n' }] });
    const [listed, blocking, full] = await Promise.all([gateOn(fx), gateOn(fx, { inputs: { 'environment-on-pr': 'block' } }), gateOn(fx, { inputs: { 'new-findings-only': 'false' } })]);
    const debug = (r: typeof listed) => r.rules.find((x) => x.id === 'config.nextauth-debug')!;
    assert.equal(debug(listed).status, 'fail', 'NEXTAUTH_DEBUG=true');
    assert.equal(debug(listed).comparison?.verdict, 'listed');
    assert.equal(listed.ready, true);
    assert.match(renderSummary(listed, { redactor }), /### 🌐 Environment: 1 rule this PR cannot have caused, not blocking it/);
    assert.equal(blocking.ready, false);
    assert.equal(debug(blocking).comparison?.verdict, 'full');
    // new-findings-only: false is a run as without the feature: no comparison, everything judged.
    assert.equal(full.baseline, undefined);
    assert.equal(full.ready, false);
    assert.equal(buildOutputs(full).comparison, 'off');
  });

  test('merge_group: compared with the queue\'s base_sha', async () => {
    const token = gen.github();
    const fx = await pullRequest(root.dir, { base: WITH_LEGACY, pr: [{ 'src/client.ts': `export const token = "${token}";\n` }] });
    const eventPath = join(root.dir, 'merge-group.json');
    writeFileSync(eventPath, JSON.stringify({ merge_group: { head_sha: await git(fx.dir, 'rev-parse', 'HEAD'), base_sha: fx.baseSha, base_ref: 'refs/heads/main', head_ref: 'refs/heads/gh-readonly-queue/main/pr-7-abc' } }));
    const report = await gateOn({ dir: fx.dir, eventPath }, { event: 'merge_group' });
    assert.deepEqual([report.baseline?.made, report.baseline?.sha, report.baseline?.ref, report.baseline?.subject], [true, fx.baseSha, 'main', 'this merge group']);
    assert.deepEqual(statuses(report, 'security.committed-secrets').map((f) => [f.file, f.status]), [['src/client.ts', 'new'], ['src/legacy.ts', 'existing']]);
    assert.match(renderSummary(report, { redactor }), /\*\*1 introduced by this merge group\*\*/);
  });

  test('on the command line, --baseline-ref compares a branch with main: what it introduces, marked', async () => {
    const fx = await pullRequest(root.dir, { base: WITH_LEGACY, checkout: 'head', pr: [{ 'src/client.ts': `export const token = "${gen.github()}";\n` }] });
    let stdout = '';
    const code = await cli({
      argv: ['--checks', 'security.committed-secrets', '--baseline-ref', 'main'],
      env: {},
      cwd: fx.dir,
      stdout: { write: (t: string) => (stdout += t), isTTY: false },
      stderr: { write: () => undefined },
    });
    assert.equal(code, 1, stdout);
    assert.match(stdout, /→ \[new\] src\/client\.ts:1 a GitHub token/);
    assert.match(stdout, /→ \[already there\] src\/legacy\.ts:2 a Stripe live secret key/);
    assert.match(stdout, /✖ Not ready: 1 failed; not run: .*\n {2}1 introduced by this change · 1 already on main · 0 fixed/);
  });

  test('workflow_dispatch with baseline-ref set to a tag: compared with that release; without one, judged as today', async () => {
    const token = gen.github();
    const fx = await pullRequest(root.dir, { base: WITH_LEGACY, tags: ['v1.6.0'], depth: 1, pr: [{ 'src/client.ts': `export const token = "${token}";\n` }] });
    // The tag is on origin only (actions/checkout fetches no tags by default): fetched by name.
    assert.equal(await git(fx.dir, 'tag', '--list'), '');
    const [tagged, plain] = await Promise.all([gateOn(fx, { event: 'workflow_dispatch', inputs: { 'baseline-ref': 'v1.6.0' } }), gateOn(fx, { event: 'workflow_dispatch' })]);
    assert.equal(tagged.baseline?.made, true, tagged.baseline?.reason);
    assert.equal(tagged.baseline?.ref, 'v1.6.0');
    assert.equal(tagged.baseline?.sha, await git(fx.origin, 'rev-parse', 'v1.6.0^{commit}'));
    assert.deepEqual(statuses(tagged, 'security.committed-secrets').map((f) => [f.file, f.status]), [['src/client.ts', 'new'], ['src/legacy.ts', 'existing']]);
    assert.equal(tagged.rules.find((r) => r.id === 'config.nextauth-debug')!.comparison?.verdict, 'full', 'not a pull request: the environment is judged');
    assert.equal(plain.baseline, undefined, 'new-findings-only: auto compares nothing on workflow_dispatch');
  });
});
