import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FINGERPRINT_KEY, renderSarif, SARIF_SCHEMA } from '../../src/report/sarif.js';
import { mixedReport, noSecrets, redactor, report, reportWithSecret, rule, SECRET, SECRET_FRAGMENT } from './fixtures.js';
import { assertValidSarif } from './sarif-schema.js';

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

test('every result has a partial fingerprint: the same finding keeps it when lines move, two findings never share one', () => {
  const { results } = parse(renderSarif(mixedReport(), base));
  const prints = results.map((r) => (r as unknown as { partialFingerprints: Record<string, string> }).partialFingerprints[FINGERPRINT_KEY]!);
  assert.ok(prints.every((p) => /^[0-9a-f]{64}$/.test(p)));
  assert.equal(new Set(prints).size, prints.length);

  const twice = (line: number) =>
    report([
      rule('gate.migration-safety', {
        status: 'warn',
        findings: [
          { level: 'warning', message: 'CREATE INDEX without CONCURRENTLY', file: 'prisma/migrations/2_idx/migration.sql', line },
          { level: 'warning', message: 'CREATE INDEX without CONCURRENTLY', file: 'prisma/migrations/2_idx/migration.sql', line: line + 3 },
        ],
      }),
      rule('gate.migrate', { status: 'fail', summary: `exited with code 1 after ${line} s` }),
    ]);
  const fingerprints = (line: number) =>
    parse(renderSarif(twice(line), base)).results.map((r) => (r as unknown as { partialFingerprints: Record<string, string> }).partialFingerprints[FINGERPRINT_KEY]);
  const before = fingerprints(4);
  assert.equal(new Set(before).size, 3, 'the same message twice in one file: two fingerprints');
  assert.deepEqual(fingerprints(40), before, 'lines moved, timings changed: the same fingerprints');
});

test('automationDetails.id names the checks selection, so two runs of one workflow are two categories', () => {
  const all = parse(renderSarif(mixedReport(), base)).run;
  assert.equal(all.automationDetails.id, 'production-readiness-gate/all/');
  const subset = (checks: string[]) =>
    parse(renderSarif({ ...mixedReport(), selection: { checks, notRun: ['stripe.live-mode'] } }, base)).run.automationDetails.id;
  assert.equal(subset(['gate', 'config']), 'production-readiness-gate/config,gate/');
  assert.equal(subset(['config', 'gate']), subset(['gate', 'config']), 'the order of checks does not matter');
  assert.notEqual(subset(['smoke']), subset(['config']));
});

test('two runs of the same scenario give the same fingerprints (the CLI against one repository)', async () => {
  const { cli } = await import('../../src/cli.js');
  const { tempRepo } = await import('../helpers.js');
  const repo = tempRepo({
    '.github/workflows/deploy.yml':
      'on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npx prisma db push\n      - run: npx prisma db push --accept-data-loss\n',
    'package.json': '{"scripts":{"release":"prisma db push"}}',
  });
  const fingerprintsOfRun = async (n: number) => {
    const sarifPath = `${repo.dir}/run-${n}.sarif`;
    const io = { write: () => true };
    const code = await cli({ argv: ['--checks', 'gate.no-db-push', '--sarif-path', sarifPath], env: {}, cwd: repo.dir, stdout: io, stderr: io });
    assert.equal(code, 1);
    const results = JSON.parse(readFileSync(sarifPath, 'utf8')).runs[0].results as Array<{ partialFingerprints: Record<string, string>; locations: unknown[] }>;
    return results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]);
  };
  try {
    const first = await fingerprintsOfRun(1);
    assert.ok(first.length >= 2, `${first.length} results`);
    assert.equal(new Set(first).size, first.length, 'different findings, different fingerprints');
    assert.deepEqual(await fingerprintsOfRun(2), first);
  } finally {
    repo.cleanup();
  }
});

test('every log is valid against the SARIF 2.1.0 schema: anchors, docs links, waivers, redaction', () => {
  assertValidSarif(renderSarif(mixedReport(), base));
  assertValidSarif(renderSarif(mixedReport(), { ...base, anchorFile: '.github/workflows/release.yml', docsBaseUrl: 'https://github.com/acme/app/blob/abc/' }));
  assertValidSarif(renderSarif(reportWithSecret(), { ...base, redactor }));
  assertValidSarif(renderSarif(report([rule('config.app-url')]), base));
});

test('the schema check can fail: a result without a message is refused', () => {
  const log = JSON.parse(renderSarif(mixedReport(), base));
  delete log.runs[0].results[0].message;
  assert.throws(() => assertValidSarif(JSON.stringify(log)), /not a valid SARIF 2\.1\.0 log/);
});

test('a configuration error is a run that did not execute, with the message as a configuration notification', async () => {
  const { configurationErrorReport } = await import('../../src/gate.js');
  const text = renderSarif(configurationErrorReport('config-file: plans must be a mapping', new Date()), { redactor: noSecrets, toolVersion: '1.0.0' });
  assertValidSarif(text);
  const run = JSON.parse(text).runs[0];
  assert.deepEqual(run.results, []);
  assert.equal(run.invocations[0].executionSuccessful, false);
  assert.equal(run.invocations[0].toolConfigurationNotifications[0].level, 'error');
  assert.match(run.invocations[0].toolConfigurationNotifications[0].message.text, /^configuration error: config-file: plans must be a mapping/);
});
