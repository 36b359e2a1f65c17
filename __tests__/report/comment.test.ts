import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMENT_MARKER, renderComment } from '../../src/report/comment.js';
import { mixedReport, noSecrets, redactor, report, reportWithSecret, rule, SECRET_FRAGMENT } from './fixtures.js';

const runUrl = 'https://github.com/acme/app/actions/runs/42';

test('starts with the hidden marker, then the verdict', () => {
  const lines = renderComment(mixedReport(), { redactor: noSecrets, runUrl }).split('\n');
  assert.equal(lines[0], '<!-- production-readiness-gate -->');
  assert.equal(COMMENT_MARKER, '<!-- production-readiness-gate -->');
  assert.equal(lines[1], '### ❌ Production readiness — Not ready: 2 failed, 1 warning');
});

test('lists failures, then warnings, then waived rules, with summaries; not passing ones', () => {
  const text = renderComment(mixedReport(), { redactor: noSecrets, runUrl });
  const items = text.split('\n').filter((l) => l.startsWith('- '));
  assert.deepEqual(items, [
    '- ❌ `config.nextauth-secret` NEXTAUTH_SECRET is 12 characters',
    '- ❌ `gate.no-db-push` prisma db push runs in the deploy workflow',
    '- ⚠️ `gate.migration-safety` 1 locking statement in pending migrations',
    '- ⚠️ `config.enable-coep` ENABLE_COEP is not true *(waived: third-party embeds)*',
  ]);
  assert.ok(text.includes(`[Full report in the workflow run](${runUrl})`));
});

test('a ready run has a short comment without a list', () => {
  const text = renderComment(report([rule('config.app-url')]), { redactor: noSecrets });
  assert.match(text, /### ✅ Production readiness — Ready to go live/);
  assert.ok(!text.includes('\n- '));
});

test('stays under 60,000 characters with thousands of failing rules, and says how many are left out', () => {
  const rules = Array.from({ length: 5000 }, (_, i) => rule(`security.rule-${i}`, { status: 'fail', summary: `problem ${i} `.repeat(40) }));
  const text = renderComment(report(rules), { redactor: noSecrets, runUrl });
  assert.ok(text.length < 60_000, `${text.length} characters`);
  assert.match(text, /- … and \d+ more rules: see the workflow run/);
  assert.ok(text.startsWith(COMMENT_MARKER));
  assert.ok(text.includes(runUrl), 'the link to the run survives');
});

test('no secret appears in the comment', () => {
  const text = renderComment(reportWithSecret(), { redactor, runUrl });
  assert.ok(!text.includes(SECRET_FRAGMENT), text);
});
