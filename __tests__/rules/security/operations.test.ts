/** security.backups, security.rollback, security.docs on real repositories. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { backups } from '../../../src/rules/security/backups.js';
import { docs } from '../../../src/rules/security/docs.js';
import { rollback, rollbackHeadings } from '../../../src/rules/security/rollback.js';
import { goodEnv, runRule, settingsFor, tempRepo } from '../../helpers.js';

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

async function withConfig(rule: typeof backups, config: string, files: Record<string, string> = {}) {
  const repo = tempRepo({ '.github/production-readiness.yml': config, ...files });
  try {
    return await runRule(rule, await settingsFor(goodEnv(), { repo: repo.dir }));
  } finally {
    repo.cleanup();
  }
}

test('security.backups passes as "attested", never "verified", with the date and the evidence', async () => {
  const r = await withConfig(backups, `operations:\n  backups:\n    last-restore-test: ${day(-12)}\n    evidence: https://wiki.acme.com/restore\n`);
  assert.equal(r.status, 'pass');
  assert.match(r.summary, /^attested: restore tested on .* \(12 days ago, within 90\); evidence: https:\/\/wiki\.acme\.com\/restore$/);
  assert.doesNotMatch(JSON.stringify(r), /verified(?! the backup itself)/i);
});

test('security.backups fails when missing, expired or dated in the future', async () => {
  const missing = await withConfig(backups, 'paths: {}\n');
  assert.equal(missing.status, 'fail');
  assert.match(missing.summary, /no backup policy is attested/);
  const old = await withConfig(backups, `operations:\n  backups:\n    last-restore-test: ${day(-40)}\n    evidence: https://wiki.acme.com/r\n    max-age-days: 30\n`);
  assert.equal(old.status, 'fail');
  assert.match(old.summary, /40 days old .* older than max-age-days 30/);
  const future = await withConfig(backups, `operations:\n  backups:\n    last-restore-test: ${day(5)}\n    evidence: https://wiki.acme.com/r\n`);
  assert.match(future.summary, /in the future/);
});

function gitRepo(files: Record<string, string>, tags: string[]) {
  const repo = tempRepo(files);
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'commit.gpgsign=false', '-c', 'tag.gpgsign=false', ...args], { cwd: repo.dir, stdio: 'pipe' });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'first');
  for (const tag of tags) git('tag', tag);
  git('commit', '-q', '--allow-empty', '-m', 'second');
  return repo;
}

test('security.rollback passes with a Rollback section and an earlier release tag', async () => {
  const repo = gitRepo({ 'docs/deployment-guide.md': '# Deploy\n\n## Steps\n\n## Rolling back a release\nRedeploy the previous tag.\n' }, ['v1.5.0']);
  const r = await runRule(rollback, await settingsFor(goodEnv(), { repo: repo.dir }));
  repo.cleanup();
  assert.equal(r.status, 'pass', r.summary);
  assert.match(r.summary, /docs\/deployment-guide\.md:5.*previous release to roll back to: v1\.5\.0/);
});

test('security.rollback fails without a rollback section (annotated) or without a release to go back to', async () => {
  const undocumented = gitRepo({ 'docs/deployment-guide.md': '# Deploy\n\nShip it.\n' }, ['v1.5.0']);
  const r = await runRule(rollback, await settingsFor(goodEnv(), { repo: undocumented.dir }));
  undocumented.cleanup();
  assert.equal(r.status, 'fail');
  assert.match(r.summary, /no rollback section/);
  assert.deepEqual(r.locations, [{ file: 'docs/deployment-guide.md', line: 1 }]);

  const untagged = gitRepo({ 'docs/deployment-guide.md': '## Rollback\n' }, []);
  const u = await runRule(rollback, await settingsFor(goodEnv(), { repo: untagged.dir }));
  untagged.cleanup();
  assert.equal(u.status, 'warn');
  assert.match(u.summary, /the repository has no release tag/);
});

test('rollbackHeadings finds the headings that name a rollback', () => {
  assert.deepEqual(rollbackHeadings('# A\n## Rollback\ntext about rollback\n### Rolling back\n## Roll-back plan\n## Rollbacks'), [2, 4, 5, 6]);
});

test('security.docs passes with the five documents and warns per missing one', async () => {
  const all = Object.fromEntries(['deployment-guide', 'billing-integration-guide', 'migration-operations-runbook', 'release-checklist', 'environment-commands-playbook'].map((d) => [`docs/${d}.md`, `# ${d}\n`]));
  const ok = await withConfig(docs, 'paths: {}\n', all);
  assert.equal(ok.status, 'pass');
  const { 'docs/release-checklist.md': _gone, ...rest } = all;
  const missing = await withConfig(docs, 'paths: {}\n', { ...rest, 'docs/environment-commands-playbook.md': '' });
  assert.equal(missing.status, 'warn');
  assert.match(missing.summary, /2 of the guide's documents are missing or empty: docs\/release-checklist\.md, docs\/environment-commands-playbook\.md/);
  assert.equal(missing.findings.length, 2);
});
