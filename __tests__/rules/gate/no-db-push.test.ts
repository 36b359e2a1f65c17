import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RuleReport } from '../../../src/engine/types.js';
import { readPackageScripts } from '../../../src/probes/repository.js';
import { noDbPush } from '../../../src/rules/gate/no-db-push.js';
import { traceDbPush } from '../../../src/analysis/deploy-paths/shell.js';
import { runRule, settingsFor, tempRepo } from '../../helpers.js';

/** The app's package.json scripts (target-app spec), with `extra` scripts added. */
function packageJson(extra: Record<string, string> = {}): string {
  const scripts = {
    release: 'git checkout release && git merge origin/main && release-it && git checkout main && git merge origin/release && git push origin main',
    dev: 'next dev --port 4002',
    build: 'prisma generate && next build',
    start: 'next start --port 4002',
    'check-types': 'tsc --pretty --noEmit',
    'check-lint': 'eslint -c eslint.config.cjs ./',
    'test-all': 'npm run check-format && npm run check-lint && npm run check-types && npm run build',
    test: 'jest',
    'build-ci': 'next build',
    'migrate:deploy': 'prisma migrate deploy',
    'sync-stripe': 'node --env-file .env sync-stripe.js',
    'setup:db': 'npx prisma db push',
    ...extra,
  };
  return `${JSON.stringify({ name: 'saas-starter-kit', version: '1.6.0', private: true, prisma: { seed: 'ts-node ./prisma/seed.ts' }, scripts }, null, 2)}\n`;
}

/** 1-based line of the package.json key `"name":` (how an annotation must point at a script). */
const scriptLine = (text: string, name: string) => text.split('\n').findIndex((l) => l.trimStart().startsWith(`"${name}":`)) + 1;

async function scan(files: Record<string, string>, inputs: Record<string, string> = {}): Promise<RuleReport> {
  const repo = tempRepo(files);
  try {
    return await runRule(noDbPush, await settingsFor({}, { repo: repo.dir, inputs }));
  } finally {
    repo.cleanup();
  }
}

const errors = (r: RuleReport) => r.findings.filter((f) => f.level === 'error').map((f) => [f.file, f.line, f.message]);

const CI_WORKFLOW = `name: Build
on:
  push:
    branches: [main, release]
jobs:
  ci:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v6
      - run: npm install
      - run: npm run check-lint
      - run: npm run test
      - run: npm run build-ci
      - run: npx prisma migrate deploy
`;

test("the app's real scripts pass, with only the setup:db notice", async () => {
  const pkg = packageJson();
  const r = await scan({
    'package.json': pkg,
    '.github/workflows/main.yml': CI_WORKFLOW,
    Procfile: 'web: ./node_modules/.bin/next start',
    'app.json': '{ "name": "BoxyHQ", "env": { "APP_URL": { "value": "https://x.herokuapp.com" } } }',
    'README.md': '```bash\nnpx prisma db push\n```\n',
    'CONTRIBUTING.md': 'Run `npx prisma db push` to set up your local database.\n',
  });
  assert.equal(r.status, 'pass');
  assert.equal(r.summary, 'prisma db push appears only in dev-only scripts: setup:db');
  assert.deepEqual(
    r.findings.map((f) => [f.level, f.file, f.line]),
    [['notice', 'package.json', scriptLine(pkg, 'setup:db')]],
  );
  assert.match(r.findings[0]!.message, /"setup:db" runs prisma db push.*local development only/);
});

test('a two-hop script chain from a workflow fails at the workflow line and at the script that pushes', async () => {
  const pkg = packageJson({ release: 'npm run db:sync && next build', 'db:sync': 'prisma db push' });
  const workflow = ['name: Deploy', 'on:', '  push:', '    branches: [main]', 'jobs:', '  deploy:', '    runs-on: ubuntu-latest', '    steps:', '      - uses: actions/checkout@v4', '      - run: npm ci', '      - run: npm run release', ''].join('\n');
  const r = await scan({ 'package.json': pkg, '.github/workflows/deploy.yml': workflow });
  assert.equal(r.status, 'fail');
  const chain = '.github/workflows/deploy.yml:11 → npm run release → npm run db:sync → prisma db push';
  assert.deepEqual(errors(r), [
    ['.github/workflows/deploy.yml', 11, chain],
    ['package.json', scriptLine(pkg, 'db:sync'), `"db:sync" runs prisma db push, and production reaches it: ${chain}`],
  ]);
  assert.equal(r.summary, `prisma db push runs in production: ${chain}`);
  assert.equal(r.fix, 'Use `prisma migrate deploy` in production; keep `db push` for local development (see docs/migration-operations-runbook.md).');
  assert.deepEqual(r.locations[0], { file: '.github/workflows/deploy.yml', line: 11 });
});

