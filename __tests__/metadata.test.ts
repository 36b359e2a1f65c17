/** action.yml, package.json and the shipped JSON Schema stay in step with the code. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { configJsonSchema, configSchema, DEFAULT_CONFIG } from '../src/config.js';
import { INPUTS } from '../src/inputs.js';
import { CATALOG_IDS } from '../src/rules/catalog.js';
import { RULES } from '../src/rules/index.js';
import { VERSION } from '../src/version.js';

const root = new URL('..', import.meta.url);

test('action.yml declares every input with its default, every output, and runs on node24', () => {
  const action = parse(readFileSync(new URL('action.yml', root), 'utf8'));
  assert.equal(action.runs.using, 'node24');
  assert.equal(action.runs.main, 'dist/index.js');
  assert.ok(action.branding?.icon && action.branding?.color);
  assert.deepEqual(Object.keys(action.inputs), INPUTS.map((i) => i.name));
  for (const spec of INPUTS) {
    assert.equal(action.inputs[spec.name].default, spec.default, spec.name);
    assert.ok(action.inputs[spec.name].description, spec.name);
  }
  assert.deepEqual(Object.keys(action.outputs).sort(), ['baseline-sha', 'comparison', 'existing', 'failed', 'fixed', 'new', 'passed', 'ready', 'ready-all', 'report-path', 'sarif-path', 'skipped', 'warnings']);
});

test('a run without a config file uses exactly the schema\'s defaults', () => {
  assert.deepEqual(DEFAULT_CONFIG, configSchema().parse({}));
});

test('the version in the report is the package version', () => {
  assert.equal(JSON.parse(readFileSync(new URL('package.json', root), 'utf8')).version, VERSION);
});

test('schema/config.schema.json is the schema the code validates with', () => {
  const shipped = JSON.parse(readFileSync(new URL('schema/config.schema.json', root), 'utf8'));
  assert.deepEqual(shipped, JSON.parse(JSON.stringify(configJsonSchema())), 'run npm run build to regenerate it');
});

test('the registry is the catalog: the same ids in the same order, nothing more, nothing less', () => {
  const registered = RULES.map((r) => r.meta.id);
  assert.deepEqual(registered, [...CATALOG_IDS], 'a catalog rule missing from the registry, an extra one, or one out of order');
  assert.equal(new Set(registered).size, registered.length, 'ids are unique');
  for (const rule of RULES) assert.equal(rule.meta.section, rule.meta.id.split('.')[0], rule.meta.id);
});

test('docs/rules.md documents every catalog rule, in catalog order, and no other', () => {
  const documented = [...readFileSync(new URL('docs/rules.md', root), 'utf8').matchAll(/^### ([a-z]+\.[a-z0-9-]+)\b/gm)].map((m) => m[1]);
  assert.deepEqual(documented, [...CATALOG_IDS]);
});

test('the rule catalog keeps every id of the spec, in its order, when the spec is beside the repository', (t) => {
  const spec = new URL('../shared/spec/rules.md', root);
  if (!existsSync(spec)) return t.skip('../shared/spec/rules.md is not here');
  const ids = [...readFileSync(spec, 'utf8').matchAll(/^\| `([a-z]+\.[a-z0-9-]+)` \|/gm)].map((m) => m[1]);
  // Ids are a public contract: none of the spec's may go or move. Rules added since (by issues) sit
  // between them, and docs/rules.md documents every one (docs.test.ts).
  assert.deepEqual([...CATALOG_IDS].filter((id) => ids.includes(id)), ids);
});
