/**
 * gate.destructive-commands: the playbook's production rules and Prisma's data-destroying commands,
 * followed along the same production paths as gate.no-db-push (one trace, several matchers).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RuleReport } from '../../../src/engine/types.js';
import { parseConfig } from '../../../src/config.js';
import { readPackageScripts } from '../../../src/probes/repository.js';
import { destructiveCommands } from '../../../src/rules/gate/destructive-commands.js';
import { noDbPush } from '../../../src/rules/gate/no-db-push.js';
import { tracePaths } from '../../../src/analysis/deploy-paths/shell.js';
import { DB_PUSH, destructiveMatchers } from '../../../src/analysis/deploy-paths/matchers.js';
import { runRule, settingsFor, tempRepo } from '../../helpers.js';

/** The app's scripts with the playbook's two (target-app spec and the environment commands playbook), plus `extra`. */
function packageJson(extra: Record<string, string> = {}): string {
  const scripts = {
    dev: 'next dev --port 4002',
    build: 'prisma generate && next build',
    'build-ci': 'next build',
    start: 'next start --port 4002',
    'migrate:deploy': 'prisma migrate deploy',
    'sync-stripe': 'node --env-file .env sync-stripe.js',
    'setup:db': 'npx prisma db push',
    'stripe:cleanup': 'node --env-file .env scripts/stripe-cleanup.js',
    ...extra,
  };
  return `${JSON.stringify({ name: 'acme-saas', version: '1.6.0', private: true, scripts }, null, 2)}\n`;
}

const scriptLine = (text: string, name: string) => text.split('\n').findIndex((l) => l.trimStart().startsWith(`"${name}":`)) + 1;

async function scan(files: Record<string, string>, options: { inputs?: Record<string, string>; rule?: typeof destructiveCommands } = {}): Promise<RuleReport> {
  const repo = tempRepo(files);
  try {
    return await runRule(options.rule ?? destructiveCommands, await settingsFor({}, { repo: repo.dir, inputs: options.inputs }));
  } finally {
    repo.cleanup();
  }
}

const errors = (r: RuleReport) => r.findings.filter((f) => f.level === 'error').map((f) => [f.file, f.line, f.message]);

/** A deploy workflow whose last step runs `post` after the deploy. */
function deployWorkflow(post: string): string {
  return [
    'name: Deploy', //                                   1
    'on:', //                                            2
    '  push:', //                                        3
    '    branches: [main]', //                           4
    'jobs:', //                                          5
    '  deploy:', //                                      6
    '    runs-on: ubuntu-latest', //                     7
    '    env:', //                                       8
    '      DATABASE_URL: ${{ secrets.DATABASE_URL }}', //9
    '    steps:', //                                    10
    '      - uses: actions/checkout@v4', //             11
    '      - run: npm ci', //                           12
    '      - run: npx prisma migrate deploy', //        13
    '      - run: npm run build-ci', //                 14
    '      - run: npx vercel deploy --prod --yes', //   15
    '      - name: After the deploy', //                16
    `        run: ${post}`, //                          17
    '',
  ].join('\n');
}

