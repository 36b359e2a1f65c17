/**
 * config.nextauth-trust-host on repositories that install a real next-auth (npm 11's lockfile of the
 * app, node_modules for another version): the verdict and its reason follow the installed version
 * (the version rules themselves are tested in __tests__/analysis/app/host-trust.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nextauthTrustHost } from '../../../src/rules/config/nextauth-trust-host.js';
import { goodEnv, runRule, settingsFor, tempRepo } from '../../helpers.js';

const LOCKFILE = readFileSync(fileURLToPath(new URL('../../fixtures/lockfiles/npm-v3/package-lock.json', import.meta.url)), 'utf8');

async function check(files: Record<string, string>, env: Record<string, string | undefined>) {
  const repo = tempRepo(files);
  try {
    return await runRule(nextauthTrustHost, await settingsFor({ ...goodEnv(), ...env }, { repo: repo.dir }));
  } finally {
    repo.cleanup();
  }
}

test('next-auth 4.24.13 from the lockfile: AUTH_TRUST_HOST=false fails, naming the variable that decides and what the version does', async () => {
  const r = await check({ 'package-lock.json': LOCKFILE }, { AUTH_TRUST_HOST: 'false' });
  assert.equal(r.status, 'fail');
  assert.match(r.summary, /^next-auth 4\.24\.13 ignores NEXTAUTH_TRUST_HOST \(it has no trustHost option\); AUTH_TRUST_HOST="false" is a non-empty value, so host trust is on, and the forwarded host \(X-Forwarded-Host, else Host\) replaces NEXTAUTH_URL/);
  assert.match(r.details ?? '', /Installed: next-auth 4\.24\.13 \(package-lock\.json\)\./);
  assert.match(r.details ?? '', /detect-origin\.ts:2-9/);
  assert.deepEqual([r.data?.rule, r.data?.decidedBy, r.data?.reflects], ['next-auth-4', 'AUTH_TRUST_HOST', true]);
});

test('VERCEL=1 passes with a notice that the live probe settles it; the guide\'s settings pass', async () => {
  const vercel = await check({ 'package-lock.json': LOCKFILE }, { VERCEL: '1' });
  assert.equal(vercel.status, 'pass');
  assert.deepEqual(vercel.findings.map((f) => f.level), ['notice']);
  assert.match(vercel.summary, /VERCEL="1" is a non-empty value, so host trust is on.*Vercel sets X-Forwarded-Host itself/);
  const guide = await check({ 'package-lock.json': LOCKFILE }, {});
  assert.equal(guide.status, 'pass');
  assert.match(guide.summary, /host trust is off, and URLs come from NEXTAUTH_URL$/);
});

test('Auth.js v5 installed with nothing that trusts the host fails: every request is refused', async () => {
  const r = await check({ 'package-lock.json': LOCKFILE, 'node_modules/next-auth/package.json': '{"name":"next-auth","version":"5.0.0-beta.25"}', 'auth.ts': 'export const { handlers } = NextAuth({ providers: [] });\n' }, {});
  assert.equal(r.status, 'fail');
  assert.match(r.summary, /^next-auth 5\.0\.0-beta\.25 does not read NEXTAUTH_TRUST_HOST \(the app passes no trustHost option\); it reads `AUTH_URL \?\? AUTH_TRUST_HOST \?\? VERCEL \?\? CF_PAGES \?\? NODE_ENV !== "production"`.*UntrustedHost/);
  assert.match(r.fix ?? '', /Set AUTH_URL/);
});

test('skips when the lockfile has no next-auth; says why the version is unknown when the lockfile cannot be read', async () => {
  const none = await check({ 'package-lock.json': JSON.stringify({ name: 'x', lockfileVersion: 3, packages: { '': { name: 'x' }, 'node_modules/express': { version: '4.21.2' } } }) }, {});
  assert.equal(none.status, 'skip');
  assert.match(none.summary, /installs neither next-auth nor @auth\/core \(package-lock\.json\)/);
  const broken = await check({ 'package-lock.json': '{"lockfileVersion": 3, "packages": ' }, { AUTH_TRUST_HOST: 'true' });
  assert.equal(broken.status, 'fail');
  assert.match(broken.summary, /^the installed next-auth is unknown \(package-lock\.json could not be read: .*\), so every version was judged: next-auth 4 before 4\.24\.15 ignores/);
});
