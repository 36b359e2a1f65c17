/**
 * security.dependencies against a registry served on loopback (sandbox/npm-registry.ts, answering the
 * advisory and packument requests as the public registry does), with lockfiles the package managers
 * wrote (fixtures/lockfiles/). Never the network.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RuleReport } from '../../../src/engine/types.js';
import { dependencies } from '../../../src/rules/security/dependencies.js';
import { chainGroups, isChainPullRequest } from '../../../src/analysis/app/dependencies.js';
import { freePort } from '../../../sandbox/net.js';
import { releases, startNpmRegistry, type NpmRegistryHandle, type NpmRegistryOptions, type RegistryAdvisory } from '../../../sandbox/npm-registry.js';
import { runRule, settingsFor } from '../../helpers.js';

const LOCKFILES = fileURLToPath(new URL('../../fixtures/lockfiles/', import.meta.url));
const NOW = new Date();
const DAY = 86_400_000;

/** The fixture app's libraries as the registry lists them: every installed version, and later ones. */
function packages(chainNewerDaysAgo?: number): NonNullable<NpmRegistryOptions['packages']> {
  return {
    'next-auth': { versions: releases(['4.24.11', '4.24.12', '4.24.13', '4.24.14', '4.24.15', '5.0.0-beta.30'], NOW, 20) },
    postcss: { versions: releases(['8.5.33', '8.5.34', '8.5.35'], NOW, 3) },
    autoprefixer: { versions: releases(['10.4.19', '10.4.20'], NOW, 300) },
    browserslist: { versions: releases(['4.29.5', '4.29.6'], NOW, 25) },
    'baseline-browser-mapping': { versions: releases(['2.11.40', '2.11.41'], NOW, 12) },
    'caniuse-lite': { versions: releases(chainNewerDaysAgo === undefined ? ['1.0.30001829', '1.0.30001830'] : ['1.0.30001829', '1.0.30001830', '1.0.30001831', '1.0.30001832'], NOW, chainNewerDaysAgo === undefined ? 6 : chainNewerDaysAgo - 7, 7) },
  };
}

const NEXT_AUTH_CRITICAL: RegistryAdvisory = {
  id: 1099001,
  url: 'https://npm.example.test/advisories/1099001',
  title: 'Session token accepted after sign-out (made up for the tests)',
  severity: 'critical',
  vulnerable_versions: '<4.24.14',
};
const POSTCSS_MODERATE: RegistryAdvisory = { id: 1099002, url: 'https://npm.example.test/advisories/1099002', title: 'Line return parsing error (made up)', severity: 'moderate', vulnerable_versions: '>=8.5.0 <8.5.35' };

let registry: NpmRegistryHandle;
before(async () => {
  registry = await startNpmRegistry({ packages: packages(), advisories: { 'next-auth': [NEXT_AUTH_CRITICAL], postcss: [POSTCSS_MODERATE] } });
});
after(() => registry?.stop());

