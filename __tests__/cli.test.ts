/** The command line: exit codes 0 / 1 / 2, messages that name the input or file, no stack, no secret. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cli } from '../src/cli.js';
import { freePort } from '../sandbox/net.js';
import { goodEnv, tempRepo } from './helpers.js';

async function runCli(argv: string[], env: Record<string, string | undefined>, cwd: string) {
  let stdout = '';
  let stderr = '';
  const code = await cli({
    argv,
    env,
    cwd,
    stdout: { write: (t: string) => (stdout += t), isTTY: false },
    stderr: { write: (t: string) => (stderr += t) },
  });
  return { code, stdout, stderr };
}

/**
 * The good environment with the database resolved to a closed local port: database-tls cannot check,
 * which fails the run unless `--unreachable warn` (what a laptop without the production network uses).
 */
async function env(overrides: Record<string, string | undefined> = {}) {
  const port = await freePort();
  const e = { ...goodEnv(), ...overrides };
  e.DATABASE_URL = e.DATABASE_URL!.replace(':5432/', `:${port}/`);
  return { env: e, resolve: `db.acme-saas.com:${port}:127.0.0.1` };
}

test('exit 0 and a ready verdict for a production-safe configuration', async () => {
  const repo = tempRepo();
  const { env: e, resolve } = await env();
  const r = await runCli(['--checks', 'config', '--resolve', resolve, '--timeout-seconds', '3', '--unreachable', 'warn'], e, repo.dir);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Ready/);
  assert.match(r.stdout, /▲ warn {2}config\.database-tls +TLS cannot be checked: the database is not reachable/);
  const strict = await runCli(['--checks', 'config', '--resolve', resolve, '--timeout-seconds', '3'], e, repo.dir);
  assert.equal(strict.code, 1, 'by default a check that could not run is not a pass');
  assert.ok(!r.stdout.includes('\u001b['), 'no colour when stdout is not a terminal');
  for (const secret of [e.NEXTAUTH_SECRET!, e.STRIPE_SECRET_KEY!, e.STRIPE_SYNC_SECRET!, 'Zq8vN2pLx4Rt7Ws9']) {
    assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret), 'no secret printed');
  }
  repo.cleanup();
});

test('exit 1 with the failing rules named for a broken configuration; --json prints the report', async () => {
  const repo = tempRepo();
  const { env: e, resolve } = await env({ STRIPE_SECRET_KEY: ['sk', 'test', 'abcdefghijklmnop1234'].join('_'), NEXTAUTH_DEBUG: 'true' });
  const r = await runCli(['--checks', 'config', '--resolve', resolve, '--timeout-seconds', '3'], e, repo.dir);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /config\.stripe-secret-key/);
  assert.match(r.stdout, /Not ready/);
  const json = await runCli(['--checks', 'config.stripe-secret-key,config.nextauth-debug', '--json'], e, repo.dir);
  assert.equal(json.code, 1);
  const report = JSON.parse(json.stdout);
  assert.equal(report.ready, false);
  assert.deepEqual(report.rules.map((x: { id: string; status: string }) => `${x.id}:${x.status}`), ['config.stripe-secret-key:fail', 'config.nextauth-debug:fail']);
  repo.cleanup();
});

test('exit 2 with a message naming the input or file, never a stack trace', async () => {
  const repo = tempRepo({ 'bad.yml': 'waivers:\n  - rule: config.enable-coep\n    reasn: typo\n' });
  const cases: Array<[string[], RegExp]> = [
    [['--checks', 'nope'], /checks: "nope" is neither a section/],
    [['--timeout-seconds', 'soon'], /timeout-seconds must be a whole number/],
    [['--env-file', 'missing.env'], /env-file: cannot read missing\.env/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['--config-file', 'bad.yml'], /bad\.yml:2: waivers\.0\.reason: missing \(expected string\); bad\.yml:3: waivers\.0\.reasn: unknown key "reasn"/],
  ];
  for (const [argv, message] of cases) {
    const r = await runCli(argv, goodEnv(), repo.dir);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  repo.cleanup();
});

test('the CLI against the sandbox: --env-file, one --resolve per host, --ca-file, --report-path', async () => {
  const { startSandbox } = await import('../sandbox/index.js');
  const sandbox = await startSandbox({ scenario: 'unsafe-flags', quiet: true });
  try {
    const argv = ['--env-file', sandbox.envFile, '--checks', 'config', '--ca-file', sandbox.caFile, '--working-directory', sandbox.repoDir, '--report-path', `${sandbox.dir}/report.json`];
    for (const line of sandbox.resolve) argv.push('--resolve', line);
    const r = await runCli(argv, { PATH: process.env.PATH }, sandbox.dir);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /✔ pass\s+config\.database-tls\s+TLSv1\.3 to db\.acme-saas\.com:5432, server certificate verified/);
    assert.match(r.stdout, /✖ fail\s+config\.nextauth-trust-host/);
    assert.match(r.stdout, new RegExp(`JSON report: ${sandbox.dir}/report\\.json`));
    for (const secret of sandbox.secrets) assert.ok(!r.stdout.includes(secret), 'no secret printed');
  } finally {
    await sandbox.stop();
  }
});
