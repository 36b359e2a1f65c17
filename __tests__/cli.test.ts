/** The command line: exit codes 0 / 1 / 2, messages that name the input or file, no stack, no secret. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
  assert.match(r.stdout, /Ready for the selected checks, with 1 warning/);
  assert.match(r.stdout, /▲ warn {2}config\.database-tls +unreachable: database — TLS cannot be checked: .*refused the connection/);
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
    [['--dotenv', 'missing.env'], /^production-readiness-gate: --dotenv: cannot read missing\.env \(ENOENT\)/],
    [['--env-file', 'x.env'], /--env-file is an option of Node itself; give the dotenv file with --dotenv FILE/],
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

test('the CLI against the sandbox: --dotenv, one --resolve per host, --ca-file, --report-path', async () => {
  const { startSandbox } = await import('../sandbox/index.js');
  const sandbox = await startSandbox({ scenario: 'unsafe-flags', quiet: true });
  try {
    const argv = ['--dotenv', sandbox.envFile, '--checks', 'config', '--ca-file', sandbox.caFile, '--working-directory', sandbox.repoDir, '--report-path', `${sandbox.dir}/report.json`];
    for (const line of sandbox.resolve) argv.push('--resolve', line);
    const r = await runCli(argv, { PATH: process.env.PATH }, sandbox.dir);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /✔ pass\s+config\.database-tls\s+TLSv1\.3 to db\.acme-saas\.com:5432, server certificate verified/);
    assert.match(r.stdout, /✖ fail\s+config\.nextauth-trust-host/);
    assert.match(r.stdout, new RegExp(`^JSON report: ${sandbox.dir}/report\\.json$`, 'm'));
    for (const secret of sandbox.secrets) assert.ok(!r.stdout.includes(secret), 'no secret printed');
  } finally {
    await sandbox.stop();
  }
});

/**
 * A repository whose `npm` and `npx` are stand-ins (first on PATH) that record each call: what the
 * CLI ran, whatever the gate's defaults are.
 */
function repoWithRecordingTools() {
  const repo = tempRepo({ 'package.json': '{"name":"app","scripts":{"build-ci":"next build"}}', 'bin/.keep': '' });
  const calls = join(repo.dir, 'calls.log');
  for (const tool of ['npm', 'npx']) {
    const path = join(repo.dir, 'bin', tool);
    writeFileSync(path, `#!/bin/sh\necho "${tool} $*" >> "${calls}"\n`);
    chmodSync(path, 0o755);
  }
  const env = { ...goodEnv(), PATH: `${join(repo.dir, 'bin')}:${process.env.PATH}` };
  const ran = () => (existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n') : []);
  return { repo, env, ran };
}

test('with no flags, the CLI runs no command: no install, no build, no migration of DATABASE_URL', async () => {
  const { repo, env, ran } = repoWithRecordingTools();
  try {
    const r = await runCli(['--checks', 'gate.install,gate.migrate,gate.build'], env, repo.dir);
    assert.deepEqual(ran(), [], 'no command ran');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /○ skip\s+gate\.install/);
    assert.match(r.stdout, /○ skip\s+gate\.migrate/);
    assert.match(r.stdout, /Read-only run: gate\.install, gate\.build, gate\.migrate not run \(the command line runs no command unless asked\); --run-commands runs the install and build commands; --migrate true also runs the migrate command against DATABASE_URL\./);

    // Asked: --run-commands runs install and build, still not the migration; --migrate true runs it too.
    await runCli(['--checks', 'gate', '--run-commands'], env, repo.dir);
    assert.deepEqual(ran(), ['npm ci', 'npm run build-ci']);
    await runCli(['--checks', 'gate.migrate', '--migrate', 'true'], env, repo.dir);
    assert.deepEqual(ran().slice(2), ['npx prisma migrate deploy']);
    await runCli(['--checks', 'gate.install', '--install-command', 'npm install --no-audit'], env, repo.dir);
    assert.deepEqual(ran().slice(3), ['npm install --no-audit'], 'a command given as a flag runs');
  } finally {
    repo.cleanup();
  }
});

test('-h prints the usage, with --dotenv and --run-commands, and exits 0', async () => {
  const r = await runCli(['-h'], {}, process.cwd());
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^Usage: production-readiness-gate/);
  assert.match(r.stdout, /--dotenv FILE/);
  assert.match(r.stdout, /--run-commands/);
  assert.doesNotMatch(r.stdout, /--env-file|--github-token|--pr-comment/);
});

test('says when no app variable was found, and prints every file it wrote', async () => {
  const repo = tempRepo();
  try {
    const r = await runCli(['--checks', 'config.app-url', '--report-path', 'out/report.json', '--sarif-path', 'out/readiness.sarif'], { PATH: process.env.PATH }, repo.dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no app variable found in the environment \(and no --dotenv file was given\).*--dotenv \.env\.production/);
    assert.ok(r.stdout.includes(`JSON report: ${join(repo.dir, 'out/report.json')}\n`));
    assert.ok(r.stdout.includes(`SARIF:       ${join(repo.dir, 'out/readiness.sarif')}\n`));
    assert.ok(existsSync(join(repo.dir, 'out/report.json')) && existsSync(join(repo.dir, 'out/readiness.sarif')));
    const json = await runCli(['--checks', 'config.app-url', '--json', '--sarif-path', 'x.sarif'], goodEnv(), repo.dir);
    assert.doesNotThrow(() => JSON.parse(json.stdout), 'with --json, stdout is the report alone');
    assert.match(json.stderr, /SARIF: +.*x\.sarif/);
    assert.doesNotMatch(json.stderr, /no app variable/);
  } finally {
    repo.cleanup();
  }
});

test('a run of a subset says so on the verdict line', async () => {
  const repo = tempRepo();
  const { env: e, resolve } = await env();
  const r = await runCli(['--checks', 'config.app-url', '--resolve', resolve], e, repo.dir);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /✔ Ready for the selected checks; not run: 14 of 15 config rules, gate, smoke, security, stripe/);
  repo.cleanup();
});
