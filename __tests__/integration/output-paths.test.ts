/**
 * Every path the gate writes is checked before any rule runs, and a configuration error still leaves a
 * report behind: the bundle under Node 24, as a runner starts it, and the command line in-process.
 *
 * A path the gate cannot write (a directory, a device, /proc, /sys, a path under a regular file) is a
 * configuration error that names the input and the reason, ends the step with exit code 2 at once (no
 * rule runs, nothing waits), and no output names a file that was not written. Before this, a report
 * path under /proc made Node's recursive mkdir spin forever, out of reach of the deadline and SIGTERM.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runAction } from '../../scripts/run-action.js';
import { cli } from '../../src/cli.js';
import { tempRepo } from '../helpers.js';
import { recordProof } from '../guarantees/proof-counts.js';
import { assertValidSarif } from '../report/sarif-schema.js';

const repo = tempRepo({ 'package.json': '{"name":"app","private":true}', 'notes.txt': 'a regular file\n' });
const proof = { paths: 0, exit2: 0, errorReports: 0 };
after(() => {
  repo.cleanup();
  recordProof({ suite: 'output-paths', ...proof, hangs: 0 });
});
const ENV = { ENABLE_HSTS: 'true' };
/** A config-only run: nothing to reach, so only the output path decides. */
const inputs = (extra: Record<string, string>) => ({ 'working-directory': repo.dir, checks: 'config.enable-hsts', ...extra });

const UNWRITABLE: Array<[what: string, path: string, reason: RegExp]> = [
  ['a directory under /proc that does not exist', '/proc/x/r.json', /\/proc is on the kernel's proc filesystem/],
  ['a file in a process directory of /proc', '/proc/self/r.json', /on the kernel's proc filesystem/],
  ['sysfs', '/sys/r.json', /on the kernel's sysfs filesystem/],
  ['a directory', '/tmp', /it is a directory/],
  ['a character device', '/dev/full', /it is a character device/],
  ['a path under a regular file', join(repo.dir, 'notes.txt', 'r.json'), /a part of it is a file, not a directory \(.*notes\.txt\)/],
];

for (const input of ['report-path', 'sarif-path'] as const) {
  for (const [what, path, reason] of UNWRITABLE) {
    if (input === 'sarif-path' && !/proc|directory$/.test(what)) continue;
    test(`${input} = ${what}: a configuration error at once, exit 2, naming the input and the reason`, { timeout: 60_000 }, async () => {
      const run = await runAction({ inputs: inputs({ [input]: path }), env: ENV, timeoutMs: 30_000 });
      assert.equal(run.exitCode, 2, run.stdout + run.stderr);
      const error = run.stdout.split('\n').find((l) => l.startsWith('::error::')) ?? '';
      assert.match(error, new RegExp(`^::error::configuration error: ${input}: cannot write `));
      assert.match(error, reason);
      assert.match(run.summary, /^## ❌ Production readiness: configuration error/m);
      assert.equal(run.outputs.ready, 'false');
      assert.equal(run.outputs[input], '', `the ${input} output names no file`);
      assert.doesNotMatch(run.stdout, /::notice|^(pass|fail|warn) /m, 'no rule ran');
      proof.paths++;
      proof.exit2++;
      if (input === 'sarif-path') {
        // The report path was fine: it holds the error.
        const report = JSON.parse(readFileSync(run.outputs['report-path']!, 'utf8'));
        assert.equal(report.error.kind, 'configuration');
        assert.match(report.error.message, /^sarif-path: cannot write /);
        proof.errorReports++;
      }
    });
  }
}

test('the runner giving a step summary path that is a directory: named as GITHUB_STEP_SUMMARY, the report still written', { timeout: 60_000 }, async () => {
  const dir = join(repo.dir, 'summary-dir');
  mkdirSync(dir, { recursive: true });
  const reportPath = join(repo.dir, 'out', 'summary-case.json');
  const run = await runAction({ inputs: inputs({ 'report-path': reportPath }), env: { ...ENV, GITHUB_STEP_SUMMARY: dir }, timeoutMs: 30_000 });
  assert.equal(run.exitCode, 2);
  assert.match(run.stdout, /^::error::configuration error: GITHUB_STEP_SUMMARY: cannot write .*summary-dir: it is a directory/m);
  assert.equal(run.outputs['report-path'], reportPath);
  assert.equal(JSON.parse(readFileSync(reportPath, 'utf8')).error.kind, 'configuration');
  proof.paths++;
  proof.exit2++;
  proof.errorReports++;
});

test('a configuration error in the config file: the JSON report and SARIF hold it, the outputs name them, exit 2', { timeout: 60_000 }, async () => {
  const configured = tempRepo({ 'package.json': '{"name":"app","private":true}', '.github/production-readiness.yml': 'plans: 1\n' });
  try {
    const reportPath = join(configured.dir, 'reports', 'nested', 'readiness.json');
    const sarifPath = join(configured.dir, 'reports', 'readiness.sarif');
    const run = await runAction({ inputs: { 'working-directory': configured.dir, checks: 'config', 'report-path': reportPath, 'sarif-path': sarifPath }, env: ENV, timeoutMs: 30_000 });
    assert.equal(run.exitCode, 2);
    assert.match(run.stdout, /^::error::configuration error: invalid config file: \.github\/production-readiness\.yml:1: plans: expected a mapping \(key: value lines\), got a number/m);
    assert.equal(run.outputs['report-path'], reportPath);
    assert.equal(run.outputs['sarif-path'], sarifPath);
    assert.equal(run.outputs.ready, 'false');
    const report = JSON.parse(readFileSync(reportPath, 'utf8'));
    assert.equal(report.schemaVersion, 1);
    assert.equal(report.ready, false);
    assert.deepEqual(report.rules, []);
    assert.equal(report.error.kind, 'configuration');
    assert.match(report.error.message, /plans: expected a mapping/);
    const sarif = readFileSync(sarifPath, 'utf8');
    assertValidSarif(sarif);
    assert.equal(JSON.parse(sarif).runs[0].invocations[0].executionSuccessful, false);
    proof.exit2++;
    proof.errorReports++;
  } finally {
    configured.cleanup();
  }
});

test('the command line: an unwritable --report-path is exit 2 before anything runs; a config error leaves the report with the error', async () => {
  const io = () => {
    const out = { stdout: '', stderr: '' };
    return { out, io: { env: { ...ENV }, cwd: repo.dir, stdout: { write: (t: string) => (out.stdout += t) }, stderr: { write: (t: string) => (out.stderr += t) } } };
  };
  const bad = io();
  assert.equal(await cli({ ...bad.io, argv: ['--checks', 'config.enable-hsts', '--report-path', '/proc/x/r.json'] }), 2);
  assert.match(bad.out.stderr, /^production-readiness-gate: report-path: cannot write \/proc\/x\/r\.json: \/proc is on the kernel's proc filesystem/);
  proof.paths++;
  proof.exit2++;

  writeFileSync(join(repo.dir, 'bad.yml'), 'plans:\n  expected: [a]\n---\nplans: {}\n');
  const reportPath = join(repo.dir, 'cli-report.json');
  const config = io();
  assert.equal(await cli({ ...config.io, argv: ['--checks', 'config', '--config-file', 'bad.yml', '--report-path', reportPath] }), 2);
  assert.match(config.out.stderr, /bad\.yml:3: the file holds several YAML documents/);
  assert.ok(existsSync(reportPath));
  assert.match(JSON.parse(readFileSync(reportPath, 'utf8')).error.message, /several YAML documents/);
  proof.exit2++;
  proof.errorReports++;
});
