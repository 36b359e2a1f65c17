/**
 * Matching a change's findings with its base's by identity, not by line (engine/identity.ts and
 * engine/compare.ts): pure, on findings as the rules write them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchFindings, type Item } from '../../src/engine/compare.js';
import { identityHash, identityParts, normaliseMessage, secretMatch, type LineReader } from '../../src/engine/identity.js';
import type { Finding } from '../../src/engine/types.js';

/** A reader over files given as text. */
const reader = (files: Record<string, string>): LineReader => async (file) => files[file]?.split('\n');

async function items(rule: string, findings: Finding[], files: Record<string, string>): Promise<Item[]> {
  const parts = await identityParts(rule, findings, reader(files));
  return findings.map((f, i) => ({ parts: parts[i]!, level: f.level }));
}

const WORKFLOW = ['on: push', 'jobs:', '  deploy:', '    steps:', '      - run: npx prisma db push', ''].join('\n');
const pushAt = (file: string, line: number): Finding => ({ level: 'error', message: `${file}:${line} → npx prisma db push`, file, line, key: 'production:npx prisma db push' });

test('a finding shifted by 500 lines, or its message with another line number in it, is the same finding', async () => {
  const shifted = ['on: push', ...Array.from({ length: 500 }, (_, i) => `# note ${i}`), ...WORKFLOW.split('\n').slice(1)].join('\n');
  const base = await items('gate.no-db-push', [pushAt('deploy.yml', 5)], { 'deploy.yml': WORKFLOW });
  const head = await items('gate.no-db-push', [pushAt('deploy.yml', 505)], { 'deploy.yml': shifted });
  assert.deepEqual(matchFindings(head, base, new Map()), { status: ['existing'], fixed: [] });
  // The written identity does not move with the line either.
  assert.equal(identityHash(head[0]!.parts), identityHash(base[0]!.parts));
});

test('moved to another file, copied, or in a renamed file: existing; a second copy in the same file too', async () => {
  const base = await items('gate.no-db-push', [pushAt('deploy.yml', 5)], { 'deploy.yml': WORKFLOW });
  const moved = await items('gate.no-db-push', [pushAt('release.yml', 5)], { 'release.yml': WORKFLOW });
  assert.deepEqual(matchFindings(moved, base, new Map()).status, ['existing']);
  const copied = await items('gate.no-db-push', [pushAt('deploy.yml', 5), pushAt('release.yml', 5)], { 'deploy.yml': WORKFLOW, 'release.yml': WORKFLOW });
  assert.deepEqual(matchFindings(copied, base, new Map()), { status: ['existing', 'existing'], fixed: [] });
  // A rename with an edit next to the finding: the path is followed, the line's text is the same.
  const renamed = await items('gate.no-db-push', [pushAt('ci/deploy.yml', 6)], { 'ci/deploy.yml': `# renamed\n${WORKFLOW}` });
  assert.deepEqual(matchFindings(renamed, base, new Map([['deploy.yml', 'ci/deploy.yml']])).status, ['existing']);
});

test('the same subject at a higher level is updated; a new subject is new; what the head lacks is fixed', async () => {
  const files = { 'package.json': '{\n  "scripts": {\n    "setup:db": "prisma db push"\n  }\n}' };
  const devOnly: Finding = { level: 'notice', message: '"setup:db" runs prisma db push; … local development only', file: 'package.json', line: 3, key: 'script:setup:db' };
  const reached: Finding = { level: 'error', message: '"setup:db" runs prisma db push, and production reaches it: …', file: 'package.json', line: 3, key: 'script:setup:db' };
  const other: Finding = { level: 'warning', message: 'docs/release-checklist.md is missing', key: 'missing:docs/release-checklist.md' };
  const base = await items('gate.no-db-push', [devOnly, other], files);
  const head = await items('gate.no-db-push', [reached, { ...pushAt('deploy.yml', 5), key: 'production:npm run setup:db → prisma db push' }], { ...files, 'deploy.yml': WORKFLOW });
  assert.deepEqual(matchFindings(head, base, new Map()), { status: ['updated', 'new'], fixed: [1] });
});

test('a secret is matched by its value anywhere, never by the line that holds it; another value under the same key is new', async () => {
  const digest = 'b1946ac92492d2347c6235b4d2611184';
  const secret = (file: string, line: number, match = secretMatch(digest)): Finding => ({ level: 'error', message: 'a GitHub token: ghp_…a1b2', file, line, key: 'credential:github-token', secretMatch: match });
  const files = { 'a.ts': 'const t = "ghp_x";', 'b.ts': '\n\nexport const token = "ghp_x";' };
  const base = await items('security.committed-secrets', [secret('a.ts', 1)], files);
  assert.equal(base[0]!.parts.snippet, '', 'the line of a secret is never hashed');
  const head = await items('security.committed-secrets', [secret('b.ts', 3), secret('a.ts', 1, secretMatch('another digest'))], files);
  assert.deepEqual(matchFindings(head, base, new Map()), { status: ['existing', 'new'], fixed: [] });
  assert.equal(secretMatch(digest), secretMatch(digest), 'stable within the run');
  assert.notEqual(secretMatch(digest), digest);
});

test('a finding without a key is known by its message without its numbers (sizes, timings, counts)', async () => {
  assert.equal(normaliseMessage('the build took 12.5 s and wrote 3,402 files'), normaliseMessage('the build took 9.1 s and wrote 3,410 files'));
  const base = await items('security.docs', [{ level: 'warning', message: 'took 120 ms: docs/a.md is empty' }], {});
  const head = await items('security.docs', [{ level: 'warning', message: 'took 95 ms: docs/a.md is empty' }, { level: 'warning', message: 'took 95 ms: docs/b.md is empty' }], {});
  assert.deepEqual(matchFindings(head, base, new Map()).status, ['existing', 'new']);
});

test('identical findings in one file get their own ordinals, so each keeps a distinct identity', async () => {
  const files = { 'deploy.yml': `${WORKFLOW}${WORKFLOW}` };
  const parts = await identityParts('gate.no-db-push', [pushAt('deploy.yml', 5), pushAt('deploy.yml', 10)], reader(files));
  assert.deepEqual(parts.map((p) => p.ordinal), [0, 1]);
  assert.notEqual(identityHash(parts[0]!), identityHash(parts[1]!));
});
