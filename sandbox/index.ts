/**
 * The sandbox: the target app's production deployment, emulated on this machine with real servers.
 *
 *   app.acme-saas.com:443   HTTPS app (./app.ts), cert from the sandbox CA     ┐ one random loopback
 *   app.acme-saas.com:80    platform edge: 301 to https                        │ address 127.x.y.z
 *   db.acme-saas.com:5432   PostgreSQL with TLS (./postgres.ts)                ┘
 *   o<org>.ingest.sentry.io:443  Sentry ingest (HTTPS)                         — a second address
 *   127.0.0.1:<random>      Stripe API (./stripe-server.ts), Sentry web API (./sentry-server.ts),
 *                           the npm registry (./npm-registry.ts, named in the npm user config)
 *
 * The gate reaches the production host names through its `resolve` input (curl-style
 * `host:port:address` lines) and trusts the sandbox CA through `ca-file`; nothing in the URLs it is
 * given says "sandbox". Without root the low ports are unavailable: random high ports are used and
 * appear in the URLs (and in `resolve`).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import Stripe from 'stripe';
import { startApp, AppConfigError, type AppHandle } from './app.js';
import { createCA, issueCert, type CertificateAuthority } from './certs.js';
import { createFixtureRepo } from './fixture-repo.js';
import { IS_ROOT, freePort, pickLoopbackAddress } from './net.js';
import { startPostgres, type PostgresHandle } from './postgres.js';
import { SCENARIOS, type EnvChange, type FixtureContext, type ScenarioContext } from './scenarios.js';
import { deployMigrations, provisionAppDatabase, type AppDatabase } from './schema.js';
import { appWebhookEndpoint, defaultCatalog, startStripeServer, type StripeServerHandle } from './stripe-server.js';
import { startSentryServer, type SentryServerHandle } from './sentry-server.js';
import { seedSmokeAccounts } from './app-accounts.js';
import { appRegistry, startNpmRegistry, type NpmRegistryHandle } from './npm-registry.js';
// The app's secret variables, as the gate knows them: every one present in `env` is in `Sandbox.secrets`.
import { SECRET_VARIABLES } from '../src/target-app.js';
import { syncStripeCatalog } from './stripe-sync.js';
import { flavourEnv, flavourSecretNames, stripeKeyName } from './flavours.js';
// What the release installs, read from its lockfile as any tool would (the gate's lockfile reader).
import { detectAuthLibrary } from '../src/analysis/app/auth-library.js';

export { SCENARIOS, type Scenario } from './scenarios.js';

export const APP_HOST = 'app.acme-saas.com';
export const DB_HOST = 'db.acme-saas.com';
const SENTRY_ORG_ID = '4507283841236992';
const SENTRY_PROJECT_ID = '4507283862339584';
export const SENTRY_INGEST_HOST = `o${SENTRY_ORG_ID}.ingest.sentry.io`;

export interface StartSandboxOptions {
  /** A name from SCENARIOS. Default `good`. */
  scenario?: string;
  /** Working directory (kept after stop). Default: a new temp directory, removed by stop(). */
  dir?: string;
  /** No progress lines on stderr. */
  quiet?: boolean;
  /** Every app response (HTTPS and plain HTTP) waits this long before it is sent: a slow deployment. */
  responseDelayMs?: number;
}

export interface Sandbox {
  scenario: string;
  description: string;
  /** The app's variables as a user would give them to the gate. */
  env: Record<string, string>;
  /** The variables the running app uses (differs from `env` only for `gateEnv` scenarios). */
  appEnv: Record<string, string>;
  /**
   * Gate inputs by action input name: working-directory, resolve, ca-file, stripe-api-base,
   * sentry-api-base, and the scenario's `gateInputs`.
   */
  inputs: Record<string, string>;
  /** Every secret value in `env` (and the database password), to assert that none leaks. */
  secrets: string[];
  repoDir: string;
  /** PEM of the sandbox CA (the `ca-file` input). */
  caFile: string;
  /** `env` as a dotenv file (the `env-file` input / the CLI's `--dotenv`), mode 0600. */
  envFile: string;
  dir: string;
  /** The loopback address of the app and the database. */
  address: string;
  /** The loopback address of the Sentry ingest host. */
  ingestAddress: string;
  hosts: { app: string; db: string; sentryIngest: string };
  ports: { https: number; http: number; postgres: number; sentryIngest: number };
  /** `host:port:address` lines (also `inputs.resolve`, newline-separated). */
  resolve: string[];
  ca: CertificateAuthority;
  /** Undefined when the app refused to boot with its environment (see `appError`). */
  app?: AppHandle;
  appError?: Error;
  stripe: StripeServerHandle;
  sentry: SentryServerHandle;
  postgres: PostgresHandle;
  /** The app's database role and database (DATABASE_URL's user). */
  database: AppDatabase;
  /** The registry npm is configured for (loopback, with a token): advisories and package metadata. */
  registry: NpmRegistryHandle;
  /**
   * The environment of the process that runs the gate, beside the app's variables: the npm user
   * configuration (`NPM_CONFIG_USERCONFIG`, a `.npmrc` naming the registry and its token), as
   * actions/setup-node leaves it for later steps.
   */
  processEnv: Record<string, string>;
  stop(): Promise<void>;
}

