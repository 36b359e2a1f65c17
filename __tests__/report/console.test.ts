import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderConsole } from '../../src/report/console.js';
import { mixedReport, noSecrets, redactor, report, reportWithSecret, rule, SECRET_FRAGMENT } from './fixtures.js';

const ESC = '\x1b';

test('one aligned line per rule, grouped by section, with the status word and symbol', () => {
  const lines = renderConsole(mixedReport(), { redactor: noSecrets, color: false }).split('\n');
  assert.ok(lines.includes('§1 Required configuration'));
  assert.ok(lines.includes('  ✔ pass  config.app-url          APP_URL is https://app.acme.com'));
  assert.ok(lines.includes('  ✖ fail  gate.no-db-push         prisma db push runs in the deploy workflow'));
  assert.ok(lines.includes('  ▲ warn  config.enable-coep      ENABLE_COEP is not true (waived: third-party embeds, until 2027-03-01)'));
  assert.ok(lines.includes('  ○ skip  smoke.health            APP_URL is not reachable from the runner'));
  assert.ok(lines.indexOf('§1 Required configuration') < lines.indexOf('§2 Build and migration gate'));
});

test('fix, findings and docs are indented under a failing rule, not under a passing one', () => {
  const text = renderConsole(mixedReport(), { redactor: noSecrets, color: false });
  const block = text.slice(text.indexOf('gate.no-db-push'), text.indexOf('gate.migration-safety'));
  assert.ok(block.includes('\n      fix: Use `prisma migrate deploy`.\n'));
  assert.ok(block.includes('\n      → .github/workflows/deploy.yml:31 prisma db push in step "deploy"\n'));
  assert.ok(block.includes('\n      docs: docs/migration-operations-runbook.md\n'));
  const passLine = text.split('\n').findIndex((l) => l.includes('config.app-url'));
  assert.match(text.split('\n')[passLine + 1]!, /config\.nextauth-secret/);
});

test('ends with the verdict and the counts', () => {
  const lines = renderConsole(mixedReport(), { redactor: noSecrets, color: false }).trimEnd().split('\n');
  assert.equal(lines.at(-2), '✖ Not ready: 2 failed, 1 warning');
  assert.equal(lines.at(-1), '  1 passed · 2 warnings · 2 failed · 1 skipped · 1 waived · 4.2 s');
  const ready = renderConsole(report([rule('config.app-url')]), { redactor: noSecrets, color: false }).trimEnd().split('\n');
  assert.equal(ready.at(-2), '✔ Ready to go live');
});

test('plain output has no escape codes, even when rule text carries some', () => {
  const hostile = report([rule('gate.build', { status: 'fail', summary: `red ${ESC}[31mtext${ESC}[0m and ${ESC}]0;title\x07 bell\r` })]);
  const text = renderConsole(hostile, { redactor: noSecrets, color: false });
  assert.ok(!text.includes(ESC));
  assert.ok(!text.includes('\r'));
  assert.ok(text.includes('red text and  bell'), 'sequences are removed whole');
});

test('colour output paints statuses: fail red, pass green, warn yellow', () => {
  const text = renderConsole(mixedReport(), { redactor: noSecrets, color: true });
  assert.ok(text.includes(`${ESC}[31m✖ fail${ESC}[39m`));
  assert.ok(text.includes(`${ESC}[32m✔ pass${ESC}[39m`));
  assert.ok(text.includes(`${ESC}[33m▲ warn${ESC}[39m`));
});

test('verbose adds details and durations; quiet caps findings at 10', () => {
  const many = Array.from({ length: 15 }, (_, i) => ({ level: 'error' as const, message: `m${i}`, file: `f${i}.ts`, line: 1 }));
  const r = report([rule('security.workflow-secrets', { status: 'fail', details: 'line one\nline two', findings: many })]);
  const quiet = renderConsole(r, { redactor: noSecrets, color: false });
  assert.equal(quiet.match(/→ /g)?.length, 10);
  assert.match(quiet, /… and 5 more findings/);
  assert.ok(!quiet.includes('line one'));
  const verbose = renderConsole(r, { redactor: noSecrets, color: false, verbose: true });
  assert.equal(verbose.match(/→ /g)?.length, 15);
  assert.ok(verbose.includes('      line one\n      line two'));
  assert.match(verbose, /\(5 ms\)/);
});

test('no secret appears in the console report', () => {
  const text = renderConsole(reportWithSecret(), { redactor, color: true, verbose: true });
  assert.ok(!text.includes(SECRET_FRAGMENT), text);
});

test('a run of a subset says so on the verdict line', () => {
  const r = report([rule('config.app-url')], { selection: { checks: ['config'], notRun: ['smoke.health', 'stripe.live-mode'] } });
  const text = renderConsole(r, { redactor: noSecrets, color: false });
  assert.ok(text.includes('✔ Ready for the selected checks; not run: smoke, stripe\n'), text);
});
