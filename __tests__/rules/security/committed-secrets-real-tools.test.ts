/**
 * security.committed-secrets against what the real tools write (key-material.ts makes it when this
 * file runs): every private key ssh-keygen, openssl, gpg and node's crypto produce, PuTTY files,
 * manifests from `kubectl create secret --dry-run=client`, `docker login`'s config.json, and the
 * credential files (.pgpass, .netrc, .git-credentials, AWS, .npmrc, .yarnrc.yml, htpasswd); each
 * next to its look-alikes (public keys, `ssh-keygen -y`, certificates, placeholders). Then, for every
 * shape the gate knows, that no output (summary, JSON, SARIF, annotations, console, PR comment) shows
 * 8 characters of a secret's body.
 *
 * Slow-ish (5-15 s on a busy machine): making the keys (RSA primes, gpg's agent, kubectl and docker
 * start-up) runs once, concurrently; the repositories are scanned concurrently too.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RuleReport } from '../../../src/engine/types.js';
import { CREDENTIAL_PATTERNS } from '../../../src/analysis/secrets/credential-shapes.js';
import { Redactor } from '../../../src/redact.js';
import { buildAnnotations, formatAnnotationCommand, renderComment, renderConsole, renderJson, renderSarif, renderSummary } from '../../../src/report/index.js';
import { committedSecrets } from '../../../src/rules/security/committed-secrets.js';
import { goodEnv, runRule, settingsFor, tempRepo } from '../../helpers.js';
import { report } from '../../report/fixtures.js';
import { keyMaterial, type Sample } from './key-material.js';
import { gen, hex } from './secret-fixtures.js';

const material = await keyMaterial();

/** A git repository with `files` committed, scanned by the rule; the directory is removed after. */
async function scanFiles(files: Record<string, string | Buffer>, options: { env?: Record<string, string>; removeAfterCommit?: string[] } = {}): Promise<RuleReport> {
  const { dir, cleanup } = tempRepo();
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: dir });
  try {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-q', '-m', 'files');
    if (options.removeAfterCommit) {
      git('rm', '-q', ...options.removeAfterCommit);
      git('commit', '-q', '-m', 'remove');
    }
    const settings = await settingsFor(options.env ?? {}, { repo: dir, inputs: options.removeAfterCommit ? { 'scan-history': 'true' } : {} });
    return await runRule(committedSecrets, settings);
  } finally {
    cleanup();
  }
}

/** What the report says about each sample's file: an error, only warnings, or nothing. */
function verdicts(r: RuleReport, samples: Sample[]): { wrong: string[]; counts: Record<Sample['expect'], number> } {
  const wrong: string[] = [];
  const counts = { error: 0, warning: 0, clean: 0 };
  for (const sample of samples) {
    const on = r.findings.filter((f) => f.file === sample.file);
    const got = on.some((f) => f.level === 'error') ? 'error' : on.some((f) => f.level === 'warning') ? 'warning' : 'clean';
    if (got === sample.expect) counts[got]++;
    else wrong.push(`${sample.what} (${sample.file}): expected ${sample.expect}, got ${got}${on.length ? `: ${on.map((f) => f.message).join(' | ')}` : ''}`);
  }
  return { wrong, counts };
}

const byFile = (samples: Sample[]) => Object.fromEntries(samples.map((s) => [s.file, s.content]));