test('a multi-line run: | block reports the exact line inside the block; comments and echo do not count', async () => {
  const workflow = [
    'name: Deploy', //                                     1
    'on: push', //                                         2
    'jobs:', //                                            3
    '  deploy:', //                                        4
    '    runs-on: ubuntu-latest', //                       5
    '    env:', //                                         6
    '      DATABASE_URL: ${{ secrets.DATABASE_URL }}', //  7
    '    steps:', //                                       8
    '      - name: Migrate', //                            9
    '        run: |', //                                  10
    '          npm ci', //                                11
    '          # npx prisma db push (the old way)', //    12
    '          echo "never run prisma db push here"', //  13
    '          npx prisma db pull --print', //            14
    '          npx prisma db push \\', //                 15
    '            --skip-generate', //                     16
    '      - run: >-', //                                 17
    '          pnpm prisma', //                           18
    '          db push', //                               19
  ].join('\n');
  const r = await scan({ 'package.json': packageJson(), '.github/workflows/deploy.yaml': workflow });
  assert.equal(r.status, 'fail');
  assert.deepEqual(errors(r), [
    ['.github/workflows/deploy.yaml', 15, '.github/workflows/deploy.yaml:15 → npx prisma db push --skip-generate'],
    ['.github/workflows/deploy.yaml', 18, '.github/workflows/deploy.yaml:18 → pnpm prisma db push'],
  ]);
});

test('a Dockerfile RUN, with line continuations, and an exec-form CMD fail at their lines', async () => {
  const dockerfile = [
    'FROM node:22-alpine', //                          1
    'WORKDIR /app', //                                 2
    '# RUN npx prisma db push', //                     3
    'RUN --mount=type=cache,target=/root/.npm npm ci && \\', // 4
    '    npx prisma generate && \\', //                5
    '    # a comment inside the instruction', //       6
    '    npx prisma db push --accept-data-loss', //    7
    'COPY <<EOF /app/notes.txt', //                    8
    'RUN npx prisma db push', //                       9 (file content, not an instruction)
    'EOF', //                                         10
    'CMD ["npx", "prisma", "db", "push"]', //         11
  ].join('\n');
  const r = await scan({ 'package.json': packageJson(), Dockerfile: dockerfile, 'deploy/web.Dockerfile': 'FROM node:22\nRUN <<EOF\nset -e\nyarn prisma db push\nEOF\n' });
  assert.deepEqual(errors(r), [
    ['deploy/web.Dockerfile', 4, 'deploy/web.Dockerfile:4 → yarn prisma db push'],
    ['Dockerfile', 7, 'Dockerfile:7 → npx prisma db push --accept-data-loss'],
    ['Dockerfile', 11, 'Dockerfile:11 → npx prisma db push'],
  ]);
});

test('lifecycle scripts: postinstall through a script, prebuild directly', async () => {
  const pkg = packageJson({ postinstall: 'prisma generate && npm run db:sync', 'db:sync': 'prisma db push --accept-data-loss' });
  const r = await scan({ 'package.json': pkg });
  assert.equal(r.status, 'fail');
  const line = scriptLine(pkg, 'postinstall');
  const chain = `package.json:${line} "postinstall" (npm runs it on every install and ci) → npm run db:sync → prisma db push --accept-data-loss`;
  assert.deepEqual(errors(r), [
    ['package.json', line, chain],
    ['package.json', scriptLine(pkg, 'db:sync'), `"db:sync" runs prisma db push, and production reaches it: ${chain}`],
  ]);

  const pre = packageJson({ prebuild: 'npx prisma db push' });
  const r2 = await scan({ 'package.json': pre });
  assert.deepEqual(errors(r2), [['package.json', scriptLine(pre, 'prebuild'), `package.json:${scriptLine(pre, 'prebuild')} "prebuild" (npm runs it before build) → npx prisma db push`]]);
});

