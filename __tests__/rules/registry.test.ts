/**
 * The lazily loaded registry: each entry's `load()` brings the rule of its own id with the meta the
 * registry holds (the one place it is written), and a run imports only the rules it selected.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRule } from '../../src/engine/runner.js';
import { RULES, defineRule } from '../../src/rules/index.js';
import { runAction } from '../../scripts/run-action.js';
import { goodEnv, tempRepo } from '../helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('every registry entry loads the rule of its own id, from src/rules/<section>/<name>.ts, with the registry’s meta', async () => {
  assert.equal(RULES.length, 51);
  for (const entry of RULES) {
    const rule = await entry.load();
    assert.equal(rule.meta, entry.meta, `${entry.meta.id}: the meta is the registry's own object, written once`);
    const [section, name] = entry.meta.id.split('.') as [string, string];
    assert.equal(entry.meta.section, section);
    const file = readFileSync(join(root, 'src/rules', section, `${name}.ts`), 'utf8');
    assert.ok(file.includes(`id: '${entry.meta.id}'`), `src/rules/${section}/${name}.ts states its id literally`);
  }
});

test('every rule declares its scope: what a pull request is judged on depends on it', () => {
  for (const entry of RULES) assert.ok(['repository', 'environment', 'command'].includes(entry.meta.scope ?? ''), `${entry.meta.id} declares no scope`);
  const of = (scope: string) => RULES.filter((r) => r.meta.scope === scope).map((r) => r.meta.id);
  // Run again on the base (or compared by the files the change adds): they must read only the repository.
  assert.deepEqual(of('repository'), ['gate.no-db-push', 'gate.destructive-commands', 'gate.migration-safety', 'gate.migration-dialect', 'security.committed-secrets', 'security.workflow-secrets', 'security.rollback', 'security.docs']);
  // The change's own code: always judged.
  assert.deepEqual(of('command'), ['gate.install', 'gate.migrate', 'gate.build']);
  assert.deepEqual(RULES.filter((r) => r.meta.compareBy === 'diff').map((r) => r.meta.id), ['gate.migration-safety']);
});

test('an id the registry does not know is refused; an entry that loads another id’s rule fails that rule, not the run', async () => {
  assert.throws(() => defineRule({ id: 'config.unknown', check: async () => ({ status: 'pass', summary: '' }) }), /config\.unknown is not in the registry/);
  const wrong = { meta: { ...RULES[0]!.meta }, load: () => RULES[1]!.load() };
  const rule = await loadRule(wrong);
  await assert.rejects(rule.check({} as never), /the registry entry config\.app-url loads the rule config\.nextauth-url/);
});

test('a config-only run of the action imports no rule of another section, nor pg, stripe, the TOML or SQL parsers', async () => {
  const repo = tempRepo();
  const log = join(repo.dir, 'imports.log');
  try {
    const env = goodEnv();
    delete env.DATABASE_URL;
    const run = await runAction({
      inputs: { checks: 'config', 'working-directory': repo.dir, 'github-token': '' },
      env: { ...env, PRG_IMPORT_LOG: log },
      entry: ['--import', 'tsx', '--import', join(root, '__tests__/engine/record-imports.mjs'), join(root, 'src/index.ts')],
    });
    assert.equal(run.exitCode, 1, `the run ends (config.database-url fails): ${run.stderr}`);
    const imported = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    const ruleFiles = imported.filter((url) => /\/src\/rules\/[a-z]+\/[a-z0-9-]+\.ts$/.test(url));
    assert.ok(ruleFiles.some((url) => url.endsWith('/src/rules/config/app-url.ts')), 'the config rules were loaded');
    assert.deepEqual(ruleFiles.filter((url) => !url.includes('/src/rules/config/')), [], 'no rule of another section');
    const heavy = imported.filter((url) => /\/node_modules\/(?:pg|pg-pool|stripe|smol-toml|libpg-query|csp_evaluator|structured-headers|@actions\/github)\//.test(url));
    assert.deepEqual(heavy, []);
    assert.deepEqual(imported.filter((url) => url.endsWith('/src/probes/repository.ts')), [], 'the repository model is loaded by the rules that read it');
  } finally {
    rmSync(log, { force: true });
    repo.cleanup();
  }
});
