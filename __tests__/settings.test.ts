import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../src/errors.js';
import { loadSettings, parseResolve } from '../src/settings.js';
import { goodEnv, tempRepo } from './helpers.js';

async function usageError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('expected an error');
}

test('defaults follow interface.md', async () => {
  const repo = tempRepo();
  const s = await loadSettings({ inputs: { 'working-directory': repo.dir }, env: { RUNNER_TEMP: '/tmp/rt' }, cwd: repo.dir });
  assert.deepEqual(s.checks, ['config', 'gate', 'smoke', 'security', 'stripe']);
  assert.equal(s.installCommand, 'npm ci');
  assert.equal(s.migrateCommand, 'npx prisma migrate deploy');
  assert.equal(s.buildCommand, 'npm run build-ci');
  assert.equal(s.migrate, 'auto');
  assert.equal(s.minCertDays, 14);
  assert.equal(s.timeoutSeconds, 20);
  assert.equal(s.failOn, 'fail');
  assert.equal(s.reportPath, '/tmp/rt/production-readiness.json');
  assert.equal(s.sentryApiBase, 'https://sentry.io');
  assert.equal(s.githubToken, undefined);
  repo.cleanup();
});

test('env-file is read, the environment wins, unrelated variables are ignored, secrets collected', async () => {
  const repo = tempRepo({ '.env.production': 'APP_URL=https://from-file.example.com\nNEXTAUTH_SECRET="file secret value 123"\nUNRELATED=x\nSTRIPE_SYNC_SECRET=from-file-sync-secret\n' });
  const s = await loadSettings({
    inputs: { 'working-directory': repo.dir, 'env-file': join(repo.dir, '.env.production') },
    env: { APP_URL: 'https://from-env.example.com', STRIPE_SYNC_SECRET: '', DATABASE_URL: 'postgresql://u:p%40ssw0rd!@db.example.com/app' },
    cwd: repo.dir,
  });
  assert.equal(s.env.APP_URL, 'https://from-env.example.com');
  assert.equal(s.env.NEXTAUTH_SECRET, 'file secret value 123');
  assert.equal(s.env.STRIPE_SYNC_SECRET, 'from-file-sync-secret', 'an empty env var does not hide the file value');
  assert.equal(s.env.UNRELATED, undefined);
  assert.ok(s.secrets.includes('file secret value 123'));
  assert.ok(s.secrets.includes('p@ssw0rd!'), 'the decoded database password is a secret');
  repo.cleanup();
});

test('bad inputs give a UsageError that names the input', async () => {
  const repo = tempRepo();
  const load = (inputs: Record<string, string>) => loadSettings({ inputs: { 'working-directory': repo.dir, ...inputs }, env: {}, cwd: repo.dir });
  assert.match(await usageError(load({ 'timeout-seconds': 'abc' })), /timeout-seconds must be a whole number/);
  assert.match(await usageError(load({ 'min-cert-days': '0' })), /min-cert-days must be between/);
  assert.match(await usageError(load({ migrate: 'sometimes' })), /migrate must be auto, true or false/);
  assert.match(await usageError(load({ 'fail-on': 'error' })), /fail-on must be fail or warn/);
  assert.match(await usageError(load({ 'scan-history': 'yes' })), /scan-history must be true or false/);
  assert.match(await usageError(load({ 'stripe-api-base': 'localhost:12111' })), /stripe-api-base must be an http\(s\) URL/);
  assert.match(await usageError(load({ resolve: 'app.acme.com:443' })), /resolve: "app\.acme\.com:443" is not host:port:address/);
  assert.match(await usageError(load({ 'env-file': 'missing.env' })), /env-file: cannot read missing\.env \(ENOENT\)/);
  assert.match(await usageError(load({ 'ca-file': 'nope.pem' })), /ca-file: cannot read nope\.pem/);
  assert.match(await usageError(load({ 'working-directory': join(repo.dir, 'nope') })), /working-directory: .* is not a directory/);
  assert.match(await usageError(loadSettings({ inputs: { bogus: 'x' }, env: {}, cwd: repo.dir })), /unknown input "bogus"/);
  assert.match(await usageError(load({ 'new-findings-only': 'yes' })), /new-findings-only must be auto, true or false/);
  // A ref that git could read as an option, or that is no ref at all, never reaches git.
  assert.match(await usageError(load({ 'baseline-ref': '--upload-pack=touch /tmp/x' })), /baseline-ref must be a branch, tag or commit id/);
  assert.match(await usageError(load({ 'baseline-ref': 'main..feature' })), /baseline-ref must be a branch, tag or commit id/);
  assert.match(await usageError(load({ 'baseline-unavailable': 'skip' })), /baseline-unavailable must be full or warn/);
  assert.match(await usageError(load({ 'environment-on-pr': 'ignore' })), /environment-on-pr must be report or block/);
  assert.match(await usageError(load({ 'sarif-category': 'a b' })), /sarif-category may hold letters, digits/);
  repo.cleanup();
});

test('resolve accepts curl-style lines, IPv6 in brackets, comments', () => {
  assert.deepEqual(parseResolve('app.acme.com:443:203.0.113.10\n# note\ndb.acme.com:5432:[2001:db8::1]'), [
    { host: 'app.acme.com', port: 443, address: '203.0.113.10' },
    { host: 'db.acme.com', port: 5432, address: '2001:db8::1' },
  ]);
});

