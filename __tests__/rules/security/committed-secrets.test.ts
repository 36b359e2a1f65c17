import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RuleReport } from '../../../src/engine/types.js';
import { committedSecrets } from '../../../src/rules/security/committed-secrets.js';
import { base64Cores, isPlaceholderValue, looksRandom, secretNeedles } from '../../../src/analysis/secrets/patterns.js';
import { FileScanner, type FileResult, scanContext, scanInParallel } from '../../../src/analysis/secrets/worker.js';
import { goodEnv, runRule, settingsFor, tempRepo } from '../../helpers.js';
import { gen } from './secret-fixtures.js';

// Live-looking values are built from parts, so this project never contains one as a literal.
const live = (...parts: string[]) => parts.join('_');
const STRIPE_RESTRICTED = live('rk', 'live', '51Hx8kQ2mN4pR7sT9vW1yZ3bD5fH7jL');
const WEBHOOK = live('whsec', 'Q8vN2pLx4Rt7Ws9Zq8vN2pLx4Rt7Ws9Z');
// GitHub tokens carry a CRC32 checksum: generated, so they are valid in form (and never real).
const GITHUB_TOKEN = gen.github();
const GITHUB_PAT = gen.githubPat();
const GOOGLE = ['GOCSPX', 'k3Jd8s0Qm2vXLkP4r9TzWn6bY1cH'].join('-');
const AWS = gen.awsKeyId();
const PRIVATE_KEY = gen.pem('rsa').trim();

interface Repo {
  dir: string;
  git(...args: string[]): string;
  write(files: Record<string, string | Buffer>): void;
  commit(message: string): string;
  cleanup(): void;
}

/** A git repository with `files` committed once. */
function gitRepo(files: Record<string, string | Buffer>): Repo {
  const { dir, cleanup } = tempRepo();
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, encoding: 'utf8' });
  const write = (more: Record<string, string | Buffer>) => {
    for (const [path, content] of Object.entries(more)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
  };
  const commit = (message: string) => {
    git('add', '-A');
    git('commit', '-q', '--allow-empty', '-m', message);
    return git('rev-parse', 'HEAD').trim();
  };
  git('init', '-q', '-b', 'main');
  write(files);
  commit('initial');
  return { dir, git, write, commit, cleanup };
}

async function scan(repo: Repo, options: { env?: Record<string, string>; history?: boolean } = {}): Promise<RuleReport> {
  const settings = await settingsFor(options.env ?? goodEnv(), { repo: repo.dir, inputs: options.history ? { 'scan-history': 'true' } : {} });
  return runRule(committedSecrets, settings);
}

const at = (r: RuleReport) => r.findings.map((f) => `${f.file}:${f.line}`);

/** No value of `secrets` appears anywhere in the report, raw or encoded. */
function assertRedacted(r: RuleReport, ...secrets: string[]) {
  const text = JSON.stringify(r);
  for (const secret of secrets) {
    assert.ok(!text.includes(secret), 'a secret value appears in the report');
    assert.ok(!text.includes(Buffer.from(secret).toString('base64').slice(0, 16)), 'a base64 secret appears in the report');
  }
}

/** The target app's own .env.example (placeholders only). */
const ENV_EXAMPLE = `# Copy to .env for local development.
APP_URL=http://localhost:4002
NEXTAUTH_URL=http://localhost:4002
NEXTAUTH_SECRET=your_nextauth_secret_here
DATABASE_URL=postgresql://<USER-HERE>:<PASSWORD-HERE>@localhost:5432/<DATABASE NAME HERE>
AUTH_PROVIDERS=github,credentials
GITHUB_CLIENT_ID=your_github_client_id
GITHUB_CLIENT_SECRET=your_github_client_secret
GOOGLE_CLIENT_ID=
GOOGLE_CLIENT_SECRET=
STRIPE_SECRET_KEY=your_stripe_secret_key
STRIPE_WEBHOOK_SECRET=your_stripe_webhook_secret
STRIPE_SYNC_SECRET=your_stripe_sync_secret
ENABLE_HSTS=false
NEXTAUTH_TRUST_HOST=false
`;

