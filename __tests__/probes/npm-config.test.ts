/** The npm configuration as npm reads it: precedence, `${VAR}`, credentials per registry, npm's own answer. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authorizationFor, readNpmConfig, registryFor, resolveRegistry } from '../../src/probes/npm-config.js';

function dirWith(files: Record<string, string>): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'prg-npmrc-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

test('the environment beats the project .npmrc, which beats the user’s; credentials are found per registry path and are secrets', async () => {
  const user = dirWith({ npmrc: 'registry=https://npm.example.test/user/\n//npm.example.test/:_authToken=user-level-token-1234\n' });
  const project = dirWith({
    '.npmrc': [
      '; the company registry',
      'registry = "https://npm.example.test/acme/"',
      '@acme:registry=https://npm.example.test/scoped',
      '//npm.example.test/acme/:_authToken=${ACME_NPM_TOKEN}',
      '//npm.example.test/scoped/:_auth=dXNlcjpzM2NyZXQtcGFzcw==',
      'cafile=${MISSING_VAR}',
      '',
    ].join('\n'),
  });
  try {
    const env = { ACME_NPM_TOKEN: 'npm_Ac1meT0kenValue99', npm_config_userconfig: join(user.dir, 'npmrc') };
    const config = await readNpmConfig(project.dir, env);
    assert.equal(config.registry, 'https://npm.example.test/acme/');
    assert.equal(config.registrySource, join(project.dir, '.npmrc'));
    assert.equal(authorizationFor(config, 'https://npm.example.test/acme/-/npm/v1/security/advisories/bulk'), 'Bearer npm_Ac1meT0kenValue99');
    assert.equal(authorizationFor(config, 'https://npm.example.test/other/next'), 'Bearer user-level-token-1234', 'the host-wide token of the user config');
    assert.equal(authorizationFor(config, 'https://npm.example.test/scoped/@acme%2fui'), 'Basic dXNlcjpzM2NyZXQtcGFzcw==');
    assert.equal(registryFor(config, config.registry!, '@acme/ui'), 'https://npm.example.test/scoped/');
    assert.equal(registryFor(config, config.registry!, 'next'), 'https://npm.example.test/acme/');
    for (const secret of ['npm_Ac1meT0kenValue99', 'user-level-token-1234', 'dXNlcjpzM2NyZXQtcGFzcw==', 'user:s3cret-pass', 's3cret-pass']) {
      assert.ok(config.secrets.includes(secret), secret);
    }
    assert.deepEqual(config.problems, [`${join(project.dir, '.npmrc')}: \${MISSING_VAR} is not set in the environment`]);

    const fromEnv = await readNpmConfig(project.dir, { ...env, NPM_CONFIG_REGISTRY: 'http://127.0.0.1:4873' });
    assert.deepEqual([fromEnv.registry, fromEnv.registrySource], ['http://127.0.0.1:4873/', 'npm_config_registry']);
  } finally {
    user.cleanup();
    project.cleanup();
  }
});

test('with no registry in the environment or an .npmrc, npm itself says which one it uses', async () => {
  const global = dirWith({ npmrc: 'registry=https://npm.example.test/global/\n' });
  try {
    const env = { PATH: process.env.PATH, HOME: global.dir, npm_config_userconfig: join(global.dir, 'none'), npm_config_globalconfig: join(global.dir, 'npmrc') };
    const config = await readNpmConfig(global.dir, env);
    assert.equal(config.registry, undefined);
    assert.deepEqual(await resolveRegistry(config, global.dir, env), { url: 'https://npm.example.test/global/', source: "npm's own configuration (global or default)" });
  } finally {
    global.cleanup();
  }
});
