/**
 * The app's repository as the gate finds it in `working-directory`: a real git repository with two
 * tagged releases (v1.5.0, then v1.6.0 adding a migration), the scripts, Prisma schema and
 * migrations, pages, docs, a deploy workflow and an `.env.example` of the target app.
 *
 * It holds no secret: values are placeholders, and the workflow takes every secret from
 * `${{ secrets.* }}`. Scenarios change files through `files` (added in one more commit on top of the
 * release), e.g. to commit a key or to put `prisma db push` in the deploy path.
 *
 * The gate's build commands work offline in it: `package.json` depends on `prisma` and `next` as
 * `file:vendor/prisma` and `file:vendor/next`, committed stand-ins of the two CLIs (./vendor), with
 * a `package-lock.json`, so `npm ci` links them without a registry. `next-auth` is a `file:` stand-in
 * too, holding only its version: the one the sandbox app emulates, recorded in the lockfile as the
 * gate reads it. They reach the sandbox through
 * `.sandbox.json` at the root (hosts → addresses, and the sandbox's own `pg` and `typescript`), which
 * `.git/info/exclude` keeps out of `git status`.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { APP_FILES } from './fixture-app.js';
import { V5_APP_FILES, V5_DEPLOY_WORKFLOW, V5_PACKAGE_JSON, V5_PNPM_LOCK, V5_REMOVED } from './fixture-app-v5.js';
import type { Flavour } from './flavours.js';
import { MIGRATION_LOCK_TOML, MIGRATIONS, PRISMA_SCHEMA, type Migration } from './schema.js';
import { SMOKE_CONFIG_YAML } from './app-accounts.js';

const run = promisify(execFile);

/** A file's new content, its removal (null), or an edit of its content at the release. */
export type FileChange = string | null | ((current: string | undefined) => string | null);

/** `.sandbox.json`: what the vendored CLIs need from the sandbox. */
export interface FixtureRuntime {
  /** Host name → address, the CLIs' /etc/hosts (`db.acme-saas.com` → the sandbox's loopback address). */
  hosts: Record<string, string>;
}

export interface FixtureRepoOptions {
  /** Created if missing; must be empty. */
  dir: string;
  /** Migrations of the current release (default: the ones applied to the sandbox database). */
  migrations?: readonly Migration[];
  /** Files to add, replace, edit or delete (null) in a commit after the release. */
  files?: Record<string, FileChange>;
  /** Message of that commit. */
  changeMessage?: string;
  /** Further commits after that one, in order (history a scenario needs: a secret added, then removed). */
  commits?: readonly FixtureCommit[];
  /** Written to `.sandbox.json` (untracked); without it the vendored prisma resolves host names itself. */
  runtime?: FixtureRuntime;
  /** Which app the repository holds (./flavours.ts); default `guide`. */
  flavour?: Flavour;
  /**
   * The next-auth version the release installs (both releases): the stand-in's package.json and the
   * lockfile record it, and the sandbox app emulates that version. Default: the stand-in's, 4.24.13.
   */
  nextAuthVersion?: string;
  /**
   * False: lib/auth.ts passes no `trustHost` (an Auth.js v5 config, which leaves trust to AUTH_URL,
   * AUTH_TRUST_HOST, VERCEL, CF_PAGES and NODE_ENV). Default true: the app's `@ts-ignore` line.
   */
  passesTrustHost?: boolean;
}

/** One commit of changes on top of the release. */
export interface FixtureCommit {
  message: string;
  files: Record<string, FileChange>;
}

export interface FixtureRepo {
  dir: string;
  /** Commit id of HEAD. */
  head: string;
  tags: string[];
}

const AUTHOR = { name: 'Acme Release Bot', email: 'release-bot@acme-saas.com' };