describe('committed secrets as the real tools write them', { concurrency: true }, () => {
  test('private keys are found by their decoded structure; passphrase-protected ones are warnings; public keys, certificates and examples are clean', async (t) => {
    if (material.missing.length > 0) t.diagnostic(`not installed, so their keys are not part of this test: ${material.missing.join(', ')}`);
    t.diagnostic(
      material.puttygenChecked === undefined
        ? 'puttygen is not installed: the .ppk files (written from PuTTY\'s documented format) were not read back by PuTTY'
        : `puttygen read every generated .ppk back to its public key: ${material.puttygenChecked}`,
    );
    if (material.puttygenChecked !== undefined) assert.equal(material.puttygenChecked, true, 'puttygen refused a .ppk file written from its documented format');
    const r = await scanFiles(byFile(material.keys));
    const { wrong, counts } = verdicts(r, material.keys);
    console.log(`real-tool keys: ${counts.error} live keys found, ${counts.warning} protected keys warned, ${counts.clean} look-alikes clean (${material.keys.length} files)`);
    assert.deepEqual(wrong, []);
    if (material.missing.length === 0) assert.ok(counts.error >= 30 && counts.warning >= 10 && counts.clean >= 15, JSON.stringify(counts));
    assert.equal(r.status, 'fail');
    if (material.missing.length > 0) return;
    // Each finding names the key by its structure and shows its header only.
    const ed25519 = r.findings.find((f) => f.file === 'deploy/keys/id_ed25519')!;
    assert.equal(ed25519.line, 1);
    assert.equal(ed25519.message, 'an unencrypted OpenSSH private key (ssh-ed25519): -----BEGIN OPENSSH PRIVATE KEY-----');
    const encrypted = r.findings.find((f) => f.file === 'deploy/keys/id_ed25519-pass')!;
    assert.equal(encrypted.level, 'warning');
    assert.match(encrypted.message, /^a passphrase-protected OpenSSH private key \(ssh-ed25519, aes256-ctr, bcrypt\)/);
    assert.match(r.findings.find((f) => f.file === 'certs/ec.key')!.message, /^an EC private key \(SEC1, P-256\)/);
    assert.equal(r.findings.find((f) => f.file === 'certs/ec.key')!.line, 4, 'after the EC PARAMETERS block');
    assert.match(r.findings.find((f) => f.file === 'deploy/gcp-sa.json')!.message, /^a Google Cloud service-account key \(PKCS#8, RSA\)/);
    assert.match(r.summary, /^\d+ live credentials, \d+ protected credentials committed: /);
    assert.match(r.fix!, /passphrase/);
  });

  test('a private key removed from the tree is found in history, binary and passphrase-protected ones too', async (t) => {
    if (material.missing.includes('ssh-keygen') || material.missing.includes('openssl')) return t.skip('ssh-keygen and openssl make the keys of this case, and one is not installed');
    const pick = (file: string) => material.keys.find((s) => s.file === file)!;
    const files = [pick('deploy/keys/id_ed25519-pass'), pick('certs/app.der'), pick('deploy/putty-ed25519-v3.ppk')];
    const r = await scanFiles({ ...byFile(files), 'README.md': '# app\n' }, { removeAfterCommit: files.map((f) => f.file) });
    assert.equal(r.status, 'fail', r.details);
    assert.deepEqual(
      r.findings.map((f) => [f.level, f.message.replace(/, added in commit.*/, '')]).sort(),
      [
        ['error', 'In git history only: an EC private key (SEC1, P-256): DER, 121 bytes'],
        ['error', 'In git history only: an unencrypted PuTTY private key (ssh-ed25519, .ppk version 3): PuTTY-User-Key-File-3:'],
        ['warning', 'In git history only: a passphrase-protected OpenSSH private key (ssh-ed25519, aes256-ctr, bcrypt): -----BEGIN OPENSSH PRIVATE KEY-----'],
      ],
    );
  });

  test('manifests and credential files as kubectl, docker login and the other tools write them are read by their format; their look-alikes are clean', async (t) => {
    const absent = (tool: string) => {
      if (!material.missing.includes(tool)) return false;
      t.diagnostic(`${tool} is not installed: the files it writes are not part of this test`);
      return true;
    };
    const r = await scanFiles(byFile(material.files));
    const { wrong, counts } = verdicts(r, material.files);
    console.log(`manifests and credential files: ${counts.error} with credentials found, ${counts.warning} warned, ${counts.clean} look-alikes clean`);
    assert.deepEqual(wrong, []);
    const messages = (file: string) => r.findings.filter((f) => f.file === file).map((f) => `${f.line}: ${f.message}`);
    if (!absent('kubectl')) {
      // kubectl writes `data:` before `kind: Secret`, each value on its line, base64.
      const secret = messages('k8s/app-secrets.yaml');
      assert.equal(secret.length, 3, secret.join('\n'));
      assert.ok(secret.some((m) => /^\d+: a Stripe live secret key in the Kubernetes Secret app-secrets \(data\.STRIPE_SECRET_KEY, base64\): sk_live_…\w{4}$/.test(m)), secret.join('\n'));
      assert.ok(secret.some((m) => /^\d+: a database URL with a password in the Kubernetes Secret app-secrets \(data\.DATABASE_URL, base64\): postgresql:\/\/app:…\w{4}@db\.acme-saas\.com$/.test(m)), secret.join('\n'));
      assert.ok(secret.some((m) => /^\d+: the Kubernetes Secret app-secrets sets NEXTAUTH_SECRET to a real value \(data\.NEXTAUTH_SECRET, base64\): …\S{4}$/.test(m)), secret.join('\n'));
      assert.match(messages('k8s/regcred.yaml')[0]!, /a container registry password in the Kubernetes Secret regcred \(data\["\.dockerconfigjson"\] → base64 → auths\["ghcr\.io"\]\.auth, base64 user:password\): deploybot:…\w{4}$/);
      assert.match(messages('k8s/web-tls.yaml')[0]!, /a private key \(PKCS#8, RSA\) in the Kubernetes Secret web-tls \(data\["tls\.key"\], base64\)/);
      // A local default in a Secret is information, listed in the details, not a finding.
      assert.match(r.details!, /the Kubernetes Secret app-config: DATABASE_URL points at a local database \(postgres\)/);
    }
    if (!absent('docker')) assert.match(messages('ci/docker/config.json')[0]!, /^4: a container registry password in the Docker config \(auths\["127\.0\.0\.1:\d+"\]\.auth, base64 user:password\): deploybot:…\w{4}$/);
    assert.match(messages('ops/.pgpass')[0]!, /^2: a PostgreSQL password in the \.pgpass file \(app@db\.acme-saas\.com:5432\): app:…\w{4}$/);
    assert.match(messages('ci/.netrc')[0]!, /^3: a password in the \.netrc file \(machine api\.heroku\.com, login deploy@acme-saas\.com\)/);
    assert.match(messages('ci/.git-credentials')[0]!, /^1: a Git credential in the \.git-credentials file \(deploybot@gitlab\.acme-saas\.com\): deploybot:…\w{4}$/);
    assert.ok(messages('ops/.aws/credentials').some((m) => /^3: an AWS session token in the AWS credentials file \(\[ci\] aws_session_token\)/.test(m)));
    if (!absent('openssl')) {
      assert.match(messages('nginx/.htpasswd')[0]!, /^1: a password hash \(Apache MD5, htpasswd-style `user:hash`\): admin:\$apr1\$…\S{4}$/);
      assert.equal(r.findings.find((f) => f.file === 'nginx/.htpasswd')!.level, 'warning');
    }
  });

  test('no output shows 8 characters of a secret body, for every shape the gate knows, with only the gate\'s own masking', async () => {
    const env = goodEnv();
    const awsKeyId = gen.awsKeyId();
    const apr1 = material.files.find((s) => s.file === 'nginx/.htpasswd');
    assert.ok(apr1, 'openssl is not installed: no htpasswd line to test the password-hash shape with');
    const jwk = material.keys.find((s) => s.file === 'keys/node-ec.jwk.json')!;
    // An OpenSSH key when ssh-keygen is there, else the first armored key made.
    const key = material.keys.find((s) => s.file === 'deploy/keys/id_ed25519') ?? material.keys.find((s) => s.expect === 'error' && typeof s.content === 'string' && s.content.startsWith('-----BEGIN'))!;
    const cases: Array<{ shape: string; file: string; content: string | Buffer; body: string }> = [];
    const add = (shape: string, file: string, content: string | Buffer, body: string) => cases.push({ shape, file, content, body });
    const token = (shape: string, value: string, prefix: string, render = (v: string) => `export const value = '${v}';\n`) => add(shape, `src/${shape}.ts`, render(value), value.slice(prefix.length));
    token('stripe-live-key', gen.stripeLive(), 'sk_live_');
    token('stripe-webhook-secret', gen.stripeWebhook(), 'whsec_');
    token('github-token', gen.github(), 'ghp_');
    token('github-fine-grained-token', gen.githubPat(), 'github_pat_');
    token('sentry-org-token', gen.sentryOrg(), 'sntrys_');
    token('sentry-user-token', gen.sentryUser(), 'sntryu_');
    token('vercel-token', gen.vercel(), 'vcp_');
    token('npm-token', gen.npm(), 'npm_');
    token('slack-token', gen.slackBot(), 'xoxb-');
    const webhook = gen.slackWebhook();
    token('slack-webhook', webhook, 'https://hooks.slack.com/services/');
    token('openai-key', gen.openaiProject(), 'sk-proj-');
    token('openai-legacy-key', gen.openaiLegacy(), 'sk-');
    token('anthropic-key', gen.anthropic(), 'sk-ant-api03-');
    token('sendgrid-key', gen.sendgrid(), 'SG.');
    token('aws-access-key-id', awsKeyId, 'AKIA');
    token('google-oauth-client-secret', gen.googleOAuth(), 'GOCSPX-');
    token('google-api-key', gen.googleApiKey(), 'AIza');
    token('azure-ad-client-secret', gen.azureAdSecret(), '');
    token('supabase-secret-key', gen.supabaseSecret(), 'sb_secret_');
    token('jwt', gen.jwt(), 'eyJ');
    const npmrc = gen.uuid();
    add('npmrc-auth', 'packages/a/.npmrc', `//npm.example.test/:_authToken=${npmrc}\n`, npmrc);
    const yarn = hex(40);
    add('yarnrc-auth', 'apps/web/.yarnrc.yml', `npmAuthToken: "${yarn}"\n`, yarn);
    const resend = gen.resend();
    add('resend-key', 'src/mail.ts', `import { Resend } from 'resend';\nexport const resend = new Resend('${resend}');\n`, resend.slice(3));
    const postmark = gen.uuid();
    add('postmark-token', 'src/postmark.ts', `export const postmarkToken = "${postmark}";\n`, postmark);
    const mailgun = gen.mailgun();
    add('mailgun-key', 'config/mailgun.json', `{ "mailgun": { "apiKey": "${mailgun}" } }\n`, mailgun.slice(4));
    const twilio = gen.twilioKeySid();
    add('twilio-credential', 'src/sms.ts', `const client = twilio('${twilio}', secret);\n`, twilio);
    const awsSecret = gen.awsSecret();
    add('aws-secret-access-key', 'infra/aws.ini', `aws_access_key_id = ${gen.awsKeyId()}\naws_secret_access_key = ${awsSecret}\n`, awsSecret);
    const azure = gen.azureStorageKey();
    add('azure-storage-key', 'config/azure.txt', `DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=${azure};EndpointSuffix=core.windows.net\n`, azure);
    const hardcoded = hex(64);
    add('hardcoded-app-secret', 'src/auth.ts', `export const config = { JWT_SECRET: '${hardcoded}' };\n`, hardcoded);
    add('private-key', key.file, key.content, key.body!);
    add('jwk-private-key', jwk.file, jwk.content, jwk.body!);
    add('password-hash', apr1!.file, apr1!.content, apr1!.body!);
    const dbPassword = gen.dbPassword();
    add('database-url', 'src/db.ts', `export const url = 'postgresql://app:${dbPassword}@db.acme-saas.com:5432/app';\n`, dbPassword);
    // The formats read by their structure, and the run's own values.
    for (const sample of material.files.filter((s) => s.expect !== 'clean' && s.body)) add(`format: ${sample.what}`, sample.file, sample.content, sample.body!);
    for (const sample of material.keys.filter((s) => s.expect !== 'clean' && s.body && s.file !== key.file)) add(`key: ${sample.what}`, sample.file, sample.content, sample.body!);
    add('own value: STRIPE_SECRET_KEY', 'src/stripe.ts', `export const key = '${env.STRIPE_SECRET_KEY}';\n`, env.STRIPE_SECRET_KEY!.slice(8));
    add('own value: NEXTAUTH_SECRET, base64', 'k8s/nextauth.txt', `${Buffer.from(env.NEXTAUTH_SECRET!).toString('base64')}\n`, env.NEXTAUTH_SECRET!);
    const envSecret = hex(48);
    add('env file', '.env.production', `STRIPE_SYNC_SECRET=${envSecret}\n`, envSecret);

    const covered = new Set(cases.map((c) => c.shape));
    assert.deepEqual(CREDENTIAL_PATTERNS.map((p) => p.id).filter((id) => !covered.has(id)), [], 'every shape has a case here');

    const r = await scanFiles(Object.fromEntries(cases.map((c) => [c.file, c.content])), { env });
    const flagged = new Set(r.findings.filter((f) => f.level !== 'notice').map((f) => f.file));
    assert.deepEqual(cases.filter((c) => !flagged.has(c.file)).map((c) => c.shape), [], 'every case is found');

    // Every output a run writes, from the report as the rule made it, with no known secret to redact.
    const none = new Redactor([]);
    const whole = report([r]);
    const outputs = [
      renderJson(whole, { redactor: none }),
      renderSarif(whole, { redactor: none, toolVersion: '1.0.0' }),
      renderSummary(whole, { redactor: none }),
      buildAnnotations(whole, { redactor: none, maxPerLevel: Infinity }).map(formatAnnotationCommand).join('\n'),
      renderConsole(whole, { redactor: none, color: false, verbose: true }),
      renderComment(whole, { redactor: none }),
    ].join('\n');
    const grams = new Set<string>();
    for (let i = 0; i + 8 <= outputs.length; i++) grams.add(outputs.slice(i, i + 8));
    const leaks: string[] = [];
    for (const { shape, body } of cases) {
      for (let i = 0; i + 8 <= body.length; i++) {
        if (grams.has(body.slice(i, i + 8))) {
          leaks.push(`${shape}: "${body.slice(i, i + 8).replace(/./g, (c, k: number) => (k < 2 ? c : '*'))}…" at ${i}`);
          break;
        }
      }
    }
    console.log(`masking: ${cases.length} secrets of ${covered.size} shapes and formats, ${leaks.length} with 8 characters of their body in an output`);
    assert.deepEqual(leaks, []);
  });
});
