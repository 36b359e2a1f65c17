/**
 * The smoke rules against a small HTTPS app on 127.0.0.1 (certificate for the production host name,
 * from a test CA) that behaves like the target app until a test makes one route misbehave: a health
 * route that cannot reach its database, a sign-up API without validation, providers with another
 * host's callback URLs, the middleware's login redirect, a plan that grants a feature it should not,
 * a delete that fails, and targets that are down, hang, loop or never finish their body.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Rule, RuleReport } from '../../../src/engine/types.js';
import { authPages } from '../../../src/rules/smoke/auth-pages.js';
import { authProviders } from '../../../src/rules/smoke/auth-providers.js';
import { featureGates } from '../../../src/rules/smoke/feature-gates.js';
import { health } from '../../../src/rules/smoke/health.js';
import { loginFlow } from '../../../src/rules/smoke/login-flow.js';
import { registerApi } from '../../../src/rules/smoke/register-api.js';
import { teamFlow } from '../../../src/rules/smoke/team-flow.js';
import { createCA, issueCert } from '../../../sandbox/certs.js';
import { freePort } from '../../../sandbox/net.js';
import { runRule, settingsFor, tempRepo } from '../../helpers.js';

const HOST = 'app.acme-saas.com';
const PASSWORD = `pw-${randomBytes(9).toString('base64url')}`;
const FREE_PASSWORD = `pw-${randomBytes(9).toString('base64url')}`;
const USERS: Record<string, string> = { 'readiness@acme.com': PASSWORD, 'free@acme.com': FREE_PASSWORD };
/** Each team's plan entitlements (the fake's stand-in for subscriptions). */
const TEAM_FEATURES: Record<string, string[]> = { 'smoke-free': ['api_keys'], 'smoke-team': ['api_keys', 'webhooks', 'team_audit_log'] };
const CONFIG = `smoke-account:
  email: readiness@acme.com
  password-env: SMOKE_USER_PASSWORD
feature-gates:
  - account: { email: free@acme.com, password-env: SMOKE_FREE_PASSWORD }
    team: smoke-free
    expect: { sso: deny, webhooks: deny, audit-logs: deny, api-keys: allow }
  - account: { email: readiness@acme.com, password-env: SMOKE_USER_PASSWORD }
    team: smoke-team
    expect: { sso: deny, webhooks: allow, audit-logs: allow, api-keys: allow }
`;

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

const ca = createCA('Smoke Test CA');
const repo = tempRepo({ 'ca.pem': ca.certPem, '.github/production-readiness.yml': CONFIG });
let server: https.Server;
let port: number;
let origin: string;
/** Routes a test makes misbehave, by `METHOD /path`. */
const overrides = new Map<string, Handler>();
/** Every request the app saw, as `METHOD /path`. */
const seen: string[] = [];
const sessions = new Map<string, string>();
const teams = new Set<string>();
let csrfToken = 'c'.repeat(32);

/** The override of a route: exact, or a `METHOD /prefix*` one. */
function findOverride(key: string): Handler | undefined {
  const exact = overrides.get(key);
  if (exact) return exact;
  for (const [pattern, handler] of overrides) if (pattern.endsWith('*') && key.startsWith(pattern.slice(0, -1))) return handler;
  return undefined;
}

const json = (res: ServerResponse, status: number, value: unknown, headers: Record<string, string | string[]> = {}) =>
  void res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(value));

function cookies(req: IncomingMessage): Record<string, string> {
  return Object.fromEntries((req.headers.cookie ?? '').split(/;\s*/).filter(Boolean).map((c) => [c.slice(0, c.indexOf('=')), c.slice(c.indexOf('=') + 1)]));
}

function sessionUser(req: IncomingMessage): string | undefined {
  return sessions.get(cookies(req)['__Secure-next-auth.session-token'] ?? '');
}

