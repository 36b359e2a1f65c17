/**
 * What dist/ loads on first use works in dist/, not only from the sources: the YAML parser (a config
 * file), the TOML parser (a .gitleaks.toml) and CSP Evaluator's bypass lists (security.csp) are
 * imported lazily, and a bundle split into chunks hands a CommonJS package's exports over differently
 * from Node (only as `default`). The tests of the rules run the sources; these run the built command
 * line under Node 24, as a user would.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createCA } from '../../sandbox/certs.js';
import { actionNode } from '../../scripts/run-action.js';
import { goodEnv, tempRepo } from '../helpers.js';
import { APP_HOST, startHttpsServer } from '../rules/security/servers.js';

const cliPath = new URL('../../dist/cli/index.js', import.meta.url).pathname;

interface JsonRule {
  id: string;
  status: string;
  summary: string;
  waived: boolean;
  findings: Array<{ message: string; file: string | null }>;
}

async function runCli(args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number; rules: JsonRule[]; stderr: string }> {
  const result = await promisify(execFile)(actionNode(), [cliPath, '--json', ...args], { cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, encoding: 'utf8' }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
  assert.ok(result.code === 0 || result.code === 1, `exit ${result.code}: ${result.stderr}`);
  return { code: result.code, rules: (JSON.parse(result.stdout) as { rules: JsonRule[] }).rules, stderr: result.stderr };
}

test('the bundle reads a config file (YAML) and a .gitleaks.toml (TOML)', async () => {
  const marker = ['ACME', 'INTERNAL', 'Q7W2E9R4T6Y1U3I5O8P0'].join('_');
  const repo = tempRepo({
    '.github/production-readiness.yml': 'waivers:\n  - rule: config.nextauth-debug\n    reason: debug logs are on for the launch week\n    until: 2099-01-01\n',
    '.gitleaks.toml': '[[rules]]\nid = "acme-internal-token"\ndescription = "Acme internal token"\nregex = \'\'\'ACME_INTERNAL_[A-Z0-9]{20}\'\'\'\n',
    'src/settings.js': `export const token = '${marker}';\n`,
  });
  try {
    await promisify(execFile)('git', ['init', '-q'], { cwd: repo.dir });
    await promisify(execFile)('git', ['add', '-A'], { cwd: repo.dir });
    const { rules } = await runCli(['--checks', 'config.nextauth-debug,security.committed-secrets'], repo.dir, { ...goodEnv(), NEXTAUTH_DEBUG: 'true' });
    const debug = rules.find((r) => r.id === 'config.nextauth-debug')!;
    assert.equal(debug.status, 'fail');
    assert.equal(debug.waived, true, 'the waiver of the YAML config file applies');
    const secrets = rules.find((r) => r.id === 'security.committed-secrets')!;
    assert.equal(secrets.status, 'fail', secrets.summary);
    assert.ok(
      secrets.findings.some((f) => f.file === 'src/settings.js' && /acme-internal-token|Acme internal token/.test(f.message)),
      `the .gitleaks.toml rule found the token: ${JSON.stringify(secrets.findings)}`,
    );
  } finally {
    repo.cleanup();
  }
});

test("the bundle judges a script allowlist with CSP Evaluator's bypass lists", async () => {
  const ca = createCA('Bundle Test CA');
  const csp = "default-src 'self'; script-src 'self' *.google.com; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";
  const server = await startHttpsServer({
    ca,
    handler: (_req, res) => void res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': csp }).end('<!doctype html><title>x</title>'),
  });
  const repo = tempRepo();
  try {
    const caFile = join(repo.dir, 'ca.pem');
    writeFileSync(caFile, ca.certPem);
    const origin = `https://${APP_HOST}:${server.port}`;
    const { rules } = await runCli(['--checks', 'security.csp', '--resolve', server.resolve, '--ca-file', caFile, '--timeout-seconds', '5'], repo.dir, {
      ...goodEnv(),
      APP_URL: origin,
      NEXTAUTH_URL: origin,
      ENABLE_CSP_STRICT: 'false',
    });
    const rule = rules.find((r) => r.id === 'security.csp')!;
    assert.equal(rule.status, 'fail');
    assert.match(rule.summary, /JSONP/, rule.summary);
  } finally {
    repo.cleanup();
    await server.close();
  }
});