export async function createFixtureRepo(options: FixtureRepoOptions): Promise<FixtureRepo> {
  const dir = path.resolve(options.dir);
  await fs.mkdir(dir, { recursive: true });
  if ((await fs.readdir(dir)).length > 0) throw new Error(`fixture repo directory is not empty: ${dir}`);
  const migrations = options.migrations ?? MIGRATIONS;
  const git = gitIn(dir);

  await git(['init', '--quiet', '--initial-branch=main']);
  // The previous release: the rollback target the guide asks for.
  const previous = migrations.slice(0, Math.max(1, migrations.length - 1));
  await writeTree(dir, fixtureFiles({ version: '1.5.0', migrations: previous, nextAuthVersion: options.nextAuthVersion, passesTrustHost: options.passesTrustHost, flavour: options.flavour }));
  await commit(git, 'Release 1.5.0', '2024-06-20T14:15:07Z');
  await git(['tag', '--annotate', 'v1.5.0', '--message', 'Release 1.5.0'], '2024-06-20T14:20:00Z');

  await writeTree(dir, fixtureFiles({ version: '1.6.0', migrations, nextAuthVersion: options.nextAuthVersion, passesTrustHost: options.passesTrustHost, flavour: options.flavour }));
  await commit(git, 'Release 1.6.0: plan tiers, invoices and webhook events', '2024-09-18T10:15:33Z');
  await git(['tag', '--annotate', 'v1.6.0', '--message', 'Release 1.6.0'], '2024-09-18T10:20:00Z');

  const commits: FixtureCommit[] = [];
  if (options.files && Object.keys(options.files).length > 0) {
    commits.push({ message: options.changeMessage ?? 'Update configuration', files: options.files });
  }
  commits.push(...(options.commits ?? []));
  for (const [i, change] of commits.entries()) {
    await applyChanges(dir, change.files);
    // One commit a day after the release, from 2024-09-20.
    await commit(git, change.message, new Date(Date.UTC(2024, 8, 20 + i, 8, 30, 0)).toISOString().replace('.000', ''));
  }
  const head = (await git(['rev-parse', 'HEAD'])).trim();

  // Local, untracked: like a developer's /etc/hosts, not part of the repository.
  await fs.mkdir(path.join(dir, '.git', 'info'), { recursive: true });
  await fs.appendFile(path.join(dir, '.git', 'info', 'exclude'), `${RUNTIME_FILE}\n`);
  if (options.runtime) await writeRuntime(dir, options.runtime);
  return { dir, head, tags: ['v1.5.0', 'v1.6.0'] };
}

async function applyChanges(dir: string, files: Record<string, FileChange>): Promise<void> {
  for (const [file, change] of Object.entries(files)) {
    const target = path.join(dir, file);
    const content = typeof change === 'function' ? change(await fs.readFile(target, 'utf8').catch(() => undefined)) : change;
    if (content === null) await fs.rm(target, { force: true });
    else {
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.writeFile(target, content);
    }
  }
}

export const RUNTIME_FILE = '.sandbox.json';

/** Writes `.sandbox.json` into a fixture repository (see the header). */
export async function writeRuntime(dir: string, runtime: FixtureRuntime): Promise<void> {
  const require = createRequire(import.meta.url);
  const content = {
    about:
      "Written by the gate's sandbox, not part of the app (git ignores it through .git/info/exclude). " +
      'The offline stand-ins in vendor/ read it: hosts is their /etc/hosts, modules the sandbox modules they load.',
    hosts: runtime.hosts,
    modules: {
      pg: require.resolve('pg'),
      typescript: require.resolve('typescript'),
      '@types/node': require.resolve('@types/node/index.d.ts'),
    },
  };
  await fs.writeFile(path.join(dir, RUNTIME_FILE), `${JSON.stringify(content, null, 2)}\n`);
}

type Git = (args: string[], date?: string) => Promise<string>;

/**
 * git with a fixed identity and no user or system configuration: works on a bare machine and gives
 * the same history whatever the host's git config says (signing, hooks, autocrlf, default branch).
 */
function gitIn(dir: string): Git {
  return async (args, date = '2024-01-01T00:00:00Z') => {
    const env = {
      ...process.env,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: AUTHOR.name,
      GIT_AUTHOR_EMAIL: AUTHOR.email,
      GIT_COMMITTER_NAME: AUTHOR.name,
      GIT_COMMITTER_EMAIL: AUTHOR.email,
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_DATE: date,
    };
    const config = [
      '-c', `user.name=${AUTHOR.name}`,
      '-c', `user.email=${AUTHOR.email}`,
      '-c', 'commit.gpgsign=false',
      '-c', 'tag.gpgsign=false',
      '-c', 'core.autocrlf=false',
      '-c', 'core.hooksPath=/dev/null',
    ];
    const { stdout } = await run('git', [...config, ...args], { cwd: dir, env });
    return stdout;
  };
}

