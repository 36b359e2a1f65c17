import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderSummary, SUMMARY_BYTE_BUDGET } from '../../src/report/summary.js';
import { renderWithBudget } from '../../src/report/summary.js';
import { CATALOG_IDS } from '../../src/rules/catalog.js';
import type { RuleReport, Status } from '../../src/engine/types.js';
import { mixedReport, noSecrets, redactor, report, reportWithSecret, rule, SECRET, SECRET_FRAGMENT } from './fixtures.js';

const options = { redactor: noSecrets, docsBaseUrl: 'https://github.com/acme/app/blob/abc123/', runUrl: 'https://github.com/acme/app/actions/runs/42' };

/** Rule ids in the order they first appear in the text. */
function idsInOrder(text: string, ids: readonly string[]): string[] {
  return ids
    .map((id) => ({ id, at: text.search(new RegExp(`\`${id.replace(/\./g, '\\.')}\`|<code>${id.replace(/\./g, '\\.')}</code>`)) }))
    .filter((x) => x.at >= 0)
    .sort((a, b) => a.at - b.at)
    .map((x) => x.id);
}

test('opens with a one-line verdict naming the unwaived failures and warnings, then the counts', () => {
  const lines = renderSummary(mixedReport(), options).split('\n');
  assert.equal(lines[0], '## ❌ Not ready: 2 failed, 1 warning');
  assert.match(lines[2]!, /^1 passed · 2 warnings · 2 failed · 1 skipped · 1 waived — `https:\/\/app\.acme\.com`, 4\.2 s/);
});

test('a ready report says so, with nothing to fix and what passed collapsed per section', () => {
  const text = renderSummary(report([rule('config.app-url'), rule('gate.build')]), options);
  assert.equal(text.split('\n')[0], '## ✅ Ready to go live');
  assert.doesNotMatch(text, /Fix first|Warnings/);
  assert.match(text, /<summary>✅ §1 Required configuration: 1 passed<\/summary>/);
  assert.match(text, /<summary>✅ §2 Build and migration gate: 1 passed<\/summary>/);
});

test('a run of a subset says so in the heading, and names the selected checks', () => {
  const ready = report([rule('config.app-url'), rule('security.tls')], {
    selection: { checks: ['config.app-url', 'security.tls'], notRun: ['security.hsts', 'smoke.health', 'stripe.live-mode'] },
  });
  const text = renderSummary(ready, options);
  assert.equal(text.split('\n')[0], '## ✅ Ready for the selected checks; not run: smoke, 1 of 2 security rules, stripe');
  assert.ok(text.includes('Selected checks: `config.app-url,security.tls`'));
  const notReady = report([rule('config.app-url', { status: 'fail' })], { selection: { checks: ['config'], notRun: ['gate.build'] } });
  assert.equal(renderSummary(notReady, options).split('\n')[0], '## ❌ Not ready: 1 failed; not run: gate');
});

test('blocking rules come first, each with its result, fix, linked findings and docs; evidence collapsed', () => {
  const text = renderSummary(mixedReport(), options);
  assert.ok(text.indexOf('### ❌ Fix first: 2 blocking rules') < text.indexOf('### ⚠️ Warnings'));
  const block = text.slice(text.indexOf('#### ❌ `gate.no-db-push`'), text.indexOf('### ⚠️'));
  assert.ok(block.startsWith('#### ❌ `gate.no-db-push` prisma db push runs in the deploy workflow\n'));
  assert.ok(block.includes('*Not met: Title of gate.no-db-push* · §2 Build and migration gate · 📖 [docs/migration-operations-runbook.md](https://github.com/acme/app/blob/abc123/docs/migration-operations-runbook.md)'));
  assert.ok(block.includes('**Fix:** Use `prisma migrate deploy`.'));
  assert.ok(block.includes('- [`.github/workflows/deploy.yml:31`](https://github.com/acme/app/blob/abc123/.github/workflows/deploy.yml#L31) prisma db push in step "deploy"'));
  assert.ok(block.includes('<details>\n<summary>Evidence</summary>\n\nThe deploy job runs `prisma db push`.\n\n</details>'));
  assert.ok(block.indexOf('**Fix:**') < block.indexOf('**Findings**'), 'the fix before the evidence');
  assert.ok(text.includes('[Workflow run](https://github.com/acme/app/actions/runs/42)'));
});