/** The target app's behaviour, reduced to what the smoke rules see. */
function app(req: IncomingMessage, res: ServerResponse, body: string): void {
  const url = new URL(req.url ?? '/', origin);
  const path = url.pathname;
  const key = `${req.method} ${path}`;
  const isPublic = path.startsWith('/api/auth/') || path.startsWith('/auth/') || path === '/api/health';
  if (!isPublic && !sessionUser(req)) {
    return void res.writeHead(307, { location: `/auth/login?callbackUrl=${encodeURIComponent(url.href)}` }).end();
  }
  if (key === 'GET /api/health') return json(res, 200, { version: '2.4.1' });
  if (key === 'GET /auth/login' || key === 'GET /auth/join') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<html>page</html>');
  if (key === 'GET /api/auth/providers') {
    const provider = (id: string) => ({ id, name: id, type: id === 'credentials' ? 'credentials' : 'oauth', signinUrl: `${origin}/api/auth/signin/${id}`, callbackUrl: `${origin}/api/auth/callback/${id}` });
    return json(res, 200, { github: provider('github'), credentials: provider('credentials') });
  }
  if (key === 'POST /api/auth/signin/github') {
    // NextAuth's answer to its client (json: true): the provider's authorization URL.
    return json(res, 200, { url: `https://github.com/login/oauth/authorize?client_id=fake&redirect_uri=${encodeURIComponent(`${origin}/api/auth/callback/github`)}` });
  }
  if (key === 'POST /api/auth/join') return json(res, 422, { error: { message: 'Validation Error: name: Required' } });
  if (key === 'GET /api/auth/csrf') {
    return json(res, 200, { csrfToken }, { 'set-cookie': [`__Host-next-auth.csrf-token=${csrfToken}%7Chash; Path=/; HttpOnly; Secure; SameSite=Lax`] });
  }
  if (key === 'POST /api/auth/callback/credentials') {
    const form = new URLSearchParams(body);
    if (form.get('csrfToken') !== csrfToken || !cookies(req)['__Host-next-auth.csrf-token']?.startsWith(csrfToken)) {
      return json(res, 200, { url: `${origin}/api/auth/signin?csrf=true` });
    }
    const email = form.get('email') ?? '';
    if (USERS[email] !== form.get('password')) return json(res, 401, { url: `${origin}/api/auth/error?error=CredentialsSignin&provider=credentials` });
    const token = randomBytes(32).toString('hex');
    sessions.set(token, email);
    return json(res, 200, { url: `${origin}/` }, { 'set-cookie': [`__Secure-next-auth.session-token=${token}; Path=/; HttpOnly; Secure; SameSite=Lax`] });
  }
  if (key === 'GET /api/auth/session') {
    const email = sessionUser(req);
    return json(res, 200, email ? { user: { name: 'x', email }, expires: new Date(Date.now() + 86_400_000).toISOString() } : {});
  }
  if (key === 'POST /api/auth/signout') {
    sessions.delete(cookies(req)['__Secure-next-auth.session-token'] ?? '');
    return json(res, 200, { url: `${origin}/` });
  }
  if (key === 'POST /api/teams') {
    const slug = String((JSON.parse(body) as { name: string }).name);
    teams.add(slug);
    return json(res, 200, { data: { id: '1', name: slug, slug } });
  }
  const teamMatch = /^\/api\/teams\/([^/]+)$/.exec(path);
  if (req.method === 'DELETE' && teamMatch) {
    if (!teams.delete(decodeURIComponent(teamMatch[1]!))) return json(res, 404, { error: { message: 'Team not found' } });
    return void res.writeHead(204).end();
  }
  const feature = /^(?:\/api)?\/teams\/([^/]+)\/(sso|webhooks|api-keys|audit-logs)$/.exec(path);
  if (req.method === 'GET' && feature) {
    const entitlement = { sso: 'sso', webhooks: 'webhooks', 'api-keys': 'api_keys', 'audit-logs': 'team_audit_log' }[feature[2]!]!;
    const features = TEAM_FEATURES[feature[1]!];
    if (!features) return json(res, 404, { error: { message: 'Team not found' } });
    if (!features.includes(entitlement)) return json(res, 403, { error: { message: `Plan does not include required feature: ${entitlement}` } });
    return json(res, 200, { data: [] });
  }
  json(res, 404, { error: { message: 'Not Found' } });
}