/** A copy of a fixture app (package.json and its lockfile), plus files. */
function app(kind: string, files: Record<string, string> = {}): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'prg-deps-'));
  cpSync(join(LOCKFILES, kind), dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The rule on `kind`'s lockfile, with npm pointed at `registryUrl` and no user .npmrc. */
async function check(kind: string, options: { registryUrl?: string; env?: Record<string, string>; inputs?: Record<string, string>; files?: Record<string, string> } = {}): Promise<RuleReport> {
  const repo = app(kind, options.files);
  try {
    const env = { npm_config_userconfig: join(repo.dir, 'no-user-npmrc'), ...(options.registryUrl !== '' ? { npm_config_registry: options.registryUrl ?? registry.url } : {}), ...options.env };
    return await runRule(dependencies, await settingsFor(env, { repo: repo.dir, inputs: { 'timeout-seconds': '5', ...options.inputs } }));
  } finally {
    repo.cleanup();
  }
}

test('an advisory in next-auth fails, named first with its fixed version, at its package.json line; a dev-only one is a notice', async () => {
  const r = await check('npm-v3');
  assert.equal(r.status, 'fail', r.summary);
  assert.equal(r.summary, 'critical advisory in next-auth 4.24.13 (auth): Session token accepted after sign-out (made up for the tests) https://npm.example.test/advisories/1099001; fixed in 4.24.14');
  assert.deepEqual(
    r.findings.map((f) => [f.level, f.file, f.message.split(':')[0]]),
    [
      ['error', 'package.json', 'critical advisory in next-auth 4.24.13 (auth)'],
      ['notice', undefined, 'moderate advisory in postcss 8.5.34'],
    ],
  );
  assert.equal(r.findings[0]!.line, 2, 'the line of "next-auth" in the fixture\'s package.json');
  assert.match(r.findings[1]!.message, /fixed in 8\.5\.35 — development only: production does not install it$/);
  const advisories = r.data?.advisories as Array<{ name: string; dev: boolean; fixedIn?: string; severity: string }>;
  assert.deepEqual(advisories.map((a) => [a.name, a.dev, a.severity, a.fixedIn]), [['next-auth', false, 'critical', '4.24.14'], ['postcss', true, 'moderate', '8.5.35']]);
  assert.match(r.fix ?? '', /fixed versions named/);
  // What npm audit posts: every registry package, once per version.
  const asked = registry.requests.findLast((q) => q.body)?.body ?? {};
  assert.deepEqual(asked['next-auth'], ['4.24.13']);
  assert.ok(Object.keys(asked).length > 50, `${Object.keys(asked).length} packages asked`);
});

test('every lockfile format gives the same verdict on the same app', async () => {
  for (const kind of ['npm-v1', 'pnpm-v9', 'pnpm-v6', 'yarn-classic', 'yarn-berry', 'bun']) {
    const r = await check(kind);
    assert.equal(r.status, 'fail', `${kind}: ${r.summary}`);
    assert.match(r.summary, /^critical advisory in next-auth 4\.24\.13 \(auth\).*fixed in 4\.24\.14$/, kind);
  }
});

test('only a development advisory: the rule passes, with the notice', async () => {
  const devOnly = await startNpmRegistry({ packages: packages(), advisories: { postcss: [POSTCSS_MODERATE] } });
  try {
    const r = await check('npm-v3', { registryUrl: devOnly.url });
    assert.equal(r.status, 'pass', r.summary);
    assert.match(r.summary, /^no known advisory in the production dependencies \(\d+ package versions checked\); 1 development-only package with advisories \(notices\); browser-baseline chain within 30 days of upstream$/);
    assert.deepEqual(r.findings.map((f) => f.level), ['notice']);
  } finally {
    await devOnly.stop();
  }
});

test('no registry reachable is unreachable: a failure that says so (a warning with unreachable: warn), never a pass', async () => {
  const closed = `http://127.0.0.1:${await freePort()}/`;
  const r = await check('npm-v3', { registryUrl: closed });
  assert.equal(r.status, 'fail');
  assert.equal(r.unreachable?.component, 'registry');
  assert.match(r.summary, /^unreachable: registry — the known advisories cannot be read: the registry did not answer: http:\/\/127\.0\.0\.1:\d+\/-\/npm\/v1\/security\/advisories\/bulk: .*(?:ECONNREFUSED|refused)/);
  const warned = await check('npm-v3', { registryUrl: closed, inputs: { unreachable: 'warn' } });
  assert.equal(warned.status, 'warn');
});

test('a private registry from the app’s .npmrc gets its token, which no report shows; a refused token is said', async () => {
  const token = 'npm_Xb7Kq2Lm9Pz4Vt6Rw1Yc3Nd8Hs5Jf0Ga2Ue';
  const secure = await startNpmRegistry({ packages: packages(), advisories: { 'next-auth': [NEXT_AUTH_CRITICAL] }, token });
  try {
    const host = new URL(secure.url).host;
    const npmrc = `registry=${secure.url}\n//${host}/:_authToken=\${NPM_TOKEN}\nfund=false\n`;
    const settings = await settingsFor({ NPM_TOKEN: token }, { repo: app('npm-v3').dir });
    assert.ok(!settings.secrets.includes(token), 'no .npmrc in that copy: nothing to mask');
    const r = await check('npm-v3', { registryUrl: '', env: { NPM_TOKEN: token }, files: { '.npmrc': npmrc } });
    assert.equal(r.status, 'fail', r.summary);
    assert.ok(secure.requests.every((q) => q.authorization === `Bearer ${token}`), 'every request carried the token');
    assert.doesNotMatch(JSON.stringify(r), new RegExp(token));
    const withNpmrc = app('npm-v3', { '.npmrc': npmrc });
    try {
      const s = await settingsFor({ NPM_TOKEN: token, npm_config_userconfig: '/nonexistent' }, { repo: withNpmrc.dir });
      assert.ok(s.secrets.includes(token), 'the token from .npmrc is a secret of the run');
    } finally {
      withNpmrc.cleanup();
    }
    const refused = await check('npm-v3', { registryUrl: secure.url });
    assert.equal(refused.status, 'fail');
    assert.match(refused.summary, /refused \(HTTP 401\): the registry wants a token, and the npm configuration has none for it/);
    assert.equal(refused.unreachable, undefined, 'a registry that answers, wrongly, is no unreachable one: unreachable: warn does not soften it');
    assert.match(refused.fix ?? '', /_authToken/);
  } finally {
    await secure.stop();
  }
});

test('the browser-baseline chain behind upstream for more than 30 days warns (stale: fail blocks); within, it passes', async () => {
  const behind = await startNpmRegistry({ packages: packages(45) });
  try {
    const r = await check('npm-v3', { registryUrl: behind.url });
    assert.equal(r.status, 'warn', r.summary);
    assert.match(r.summary, /^browser-baseline chain behind upstream for more than 30 days: caniuse-lite 1\.0\.30001830 \(1\.0\.30001831 out 45 days ago\)$/);
    const chain = r.data?.browserBaseline as Array<{ name: string; breach: boolean }>;
    assert.deepEqual(chain.map((c) => [c.name, c.breach]), [['autoprefixer', false], ['browserslist', false], ['baseline-browser-mapping', false], ['caniuse-lite', true]]);
    const strict = await checkWithConfig(behind.url, 'dependencies:\n  stale: fail\n  sla-days: 30\n');
    assert.equal(strict.status, 'fail');
    const lenient = await checkWithConfig(behind.url, 'dependencies:\n  sla-days: 60\n');
    assert.equal(lenient.status, 'pass', lenient.summary);
  } finally {
    await behind.stop();
  }
});

async function checkWithConfig(url: string, config: string): Promise<RuleReport> {
  const repo = app('npm-v3');
  try {
    writeFileSync(join(repo.dir, 'config.yml'), config);
    return await runRule(dependencies, await settingsFor({ npm_config_registry: url, npm_config_userconfig: '/nonexistent' }, { repo: repo.dir, inputs: { 'config-file': 'config.yml' } }));
  } finally {
    repo.cleanup();
  }
}

test('open Dependabot pull requests of the group, older than the SLA and not reviewed, warn; a token that may not read them leaves a note', async () => {
  const clean = await startNpmRegistry({ packages: packages() });
  const old = new Date(NOW.getTime() - 40 * DAY).toISOString();
  const pulls = [
    { number: 12, title: 'Bump the browser-baseline group with 2 updates', html_url: 'https://github.example.test/acme/saas/pull/12', user: { login: 'dependabot[bot]' }, head: { ref: 'dependabot/npm_and_yarn/browser-baseline-5f3a1c' }, created_at: old },
    { number: 13, title: 'Bump autoprefixer from 10.4.19 to 10.4.20', html_url: 'https://github.example.test/acme/saas/pull/13', user: { login: 'dependabot[bot]' }, head: { ref: 'dependabot/npm_and_yarn/autoprefixer-10.4.20' }, created_at: old },
    { number: 14, title: 'Bump stripe from 14.25.0 to 14.26.0', html_url: 'https://github.example.test/acme/saas/pull/14', user: { login: 'dependabot[bot]' }, head: { ref: 'dependabot/npm_and_yarn/stripe-14.26.0' }, created_at: old },
    { number: 15, title: 'Bump the browser-baseline group with 1 update', html_url: 'https://github.example.test/acme/saas/pull/15', user: { login: 'dependabot[bot]' }, head: { ref: 'dependabot/npm_and_yarn/browser-baseline-9d2e' }, created_at: new Date(NOW.getTime() - 3 * DAY).toISOString() },
  ];
  let status = 200;
  const seen: string[] = [];
  const github = http.createServer((req, res) => {
    seen.push(`${req.url} ${req.headers.authorization}`);
    const reply = (body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status === 200 ? body : { message: 'Resource not accessible by integration' }));
    };
    if (req.url?.startsWith('/repos/acme/saas/pulls?')) return reply(pulls);
    if (req.url?.startsWith('/repos/acme/saas/pulls/13/reviews')) return reply([{ user: { login: 'maria', type: 'User' }, state: 'COMMENTED' }]);
    if (/\/pulls\/\d+\/reviews|\/issues\/\d+\/comments/.test(req.url ?? '')) return reply([{ user: { login: 'github-actions[bot]', type: 'Bot' } }]);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => github.listen(0, '127.0.0.1', resolve));
  const api = `http://127.0.0.1:${(github.address() as AddressInfo).port}`;
  const token = 'ghs_Qv3Zr8Lk2Wm5Tn7Ys1Bx4Hd9Pf6Jc0Ga8Ue';
  try {
    const env = { GITHUB_REPOSITORY: 'acme/saas', GITHUB_API_URL: api };
    const r = await check('npm-v3', { registryUrl: clean.url, env, inputs: { 'github-token': token } });
    assert.equal(r.status, 'warn', r.summary);
    assert.equal(r.summary, '1 Dependabot pull request of the browser-baseline group open for more than 30 days without review or reason: #12');
    assert.ok(seen.every((s) => s.endsWith(`Bearer ${token}`)));
    assert.match(r.details ?? '', /3 open \(group "browser-baseline"\), 2 older than 30 days, 1 of them neither reviewed nor commented/);

    status = 403;
    const denied = await check('npm-v3', { registryUrl: clean.url, env, inputs: { 'github-token': token } });
    assert.equal(denied.status, 'pass', denied.summary);
    assert.match(denied.details ?? '', /not checked: the token may not read pull requests \(HTTP 403; give the job `permissions: pull-requests: read`\)/);
  } finally {
    github.close();
    await clean.stop();
  }
});

