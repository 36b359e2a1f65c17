import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RuleReport } from '../../../src/engine/types.js';
import { workflowSecrets } from '../../../src/rules/security/workflow-secrets.js';
import { runRule, settingsFor, tempRepo } from '../../helpers.js';

// Live-looking values are built from parts, so this project never contains one as a literal.
const STRIPE_LIVE = ['sk', 'live', '51NQ7cT2mVb9KpL3sR8wX1yZ4aB6dE0fG'].join('_');
const WEBHOOK = ['whsec', 'T3mP9xK2vQ8nL5wR1yB7cD4fG6hJ0kM'].join('_');

async function check(files: Record<string, string>): Promise<RuleReport> {
  const repo = tempRepo(files);
  try {
    return await runRule(workflowSecrets, await settingsFor({}, { repo: repo.dir }));
  } finally {
    repo.cleanup();
  }
}

/** 1-based line of the first line of `text` that contains `needle`. */
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
const found = (r: RuleReport) => r.findings.map((f) => [f.level, `${f.file}:${f.line}`]);

/** The target app's deploy workflow: every secret from the store. */
const DEPLOY = `name: Deploy
on:
  push:
    branches: [main]
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: production
    env:
      DATABASE_URL: \${{ secrets.DATABASE_URL }}
      NEXT_PUBLIC_SENTRY_DSN: \${{ vars.NEXT_PUBLIC_SENTRY_DSN }}
      SENTRY_AUTH_TOKEN: \${{ secrets.SENTRY_AUTH_TOKEN }}
    steps:
      - uses: actions/checkout@v4
      - run: npm ci && npm run build-ci
      - name: Sync Stripe catalog
        run: |
          curl --fail-with-body -X POST \\
            -H "x-stripe-sync-secret: $STRIPE_SYNC_SECRET" \\
            "$APP_URL/api/admin/stripe/sync"
        env:
          APP_URL: \${{ vars.APP_URL }}
          STRIPE_SYNC_SECRET: \${{ secrets.STRIPE_SYNC_SECRET }}
      - uses: acme/production-readiness-gate@v1
        with:
          github-client-secret: \${{ secrets.GH_CLIENT_SECRET }}
        env:
          STRIPE_SECRET_KEY: \${{ secrets.STRIPE_SECRET_KEY }}
          ENABLE_HSTS: true
          ENABLE_CSP_STRICT: "true"
          ENABLE_COEP: \${{ vars.ENABLE_COEP }}
          NEXTAUTH_TRUST_HOST: false
          NEXTAUTH_DEBUG: false
`;

test('secrets from the secret store and safe flags pass, with the counts', async () => {
  const r = await check({ '.github/workflows/deploy.yml': DEPLOY });
  assert.equal(r.status, 'pass', r.details);
  assert.equal(r.summary, '1 workflow file, 12 env entries checked: secrets come from the secret store, no unsafe flag');
  assert.deepEqual(r.findings, []);
});

test('a literal live Stripe key in a step env fails at its line, redacted; the secrets reference does not', async () => {
  const workflow = DEPLOY.replace('STRIPE_SECRET_KEY: ${{ secrets.STRIPE_SECRET_KEY }}', `STRIPE_SECRET_KEY: ${STRIPE_LIVE}`);
  const r = await check({ '.github/workflows/deploy.yml': workflow });
  assert.equal(r.status, 'fail');
  assert.deepEqual(found(r), [['error', `.github/workflows/deploy.yml:${lineOf(workflow, 'STRIPE_SECRET_KEY:')}`]]);
  const message = r.findings[0]!.message;
  assert.match(message, /^STRIPE_SECRET_KEY is a literal \(sk_live_…E0fG\) in the env of step "acme\/production-readiness-gate@v1" of job "deploy"/);
  assert.match(message, /secrets\.STRIPE_SECRET_KEY/);
  assert.match(r.summary, /^STRIPE_SECRET_KEY is a literal \(sk_live_…E0fG\) at \.github\/workflows\/deploy\.yml:\d+$/);
  assert.ok(!JSON.stringify(r).includes(STRIPE_LIVE), 'the key appears in the report');
});

