/**
 * No secret leaks, in any form secretForms knows (raw, URL-encoded, base64 at each alignment, hex,
 * JSON/JS-escaped), from any place the gate writes: the step log (less the `::add-mask::` lines the
 * runner consumes), stderr, the job summary, the outputs, the JSON report, SARIF, and the bodies of the
 * PR comment and the check run (a stand-in GitHub API records them). The injection suite and the fault
 * matrix run the same search on every run they make; here the secrets are pushed at the gate: a failing
 * build prints every one of them in every form, and a tracked file holds them encoded.
 *
 * Slow-ish: about 40 s measured on a loaded 2-core machine. One sandbox, a deploy run of every section
 * (npm ci, migrate, the failing build) and a pull-request run, one after the other (they share the
 * repository), and two command-line runs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../sandbox/index.js';
import { runAction } from '../../scripts/run-action.js';
import { cli } from '../../src/cli.js';
import { recordProof } from '../guarantees/proof-counts.js';
import { assertNoLeak, assertOnlyGateCommands, assertWritten, runPlaces, SECRET_FORM_KINDS } from '../guarantees/run-checks.js';
import { assertValidSarif } from '../report/sarif-schema.js';

/** Prints every secret variable the command sees in the forms a program puts them in, then fails. */
const PRINTER = `
const names = Object.keys(process.env).filter((n) => /SECRET|PASSWORD|TOKEN|KEY/.test(n) || n === 'DATABASE_URL');
const values = names.map((n) => n === 'DATABASE_URL' ? decodeURIComponent(new URL(process.env[n]).password) : process.env[n]).filter(Boolean);
for (const v of values) {
  const b = Buffer.from(v);
  console.log('raw ' + v);
  console.log('hex ' + b.toString('hex') + ' HEX ' + b.toString('hex').toUpperCase());
  console.log('base64 ' + b.toString('base64') + ' url ' + b.toString('base64url'));
  console.log('inside base64 ' + Buffer.concat([Buffer.from('x'), b]).toString('base64') + ' ' + Buffer.concat([Buffer.from('xy'), b, Buffer.from('z')]).toString('base64url'));
  console.error('json ' + JSON.stringify({ token: v }) + ' js ' + JSON.stringify(v).replace(/\\//g, '\\\\/'));
  console.error('url ' + encodeURIComponent(v) + ' form ' + new URLSearchParams({ v }).toString());
}
console.error('Error: the build failed after printing its environment');
process.exit(1);
`;

interface Recorded {
  method: string;
  path: string;
  body: string;
}

