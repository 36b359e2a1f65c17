/**
 * The fault matrix, the services' side: PostgreSQL down, hanging, refusing the password or without
 * TLS; Stripe failing, rate-limiting or hanging; Sentry down; the GitHub API failing or hanging on a
 * pull-request run. The sandbox stays good; each fault is a small server (guarantees/fault-servers.ts)
 * the inputs point at, judged by guarantees/fault-matrix.ts against a baseline run of the same checks.
 *
 * Slow: 60-75 s measured on a loaded 2-core machine. The hanging cases wait for their bounds
 * (timeout-seconds 5; publishing to GitHub is bounded to 30 s, the longest case), and every case is a
 * run of the bundle plus a baseline per selection; they run three at a time.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DB_HOST, SENTRY_INGEST_HOST, type Sandbox } from '../../sandbox/index.js';
import { freePort } from '../../sandbox/net.js';
import { blackHole, freeAddress, jsonApi, postgresWithoutTls, type FaultServer } from '../guarantees/fault-servers.js';
import { sandboxFaultMatrix, type Arranged, type FaultCase } from '../guarantees/fault-matrix.js';

const DB_CHECKS = ['config.app-url', 'config.database-url', 'config.database-tls', 'gate.migrations', 'gate.migration-safety', 'stripe.catalog-sync'];
const DB_RULES = ['config.database-tls', 'gate.migrations', 'gate.migration-safety', 'stripe.catalog-sync'];
const DATABASE = /the database|db\.acme-saas\.com/;
const STRIPE_CHECKS = ['config.stripe-secret-key', 'stripe.live-mode', 'stripe.webhook-endpoint', 'stripe.catalog-sync'];
const STRIPE_RULES = ['stripe.live-mode', 'stripe.webhook-endpoint', 'stripe.catalog-sync'];
const SENTRY_CHECKS = ['config.app-url', 'smoke.sentry', 'security.monitoring'];
const GITHUB_CHECKS = ['config.app-url', 'config.enable-hsts'];

let sandbox: Sandbox;

function resolveTo(host: string, port: number, address: string): string {
  return sandbox.resolve.map((line) => (line.startsWith(`${host}:${port}:`) ? `${host}:${port}:${address}` : line)).join('\n');
}

/** The database host resolved to another address, where `start` puts a fault server (or nothing). */
async function databaseAt(start?: (address: string, port: number) => Promise<FaultServer>): Promise<Arranged> {
  const address = await freeAddress(sandbox.ports.postgres, [sandbox.address, sandbox.ingestAddress]);
  const server = await start?.(address, sandbox.ports.postgres);
  return { inputs: { resolve: resolveTo(DB_HOST, sandbox.ports.postgres, address) }, close: async () => server?.close() };
}

/** `stripe-api-base` pointed at a stand-in. */
async function stripeAt(server: FaultServer): Promise<Arranged> {
  return { inputs: { 'stripe-api-base': server.url }, close: () => server.close() };
}

/** A pull-request run whose GitHub API is `server`. */
function pullRequestAgainst(server: FaultServer): Arranged {
  const eventPath = join(sandbox.dir, `event-${server.port}.json`);
  writeFileSync(eventPath, JSON.stringify({ pull_request: { number: 7, head: { sha: 'feedface'.repeat(5) } }, repository: { name: 'saas', owner: { login: 'acme' } } }));
  const token = `ghs_${'FaultMatrixToken0123'.repeat(2)}`;
  return {
    eventName: 'pull_request',
    inputs: { 'pr-comment': 'true', 'github-token': token },
    env: { GITHUB_API_URL: server.url, GITHUB_EVENT_PATH: eventPath },
    secrets: [token],
    close: () => server.close(),
  };
}

const warnings = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('::warning')).join('\n');

