/**
 * Named sandbox scenarios: `good` is a production-ready deployment; every other scenario switches on
 * one misconfiguration. A scenario is data: changes to the environment and options for the servers,
 * applied by `startSandbox` on top of the good baseline. New scenarios (expired certificate, missing
 * HSTS, a webhook route that accepts unsigned events, a failed migration row, …) are new entries,
 * plus a new option here when the baseline cannot express them yet.
 */
import type { FileChange } from './fixture-repo.js';
import { PRICING_PAGE } from './fixture-app.js';
import type { Migration } from './schema.js';
import {
  DRIFTED_MIGRATION,
  DRIFTED_SCHEMA,
  migrationFile,
  migrationFiles,
  SERVICE_SLUG,
  SERVICE_SLUG_SCHEMA,
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

/** A variable's new value; `null` removes the variable. */
export type EnvChange = string | null | ((ctx: ScenarioContext) => string);

export interface Scenario {
  description: string;
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
  };
  /** Whether the database holds the synced Stripe catalog at start (default true). */
  catalogSynced?: boolean;
  /**
   * Files added, replaced, edited (a function of the current text) or removed (null) in the fixture
   * repository, in a commit after the release.
   */
  fixtureFiles?: Record<string, FileChange>;
  /** The message of that commit. */
  fixtureMessage?: string;
  /**
   * The database's history after the release's migrations: `deploy` runs `prisma migrate deploy`
   * (the vendored CLI's own logic, as the app's role) on these migrations once the Stripe catalog is
   * synced. A migration that fails stays recorded as Prisma records it (a failed row with its logs).
   */
  database?: { deploy?: readonly Migration[] };
  /**
   * What the gate should conclude (default `fail-on: fail`): the verdict, and the rules that should not
   * pass (warn or fail). For the gate's end-to-end tests and the demo.
   */
  expect: { ready: boolean; notPassing: string[] };
}

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
      'The last deploy failed in `prisma migrate deploy`: 20240923091500_service_slug adds a required column to the non-empty "Service" table (23502), and its row stays with finished_at and rolled_back_at NULL, so every deploy now stops with P3009.',
    fixtureFiles: { ...migrationFiles(SERVICE_SLUG), 'prisma/schema.prisma': SERVICE_SLUG_SCHEMA },
    fixtureMessage: 'Add a slug to plans',
    database: { deploy: [SERVICE_SLUG] },
    expect: { ready: false, notPassing: ['gate.migrate', 'gate.migrations'] },
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
};

function replaceOnce(text: string | undefined, search: string, replace: string): string {
  if (!text?.includes(search)) throw new Error(`scenario edit: ${JSON.stringify(search.slice(0, 60))} not found`);
  return text.replace(search, replace);
}

function editJson<T>(text: string | undefined, edit: (value: T) => void): string {
  const value = JSON.parse(text ?? '{}') as T;
  edit(value);
  return `${JSON.stringify(value, null, 2)}\n`;
}
