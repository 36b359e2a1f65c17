import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import https from 'node:https';
import path from 'node:path';
import pg from 'pg';
import Stripe from 'stripe';
import { startSandbox, SCENARIOS, type Sandbox } from '../../sandbox/index.js';
import { loadAppConfig, AppConfigError } from '../../sandbox/app.js';
import { appRequest, json } from './helpers.js';

/** A pg client for DATABASE_URL, reaching db.acme-saas.com through the sandbox's address like `resolve` does. */
function dbClient(sandbox: Sandbox, ssl: pg.ClientConfig['ssl']): pg.Client {
  const url = new URL(sandbox.env.DATABASE_URL!);
  const client = new pg.Client({
    host: sandbox.address,
    port: Number(url.port),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: url.pathname.slice(1),
    ssl,
    connectionTimeoutMillis: 5000,
  });
  client.on('error', () => undefined);
  return client;
}

describe('good scenario', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ scenario: 'good', quiet: true });
  });
  after(() => sb?.stop());

  test('gives the gate production-looking variables and its inputs', () => {
    assert.equal(sb.env.APP_URL, sb.ports.https === 443 ? 'https://app.acme-saas.com' : `https://app.acme-saas.com:${sb.ports.https}`);
    assert.equal(sb.env.NEXTAUTH_URL, sb.env.APP_URL);
    const db = new URL(sb.env.DATABASE_URL!);
    assert.equal(db.hostname, 'db.acme-saas.com');
    assert.equal(db.port, String(sb.ports.postgres));
    assert.equal(db.searchParams.get('sslmode'), 'verify-full');
    assert.equal(db.searchParams.get('connect_timeout'), '10');
    assert.equal(db.searchParams.get('connection_limit'), '10');
    assert.match(sb.env.STRIPE_SECRET_KEY!, /^sk_live_/);
    assert.match(sb.env.STRIPE_WEBHOOK_SECRET!, /^whsec_/);
    assert.ok(sb.env.NEXTAUTH_SECRET!.length >= 32);
    assert.deepEqual(Object.keys(sb.inputs).sort(), ['ca-file', 'resolve', 'sentry-api-base', 'stripe-api-base', 'working-directory']);
    assert.match(sb.address, /^127\.\d+\.\d+\.\d+$/);
    assert.ok(sb.inputs.resolve!.split('\n').includes(`app.acme-saas.com:${sb.ports.https}:${sb.address}`));
    assert.ok(sb.inputs.resolve!.split('\n').includes(`db.acme-saas.com:${sb.ports.postgres}:${sb.address}`));
    for (const name of ['NEXTAUTH_SECRET', 'GITHUB_CLIENT_SECRET', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'STRIPE_SYNC_SECRET', 'SENTRY_AUTH_TOKEN']) {
      assert.ok(sb.secrets.includes(sb.env[name]!), `${name} is listed as a secret`);
    }
    assert.ok(sb.secrets.includes(decodeURIComponent(db.password)));
    assert.equal(sb.app !== undefined, true);
  });

  test('the app answers on its host name with a certificate from the sandbox CA', async () => {
    const reply = await appRequest(sb, '/api/health');
    assert.equal(reply.status, 200);
    assert.deepEqual(json(reply), { version: '1.6.0' });
    assert.match(reply.cert.subjectaltname ?? '', /DNS:app\.acme-saas\.com/);
    await assert.rejects(appRequest(sb, '/api/health', { servername: 'evil.example.com' }), /altnames|ERR_TLS_CERT_ALTNAME_INVALID/);
    await assert.rejects(
      new Promise((resolve, reject) =>
        https
          .get({ host: sb.address, port: sb.ports.https, servername: sb.hosts.app, path: '/api/health', agent: false }, resolve)
          .on('error', reject),
      ),
      /unable to verify the first certificate|unable to get local issuer|self.signed/i,
      'not trusted without the CA file',
    );
    assert.equal((await appRequest(sb, '/api/health', { method: 'POST' })).status, 503);
  });

  test('security headers follow the flags, with a fresh CSP nonce per request', async () => {
    const [a, b] = await Promise.all([appRequest(sb, '/auth/login'), appRequest(sb, '/auth/login')]);
    assert.equal(a.status, 200);
    assert.equal(a.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains;');
    assert.equal(a.headers['x-frame-options'], 'SAMEORIGIN');
    assert.equal(a.headers['x-content-type-options'], 'nosniff');
    assert.equal(a.headers['cross-origin-embedder-policy'], 'require-corp');
    assert.equal(a.headers['cross-origin-opener-policy'], 'same-origin');
    const csp = String(a.headers['content-security-policy']);
    assert.match(csp, /script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    assert.match(csp, /object-src 'none'/);
    assert.match(csp, /connect-src [^;]*\*\.ingest\.sentry\.io/);
    assert.match(csp, /upgrade-insecure-requests$/);
    const nonce = (h: typeof a) => /'nonce-([^']+)'/.exec(String(h.headers['content-security-policy']))![1];
    assert.notEqual(nonce(a), nonce(b));
    assert.ok(a.body.includes(`nonce="${nonce(a)}"`), 'the page uses its nonce');
  });

  test('non-public routes, API included, redirect to the login page', async () => {
    for (const p of ['/teams/acme/billing', '/api/teams']) {
      const reply = await appRequest(sb, p);
      assert.equal(reply.status, 307);
      const location = new URL(reply.headers.location!);
      assert.equal(location.pathname, '/auth/login');
      assert.equal(location.searchParams.get('callbackUrl'), `https://app.acme-saas.com${p}`);
    }
  });

  test('plain HTTP on port 80 redirects to https', async () => {
    const reply = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http
        .get({ host: sb.address, port: sb.ports.http, path: '/pricing?x=1', headers: { host: sb.hosts.app }, agent: false }, resolve)
        .on('error', reject),
    );
    reply.resume();
    assert.equal(reply.statusCode, 301);
    assert.equal(reply.headers.location, `${sb.env.APP_URL}/pricing?x=1`);
  });

  test('NextAuth endpoints: providers with production callbacks, secure CSRF cookie, empty session', async () => {
    const providers = json<Record<string, { callbackUrl: string }>>(await appRequest(sb, '/api/auth/providers'));
    assert.deepEqual(Object.keys(providers), ['github', 'credentials']);
    assert.equal(providers.github!.callbackUrl, `${sb.env.NEXTAUTH_URL}/api/auth/callback/github`);

    const csrf = await appRequest(sb, '/api/auth/csrf');
    assert.match(json<{ csrfToken: string }>(csrf).csrfToken, /^[0-9a-f]{64}$/);
    const cookie = (csrf.headers['set-cookie'] ?? []).find((c) => c.startsWith('__Host-next-auth.csrf-token='));
    assert.ok(cookie, 'CSRF cookie set');
    for (const flag of ['HttpOnly', 'Secure', 'SameSite=Lax', 'Path=/']) assert.ok(cookie.includes(flag), `${flag} in ${cookie}`);

    const session = await appRequest(sb, '/api/auth/session');
    assert.equal(session.status, 200);
    assert.deepEqual(json(session), {});
  });

  test('sign-up validates its input', async () => {
    const empty = await appRequest(sb, '/api/auth/join', { method: 'POST' });
    assert.ok(empty.status >= 400 && empty.status < 500, `status ${empty.status}`);
    const body = JSON.stringify({ name: 'Ada', email: `ada-${randomBytes(4).toString('hex')}@acme.com`, password: 'correct horse battery', team: `Team ${randomBytes(4).toString('hex')}` });
    const created = await appRequest(sb, '/api/auth/join', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    assert.equal(created.status, 201);
    const again = await appRequest(sb, '/api/auth/join', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    assert.equal(again.status, 400);
  });

  test('/pricing lists the products that have a tier, from the database: the default tab rendered, every tier in the page data', async () => {
    const reply = await appRequest(sb, '/pricing');
    assert.equal(reply.status, 200);
    const rendered = [...reply.body.matchAll(/<h2>([^<]+)<\/h2>/g)].map((m) => m[1]);
    assert.deepEqual(rendered, ['Free'], 'the server renders the default (free) tier tab only, as the real page does');
    const data = JSON.parse(/<script id="__NEXT_DATA__"[^>]*>([^<]*)<\/script>/.exec(reply.body)![1]!) as { page: string; props: { pageProps: { plans: { name: string; tier: string }[] } } };
    assert.equal(data.page, '/pricing');
    assert.deepEqual(data.props.pageProps.plans.map((p) => `${p.name}:${p.tier}`), ['Free:free', 'Team:business', 'Enterprise:business']);
  });

  test('per-route headers: `/` redirects signed-out visitors with every header; Report-To names the origin the app sees', async () => {
    const landing = await appRequest(sb, '/');
    assert.equal(landing.status, 307);
    assert.equal(new URL(landing.headers.location!).pathname, '/auth/login');
    assert.equal(landing.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains;');
    // appRequest sends `Host: app.acme-saas.com`: the origin the app sees.
    const endpoint = `https://${sb.hosts.app}/api/security/csp-report`;
    assert.deepEqual(JSON.parse(String(landing.headers['report-to'])).endpoints, [{ url: endpoint }]);
    assert.equal(landing.headers['reporting-endpoints'], `csp-endpoint="${endpoint}"`);
  });

  test('the Stripe webhook refuses unsigned and forged events and accepts a signed unhandled one', async () => {
    const payload = JSON.stringify({ id: `evt_${randomBytes(12).toString('hex')}`, object: 'event', type: 'account.application.authorized', data: { object: {} } });
    const post = (headers: Record<string, string>) =>
      appRequest(sb, '/api/webhooks/stripe', { method: 'POST', body: payload, headers: { 'content-type': 'application/json', ...headers } });

    const unsigned = await post({});
    assert.equal(unsigned.status, 400);
    assert.deepEqual(json(unsigned), { error: { message: 'Missing signature or webhook secret' } });
    const forged = await post({ 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret: `whsec_${randomBytes(24).toString('hex')}` }) });
    assert.equal(forged.status, 400);
    const signed = await post({ 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret: sb.env.STRIPE_WEBHOOK_SECRET! }) });
    assert.equal(signed.status, 200);
    assert.deepEqual(json(signed), { received: true });

    const admin = await sb.postgres.adminClient(sb.database.database);
    try {
      const { rowCount } = await admin.query('SELECT 1 FROM "WebhookEvent"');
      assert.equal(rowCount, 0, 'an unhandled event writes nothing');
    } finally {
      await admin.end();
    }
  });

  test('the Stripe sync endpoint is guarded by its secret', async () => {
    assert.equal((await appRequest(sb, '/api/admin/stripe/sync')).status, 405);
    assert.equal((await appRequest(sb, '/api/admin/stripe/sync', { method: 'POST' })).status, 401);
    assert.equal((await appRequest(sb, '/api/admin/stripe/sync', { method: 'POST', headers: { 'x-stripe-sync-secret': 'wrong' } })).status, 401);
    const ok = await appRequest(sb, '/api/admin/stripe/sync', { method: 'POST', headers: { 'x-stripe-sync-secret': sb.env.STRIPE_SYNC_SECRET! } });
    assert.equal(ok.status, 200);
    assert.deepEqual(json(ok), { synced: true, products: 4, prices: 6 });
    assert.ok(sb.stripe.requests.every((r) => r.method === 'GET'), 'the app only reads from Stripe');
  });

  test('the Stripe server answers the SDK in live mode', async () => {
    const stripe = new Stripe(sb.env.STRIPE_SECRET_KEY!, { ...sb.stripe.sdkOptions });
    assert.equal((await stripe.balance.retrieve()).livemode, true);
    const endpoints = await stripe.webhookEndpoints.list();
    assert.equal(endpoints.data[0]!.url, `${sb.env.APP_URL}/api/webhooks/stripe`);
  });

  test('PostgreSQL speaks TLS with a certificate for db.acme-saas.com, as a non-superuser app role', async () => {
    const client = dbClient(sb, { ca: fs.readFileSync(sb.caFile, 'utf8'), servername: 'db.acme-saas.com' });
    await client.connect();
    try {
      const ssl = await client.query('SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      assert.equal(ssl.rows[0].ssl, true);
      const role = await client.query('SELECT rolsuper FROM pg_roles WHERE rolname = current_user');
      assert.equal(role.rows[0].rolsuper, false);
      const services = await client.query('SELECT "name" FROM "Service" ORDER BY "name"');
      assert.deepEqual(services.rows.map((r) => r.name), ['Enterprise', 'Free', 'Priority Support', 'Team']);

      // _prisma_migrations matches the fixture repository's files, as `migrate deploy` left it.
      const rows = await client.query('SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name');
      const dirs = fs.readdirSync(path.join(sb.repoDir, 'prisma/migrations')).filter((d) => d !== 'migration_lock.toml').sort();
      assert.deepEqual(rows.rows.map((r) => r.migration_name), dirs);
      for (const row of rows.rows) {
        const file = fs.readFileSync(path.join(sb.repoDir, 'prisma/migrations', row.migration_name, 'migration.sql'));
        assert.equal(row.checksum, createHash('sha256').update(file).digest('hex'));
        assert.ok(row.finished_at instanceof Date);
        assert.equal(row.rolled_back_at, null);
        assert.equal(row.applied_steps_count, 1);
      }
    } finally {
      await client.end();
    }
    const plain = dbClient(sb, false);
    await assert.rejects(plain.connect(), /no encryption|pg_hba/, 'plaintext is refused');
  });

  test('the fixture repository is a git repo with two releases and none of the secrets', () => {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: sb.repoDir, encoding: 'utf8' }).trim();
    assert.deepEqual(git('tag', '--list').split('\n'), ['v1.5.0', 'v1.6.0']);
    assert.equal(git('status', '--porcelain'), '');
    const scripts = JSON.parse(fs.readFileSync(path.join(sb.repoDir, 'package.json'), 'utf8')).scripts;
    assert.equal(scripts['build-ci'], 'next build');
    assert.equal(scripts['setup:db'], 'npx prisma db push');
    assert.match(fs.readFileSync(path.join(sb.repoDir, 'docs/deployment-guide.md'), 'utf8'), /^## Rollback$/m);
    const tracked = git('ls-files').split('\n');
    for (const file of tracked) {
      const text = fs.readFileSync(path.join(sb.repoDir, file), 'utf8');
      for (const secret of sb.secrets) assert.ok(!text.includes(secret), `${file} contains a secret`);
    }
  });

  test('the Sentry DSN host resolves (via `resolve`) to the sandbox ingest', async () => {
    const dsn = new URL(sb.env.NEXT_PUBLIC_SENTRY_DSN!);
    const eventId = randomBytes(16).toString('hex');
    const body = `${JSON.stringify({ event_id: eventId })}\n{"type":"event"}\n${JSON.stringify({ message: 'probe' })}\n`;
    const [host, port, address] = sb.resolve.find((r) => r.startsWith(dsn.hostname))!.split(':');
    const status = await new Promise<number>((resolve, reject) => {
      const req = https.request(
        {
          host: address,
          port: Number(port),
          servername: host,
          ca: fs.readFileSync(sb.caFile),
          method: 'POST',
          path: `/api${dsn.pathname}/envelope/`,
          headers: { host: dsn.host, 'x-sentry-auth': `Sentry sentry_version=7, sentry_key=${dsn.username}` },
          agent: false,
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    assert.equal(status, 200);
    assert.equal(sb.sentry.events.at(-1)?.eventId, eventId);
  });
});

describe('unsafe-flags scenario', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ scenario: 'unsafe-flags', quiet: true });
  });
  after(() => sb?.stop());

  test('no HSTS header; the unset trust-host flag is passed as trustHost: true, which next-auth 4.24.13 ignores', async () => {
    assert.equal(sb.env.ENABLE_HSTS, 'false');
    assert.equal(sb.env.NEXTAUTH_TRUST_HOST, undefined);
    assert.equal(sb.env.NEXTAUTH_DEBUG, 'true');
    assert.equal(sb.app!.config.auth.trustHostOption, true);
    const reply = await appRequest(sb, '/api/auth/providers', { headers: { 'x-forwarded-host': 'attacker.example' } });
    assert.equal(reply.headers['strict-transport-security'], undefined);
    // The table: with NEXTAUTH_TRUST_HOST unset, the real app hands out the real origin.
    assert.equal(json<Record<string, { callbackUrl: string }>>(reply).github!.callbackUrl, `${sb.env.NEXTAUTH_URL}/api/auth/callback/github`);
  });
});