test('a clean repository passes: placeholders, .env.example, docs that name key prefixes', async () => {
  const repo = gitRepo({
    '.env.example': ENV_EXAMPLE,
    'README.md': [
      'Set `STRIPE_SECRET_KEY` to your live key (`sk_live_…`) and the webhook secret (`whsec_...`).',
      `Example: ${live('sk', 'live', 'xxxxxxxxxxxxxxxxxxxxxxxx')} or ${live('sk', 'live', 'your_key_here')}.`,
      `AWS documents ${['AKIA', 'IOSFODNN7EXAMPLE'].join('')} as its example key.`,
      'A key file starts with `-----BEGIN PRIVATE KEY-----` followed by base64.',
      'postgresql://<USER>:<PASSWORD>@localhost:5432/app and postgres://postgres:postgres@localhost:5432/test',
      'postgresql://app:${DB_PASSWORD}@db.internal.acme.com/app',
    ].join('\n'),
    'src/index.ts': 'export const url = process.env.DATABASE_URL;\n',
  });
  try {
    const r = await scan(repo);
    assert.equal(r.status, 'pass', r.details);
    assert.equal(r.summary, '3 tracked files scanned (0 skipped as binary), no secret value, no live credential, no env file with secrets');
    assert.deepEqual(r.findings, []);
  } finally {
    repo.cleanup();
  }
});

test('the exact value of a configured secret is found at its file and line, named by variable, redacted', async () => {
  const env = goodEnv();
  const repo = gitRepo({
    'src/stripe.ts': `import Stripe from 'stripe';\n\nexport const stripe = new Stripe('${env.STRIPE_SECRET_KEY}');\n`,
    'scripts/sync.sh': `#!/bin/sh\ncurl -H "x-stripe-sync-secret: ${env.STRIPE_SYNC_SECRET}" https://app.acme-saas.com/api/admin/stripe/sync\n`,
  });
  try {
    const r = await scan(repo, { env });
    assert.equal(r.status, 'fail');
    assert.deepEqual(at(r), ['scripts/sync.sh:2', 'src/stripe.ts:3']);
    const stripe = r.findings.find((f) => f.file === 'src/stripe.ts')!;
    assert.equal(stripe.level, 'error');
    assert.match(stripe.message, /the value of STRIPE_SECRET_KEY/);
    assert.match(stripe.message, new RegExp(`sk_live_…${env.STRIPE_SECRET_KEY!.slice(-4)}`));
    assert.match(r.findings[0]!.message, /the value of STRIPE_SYNC_SECRET/);
    assert.match(r.summary, /2 configured secret values committed/);
    assert.match(r.fix!, /[Rr]otate/);
    assertRedacted(r, env.STRIPE_SECRET_KEY!, env.STRIPE_SYNC_SECRET!);
  } finally {
    repo.cleanup();
  }
});

test('base64 and URL encodings of a secret are found and say so', async () => {
  const env = goodEnv();
  const dbPassword = 'Zq8vN2pL/x4Rt7@Ws9';
  env.DATABASE_URL = `postgresql://app:${encodeURIComponent(dbPassword)}@db.acme-saas.com:5432/app?sslmode=verify-full`;
  const basic = Buffer.from(`sync:${env.STRIPE_SYNC_SECRET}`).toString('base64');
  const repo = gitRepo({
    'k8s/secret.yaml': `apiVersion: v1\nkind: Secret\ndata:\n  NEXTAUTH_SECRET: ${Buffer.from(env.NEXTAUTH_SECRET!).toString('base64')}\n`,
    'scripts/call.sh': `curl -H "Authorization: Basic ${basic}" https://app.acme-saas.com\n`,
    'docs/db.md': `Password in a query string: ?password=${encodeURIComponent(dbPassword)}\n`,
  });
  try {
    const r = await scan(repo, { env });
    assert.equal(r.status, 'fail');
    const byFile = Object.fromEntries(r.findings.map((f) => [f.file, f]));
    assert.equal(byFile['k8s/secret.yaml']!.line, 4);
    assert.match(byFile['k8s/secret.yaml']!.message, /the value of NEXTAUTH_SECRET \(base64-encoded\)/);
    // Inside a longer base64 string, at another byte alignment.
    assert.match(byFile['scripts/call.sh']!.message, /the value of STRIPE_SYNC_SECRET \(base64-encoded\)/);
    assert.match(byFile['docs/db.md']!.message, /the DATABASE_URL password \(URL-encoded\)/);
    assertRedacted(r, env.NEXTAUTH_SECRET!, env.STRIPE_SYNC_SECRET!, dbPassword);
  } finally {
    repo.cleanup();
  }
});

