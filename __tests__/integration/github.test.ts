/**
 * The PR comment and the check run, from the real bundle, against a local stand-in for the GitHub
 * REST API (GITHUB_API_URL): one comment created then updated in place (found by its marker), a
 * check run carrying the file annotations, and a refused permission that never fails the step.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runAction } from '../../scripts/run-action.js';
import { tempRepo } from '../helpers.js';
import { APP, fixtureRoot, pullRequest } from '../baseline/fixtures.js';
import { gen } from '../rules/security/secret-fixtures.js';

interface Recorded {
  method: string;
  path: string;
  body: Record<string, unknown>;
  auth?: string;
}

const requests: Recorded[] = [];
let comments: Array<{ id: number; body: string }> = [];
let checksStatus = 201;
let server: http.Server;
let apiUrl: string;

before(async () => {
  server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c)).on('end', () => {
      const path = (req.url ?? '').split('?')[0]!;
      requests.push({ method: req.method!, path, body: raw ? JSON.parse(raw) : {}, auth: req.headers.authorization });
      const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.method === 'GET' && path === '/repos/acme/saas/issues/7/comments') return send(200, comments);
      if (req.method === 'POST' && path === '/repos/acme/saas/issues/7/comments') {
        const comment = { id: comments.length + 1, body: JSON.parse(raw).body as string };
        comments.push(comment);
        return send(201, comment);
      }
      const update = /^\/repos\/acme\/saas\/issues\/comments\/(\d+)$/.exec(path);
      if (req.method === 'PATCH' && update) {
        comments = comments.map((c) => (c.id === Number(update[1]) ? { ...c, body: JSON.parse(raw).body } : c));
        return send(200, comments[0]);
      }
      if (req.method === 'POST' && path === '/repos/acme/saas/check-runs') return send(checksStatus, checksStatus === 201 ? { id: 99 } : { message: 'Resource not accessible by integration' });
      if (req.method === 'PATCH' && path === '/repos/acme/saas/check-runs/99') return send(200, { id: 99 });
      send(404, { message: 'Not Found' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

/**
 * A repository whose deploy workflow runs `prisma db push` (a file annotation) and a test-mode Stripe key.
 * Judged as a whole (`new-findings-only: false`): the comparison with a base is tested below.
 */
async function runOnPullRequest(extra: { inputs?: Record<string, string>; env?: Record<string, string> } = {}) {
  const repo = tempRepo({
    '.github/workflows/deploy.yml': 'on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npx prisma db push\n',
    'package.json': '{"scripts":{}}',
  });
  const eventPath = join(repo.dir, 'event.json');
  writeFileSync(eventPath, JSON.stringify({ pull_request: { number: 7, head: { sha: 'feedface'.repeat(5) } }, repository: { name: 'saas', owner: { login: 'acme' } } }));
  const token = 'ghs_' + 'T0kenValueForTheFakeApi123'.repeat(2);
  const run = await runAction({
    inputs: { 'working-directory': repo.dir, checks: 'config.stripe-secret-key,gate.no-db-push', 'pr-comment': 'true', 'github-token': token, 'new-findings-only': 'false', ...extra.inputs },
    env: { STRIPE_SECRET_KEY: ['sk', 'test', 'abcdefghijklmnop1234'].join('_'), GITHUB_API_URL: apiUrl, GITHUB_EVENT_PATH: eventPath, ...extra.env },
    eventName: 'pull_request',
  });
  repo.cleanup();
  return { run, token };
}

test('on a pull request: one comment, created then updated in place; a check run with the file annotations', async () => {
  const first = await runOnPullRequest();
  assert.equal(first.run.exitCode, 1, 'not ready');
  assert.equal(comments.length, 1);
  assert.match(comments[0]!.body, /<!-- production-readiness-gate -->/);
  assert.match(comments[0]!.body, /config\.stripe-secret-key/);
  assert.match(comments[0]!.body, /\*\*Fix:\*\* /, 'the comment carries the fix');
  assert.ok(
    comments[0]!.body.includes(`[\`.github/workflows/deploy.yml:6\`](https://github.com/acme/saas/blob/${'feedface'.repeat(5)}/.github/workflows/deploy.yml#L6)`),
    'the finding links to its line at the PR head commit',
  );
  assert.ok(!comments[0]!.body.includes(first.token));

  const checkRun = requests.find((r) => r.method === 'POST' && r.path === '/repos/acme/saas/check-runs')!;
  assert.equal(checkRun.body.conclusion, 'failure');
  assert.match((checkRun.body.output as { title: string }).title, /^Not ready: 2 failed; not run: /);
  assert.equal(checkRun.body.head_sha, 'feedface'.repeat(5));
  const annotations = (checkRun.body.output as { annotations: Array<{ path: string; start_line: number; annotation_level: string }> }).annotations;
  assert.deepEqual(annotations.map((a) => [a.path, a.start_line, a.annotation_level]), [['.github/workflows/deploy.yml', 6, 'failure']]);
  assert.equal(checkRun.auth, `token ${first.token}`);

  await runOnPullRequest();
  assert.equal(comments.length, 1, 'the second run updates the same comment');
  assert.ok(requests.some((r) => r.method === 'PATCH' && r.path === '/repos/acme/saas/issues/comments/1'));
});