describe('db-no-tls scenario', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ scenario: 'db-no-tls', quiet: true });
  });
  after(() => sb?.stop());

  test('PostgreSQL refuses TLS and DATABASE_URL has no sslmode; the app still runs', async () => {
    assert.equal(new URL(sb.env.DATABASE_URL!).searchParams.get('sslmode'), null);
    const tls = dbClient(sb, { rejectUnauthorized: false });
    await assert.rejects(tls.connect(), /does not support SSL/);
    const plain = dbClient(sb, false);
    await plain.connect();
    try {
      assert.equal((await plain.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows[0].ssl, false);
    } finally {
      await plain.end();
    }
    assert.equal((await appRequest(sb, '/api/health')).status, 200);
  });
});

test('stop() is idempotent and leaves nothing listening or on disk', async () => {
  const sb = await startSandbox({ scenario: 'good', quiet: true });
  await Promise.all([sb.stop(), sb.stop()]);
  await sb.stop();
  assert.equal(fs.existsSync(sb.dir), false);
  for (const port of [sb.ports.https, sb.ports.http, sb.ports.postgres]) {
    await assert.rejects(
      new Promise<void>((resolve, reject) => net.connect({ host: sb.address, port }, () => resolve()).on('error', reject)),
      /ECONNREFUSED/,
      `port ${port} still open`,
    );
  }
});

test('scenarios are data: each has a description and an expected verdict', () => {
  assert.ok(Object.keys(SCENARIOS).length >= 9);
  for (const [name, s] of Object.entries(SCENARIOS)) {
    assert.ok(s.description.length > 10, name);
    assert.equal(typeof s.expect.ready, 'boolean', name);
  }
});

test('the app refuses to boot when an enabled OAuth provider lacks its secret', () => {
  assert.throws(() => loadAppConfig({ AUTH_PROVIDERS: 'github', GITHUB_CLIENT_ID: 'x' }), AppConfigError);
  assert.equal(loadAppConfig({ AUTH_PROVIDERS: 'credentials' }).auth.trustHostOption, true, 'unset NEXTAUTH_TRUST_HOST is passed as trustHost: true');
});