test('live credential shapes are found, each at its line; placeholders of the same shapes are not', async () => {
  const lines = [
    `STRIPE_KEY = "${STRIPE_RESTRICTED}"`,
    `WEBHOOK = "${WEBHOOK}"`,
    `token: ${GITHUB_TOKEN}`,
    `pat: ${GITHUB_PAT}`,
    `google: ${GOOGLE}`,
    `aws_access_key_id = ${AWS}`,
    'db: postgres://app:Xk9mQ2vL8pR4tW7z@db.prod.acme.com:5432/app',
    'local: postgresql://<USER>:<PASSWORD>@localhost:5432/app',
    'ci: postgres://postgres:postgres@localhost:5432/test',
    PRIVATE_KEY,
  ];
  const repo = gitRepo({ 'config/credentials.txt': `${lines.join('\n')}\n` });
  try {
    // No configured secret: only the shapes can find these.
    const r = await scan(repo, { env: {} });
    assert.equal(r.status, 'fail');
    const found = r.findings.map((f) => [f.line, f.message.split(':')[0]]);
    assert.deepEqual(found, [
      [1, 'a Stripe live secret key'],
      [2, 'a Stripe webhook signing secret'],
      [3, 'a GitHub token'],
      [4, 'a GitHub fine-grained token'],
      [5, 'a Google OAuth client secret'],
      [6, 'an AWS access key id'],
      [7, 'a database URL with a password'],
      [10, 'an RSA private key (PKCS#1, 1024 bits)'],
    ]);
    assert.match(r.findings[6]!.message, /postgres:\/\/app:…tW7z@db\.prod\.acme\.com/);
    assert.match(r.summary, /8 live credentials committed/);
    assertRedacted(r, STRIPE_RESTRICTED, WEBHOOK, GITHUB_TOKEN, GOOGLE, 'Xk9mQ2vL8pR4tW7z');
  } finally {
    repo.cleanup();
  }
});

test('a tracked .env.production with values fails; .env.example with placeholders does not', async () => {
  const secret = 'Jd8s0Qm2vXLkP4r9TzWn6bY1cHfA3gE5';
  const repo = gitRepo({
    '.env.example': ENV_EXAMPLE,
    '.env.production': `APP_URL=https://app.acme-saas.com\nENABLE_HSTS=true\nNEXTAUTH_SECRET="${secret}"\nSTRIPE_SYNC_SECRET=your_stripe_sync_secret\n`,
    '.env.test': 'NEXTAUTH_SECRET=test-secret-for-ci-only\n',
  });
  try {
    const r = await scan(repo, { env: {} });
    assert.equal(r.status, 'fail');
    assert.deepEqual(at(r), ['.env.production:3']);
    assert.match(r.findings[0]!.message, /\.env\.production sets NEXTAUTH_SECRET to a real value: …3gE5/);
    assert.match(r.summary, /1 env-file secret committed/);
    assertRedacted(r, secret);
  } finally {
    repo.cleanup();
  }
});

test('a .gitignored but tracked file is scanned; an untracked file is not', async () => {
  const env = goodEnv();
  const repo = gitRepo({ '.gitignore': 'secrets/\n.env.local\n', 'README.md': '# app\n' });
  try {
    repo.write({ 'secrets/keys.json': `{ "stripe": "${env.STRIPE_WEBHOOK_SECRET}" }\n` });
    repo.git('add', '-f', 'secrets/keys.json');
    repo.commit('track an ignored file');
    repo.write({ 'notes.txt': `${env.NEXTAUTH_SECRET}\n`, '.env.local': `NEXTAUTH_SECRET=${env.NEXTAUTH_SECRET}\n` });
    const r = await scan(repo, { env });
    assert.equal(r.status, 'fail');
    assert.deepEqual(at(r), ['secrets/keys.json:1']);
    assert.match(r.findings[0]!.message, /STRIPE_WEBHOOK_SECRET/);
  } finally {
    repo.cleanup();
  }
});

