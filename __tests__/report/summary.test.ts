import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderSummary, SUMMARY_BYTE_BUDGET } from '../../src/report/summary.js';
import { renderWithBudget } from '../../src/report/summary.js';
import { mixedReport, noSecrets, redactor, report, reportWithSecret, rule, SECRET, SECRET_FRAGMENT } from './fixtures.js';

const options = { redactor: noSecrets, docsBaseUrl: 'https://github.com/acme/app/blob/abc123/', runUrl: 'https://github.com/acme/app/actions/runs/42' };

test('opens with a one-line verdict naming the unwaived failures and warnings, then the counts', () => {
  const lines = renderSummary(mixedReport(), options).split('\n');
  assert.equal(lines[0], '## ❌ Not ready: 2 failed, 1 warning');
  assert.match(lines[2]!, /^1 passed · 2 warnings · 2 failed · 1 skipped · 1 waived — `https:\/\/app\.acme\.com`, 4\.2 s/);
});

test('a ready report says so', () => {
  const text = renderSummary(report([rule('config.app-url'), rule('gate.build')]), options);
  assert.equal(text.split('\n')[0], '## ✅ Ready to go live');
  assert.doesNotMatch(text, /<details>/, 'nothing to expand when everything passes');
});

test('a failing rule gets a table row with status, id and summary; a waived one says waived', () => {
  const text = renderSummary(mixedReport(), options);
  assert.ok(text.includes('| ❌ fail | `gate.no-db-push` | prisma db push runs in the deploy workflow |'));
  assert.ok(text.includes('| ⚠️ warn, waived | `config.enable-coep` | ENABLE_COEP is not true |'));
  assert.ok(text.includes('| ✅ pass | `config.app-url` | APP_URL is https://app.acme.com |'));
});

test('one table per section present, in the guide order, whatever the rule order', () => {
  const shuffled = report([rule('stripe.live-mode'), rule('security.tls'), rule('config.app-url'), rule('stripe.catalog-sync')]);
  const headings = renderSummary(shuffled, options).split('\n').filter((l) => l.startsWith('### §'));
  assert.deepEqual(headings, [
    '### §1 Required configuration',
    '### §4 Security and operations',
    '### §1/§5 Stripe live keys and post-deploy sync',
  ]);
});

test('a failing rule has collapsed details with evidence, file:line findings, the fix and a docs link', () => {
  const text = renderSummary(mixedReport(), options);
  const block = text.slice(text.indexOf('<code>gate.no-db-push</code>'));
  const details = block.slice(0, block.indexOf('</details>'));
  assert.ok(text.includes('<summary>❌ <code>gate.no-db-push</code> Title of gate.no-db-push: prisma db push runs in the deploy workflow</summary>'));
  assert.ok(details.includes('The deploy job runs `prisma db push`.'));
  assert.ok(details.includes('- `.github/workflows/deploy.yml:31` prisma db push in step "deploy"'));
  assert.ok(details.includes('**Fix:** Use `prisma migrate deploy`.'));
  assert.ok(details.includes('[docs/migration-operations-runbook.md](https://github.com/acme/app/blob/abc123/docs/migration-operations-runbook.md)'));
  assert.ok(text.includes('[Workflow run](https://github.com/acme/app/actions/runs/42)'));
});

test('details exist for failing, warning and waived rules only, and a waiver shows its reason', () => {
  const text = renderSummary(mixedReport(), options);
  const expanded = [...text.matchAll(/<summary>\S+ <code>([^<]+)<\/code>/g)].map((m) => m[1]);
  assert.deepEqual(expanded, ['config.nextauth-secret', 'config.enable-coep', 'gate.no-db-push', 'gate.migration-safety']);
  assert.ok(text.includes('**Waived** (until 2027-03-01): third-party embeds'));
});

test('without a docs base URL the doc is shown as a path', () => {
  const text = renderSummary(mixedReport(), { redactor: noSecrets });
  assert.ok(text.includes('📖 `docs/deployment-guide.md`'));
});

