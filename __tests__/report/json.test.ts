import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderJson } from '../../src/report/json.js';
import { mixedReport, noSecrets, redactor, report, reportWithSecret, rule, SECRET, SECRET_FRAGMENT } from './fixtures.js';

test('has the top-level fields of schema version 1, in the spec order', () => {
  const json = JSON.parse(renderJson(mixedReport(), { redactor: noSecrets }));
  assert.deepEqual(Object.keys(json), ['schemaVersion', 'tool', 'target', 'startedAt', 'durationMs', 'ready', 'failOn', 'counts', 'rules', 'selection', 'error', 'baseline']);
  assert.equal(json.baseline, null, 'no comparison was asked');
  assert.equal(json.schemaVersion, 1);
  assert.deepEqual(json.tool, { name: 'production-readiness-gate', version: '1.0.0' });
  assert.deepEqual(json.target, { appUrl: 'https://app.acme.com' });
  assert.equal(json.startedAt, '2026-11-27T10:00:00.000Z');
  assert.equal(json.durationMs, 4210);
  assert.equal(json.ready, false);
  assert.deepEqual(json.counts, { pass: 1, warn: 2, fail: 2, skip: 1 });
});

test('every rule has the spec fields (then the additive ones), in catalog order', () => {
  const json = JSON.parse(renderJson(mixedReport(), { redactor: noSecrets }));
  assert.deepEqual(
    json.rules.map((r: { id: string }) => r.id),
    mixedReport().rules.map((r) => r.id),
  );
  const rule = json.rules.find((r: { id: string }) => r.id === 'gate.no-db-push');
  assert.deepEqual(Object.keys(rule).slice(0, 10), ['id', 'section', 'title', 'status', 'summary', 'details', 'durationMs', 'waived', 'locations', 'docs']);
  assert.equal(rule.section, 'gate');
  assert.equal(rule.status, 'fail');
  assert.equal(rule.waived, false);
  assert.deepEqual(rule.locations, [{ file: '.github/workflows/deploy.yml', line: 31 }]);
  assert.equal(rule.docs, 'docs/migration-operations-runbook.md');
  assert.equal(rule.fix, 'Use `prisma migrate deploy`.');
});

test('absent optional fields are null, so every rule has the same keys', () => {
  const json = JSON.parse(renderJson(mixedReport(), { redactor: noSecrets }));
  const passing = json.rules.find((r: { id: string }) => r.id === 'config.app-url');
  assert.equal(passing.details, null);
  assert.equal(passing.docs, null);
  assert.equal(passing.waiver, null);
  const keys = new Set(json.rules.map((r: object) => Object.keys(r).join(',')));
  assert.equal(keys.size, 1);
  const waived = json.rules.find((r: { id: string }) => r.id === 'config.enable-coep');
  assert.deepEqual(waived.waiver, { reason: 'third-party embeds', until: '2027-03-01', expired: false });
  assert.equal(waived.waived, true);
});

test('no secret appears in the JSON report, including machine data', () => {
  const text = renderJson(reportWithSecret(), { redactor });
  assert.ok(!text.includes(SECRET_FRAGMENT), text);
  assert.ok(!text.includes(encodeURIComponent(SECRET)));
  assert.equal(JSON.parse(text).rules[0].data.key, '***');
});

test('selection (additive) says what checks selected and which catalog rules did not run', () => {
  const all = JSON.parse(renderJson(mixedReport(), { redactor: noSecrets }));
  assert.deepEqual(all.selection, { checks: [], notRun: [] });
  const subset = report([rule('config.app-url')], { selection: { checks: ['config.app-url'], notRun: ['config.nextauth-url', 'smoke.health'] } });
  assert.deepEqual(JSON.parse(renderJson(subset, { redactor: noSecrets })).selection, { checks: ['config.app-url'], notRun: ['config.nextauth-url', 'smoke.health'] });
});

test('unreachable: the component and the cause, or null; a script tells "could not check" from "checked and failed"', () => {
  const couldNot = rule('config.database-tls', {
    status: 'fail',
    summary: 'unreachable: database — TLS cannot be checked: connection refused',
    unreachable: { component: 'database', cause: 'connection refused' },
  });
  const checked = rule('config.database-url', { status: 'fail', summary: 'no TLS requested' });
  const partly = rule('security.hsts', { status: 'warn', summary: 'unreachable: app — `/pricing` could not be fetched', unreachable: { component: 'app', cause: 'timed out', partial: true } });
  const json = JSON.parse(renderJson(report([couldNot, checked, partly]), { redactor: noSecrets }));
  assert.deepEqual(json.rules[0].unreachable, { component: 'database', cause: 'connection refused', partial: false });
  assert.equal(json.rules[1].unreachable, null);
  assert.deepEqual(json.rules[2].unreachable, { component: 'app', cause: 'timed out', partial: true });
  assert.equal(json.error, null);
});

test('a configuration error is in the report: no rule, not ready, the message (redacted)', async () => {
  const { configurationErrorReport } = await import('../../src/gate.js');
  const json = JSON.parse(renderJson(configurationErrorReport(`config-file: plans must be a mapping (got ${SECRET})`, new Date()), { redactor }));
  assert.equal(json.ready, false);
  assert.deepEqual(json.rules, []);
  assert.equal(json.error.kind, 'configuration');
  assert.match(json.error.message, /^config-file: plans must be a mapping/);
  assert.doesNotMatch(JSON.stringify(json), new RegExp(SECRET_FRAGMENT));
});
