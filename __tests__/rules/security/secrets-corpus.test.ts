/**
 * The labelled corpus of security.committed-secrets: secrets of every shape in the contexts they are
 * committed in, and benign look-alikes (placeholders, test keys, documentation examples, lockfile
 * hashes, minified bundles, template defaults), all generated at random when the test runs and
 * committed to real git repositories, then judged through the rule. Private keys, manifests and
 * credential files are the real tools' output (key-material.ts: ssh-keygen, openssl, gpg, kubectl,
 * docker login), with their look-alikes (public keys, certificates, placeholders). Prints recall and
 * false positives; asserts recall 100% and no false positive.
 *
 * Slow-ish (5-15 s on a busy machine): the real tools make their keys first, then three repositories
 * of one to two hundred files each are scanned.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RuleReport } from '../../../src/engine/types.js';
import { committedSecrets } from '../../../src/rules/security/committed-secrets.js';
import { runRule, settingsFor, tempRepo } from '../../helpers.js';
import { keyMaterial, type KeyMaterial } from './key-material.js';
import { alnum, gen, hex, utf16le, wrap76 } from './secret-fixtures.js';

/** One file of the corpus: a planted secret (a finding is expected in it) or a benign look-alike (none is). */
interface Item {
  file: string;
  content: string | Buffer;
  secret: boolean;
  what: string;
}

class Corpus {
  readonly items: Item[] = [];
  private n = 0;
  secret(what: string, file: string, content: string | Buffer) {
    this.items.push({ file: file.replace('#', String(++this.n)), content, secret: true, what });
  }
  benign(what: string, file: string, content: string | Buffer) {
    this.items.push({ file: file.replace('#', String(++this.n)), content, secret: false, what });
  }
}

/** Token shapes with no context of their own: each goes into the generic contexts. */
const TOKENS: Array<[string, () => string]> = [
  ['Stripe live key', gen.stripeLive],
  ['Stripe restricted key', gen.stripeRestricted],
  ['Stripe webhook secret', gen.stripeWebhook],
  ['GitHub classic token', () => gen.github('ghp')],
  ['GitHub OAuth token', () => gen.github('gho')],
  ['GitHub app token', () => gen.github('ghs')],
  ['GitHub fine-grained token', gen.githubPat],
  ['Sentry org token', gen.sentryOrg],
  ['Sentry user token', gen.sentryUser],
  ['Slack bot token', gen.slackBot],
  ['Slack user token', gen.slackUser],
  ['Slack webhook', gen.slackWebhook],
  ['OpenAI project key', gen.openaiProject],
  ['OpenAI legacy key', gen.openaiLegacy],
  ['Anthropic key', gen.anthropic],
  ['SendGrid key', gen.sendgrid],
  ['AWS access key id', gen.awsKeyId],
  ['Google API key', gen.googleApiKey],
  ['Google OAuth secret', gen.googleOAuth],
  ['Azure AD client secret', gen.azureAdSecret],
  ['npm token', gen.npm],
  ['Vercel token', () => gen.vercel('vcp')],
  ['Supabase secret key', gen.supabaseSecret],
  ['signed JWT', () => gen.jwt()],
];

/** The contexts a token is committed in. */
const CONTEXTS: Array<[string, string, (t: string) => string | Buffer]> = [
  ['TypeScript literal', 'src/lib/client-#.ts', (t) => `import { Client } from './client';\n\nexport const client = new Client('${t}');\n`],
  ['JSON config', 'config/service-#.json', (t) => `${JSON.stringify({ name: 'acme', credentials: { token: t } }, null, 2)}\n`],
  ['URL-encoded JSON in a query', 'scripts/notify-#.sh', (t) => `#!/bin/sh\ncurl "https://hooks.acme-saas.com/in?payload=${encodeURIComponent(JSON.stringify({ token: t }))}"\n`],
  ['after a JSON \\n escape', 'fixtures/log-#.json', (t) => `{"level":"info","message":"rotating credentials\\n${t}\\ndone"}\n`],
  ['after a \\u0022 escape', 'fixtures/raw-#.json', (t) => `{"raw":"\\u0022${t}\\u0022"}\n`],
  ['YAML', 'deploy/values-#.yaml', (t) => `service:\n  name: web\n  apiToken: ${t}\n`],
  ['UTF-16 file', 'docs/notes-#.txt', (t) => utf16le(`Keys for the staging box\r\ntoken = ${t}\r\n`)],
  ['string concatenation', 'src/legacy/key-#.js', (t) => `const key =\n  '${t.slice(0, Math.ceil(t.length / 2))}' +\n  '${t.slice(Math.ceil(t.length / 2))}';\nmodule.exports = key;\n`],
];