test('a token that may not write checks is an info line, not a warning and not a failure cause', async () => {
  checksStatus = 403;
  const { run } = await runOnPullRequest();
  checksStatus = 201;
  assert.equal(run.exitCode, 1);
  assert.match(run.stdout, /check run: not written \(the token may not write checks/);
  assert.doesNotMatch(run.stdout, /::warning::check run/);
  assert.match(run.stdout, /::error::Not ready to go live: config\.stripe-secret-key, gate\.no-db-push/);
});

test('with fail-on: warn, a run blocked by warnings alone has a failing check run that says why', async () => {
  requests.length = 0;
  const { run } = await runOnPullRequest({ inputs: { checks: 'config.enable-coep', 'fail-on': 'warn' }, env: { ENABLE_COEP: 'false' } });
  assert.equal(run.exitCode, 1);
  const checkRun = requests.find((r) => r.method === 'POST' && r.path === '/repos/acme/saas/check-runs')!;
  assert.equal(checkRun.body.conclusion, 'failure');
  const output = checkRun.body.output as { title: string; summary: string };
  assert.match(output.title, /^Not ready: 1 warning \(fail-on: warn\); not run: /);
  assert.doesNotMatch(output.title, /0 failed/);
  assert.match(output.summary, /### ❌ Fix first: 1 blocking rule/);

  requests.length = 0;
  const relaxed = await runOnPullRequest({ inputs: { checks: 'config.enable-coep' }, env: { ENABLE_COEP: 'false' } });
  assert.equal(relaxed.run.exitCode, 0);
  const ok = requests.find((r) => r.method === 'POST' && r.path === '/repos/acme/saas/check-runs')!;
  assert.equal(ok.body.conclusion, 'success');
  assert.match((ok.body.output as { title: string }).title, /^Ready for the selected checks, with 1 warning; not run: /);
});

test('a PR compared with its base: the comment leads with what it introduced, the check run pins only that, the outputs count', async () => {
  const root = fixtureRoot();
  try {
    const fx = await pullRequest(root.dir, {
      base: { ...APP, 'src/legacy.ts': `export const key = "${gen.stripeLive()}";\n` },
      depth: 1,
      pr: [{ 'src/client.ts': `export const token = "${gen.github()}";\n` }],
    });
    comments = [];
    requests.length = 0;
    const token = 'ghs_' + 'T0kenValueForTheFakeApi123'.repeat(2);
    const run = await runAction({
      inputs: { 'working-directory': fx.dir, checks: 'security.committed-secrets,config.nextauth-debug', 'pr-comment': 'true', 'github-token': token, 'install-command': '', 'build-command': '' },
      env: { GITHUB_API_URL: apiUrl, GITHUB_EVENT_PATH: fx.eventPath, NEXTAUTH_DEBUG: 'true' },
      eventName: 'pull_request',
    });
    assert.equal(run.exitCode, 1, 'the new token blocks');
    assert.match(run.stdout, /::error::Not ready to go live: security\.committed-secrets/);
    assert.deepEqual([run.outputs.comparison, run.outputs.new, run.outputs.existing, run.outputs['baseline-sha'], run.outputs.ready, run.outputs['ready-all']], ['made', '1', '1', fx.baseSha, 'false', 'false']);
    assert.match(comments[0]!.body, /\*\*1 introduced by this PR\*\* · 1 already on `main` · 0 fixed/);
    assert.match(comments[0]!.body, /🌐 Environment: 1 rule this PR cannot have caused, not blocking it/);
    const checkRun = requests.find((r) => r.method === 'POST' && r.path === '/repos/acme/saas/check-runs')!;
    const annotations = (checkRun.body.output as { annotations: Array<{ path: string }> }).annotations;
    assert.deepEqual(annotations.map((a) => a.path), ['src/client.ts'], 'only the finding the PR introduced');
    assert.match(run.stdout, /::error title=security\.committed-secrets.*file=src\/client\.ts,line=1::/);
    assert.doesNotMatch(run.stdout, /file=src\/legacy\.ts/);
  } finally {
    root.cleanup();
  }
});

test('a fork PR (read-only token): no comment and no check run attempted; summary, annotations, and the comment text for a workflow_run job', async () => {
  const root = fixtureRoot();
  try {
    const fx = await pullRequest(root.dir, { depth: 1, fork: true, pr: [{ 'src/client.ts': `export const token = "${gen.github()}";\n` }] });
    requests.length = 0;
    const run = await runAction({
      inputs: { 'working-directory': fx.dir, checks: 'security.committed-secrets', 'pr-comment': 'true', 'github-token': 'ghs_' + 'ReadOnlyForkToken12345'.repeat(2), 'install-command': '', 'build-command': '' },
      env: { GITHUB_API_URL: apiUrl, GITHUB_EVENT_PATH: fx.eventPath },
      eventName: 'pull_request',
    });
    assert.equal(run.exitCode, 1);
    assert.deepEqual(requests, [], 'nothing sent to GitHub with a token that may not write');
    assert.match(run.stdout, /pr-comment and check run: not written for a pull request from a fork \(GitHub gives it a read-only token\); its text is in .*production-readiness-comment\.md/);
    assert.equal(run.outputs.comparison, 'made', 'the base is fetched all the same: it needs contents: read only');
    assert.match(run.summary, /\*\*1 introduced by this PR\*\*/);
    assert.match(run.stdout, /::error title=security\.committed-secrets.*file=src\/client\.ts/);
    const text = readFileSync(join(run.runnerTemp, 'production-readiness-comment.md'), 'utf8');
    assert.match(text, /^<!-- production-readiness-gate -->\n### ❌ Production readiness — Not ready: 1 failed/);
  } finally {
    root.cleanup();
  }
});