async function commit(git: Git, message: string, date: string): Promise<void> {
  await git(['add', '--all'], date);
  await git(['commit', '--quiet', '--message', message], date);
}

async function writeTree(dir: string, files: Record<string, string>): Promise<void> {
  for (const [file, content] of Object.entries(files)) {
    const target = path.join(dir, file);
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.writeFile(target, content);
    // The bins are committed executable: npm ci's chmod then leaves `git status` clean.
    if (VENDOR.executables.has(file)) await fs.chmod(target, 0o755);
  }
}

/**
 * ./vendor/<package>/** as fixture files under `vendor/` (type declarations, which are for the
 * sandbox's own TypeScript, stay out), their bins, and their package.json.
 */
function readVendor(): { files: Record<string, string>; executables: Set<string>; packages: Record<string, VendorPackage> } {
  const root = fileURLToPath(new URL('./vendor/', import.meta.url));
  const files: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else if (!entry.name.endsWith('.d.ts')) files[`vendor/${child}`] = readFileSync(path.join(root, child), 'utf8');
    }
  };
  walk('');
  const packages: Record<string, VendorPackage> = {};
  const executables = new Set<string>();
  for (const dir of readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory())) {
    const pkg = JSON.parse(files[`vendor/${dir.name}/package.json`]!) as VendorPackage;
    packages[pkg.name] = pkg;
    for (const bin of Object.values(pkg.bin ?? {})) executables.add(`vendor/${dir.name}/${bin}`);
  }
  return { files, executables, packages };
}

interface VendorPackage {
  name: string;
  version: string;
  license?: string;
  bin?: Record<string, string>;
  engines?: Record<string, string>;
}

const VENDOR = readVendor();

/** The dependencies: every vendored package, as a `file:` dependency. */
function dependencies(): Record<string, string> {
  return Object.fromEntries(Object.keys(VENDOR.packages).sort().map((name) => [name, `file:vendor/${name}`]));
}

/** package-lock.json as `npm install --package-lock-only` writes it for these `file:` dependencies. */
function packageLock(pkg: Record<string, unknown>, vendor: Record<string, VendorPackage>): string {
  const packages: Record<string, unknown> = {
    '': { name: pkg.name, version: pkg.version, dependencies: pkg.dependencies, engines: pkg.engines },
  };
  const names = Object.keys(vendor).sort();
  for (const name of names) packages[`node_modules/${name}`] = { resolved: `vendor/${name}`, link: true };
  for (const name of names) {
    const { version, license, bin, engines } = vendor[name]!;
    packages[`vendor/${name}`] = { version, license, bin, engines };
  }
  return `${JSON.stringify({ name: pkg.name, version: pkg.version, lockfileVersion: 3, requires: true, packages }, null, 2)}\n`;
}

/** The repository's files at a release. */
export function fixtureFiles(release: { version: string; migrations: readonly Migration[]; nextAuthVersion?: string; passesTrustHost?: boolean; flavour?: Flavour }): Record<string, string> {
  const files = guideFiles(release);
  if ((release.flavour ?? 'guide') === 'guide') return files;
  // The Auth.js v5 app: the same database, docs and deploy target, its own code, package manager and config.
  for (const file of [...V5_REMOVED, ...Object.keys(files).filter((f) => f.startsWith('vendor/'))]) delete files[file];
  Object.assign(files, V5_APP_FILES, {
    'package.json': V5_PACKAGE_JSON.replace('"version": "1.6.0"', `"version": "${release.version}"`),
    'pnpm-lock.yaml': V5_PNPM_LOCK,
    '.github/workflows/deploy.yml': V5_DEPLOY_WORKFLOW,
    'vercel.json': `${JSON.stringify({ $schema: 'https://openapi.vercel.sh/vercel.json', framework: 'nextjs', installCommand: 'pnpm install --frozen-lockfile', buildCommand: 'pnpm run build' }, null, 2)}\n`,
  });
  if (release.version === '1.6.0') files['.github/production-readiness.yml'] = readinessConfig(new Date(), 'authjs-pnpm');
  return files;
}