before(async () => {
  const cert = issueCert(ca, { hosts: [HOST] });
  server = https.createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const key = `${req.method} ${(req.url ?? '/').split('?')[0]}`;
      seen.push(key);
      (findOverride(key) ?? app)(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  origin = `https://${HOST}:${port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
  repo.cleanup();
});

beforeEach(() => {
  overrides.clear();
  seen.length = 0;
  teams.clear();
  csrfToken = randomBytes(16).toString('hex');
});

async function run(rule: Rule, options: { timeoutSeconds?: number; env?: Record<string, string | undefined>; port?: number } = {}): Promise<RuleReport> {
  const target = options.port ?? port;
  const settings = await settingsFor(
    {
      APP_URL: `https://${HOST}:${target}`,
      NEXTAUTH_URL: `https://${HOST}:${target}`,
      SMOKE_USER_PASSWORD: PASSWORD,
      SMOKE_FREE_PASSWORD: FREE_PASSWORD,
      ...options.env,
    },
    {
      repo: repo.dir,
      inputs: { resolve: `${HOST}:${target}:127.0.0.1`, 'ca-file': 'ca.pem', 'timeout-seconds': String(options.timeoutSeconds ?? 2) },
    },
  );
  const report = await runRule(rule, settings);
  for (const secret of [PASSWORD, FREE_PASSWORD]) assert.ok(!JSON.stringify(report).includes(secret), `${rule.meta.id} prints no password`);
  assert.doesNotMatch(JSON.stringify(report), /[0-9a-f]{64}/, 'no session token in the report');
  return report;
}

const hang: Handler = () => undefined;

test('the fake app passes every rule (the baseline the failing cases change one thing of)', async () => {
  for (const rule of [health, authPages, authProviders, registerApi, loginFlow, teamFlow, featureGates]) {
    const r = await run(rule);
    assert.equal(r.status, 'pass', `${r.id}: ${r.summary}`);
  }
  assert.equal(sessions.size, 0, 'every sign-in was signed out');
});

test('smoke.health: 503 means the app cannot reach its database; the version is shown on 200', async () => {
  const ok = await run(health);
  assert.equal(ok.summary.replace(/\d+ ms/, 'N ms'), 'GET /api/health answered 200 in N ms; the app reports version 2.4.1');
  overrides.set('GET /api/health', (_q, res) => json(res, 503, {}));
  const r = await run(health);
  assert.equal(r.status, 'fail');
  assert.equal(r.summary, 'GET /api/health answered 503: the app answers but cannot reach its database');
  assert.equal(seen.filter((s) => s === 'GET /api/health').length, 1 + 3, 'a 503 is retried (bounded) before it counts');
});

test('smoke.health: a redirect to the login page says the middleware treats the route as private', async () => {
  overrides.set('GET /api/health', (req, res) => void res.writeHead(307, { location: `/auth/login?callbackUrl=${encodeURIComponent(`${origin}${req.url}`)}` }).end());
  const r = await run(health);
  assert.equal(r.status, 'fail');
  assert.equal(r.summary, `GET /api/health was redirected to /auth/login?callbackUrl=${encodeURIComponent(`${origin}/api/health`)}: the middleware treats this route as private`);
});

test('a target that hangs, loops redirects, sends an endless body or is down fails with the probe\'s message, within the bound', async () => {
  // Each summary is the probe's own message: its deadline ended it, not the runner's cut-off at the rule's bound.
  overrides.set('GET /api/health', hang);
  let r = await run(health, { timeoutSeconds: 1 });
  assert.equal(r.status, 'fail');
  assert.match(r.summary, new RegExp(`^unreachable: app — GET https://${HOST}:${port}/api/health: no complete answer within 1 s$`));

  overrides.set('GET /api/health', (_q, res) => void res.writeHead(302, { location: '/api/health' }).end());
  r = await run(health);
  assert.equal(r.status, 'fail');
  assert.match(r.summary, /\/api\/health redirects in a loop/);

  overrides.set('GET /api/health', (_q, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 32);
    const pump = () => {
      while (!res.destroyed && res.write(chunk));
      if (!res.destroyed) res.once('drain', pump);
    };
    pump();
  });
  r = await run(health);
  assert.equal(r.status, 'fail');
  assert.match(r.summary, /^GET \/api\/health answered 200, but its body did not end: cut off after 1048576 bytes$/);

  const closed = await freePort();
  for (const rule of [health, loginFlow]) {
    r = await run(rule, { port: closed });
    assert.equal(r.status, 'fail', rule.meta.id);
    assert.match(r.summary, /the connection was refused: nothing listens there \(ECONNREFUSED\)/);
  }

  // A sign-in that hangs: the flow fails at the step that hung, within the rule's bound.
  overrides.set('POST /api/auth/callback/credentials', hang);
  r = await run(loginFlow, { timeoutSeconds: 1 });
  assert.equal(r.status, 'fail');
  assert.match(r.summary, /^unreachable: app — readiness@acme\.com could not sign in: POST https:\/\/app\.acme-saas\.com:\d+\/api\/auth\/callback\/credentials: no complete answer within/);
});