test("the gate's own build command is followed into its script, and npm's pre script with it", async () => {
  const pkg = packageJson({ 'build-ci': 'next build', 'prebuild-ci': 'npm run db:sync', 'db:sync': 'prisma db push' });
  const r = await scan({ 'package.json': pkg });
  assert.equal(r.status, 'fail');
  const chain = 'build-command input → npm run build-ci (npm runs "prebuild-ci" before "build-ci") → npm run db:sync → prisma db push';
  assert.deepEqual(errors(r), [
    [undefined, undefined, chain],
    ['package.json', scriptLine(pkg, 'db:sync'), `"db:sync" runs prisma db push, and production reaches it: ${chain}`],
  ]);

  const custom = await scan({ 'package.json': packageJson({ 'deploy:build': 'prisma db push && next build' }) }, { 'build-command': 'npm run deploy:build' });
  assert.equal(custom.status, 'fail');
  assert.equal(custom.summary, 'prisma db push runs in production: build-command input → npm run deploy:build → prisma db push');
});

test('platform configs: vercel.json, netlify.toml, fly.toml, render.yaml, railway.json, app.json, Procfile', async () => {
  const r = await scan({
    'package.json': packageJson({ 'vercel:build': 'prisma db push && next build' }),
    'vercel.json': '{\n  "framework": "nextjs",\n  "buildCommand": "npm run vercel:build",\n  "devCommand": "prisma db push && next dev"\n}\n',
    'netlify.toml': '[build]\n  # command = "npx prisma db push"\n  command = "npx prisma db push && next build" # deploy\n[dev]\n  command = "prisma db push && next dev"\n',
    'fly.toml': 'app = "acme"\n[deploy]\n  release_command = "npx prisma migrate deploy"\n[experimental]\n  cmd = ["npx", "prisma", "db", "push"]\n',
    'render.yaml': 'services:\n  - type: web\n    name: app\n    buildCommand: npm ci && npm run build\n    preDeployCommand: npx prisma db push\n',
    'railway.json': '{\n  "deploy": {\n    "preDeployCommand": [\n      "npx prisma migrate deploy",\n      "npx prisma db push"\n    ]\n  }\n}\n',
    'app.json': '{\n  "name": "x",\n  "scripts": {\n    "postdeploy": "npx prisma db push"\n  }\n}\n',
    Procfile: 'web: next start\nrelease: npx prisma db push\n',
  });
  assert.equal(r.status, 'fail');
  assert.deepEqual(
    errors(r).filter(([file]) => file !== 'package.json').map(([file, line]) => `${file}:${line}`),
    ['Procfile:2', 'vercel.json:3', 'railway.json:5', 'app.json:4', 'netlify.toml:3', 'fly.toml:5', 'render.yaml:5'],
  );
});

test('false positives: commented, echoed, markdown, db pull, migrate deploy, dev-only scripts', async () => {
  const pkg = packageJson({ 'db:dev': 'prisma db push && prisma db seed', 'db:pull': 'prisma db pull' });
  const workflow = [
    'on: push',
    'jobs:',
    '  deploy:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      # - run: npx prisma db push',
    '      - run: npx prisma db pull # && npx prisma db push',
    "      - run: echo 'prisma db push is for local development' && npm run db:pull",
    '      - run: npx prisma migrate deploy',
    '      - run: |',
    '          npm ci # && npx prisma db push',
    '          cat > notes.sh <<EOF',
    '          npx prisma db push',
    '          EOF',
  ].join('\n');
  const r = await scan({
    'package.json': pkg,
    '.github/workflows/deploy.yml': workflow,
    'docs/migration-operations-runbook.md': 'Never run `npx prisma db push` in production.\n',
    Dockerfile: 'FROM node:22\n# RUN npx prisma db push\nRUN npm ci\n',
  });
  assert.equal(r.status, 'pass');
  assert.equal(r.summary, 'prisma db push appears only in dev-only scripts: setup:db, db:dev');
  assert.deepEqual(r.findings.map((f) => [f.level, f.line]), [
    ['notice', scriptLine(pkg, 'setup:db')],
    ['notice', scriptLine(pkg, 'db:dev')],
  ]);
});