function shapesCorpus(material: KeyMaterial): Corpus {
  const c = new Corpus();
  // Every token shape in three contexts (rotating), so each context sees several shapes.
  TOKENS.forEach(([what, make], i) => {
    for (const k of [i % CONTEXTS.length, (i + 3) % CONTEXTS.length, (i + 6) % CONTEXTS.length]) {
      const [where, file, render] = CONTEXTS[k]!;
      c.secret(`${what} (${where})`, file, render(make()));
    }
  });
  // Shapes that only their context names.
  c.secret('Postmark server token', 'src/mail-#.ts', `import postmark from 'postmark';\nexport const mail = new postmark.ServerClient("${gen.uuid()}");\n`);
  c.secret('Postmark token in config', 'config/mail-#.json', `{ "postmarkServerToken": "${gen.uuid()}" }\n`);
  c.secret('Mailgun key', 'config/mailgun-#.json', `{ "mailgun": { "domain": "mg.acme-saas.com", "apiKey": "${gen.mailgun()}" } }\n`);
  c.secret('Mailgun key in an env-style file', 'deploy/mail-#.ini', `MAILGUN_API_KEY = ${gen.mailgun()}\n`);
  c.secret('Mailgun key (new format)', 'src/mailgun-#.ts', `const mg = mailgun.client({ username: 'api', key: '${gen.mailgunNew()}' });\n`);
  c.secret('Resend key in .env', 'apps/mail-#/.env.production', `RESEND_API_KEY=${gen.resend()}\n`);
  c.secret('Resend key', 'src/resend-#.ts', `import { Resend } from 'resend';\nexport const resend = new Resend('${gen.resend()}');\n`);
  c.secret('Twilio API key SID', 'src/sms-#.ts', `const twilioClient = twilio('${gen.twilioKeySid()}', process.env.TWILIO_SECRET, { accountSid });\n`);
  c.secret('Twilio auth token', 'src/sms-#.js', `const client = twilio('${gen.twilioAccountSid()}', '${gen.twilioToken()}');\n`);
  c.secret('AWS key pair', 'infra/aws-#.ini', `[default]\naws_access_key_id = ${gen.awsKeyId()}\naws_secret_access_key = ${gen.awsSecret()}\n`);
  c.secret('AWS secret alone', 'infra/creds-#.json', `{ "SecretAccessKey": "${gen.awsSecret()}", "Region": "eu-west-1" }\n`);
  c.secret('Azure storage connection string', 'config/azure-#.json', `{ "storage": "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=${gen.azureStorageKey()};EndpointSuffix=core.windows.net" }\n`);
  c.secret('GCP service account JSON', 'keys/gcp-#.json', `${JSON.stringify({ type: 'service_account', project_id: 'acme-prod', private_key_id: hex(40), private_key: gen.pem('ec'), client_email: 'gate@acme-prod.iam.gserviceaccount.com' }, null, 2)}\n`);
  c.secret('Supabase service_role key', 'src/supabase-#.ts', `export const admin = createClient(url, '${gen.jwt({ role: 'service_role', iss: 'supabase' })}');\n`);
  c.secret('hex JWT secret', 'src/auth-#.ts', `export const config = { JWT_SECRET: '${hex(64)}' };\n`);
  c.secret('NEXTAUTH_SECRET fallback', 'src/auth-options-#.ts', `export const secret = process.env.NEXTAUTH_SECRET ?? '${randomBytes(32).toString('base64')}';\n`);
  c.secret('npm token in .npmrc', 'packages/ui-#/.npmrc', `//registry.npmjs.org/:_authToken=${gen.npm()}\n`);
  c.secret('legacy npm token in .npmrc', 'packages/api-#/.npmrc', `//registry.npmjs.org/:_authToken=${gen.uuid()}\n`);
  c.secret('Vercel integration token', 'ci/vercel-#.json', `{ "token": "${gen.vercel('vci')}" }\n`);
  // Private keys in the shapes they are committed in.
  const pem = gen.pem('rsa');
  c.secret('PEM key file', 'certs/server-#.key', pem);
  c.secret('PEM key in JSON (\\n escapes)', 'config/jwt-#.json', `${JSON.stringify({ privateKey: gen.pem('ec') })}\n`);
  c.secret('PEM key in JSON twice escaped (\\\\n)', 'config/jwt-double-#.json', `{"env":"{\\"key\\":\\"${gen.pem('ec').replace(/\n/g, '\\\\n')}\\"}"}\n`);
  c.secret('PEM key as JS concatenation', 'src/keys-#.js', `const key =\n${gen.pem('ed25519').trim().split('\n').map((l) => `  '${l}\\n'`).join(' +\n')};\n`);
  c.secret('PEM key as an array of lines', 'src/keys-array-#.ts', `export const lines = [\n${gen.pem('ec').trim().split('\n').map((l) => `  "${l}",`).join('\n')}\n];\n`);
  c.secret('PEM key URL-encoded', 'scripts/upload-#.sh', `curl -d "key=${encodeURIComponent(gen.pem('ec'))}" https://vault.acme-saas.com\n`);
  // Every unprotected key the real tools wrote, as the file they wrote (binary DER and OpenPGP included).
  for (const key of material.keys.filter((k) => k.expect === 'error')) c.secret(key.what, `real-#/${key.file}`, key.content);
  // An OpenSSH deploy key and a PGP key in the places they are pasted: a YAML block, JSON with `\n`,
  // twice-escaped JSON, a Terraform heredoc, a multi-line value in an env file.
  const openssh = String(material.keys.find((k) => k.file === 'deploy/keys/id_ed25519')?.content ?? gen.pem('ed25519'));
  const pgp = String(material.keys.find((k) => k.file === 'deploy/release-signing.asc')?.content ?? gen.pem('ec'));
  for (const [what, key] of [['OpenSSH key', openssh], ['PGP key', pgp]] as const) {
    c.secret(`${what} in a YAML block scalar`, 'deploy/ansible-#.yml', `deploy:
  user: app
  ssh_key: |
${key.trim().split('\n').map((l) => `    ${l}`).join('\n')}
`);
    c.secret(`${what} in JSON with \\n escapes`, 'config/deploy-#.json', `${JSON.stringify({ host: 'app.acme-saas.com', key }, null, 2)}
`);
    c.secret(`${what} in JSON twice escaped`, 'config/deploy-env-#.json', `{"env":${JSON.stringify(JSON.stringify({ key }))}}
`);
    c.secret(`${what} in a Terraform heredoc`, 'infra/deploy-#.tf', `resource "tls_key" "deploy" {
  private_key = <<-EOT
${key.trim().split('\n').map((l) => `    ${l}`).join('\n')}
  EOT
}
`);
    c.secret(`${what} as a multi-line env value`, `deploy/keys-#.env`, `DEPLOY_HOST=app.acme-saas.com
DEPLOY_KEY="${key.trim()}"
`);
  }
  // Manifests, Docker configs and credential files as the tools write them.
  for (const file of material.files.filter((f) => f.expect === 'error')) c.secret(file.what, `real-#/${file.file}`, file.content);
  // Connection strings.
  c.secret('Postgres URL', 'src/db-#.ts', `export const url = 'postgresql://app:${gen.dbPassword()}@db.acme-saas.com:5432/app?sslmode=require';\n`);
  c.secret('Supabase pooler URL', 'prisma/seed-#.ts', `const url = "postgresql://postgres.abcdefghijklmnop:${gen.dbPassword()}@aws-0-eu-central-1.pooler.supabase.com:6543/postgres";\n`);
  c.secret('Neon URL', 'drizzle-#.config.ts', `export default { dbCredentials: { url: 'postgresql://neondb_owner:npg_${alnum(12)}@ep-cool-rain-a5b6c7d8.eu-central-1.aws.neon.tech/neondb' } };\n`);
  c.secret('Prisma Accelerate URL', 'src/prisma-#.ts', `const db = new PrismaClient({ datasourceUrl: 'prisma+postgres://accelerate.prisma-data.net/?api_key=${gen.jwt()}' });\n`);
  c.secret('Postgres password in the query', 'scripts/psql-#.sh', `psql "postgresql://app@db.acme-saas.com/app?password=${gen.dbPassword()}&sslmode=require"\n`);
  return c;
}