test('smoke.auth-pages: a sign-up page behind the login redirect, and a login page that is not HTML, fail', async () => {
  overrides.set('GET /auth/join', (_q, res) => void res.writeHead(307, { location: '/auth/login?callbackUrl=%2Fauth%2Fjoin' }).end());
  overrides.set('GET /auth/login', (_q, res) => json(res, 200, { page: 'login' }));
  const r = await run(authPages);
  assert.equal(r.status, 'fail');
  assert.equal(
    r.summary,
    'login page: GET /auth/login answered 200 but application/json, not text/html; sign-up page: GET /auth/join was redirected to /auth/login?callbackUrl=%2Fauth%2Fjoin: the middleware treats this route as private',
  );
});

test('smoke.auth-providers: a callbackUrl on another host fails naming the provider and the URL; a missing provider fails; an extra one warns', async () => {
  overrides.set('GET /api/auth/providers', (_q, res) =>
    json(res, 200, { github: { id: 'github', callbackUrl: 'https://preview-123.vercel.app/api/auth/callback/github' } }),
  );
  let r = await run(authProviders);
  assert.equal(r.status, 'fail');
  assert.equal(
    r.summary,
    `provider github has callbackUrl https://preview-123.vercel.app/api/auth/callback/github, not under NEXTAUTH_URL ${origin}; provider credentials is enabled by AUTH_PROVIDERS but not listed`,
  );
  assert.match(r.fix!, new RegExp(`register with the providers are ${origin.replace(/[.:/]/g, '\\$&')}/api/auth/callback/github`));

  // A look-alike host is not "under" NEXTAUTH_URL.
  overrides.set('GET /api/auth/providers', (_q, res) =>
    json(res, 200, {
      github: { id: 'github', callbackUrl: `${origin}.evil.example/api/auth/callback/github` },
      credentials: { id: 'credentials', callbackUrl: `${origin}/api/auth/callback/credentials` },
    }),
  );
  r = await run(authProviders);
  assert.equal(r.status, 'fail');
  assert.match(r.summary, /^provider github has callbackUrl .*\.evil\.example/);

  overrides.delete('GET /api/auth/providers');
  r = await run(authProviders, { env: { AUTH_PROVIDERS: 'credentials' } });
  assert.equal(r.status, 'warn');
  assert.match(r.summary, /the app also lists github, which the gate's AUTH_PROVIDERS does not enable/);

  r = await run(authProviders, { env: { AUTH_PROVIDERS: 'github,saml,credentials' } });
  assert.equal(r.status, 'fail');
  assert.equal(r.summary, 'provider boxyhq-saml is enabled by AUTH_PROVIDERS but not listed');
});

test('smoke.auth-providers: http:// callbacks fail even when NEXTAUTH_URL is http://, and the fix names only https:// URLs', async () => {
  const plain = origin.replace('https://', 'http://');
  overrides.set('GET /api/auth/providers', (_q, res) =>
    json(res, 200, {
      github: { id: 'github', callbackUrl: `${plain}/api/auth/callback/github` },
      credentials: { id: 'credentials', callbackUrl: `${plain}/api/auth/callback/credentials` },
    }),
  );
  // Changed verdict (issue 11): with NEXTAUTH_URL=http://… these callbacks passed, being "under" it.
  const r = await run(authProviders, { env: { NEXTAUTH_URL: plain } });
  assert.equal(r.status, 'fail');
  assert.match(r.summary, new RegExp(`^provider github has callbackUrl ${plain.replace(/[.:/]/g, '\\$&')}/api/auth/callback/github: plain HTTP, not under ${origin.replace(/[.:/]/g, '\\$&')} \\(OAuth callbacks must be https://\\)`));
  assert.doesNotMatch(r.fix ?? '', /http:\/\//, 'no advice names an http:// URL');
  assert.match(r.fix ?? '', new RegExp(`Set NEXTAUTH_URL=${origin.replace(/[.:/]/g, '\\$&')} `));
});

test('smoke.register-api: 4xx passes; 201 fails loudly; 500, 404 and a login redirect fail', async () => {
  let r = await run(registerApi);
  assert.equal(r.status, 'pass');
  assert.equal(r.summary, 'POST /api/auth/join refused an empty body with 422: the endpoint is alive and validates');
  assert.match(r.details!, /→ 422 "Validation Error: name: Required"/);

  overrides.set('POST /api/auth/join', (_q, res) => json(res, 201, { data: { confirmEmail: false } }));
  r = await run(registerApi);
  assert.equal(r.status, 'fail');
  assert.equal(r.summary, 'POST /api/auth/join ACCEPTED an empty sign-up (201): input validation is off, and it may have created an account or team');

  overrides.set('POST /api/auth/join', (_q, res) => void res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error'));
  r = await run(registerApi);
  assert.equal(r.status, 'fail');
  assert.equal(r.summary, 'POST /api/auth/join answered 500 to an empty body: the sign-up API fails instead of validating');
  assert.equal(seen.filter((s) => s === 'POST /api/auth/join').length, 3, 'a POST is never retried');

  overrides.set('POST /api/auth/join', (_q, res) => void res.writeHead(307, { location: '/auth/login?callbackUrl=%2Fapi%2Fauth%2Fjoin' }).end());
  r = await run(registerApi);
  assert.equal(r.summary, 'POST /api/auth/join was redirected to /auth/login?callbackUrl=%2Fapi%2Fauth%2Fjoin: the middleware treats this route as private');

  overrides.set('POST /api/auth/join', (_q, res) => json(res, 404, { error: { message: 'Not Found' } }));
  r = await run(registerApi);
  assert.equal(r.status, 'fail');
  assert.equal(r.summary, 'POST /api/auth/join answered 404 "Not Found": there is no sign-up API there');
});

test('smoke.login-flow: a session the app does not keep, a refused CSRF token, and a cookie a browser would drop fail with the reason', async () => {
  overrides.set('GET /api/auth/session', (_q, res) => json(res, 200, {}));
  let r = await run(loginFlow);
  assert.equal(r.status, 'fail');
  assert.match(r.summary, /^readiness@acme\.com could not sign in: GET \/api\/auth\/session 200 without a user: the app did not accept the session cookie \(cookies held: __Host-next-auth\.csrf-token, __Secure-next-auth\.session-token\)$/);
  assert.equal(sessions.size, 0, 'the session that was started is ended');

  overrides.clear();
  overrides.set('GET /api/auth/csrf', (_q, res) => json(res, 200, { csrfToken }));
  r = await run(loginFlow);
  assert.equal(r.status, 'fail');
  assert.match(r.summary, /POST \/api\/auth\/callback\/credentials 200, the CSRF token was refused \(→ \/api\/auth\/signin\?csrf=true\)/);

  overrides.clear();
  overrides.set('POST /api/auth/callback/credentials', (_q, res) => {
    const token = randomBytes(32).toString('hex');
    sessions.set(token, 'readiness@acme.com');
    json(res, 200, { url: `${origin}/` }, { 'set-cookie': [`__Secure-next-auth.session-token=${token}; Path=/; HttpOnly; SameSite=Lax`] });
  });
  r = await run(loginFlow);
  assert.equal(r.status, 'fail');
  assert.match(r.summary, /refused as a browser would: __Secure-next-auth\.session-token \(a __Secure- cookie must be Secure\)/);
  sessions.clear();

  overrides.clear();
  overrides.set('POST /api/auth/callback/credentials', (_q, res) =>
    void res.writeHead(307, { location: '/auth/login?callbackUrl=%2Fapi%2Fauth%2Fcallback%2Fcredentials' }).end(),
  );
  r = await run(loginFlow);
  assert.equal(
    r.summary,
    'readiness@acme.com could not sign in: POST /api/auth/callback/credentials redirected to /auth/login?callbackUrl=%2Fapi%2Fauth%2Fcallback%2Fcredentials: the middleware treats this route as private',
  );
});

test('smoke.team-flow: a failed delete is reported as a failed cleanup naming the team left behind', async () => {
  overrides.set('DELETE /api/teams/*', (_q, res) => json(res, 500, { error: { message: 'Something went wrong' } }));
  const r = await run(teamFlow);
  assert.equal(r.status, 'fail');
  const slug = String(r.data?.slug);
  assert.match(slug, /^prg-smoke-\d+-[0-9a-f]{6}$/);
  assert.equal(
    r.summary,
    `created team "${slug}", but cleanup failed (DELETE /api/teams/${slug} answered 500 "Something went wrong"): the team was left in production`,
  );
  assert.ok(teams.has(slug));
  assert.equal(sessions.size, 0, 'signed out all the same');
});

test('smoke.team-flow: a create that hangs fails, and cleanup is still tried within the bound', async () => {
  // The team is created, but the answer never comes.
  overrides.set('POST /api/teams', (_req, _res, body) => void teams.add(String((JSON.parse(body) as { name: string }).name)));
  const r = await run(teamFlow, { timeoutSeconds: 1 });
  // The probe's deadline ended the create, and there was time left in the rule's bound for the cleanup.
  assert.equal(r.status, 'fail');
  assert.match(r.summary, /^POST https:\/\/app\.acme-saas\.com:\d+\/api\/teams: no complete answer within [\d.]+ (ms|s); the team had been created anyway and was deleted$/);
  assert.equal(teams.size, 0);
  assert.ok(seen.some((s) => s.startsWith('DELETE /api/teams/prg-smoke-')));
});

test('smoke.team-flow: a rejected session when creating says so', async () => {
  overrides.set('POST /api/teams', (_q, res) => void res.writeHead(307, { location: '/auth/login?callbackUrl=%2Fapi%2Fteams' }).end());
  const r = await run(teamFlow);
  assert.equal(r.status, 'fail');
  assert.equal(r.summary, 'POST /api/teams redirected to /auth/login?callbackUrl=%2Fapi%2Fteams: the session was not accepted: no team was created');
});

test('smoke.feature-gates: a plan that grants a feature it should not, and a feature refused to a plan that has it, are each listed', async () => {
  overrides.set('GET /api/teams/smoke-free/sso', (_q, res) => json(res, 200, { data: [] }));
  overrides.set('GET /teams/smoke-team/audit-logs', (_q, res) =>
    void res.writeHead(403, { 'content-type': 'text/html' }).end('<html><p>Plan does not include required feature: team_audit_log</p></html>'),
  );
  const r = await run(featureGates);
  assert.equal(r.status, 'fail');
  assert.equal(
    r.summary,
    '2 mismatches: free@acme.com on smoke-free: sso: expected deny (403), got 200; readiness@acme.com on smoke-team: audit-logs: expected allow (2xx), got 403 "Plan does not include required feature: team_audit_log"',
  );
  assert.equal(sessions.size, 0);
});

test('smoke.feature-gates: an account that cannot sign in fails; one without its password variable is not checked (warn)', async () => {
  let r = await run(featureGates, { env: { SMOKE_FREE_PASSWORD: 'wrong-password-123' } });
  assert.equal(r.status, 'fail');
  assert.match(r.summary, /^1 mismatch: free@acme\.com on smoke-free: could not sign in \(POST \/api\/auth\/callback\/credentials 401, the credentials were refused \(error=CredentialsSignin\)/);
  r = await run(featureGates, { env: { SMOKE_FREE_PASSWORD: undefined } });
  assert.equal(r.status, 'warn');
  assert.match(r.summary, /not checked: SMOKE_FREE_PASSWORD is not set, so free@acme\.com cannot sign in$/);
});