test('config file: unknown keys and bad values name the file, the line and the key', async () => {
  const repo = tempRepo({
    '.github/production-readiness.yml': 'paths:\n  health: /api/health\nwaivers:\n  - rule: config.enable-coep\n    reason: embeds\n    untill: 2027-03-01\n',
  });
  const message = await usageError(loadSettings({ inputs: { 'working-directory': repo.dir }, env: {}, cwd: repo.dir }));
  assert.match(message, /\.github\/production-readiness\.yml:6: waivers\.0\.untill: unknown key "untill"/);
  writeFileSync(join(repo.dir, '.github/production-readiness.yml'), 'operations:\n  backups:\n    last-restore-test: 12/10/2026\n    evidence: https://wiki/x\n');
  assert.match(await usageError(loadSettings({ inputs: { 'working-directory': repo.dir }, env: {}, cwd: repo.dir })), /production-readiness\.yml:3: operations\.backups\.last-restore-test: .*YYYY-MM-DD/);
  writeFileSync(join(repo.dir, '.github/production-readiness.yml'), 'paths: [unclosed\n');
  assert.match(await usageError(loadSettings({ inputs: { 'working-directory': repo.dir }, env: {}, cwd: repo.dir })), /production-readiness\.yml:\d+: not valid YAML/);
  repo.cleanup();
});

test('a missing default config file is fine; a named one that is missing is an error', async () => {
  const repo = tempRepo();
  const s = await loadSettings({ inputs: { 'working-directory': repo.dir }, env: goodEnv(), cwd: repo.dir });
  // No Next.js app in the directory: the guide's app (its routes) is assumed.
  assert.equal(s.app.found, false);
  assert.equal(s.app.paths.health, '/api/health');
  assert.deepEqual(s.config.waivers, []);
  assert.match(await usageError(loadSettings({ inputs: { 'working-directory': repo.dir, 'config-file': 'gate.yml' }, env: {}, cwd: repo.dir })), /config-file: cannot read gate\.yml/);
  repo.cleanup();
});

test('config file mistakes that used to read as a programmer\'s error are said in the file\'s terms', async () => {
  const repo = tempRepo();
  const file = join(repo.dir, '.github/production-readiness.yml');
  const load = () => usageError(loadSettings({ inputs: { 'working-directory': repo.dir }, env: {}, cwd: repo.dir }));
  const cases: Array<[text: string, expected: RegExp, not: RegExp]> = [
    // Deeper than the YAML parser's own recursion goes: it used to say "Maximum call stack size exceeded".
    [`paths: ${'['.repeat(1000)}${']'.repeat(1000)}\n`, /production-readiness\.yml:1: nested too deep for a config file .*at most 24 levels/, /call stack/i],
    // Two documents: it used to say "please use YAML.parseAllDocuments()".
    ['plans:\n  expected: [Team]\n---\nplans:\n  expected: [Pro]\n', /production-readiness\.yml:3: the file holds several YAML documents \(a second `---`\)/, /parseAllDocuments/],
    // A path that does start with "/": it used to be told to start with "/".
    ['paths:\n  health: "/h\\n::error::x"\n', /production-readiness\.yml:2: paths\.health: a URL path holds no spaces or line breaks \(found a line break\)/, /starting with/],
    ['paths:\n  pages: ["/about us"]\n', /paths\.pages\.0: a URL path holds no spaces or line breaks \(found a space\)/, /starting with/],
    ['plans: 1\n', /production-readiness\.yml:1: plans: expected a mapping \(key: value lines\), got a number/, /Invalid input/],
  ];
  mkdirSync(join(repo.dir, '.github'), { recursive: true });
  for (const [text, expected, not] of cases) {
    writeFileSync(file, text);
    const message = await load();
    assert.match(message, expected);
    assert.doesNotMatch(message, not);
  }
  writeFileSync(file, 'paths:\n  health: no-slash\n');
  assert.match(await load(), /paths\.health: a path starting with "\/"/);
  repo.cleanup();
});

test('rehearsal-database-url: a postgresql:// URL whose password is a secret; anything else is refused by name, never echoed', async () => {
  const repo = tempRepo();
  const load = (inputs: Record<string, string>) => loadSettings({ inputs: { 'working-directory': repo.dir, ...inputs }, env: {}, cwd: repo.dir });
  const s = await load({ 'rehearsal-database-url': 'postgresql://migrator:c0py%2Fpass@staging.db.example.com:5432/app_copy?sslmode=require' });
  assert.equal(s.rehearsalDatabaseUrl, 'postgresql://migrator:c0py%2Fpass@staging.db.example.com:5432/app_copy?sslmode=require');
  assert.ok(s.secrets.includes('c0py/pass') && s.secrets.includes('c0py%2Fpass'), 'its password is masked like DATABASE_URL\'s');
  assert.equal((await load({})).rehearsalDatabaseUrl, undefined);
  const message = await usageError(load({ 'rehearsal-database-url': 'mysql://root:hunter22@db/app' }));
  assert.match(message, /^rehearsal-database-url must be a postgresql:\/\/ URL of a copy of the production database .*\(got "\*\*\*"\)$/);
  assert.doesNotMatch(message, /hunter22/);
  repo.cleanup();
});