function envAndValuesCorpus(run: Record<string, string>): Corpus {
  const c = new Corpus();
  // The run's own values, reshaped.
  const nextauth = run.NEXTAUTH_SECRET!;
  const sync = run.STRIPE_SYNC_SECRET!;
  const stripe = run.STRIPE_SECRET_KEY!;
  const github = run.GITHUB_CLIENT_SECRET!;
  c.secret('run value, raw', 'src/run-raw-#.ts', `const s = "${nextauth}";\n`);
  c.secret('run value, base64 wrapped at 76', 'k8s/secret-#.txt', `${wrap76(Buffer.from(`NEXTAUTH_SECRET=${nextauth}\nSTRIPE_SYNC_SECRET=${sync}\nAPP_URL=https://app.acme-saas.com\n`).toString('base64'))}\n`);
  c.secret('run value, split by concatenation', 'src/run-split-#.js', `const s = '${sync.slice(0, 20)}' +\n  '${sync.slice(20)}';\n`);
  c.secret('run value, shell continuation', 'scripts/run-cont-#.sh', `curl -H "x-stripe-sync-secret: ${sync.slice(0, 30)}\\\n${sync.slice(30)}" https://app.acme-saas.com/api/admin/stripe/sync\n`);
  c.secret('run value, JSON with \\/', 'fixtures/run-slash-#.json', `{"secret":"${JSON.stringify(nextauth).slice(1, -1).replace(/\//g, '\\/')}"}\n`);
  c.secret('run value, hex', 'fixtures/run-hex-#.txt', `${Buffer.from(github).toString('hex')}\n`);
  c.secret('run value, URL-encoded', 'fixtures/run-url-#.txt', `https://app.acme-saas.com/cb?s=${encodeURIComponent(nextauth)}\n`);
  c.secret('run value, base64url', 'fixtures/run-b64url-#.txt', `token=${Buffer.from(`sync:${sync}`).toString('base64url')}\n`);
  c.secret('run value, JSON-escaped in a UTF-16 file', 'docs/run-utf16-#.txt', utf16le(`key: ${stripe}\r\n`));
  c.secret('run value in a 6.4 MB source map', 'public/_next/static/chunks/main-#.js.map', `{"version":3,"sources":["webpack://app/./src/auth.ts"],"mappings":"${'AAAA,SAASA;'.repeat(530_000)}","sourcesContent":["export const secret = \\"${nextauth}\\";\\n"]}\n`);
  // Env files, by name and by content.
  c.secret('.env.production', '.env.production', `APP_URL=https://app.acme-saas.com\nNEXTAUTH_SECRET=${alnum(40)}\n`);
  c.secret('DATABASE_URL in .env', 'apps/web-#/.env', `DATABASE_URL="postgresql://app:${gen.dbPassword()}@db.acme-saas.com:5432/app"\n`);
  c.secret('Prisma Accelerate DATABASE_URL in .env', 'apps/api-#/.env', `DATABASE_URL="prisma+postgres://accelerate.prisma-data.net/?api_key=${gen.jwt()}"\n`);
  c.secret('.envrc', 'services/worker-#/.envrc', `export STRIPE_SYNC_SECRET=${hex(64)}\nexport APP_URL=https://app.acme-saas.com\n`);
  c.secret('prod.env', 'deploy/prod-#.env', `AUTH_SECRET=${alnum(43)}\nLOG_LEVEL=info\n`);
  c.secret('deploy/*.env', 'deploy/web-#.env', `SMTP_PASSWORD=${alnum(20)}\nSMTP_HOST=smtp.acme-saas.com\n`);
  c.secret('env by content, no env name', 'config/runtime-#.conf', `# runtime settings\nAPP_URL=https://app.acme-saas.com\nSENTRY_AUTH_TOKEN=${hex(64)}\nLOG_LEVEL=warn\n`);
  c.secret('docker-compose.prod.yml', 'docker-compose.prod-#.yml', `services:\n  web:\n    environment:\n      NEXTAUTH_SECRET: "${randomBytes(32).toString('base64')}"\n`);
  return c;
}

/** Look-alikes that are not secrets. */
function benignCorpus(material: KeyMaterial): Corpus {
  const c = new Corpus();
  // The real tools' look-alikes: public keys, `ssh-keygen -y`, certificates, placeholders in manifests.
  for (const sample of [...material.keys, ...material.files].filter((s) => s.expect === 'clean')) c.benign(sample.what, `real-#/${sample.file}`, sample.content);
  const placeholders = [
    ['sk', 'live', 'x'.repeat(24)].join('_'), ['sk', 'live', 'your_key_here'].join('_'), ['sk', 'live', '1234567890abcdefghijklmn'].join('_'),
    ['ghp', 'x'.repeat(36)].join('_'), ['ghp', alnum(36)].join('_') /* no valid checksum */, ['npm', alnum(36)].join('_') /* no valid checksum */,
    ['vcp', alnum(56)].join('_') /* no valid checksum */, ['github', 'pat', 'x'.repeat(22), 'x'.repeat(59)].join('_'),
    'sk-proj-...', 'sk-ant-api03-...', ['SG', 'x'.repeat(22), 'x'.repeat(43)].join('.'), ['xoxb', 'your', 'token'].join('-'),
    ['https://hooks.slack.com/services', 'T00000000', 'B00000000', 'X'.repeat(24)].join('/'), '<STRIPE_SECRET_KEY>', '${{ secrets.STRIPE_SECRET_KEY }}',
    'process.env.STRIPE_SECRET_KEY', ['AKIA', 'IOSFODNN7EXAMPLE'].join(''), ['wJalrXUtnFEMI', 'K7MDENG', 'bPxRfiCYEXAMPLEKEY'].join('/'), 'changeme', 'sntrys_YOUR_TOKEN_HERE',
    '-----BEGIN PRIVATE KEY-----\\n...\\n-----END PRIVATE KEY-----', 'postgresql://USER:PASSWORD@HOST:5432/DATABASE', 'postgres://postgres:postgres@localhost:5432/app',
    'postgresql://johndoe:randompassword@localhost:5432/mydb?schema=public', 'postgres://alex:AbC123dEf@ep-cool-darkness-123456.us-east-2.aws.neon.tech/dbname', 'postgresql://app:${DB_PASSWORD}@db.acme-saas.com/app', 'mongodb+srv://<username>:<password>@cluster0.mongodb.net',
    ['re', 'xxxxxxxx', 'xxxxxxxxxxxxxxxxxxxxxxxx'].join('_'), 'key-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', ['AIza', 'SyD-EXAMPLE-EXAMPLE-EXAMPLE-EXAMPL'].join(''),
  ];
  placeholders.forEach((p) => c.benign(`placeholder ${p.slice(0, 16)}`, 'docs/placeholder-#.md', `Set the key: \`${p}\`\n`));
  // Test-mode and publishable keys.
  for (let i = 0; i < 8; i++) c.benign('Stripe test key', 'src/test/stripe-#.ts', `export const key = '${['sk', 'test', `51${alnum(97)}`].join('_')}';\n`);
  for (let i = 0; i < 4; i++) c.benign('Stripe publishable key', 'src/public/stripe-#.ts', `export const pk = '${['pk', 'live', `51${alnum(97)}`].join('_')}';\n`);
  // Documentation examples.
  c.benign('jwt.io example', 'docs/jwt-#.md', `Example: ${['eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9', 'eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ', 'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'].join('.')}\n`);
  for (let i = 0; i < 4; i++) c.benign('expired JWT in a test', 'test/fixtures/token-#.ts', `export const expired = '${gen.jwt({ exp: 1_600_000_000 + i })}';\n`);
  for (let i = 0; i < 3; i++) c.benign('Supabase anon key', 'src/supabase-client-#.ts', `export const supabase = createClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, '${gen.jwt({ role: 'anon', iss: 'supabase' })}');\n`);
  for (let i = 0; i < 3; i++) c.benign('Firebase web config', 'src/firebase-#.ts', `export const firebaseConfig = {\n  apiKey: "${gen.googleApiKey()}",\n  authDomain: "acme-${i}.firebaseapp.com",\n  projectId: "acme-${i}",\n};\n`);
  c.benign('Sentry DSN', 'sentry.client-#.config.ts', `Sentry.init({ dsn: 'https://${hex(32)}@o4507283841236992.ingest.sentry.io/4507283862339584' });\n`);
  // Lockfiles and hashes.
  for (let i = 0; i < 6; i++) {
    const deps = Array.from({ length: 40 }, (_, k) => `    "node_modules/pkg-${i}-${k}": {\n      "version": "1.${k}.0",\n      "resolved": "https://registry.npmjs.org/pkg-${i}-${k}/-/pkg-${i}-${k}-1.${k}.0.tgz",\n      "integrity": "sha512-${randomBytes(64).toString('base64')}"\n    }`).join(',\n');
    c.benign('package-lock.json', `packages/p${i}-#/package-lock.json`, `{\n  "lockfileVersion": 3,\n  "packages": {\n${deps}\n  }\n}\n`);
  }
  for (let i = 0; i < 3; i++) c.benign('pnpm lockfile', `packages/q${i}-#/pnpm-lock.yaml`, Array.from({ length: 40 }, (_, k) => `  /pkg-${k}@1.0.${k}:\n    resolution: {integrity: sha512-${randomBytes(64).toString('base64')}}\n`).join(''));
  for (let i = 0; i < 3; i++) c.benign('yarn.lock', `packages/y${i}-#/yarn.lock`, Array.from({ length: 40 }, (_, k) => `pkg-${k}@^1.0.0:\n  version "1.0.${k}"\n  integrity sha1-${randomBytes(20).toString('base64')}\n`).join('\n'));
  for (let i = 0; i < 8; i++) c.benign('commit hashes and checksums', 'docs/changelog-#.md', Array.from({ length: 30 }, () => `- ${hex(40)} ${hex(64)} ${gen.uuid()}`).join('\n'));
  for (let i = 0; i < 3; i++) c.benign('inline image', 'src/icons-#.ts', `export const icon = 'data:image/png;base64,${randomBytes(600).toString('base64')}';\n`);
  for (let i = 0; i < 3; i++) c.benign('source map mappings', 'public/app-#.js.map', `{"version":3,"mappings":"${Array.from({ length: 3000 }, () => alnum(6)).join(';')}"}\n`);
  // Minified bundles with key headers and token-like identifiers.
  for (let i = 0; i < 6; i++) {
    c.benign('minified bundle', 'public/vendor-#.min.js', `!function(e){var t="-----BEGIN PRIVATE KEY-----",n="-----END PRIVATE KEY-----",r="-----BEGIN RSA PRIVATE KEY-----\\r\\n";function o(e){return e.replace(t,"").replace(n,"")}e.pemToDer=o;var a="sk_live_",s="ghp_",c="xoxb-",u=/^AKIA[0-9A-Z]{16}$/;${Array.from({ length: 200 }, (_, k) => `function f${k}(a,b){return a.${alnum(6)}(b)+"${alnum(10)}"}`).join(';')}}(window);\n`);
  }
  // Templates and local defaults (information, not failures).
  c.benign('.env.example with local defaults', '.env.example', `APP_URL=http://localhost:4002\nNEXTAUTH_URL=http://localhost:4002\nNEXTAUTH_SECRET=${randomBytes(32).toString('base64')}\nDATABASE_URL=postgresql://postgres:postgres@localhost:5432/saas\nPGPASSWORD=postgres\nJACKSON_API_KEY=jackson-secret\nJACKSON_CLIENT_SECRET_VERIFIER=dummy\nSTRIPE_SECRET_KEY=\nSMTP_PASSWORD=\n`);
  c.benign('apps .env.example', 'apps/admin-#/.env.example', `DATABASE_URL=postgresql://admin:admin@127.0.0.1:5432/admin\nREDIS_URL=redis://:redis@localhost:6379\nSESSION_SECRET=dev-session-secret\n`);
  c.benign('docker-compose.yml', 'docker-compose.yml', `services:\n  db:\n    image: postgres:17\n    environment:\n      POSTGRES_PASSWORD: local-compose-pw\n      POSTGRES_USER: app\n`);
  c.benign('.env repeating the compose password', 'apps/docs-#/.env', `PGPASSWORD=local-compose-pw\nDATABASE_URL=postgresql://app:local-compose-pw@localhost:5432/app\n`);
  c.benign('.env.test', '.env.test', `NEXTAUTH_SECRET=test-secret-for-ci-only\nSTRIPE_SECRET_KEY=${['sk', 'test', alnum(24)].join('_')}\nDATABASE_URL=postgresql://postgres:postgres@localhost:5432/test\n`);
  c.benign('.env.development', '.env.development', `NEXTAUTH_SECRET=development-secret\nDATABASE_URL=postgresql://postgres:postgres@localhost:5432/dev\n`);
  c.benign('prisma dev local URL', 'apps/local-#/.env', `DATABASE_URL="prisma+postgres://localhost:51213/?api_key=${Buffer.from(JSON.stringify({ databaseUrl: 'postgres://postgres:postgres@localhost:51214/template1', name: 'default' })).toString('base64url')}"\n`);
  // Shell scripts with a few assignments among commands are not env files.
  c.benign('shell script', 'scripts/build-#.sh', `#!/bin/sh\nset -e\nNODE_ENV=production\nnpm ci\nnpm run build\nnpx prisma migrate deploy\necho done\n`);
  // Code that reads secrets from the environment.
  for (let i = 0; i < 8; i++) c.benign('env reads', 'src/env-#.ts', `export const env = {\n  secret: process.env.NEXTAUTH_SECRET!,\n  stripe: process.env.STRIPE_SECRET_KEY ?? '',\n  jwtSecret: process.env.JWT_SECRET,\n};\n`);
  // Hard-coded names with non-secret values.
  c.benign('test JWT secret', 'test/setup-#.ts', `process.env.JWT_SECRET = 'test-jwt-secret-for-unit-tests';\n`);
  c.benign('workflow test secret', 'ci/test-#.yml', `env:\n  NEXTAUTH_SECRET: ci-test-secret-not-used-in-production\n`);
  return c;
}

function write(dir: string, items: Item[]) {
  for (const item of items) {
    mkdirSync(dirname(join(dir, item.file)), { recursive: true });
    writeFileSync(join(dir, item.file), item.content);
  }
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: dir });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'corpus');
}