function guideFiles(release: { version: string; migrations: readonly Migration[]; nextAuthVersion?: string; passesTrustHost?: boolean }): Record<string, string> {
  const pkg = packageJson(release.version);
  // The next-auth stand-in at the version the scenario installs (the lockfile and node_modules say it).
  const vendor = { ...VENDOR.packages };
  const vendorFiles = { ...VENDOR.files };
  if (release.nextAuthVersion && vendor['next-auth']) {
    vendor['next-auth'] = { ...vendor['next-auth'], version: release.nextAuthVersion };
    const manifest = JSON.parse(vendorFiles['vendor/next-auth/package.json']!) as Record<string, unknown>;
    vendorFiles['vendor/next-auth/package.json'] = `${JSON.stringify({ ...manifest, version: release.nextAuthVersion }, null, 2)}\n`;
  }
  const files: Record<string, string> = {
    'package.json': `${JSON.stringify(pkg, null, 2)}\n`,
    'package-lock.json': packageLock(pkg, vendor),
    ...vendorFiles,
    ...APP_FILES,
    'prisma/schema.prisma': PRISMA_SCHEMA,
    'prisma/migrations/migration_lock.toml': MIGRATION_LOCK_TOML,
    '.env.example': ENV_EXAMPLE,
    '.gitignore': GITIGNORE,
    'README.md': README,
    'sync-stripe.js': SYNC_STRIPE_JS,
    'scripts/stripe-cleanup.js': STRIPE_CLEANUP_JS,
    // The stand-in caniuse-lite's data: its newest browser release 12 days before the sandbox runs.
    [BROWSER_DATA_FILE]: browserData(new Date(), 12),
    'vercel.json': `${JSON.stringify({ $schema: 'https://openapi.vercel.sh/vercel.json', framework: 'nextjs', buildCommand: 'npm run build-ci' }, null, 2)}\n`,
    '.github/workflows/deploy.yml': DEPLOY_WORKFLOW,
    'docs/deployment-guide.md': DEPLOYMENT_GUIDE,
    'docs/billing-integration-guide.md': BILLING_GUIDE,
    'docs/migration-operations-runbook.md': MIGRATION_RUNBOOK,
    'docs/release-checklist.md': RELEASE_CHECKLIST,
    'docs/environment-commands-playbook.md': COMMANDS_PLAYBOOK,
  };
  if (release.passesTrustHost === false) files['lib/auth.ts'] = withoutTrustHost(files['lib/auth.ts']!);
  for (const m of release.migrations) files[`prisma/migrations/${m.name}/migration.sql`] = m.sql;
  // The gate was adopted in 1.6.0, with its config file.
  if (release.version === '1.6.0') files['.github/production-readiness.yml'] = readinessConfig(new Date());
  return files;
}

/** lib/auth.ts without its `trustHost` line (and the `@ts-ignore` above it). */
export function withoutTrustHost(text: string): string {
  const edited = text.replace(/^ *\/\/ @ts-ignore[^\n]*\n *trustHost:[^\n]*\n/m, '');
  if (edited === text) throw new Error('fixture lib/auth.ts has no trustHost line to remove');
  return edited;
}

/**
 * The gate's config as the team keeps it. The restore-test date is relative to today (the last drill
 * was 12 days ago), so the attested backup policy stays fresh whenever the sandbox runs.
 */
function readinessConfig(now: Date, flavour: Flavour = 'guide'): string {
  const lastRestoreTest = new Date(now.getTime() - 12 * 86_400_000).toISOString().slice(0, 10);
  return `# Production readiness gate: https://github.com/acme/acme-saas/blob/main/docs/release-checklist.md
plans:
  expected: [${flavour === 'guide' ? 'Free, Team, Enterprise' : 'Team, Enterprise'}]
operations:
  backups:
    last-restore-test: ${lastRestoreTest}
    evidence: https://github.com/acme/acme-saas/issues/412
    max-age-days: 90
  rollback:
    docs: [docs/deployment-guide.md, docs/migration-operations-runbook.md]
${flavour === 'guide' ? SMOKE_CONFIG_YAML : ''}`;
}