// Changed with issue 12: files over 5 MB used to be skipped (a 6.4 MB source map with a secret passed);
// they are now scanned in chunks, and a secret across a chunk border is found once, at its line.
test('binary files are skipped and counted; files of any size are scanned, in chunks', async () => {
  const env = goodEnv();
  const binary = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]), Buffer.from(env.STRIPE_SECRET_KEY!)]);
  const filler = `${'x'.repeat(99)}\n`.repeat(52_000);
  // 5.2 MB of lines, then the key (past the first 4 MB chunk), then more.
  const huge = `${filler}${env.STRIPE_SECRET_KEY}\n${filler}`;
  const border = `${'y'.repeat(4 * 1024 * 1024 - 10)}${env.NEXTAUTH_SECRET}\n`;
  const repo = gitRepo({ 'public/logo.png': binary, 'data/dump.sql': huge, 'data/border.txt': border, 'src/a.ts': 'export {};\n' });
  try {
    const r = await scan(repo, { env });
    assert.equal(r.status, 'fail', r.details);
    assert.match(r.summary, /2 configured secret values committed/);
    assert.deepEqual(at(r), ['data/border.txt:1', 'data/dump.sql:52001']);
    assert.match(r.details!, /^4 tracked files scanned \(1 skipped as binary\)/);
    assert.match(r.details!, /Skipped as binary: 1 \(public\/logo\.png\)/);
    assert.equal(r.data!.skippedBinary, 1);
    assertRedacted(r, env.STRIPE_SECRET_KEY!, env.NEXTAUTH_SECRET!);
  } finally {
    repo.cleanup();
  }
});

test('a secret only in history is reported with scan-history, naming the commit and path, and not without it', async () => {
  const env = goodEnv();
  const repo = gitRepo({ 'README.md': '# app\n' });
  try {
    repo.write({ 'config/stripe.js': `// temporary\nmodule.exports = { key: '${env.STRIPE_SECRET_KEY}' };\n` });
    const added = repo.commit('add stripe config');
    repo.write({ 'config/stripe.js': `// temporary, v2\nmodule.exports = { key: '${env.STRIPE_SECRET_KEY}', v: 2 };\n` });
    repo.commit('tweak stripe config');
    repo.git('rm', '-q', 'config/stripe.js');
    repo.commit('remove stripe config');

    const without = await scan(repo, { env });
    assert.equal(without.status, 'pass', without.details);
    assert.match(without.details!, /History was not scanned/);

    const withHistory = await scan(repo, { env, history: true });
    assert.equal(withHistory.status, 'fail', withHistory.details);
    assert.equal(withHistory.findings.length, 1, 'two versions of one file with one secret are one finding');
    const [finding] = withHistory.findings;
    assert.equal(finding!.file, 'config/stripe.js');
    assert.equal(finding!.line, 2);
    assert.match(finding!.message, /^In git history only: the value of STRIPE_SECRET_KEY: sk_live_…/);
    assert.match(finding!.message, new RegExp(`added in commit ${added.slice(0, 12)} on \\d{4}-\\d{2}-\\d{2} as config/stripe\\.js:2 \\(in 2 versions\\), no longer in the tree`));
    assert.match(withHistory.summary, /1 configured secret value committed \(1 only in history\)/);
    assert.equal(withHistory.data!.historyFindings, 1);
    assertRedacted(withHistory, env.STRIPE_SECRET_KEY!);
  } finally {
    repo.cleanup();
  }
});

test('with scan-history, a secret still in the tree is reported once, at its tree location', async () => {
  const env = goodEnv();
  const repo = gitRepo({ 'a.txt': `${env.STRIPE_WEBHOOK_SECRET}\n` });
  try {
    repo.write({ 'a.txt': `first line\n${env.STRIPE_WEBHOOK_SECRET}\n` });
    repo.commit('move it down');
    const r = await scan(repo, { env, history: true });
    assert.equal(r.status, 'fail');
    assert.deepEqual(at(r), ['a.txt:2']);
    assert.doesNotMatch(r.findings[0]!.message, /history/);
  } finally {
    repo.cleanup();
  }
});