/** Every file named in an error finding (the details list them all, beyond the annotation cap). */
function flaggedFiles(r: RuleReport): Set<string> {
  const files = new Set(r.findings.filter((f) => f.level === 'error' && f.file).map((f) => f.file!));
  const found = (r.details ?? '').split('\nFound (')[1] ?? '';
  for (const match of found.matchAll(/^- `([^`]+):\d+` /gm)) files.add(match[1]!);
  return files;
}

test('labelled corpus: recall 100% over the shapes and contexts, no false positive on look-alikes', async () => {
  const material = await keyMaterial();
  const run: Record<string, string> = {
    NEXTAUTH_SECRET: randomBytes(32).toString('base64'),
    STRIPE_SYNC_SECRET: hex(64),
    STRIPE_SECRET_KEY: gen.stripeLive(),
    GITHUB_CLIENT_SECRET: hex(40),
    APP_URL: 'https://app.acme-saas.com',
  };
  const groups = [shapesCorpus(material), envAndValuesCorpus(run)];
  const benign = benignCorpus(material);
  const secrets = groups.flatMap((g) => g.items);
  assert.ok(secrets.length >= 100, `${secrets.length} planted secrets`);
  assert.ok(benign.items.length >= 100, `${benign.items.length} benign look-alikes`);

  const missed: string[] = [];
  const falsePositives: string[] = [];
  const leaks: string[] = [];
  // Each group in its own repository (the benign files in the last, with the run's values known), scanned concurrently.
  const scanGroup = async (items: Item[]) => {
    const { dir, cleanup } = tempRepo();
    try {
      write(dir, items);
      const r = await runRule(committedSecrets, await settingsFor(run, { repo: dir }));
      const flagged = flaggedFiles(r);
      for (const item of items) {
        if (item.secret && !flagged.has(item.file)) missed.push(`${item.what} (${item.file})`);
        if (!item.secret && flagged.has(item.file)) falsePositives.push(`${item.what} (${item.file})`);
      }
      const report = JSON.stringify(r);
      for (const value of Object.values(run)) if (value.length > 8 && report.includes(value)) leaks.push('a run value appears in the report');
    } finally {
      cleanup();
    }
  };
  await Promise.all([...groups.map((g) => g.items), benign.items].map(scanGroup));
  const recall = (secrets.length - missed.length) / secrets.length;
  console.log(`corpus: ${secrets.length} secrets, ${benign.items.length} benign look-alikes; recall ${(recall * 100).toFixed(1)}% (${secrets.length - missed.length}/${secrets.length}), false positives ${falsePositives.length}`);
  if (missed.length) console.log(`missed:\n  ${missed.join('\n  ')}`);
  if (falsePositives.length) console.log(`false positives:\n  ${falsePositives.join('\n  ')}`);
  assert.deepEqual(leaks, []);
  assert.deepEqual(missed, [], `recall ${(recall * 100).toFixed(1)}%`);
  assert.deepEqual(falsePositives, []);
});