test('warnings and waived rules are collapsed blocks; passing and skipped rules are tables inside one line per section', () => {
  const text = renderSummary(mixedReport(), options);
  const collapsed = [...text.matchAll(/<summary>\S+ <code>([^<]+)<\/code>/g)].map((m) => m[1]);
  assert.deepEqual(collapsed, ['gate.migration-safety', 'config.enable-coep'], 'unwaived warnings before waived rules');
  assert.ok(text.includes('**Waived** (until 2027-03-01): third-party embeds'));
  assert.ok(text.includes('<summary>✅ §1 Required configuration: 1 passed</summary>'));
  assert.ok(text.includes('| ✅\u00a0pass | `config.app-url` | APP_URL is https://app.acme.com |'), 'a no-break space keeps the status on one line');
  assert.ok(text.includes('<summary>⏭️ §3 Production smoke checks: 1 skipped</summary>'));
  assert.deepEqual(idsInOrder(text, mixedReport().rules.map((r) => r.id)), [
    'config.nextauth-secret',
    'gate.no-db-push',
    'gate.migration-safety',
    'config.enable-coep',
    'config.app-url',
    'smoke.health',
  ]);
});

test('every rule id appears once', () => {
  const text = renderSummary(mixedReport(), options);
  for (const r of mixedReport().rules) {
    const count = text.split(`\`${r.id}\``).length - 1 + text.split(`<code>${r.id}</code>`).length - 1;
    assert.equal(count, 1, r.id);
  }
});

test('in any failing run, the first rule id in the summary is a blocking one (500 random reports)', () => {
  // A small deterministic generator: the same reports on every run.
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const statuses: Status[] = ['pass', 'warn', 'fail', 'skip'];
  let failing = 0;
  for (let n = 0; n < 500; n++) {
    const failOn = random() < 0.3 ? 'warn' : 'fail';
    const rules: RuleReport[] = CATALOG_IDS.filter(() => random() < 0.5).map((id) => {
      const status = statuses[Math.floor(random() * 4)]!;
      const waived = (status === 'fail' || status === 'warn') && random() < 0.2;
      return rule(id, { status, waived, ...(waived ? { waiver: { reason: 'accepted', expired: false } } : {}) });
    });
    const r = report(rules, { failOn });
    if (r.ready) continue;
    failing++;
    const first = idsInOrder(renderSummary(r, options), CATALOG_IDS)[0]!;
    const firstRule = rules.find((x) => x.id === first)!;
    assert.ok(!firstRule.waived && (firstRule.status === 'fail' || (failOn === 'warn' && firstRule.status === 'warn')), `report ${n}: first id ${first} is ${firstRule.status}`);
  }
  assert.ok(failing > 100, `${failing} failing reports checked`);
});

test('each finding appears once, even when the rule also lists it in its details', () => {
  const findings = [
    { level: 'warning' as const, message: 'DROP COLUMN "email": the old code still reads it', file: 'prisma/migrations/3_x/migration.sql', line: 2 },
    { level: 'warning' as const, message: 'SET NOT NULL on "Team.slug": scans the table under a lock', file: 'prisma/migrations/3_x/migration.sql', line: 5 },
  ];
  const details = ['Linted 1 migration.', ...findings.map((f) => `- \`${f.file}:${f.line}\` ${f.message}`), '```text', 'DROP COLUMN "email": the old code still reads it', '```'].join('\n');
  const text = renderSummary(report([rule('gate.migration-safety', { status: 'fail', details, findings })]), options);
  assert.equal(text.split('DROP COLUMN "email": the old code still reads it').length - 1, 2, 'once in the findings, once in the quoted output');
  assert.equal(text.split('SET NOT NULL on "Team.slug"').length - 1, 1);
  assert.ok(text.includes('Linted 1 migration.'), 'the rest of the evidence stays');
});

test('inside <summary>, code is HTML (no literal backticks) and text is escaped', () => {
  const text = renderSummary(
    report([rule('gate.migrate', { status: 'warn', summary: '`npx prisma migrate deploy` failed with <P3009> & more' })]),
    options,
  );
  const summaries = [...text.matchAll(/<summary>(.*?)<\/summary>/g)].map((m) => m[1]!);
  assert.ok(summaries.includes('⚠️ <code>gate.migrate</code> <code>npx prisma migrate deploy</code> failed with &lt;P3009&gt; &amp; more'));
  assert.ok(summaries.every((s) => !s.includes('`')));
});

test('without a docs base URL, docs and findings are shown as paths', () => {
  const text = renderSummary(mixedReport(), { redactor: noSecrets });
  assert.ok(text.includes('📖 `docs/deployment-guide.md`'));
  assert.ok(text.includes('- `.github/workflows/deploy.yml:31` prisma db push in step "deploy"'));
});