test('in a monorepo app directory, history covers the whole repository and says what is outside the app', async () => {
  const env = goodEnv();
  const repo = gitRepo({ 'apps/web/page.ts': 'export {};\n', 'apps/web/old.ts': `export const s = '${env.NEXTAUTH_SECRET}';\n`, 'tools/seed.ts': `const k = '${env.STRIPE_WEBHOOK_SECRET}';\n` });
  try {
    repo.git('rm', '-q', 'apps/web/old.ts');
    repo.commit('remove old');
    const settings = await settingsFor(env, { repo: join(repo.dir, 'apps/web'), inputs: { 'scan-history': 'true' } });
    const r = await runRule(committedSecrets, settings);
    assert.equal(r.status, 'fail');
    assert.match(r.summary, /^2 configured secret values committed \(1 only in history\)/);
    const [old, outside] = r.findings;
    assert.equal(old!.file, 'old.ts');
    assert.match(old!.message, /^In git history only: the value of NEXTAUTH_SECRET/);
    assert.equal(outside!.file, undefined, 'a file outside the working directory has no annotation path');
    assert.match(outside!.message, /^In the repository: the value of STRIPE_WEBHOOK_SECRET: whsec_…\w{4}, added in commit \w{12} on [\d-]+ as tools\/seed\.ts:1, still in the tree, outside the working directory$/);
  } finally {
    repo.cleanup();
  }
});

test('with scan-history and nothing found, the history counts are in the summary', async () => {
  const repo = gitRepo({ 'a.txt': 'one\n' });
  try {
    repo.write({ 'a.txt': 'two\n', 'b.txt': 'three\n' });
    repo.commit('second');
    const r = await scan(repo, { history: true });
    assert.equal(r.status, 'pass', r.details);
    assert.match(r.summary, /^2 tracked files scanned \(0 skipped as binary\); 1 history blobs scanned, no secret value/);
  } finally {
    repo.cleanup();
  }
});

test('short and placeholder secret values are not searched for', async () => {
  const repo = gitRepo({ 'a.txt': 'changeme\nshort\nyour_nextauth_secret_here\n' });
  try {
    const r = await scan(repo, { env: { NEXTAUTH_SECRET: 'your_nextauth_secret_here', STRIPE_SYNC_SECRET: 'short', SENTRY_AUTH_TOKEN: 'changeme' } });
    assert.equal(r.status, 'pass', r.details);
    assert.equal(r.data!.needles, 0);
  } finally {
    repo.cleanup();
  }
});

test('a directory that is not a git work tree is skipped with the reason', async () => {
  const dir = tempRepo({ 'a.txt': 'x\n' });
  try {
    const r = await runRule(committedSecrets, await settingsFor(goodEnv(), { repo: dir.dir }));
    assert.equal(r.status, 'skip');
    assert.match(r.summary, /not a git work tree/);
  } finally {
    dir.cleanup();
    rmSync(dir.dir, { recursive: true, force: true });
  }
});

test('base64 cores do not depend on the bytes around the secret', () => {
  const secret = Buffer.from('Zq8vN2pLx4Rt7Ws9');
  const cores = base64Cores(secret);
  for (const before of ['', 'a', 'ab', 'abc', 'user:']) {
    for (const after of ['', 'x', 'xy', ':end']) {
      const encoded = Buffer.concat([Buffer.from(before), secret, Buffer.from(after)]).toString('base64');
      assert.ok(cores.some((core) => encoded.includes(core)), `${before}|${after}`);
    }
  }
});

test('placeholders are recognised, real values are not', () => {
  for (const v of ['', 'changeme', 'xxx', '<PASSWORD-HERE>', 'your_stripe_secret_key', 'your_key_here', '${DB_PASSWORD}', '${{ secrets.X }}', live('sk', 'live', 'xxxxxxxxxxxx'), '...']) {
    assert.ok(isPlaceholderValue(v), v);
  }
  for (const v of ['Jd8s0Qm2vXLkP4r9TzWn6bY1cHfA3gE5', STRIPE_RESTRICTED, 'Xk9mQ2vL8pR4tW7z']) assert.ok(!isPlaceholderValue(v), v);
});