test('rule text cannot break a table row, open a tag or leave a code fence open', () => {
  const text = renderSummary(
    report([
      rule('config.app-url', {
        status: 'fail',
        summary: 'a | b\nc <script>alert(1)</script>',
        details: 'output:\n```\nnpm ERR! </details> boom',
      }),
    ]),
    options,
  );
  const row = text.split('\n').find((l) => l.includes('`config.app-url`'))!;
  assert.equal(row, '| ❌ fail | `config.app-url` | a \\| b c &lt;script>alert(1)&lt;/script> |');
  assert.doesNotMatch(text, /<script>/);
  assert.equal(text.match(/<\/details>/g)?.length, 1, 'only the block’s own closing tag');
  assert.equal((text.match(/^```$/gm) ?? []).length % 2, 0, 'every fence is closed');
});

test('no secret appears in the summary, even in escaped form', () => {
  const text = renderSummary(reportWithSecret(), { redactor });
  assert.ok(!text.includes(SECRET_FRAGMENT), text);
  assert.ok(!text.includes(encodeURIComponent(SECRET)));
  assert.ok(text.includes('***'));
});

test('2,000 rules with large details stay under 1 MiB: the tables are whole, the longest details are cut', () => {
  const big = 'evidence line with some text\n'.repeat(800); // ~23 KB each, ~46 MB in total
  const rules = Array.from({ length: 2000 }, (_, i) =>
    rule(`${['config', 'gate', 'smoke', 'security', 'stripe'][i % 5]}.rule-${i}`, {
      status: i % 3 === 0 ? 'warn' : 'fail',
      summary: `summary of rule ${i}`,
      details: i === 7 ? 'short evidence that must survive' : `\`\`\`\n${big}`,
      fix: `fix for rule ${i}`,
    }),
  );
  const text = renderSummary(report(rules), options);
  assert.ok(Buffer.byteLength(text) <= SUMMARY_BYTE_BUDGET, `${Buffer.byteLength(text)} bytes`);
  assert.ok(Buffer.byteLength(text) > SUMMARY_BYTE_BUDGET * 0.9, 'the budget is used, not wasted');
  for (let i = 0; i < 2000; i += 1) assert.ok(text.includes(`| \`${rules[i]!.id}\` | summary of rule ${i} |`), `row ${i}`);
  assert.match(text, /The details of 1999 rules were shortened/);
  assert.ok(text.includes('short evidence that must survive'));
  assert.ok(text.includes('fix for rule 1999'), 'fixes are never cut');
  assert.equal(text.match(/<details>/g)?.length, text.match(/<\/details>/g)?.length);
  assert.equal((text.match(/^```$/gm) ?? []).length % 2, 0, 'cut code blocks are closed');
  assert.ok(!text.includes('cut to fit'), 'fitted by plan, not by the last-resort hard cut');
});

test('when even headers do not fit, details are dropped from the end and the summary says so', () => {
  const rules = Array.from({ length: 300 }, (_, i) => rule(`gate.rule-${i}`, { status: 'fail', details: 'x'.repeat(100), fix: 'f'.repeat(200) }));
  const text = renderWithBudget(report(rules), options, 60_000);
  assert.ok(Buffer.byteLength(text) <= 60_000);
  assert.match(text, /the details of \d+ rules are not shown/);
  assert.ok(text.includes('`gate.rule-299`'), 'the table still lists every rule');
  assert.ok(!text.includes('cut to fit'), 'fitted by plan, not by the last-resort hard cut');
  assert.equal(text.match(/<details>/g)?.length, text.match(/<\/details>/g)?.length);
});

test('an expired waiver is shown on a rule that blocks again', () => {
  const text = renderSummary(
    report([
      rule('config.enable-coep', {
        status: 'fail',
        summary: 'ENABLE_COEP is not true',
        waiver: { reason: 'embeds', until: '2026-01-01', expired: true },
      }),
    ]),
    options,
  );
  assert.equal(text.split('\n')[0], '## ❌ Not ready: 1 failed');
  assert.ok(text.includes('| ❌ fail | `config.enable-coep` |'), 'no "waived" in the row');
  assert.ok(text.includes('**Waiver expired** (until 2026-01-01): embeds'));
});