test('a job that pushes to its own CI database (service container, localhost) is a notice, a secret URL is not', async () => {
  const workflow = (url: string) =>
    ['on: pull_request', 'jobs:', '  e2e:', '    runs-on: ubuntu-latest', '    services:', '      postgres:', '        image: postgres:16', '    env:', `      DATABASE_URL: ${url}`, '    steps:', '      - run: npx prisma db push', ''].join('\n');
  const ci = await scan({ 'package.json': packageJson(), '.github/workflows/e2e.yml': workflow('postgresql://postgres:postgres@localhost:5432/postgres') });
  assert.equal(ci.status, 'pass');
  assert.match(ci.summary, /only against CI databases \(localhost\)/);
  assert.ok(ci.findings.some((f) => f.level === 'notice' && f.file === '.github/workflows/e2e.yml' && f.line === 11));

  const service = await scan({ 'package.json': packageJson(), '.github/workflows/e2e.yml': workflow('postgresql://postgres@postgres:5432/test') });
  assert.equal(service.status, 'pass');

  const prod = await scan({ 'package.json': packageJson(), '.github/workflows/e2e.yml': workflow('${{ secrets.DATABASE_URL }}') });
  assert.equal(prod.status, 'fail');
});

test('script cycles end, and every runner spelling is followed', () => {
  const scripts = readPackageScripts(
    JSON.stringify({
      scripts: {
        a: 'npm run b',
        b: 'npm run a && npm run-script c',
        c: 'cross-env NODE_ENV=production dotenv -e .env -- npm exec -- prisma db push',
        y: 'yarn c',
        p: 'pnpm run c',
        bun: 'bun run c',
        all: 'run-s lint "db:*"',
        'db:x': 'bunx prisma@5 db push',
        conc: 'concurrently "next start" npm:c',
        sh: "sh -c 'node node_modules/prisma/build/index.js db push'",
        yd: 'yarn dlx prisma db push',
      },
    }),
  );
  const scriptOf = (line: string) => traceDbPush(line, scripts).map((p) => p.script ?? '(direct)');
  assert.deepEqual(scriptOf('npm run a'), ['c']);
  for (const line of ['yarn y', 'npm run p', 'npm run bun', 'yarn conc']) assert.deepEqual(scriptOf(line), ['c'], line);
  assert.deepEqual(scriptOf('npm run all'), ['db:x']);
  assert.deepEqual(scriptOf('npm run sh'), ['sh']);
  assert.deepEqual(scriptOf('pnpm yd'), ['yd']);
  assert.deepEqual(scriptOf('npm --prefix other run c'), [], 'another package\'s scripts are not these');
  assert.deepEqual(scriptOf('npx prisma --schema ./db/schema.prisma db push'), ['(direct)']);
  assert.deepEqual(scriptOf('npx prisma db pull; npx prisma migrate deploy; echo prisma db push'), []);
});

test('fly.toml: an inline processes table is a production command; TOML booleans and numbers do not break the scan', async () => {
  const fly = 'app = "acme"\nkill_timeout = 5\nprocesses = { app = "npx prisma db push && node server.js", worker = "node worker.js" }\n[http_service]\n  force_https = true\n  auto_stop_machines = false\n';
  const r = await scan({ 'package.json': packageJson(), 'fly.toml': fly });
  assert.equal(r.status, 'fail');
  assert.deepEqual(errors(r).filter(([file]) => file !== 'package.json'), [['fly.toml', 3, 'fly.toml:3 → npx prisma db push']]);
});

test('a TOML config that does not parse is named, not guessed at', async () => {
  const r = await scan({ 'package.json': packageJson(), 'netlify.toml': '[build]\n  command = "npx prisma db push\n' });
  assert.match(r.details ?? '', /note: netlify\.toml:2 is not valid TOML \(.+\); not scanned\./);
});
