/**
 * The real bundle, dist/index.js, under Node 24 (the runtime action.yml declares), with a
 * runner-like environment, against the sandbox app: the JSON report, the job summary, the
 * annotation lines on stdout, the outputs file, and no secret anywhere.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { startSandbox, type Sandbox } from '../../sandbox/index.js';
import { actionNode, runAction, type ActionRun } from '../../scripts/run-action.js';
import { assertValidSarif } from '../report/sarif-schema.js';

interface JsonReport {
  schemaVersion: number;
  ready: boolean;
  counts: Record<string, number>;
  target: { appUrl?: string };
  rules: Array<{ id: string; section: string; status: string; summary: string; waived: boolean; locations: Array<{ file: string; line?: number }> }>;
}

/**
 * The log as a runner shows it: `::add-mask::` commands are how @actions/core registers secrets
 * with the runner, which consumes them and never displays them.
 */
function visibleLog(stdout: string): string {
  return stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n');
}

function assertNoSecret(sandbox: Sandbox, run: ActionRun, report: string): void {
  assert.ok(sandbox.secrets.every((s) => run.stdout.includes(`::add-mask::${s}`)), 'every secret is registered with the runner');
  const places = { log: visibleLog(run.stdout), stderr: run.stderr, summary: run.summary, report, outputs: JSON.stringify(run.outputs) };
  for (const secret of sandbox.secrets) {
    for (const [where, text] of Object.entries(places)) {
      assert.ok(!text.includes(secret), `a secret (${secret.slice(0, 4)}…) appears in ${where}`);
      assert.ok(!text.includes(Buffer.from(secret).toString('base64')), `a base64 secret appears in ${where}`);
    }
  }
}

test('the bundle runs under Node 24', () => {
  assert.match(execFileSync(actionNode(), ['--version'], { encoding: 'utf8' }), /^v24\./);
});