test('NEXTAUTH_DEBUG: true is flagged at its exact line; ENABLE_COEP: false alone is a warning', async () => {
  const debug = DEPLOY.replace('NEXTAUTH_DEBUG: false', 'NEXTAUTH_DEBUG: true');
  const r = await check({ '.github/workflows/deploy.yml': debug });
  assert.equal(r.status, 'fail');
  assert.deepEqual(found(r), [['error', `.github/workflows/deploy.yml:${lineOf(debug, 'NEXTAUTH_DEBUG')}`]]);
  assert.match(r.findings[0]!.message, /^NEXTAUTH_DEBUG is "true" in .*NextAuth logs tokens/);

  const coep = DEPLOY.replace('ENABLE_COEP: ${{ vars.ENABLE_COEP }}', 'ENABLE_COEP: false');
  const w = await check({ '.github/workflows/deploy.yml': coep });
  assert.equal(w.status, 'warn');
  assert.deepEqual(found(w), [['warning', `.github/workflows/deploy.yml:${lineOf(coep, 'ENABLE_COEP')}`]]);
});

test('every env level is read: workflow, job, container, step, reusable-workflow secrets, run scripts', async () => {
  const workflow = `on: push
env:
  NEXTAUTH_SECRET: Jd8s0Qm2vXLkP4r9TzWn6bY1cHfA3gE5uK7oR2iM0s
  ENABLE_HSTS: false
jobs:
  build:
    runs-on: ubuntu-latest
    container:
      image: node:24
      env:
        NEXTAUTH_TRUST_HOST: true
    env:
      STRIPE_WEBHOOK_SECRET: ${WEBHOOK}
    steps:
      - name: Configure
        run: |
          echo "building"
          echo "STRIPE_SYNC_SECRET=9e1f4b7c2a8d5e0f3b6c9a2d5e8f1b4c" >> "$GITHUB_ENV"
          export SENTRY_AUTH_TOKEN=$SENTRY_TOKEN_FROM_SECRET
      - name: Build
        env:
          AUTH_TRUST_HOST: "true"
        run: npm run build
  call:
    uses: ./.github/workflows/deploy.yml
    secrets:
      GOOGLE_CLIENT_SECRET: GOCSPXliteral0123456789abcdef
`;
  const r = await check({ '.github/workflows/ci.yml': workflow });
  assert.equal(r.status, 'fail');
  const line = (needle: string) => `.github/workflows/ci.yml:${lineOf(workflow, needle)}`;
  assert.deepEqual(found(r), [
    ['error', line('NEXTAUTH_SECRET')],
    ['error', line('ENABLE_HSTS')],
    ['error', line('NEXTAUTH_TRUST_HOST')],
    ['error', line('STRIPE_WEBHOOK_SECRET')],
    ['error', line('STRIPE_SYNC_SECRET')],
    ['error', line('AUTH_TRUST_HOST: "true"')],
    ['error', line('GOOGLE_CLIENT_SECRET')],
  ]);
  const messages = r.findings.map((f) => f.message);
  assert.match(messages[0]!, /in the workflow env/);
  assert.match(messages[2]!, /in the container env of job "build"/);
  assert.match(messages[3]!, /in the env of job "build"/);
  assert.match(messages[4]!, /in the run: script of step "Configure" of job "build"/);
  assert.match(messages[5]!, /in the env of step "Build" of job "build"/);
  assert.match(messages[6]!, /in the secrets passed by job "call"/);
  assert.ok(!JSON.stringify(r).includes(WEBHOOK));
});

// Changed with issue 12: this job only tests (no deploy step, no environment), so its test values
// are what it should have. They used to be warnings advising the production secret be put there.
const TEST_JOB = `on: pull_request
jobs:
  test:
    runs-on: ubuntu-latest
    services:
      postgres:
        image: postgres:17
        env:
          POSTGRES_PASSWORD: postgres
    env:
      DATABASE_URL: postgresql://postgres:postgres@localhost:5432/test
      NEXTAUTH_SECRET: ""
      STRIPE_SECRET_KEY: ${['sk', 'test', '51NQ7cT2mVb9KpL3sR8wX1yZ4aB6dE0fG'].join('_')}
      STRIPE_SYNC_SECRET: changeme
      AUTH_SECRET: Jd8s0Qm2vXLkP4r9TzWn6bY1cHfA3gE5uK7oR2iM0s
    steps:
      - uses: actions/checkout@v4
      - run: npm ci && npx prisma migrate deploy
      - run: npm test
`;

