/**
 * Named sandbox scenarios: `good` is a production-ready deployment; every other scenario switches on
 * one misconfiguration. A scenario is data: changes to the environment and options for the servers,
 * applied by `startSandbox` on top of the good baseline. New scenarios (expired certificate, missing
 * HSTS, a webhook route that accepts unsigned events, a failed migration row, …) are new entries,
 * plus a new option here when the baseline cannot express them yet.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AppDefects, EdgeHeaders } from './app-http.js';
import type { Flavour } from './flavours.js';
import { BROWSER_DATA_FILE, browserData, type FileChange, type FixtureCommit } from './fixture-repo.js';
import { PRICING_PAGE } from './fixture-app.js';
import type { SentryAlertRule } from './sentry-server.js';
import type { StripeCatalog, StripeWebhookEndpoint } from './stripe-server.js';
import type { Migration } from './schema.js';
import {
  DRIFTED_MIGRATION,
  DRIFTED_SCHEMA,
  migrationFile,
  migrationFiles,
  SERVICE_SLUG,
  SERVICE_SLUG_SCHEMA,
  SUBSCRIPTION_SEATS,
  SUBSCRIPTION_SEATS_SCHEMA,
  TEAM_BILLING_UNIQUE,
  TEAM_BILLING_UNIQUE_SCHEMA,
  TEAM_CLEANUP,
  TEAM_CLEANUP_SCHEMA,
  WEBHOOK_EVENT_HOTFIX,
} from './scenario-migrations.js';

/** Values a scenario can derive its environment from (generated per run, never committed). */
export interface ScenarioContext {
  /** The app's canonical origin with the given scheme (`https://app.acme-saas.com`, plus a port without root). */
  appOrigin(scheme?: 'https' | 'http'): string;
  /** A fresh Stripe API key of the given mode and kind, known to the sandbox Stripe server. */
  stripeKey(mode: 'live' | 'test', kind?: 'sk' | 'rk'): string;
  /** A fresh random secret (base64url of `bytes` random bytes). */
  randomSecret(bytes?: number): string;
}

/** What a scenario's repository files may be computed from (at start, like the keys they may hold). */
export interface FixtureContext extends ScenarioContext {
  /** The deployment's variables: what the running app uses. */
  appEnv: Readonly<Record<string, string>>;
}

/** A variable's new value; `null` removes the variable. */
export type EnvChange = string | null | ((ctx: ScenarioContext) => string);

export type FixtureFiles = Record<string, FileChange>;

/** A webhook endpoint as the Stripe account holds it (its mode follows the key that reads it). */
export type WebhookEndpoint = Omit<StripeWebhookEndpoint, 'livemode'>;

export interface Scenario {
  description: string;
  /** Which app the deployment runs (./flavours.ts): the guide's (default) or the Auth.js v5 one. */
  flavour?: Flavour;
  /** Changes to the deployment's variables: what the gate is given and what the running app uses. */
  env?: Record<string, EnvChange>;
  /**
   * Changes to what the gate is given only; the running app keeps the baseline value (a variable
   * missing from the CI step, while the hosting platform has it).
   */
  gateEnv?: Record<string, EnvChange>;
  /** DATABASE_URL query parameters over the baseline's; `null` removes one. */
  databaseUrlParams?: Record<string, string | null>;
  postgres?: {
    /** Default true. */
    tls?: boolean;
    /** Who signs the database's certificate: the CA given to the gate (default), or one it does not know. */
    certIssuer?: 'sandbox-ca' | 'foreign-ca';
  };
  app?: {
    /** The platform's plain-HTTP behaviour (default `redirect`). */
    http?: 'redirect' | 'serve' | 'off';
    /**
     * The certificate the platform serves for the app's host, issued by the sandbox CA (default: for
     * the app's host, valid from yesterday for 90 days). `expiresInDays` sets notAfter that many days
     * from now (negative: expired), plus an hour when positive, so the whole days left read exactly
     * that during a run.
     */
    certificate?: { hosts?: string[]; expiresInDays?: number };
    /** The platform edge (CDN, reverse proxy) rewriting the app's response headers. */
    edge?: EdgeHeaders;
    /** Defects of the deployed build (code, not configuration). */
    defects?: AppDefects;
    /** Paths outside next.config `headers()` and the middleware matcher (./app.ts, unmatchedPaths). */
    unmatchedPaths?: string[];
    /** The origin the app sees behind its proxy, which it builds absolute URLs from (./app.ts, internalOrigin). */
    internalOrigin?: string;
    /**
     * What the platform edge does with a request whose Host names another host (TLS server name
     * still the app's): `refuse` (default: 421, as platforms that route by Host do) or `serve` (a
     * proxy that passes any Host through to the app).
     */
    unknownHost?: 'refuse' | 'serve';
  };
  /**
   * The auth library the release installs: the next-auth version its lockfile pins (default
   * 4.24.13, as the real app's), which the sandbox app then emulates, and whether lib/auth.ts passes
   * `trustHost` (default true, the app's `@ts-ignore` line; false: an Auth.js v5 config without it).
   */
  auth?: { nextAuth?: string; passesTrustHost?: boolean };
  /** Whether the database holds the synced Stripe catalog at start (default true). */
  catalogSynced?: boolean;
  stripe?: {
    /** Changes to the Stripe account's catalog before the last sync (so the database has them too). */
    catalog?: (catalog: StripeCatalog) => void;
    /** Changes made in Stripe after the last sync (the database does not have them). */
    afterSync?: (catalog: StripeCatalog) => void;
    /** The account's webhook endpoints, from the app's (enabled, every event it handles). */
    webhookEndpoints?: (app: WebhookEndpoint) => WebhookEndpoint[];
  };
  sentry?: {
    /** The project's issue alert rules (default: one active "new issue" email rule). */
    alertRules?: SentryAlertRule[];
  };
  /**
   * Action inputs the team gives the gate in this scenario, over the sandbox's (e.g.
   * `scan-history: 'true'`); they are part of `Sandbox.inputs`.
   */
  gateInputs?: Record<string, string>;
  /**
   * Files added, replaced, edited (a function of the current text) or removed (null) in the fixture
   * repository, in a commit after the release; a function of the run's values when they must hold
   * one (a committed key).
   */
  fixtureFiles?: FixtureFiles | ((ctx: FixtureContext) => FixtureFiles);
  /** The message of that commit. */
  fixtureMessage?: string;
  /** Further commits after that one, in order: history (a secret committed, then removed). */
  fixtureCommits?: (ctx: FixtureContext) => FixtureCommit[];
  /**
   * The database's history after the release's migrations: `deploy` runs `prisma migrate deploy`
   * (the vendored CLI's own logic, as the app's role) on these migrations once the Stripe catalog is
   * synced. A migration that fails stays recorded as Prisma records it (a failed row with its logs).
   */
  database?: {
    deploy?: readonly Migration[];
    /** SQL run as the app's role after the catalog sync: rows production has (a duplicate, a NULL). */
    seed?: string;
    /** A session kept open while the gate runs, as the app's role: `sql` runs in it (`BEGIN; SELECT …` leaves it idle in a transaction). */
    session?: { application: string; sql: string };
  };
  /** The registry npm is configured for: `reachable: false` names one nothing answers at. */
  registry?: { reachable?: boolean };
  /**
   * What the gate should conclude (default `fail-on: fail`): the verdict, and the rules that should not
   * pass (warn or fail). For the gate's end-to-end tests and the demo.
   */
  expect: { ready: boolean; notPassing: string[] };
}