function packageJson(version: string): Record<string, unknown> {
  return {
    name: 'acme-saas',
    version,
    private: true,
    scripts: {
      dev: 'next dev --port 4002',
      build: 'prisma generate && next build',
      'build-ci': 'next build',
      start: 'next start --port 4002',
      lint: 'next lint',
      'check-types': 'tsc --pretty --noEmit',
      test: 'jest',
      'migrate:deploy': 'prisma migrate deploy',
      'sync-stripe': 'node --env-file .env sync-stripe.js',
      'setup:db': 'npx prisma db push',
      // The environment commands playbook: archives the Stripe catalog; local and test accounts only.
      'stripe:cleanup': 'node --env-file .env scripts/stripe-cleanup.js',
    },
    // The offline stand-ins of the two CLIs the deploy path runs, and of next-auth at the version the
    // sandbox app emulates (the real app has next, prisma, next-auth, react, stripe, … from the
    // registry): `npm ci` needs no network.
    dependencies: dependencies(),
    engines: { node: '>=20' },
  };
}

/** Where the stand-in caniuse-lite keeps its browser release dates (what browserslist reads). */
export const BROWSER_DATA_FILE = 'vendor/caniuse-lite/dist/unpacker/agents.js';

/**
 * caniuse-lite's `dist/unpacker/agents.js` as the stand-in ships it: the core browsers with their last
 * versions and release dates (seconds), the newest released `latestDaysAgo` days before `now`, the
 * others a few weeks apart before it. The stand-in next warns, as browserslist does, when the newest is
 * six months old.
 */
export function browserData(now: Date, latestDaysAgo: number): string {
  const browsers = ['chrome', 'edge', 'firefox', 'safari', 'ios_saf', 'and_chr'];
  const agents: Record<string, { versions: string[]; release_date: Record<string, number> }> = {};
  browsers.forEach((name, b) => {
    const versions = [0, 1, 2].map((k) => String(140 + k));
    const release_date: Record<string, number> = {};
    versions.forEach((v, k) => {
      const daysAgo = latestDaysAgo + b * 3 + (2 - k) * 28;
      release_date[v] = Math.floor((now.getTime() - daysAgo * 86_400_000) / 1000);
    });
    agents[name] = { versions, release_date };
  });
  return `// Written by the gate's sandbox (the stand-in of caniuse-lite): browser release dates, in seconds.\nmodule.exports.agents = ${JSON.stringify(agents)};\n`;
}

const STRIPE_CLEANUP_JS = `// Archives every active product and price of the Stripe account STRIPE_SECRET_KEY belongs to.
// Local and test accounts only (docs/environment-commands-playbook.md): npm run stripe:cleanup
const key = process.env.STRIPE_SECRET_KEY;

async function stripe(method, path, body) {
  const response = await fetch(\`https://api.stripe.com/v1\${path}\`, {
    method,
    headers: { authorization: \`Bearer \${key}\`, 'content-type': 'application/x-www-form-urlencoded' },
    body: body ? new URLSearchParams(body) : undefined,
  });
  if (!response.ok) throw new Error(\`Stripe answered \${response.status} to \${method} \${path}\`);
  return response.json();
}

async function main() {
  if (!key) throw new Error('STRIPE_SECRET_KEY must be set');
  for (const kind of ['prices', 'products']) {
    const { data } = await stripe('GET', \`/\${kind}?active=true&limit=100\`);
    for (const item of data) await stripe('POST', \`/\${kind}/\${item.id}\`, { active: 'false' });
    console.log(\`Archived \${data.length} \${kind}\`);
  }
}

main().catch((error) => {
  console.error('Stripe cleanup failed:', error.message);
  process.exit(1);
});
`;