const cases: FaultCase[] = [
  {
    name: 'PostgreSQL is down',
    checks: DB_CHECKS,
    affected: DB_RULES,
    mustChange: DB_RULES,
    component: DATABASE,
    cause: /refused/,
    arrange: () => databaseAt(),
  },
  {
    name: 'PostgreSQL is down, unreachable: warn',
    checks: DB_CHECKS,
    affected: DB_RULES,
    mustChange: DB_RULES,
    component: DATABASE,
    cause: /refused/,
    unreachable: 'warn',
    arrange: () => databaseAt(),
  },
  {
    name: 'PostgreSQL accepts connections and never answers',
    checks: DB_CHECKS,
    affected: DB_RULES,
    mustChange: DB_RULES,
    component: DATABASE,
    cause: /no answer|within|timeout|did not finish/,
    arrange: () => databaseAt((address, port) => blackHole(address, port)),
  },
  {
    name: 'PostgreSQL refuses the password',
    checks: DB_CHECKS,
    affected: DB_RULES,
    mustChange: DB_RULES,
    component: DATABASE,
    cause: /credentials|password|28P01/,
    arrange: async () => {
      const url = new URL(sandbox.env.DATABASE_URL!);
      url.password = 'Wr0ngPassw0rdForTheFaultMatrix';
      return { env: { DATABASE_URL: url.toString() }, secrets: ['Wr0ngPassw0rdForTheFaultMatrix'] };
    },
  },
  {
    name: 'PostgreSQL refuses the password, unreachable: warn: a real failure still blocks',
    checks: DB_CHECKS,
    affected: DB_RULES,
    mustChange: DB_RULES,
    component: DATABASE,
    cause: /credentials|password|28P01/,
    unreachable: 'warn',
    realFailure: true,
    arrange: async () => {
      const url = new URL(sandbox.env.DATABASE_URL!);
      url.password = 'Wr0ngPassw0rdForTheFaultMatrix';
      return { env: { DATABASE_URL: url.toString() }, secrets: ['Wr0ngPassw0rdForTheFaultMatrix'] };
    },
  },
  {
    name: 'PostgreSQL without TLS',
    checks: DB_CHECKS,
    affected: DB_RULES,
    mustChange: DB_RULES,
    component: DATABASE,
    cause: /TLS|SSL/,
    arrange: () => databaseAt((address, port) => postgresWithoutTls(address, port)),
  },
  {
    name: 'Stripe answers 500',
    checks: STRIPE_CHECKS,
    affected: STRIPE_RULES,
    mustChange: STRIPE_RULES,
    component: /Stripe/,
    cause: /500|did not finish/,
    arrange: async () => stripeAt(await jsonApi(500, { error: { type: 'api_error', message: 'An unknown error occurred' } })),
  },
  {
    name: 'Stripe answers 429',
    checks: STRIPE_CHECKS,
    affected: STRIPE_RULES,
    mustChange: STRIPE_RULES,
    component: /Stripe/,
    cause: /429|rate|did not finish/,
    arrange: async () => stripeAt(await jsonApi(429, { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Request rate limit exceeded.' } })),
  },
  {
    name: 'Stripe accepts connections and never answers',
    checks: STRIPE_CHECKS,
    affected: STRIPE_RULES,
    mustChange: STRIPE_RULES,
    component: /Stripe/,
    cause: /did not answer|did not finish|within/,
    arrange: async () => stripeAt(await blackHole()),
  },
  {
    name: 'Stripe never answers, unreachable: warn',
    checks: STRIPE_CHECKS,
    affected: STRIPE_RULES,
    mustChange: STRIPE_RULES,
    component: /Stripe/,
    cause: /did not answer|did not finish|within/,
    unreachable: 'warn',
    arrange: async () => stripeAt(await blackHole()),
  },
  {
    name: 'Sentry is down, unreachable: warn',
    checks: SENTRY_CHECKS,
    affected: ['smoke.sentry', 'security.monitoring'],
    mustChange: ['smoke.sentry'],
    component: /Sentry|sentry\.io/,
    cause: /refused/,
    unreachable: 'warn',
    arrange: async () => {
      const ingest = await freeAddress(sandbox.ports.sentryIngest, [sandbox.address, sandbox.ingestAddress]);
      return { inputs: { resolve: resolveTo(SENTRY_INGEST_HOST, sandbox.ports.sentryIngest, ingest), 'sentry-api-base': `http://127.0.0.1:${await freePort()}` } };
    },
  },
  {
    name: 'Sentry is down (ingest and API)',
    checks: SENTRY_CHECKS,
    affected: ['smoke.sentry', 'security.monitoring'],
    mustChange: ['smoke.sentry'],
    component: /Sentry|sentry\.io/,
    cause: /refused/,
    arrange: async () => {
      const ingest = await freeAddress(sandbox.ports.sentryIngest, [sandbox.address, sandbox.ingestAddress]);
      // A port that was free a moment ago: nothing listens there.
      return { inputs: { resolve: resolveTo(SENTRY_INGEST_HOST, sandbox.ports.sentryIngest, ingest), 'sentry-api-base': `http://127.0.0.1:${await freePort()}` } };
    },
  },
  {
    name: 'the GitHub API answers 500 (a pull-request run)',
    checks: GITHUB_CHECKS,
    affected: [],
    ready: true,
    component: /GitHub/,
    cause: /500/,
    arrange: async () => pullRequestAgainst(await jsonApi(500, { message: 'Server Error' })),
    verify: (run) => assert.match(run.stdout, /^::warning::.*GitHub.*(500|Server Error)/m, `a warning names GitHub and the cause:\n${warnings(run.stdout)}`),
  },
  {
    name: 'the GitHub API never answers (a pull-request run)',
    checks: GITHUB_CHECKS,
    affected: [],
    ready: true,
    component: /GitHub/,
    cause: /did not answer/,
    arrange: async () => pullRequestAgainst(await blackHole()),
    verify: (run) => assert.match(run.stdout, /^::warning::.*GitHub did not answer within \d+ s/m, `a warning names GitHub and the bound:\n${warnings(run.stdout)}`),
  },
];

sandboxFaultMatrix('fault matrix: database, Stripe, Sentry, GitHub', 'faults-services', cases, (started) => (sandbox = started));