test('without a lockfile the installed versions are unknown: a failure; without package.json, nothing to check', async () => {
  const repo = app('npm-v3');
  try {
    rmSync(join(repo.dir, 'package-lock.json'));
    const r = await runRule(dependencies, await settingsFor({ npm_config_registry: registry.url }, { repo: repo.dir }));
    assert.equal(r.status, 'fail');
    assert.match(r.summary, /^no lockfile .*: the versions production installs are unknown$/);
    // Only linked folders (npm's `link: true` entries): nothing comes from a registry, nothing is asked.
    const lock = { name: 'x', lockfileVersion: 3, requires: true, packages: { '': { dependencies: { ui: 'file:packages/ui' } }, 'node_modules/ui': { resolved: 'packages/ui', link: true }, 'packages/ui': { version: '1.0.0' } } };
    writeFileSync(join(repo.dir, 'package-lock.json'), JSON.stringify(lock));
    const before = registry.requests.length;
    const linked = await runRule(dependencies, await settingsFor({ npm_config_registry: registry.url }, { repo: repo.dir }));
    assert.equal(linked.status, 'skip');
    assert.equal(linked.summary, 'package-lock.json holds no package from a registry (only linked or copied folders: ui): no advisory to look up');
    assert.equal(registry.requests.length, before);
    rmSync(join(repo.dir, 'package.json'));
    const none = await runRule(dependencies, await settingsFor({ npm_config_registry: registry.url }, { repo: repo.dir }));
    assert.equal(none.status, 'skip');
  } finally {
    repo.cleanup();
  }
});