const ENV_EXAMPLE = `# Copy to .env for local development. Production values live in the hosting platform's
# environment settings and in GitHub Actions secrets, never in this repository.

APP_URL=http://localhost:4002
NEXTAUTH_URL=http://localhost:4002

# Generate with: openssl rand -base64 32
NEXTAUTH_SECRET=your_nextauth_secret_here

DATABASE_URL=postgresql://<USER-HERE>:<PASSWORD-HERE>@localhost:5432/<DATABASE NAME HERE>

# Enable Auth providers (comma separated)
# Supported providers: github, google, saml, email, credentials, idp-initiated
AUTH_PROVIDERS=github,credentials

GITHUB_CLIENT_ID=your_github_client_id
GITHUB_CLIENT_SECRET=your_github_client_secret
GOOGLE_CLIENT_ID=
GOOGLE_CLIENT_SECRET=

# Stripe (use test keys locally)
STRIPE_SECRET_KEY=your_stripe_secret_key
STRIPE_WEBHOOK_SECRET=your_stripe_webhook_secret
# Shared secret for POST /api/admin/stripe/sync (npm run sync-stripe)
STRIPE_SYNC_SECRET=your_stripe_sync_secret

# Security headers
ENABLE_HSTS=false
ENABLE_CSP_STRICT=false
ENABLE_COEP=false

NEXTAUTH_TRUST_HOST=false
NEXTAUTH_DEBUG=false

# Sentry
NEXT_PUBLIC_SENTRY_DSN=
SENTRY_ENVIRONMENT=development
SENTRY_ORG=
SENTRY_PROJECT=
SENTRY_AUTH_TOKEN=

CONFIRM_EMAIL=false

# Team features
FEATURE_TEAM_SSO=true
FEATURE_TEAM_DSYNC=true
FEATURE_TEAM_AUDIT_LOG=true
FEATURE_TEAM_WEBHOOK=true
FEATURE_TEAM_API_KEY=true
FEATURE_TEAM_DELETION=true
FEATURE_TEAM_PAYMENTS=true
`;

const GITIGNORE = `node_modules/
.next/
out/
coverage/
.env
.env*.local
*.log
.vercel
`;

const README = `# Acme SaaS

Next.js (pages router) + NextAuth + Prisma/PostgreSQL + Stripe + Sentry.

- Local setup: copy \`.env.example\` to \`.env\`, then \`npm install\` and \`npm run setup:db\` (development only).
- Production: see [docs/deployment-guide.md](docs/deployment-guide.md) and
  [docs/release-checklist.md](docs/release-checklist.md).
`;

const SYNC_STRIPE_JS = `// Asks the running app to sync its plan catalog from Stripe (POST /api/admin/stripe/sync).
// Usage: npm run sync-stripe   (node --env-file .env: a .env file with APP_URL and STRIPE_SYNC_SECRET)
const appUrl = process.env.APP_URL;
const secret = process.env.STRIPE_SYNC_SECRET;

async function main() {
  if (!appUrl || !secret) {
    console.error('APP_URL and STRIPE_SYNC_SECRET must be set');
    process.exit(1);
  }
  const response = await fetch(new URL('/api/admin/stripe/sync', appUrl), {
    method: 'POST',
    headers: { 'x-stripe-sync-secret': secret },
  });
  const body = await response.text();
  if (!response.ok) {
    console.error(\`Stripe sync failed: HTTP \${response.status} \${body}\`);
    process.exit(1);
  }
  console.log(\`Stripe sync completed: \${body}\`);
}

main().catch((error) => {
  console.error('Stripe sync failed:', error);
  process.exit(1);
});
`;

const DEPLOY_WORKFLOW = `name: Deploy

on:
  push:
    branches: [main]
  workflow_dispatch:

concurrency:
  group: production
  cancel-in-progress: false

permissions:
  contents: read

jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: production
    env:
      DATABASE_URL: \${{ secrets.DATABASE_URL }}
      NEXT_PUBLIC_SENTRY_DSN: \${{ vars.NEXT_PUBLIC_SENTRY_DSN }}
      SENTRY_ORG: \${{ vars.SENTRY_ORG }}
      SENTRY_PROJECT: \${{ vars.SENTRY_PROJECT }}
      SENTRY_AUTH_TOKEN: \${{ secrets.SENTRY_AUTH_TOKEN }}
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0

      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm

      - name: Install dependencies
        run: npm ci

      - name: Apply database migrations
        run: npx prisma generate && npm run migrate:deploy

      - name: Build
        run: npm run build-ci

      - name: Deploy to Vercel
        run: npx vercel deploy --prod --yes --token "$VERCEL_TOKEN"
        env:
          VERCEL_TOKEN: \${{ secrets.VERCEL_TOKEN }}
          VERCEL_ORG_ID: \${{ vars.VERCEL_ORG_ID }}
          VERCEL_PROJECT_ID: \${{ vars.VERCEL_PROJECT_ID }}

      - name: Sync Stripe catalog
        run: |
          curl --fail-with-body --silent --show-error -X POST \\
            -H "x-stripe-sync-secret: $STRIPE_SYNC_SECRET" \\
            "$APP_URL/api/admin/stripe/sync"
        env:
          APP_URL: \${{ vars.APP_URL }}
          STRIPE_SYNC_SECRET: \${{ secrets.STRIPE_SYNC_SECRET }}
`;