test("the app's own scripts, reached by nothing: a notice each, and the rule passes", async () => {
  const pkg = packageJson();
  const r = await scan({ 'package.json': pkg, '.github/workflows/deploy.yml': deployWorkflow('npm run sync-stripe'), Procfile: 'web: next start\n' });
  assert.equal(r.status, 'pass', r.summary);
  assert.equal(r.summary, "no destructive command on any production path (developer's scripts only: setup:db, stripe:cleanup)");
  assert.deepEqual(
    r.findings.map((f) => [f.level, f.file, f.line]),
    [
      ['notice', 'package.json', scriptLine(pkg, 'setup:db')],
      ['notice', 'package.json', scriptLine(pkg, 'stripe:cleanup')],
    ],
  );
  assert.match(r.findings[1]!.message, /^"stripe:cleanup" archives every active product and price .*taken as a developer's command$/);
});

test('stripe:cleanup in a post-deploy workflow step fails at that line, with the path and what it destroys', async () => {
  const pkg = packageJson();
  const r = await scan({ 'package.json': pkg, '.github/workflows/deploy.yml': deployWorkflow('npm run sync-stripe && npm run stripe:cleanup') });
  assert.equal(r.status, 'fail');
  const chain = '.github/workflows/deploy.yml:17 → npm run stripe:cleanup';
  assert.equal(r.summary, `"stripe:cleanup" runs in production: ${chain}`);
  assert.deepEqual(errors(r).map(([file, line]) => [file, line]), [
    ['.github/workflows/deploy.yml', 17],
    ['package.json', scriptLine(pkg, 'stripe:cleanup')],
  ]);
  assert.match(String(errors(r)[0]![2]), /^\.github\/workflows\/deploy\.yml:17 → npm run stripe:cleanup: "stripe:cleanup" archives every active product and price in the Stripe account/);
  assert.match(r.fix ?? '', /sync-stripe.*docs\/environment-commands-playbook\.md.*waive gate\.destructive-commands .*`until`/s);
  assert.deepEqual(r.locations[0], { file: '.github/workflows/deploy.yml', line: 17 });
});

test('prisma migrate reset behind `npm run release` shows the whole path: workflow line → script → command', async () => {
  const pkg = packageJson({ release: 'npm run db:fresh && next build', 'db:fresh': 'prisma migrate reset --force --skip-seed' });
  const r = await scan({ 'package.json': pkg, '.github/workflows/deploy.yml': deployWorkflow('npm run release') });
  assert.equal(r.status, 'fail');
  const chain = '.github/workflows/deploy.yml:17 → npm run release → npm run db:fresh → prisma migrate reset --force --skip-seed';
  assert.equal(r.summary, `prisma migrate reset runs in production: ${chain}`);
  assert.deepEqual(errors(r), [
    ['.github/workflows/deploy.yml', 17, `${chain}: prisma migrate reset drops the database (or every table of its schema), applies every migration again and runs the seed: all data is lost`],
    ['package.json', scriptLine(pkg, 'db:fresh'), `"db:fresh" runs prisma migrate reset, and production reaches it: ${chain}`],
  ]);
});

test('db push --accept-data-loss in a Dockerfile CMD (exec and shell form) fails this rule and gate.no-db-push', async () => {
  const files = {
    'package.json': packageJson(),
    Dockerfile: 'FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build-ci\nCMD ["sh", "-c", "npx prisma db push --accept-data-loss && npm start"]\n',
    'worker.Dockerfile': 'FROM node:22-alpine\nCMD npx prisma db push --force-reset --skip-generate && node worker.js\n',
  };
  const r = await scan(files);
  assert.equal(r.status, 'fail');
  assert.deepEqual(errors(r).map(([file, line, message]) => [file, line, String(message).split(': ')[0]]), [
    ['Dockerfile', 5, 'Dockerfile:5 → npx prisma db push --accept-data-loss'],
    ['worker.Dockerfile', 2, 'worker.Dockerfile:2 → npx prisma db push --force-reset --skip-generate'],
  ]);
  assert.equal(r.summary, 'prisma db push --accept-data-loss runs in production: Dockerfile:5 → npx prisma db push --accept-data-loss (and 1 more)');
  // The same trace: gate.no-db-push sees both pushes too.
  const push = await scan(files, { rule: noDbPush });
  assert.equal(push.status, 'fail');
  assert.deepEqual(errors(push).map(([file, line]) => `${file}:${line}`), ['Dockerfile:5', 'worker.Dockerfile:2']);
});

test('migrate dev and a config-named script from platform configs and the gate commands; a CI database is a notice', async () => {
  const pkg = packageJson({ 'db:wipe': 'node scripts/wipe.js', 'vercel:build': 'prisma migrate dev --name auto && next build' });
  const r = await scan(
    {
      'package.json': pkg,
      'vercel.json': '{\n  "buildCommand": "npm run vercel:build"\n}\n',
      Procfile: 'web: next start\nrelease: npm run db:wipe\n',
      '.github/production-readiness.yml': 'destructive-commands:\n  scripts: [db:wipe]\n',
      '.github/workflows/e2e.yml': [
        'on: pull_request',
        'jobs:',
        '  e2e:',
        '    runs-on: ubuntu-latest',
        '    services:',
        '      postgres:',
        '        image: postgres:16',
        '    env:',
        '      DATABASE_URL: postgresql://postgres:postgres@postgres:5432/test',
        '    steps:',
        '      - run: npx prisma migrate reset --force',
        '',
      ].join('\n'),
    },
    { inputs: { 'migrate-command': 'npx prisma migrate dev' } },
  );
  assert.equal(r.status, 'fail');
  assert.deepEqual(errors(r).map(([file, line]) => `${file ?? '(input)'}:${line ?? ''}`).sort(), [
    '(input):',
    'Procfile:2',
    'package.json:' + scriptLine(pkg, 'db:wipe'),
    'package.json:' + scriptLine(pkg, 'vercel:build'),
    'vercel.json:2',
  ]);
  assert.ok(errors(r).some(([, , m]) => m === 'migrate-command input → npx prisma migrate dev: prisma migrate dev is a development command: it resets the database when the history and the schema drift apart (after a prompt, or it fails without a terminal), and needs a shadow database it creates and drops'));
  const ci = r.findings.find((f) => f.file === '.github/workflows/e2e.yml');
  assert.equal(ci?.level, 'notice');
  assert.match(ci?.message ?? '', /prisma migrate reset runs against the CI database at postgres, not production$/);
});

test('not counted: echo, comments, migrate deploy and status, db push without data-loss flags, a script named like another', () => {
  const scripts = readPackageScripts(
    JSON.stringify({ scripts: { 'stripe:cleanup-docs': 'echo stripe:cleanup', 'setup:db': 'npx prisma db push', reset: 'prisma migrate reset' } }),
  );
  const matchers = destructiveMatchers();
  const found = (line: string) => tracePaths(line, scripts, matchers).map((p) => p.what);
  assert.deepEqual(found('npx prisma migrate deploy && npx prisma migrate status # && prisma migrate reset'), []);
  assert.deepEqual(found("echo 'never run npm run stripe:cleanup' && npm run stripe:cleanup-docs"), []);
  assert.deepEqual(found('npx prisma db push --skip-generate'), []);
  assert.deepEqual(found('npx prisma db push --accept-data-loss=false'), []);
  assert.deepEqual(found('yarn reset'), ['prisma migrate reset']);
  assert.deepEqual(found('pnpm run setup:db'), ['"setup:db"']);
  assert.deepEqual(found('npx prisma --schema prisma/schema.prisma db push --force-reset'), ['prisma db push --force-reset']);
  // One trace for every matcher: db push is gate.no-db-push's, the data-loss flag this rule's.
  const both = tracePaths('npx prisma db push --accept-data-loss', scripts, [DB_PUSH, ...matchers]).map((p) => p.matcher);
  assert.deepEqual(both, ['db-push', 'db-push-data-loss']);
});

test('an approved, planned run is a waiver with a reason and an end date; without the date the config is refused', async () => {
  await assert.rejects(
    parseConfig('waivers:\n  - rule: gate.destructive-commands\n    reason: catalog reset approved in CHG-1182\n', '.github/production-readiness.yml'),
    /\.github\/production-readiness\.yml:\d+: waivers\.0\.until: a waiver of gate\.destructive-commands is an approved, planned run: give its end date/,
  );
  const config = await parseConfig('waivers:\n  - rule: gate.destructive-commands\n    reason: catalog reset approved in CHG-1182\n    until: 2031-01-31\n', 'c.yml');
  assert.deepEqual(config.waivers, [{ rule: 'gate.destructive-commands', reason: 'catalog reset approved in CHG-1182', until: '2031-01-31' }]);
  // Other rules keep an optional end date.
  assert.equal((await parseConfig('waivers:\n  - rule: config.enable-coep\n    reason: embeds\n', 'c.yml')).waivers.length, 1);
});