describe('no secret leaks, in any form, from any place', () => {
  let sandbox: Sandbox;
  let api: http.Server;
  let apiUrl: string;
  const requests: Recorded[] = [];
  const proof = { runs: 0, secrets: 0, places: 0, searches: 0 };

  before(async () => {
    sandbox = await startSandbox({ scenario: 'good', quiet: true });
    // A tracked file with every secret encoded: security.committed-secrets finds them and quotes only
    // a prefix and the last four characters.
    const encoded = sandbox.secrets.map((s, i) => `KEY_${i}_HEX=${Buffer.from(s).toString('hex')}\nKEY_${i}_B64=${Buffer.from(s).toString('base64')}\nKEY_${i}_RAW=${s}`).join('\n');
    mkdirSync(join(sandbox.repoDir, 'config'), { recursive: true });
    writeFileSync(join(sandbox.repoDir, 'config', 'keys.txt'), `${encoded}\n`);
    execFileSync('git', ['add', 'config/keys.txt'], { cwd: sandbox.repoDir });
    execFileSync('git', ['-c', 'user.name=dev', '-c', 'user.email=dev@acme.com', 'commit', '-qm', 'add keys'], { cwd: sandbox.repoDir });
    writeFileSync(join(sandbox.dir, 'print-secrets.cjs'), PRINTER);

    api = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c)).on('end', () => {
        const path = (req.url ?? '').split('?')[0]!;
        requests.push({ method: req.method!, path, body });
        const send = (status: number, json: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
        if (req.method === 'GET' && path.endsWith('/comments')) return send(200, []);
        if (req.method === 'POST' && path.endsWith('/comments')) return send(201, { id: 1, body: '' });
        if (req.method === 'POST' && path.endsWith('/check-runs')) return send(201, { id: 99 });
        if (req.method === 'PATCH') return send(200, { id: 99 });
        send(404, { message: 'Not Found' });
      });
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  });
  after(async () => {
    await sandbox?.stop();
    await new Promise((r) => api?.close(r));
    recordProof({ suite: 'no-leak', ...proof, formKinds: SECRET_FORM_KINDS, leaks: 0 });
  });

  function search(secrets: readonly string[], places: Record<string, string>): void {
    const result = assertNoLeak(secrets, places);
    proof.runs++;
    proof.secrets = Math.max(proof.secrets, secrets.length);
    proof.places += Object.keys(places).length;
    proof.searches += result.searches;
  }

  test('a deploy run of every section whose build prints every secret in every form', { timeout: 300_000 }, async () => {
    const sarif = join(sandbox.dir, 'deploy.sarif');
    const run = await runAction({
      inputs: { ...sandbox.inputs, 'build-command': `node ${join(sandbox.dir, 'print-secrets.cjs')}`, 'sarif-path': sarif },
      env: sandbox.env,
    });
    const report = assertWritten(run);
    assertOnlyGateCommands(run, report);
    const byId = new Map(report.rules.map((r) => [r.id, r]));
    // The secrets did reach the gate, and were shown only masked.
    assert.equal(byId.get('gate.build')!.status, 'fail');
    assert.match(byId.get('gate.build')!.details ?? '', /Last 30 lines of output/);
    assert.match(run.stdout, /^raw \*\*\*$/m, 'the build printed a secret and the log shows it masked');
    assert.equal(byId.get('security.committed-secrets')!.status, 'fail', byId.get('security.committed-secrets')!.summary);
    search(sandbox.secrets, runPlaces(run, { sarif: readFileSync(sarif, 'utf8') }));
    // Every section's findings, masked: still a log GitHub code scanning accepts.
    assertValidSarif(readFileSync(sarif, 'utf8'));
  });

  test('a pull-request run: the PR comment and the check run carry no secret either', { timeout: 300_000 }, async () => {
    const eventPath = join(sandbox.dir, 'event.json');
    writeFileSync(eventPath, JSON.stringify({ pull_request: { number: 7, head: { sha: 'feedface'.repeat(5) } }, repository: { name: 'saas', owner: { login: 'acme' } } }));
    const token = `ghs_${'NoLeakGitHubToken0123'.repeat(2)}`;
    const sarif = join(sandbox.dir, 'pr.sarif');
    requests.length = 0;
    const run = await runAction({
      inputs: {
        ...sandbox.inputs,
        checks: 'config,gate,security,stripe',
        'build-command': `node ${join(sandbox.dir, 'print-secrets.cjs')}`,
        'sarif-path': sarif,
        'pr-comment': 'true',
        'github-token': token,
      },
      env: { ...sandbox.env, GITHUB_API_URL: apiUrl, GITHUB_EVENT_PATH: eventPath },
      eventName: 'pull_request',
    });
    const report = assertWritten(run);
    assertOnlyGateCommands(run, report);
    const comment = requests.find((r) => r.method === 'POST' && r.path.endsWith('/comments'));
    const checkRun = requests.find((r) => r.method === 'POST' && r.path.endsWith('/check-runs'));
    assert.ok(comment, 'the PR comment was written');
    assert.ok(checkRun, 'the check run was written');
    assert.match(JSON.parse(checkRun.body).output.summary as string, /gate\.build/);
    search([...sandbox.secrets, token], runPlaces(run, { sarif: readFileSync(sarif, 'utf8'), 'PR comment': comment.body, 'check run': requests.filter((r) => r.path.includes('check-runs')).map((r) => r.body).join('\n') }));
  });

  test('the command line: console report, JSON and verbose progress', { timeout: 300_000 }, async () => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...sandbox.env };
    for (const extra of [['--verbose'], ['--json']]) {
      let stdout = '';
      let stderr = '';
      const reportPath = join(sandbox.dir, `cli-${extra[0]!.slice(2)}.json`);
      const code = await cli({
        argv: [
          '--working-directory', sandbox.repoDir, '--checks', 'config,gate,security.committed-secrets', '--ca-file', sandbox.caFile,
          '--resolve', sandbox.resolve.join('\n'), '--build-command', `node ${join(sandbox.dir, 'print-secrets.cjs')}`, '--migrate', 'false',
          '--report-path', reportPath, ...extra,
        ],
        env,
        cwd: sandbox.repoDir,
        stdout: { write: (t: string) => (stdout += t), isTTY: false },
        stderr: { write: (t: string) => (stderr += t) },
      });
      assert.equal(code, 1, stderr);
      const cliReport = JSON.parse(readFileSync(reportPath, 'utf8')) as { rules: Array<{ id: string; status: string }> };
      assert.equal(cliReport.rules.find((r) => r.id === 'gate.build')?.status, 'fail', 'the build ran and printed the secrets');
      search(sandbox.secrets, { 'CLI stdout': stdout, 'CLI stderr': stderr, 'CLI report': readFileSync(reportPath, 'utf8') });
    }
  });
});
