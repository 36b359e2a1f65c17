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

test('blocking rules first with their fix and links to the lines at the head commit; warnings collapsed', () => {
  const blobBaseUrl = 'https://github.com/acme/app/blob/feedface/';
  const text = renderComment(mixedReport(), { redactor: noSecrets, runUrl, blobBaseUrl });
  const fixFirst = text.slice(text.indexOf('**Fix first**'), text.indexOf('<details>'));
  assert.equal(
    fixFirst.trim(),
    [
      '**Fix first**',
      '',
      '- ❌ `config.nextauth-secret` NEXTAUTH_SECRET is 12 characters',
      '',
      '  **Fix:** Generate one with `openssl rand -base64 32`.',
      '',
      '- ❌ `gate.no-db-push` prisma db push runs in the deploy workflow',
      '',
      '  **Fix:** Use `prisma migrate deploy`.',
      '',
      '  - [`.github/workflows/deploy.yml:31`](https://github.com/acme/app/blob/feedface/.github/workflows/deploy.yml#L31) prisma db push in step "deploy"',
    ].join('\n'),
  );
  const warnings = text.slice(text.indexOf('<details>'), text.indexOf('</details>'));
  assert.ok(warnings.startsWith('<details>\n<summary>⚠️ 2 warnings and waived rules</summary>'));
  assert.deepEqual(
    warnings.split('\n').filter((l) => l.startsWith('- ')),
    ['- ⚠️ `gate.migration-safety` 1 locking statement in pending migrations', '- ⚠️ `config.enable-coep` ENABLE_COEP is not true *(waived: third-party embeds)*'],
  );
  assert.ok(!text.includes('config.app-url') && !text.includes('smoke.health'), 'passing and skipped rules are left to the run');
  assert.ok(text.includes(`[Full report in the workflow run](${runUrl})`));
});

test('with fail-on: warn, a warning blocks and is listed under Fix first', () => {
  const r = report([rule('gate.migration-safety', { status: 'warn', summary: 'risky', fix: 'split it' })], { failOn: 'warn' });
  const text = renderComment(r, { redactor: noSecrets });
  assert.match(text, /Not ready: 1 warning \(fail-on: warn\)/);
  assert.ok(text.includes('**Fix first**\n\n- ⚠️ `gate.migration-safety` risky\n\n  **Fix:** split it'));
  assert.ok(!text.includes('<details>'));
});

test('a run of a subset says what was not run', () => {
  const r = report([rule('config.app-url')], { selection: { checks: ['config'], notRun: ['smoke.health', 'security.tls'] } });
  assert.match(renderComment(r, { redactor: noSecrets }), /### ✅ Production readiness — Ready for the selected checks; not run: smoke, security/);
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
  assert.match(text, /- … and \d+ more blocking rules: see the workflow run/);
  assert.ok(text.startsWith(COMMENT_MARKER));
  assert.ok(text.includes(runUrl), 'the link to the run survives');
});

test('no secret appears in the comment', () => {
  const text = renderComment(reportWithSecret(), { redactor, runUrl });
  assert.ok(!text.includes(SECRET_FRAGMENT), text);
});