test("the chain's Dependabot group is the one dependabot.yml puts its packages in; a PR of that group or of one of its packages", () => {
  const config = { version: 2, updates: [{ 'package-ecosystem': 'npm', directory: '/', groups: { 'frontend-tooling': { patterns: ['autoprefixer', 'postcss*'] }, stripe: { patterns: ['stripe'] } } }] };
  assert.deepEqual(chainGroups(config), ['frontend-tooling']);
  assert.deepEqual(chainGroups(undefined), ['browser-baseline']);
  const pr = (title: string, branch: string, author = 'dependabot[bot]') => ({ number: 1, title, url: '', author, branch, createdAt: '' });
  assert.ok(isChainPullRequest(pr('chore(deps-dev): bump the frontend-tooling group across 1 directory with 3 updates', 'dependabot/npm_and_yarn/frontend-tooling-1a2b'), ['frontend-tooling']));
  assert.ok(isChainPullRequest(pr('Bump caniuse-lite from 1.0.30001830 to 1.0.30001832', 'dependabot/npm_and_yarn/caniuse-lite-1.0.30001832'), ['frontend-tooling']));
  assert.ok(!isChainPullRequest(pr('Bump update-browserslist-db from 1.4.0 to 1.4.1', 'dependabot/npm_and_yarn/update-browserslist-db-1.4.1'), ['browser-baseline']));
  assert.ok(!isChainPullRequest(pr('Bump autoprefixer to 10.4.21', 'renovate/autoprefixer', 'renovate[bot]'), ['browser-baseline']), 'Dependabot only');
});
