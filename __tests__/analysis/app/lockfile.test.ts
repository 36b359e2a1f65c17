/**
 * The lockfile reader on lockfiles the package managers wrote themselves (fixtures/lockfiles/: the
 * same package.json locked by npm 11 and 6, pnpm 9 and 8, Yarn 1 and 4, Bun): each gives the same
 * versions of the app's libraries and the same production/development split.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installedVersion, parseLockfile, readLockfile, versionsOf } from '../../../src/analysis/app/lockfile.js';

const fixtures = fileURLToPath(new URL('../../fixtures/lockfiles/', import.meta.url));
const KINDS = [
  ['npm-v3', 'npm', '3'],
  ['npm-v1', 'npm', '1'],
  ['pnpm-v9', 'pnpm', '9.0'],
  ['pnpm-v6', 'pnpm', '6.0'],
  ['yarn-classic', 'yarn', 'yarn-v1'],
  ['yarn-berry', 'yarn', 'berry-10'],
  ['bun', 'bun', 'bun-1'],
] as const;

for (const [dir, manager, format] of KINDS) {
  test(`${dir}: the app's libraries at their locked versions, production and development told apart`, async () => {
    const lock = await readLockfile(join(fixtures, dir));
    assert.ok(lock, 'a lockfile is found');
    assert.equal(lock.error, undefined);
    assert.equal(lock.manager, manager);
    if (dir !== 'bun') assert.equal(lock.format, format);
    assert.deepEqual(versionsOf(lock, 'next-auth'), ['4.24.13']);
    assert.deepEqual(versionsOf(lock, 'stripe'), ['14.25.0']);
    assert.deepEqual(versionsOf(lock, 'next', { production: true }), ['14.2.35']);
    // next-auth's own dependencies are production; the dev tools and what only they need are not.
    assert.ok(versionsOf(lock, 'jose', { production: true }).length > 0, 'jose (next-auth → jose) is production');
    for (const devOnly of ['typescript', 'autoprefixer', 'browserslist', 'fraction.js']) {
      assert.deepEqual(versionsOf(lock, devOnly, { production: true }), [], `${devOnly} is development only`);
      assert.ok(versionsOf(lock, devOnly).length > 0, `${devOnly} is locked`);
    }
    // The same number of production packages whatever wrote the lockfile (give or take platform-only copies).
    const production = new Set(lock.packages.filter((p) => !p.dev).map((p) => p.name));
    assert.ok(production.has('@prisma/client') && production.has('react-dom'));
    // The prisma CLI is a devDependency and an optional peer of @prisma/client: npm 7+ and pnpm install
    // peers, so their production install keeps it (npm marks it devOptional); npm 6, Yarn and Bun do not.
    assert.equal(production.has('prisma'), dir === 'npm-v3' || dir.startsWith('pnpm'), 'prisma in production as its package manager decides');
  });
}

test('installedVersion: node_modules wins over the lockfile (what Node loads), the lockfile answers without it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'prg-lock-'));
  try {
    await cp(join(fixtures, 'npm-v3'), dir, { recursive: true });
    assert.deepEqual(await installedVersion(dir, 'next-auth'), { version: '4.24.13', source: 'package-lock.json' });
    await mkdir(join(dir, 'node_modules/next-auth'), { recursive: true });
    await writeFile(join(dir, 'node_modules/next-auth/package.json'), JSON.stringify({ name: 'next-auth', version: '4.24.15' }));
    assert.deepEqual(await installedVersion(dir, 'next-auth'), { version: '4.24.15', source: 'node_modules/next-auth/package.json' });
    assert.equal(await installedVersion(dir, '@auth/core'), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('packageManager in package.json picks its lockfile when several are present; a broken or binary lockfile says why', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'prg-lock-'));
  try {
    await cp(join(fixtures, 'pnpm-v9'), dir, { recursive: true });
    await cp(join(fixtures, 'npm-v3/package-lock.json'), join(dir, 'package-lock.json'));
    assert.equal((await readLockfile(dir))?.manager, 'npm', 'npm first when package.json names none');
    assert.equal((await readLockfile(dir, { packageManager: 'pnpm@9.15.0' }))?.manager, 'pnpm');
    const broken = await parseLockfile('package-lock.json', '{"lockfileVersion": 3, "packages": ', {});
    assert.match(broken.error ?? '', /package-lock\.json could not be read/);
    assert.deepEqual(broken.packages, []);
    await rm(join(dir, 'package-lock.json'));
    await rm(join(dir, 'pnpm-lock.yaml'));
    await writeFile(join(dir, 'bun.lockb'), Buffer.from([0x23, 0x21, 0x2f, 0x75, 0x73, 0x72]));
    assert.match((await readLockfile(dir))?.error ?? '', /bun\.lockb is a binary lockfile/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the auth library: next-auth 4 from any lockfile; next-auth 5 and @auth/core are Auth.js v5', async () => {
  const { compareVersions, detectAuthLibrary } = await import('../../../src/analysis/app/auth-library.js');
  for (const [dir] of KINDS) {
    const auth = await detectAuthLibrary(join(fixtures, dir));
    assert.equal(auth?.family, 'next-auth-v4', dir);
    assert.equal(auth?.version, '4.24.13', dir);
  }
  const dir = await mkdtemp(join(tmpdir(), 'prg-auth-'));
  try {
    await writeFile(join(dir, 'package.json'), JSON.stringify({ dependencies: { 'next-auth': '5.0.0-beta.25' } }));
    await mkdir(join(dir, 'node_modules/next-auth'), { recursive: true });
    await writeFile(join(dir, 'node_modules/next-auth/package.json'), JSON.stringify({ version: '5.0.0-beta.25' }));
    assert.equal((await detectAuthLibrary(dir))?.family, 'authjs-v5');
    await rm(join(dir, 'node_modules'), { recursive: true });
    assert.equal(await detectAuthLibrary(dir), undefined, 'nothing installed and no lockfile: unknown, not a guess');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  assert.ok(compareVersions('4.24.13', '4.24.15') < 0);
  assert.ok(compareVersions('4.24.15', '4.24.15') === 0);
  assert.ok(compareVersions('5.0.0-beta.25', '5.0.0') < 0);
  assert.ok(compareVersions('5.0.0-beta.9', '5.0.0-beta.25') < 0);
  assert.ok(compareVersions('4.10.0', '4.9.9') > 0);
});