/**
 * The rules that make HTTPS requests to the app: all of them fail when its certificate is refused.
 * smoke.team-flow skips then (its smoke account cannot sign in: smoke.login-flow says why), and
 * smoke.sentry posts to the Sentry ingest (an unreadable CSP is only noted).
 */
const APP_HTTPS_PROBES = [
  'smoke.health',
  'smoke.auth-pages',
  'smoke.auth-providers',
  'smoke.register-api',
  'smoke.login-flow',
  'smoke.billing-plans',
  'smoke.stripe-webhook',
  'smoke.feature-gates',
  'security.tls',
  'security.hsts',
  'security.csp',
  'security.coep',
  'security.headers',
  'security.cookies',
  'security.origin',
  'stripe.sync-endpoint',
] as const;

export const SCENARIOS: Record<string, Scenario> = {
  good: {
    description: 'A production-ready deployment: every check should pass.',
    expect: { ready: true, notPassing: [] },
  },
  'http-app-url': {
    description: 'APP_URL is http:// (the app itself still serves https).',
    env: { APP_URL: (ctx) => ctx.appOrigin('http') },
    expect: { ready: false, notPassing: ['config.app-url', 'config.nextauth-url'] },
  },
  'nextauth-url-mismatch': {
    description: 'NEXTAUTH_URL points at another origin (the marketing site) than APP_URL.',
    env: { NEXTAUTH_URL: 'https://www.acme-saas.com' },
    expect: { ready: false, notPassing: ['config.nextauth-url'] },
  },
  'weak-nextauth-secret': {
    description: 'NEXTAUTH_SECRET is the placeholder "changeme".',
    env: { NEXTAUTH_SECRET: 'changeme' },
    expect: { ready: false, notPassing: ['config.nextauth-secret'] },
  },
  'test-stripe-key': {
    description: 'STRIPE_SECRET_KEY is a test-mode key (sk_test_…): the account answers in test mode.',
    env: { STRIPE_SECRET_KEY: (ctx) => ctx.stripeKey('test') },
    expect: { ready: false, notPassing: ['config.stripe-secret-key', 'stripe.live-mode'] },
  },
  'unsafe-flags': {
    description: 'ENABLE_HSTS=false, NEXTAUTH_TRUST_HOST unset (the app then trusts the Host header), NEXTAUTH_DEBUG=true.',
    env: { ENABLE_HSTS: 'false', NEXTAUTH_TRUST_HOST: null, NEXTAUTH_DEBUG: 'true' },
    expect: {
      ready: false,
      notPassing: ['config.enable-hsts', 'config.nextauth-trust-host', 'config.nextauth-debug', 'security.hsts'],
    },
  },
  'db-no-tls': {
    description: 'PostgreSQL without TLS, and DATABASE_URL without sslmode.',
    postgres: { tls: false },
    databaseUrlParams: { sslmode: null },
    expect: { ready: false, notPassing: ['config.database-url', 'config.database-tls'] },
  },
  'db-untrusted-cert': {
    description:
      "PostgreSQL's certificate comes from a CA the gate is not given, and DATABASE_URL says sslmode=require: the connection is encrypted but the server is not verified.",
    postgres: { certIssuer: 'foreign-ca' },
    databaseUrlParams: { sslmode: 'require' },
    expect: { ready: true, notPassing: ['config.database-url', 'config.database-tls'] },
  },
  'failed-migration': {
    description:
      'The last deploy failed in `prisma migrate deploy`: 20240923091500_service_slug adds a required column to the non-empty "Service" table (23502), and its row stays with finished_at and rolled_back_at NULL, so every deploy now stops with P3009. The file is unchanged, so gate.migration-safety says it fails again once resolved, and the migrate step does not run.',
    fixtureFiles: { ...migrationFiles(SERVICE_SLUG), 'prisma/schema.prisma': SERVICE_SLUG_SCHEMA },
    fixtureMessage: 'Add a slug to plans',
    database: { deploy: [SERVICE_SLUG] },
    expect: { ready: false, notPassing: ['gate.migration-safety', 'gate.migrations'] },
  },
  'drifted-migration': {
    description:
      "The release's last migration (already applied) was edited in the repository afterwards: its migration.sql no longer matches the checksum recorded in _prisma_migrations.",
    fixtureFiles: { [migrationFile(DRIFTED_MIGRATION)]: DRIFTED_MIGRATION.sql, 'prisma/schema.prisma': DRIFTED_SCHEMA },
    fixtureMessage: 'Index Invoice.subscriptionId',
    expect: { ready: false, notPassing: ['gate.migrations'] },
  },
  'missing-migration-file': {
    description:
      'A migration was deployed from a hotfix branch that was never merged: applied in the database, absent from prisma/migrations.',
    database: { deploy: [WEBHOOK_EVENT_HOTFIX] },
    expect: { ready: true, notPassing: ['gate.migrations'] },
  },
  'pending-destructive-migration': {
    description:
      'A new, not yet applied migration drops Team.billingProvider, narrows ApiKey.name to VARCHAR(100) (SET DATA TYPE) and creates an index on the live "Subscription" table without CONCURRENTLY.',
    fixtureFiles: { ...migrationFiles(TEAM_CLEANUP), 'prisma/schema.prisma': TEAM_CLEANUP_SCHEMA },
    fixtureMessage: 'Team cleanup: drop billingProvider, bound API key names',
    expect: { ready: true, notPassing: ['gate.migration-safety'] },
  },
  'pending-unique-on-duplicates': {
    description:
      'A new, not yet applied migration makes Team.billingId unique (`@unique`: CREATE UNIQUE INDEX), while two teams of production share a Stripe customer after a merge: `migrate deploy` will fail with 23505, and Prisma would then block every deploy (P3009).',
    fixtureFiles: { ...migrationFiles(TEAM_BILLING_UNIQUE), 'prisma/schema.prisma': TEAM_BILLING_UNIQUE_SCHEMA },
    fixtureMessage: 'One team per Stripe customer',
    database: {
      seed: `INSERT INTO "Team" ("id", "name", "slug", "billingId", "billingProvider") VALUES
        ('team_globex', 'Globex', 'globex', 'cus_PqMerged0001', 'stripe'),
        ('team_globex_eu', 'Globex EU', 'globex-eu', 'cus_PqMerged0001', 'stripe')`,
    },
    expect: { ready: false, notPassing: ['gate.migration-safety'] },
  },
  'pending-migration-behind-session': {
    description:
      'A new migration adds a nullable column to "Subscription" (a brief ACCESS EXCLUSIVE lock the lint lets pass), while a reporting session (Metabase) sits idle in a transaction that read the table: `migrate deploy` will wait behind it, and every query of the app on "Subscription" will queue behind the migration.',
    fixtureFiles: { ...migrationFiles(SUBSCRIPTION_SEATS), 'prisma/schema.prisma': SUBSCRIPTION_SEATS_SCHEMA },
    fixtureMessage: 'Seats on subscriptions',
    database: { session: { application: 'Metabase', sql: 'BEGIN; SELECT count(*) FROM "Subscription"' } },
    expect: { ready: false, notPassing: ['gate.migration-safety'] },
  },
  'db-push-in-deploy': {
    description:
      'The deploy workflow runs `npm run release` in a multi-line run block; release = `npm run db:sync && next build`, and db:sync = `prisma db push --accept-data-loss`.',
    fixtureFiles: {
      'package.json': (text) =>
        editJson(text, (pkg: { scripts: Record<string, string> }) => {
          pkg.scripts.release = 'npm run db:sync && next build';
          pkg.scripts['db:sync'] = 'prisma db push --accept-data-loss';
        }),
      '.github/workflows/deploy.yml': (text) =>
        replaceOnce(
          text,
          '      - name: Apply database migrations\n        run: npx prisma generate && npm run migrate:deploy\n\n      - name: Build\n        run: npm run build-ci\n',
          '      - name: Release\n        run: |\n          npx prisma generate\n          npm run release\n',
        ),
    },
    fixtureMessage: 'Deploy: one release script',
    expect: { ready: false, notPassing: ['gate.no-db-push'] },
  },
  'stripe-cleanup-after-deploy': {
    description:
      'The deploy workflow runs `npm run stripe:cleanup` in a step after the deploy (meant to tidy the test catalog): with the live key it archives every product and price of the account.',
    fixtureFiles: {
      '.github/workflows/deploy.yml': (text) =>
        `${text}\n      - name: Tidy the Stripe catalog\n        run: npm run stripe:cleanup\n        env:\n          STRIPE_SECRET_KEY: \${{ secrets.STRIPE_SECRET_KEY }}\n`,
    },
    fixtureMessage: 'Deploy: tidy the Stripe catalog after the sync',
    expect: { ready: false, notPassing: ['gate.destructive-commands'] },
  },
  'migrate-reset-in-release': {
    description:
      'The deploy workflow runs `npm run release`; release = `npm run db:fresh && npm run build-ci`, and db:fresh = `prisma migrate reset --force`: every deploy drops the production database and applies the migrations again.',
    fixtureFiles: {
      'package.json': (text) =>
        editJson(text, (pkg: { scripts: Record<string, string> }) => {
          pkg.scripts.release = 'npm run db:fresh && npm run build-ci';
          pkg.scripts['db:fresh'] = 'prisma migrate reset --force';
        }),
      '.github/workflows/deploy.yml': (text) =>
        replaceOnce(
          text,
          '      - name: Apply database migrations\n        run: npx prisma generate && npm run migrate:deploy\n\n      - name: Build\n        run: npm run build-ci\n',
          '      - name: Release\n        run: npx prisma generate && npm run release\n',
        ),
    },
    fixtureMessage: 'Deploy: one release script',
    expect: { ready: false, notPassing: ['gate.destructive-commands'] },
  },
  'db-push-data-loss-in-dockerfile': {
    description:
      'A Dockerfile for the container platform starts the app with `CMD npx prisma db push --accept-data-loss && npm start`: each start syncs the schema without migrations and drops what no longer fits.',
    fixtureFiles: {
      Dockerfile: 'FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build-ci\nEXPOSE 4002\nCMD npx prisma db push --accept-data-loss && npm start\n',
    },
    fixtureMessage: 'Container image for the new platform',
    expect: { ready: false, notPassing: ['gate.no-db-push', 'gate.destructive-commands'] },
  },
  'outdated-browser-data': {
    description:
      "The app's caniuse-lite data is eight months old (its newest browser release is from 245 days ago): `next build` prints browserslist's warning, the release checklist's \"outdated dataset currency\". Needs the build commands (--run-commands on the command line).",
    fixtureFiles: { [BROWSER_DATA_FILE]: () => browserData(new Date(), 245) },
    fixtureMessage: 'Pin the browser data',
    expect: { ready: false, notPassing: ['gate.build'] },
  },
  'vulnerable-next-auth': {
    description:
      "package.json depends on next-auth 4.24.13, locked from the registry, which a critical advisory covers (fixed in 4.24.14; the sandbox's advisory is made up). The sandbox registry serves advisories and package metadata, not tarballs: run this scenario without the build commands (the command line's default).",
    fixtureFiles: { 'package.json': addNextAuthToManifest, 'package-lock.json': addNextAuthToLock },
    fixtureMessage: 'Sign-in with NextAuth',
    expect: { ready: false, notPassing: ['security.dependencies'] },
  },
  'registry-unreachable': {
    description:
      'The app depends on next-auth from the registry (as in vulnerable-next-auth), and the registry npm is configured for does not answer from the runner: the advisories cannot be read, which is not a pass.',
    fixtureFiles: { 'package.json': addNextAuthToManifest, 'package-lock.json': addNextAuthToLock },
    fixtureMessage: 'Sign-in with NextAuth',
    registry: { reachable: false },
    expect: { ready: false, notPassing: ['security.dependencies'] },
  },
  'build-fails': {
    description: '`next build` fails: pages/pricing.tsx reads price.interval, which its Plan type does not have (a type error).',
    fixtureFiles: {
      'pages/pricing.tsx': replaceOnce(
        PRICING_PAGE,
        '<span key={price.id}>{formatAmount(price.amount, price.currency)}</span>',
        '<span key={price.id}>\n                {formatAmount(price.amount, price.currency)} / {price.interval}\n              </span>',
      ),
    },
    fixtureMessage: 'Pricing: show the billing interval',
    expect: { ready: false, notPassing: ['gate.build'] },
  },
  'missing-oauth-secret': {
    description:
      'GITHUB_CLIENT_SECRET is not given to the gate (GitHub refuses secret names starting with GITHUB_, a common slip); the running app has it.',
    gateEnv: { GITHUB_CLIENT_SECRET: null },
    expect: { ready: false, notPassing: ['config.oauth-github'] },
  },

  // --- §3/§4 live probes --------------------------------------------------------------------------
  'expired-cert': {
    description:
      "The app's certificate expired yesterday (the platform's automatic renewal failed): browsers refuse the site, and so does every HTTPS probe of the app.",
    app: { certificate: { expiresInDays: -1 } },
    expect: { ready: false, notPassing: [...APP_HTTPS_PROBES] },
  },
  'cert-expiring-soon': {
    description: "The app's certificate expires in 5 days, under min-cert-days (14): renewal is failing and the site goes down within the week.",
    app: { certificate: { expiresInDays: 5 } },
    expect: { ready: false, notPassing: ['security.tls'] },
  },
  'cert-expiring-in-20-days': {
    description: "The app's certificate expires in 20 days: above min-cert-days (14), under the 30-day warning.",
    app: { certificate: { expiresInDays: 20 } },
    expect: { ready: true, notPassing: ['security.tls'] },
  },
  'wrong-host-cert': {
    description:
      "The load balancer serves the marketing site's certificate (acme-saas.com, www.acme-saas.com), which does not name app.acme-saas.com: every HTTPS probe of the app fails verification.",
    app: { certificate: { hosts: ['acme-saas.com', 'www.acme-saas.com'] } },
    expect: { ready: false, notPassing: [...APP_HTTPS_PROBES] },
  },
  'no-https-redirect': {
    description: 'The platform serves the app over plain HTTP on port 80 instead of redirecting to https://.',
    app: { http: 'serve' },
    expect: { ready: false, notPassing: ['security.tls'] },
  },
  'hsts-too-short': {
    description:
      'The platform edge (a CDN header rule) replaces the app\'s Strict-Transport-Security with `max-age=86400`: one day, under the six months the guide asks, and without includeSubDomains.',
    app: { edge: { 'strict-transport-security': 'max-age=86400' } },
    expect: { ready: false, notPassing: ['security.hsts'] },
  },
  'csp-unsafe-eval': {
    description: "A development build was deployed (NODE_ENV=development): Next's dev CSP adds 'unsafe-eval' to script-src.",
    env: { NODE_ENV: 'development' },
    expect: { ready: false, notPassing: ['security.csp'] },
  },
  'csp-no-object-src': {
    description:
      "The platform edge rewrites the app's Content-Security-Policy and drops its object-src directive (a rule added for an embedded PDF viewer): plugins fall back to default-src 'self', which keeps <object> to the app's own origin. A stricter recommendation, not an exposure: it warns, as CSP Evaluator and Observatory do.",
    app: { edge: { 'content-security-policy': (csp) => (csp ?? '').replace(/object-src [^;]*;\s*/, '') } },
    expect: { ready: true, notPassing: ['security.csp'] },
  },
  'landing-page-without-headers': {
    description:
      "An i18n setting keeps next.config headers() and the middleware matcher off `/`: the landing page answers 200 with no HSTS, CSP, framing, nosniff or COEP/COOP, while the sign-in and pricing pages have them all.",
    app: { unmatchedPaths: ['/'] },
    expect: { ready: false, notPassing: ['security.hsts', 'security.csp', 'security.coep', 'security.headers'] },
  },
  'internal-origin-leak': {
    description:
      'Behind the platform proxy the app sees its internal origin (https://localhost:4002) and builds absolute URLs from it: the Report-To and Reporting-Endpoints of every page and the Location of the middleware\'s login redirect send browsers to localhost.',
    app: { internalOrigin: 'https://localhost:4002' },
    expect: { ready: false, notPassing: ['security.origin'] },
  },
  'coep-missing': {
    description:
      'ENABLE_COEP=true is in the CI secrets given to the gate, but the hosting platform\'s environment lacks it: the deployed app sends no COEP/COOP headers.',
    env: { ENABLE_COEP: null },
    gateEnv: { ENABLE_COEP: 'true' },
    expect: { ready: false, notPassing: ['security.coep'] },
  },
  'insecure-cookies': {
    description:
      "The platform's NEXTAUTH_URL is http:// (the gate is given the right https:// one): NextAuth then sets its cookies without Secure and without the __Secure-/__Host- prefixes, and builds http:// callback URLs.",
    env: { NEXTAUTH_URL: (ctx) => ctx.appOrigin('http') },
    gateEnv: { NEXTAUTH_URL: (ctx) => ctx.appOrigin() },
    expect: { ready: false, notPassing: ['smoke.auth-providers', 'smoke.login-flow', 'security.cookies', 'security.origin'] },
  },
  'wrong-callback-urls': {
    description:
      "The platform's NEXTAUTH_URL is the staging origin (https://staging.acme-saas.com), copied with the other variables; the gate is given the production one. NextAuth's provider callback URLs point at staging.",
    env: { NEXTAUTH_URL: 'https://staging.acme-saas.com' },
    gateEnv: { NEXTAUTH_URL: (ctx) => ctx.appOrigin() },
    expect: { ready: false, notPassing: ['smoke.auth-providers', 'smoke.login-flow', 'security.origin'] },
  },
  'auth-trust-host-false': {
    description:
      "Beside the guide's NEXTAUTH_TRUST_HOST=false the deployment has AUTH_TRUST_HOST=false (meant to keep host trust off): next-auth 4.24.13 tests AUTH_TRUST_HOST for being non-empty, so host trust is on and a forged Host or X-Forwarded-Host replaces NEXTAUTH_URL in the callback URLs, the OAuth redirect_uri and the callback-url cookie.",
    env: { AUTH_TRUST_HOST: 'false' },
    expect: { ready: false, notPassing: ['config.nextauth-trust-host', 'smoke.auth-providers'] },
  },
  'vercel-flag-self-hosted': {
    description:
      "VERCEL=1 was copied into a self-hosted deployment's environment with the rest of a Vercel project's variables: next-auth 4.24.13 trusts the forwarded host as it would behind Vercel's edge, but nothing here sets it, so a forged Host or X-Forwarded-Host replaces NEXTAUTH_URL. The variable alone is only a notice (on Vercel it is safe); the live probe fails.",
    env: { VERCEL: '1' },
    expect: { ready: false, notPassing: ['smoke.auth-providers'] },
  },
  'authjs-v5-untrusted-host': {
    description:
      'The app moved to Auth.js v5 (next-auth 5.0.0-beta.25, an auth config without trustHost) and production has none of AUTH_URL, AUTH_TRUST_HOST, VERCEL or CF_PAGES: Auth.js does not trust the host and answers every /api/auth request with 500 (UntrustedHost), so nobody can sign in.',
    auth: { nextAuth: '5.0.0-beta.25', passesTrustHost: false },
    expect: { ready: false, notPassing: ['config.nextauth-trust-host', 'smoke.auth-providers', 'smoke.login-flow', 'smoke.feature-gates', 'security.cookies'] },
  },
  'authjs-v5-auth-url': {
    description:
      'Auth.js v5 (next-auth 5.0.0-beta.25, an auth config without trustHost) with AUTH_URL set to the production origin: Auth.js trusts the host and builds every URL from AUTH_URL, so a forged Host or X-Forwarded-Host changes nothing.',
    auth: { nextAuth: '5.0.0-beta.25', passesTrustHost: false },
    env: { AUTH_URL: (ctx) => ctx.appOrigin() },
    expect: { ready: true, notPassing: [] },
  },
  'register-api-500': {
    description:
      "The deployed sign-up route cannot load: its serverless bundle lacks a module (output file tracing left @react-email/render out), so Next answers every POST /api/auth/join with 500, an empty one included. (A database fault inside the handler would not show: the handler validates the body before it touches the database.)",
    app: { defects: { failingRoutes: { '/api/auth/join': "Error: Cannot find module '@react-email/render'" } } },
    expect: { ready: false, notPassing: ['smoke.register-api'] },
  },
  'plan-grants-feature': {
    description:
      "The Free plan's Stripe product lists `sso` in its metadata.features (an edit meant for Enterprise), and the sync copied it into \"Service\": free teams get SSO.",
    stripe: {
      catalog: (catalog) => {
        const free = catalog.products.find((p) => p.metadata.tier === 'free')!;
        free.metadata = { ...free.metadata, features: `${free.metadata.features},sso` };
        free.marketing_features = [...free.marketing_features, { name: 'sso' }];
      },
    },
    expect: { ready: false, notPassing: ['smoke.feature-gates'] },
  },

  // --- §1/§5 Stripe ---------------------------------------------------------------------------------
  'no-webhook-endpoint': {
    description: 'The live Stripe account has no webhook endpoint (it was only ever created in test mode): checkouts and renewals never reach the app.',
    stripe: { webhookEndpoints: () => [] },
    expect: { ready: false, notPassing: ['stripe.webhook-endpoint'] },
  },
  'webhook-endpoint-disabled': {
    description: "Stripe disabled the app's webhook endpoint after days of failed deliveries.",
    stripe: { webhookEndpoints: (endpoint) => [{ ...endpoint, status: 'disabled' }] },
    expect: { ready: false, notPassing: ['stripe.webhook-endpoint'] },
  },
  'webhook-missing-events': {
    description:
      "The app's webhook endpoint does not subscribe to customer.subscription.deleted and invoice.payment_failed (created before the app handled them): cancellations and failed payments never reach it.",
    stripe: {
      webhookEndpoints: (endpoint) => [
        { ...endpoint, enabled_events: endpoint.enabled_events.filter((e) => e !== 'customer.subscription.deleted' && e !== 'invoice.payment_failed') },
      ],
    },
    expect: { ready: false, notPassing: ['stripe.webhook-endpoint'] },
  },
  'webhook-accepts-unsigned': {
    description:
      'The deployed webhook route skips signature verification (constructEvent was commented out to replay events with curl, and shipped): anyone can post fake payment events.',
    app: { defects: { webhookSkipsSignature: true } },
    expect: { ready: false, notPassing: ['smoke.stripe-webhook'] },
  },
  'catalog-missing-price': {
    description:
      'A price was added in Stripe after the last `npm run sync-stripe` (Team, EUR monthly): it is missing from "Price", so it cannot be sold.',
    stripe: {
      afterSync: (catalog) => {
        const monthly = catalog.prices.find((p) => p.id === 'price_1OtEamMonthAcme00000002')!;
        catalog.prices.push({ ...monthly, id: 'price_1OtEamMonthEurAcme000008', currency: 'eur', unit_amount: 2700, unit_amount_decimal: '2700', created: Math.floor(Date.now() / 1000) - 3600 });
      },
    },
    expect: { ready: false, notPassing: ['stripe.catalog-sync'] },
  },
  'stale-product': {
    description: 'The Priority Support add-on was archived in Stripe after the last sync: its "Service" row is stale.',
    stripe: {
      afterSync: (catalog) => {
        catalog.products.find((p) => p.name === 'Priority Support')!.active = false;
      },
    },
    expect: { ready: true, notPassing: ['stripe.catalog-sync'] },
  },
  'sync-secret-unset': {
    description:
      'The hosting platform has no STRIPE_SYNC_SECRET (the gate is given one): the sync endpoint answers 503, so `npm run sync-stripe` cannot work.',
    env: { STRIPE_SYNC_SECRET: null },
    gateEnv: { STRIPE_SYNC_SECRET: (ctx) => ctx.randomSecret() },
    expect: { ready: false, notPassing: ['stripe.sync-endpoint'] },
  },
  'plan-missing-from-pricing': {
    description:
      'The Enterprise product lost its `tier` metadata in Stripe (replaced when another field was added in the dashboard) and the sync copied that: /pricing lists only products with a tier, so Enterprise is gone from it.',
    stripe: {
      catalog: (catalog) => {
        const enterprise = catalog.products.find((p) => p.name === 'Enterprise')!;
        const { tier: _dropped, ...rest } = enterprise.metadata;
        enterprise.metadata = rest;
      },
    },
    expect: { ready: false, notPassing: ['smoke.billing-plans'] },
  },

  // --- §4 secrets and operations ------------------------------------------------------------------
  'committed-live-key': {
    description:
      'lib/stripe.ts hard-codes the live STRIPE_SECRET_KEY the app runs with (pasted while debugging a webhook): found by its exact value.',
    fixtureFiles: ({ appEnv }) => ({ 'lib/stripe.ts': stripeModule(`'${appEnv.STRIPE_SECRET_KEY}'`) }),
    fixtureMessage: 'Billing: one Stripe client',
    expect: { ready: false, notPassing: ['security.committed-secrets'] },
  },
  'committed-restricted-key': {
    description:
      "scripts/mrr-report.ts holds a restricted live Stripe key (rk_live_…) the gate is not given: found by its shape, not its value.",
    fixtureFiles: (ctx) => ({ 'scripts/mrr-report.ts': mrrReport(`'${ctx.stripeKey('live', 'rk')}'`) }),
    fixtureMessage: 'Add a monthly revenue report script',
    expect: { ready: false, notPassing: ['security.committed-secrets'] },
  },
  'live-key-in-history': {
    description:
      'The live STRIPE_SECRET_KEY was committed in scripts/mrr-report.ts and removed in the next commit, but never rotated: only `scan-history: true` (given here) finds it.',
    gateInputs: { 'scan-history': 'true' },
    fixtureCommits: ({ appEnv }) => [
      { message: 'Add a monthly revenue report script', files: { 'scripts/mrr-report.ts': mrrReport(`'${appEnv.STRIPE_SECRET_KEY}'`) } },
      { message: 'mrr-report: read the key from the environment', files: { 'scripts/mrr-report.ts': mrrReport('process.env.STRIPE_SECRET_KEY ?? \'\'') } },
    ],
    expect: { ready: false, notPassing: ['security.committed-secrets'] },
  },
  'tracked-env-file': {
    description: '`vercel env pull .env.production` wrote the production variables to a file .gitignore does not cover, and it was committed.',
    fixtureFiles: ({ appEnv }) => ({
      '.env.production': `# Created by Vercel CLI\n${Object.entries(appEnv).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n')}\n`,
    }),
    fixtureMessage: 'Production env for local debugging',
    expect: { ready: false, notPassing: ['security.committed-secrets'] },
  },
  'workflow-literal-secret': {
    description:
      'The deploy workflow sets STRIPE_SECRET_KEY to the live key as a literal (the secret "was not picked up") and NEXTAUTH_DEBUG: true.',
    fixtureFiles: ({ appEnv }) => ({
      '.github/workflows/deploy.yml': (text) =>
        replaceOnce(
          text,
          '      SENTRY_AUTH_TOKEN: ${{ secrets.SENTRY_AUTH_TOKEN }}\n',
          `      SENTRY_AUTH_TOKEN: \${{ secrets.SENTRY_AUTH_TOKEN }}\n      STRIPE_SECRET_KEY: ${appEnv.STRIPE_SECRET_KEY}\n      NEXTAUTH_DEBUG: true\n`,
        ),
    }),
    fixtureMessage: 'Deploy: fix the Stripe key in the build',
    expect: { ready: false, notPassing: ['security.committed-secrets', 'security.workflow-secrets'] },
  },
  'no-alert-rules': {
    description: 'The Sentry project has no alert rules: errors are recorded, nobody is told.',
    sentry: { alertRules: [] },
    expect: { ready: false, notPassing: ['security.monitoring'] },
  },
  'no-backup-attestation': {
    description: "The gate's config attests no backup policy (operations.backups was dropped when the file was reorganised).",
    fixtureFiles: { '.github/production-readiness.yml': (text) => replaceOnce(text, /^ {2}backups:\n(?: {4}.*\n)+/m, '') },
    fixtureMessage: 'Readiness config: reorganise',
    expect: { ready: false, notPassing: ['security.backups'] },
  },
  'no-rollback-docs': {
    description: 'The deployment guide was rewritten for a new platform and lost its Rollback section; the runbook has none either.',
    fixtureFiles: { 'docs/deployment-guide.md': (text) => replaceOnce(text, /\n## Rollback\n[\s\S]*$/, '\n') },
    fixtureMessage: 'Docs: deployment guide for the new platform',
    expect: { ready: false, notPassing: ['security.rollback'] },
  },
  'missing-docs': {
    description: 'docs/release-checklist.md was deleted (README still links it).',
    fixtureFiles: { 'docs/release-checklist.md': null },
    fixtureMessage: 'Docs: remove the outdated release checklist',
    expect: { ready: true, notPassing: ['security.docs'] },
  },

  // --- other apps of the stack (./flavours.ts) ---------------------------------------------------
  'authjs-pnpm': {
    description:
      'An Auth.js v5 app on the app router, installed with pnpm, with its own names (NEXT_PUBLIC_APP_URL, AUTH_URL, AUTH_SECRET, AUTH_GITHUB_ID, STRIPE_API_KEY, price ids), no sign-up API, no sync endpoint and no Sentry: production-ready except for the monitoring the guide requires.',
    flavour: 'authjs-pnpm',
    expect: { ready: false, notPassing: ['security.monitoring'] },
  },
  'authjs-no-health-route': {
    description: 'The Auth.js v5 app without a health route (app/api/health/route.ts removed): nothing proves a deployment reaches its database.',
    flavour: 'authjs-pnpm',
    fixtureFiles: { 'app/api/health/route.ts': null },
    fixtureMessage: 'Remove the health route',
    app: { defects: { removedRoutes: ['/api/health'] } },
    expect: { ready: false, notPassing: ['smoke.health', 'security.monitoring'] },
  },
  'authjs-webhook-missing-event': {
    description:
      "The Auth.js v5 app's handler acts on checkout.session.completed and invoice.payment_succeeded; its Stripe endpoint was created for checkout only: renewals never reach it.",
    flavour: 'authjs-pnpm',
    stripe: { webhookEndpoints: (endpoint) => [{ ...endpoint, enabled_events: ['checkout.session.completed', 'customer.subscription.updated'] }] },
    expect: { ready: false, notPassing: ['stripe.webhook-endpoint', 'security.monitoring'] },
  },
  'authjs-register-catch-all': {
    description:
      "The team copied the guide's config: paths.register /auth/join, so the gate would post to /api/auth/join, which only Auth.js's catch-all answers (400 \"Bad request.\"): not a sign-up API.",
    flavour: 'authjs-pnpm',
    fixtureFiles: { '.github/production-readiness.yml': (text) => `${text ?? ''}paths:\n  register: /auth/join\n` },
    fixtureMessage: 'Readiness config: the sign-up routes',
    expect: { ready: false, notPassing: ['smoke.auth-pages', 'smoke.register-api', 'security.monitoring'] },
  },
  'authjs-mysql-migration': {
    description:
      "The Auth.js v5 app's new migration was generated against a MySQL database (backquotes, ENGINE=InnoDB) and the history has no migration_lock.toml: PostgreSQL would refuse it on the production deploy.",
    flavour: 'authjs-pnpm',
    fixtureFiles: {
      'prisma/migrations/migration_lock.toml': null,
      'prisma/migrations/20240926090000_user_preferences/migration.sql': [
        '-- CreateTable',
        'CREATE TABLE `UserPreference` (',
        '    `id` VARCHAR(191) NOT NULL,',
        '    `userId` VARCHAR(191) NOT NULL,',
        "    `theme` VARCHAR(191) NOT NULL DEFAULT 'system',",
        '    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),',
        '',
        '    UNIQUE INDEX `UserPreference_userId_key`(`userId`),',
        '    PRIMARY KEY (`id`)',
        ') DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci ENGINE=InnoDB;',
        '',
      ].join('\n'),
    },
    fixtureMessage: 'User preferences',
    expect: { ready: false, notPassing: ['gate.migration-dialect', 'gate.migration-safety', 'security.monitoring'] },
  },
  // The third app: the guide's, whose build script pushes the schema (no build-ci script).
  'build-runs-db-push': {
    description:
      "The app's build script is `prisma generate && prisma db push && next build` and it has no build-ci: every platform build, and the gate's own default build, would push the schema to production.",
    fixtureFiles: {
      'package.json': (text) =>
        editJson(text, (pkg: { scripts: Record<string, string> }) => {
          pkg.scripts.build = 'prisma generate && prisma db push && next build';
          delete pkg.scripts['build-ci'];
        }),
      'vercel.json': (text) => replaceOnce(text, 'npm run build-ci', 'npm run build'),
      '.github/workflows/deploy.yml': (text) => replaceOnce(text, '        run: npm run build-ci\n', '        run: npm run build\n'),
    },
    fixtureMessage: 'Build: push the schema before next build',
    expect: { ready: false, notPassing: ['gate.no-db-push', 'gate.build'] },
  },
};

function replaceOnce(text: string | undefined, search: string | RegExp, replace: string): string {
  const found = typeof search === 'string' ? text?.includes(search) : text !== undefined && search.test(text);
  if (!found) throw new Error(`scenario edit: ${JSON.stringify(String(search).slice(0, 60))} not found`);
  return text!.replace(search, replace);
}

/** `lib/stripe.ts`: the app's Stripe client, with the key expression given. */
function stripeModule(key: string): string {
  return `import Stripe from 'stripe';

// TODO: back to process.env.STRIPE_SECRET_KEY once the webhook issue is fixed
export const stripe = new Stripe(${key}, { apiVersion: '2026-10-28.endive' });
`;
}

/** `scripts/mrr-report.ts`: a revenue report run by hand, with the key expression given. */
function mrrReport(key: string): string {
  return `// Monthly recurring revenue from active subscriptions: npx tsx scripts/mrr-report.ts
import Stripe from 'stripe';

const stripe = new Stripe(${key});

async function main() {
  let cents = 0;
  for await (const sub of stripe.subscriptions.list({ status: 'active', limit: 100 })) {
    for (const item of sub.items.data) cents += (item.price.unit_amount ?? 0) * (item.quantity ?? 1);
  }
  console.log(\`MRR: \${(cents / 100).toFixed(2)}\`);
}

main();
`;
}

/** The registry packages npm locked for next-auth 4.24.13 (sandbox/next-auth-lock.json). */
const NEXT_AUTH_LOCK = JSON.parse(readFileSync(fileURLToPath(new URL('./next-auth-lock.json', import.meta.url)), 'utf8')) as {
  dependencies: Record<string, string>;
  packages: Record<string, unknown>;
};

function addNextAuthToManifest(text: string | undefined): string {
  return editJson(text, (pkg: { dependencies: Record<string, string> }) => {
    pkg.dependencies = sortKeys({ ...pkg.dependencies, ...NEXT_AUTH_LOCK.dependencies });
  });
}

/** package-lock.json with next-auth's entries, in npm's order (the root, then paths sorted). */
function addNextAuthToLock(text: string | undefined): string {
  return editJson(text, (lock: { packages: Record<string, { dependencies?: Record<string, string> }> }) => {
    const root = lock.packages['']!;
    root.dependencies = sortKeys({ ...root.dependencies, ...NEXT_AUTH_LOCK.dependencies });
    const entries = { ...lock.packages, ...NEXT_AUTH_LOCK.packages } as typeof lock.packages;
    // The registry's next-auth replaces the version-only stand-in, as npm would write it.
    delete entries['vendor/next-auth'];
    lock.packages = { '': root, ...Object.fromEntries(Object.keys(entries).filter((k) => k !== '').sort((a, b) => a.localeCompare(b, 'en')).map((k) => [k, entries[k]!])) };
  });
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b, 'en')));
}

function editJson<T>(text: string | undefined, edit: (value: T) => void): string {
  const value = JSON.parse(text ?? '{}') as T;
  edit(value);
  return `${JSON.stringify(value, null, 2)}\n`;
}