test('a job that only tests may use test values: no finding, and no advice to give it the production secret', async () => {
  const r = await check({ '.github/workflows/test.yml': TEST_JOB });
  assert.equal(r.status, 'pass', r.details);
  assert.deepEqual(r.findings, []);
});

test('the same values in a deploy job: test values are warnings (the real secret does not reach it), a literal is an error', async () => {
  const workflow = TEST_JOB.replace('runs-on: ubuntu-latest\n    services', 'runs-on: ubuntu-latest\n    environment: production\n    services');
  const r = await check({ '.github/workflows/test.yml': workflow });
  assert.equal(r.status, 'fail', r.details);
  assert.deepEqual(
    r.findings.map((f) => [f.level, f.line]),
    [
      ['warning', lineOf(workflow, 'NEXTAUTH_SECRET')],
      ['warning', lineOf(workflow, 'STRIPE_SECRET_KEY')],
      ['warning', lineOf(workflow, 'STRIPE_SYNC_SECRET')],
      ['error', lineOf(workflow, '  AUTH_SECRET:')],
    ],
  );
  assert.match(r.findings[0]!.message, /^NEXTAUTH_SECRET is empty/);
  assert.match(r.findings[1]!.message, /^STRIPE_SECRET_KEY is a placeholder or test value \(sk_test_…E0fG\)/);
  // A test job plus a deploy command is a deploy job too.
  const deploying = TEST_JOB.replace('      - run: npm test\n', '      - run: npm test\n      - run: npx vercel deploy --prod\n');
  assert.equal((await check({ '.github/workflows/test.yml': deploying })).status, 'fail');
});

test('a live credential in a test job is an error that advises a test value, never the production secret', async () => {
  const workflow = TEST_JOB.replace(`STRIPE_SECRET_KEY: ${['sk', 'test'].join('_')}`, `STRIPE_SECRET_KEY: ${['sk', 'live'].join('_')}`).replace('STRIPE_SYNC_SECRET: changeme', 'DIRECT_URL: postgresql://app:Zq8vN2pLx4Rt7Ws9@db.acme-saas.com:5432/app');
  const r = await check({ '.github/workflows/test.yml': workflow });
  assert.equal(r.status, 'fail', r.details);
  assert.deepEqual(r.findings.map((f) => [f.level, f.line]), [
    ['error', lineOf(workflow, 'STRIPE_SECRET_KEY')],
    ['error', lineOf(workflow, 'DIRECT_URL')],
  ]);
  assert.match(r.findings[0]!.message, /^STRIPE_SECRET_KEY is a literal \(a Stripe live secret key\) \(sk_live_…E0fG\) in a test job/);
  assert.match(r.findings[1]!.message, /a test job must not reach a real database/);
  for (const f of r.findings) {
    assert.match(f.message, /test values only/);
    assert.doesNotMatch(f.message, /secrets\.STRIPE_SECRET_KEY|secrets\.DIRECT_URL/);
  }
});

test('a literal password in DATABASE_URL and a literal input of this action fail', async () => {
  const workflow = `on: push
jobs:
  gate:
    runs-on: ubuntu-latest
    steps:
      - uses: acme/production-readiness-gate@v1
        with:
          github-client-secret: 4f9c2a7e1b8d3f6a0c5e9b2d7f1a4c8e6b3d0f92
          github-client-id: Ov23liAbCdEfGhIjKlMn
        env:
          DATABASE_URL: postgresql://app:Zq8vN2pLx4Rt7Ws9@db.acme-saas.com:5432/app?sslmode=verify-full
          DIRECT_URL: postgresql://app:\${{ secrets.DB_PASSWORD }}@db.acme-saas.com:5432/app
`;
  const r = await check({ '.github/workflows/gate.yml': workflow });
  assert.equal(r.status, 'fail');
  assert.deepEqual(found(r), [
    ['error', `.github/workflows/gate.yml:${lineOf(workflow, 'github-client-secret')}`],
    ['error', `.github/workflows/gate.yml:${lineOf(workflow, 'DATABASE_URL')}`],
  ]);
  assert.match(r.findings[0]!.message, /^GITHUB_CLIENT_SECRET is a literal \(…0f92\) in the `github-client-secret` input/);
  assert.match(r.findings[0]!.message, /secrets\.GH_CLIENT_SECRET/);
  assert.match(r.findings[1]!.message, /^DATABASE_URL is a literal URL with a password \(postgresql:\/\/app:…7Ws9@db\.acme-saas\.com\)/);
  assert.ok(!JSON.stringify(r).includes('Zq8vN2pLx4Rt7Ws9'));
});