test('rule text cannot break a table row, open a tag or leave a code fence open', () => {
  const text = renderSummary(
    report([
      rule('config.app-url', { status: 'fail', summary: 'a | b\nc <script>alert(1)</script>', details: 'output:\n```\nnpm ERR! </details> boom' }),
      rule('config.nextauth-url', { status: 'pass', summary: 'a | b\nc <script>alert(1)</script>' }),
    ]),
    options,
  );
  const row = text.split('\n').find((l) => l.includes('`config.nextauth-url`'))!;
  assert.equal(row, '| ✅\u00a0pass | `config.nextauth-url` | a \\| b c &lt;script>alert(1)&lt;/script> |');
  assert.ok(text.includes('#### ❌ `config.app-url` a | b c &lt;script>alert(1)&lt;/script>'));
  assert.doesNotMatch(text, /<script>/);
  assert.equal(text.match(/<details>/g)?.length, text.match(/<\/details>/g)?.length, 'only the page’s own tags');
  assert.equal((text.match(/^```$/gm) ?? []).length % 2, 0, 'every fence is closed');
});

test('no secret appears in the summary, even in escaped form', () => {
  const text = renderSummary(reportWithSecret(), { redactor });
  assert.ok(!text.includes(SECRET_FRAGMENT), text);
  assert.ok(!text.includes(encodeURIComponent(SECRET)));
  assert.ok(text.includes('***'));
});

test('a whole-catalog run (the whole catalog, security.origin included) with 3,000 findings per rule stays under 1 MiB, results and fixes whole', () => {
  const rules = CATALOG_IDS.map((id, i) =>
    rule(id, {
      status: i % 4 === 0 ? 'warn' : 'fail',
      summary: `result of ${id}`,
      details: `evidence of ${id}\n`.repeat(2000),
      fix: `fix for ${id}`,
      findings: Array.from({ length: 3000 }, (_, n) => ({
        level: 'error' as const,
        message: `finding ${n} of ${id}: ${'a long explanation of what was seen '.repeat(10)}`,
        file: `src/file-${n}.ts`,
        line: n + 1,
      })),
    }),
  );
  assert.equal(rules.length, CATALOG_IDS.length);
  const text = renderSummary(report(rules), options);
  assert.ok(Buffer.byteLength(text) <= SUMMARY_BYTE_BUDGET, `${Buffer.byteLength(text)} bytes`);
  for (const id of CATALOG_IDS) {
    assert.ok(text.includes(`#### ❌ \`${id}\` result of ${id}`) || text.includes(`<code>${id}</code> result of ${id}`), id);
    assert.ok(text.includes(`**Fix:** fix for ${id}`), id);
  }
  assert.ok(/- … and \d+ more findings \(see the annotations or the JSON report\)/.test(text), 'each shortened list says how many findings are left out');
  assert.equal(text.match(/<details>/g)?.length, text.match(/<\/details>/g)?.length);
  assert.ok(!text.includes('cut to fit'), 'fitted by plan, not by the last-resort hard cut');
});

test('2,000 rules with large details stay under 1 MiB: results and fixes whole, the longest evidence cut', () => {
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
  for (let i = 0; i < 2000; i += 1) assert.ok(text.includes(`summary of rule ${i}`), `rule ${i}`);
  assert.match(text, /The findings or evidence of 1999 rules were shortened/);
  assert.ok(text.includes('short evidence that must survive'));
  assert.ok(text.includes('fix for rule 1999'), 'fixes are never cut');
  assert.equal(text.match(/<details>/g)?.length, text.match(/<\/details>/g)?.length);
  assert.equal((text.match(/^```$/gm) ?? []).length % 2, 0, 'cut code blocks are closed');
  assert.ok(!text.includes('cut to fit'), 'fitted by plan, not by the last-resort hard cut');
});

test('when even results and fixes do not fit, rules are dropped from the end and the summary says so', () => {
  const rules = Array.from({ length: 300 }, (_, i) => rule(`gate.rule-${i}`, { status: 'fail', details: 'x'.repeat(100), fix: 'f'.repeat(200) }));
  const text = renderWithBudget(report(rules), options, 60_000);
  assert.ok(Buffer.byteLength(text) <= 60_000);
  assert.match(text, /and \d+ rules not shown here/);
  assert.ok(text.includes('`gate.rule-0`'), 'the first blocking rule is kept');
  assert.ok(!text.includes('cut to fit'), 'fitted by plan, not by the last-resort hard cut');
  assert.equal(text.match(/<details>/g)?.length, text.match(/<\/details>/g)?.length);
});

test('an expired waiver is shown on a rule that blocks again', () => {
  const text = renderSummary(
    report([rule('config.enable-coep', { status: 'fail', summary: 'ENABLE_COEP is not true', waiver: { reason: 'embeds', until: '2026-01-01', expired: true } })]),
    options,
  );
  assert.equal(text.split('\n')[0], '## ❌ Not ready: 1 failed');
  assert.ok(text.includes('#### ❌ `config.enable-coep` ENABLE_COEP is not true'), 'blocking, not waived');
  assert.ok(text.includes('**Waiver expired** (until 2026-01-01): embeds'));
});