export async function startSandbox(options: StartSandboxOptions = {}): Promise<Sandbox> {
  const name = options.scenario ?? 'good';
  const scenario = SCENARIOS[name];
  if (!scenario) throw new Error(`unknown sandbox scenario "${name}"; known: ${Object.keys(SCENARIOS).join(', ')}`);
  const log = options.quiet ? () => undefined : (line: string) => process.stderr.write(`sandbox: ${line}\n`);
  const started = Date.now();

  const ownDir = !options.dir;
  const dir = options.dir ? path.resolve(options.dir) : await fs.mkdtemp(path.join(os.tmpdir(), 'prg-sandbox-'));
  await fs.mkdir(dir, { recursive: true });
  const cleanup: (() => Promise<unknown>)[] = [];
  const stopAll = async () => {
    const errors: unknown[] = [];
    for (const fn of cleanup.splice(0).reverse()) await fn().catch((err: unknown) => errors.push(err));
    if (ownDir) await fs.rm(dir, { recursive: true, force: true }).catch((err: unknown) => errors.push(err));
    if (errors.length) throw new AggregateError(errors, 'sandbox stop failed');
  };

  try {
    // --- network -------------------------------------------------------------------------------
    const address = (await pickLoopbackAddress(IS_ROOT ? [443, 80, 5432] : [])) ?? '127.0.0.1';
    const ingestAddress = (await pickLoopbackAddress(IS_ROOT ? [443] : [], [address])) ?? '127.0.0.1';
    const lowPorts = IS_ROOT && address !== '127.0.0.1' && ingestAddress !== '127.0.0.1';
    const ports = lowPorts
      ? { https: 443, http: 80, postgres: 5432, sentryIngest: 443 }
      : {
          https: await freePort(address),
          http: await freePort(address),
          postgres: await freePort(address),
          sentryIngest: await freePort(ingestAddress),
        };
    const origin = (scheme: 'https' | 'http' = 'https') => {
      const port = scheme === 'https' ? ports.https : ports.http;
      return `${scheme}://${APP_HOST}${port === (scheme === 'https' ? 443 : 80) ? '' : `:${port}`}`;
    };
    const ingestHost = `${SENTRY_INGEST_HOST}${ports.sentryIngest === 443 ? '' : `:${ports.sentryIngest}`}`;
    log(`scenario ${name}; app and database on ${address}, Sentry ingest on ${ingestAddress}`);

    // --- configuration ------------------------------------------------------------------------
    const database: AppDatabase = { role: 'acme_app', password: randomBase62(32), database: 'acme_production' };
    const ctx: ScenarioContext = {
      appOrigin: origin,
      stripeKey: (mode, kind = 'sk') => `${kind}_${mode}_51${randomBase62(97)}`,
      randomSecret: (bytes = 32) => randomBytes(bytes).toString('base64url'),
    };
    const dbParams = new URLSearchParams();
    const params: Record<string, string | null> = {
      sslmode: 'verify-full',
      connect_timeout: '10',
      connection_limit: '10',
      ...scenario.databaseUrlParams,
    };
    for (const [k, v] of Object.entries(params)) if (v !== null) dbParams.set(k, v);
    const query = dbParams.toString();
    const dsnKey = randomBytes(16).toString('hex');
    const baseline: Record<string, string> = {
      APP_URL: origin(),
      NEXTAUTH_URL: origin(),
      DATABASE_URL:
        `postgresql://${database.role}:${database.password}@${DB_HOST}` +
        `:${ports.postgres}/${database.database}${query ? `?${query}` : ''}`,
      NEXTAUTH_SECRET: randomBytes(32).toString('base64'),
      AUTH_PROVIDERS: 'github,credentials',
      GITHUB_CLIENT_ID: `Ov23li${randomBase62(14)}`,
      GITHUB_CLIENT_SECRET: randomBytes(20).toString('hex'),
      STRIPE_SECRET_KEY: ctx.stripeKey('live'),
      STRIPE_WEBHOOK_SECRET: `whsec_${randomBase62(32)}`,
      STRIPE_SYNC_SECRET: randomBytes(32).toString('base64url'),
      ENABLE_HSTS: 'true',
      ENABLE_CSP_STRICT: 'true',
      ENABLE_COEP: 'true',
      NEXTAUTH_TRUST_HOST: 'false',
      NEXTAUTH_DEBUG: 'false',
      NEXT_PUBLIC_SENTRY_DSN: `https://${dsnKey}@${ingestHost}/${SENTRY_PROJECT_ID}`,
      SENTRY_ENVIRONMENT: 'production',
      SENTRY_ORG: 'acme',
      SENTRY_PROJECT: 'acme-saas',
      SENTRY_AUTH_TOKEN: `sntryu_${randomBytes(32).toString('hex')}`,
      FEATURE_TEAM_SSO: 'true',
      FEATURE_TEAM_DSYNC: 'true',
      FEATURE_TEAM_AUDIT_LOG: 'true',
      FEATURE_TEAM_WEBHOOK: 'true',
      FEATURE_TEAM_API_KEY: 'true',
      FEATURE_TEAM_DELETION: 'true',
      FEATURE_TEAM_PAYMENTS: 'true',
    };
    const flavour = scenario.flavour ?? 'guide';
    const appEnv = applyEnv(flavourEnv(flavour, baseline), scenario.env, ctx);
    const env = applyEnv(appEnv, scenario.gateEnv, ctx);
    const fixtureCtx: FixtureContext = { ...ctx, appEnv };

    // --- certificates -------------------------------------------------------------------------
    const ca = createCA('Acme SaaS Sandbox Root CA');
    const appCert = issueCert(ca, { hosts: scenario.app?.certificate?.hosts ?? [APP_HOST], ...certificateDates(scenario.app?.certificate?.expiresInDays) });
    const ingestCert = issueCert(ca, { hosts: [SENTRY_INGEST_HOST] });
    const dbTls = scenario.postgres?.tls ?? true;
    const dbIssuer = scenario.postgres?.certIssuer === 'foreign-ca' ? createCA('Managed Database Provider CA') : ca;
    const dbCert = dbTls ? issueCert(dbIssuer, { hosts: [DB_HOST] }) : undefined;
    const caFile = path.join(dir, 'ca.pem');
    await fs.writeFile(caFile, ca.certPem);

    // --- the npm registry npm is configured for ---------------------------------------------
    const registryToken = `npm_${randomBase62(36)}`;
    const registry = await startNpmRegistry({ ...appRegistry(new Date()), token: registryToken });
    cleanup.push(() => registry.stop());
    // A runner without a route to the registry: the configuration names an address nothing listens on.
    const registryUrl = scenario.registry?.reachable === false ? `http://127.0.0.1:${await freePort()}/` : registry.url;
    const npmUserConfig = path.join(dir, 'npmrc');
    await fs.writeFile(npmUserConfig, `registry=${registryUrl}\n//${new URL(registryUrl).host}/:_authToken=${registryToken}\n`, { mode: 0o600 });

    // --- database and fixture repository (in parallel: PostgreSQL start-up dominates) ----------
    const repoDir = path.join(dir, 'repo');
    const [postgres] = await Promise.all([
      startPostgres({ dir, tls: dbTls, cert: dbCert, listenAddress: address, port: ports.postgres }).then((pgHandle) => {
        cleanup.push(() => pgHandle.stop());
        return pgHandle;
      }),
      createFixtureRepo({
        dir: repoDir,
        files: typeof scenario.fixtureFiles === 'function' ? scenario.fixtureFiles(fixtureCtx) : scenario.fixtureFiles,
        changeMessage: scenario.fixtureMessage,
        commits: scenario.fixtureCommits?.(fixtureCtx),
        flavour,
        // The vendored prisma's /etc/hosts: DATABASE_URL keeps its production host name.
        runtime: { hosts: { [DB_HOST]: address, [APP_HOST]: address, [SENTRY_INGEST_HOST]: ingestAddress } },
        nextAuthVersion: scenario.auth?.nextAuth,
        passesTrustHost: scenario.auth?.passesTrustHost,
      }),
    ]);
    // The app runs the next-auth its release's lockfile pins.
    const authLibrary = await detectAuthLibrary(repoDir);
    if (!authLibrary) throw new Error(`the fixture repository ${repoDir} locks no next-auth`);
    await provisionAppDatabase((db) => postgres.adminClient(db), database);
    log(`PostgreSQL ${dbTls ? 'with TLS' : 'without TLS'} on ${address}:${ports.postgres}, app database migrated`);
    const appDbConfig: pg.PoolConfig = {
      host: address,
      port: ports.postgres,
      user: database.role,
      password: database.password,
      database: database.database,
      // The app is configured with its provider's CA bundle, whichever CA that is.
      ssl: dbTls ? { ca: dbIssuer.certPem, servername: DB_HOST } : false,
    };

    // --- Stripe and Sentry --------------------------------------------------------------------
    const keyName = stripeKeyName(flavour);
    const stripeKeys = [...new Set([env[keyName], appEnv[keyName]].filter((k): k is string => !!k))];
    const catalog = defaultCatalog();
    scenario.stripe?.catalog?.(catalog);
    const appEndpoint = appWebhookEndpoint(origin());
    const stripe = await startStripeServer({
      keys: stripeKeys,
      catalog,
      webhookEndpoints: scenario.stripe?.webhookEndpoints?.(appEndpoint) ?? [appEndpoint],
    });
    cleanup.push(() => stripe.stop());
    if ((scenario.catalogSynced ?? true) && appEnv[keyName]) {
      // What the post-deploy `npm run sync-stripe` left in the database.
      const pool = new pg.Pool({ ...appDbConfig, max: 1 });
      try {
        const client = new Stripe(appEnv[keyName], { ...stripe.sdkOptions });
        await syncStripeCatalog(client, pool);
      } finally {
        await pool.end();
      }
      stripe.requests.length = 0; // the gate's tests assert on the requests the gate makes
    }
    if (scenario.database?.seed) {
      // Rows production has that the release's data does not (as the app's role, like the app writes them).
      const seedClient = await postgres.adminClient(database.database);
      try {
        await seedClient.query(`SET ROLE ${seedClient.escapeIdentifier(database.role)}; ${scenario.database.seed}`);
      } finally {
        await seedClient.end();
      }
    }
    if (scenario.database?.session) {
      // Another session of production, left as it is while the gate runs (a report idle in a transaction).
      const { application, sql } = scenario.database.session;
      const session = new pg.Client({ ...appDbConfig, application_name: application });
      session.on('error', () => undefined);
      await session.connect();
      await session.query(sql);
      cleanup.push(() => session.end());
      log(`a ${application} session holds: ${sql}`);
    }
    if (scenario.database?.deploy?.length) {
      // A past `prisma migrate deploy` (after the catalog sync: some migrations fail on a table with rows).
      const { applied, error } = await deployMigrations((db) => postgres.adminClient(db), database, scenario.database.deploy);
      log(`past deploy: ${applied.length ? `applied ${applied.join(', ')}` : 'nothing applied'}${error ? `, stopped with ${error.code}` : ''}`);
    }
    // The smoke accounts the config's opt-in flows sign in with; their passwords go to the gate only.
    const smokeDb = await postgres.adminClient(database.database);
    const smoke = await seedSmokeAccounts(smokeDb, { catalog }).finally(() => smokeDb.end());
    Object.assign(env, smoke.env);
    // Changes made in Stripe since that sync.
    scenario.stripe?.afterSync?.(stripe.catalog);
    const sentry = await startSentryServer({
      org: baseline.SENTRY_ORG!,
      project: baseline.SENTRY_PROJECT!,
      projectId: SENTRY_PROJECT_ID,
      publicKey: dsnKey,
      authToken: baseline.SENTRY_AUTH_TOKEN!,
      ingest: { address: ingestAddress, port: ports.sentryIngest, cert: ingestCert },
      alertRules: scenario.sentry?.alertRules,
    });
    cleanup.push(() => sentry.stop());

    // --- the app ------------------------------------------------------------------------------
    let app: AppHandle | undefined;
    let appError: Error | undefined;
    try {
      app = await startApp({
        env: appEnv,
        flavour,
        address,
        httpsPort: ports.https,
        httpPort: ports.http,
        http: scenario.app?.http,
        cert: appCert,
        edge: scenario.app?.edge,
        defects: scenario.app?.defects,
        unmatchedPaths: scenario.app?.unmatchedPaths,
        internalOrigin: scenario.app?.internalOrigin,
        hosts: scenario.app?.unknownHost === 'serve' ? undefined : [APP_HOST],
        auth: { version: authLibrary.version, passesTrustHost: scenario.auth?.passesTrustHost },
        responseDelayMs: options.responseDelayMs,
        database: appDbConfig,
        stripeApi: stripe.sdkOptions,
        // Unless quiet, one line per request: shows what the gate probes.
        onLog: (line) => log(`app: ${line}`),
      });
      const appHandle = app;
      cleanup.push(() => appHandle.stop());
      log(`app on https://${APP_HOST}:${ports.https} (${address}), http on port ${ports.http}`);
    } catch (err) {
      // The real app does not boot: nothing listens, like a crashed deployment.
      if (!(err instanceof AppConfigError)) throw err;
      appError = err;
      log(`the app refused to start: ${err.message}`);
    }

    // --- what the gate is given ----------------------------------------------------------------
    const resolve = [
      `${APP_HOST}:${ports.https}:${address}`,
      `${APP_HOST}:${ports.http}:${address}`,
      `${DB_HOST}:${ports.postgres}:${address}`,
      `${SENTRY_INGEST_HOST}:${ports.sentryIngest}:${ingestAddress}`,
    ];
    const inputs: Record<string, string> = {
      'working-directory': repoDir,
      resolve: resolve.join('\n'),
      'ca-file': caFile,
      'stripe-api-base': stripe.url,
      'sentry-api-base': sentry.url,
      ...scenario.gateInputs,
    };
    const secrets = [
      ...new Set([
        ...flavourSecretNames(flavour, SECRET_VARIABLES).map((v) => env[v]).filter((v): v is string => !!v),
        ...Object.values(smoke.env),
        database.password,
        registryToken,
      ]),
    ];
    const envFile = path.join(dir, 'gate.env');
    await fs.writeFile(envFile, toDotenv(env), { mode: 0o600 });
    log(`ready in ${Date.now() - started} ms`);

    let stopping: Promise<void> | undefined;
    return {
      scenario: name,
      description: scenario.description,
      env,
      appEnv,
      inputs,
      secrets,
      repoDir,
      caFile,
      envFile,
      dir,
      address,
      ingestAddress,
      hosts: { app: APP_HOST, db: DB_HOST, sentryIngest: SENTRY_INGEST_HOST },
      ports,
      resolve,
      ca,
      app,
      appError,
      stripe,
      sentry,
      postgres,
      database,
      registry,
      processEnv: { NPM_CONFIG_USERCONFIG: npmUserConfig },
      stop: () => (stopping ??= stopAll()),
    };
  } catch (err) {
    await stopAll().catch(() => undefined);
    throw err;
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** A certificate's validity for `expiresInDays` (see Scenario.app.certificate); the default when undefined. */
function certificateDates(expiresInDays: number | undefined): { notBefore?: Date; notAfter?: Date } {
  if (expiresInDays === undefined) return {};
  const notAfter = new Date(Date.now() + expiresInDays * DAY_MS + (expiresInDays > 0 ? 60 * 60 * 1000 : 0));
  return { notBefore: new Date(Math.min(Date.now() - DAY_MS, notAfter.getTime() - 90 * DAY_MS)), notAfter };
}

function applyEnv(base: Record<string, string>, changes: Record<string, EnvChange> | undefined, ctx: ScenarioContext): Record<string, string> {
  const out = { ...base };
  for (const [key, change] of Object.entries(changes ?? {})) {
    if (change === null) delete out[key];
    else out[key] = typeof change === 'function' ? change(ctx) : change;
  }
  return out;
}

/** dotenv lines, single-quoted (taken literally) unless the value itself has a single quote. */
export function toDotenv(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([k, v]) => `${k}=${v.includes("'") ? JSON.stringify(v) : `'${v}'`}`)
    .join('\n') + '\n';
}

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Uniform base62 (rejection sampling: `byte % 62` would favour the first characters). */
function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}