test('platform files: literals and unsafe flags in vercel.json, fly.toml, netlify.toml, render.yaml, app.json', async () => {
  const vercel = JSON.stringify({ framework: 'nextjs', env: { STRIPE_SECRET_KEY: STRIPE_LIVE, NEXTAUTH_SECRET: '@nextauth-secret' } }, null, 2);
  const fly = `app = "acme"\n\n[env]\n  PORT = "8080"\n  ENABLE_HSTS = false\n  NEXTAUTH_TRUST_HOST = "false"\n`;
  const netlify = `[build]\n  command = "npm run build"\n\n[build.environment]\n  NEXTAUTH_DEBUG = "true"\n\n[context.production.environment]\n  ENABLE_CSP_STRICT = "true"\n`;
  const render = `services:\n  - type: web\n    name: app\n    envVars:\n      - key: STRIPE_SYNC_SECRET\n        sync: false\n      - key: NEXTAUTH_SECRET\n        generateValue: true\n      - key: STRIPE_WEBHOOK_SECRET\n        value: ${WEBHOOK}\n`;
  const app = JSON.stringify({ name: 'acme', env: { NEXTAUTH_SECRET: { generator: 'secret' }, SENTRY_AUTH_TOKEN: { value: 'sntrys_eyJpYXQiOjE3MDAwMDAwMDB9_abcdef0123456789' } } }, null, 2);
  const r = await check({ 'vercel.json': vercel, 'fly.toml': fly, 'netlify.toml': netlify, 'render.yaml': render, 'app.json': app });
  assert.equal(r.status, 'fail');
  assert.deepEqual(found(r), [
    ['error', `app.json:${lineOf(app, '"value"')}`],
    ['error', `fly.toml:${lineOf(fly, 'ENABLE_HSTS')}`],
    ['error', `netlify.toml:${lineOf(netlify, 'NEXTAUTH_DEBUG')}`],
    ['error', `render.yaml:${lineOf(render, 'value:')}`],
    ['error', `vercel.json:${lineOf(vercel, 'STRIPE_SECRET_KEY')}`],
  ]);
  assert.match(r.summary, /\(5 errors in all\)/);
  assert.equal(r.data!.workflowFiles, 0);
  assert.deepEqual(r.data!.platformFiles, ['vercel.json', 'app.json', 'render.yaml', 'fly.toml', 'netlify.toml']);
});

test('a workflow that is not valid YAML is a warning on its line', async () => {
  const r = await check({ '.github/workflows/broken.yml': 'on: push\njobs:\n  a: [\n' });
  assert.equal(r.status, 'warn');
  assert.equal(r.findings[0]!.file, '.github/workflows/broken.yml');
  assert.match(r.findings[0]!.message, /not valid YAML/);
});

test('YAML anchors and merge keys are followed to the line that holds the value', async () => {
  const workflow = `on: push
x-common: &common
  NEXTAUTH_DEBUG: "true"
jobs:
  a:
    runs-on: ubuntu-latest
    env:
      <<: *common
      APP_URL: https://app.acme-saas.com
    steps:
      - run: echo hi
`;
  const r = await check({ '.github/workflows/a.yml': workflow });
  assert.deepEqual(found(r), [['error', `.github/workflows/a.yml:3`]]);
});

test("an app directory of a monorepo is checked against the repository's workflows", async () => {
  const workflow = DEPLOY.replace('NEXTAUTH_DEBUG: false', 'NEXTAUTH_DEBUG: true');
  const repo = tempRepo({ '.git/HEAD': 'ref: refs/heads/main\n', '.github/workflows/deploy.yml': workflow, 'apps/web/vercel.json': '{ "env": { "ENABLE_HSTS": "false" } }\n' });
  try {
    const r = await runRule(workflowSecrets, await settingsFor({}, { repo: `${repo.dir}/apps/web` }));
    assert.deepEqual(found(r), [
      ['error', `../../.github/workflows/deploy.yml:${lineOf(workflow, 'NEXTAUTH_DEBUG')}`],
      ['error', 'vercel.json:1'],
    ]);
  } finally {
    repo.cleanup();
  }
});

test('a repository without workflows or platform files is skipped', async () => {
  const r = await check({ 'README.md': '# app\n' });
  assert.equal(r.status, 'skip');
});
