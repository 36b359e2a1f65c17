import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderSarif, SARIF_SCHEMA } from '../../src/report/sarif.js';
import { mixedReport, noSecrets, redactor, reportWithSecret, SECRET, SECRET_FRAGMENT } from './fixtures.js';

const base = { redactor: noSecrets, toolVersion: '1.2.3', informationUri: 'https://github.com/acme/production-readiness-gate' };

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations?: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }[];
  suppressions?: unknown[];
}

function parse(text: string) {
  const sarif = JSON.parse(text);
  return { sarif, run: sarif.runs[0], results: sarif.runs[0].results as SarifResult[] };
}

test('is a SARIF 2.1.0 log with one run and a driver describing every rule', () => {
  const { sarif, run } = parse(renderSarif(mixedReport(), base));
  assert.equal(sarif.$schema, SARIF_SCHEMA);
  assert.equal(sarif.version, '2.1.0');
  assert.equal(sarif.runs.length, 1);
  assert.equal(run.tool.driver.name, 'production-readiness-gate');
  assert.equal(run.tool.driver.version, '1.2.3');
  assert.equal(run.tool.driver.informationUri, base.informationUri);
  const noDbPush = run.tool.driver.rules.find((r: { id: string }) => r.id === 'gate.no-db-push');
  assert.deepEqual(
    { name: noDbPush.name, shortDescription: noDbPush.shortDescription, helpUri: noDbPush.helpUri },
    { name: 'GateNoDbPush', shortDescription: { text: 'Title of gate.no-db-push' }, helpUri: undefined },
  );
});

test('helpUri is an absolute link to the rule’s doc when a docs base URL is given', () => {
  const { run } = parse(renderSarif(mixedReport(), { ...base, docsBaseUrl: 'https://github.com/acme/app/blob/abc/' }));
  const noDbPush = run.tool.driver.rules.find((r: { id: string }) => r.id === 'gate.no-db-push');
  assert.equal(noDbPush.helpUri, 'https://github.com/acme/app/blob/abc/docs/migration-operations-runbook.md');
});

test('one result per file finding with a physical location, plus one per failing rule without one', () => {
  const { run, results } = parse(renderSarif(mixedReport(), base));
  assert.deepEqual(
    results.map((r) => [r.ruleId, r.level, r.locations?.[0]?.physicalLocation.artifactLocation.uri ?? null]),
    [
      ['config.nextauth-secret', 'error', null],
      ['config.enable-coep', 'note', null],
      ['gate.no-db-push', 'error', '.github/workflows/deploy.yml'],
      ['gate.migration-safety', 'warning', 'prisma/migrations/2_idx/migration.sql'],
    ],
  );
  const located = results[2]!;
  assert.equal(located.message.text, 'prisma db push in step "deploy"');
  assert.deepEqual(located.locations![0]!.physicalLocation.region, { startLine: 31 });
  assert.equal(run.tool.driver.rules[located.ruleIndex].id, 'gate.no-db-push', 'ruleIndex points at its descriptor');
  assert.equal(results[0]!.locations, undefined);
  assert.ok(!results.some((r) => ['config.app-url', 'smoke.health'].includes(r.ruleId)), 'passing and skipped rules have no result');
});

test('a waived rule is a suppressed note; an anchor file gives rule-level results a location', () => {
  const { results } = parse(renderSarif(mixedReport(), { ...base, anchorFile: '.github/workflows/release.yml' }));
  const waived = results.find((r) => r.ruleId === 'config.enable-coep')!;
  assert.equal(waived.level, 'note');
  assert.deepEqual(waived.suppressions, [{ kind: 'external', justification: 'third-party embeds' }]);
  assert.ok(results.every((r) => r.locations?.length === 1), 'GitHub rejects the upload if any result has no location');
  assert.equal(waived.locations![0]!.physicalLocation.artifactLocation.uri, '.github/workflows/release.yml');
});

test('no secret appears in the SARIF log', () => {
  const text = renderSarif(reportWithSecret(), { ...base, redactor });
  assert.ok(!text.includes(SECRET_FRAGMENT), text);
  assert.ok(!text.includes(encodeURIComponent(SECRET)));
});