test("a repository's .gitleaks.toml applies: its rules run (RE2 translated), its allowlists and disabled rules tune the shapes, never the run's own values", async () => {
  const env = goodEnv();
  const internal = `acme_int_${'Q7w9E2r4T6y8U1i3O5p7A9s2D4f6G8h1'}`;
  const toml = `title = "acme"
[extend]
useDefault = true
disabledRules = ["stripe-access-token"]

[[rules]]
id = "acme-internal-token"
description = "Acme internal API token"
regex = '''(?i)\\b(acme_int_[a-z0-9]{32})\\b'''
secretGroup = 1
keywords = ["acme_int_"]

[[rules]]
id = "go-only"
regex = '''(?U)secret=(.+)'''

[[rules]]
id = "p12-file"
path = '''(?i)\\.p12$'''

[allowlist]
paths = ['''^fixtures/''']
stopwords = ["notreal"]
`;
  const slack = gen.slackBot();
  const repo = gitRepo({
    '.gitleaks.toml': toml,
    'src/internal.ts': `export const token = '${internal}';\n`,
    'src/stripe-live.ts': `export const other = '${live('sk', 'live', '51Zx8kQ2mN4pR7sT9vW1yZ3bD5fH7jLk2P4r9TzWn6bY1cH')}';\n`,
    'src/stripe-run.ts': `export const run = '${env.STRIPE_SECRET_KEY}';\n`,
    'fixtures/slack.json': `{ "token": "${slack}" }\n`,
    'src/allowed.ts': `const t = '${slack}'; // gitleaks:allow\n`,
    'src/stop.ts': `const t = '${gen.slackBot().replace(/.{6}$/, 'notreal')}';\n`,
    'certs/client.p12': 'not really binary\n',
  });
  try {
    const r = await scan(repo, { env });
    assert.equal(r.status, 'fail', r.details);
    assert.deepEqual(at(r), ['certs/client.p12:1', 'src/internal.ts:1', 'src/stripe-run.ts:1']);
    const messages = r.findings.map((f) => f.message);
    assert.match(messages[1]!, /^a match of the repository's gitleaks rule acme-internal-token \(Acme internal API token\): …G8h1$/);
    assert.match(messages[2]!, /^the value of STRIPE_SECRET_KEY/);
    assert.match(r.details!, /gitleaks configuration \.gitleaks\.toml: 2 rules, 1 global allowlists, 1 disabled rules/);
    assert.match(r.details!, /rule go-only: its regex cannot run in JavaScript \(the U \(ungreedy\) flag has no JavaScript equivalent\); the rule was not run/);
    assertRedacted(r, internal, slack);
  } finally {
    repo.cleanup();
  }
});

test('a .gitleaks.toml that is not valid TOML is a warning on the file, and the scan still runs', async () => {
  const repo = gitRepo({ '.gitleaks.toml': '[[rules]\nid = "x"\n', 'src/a.ts': 'export {};\n' });
  try {
    const r = await scan(repo);
    assert.equal(r.status, 'warn', r.details);
    assert.equal(r.findings[0]!.file, '.gitleaks.toml');
    assert.match(r.findings[0]!.message, /^\.gitleaks\.toml is not valid TOML \(.+\); its rules and allowlists were not applied/);
  } finally {
    repo.cleanup();
  }
});

test('a template with local defaults passes; its random-looking sample is a notice; the same value in a real env file fails', async () => {
  const sample = 'rZTFtfNuSMajLnfFrWT2PZ3lX8WZv7W/Xs2H8hkEY6g=';
  const repo = gitRepo({
    'docker-compose.yml': 'services:\n  db:\n    image: postgres\n    environment:\n      POSTGRES_PASSWORD: admin-compose-pass\n',
    '.env.example': `NEXTAUTH_URL=http://localhost:4002\nNEXTAUTH_SECRET=${sample}\nDATABASE_URL=postgresql://admin:admin-compose-pass@localhost:5432/saas\nPGPASSWORD=postgres\nJACKSON_API_KEY=jackson-secret\n`,
    'deploy/prod.env': `NEXTAUTH_SECRET=${sample}\n`,
  });
  try {
    const r = await scan(repo, { env: {} });
    assert.equal(r.status, 'fail', r.details);
    assert.deepEqual(r.findings.map((f) => [f.level, `${f.file}:${f.line}`]), [
      ['error', 'deploy/prod.env:1'],
      ['notice', '.env.example:2'],
    ]);
    assert.match(r.findings[0]!.message, /^the env file prod\.env sets NEXTAUTH_SECRET to a real value: …Y6g=$/);
    assert.match(r.findings[1]!.message, /template \.env\.example sets NEXTAUTH_SECRET to a random-looking sample value/);
    assert.match(r.details!, /Not secrets \(information\): 4 env entries/);
    assert.match(r.details!, /\.env\.example: PGPASSWORD is a conventional local default|\.env\.example: PGPASSWORD/);
  } finally {
    repo.cleanup();
  }
});

// Slow (about 5 seconds): a worker thread loads the TypeScript loader and the scanner's modules, and
// the calling thread is slowed down on purpose so that the worker takes part.
test('a large repository is scanned by worker threads together with the calling thread, with the same findings', async () => {
  const env = goodEnv();
  const files: Record<string, string> = {};
  for (let i = 0; i < 450; i++) files[`src/m${i % 9}/file${i}.ts`] = `export const value${i} = ${i};\n`.repeat(20);
  files['src/m6/file123.ts'] += `const key = '${env.STRIPE_SECRET_KEY}';\n`;
  files['src/m5/file401.ts'] = `const token = "${gen.github()}";\n`;
  const repo = gitRepo(files);
  try {
    const r = await scan(repo, { env });
    assert.equal(r.status, 'fail', r.details);
    assert.deepEqual(at(r), ['src/m5/file401.ts:1', 'src/m6/file123.ts:21']);

    const settings = await settingsFor(env, { repo: repo.dir });
    const setup = { cwd: repo.dir, prefix: '', needles: secretNeedles(settings), localDefaults: [] };
    const paths = repo.git('ls-files').trim().split('\n');
    const pause = new Int32Array(new SharedArrayBuffer(4));
    // The calling thread takes 20 ms a file: the worker, ready in a second or two, takes the other batch.
    class SlowScanner extends FileScanner {
      override scan(path: string) {
        Atomics.wait(pause, 0, 0, 20);
        return super.scan(path);
      }
    }
    const results: FileResult[] = [];
    const { workers } = await scanInParallel(setup, paths, (result) => results.push(result), new AbortController().signal, () => new SlowScanner(scanContext(setup), repo.dir), 1);
    assert.equal(workers, 1);
    assert.deepEqual(results.map((x) => x.path).sort(), [...paths].sort());
    assert.deepEqual(results.filter((x) => x.hits.length > 0).map((x) => `${x.path}:${x.hits[0]!.line}`).sort(), ['src/m5/file401.ts:1', 'src/m6/file123.ts:21']);
  } finally {
    repo.cleanup();
  }
});

test('random token bodies pass as random whatever their alphabet; typed patterns do not', () => {
  // A seeded generator (mulberry32), so the counts are the same every run. 20,000 bodies of 16
  // characters per alphabet: hex (many vendors' secrets), base32 (AWS key ids), one case and digits,
  // mixed case. The old single bar of 3 bits per character missed 14% of hex and 0.4% of AWS key ids.
  let seed = 0x5eed;
  const next = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const alphabets = {
    hex: '0123456789abcdef',
    base32: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567',
    lowerDigits: 'abcdefghijklmnopqrstuvwxyz0123456789',
    mixed: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  };
  for (const [name, alphabet] of Object.entries(alphabets)) {
    let missed = 0;
    for (let i = 0; i < 20_000; i++) {
      const body = Array.from({ length: 16 }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
      if (!looksRandom(body, 16)) missed++;
    }
    assert.ok(missed <= 6, `${name}: ${missed} of 20,000 random bodies taken for typed text`);
  }
  for (const typed of ['deadbeefdeadbeef', '0123456789abcdef', 'abcdabcdabcdabcd', 'AAAAAAAAAAAAAAAA', 'passwordpassword', 'YOURKEYHERE12345', 'sk_test_xxxxxxxxxxxx']) {
    assert.ok(!looksRandom(typed, 16), typed);
  }
});