const DEPLOYMENT_GUIDE = `# Deployment guide

Production runs on Vercel (app) and a managed PostgreSQL (database). Deploys happen from \`main\`
through \`.github/workflows/deploy.yml\`.

## Environment

Set in Vercel → Project → Settings → Environment Variables (Production), never in the repository:

| Variable | Value |
|---|---|
| \`APP_URL\`, \`NEXTAUTH_URL\` | \`https://app.acme-saas.com\` (same origin) |
| \`DATABASE_URL\` | managed database URL with \`sslmode=verify-full\`, \`connect_timeout\` and \`connection_limit\` |
| \`NEXTAUTH_SECRET\` | \`openssl rand -base64 32\`, unique to production |
| \`AUTH_PROVIDERS\` | \`github,credentials\` |
| \`GITHUB_CLIENT_ID\`, \`GITHUB_CLIENT_SECRET\` | GitHub OAuth app, callback \`https://app.acme-saas.com/api/auth/callback/github\` |
| \`STRIPE_SECRET_KEY\` | live secret key (\`sk_live_…\`) |
| \`STRIPE_WEBHOOK_SECRET\` | signing secret of the production webhook endpoint (\`whsec_…\`) |
| \`STRIPE_SYNC_SECRET\` | random, unique, for \`POST /api/admin/stripe/sync\` |
| \`ENABLE_HSTS\`, \`ENABLE_CSP_STRICT\`, \`ENABLE_COEP\` | \`true\` |
| \`NEXTAUTH_TRUST_HOST\` | \`false\` |
| \`NEXTAUTH_DEBUG\` | \`false\` (or unset) |
| \`NEXT_PUBLIC_SENTRY_DSN\`, \`SENTRY_*\` | production Sentry project |

## Deploy

1. Merge to \`main\`. The workflow installs, runs \`prisma migrate deploy\`, builds with
   \`npm run build-ci\` and deploys.
2. After the deploy, the workflow syncs the Stripe catalog (\`npm run sync-stripe\` does the same from a
   laptop with a \`.env\`).
3. Check \`https://app.acme-saas.com/api/health\` returns 200 with the new version.

Never run \`prisma db push\` against production: it bypasses migration history.

## Rollback

1. In Vercel → Deployments, promote the previous production deployment (the one built from the
   previous release tag, e.g. \`v1.5.0\`). This takes effect in seconds and does not touch the database.
2. Migrations are forward-only. If the release included a migration, check
   [migration-operations-runbook.md](migration-operations-runbook.md): additive migrations stay in place
   (the previous release ignores new tables and columns); a destructive one needs a restore.
3. If the release is broken beyond the app (data written in a new format), restore the database from
   the latest backup following the runbook, then redeploy the previous tag.
4. Post in #incidents with the deployment id and the reason, and open an issue for the fix.
`;

const BILLING_GUIDE = `# Billing integration guide

Stripe is the source of truth for plans; the app keeps a copy in the \`Service\` and \`Price\` tables.

- Products carry \`metadata.tier\`: \`free\` or \`business\`. \`/pricing\` lists every product with a tier;
  team billing pages list \`business\` plans only.
- Plan features (entitlements) come from the product's marketing features: \`api_keys\`, \`webhooks\`,
  \`team_audit_log\`, \`sso\`, \`directory_sync\`.
- After changing products or prices in Stripe, run \`npm run sync-stripe\` (or let the deploy workflow do
  it): it calls \`POST /api/admin/stripe/sync\` with the \`x-stripe-sync-secret\` header.

## Webhooks

Endpoint: \`https://app.acme-saas.com/api/webhooks/stripe\`, signed with \`STRIPE_WEBHOOK_SECRET\`.
Events: \`checkout.session.completed\`, \`customer.subscription.created\`,
\`customer.subscription.updated\`, \`customer.subscription.deleted\`, \`customer.updated\`,
\`invoice.payment_failed\`, \`invoice.payment_succeeded\`, \`price.created\`, \`price.updated\`,
\`product.created\`, \`product.updated\`.

Unsigned or wrongly signed requests are refused with 400. Stripe retries failed deliveries for three
days; the handler is idempotent on the event id.
`;