describe('good scenario', () => {
  let sandbox: Sandbox;
  let run: ActionRun;
  let reportText: string;
  before(async () => {
    sandbox = await startSandbox({ scenario: 'good', quiet: true });
    run = await runAction({ inputs: { ...sandbox.inputs, checks: 'config,gate.migrations,gate.no-db-push' }, env: { ...sandbox.env, ...sandbox.processEnv } });
    reportText = readFileSync(run.outputs['report-path']!, 'utf8');
  });
  after(() => sandbox?.stop());

  test('is ready: exit 0, outputs, JSON report of schema 1 in catalog order', () => {
    assert.equal(run.exitCode, 0, run.stdout + run.stderr);
    const report = JSON.parse(reportText) as JsonReport;
    assert.equal(report.schemaVersion, 1);
    assert.equal(report.ready, true);
    assert.equal(report.target.appUrl, 'https://app.acme-saas.com');
    assert.equal(report.rules[0]!.id, 'config.app-url');
    assert.equal(report.rules.at(-1)!.id, 'gate.migrations');
    assert.deepEqual((report as unknown as { selection: { checks: string[] } }).selection.checks, ['config', 'gate.migrations', 'gate.no-db-push']);
    assert.equal(report.rules.find((r) => r.id === 'config.database-tls')!.status, 'pass', 'TLS to the sandbox database through resolve and ca-file');
    assert.equal(run.outputs.ready, 'true');
    assert.equal(run.outputs.failed, '0');
    assert.equal(Number(run.outputs.passed), report.counts.pass);
    assert.equal(run.outputs['report-path'], `${run.runnerTemp}/production-readiness.json`);
  });

  test('the job summary starts with the verdict, says what was not run, and folds what passed per section', () => {
    assert.match(run.summary, /^## ✅ Ready for the selected checks; not run: 6 of 8 gate rules, smoke, security, stripe$/m);
    assert.match(run.summary, /<summary>✅ §1 Required configuration: \d+ passed/);
    assert.match(run.summary, /\| ✅\u00a0pass \| `config\.database-tls` \|/);
    assert.doesNotMatch(run.summary, /Fix first/);
  });

  test('a green run emits no annotation, not even for the dev-only db push script', () => {
    const report = JSON.parse(reportText) as JsonReport;
    assert.equal(report.rules.find((r) => r.id === 'gate.no-db-push')!.status, 'pass');
    assert.deepEqual(run.stdout.split('\n').filter((l) => /^::(error|warning|notice)/.test(l)), []);
  });

  test('no secret appears in the log, the summary, the report or the outputs', () => {
    assertNoSecret(sandbox, run, reportText);
  });
});

describe('broken scenario: test-mode Stripe key and a drifted migration file', () => {
  let sandbox: Sandbox;
  let run: ActionRun;
  let reportText: string;
  before(async () => {
    sandbox = await startSandbox({ scenario: 'test-stripe-key', quiet: true });
    // A migration file edited after it was applied: gate.migrations annotates it.
    const file = `${sandbox.repoDir}/prisma/migrations`;
    const first = execFileSync('ls', [file], { encoding: 'utf8' }).split('\n').find((n) => /^\d/.test(n))!;
    execFileSync('sh', ['-c', `printf '\\n-- edited after deploy\\n' >> "${file}/${first}/migration.sql"`]);
    run = await runAction({ inputs: { ...sandbox.inputs, checks: 'config,gate.migrations', 'sarif-path': 'readiness.sarif' }, env: { ...sandbox.env, ...sandbox.processEnv } });
    reportText = readFileSync(run.outputs['report-path']!, 'utf8');
  });
  after(() => sandbox?.stop());

  test('is not ready: exit 1, the step fails naming the blocking rules', () => {
    assert.equal(run.exitCode, 1);
    assert.equal(run.outputs.ready, 'false');
    assert.match(run.stdout, /::error::Not ready to go live: config\.stripe-secret-key, gate\.migrations/);
    const report = JSON.parse(reportText) as JsonReport;
    const failing = report.rules.filter((r) => r.status === 'fail').map((r) => r.id);
    assert.deepEqual(failing, ['config.stripe-secret-key', 'gate.migrations']);
  });

  test('annotations name the file and line of file findings, first', () => {
    const lines = run.stdout.split('\n').filter((l) => l.startsWith('::error'));
    const fileLine = lines.findIndex((l) => /^::error title=[^:]*gate\.migrations[^:]*,file=prisma\/migrations\/[^,]+\/migration\.sql,line=1::/.test(l));
    assert.ok(fileLine >= 0, `no file annotation in:\n${lines.join('\n')}`);
    const stripe = lines.findIndex((l) => l.includes('config.stripe-secret-key'));
    assert.ok(fileLine < stripe, 'file findings come before file-less ones');
  });

  test('the summary shows the failing rules first with their fix; SARIF is written; no secret leaks', () => {
    assert.match(run.summary, /^## ❌ Not ready/m);
    const firstRule = /`((?:config|gate|smoke|security|stripe)\.[a-z0-9-]+)`|<code>((?:config|gate|smoke|security|stripe)\.[a-z0-9-]+)<\/code>/.exec(run.summary);
    assert.ok(firstRule && ['config.stripe-secret-key', 'gate.migrations'].includes(firstRule[1] ?? firstRule[2]!), `first rule: ${firstRule?.[0]}`);
    assert.match(run.summary, /#### ❌ `config\.stripe-secret-key`/);
    assert.match(run.summary, /\[`prisma\/migrations\/[^`]+\/migration\.sql:1`\]\(https:\/\/github\.com\/acme\/saas\/blob\/0123456789abcdef0123456789abcdef01234567\/prisma\/migrations\/[^)]+#L1\)/, 'the finding links to its line');
    assert.match(run.summary, /sk_live_/, 'the fix says which key to use');
    const sarifText = readFileSync(`${sandbox.repoDir}/readiness.sarif`, 'utf8');
    assertValidSarif(sarifText);
    const sarif = JSON.parse(sarifText);
    assert.equal(sarif.version, '2.1.0');
    assert.ok(sarif.runs[0].results.some((r: { ruleId: string }) => r.ruleId === 'gate.migrations'));
    assertNoSecret(sandbox, run, reportText + readFileSync(`${sandbox.repoDir}/readiness.sarif`, 'utf8'));
  });
});

describe('pending risky migration: the bundle loads PostgreSQL\'s parser (dist/libpg-query) and grades by the data', () => {
  let sandbox: Sandbox;
  let run: ActionRun;
  before(async () => {
    sandbox = await startSandbox({ scenario: 'pending-destructive-migration', quiet: true });
    // A required column on the synced "Service" catalog: it would fail at deploy.
    const dir = `${sandbox.repoDir}/prisma/migrations/20240926090000_service_required_sku`;
    execFileSync('mkdir', ['-p', dir]);
    execFileSync('sh', ['-c', `printf -- '-- AlterTable\\nALTER TABLE "Service" ADD COLUMN "sku" TEXT NOT NULL;\\n' > "${dir}/migration.sql"`]);
    run = await runAction({ inputs: { ...sandbox.inputs, checks: 'gate.migration-safety' }, env: { ...sandbox.env, ...sandbox.processEnv } });
  });
  after(() => sandbox?.stop());

  test('the findings come from the parse tree, at their lines, with the rows of the production tables', () => {
    assert.equal(run.exitCode, 1, run.stdout);
    const report = JSON.parse(readFileSync(run.outputs['report-path']!, 'utf8')) as JsonReport;
    const rule = report.rules.find((r) => r.id === 'gate.migration-safety')! as JsonReport['rules'][number] & { data?: { kinds?: string[] } };
    assert.equal(rule.status, 'fail');
    assert.match(rule.summary, /ADD COLUMN "sku" TEXT NOT NULL without a default at prisma\/migrations\/20240926090000_service_required_sku\/migration\.sql:2 \(will fail: "Service" has rows \(about \d+ rows? by the statistics\)\)/);
    assert.deepEqual(rule.data?.kinds, ['drop-column', 'create-index', 'add-column-not-null']);
    assert.match(run.stdout, /^::warning title=[^:]*gate\.migration-safety[^:]*,file=prisma\/migrations\/20240925143000_team_cleanup\/migration\.sql,line=12::.*\[drop-column\]/m);
    assert.doesNotMatch(run.stdout + run.stderr, /cannot load the PostgreSQL parser/);
  });
});

test('a malformed input fails the step with a message naming it, and no stack trace', async () => {
  const run = await runAction({ inputs: { 'working-directory': process.cwd(), 'timeout-seconds': 'soon', checks: 'config' }, env: {} });
  assert.equal(run.exitCode, 2, 'a configuration error ends the step with exit code 2, as the command line does');
  assert.match(run.stdout, /::error::configuration error: timeout-seconds must be a whole number \(got "soon"\)/);
  assert.equal(run.outputs.ready, 'false');
  assert.match(run.summary, /configuration error/);
  assert.doesNotMatch(run.stdout + run.stderr, /\n\s+at /);
});