const MIGRATION_RUNBOOK = `# Migration operations runbook

Migrations live in \`prisma/migrations\` and are applied by \`npx prisma migrate deploy\` in the deploy
workflow. \`prisma db push\` is for local development only (\`npm run setup:db\`).

## Failure classification

1. **Connectivity/permission issue**: DB unavailable, wrong \`DATABASE_URL\`, missing privileges.
2. **Data constraint conflict**: existing rows violate the new constraint or index.
3. **SQL/runtime error in migration**: invalid SQL, lock timeout, incompatible operation.

### A. Connectivity/permission issue

Fix connectivity, network or secret configuration, then re-run \`npx prisma migrate deploy\`.

### B. Data conflict issue

Back up the affected rows, prepare a corrective SQL/data patch, apply it (in a maintenance window if
needed), then re-run the deploy.

### C. Broken migration script

Stop the rollout, create a new forward migration that amends the issue, validate it on staging with a
production-like snapshot, and deploy again.

## Before merging a migration

- Prefer additive changes. Split renames and type changes into expand / migrate / contract releases.
- \`CREATE INDEX CONCURRENTLY\` on large tables (in its own migration, outside a transaction).

## Failures

- **P3009** (a failed migration is recorded): find it with
  \`SELECT migration_name, started_at, logs FROM _prisma_migrations WHERE finished_at IS NULL AND rolled_back_at IS NULL;\`
  fix the cause, then \`npx prisma migrate resolve --rolled-back <name>\` (or \`--applied\` if it was
  completed by hand) and deploy again.
- **P3018** (a migration failed to apply): the transaction was rolled back; read the error, fix the
  migration in a new commit, then resolve as above.
- **P3005** (schema not empty): the database predates migrations; baseline it with
  \`prisma migrate resolve --applied <first migration>\`.

## Restore

Backups: daily snapshots and point-in-time recovery (7 days) at the provider. Restore into a new
instance, verify row counts of \`User\`, \`Team\`, \`Subscription\`, then switch \`DATABASE_URL\`.
`;

const RELEASE_CHECKLIST = `# Release checklist

## Build and warning gates

- [ ] \`npm run build\` completes for release environment configuration.
- [ ] Build output does **not** include the browser baseline warning (\`outdated dataset currency\`).
- [ ] Build output does not contain new untriaged warnings compared to the previous release baseline.

## Dependency hygiene

- [ ] Browser baseline dependency chain (\`autoprefixer\` → \`browserslist\` → \`baseline-browser-mapping\`) is within SLA (updated within the last 30 days of upstream release).
- [ ] Dependabot PRs for the \`browser-baseline\` group (\`autoprefixer\`) are reviewed and either merged or explicitly deferred with rationale.

## Release

- [ ] CI green on \`main\`; release notes drafted.
- [ ] New migrations reviewed for locking and destructive statements.
- [ ] Production environment variables unchanged or updated (see deployment guide).
- [ ] Production readiness gate passes.
- [ ] Tag the release (\`vX.Y.Z\`) after the deploy succeeded.
- [ ] Smoke test: login, sign-up, pricing, a test webhook from the Stripe dashboard.
- [ ] Stripe catalog synced (\`npm run sync-stripe\`).
- [ ] Sentry: no new error spike 30 minutes after the deploy.
`;

const COMMANDS_PLAYBOOK = `# Environment commands playbook

| Task | Development | Production |
|---|---|---|
| Create/update schema | \`npm run setup:db\` (\`prisma db push\`) | never: \`npm run migrate:deploy\` |
| Apply migrations | \`npx prisma migrate dev\` | \`npx prisma migrate deploy\` (deploy workflow) |
| Build | \`npm run build\` | \`npm run build-ci\` |
| Sync Stripe plans | \`npm run sync-stripe\` (test keys) | \`npm run sync-stripe\` with production \`.env\` |
| Reset the Stripe catalog | \`npm run stripe:cleanup\` (archives every active product and price) | never, unless explicitly approved and planned |
| Health | \`curl localhost:4002/api/health\` | \`curl https://app.acme-saas.com/api/health\` |

Production rules:

- Never run \`npm run setup:db\`.
- Never run \`prisma db push\`.
- Never run \`npm run stripe:cleanup\` in production unless explicitly approved and planned.
`;
