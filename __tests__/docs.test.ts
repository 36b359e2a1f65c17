/**
 * The documentation a user copies from: the configuration reference against the zod schema, the
 * README's workflow examples against action.yml, and the JSON Schema's waiver ids against the registry.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { configJsonSchema, parseConfig } from '../src/config.js';
import { INPUTS } from '../src/inputs.js';
import { RULES } from '../src/rules/index.js';

const root = new URL('..', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
}

/** Every leaf key path of the config's JSON Schema: `paths.health`, `feature-gates[].expect.sso`, … */
function schemaKeyPaths(schema: JsonSchema, path = '', out: string[] = []): string[] {
  if (schema.anyOf) for (const s of schema.anyOf) schemaKeyPaths(s, path, out);
  else if (schema.properties) for (const [k, v] of Object.entries(schema.properties)) schemaKeyPaths(v, path ? `${path}.${k}` : k, out);
  else if (schema.type === 'array' && schema.items && (schema.items.properties || schema.items.anyOf)) schemaKeyPaths(schema.items, `${path}[]`, out);
  else out.push(path);
  return out;
}

/** The fenced blocks of a markdown file with the given info string. */
function fencedBlocks(markdown: string, language: string): string[] {
  return [...markdown.matchAll(new RegExp('^```' + language + '\\n([\\s\\S]*?)^```$', 'gm'))].map((m) => m[1]!);
}

test('docs/configuration.md documents exactly the keys of the config schema', () => {
  const documented = [...read('docs/configuration.md').matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!);
  // A key whose value is a union (a path or `false`) is one key.
  const keys = [...new Set(schemaKeyPaths(configJsonSchema() as JsonSchema))];
  assert.ok(keys.length >= 20, `${keys.length} keys in the schema`);
  assert.deepEqual([...documented].sort(), [...keys].sort());
});

test('the configuration examples in the docs are valid config files', async () => {
  const blocks = [...fencedBlocks(read('docs/configuration.md'), 'yaml'), ...fencedBlocks(read('README.md'), 'yaml').filter((b) => /^waivers:|^paths:/m.test(b))];
  const configs = blocks.filter((b) => !b.trim().startsWith('#'));
  assert.ok(configs.length >= 2, `${configs.length} config examples`);
  for (const block of configs) await assert.doesNotReject(parseConfig(block, 'example.yml'), block);
});

test('the JSON Schema lists the registry’s rule ids for waivers, and the config refuses any other', async () => {
  const schema = configJsonSchema() as { properties: { waivers: { items: { properties: { rule: JsonSchema } } } } };
  assert.deepEqual(schema.properties.waivers.items.properties.rule.enum, RULES.map((r) => r.meta.id));
  await assert.rejects(parseConfig('waivers:\n  - rule: config.enable-coepp\n    reason: x\n', 'c.yml'), /c\.yml:2: waivers\.0\.rule: unknown rule id "config\.enable-coepp"; did you mean config\.enable-coep\?/);
});

test('the README’s workflow examples parse, and use the action with only the inputs action.yml declares', () => {
  const action = parse(read('action.yml')) as { inputs: Record<string, unknown>; outputs: Record<string, unknown> };
  const declared = new Set(Object.keys(action.inputs));
  assert.deepEqual([...declared], INPUTS.map((i) => i.name));
  const workflows = fencedBlocks(read('README.md'), 'yaml').filter((b) => /^(on|jobs|name):/m.test(b));
  assert.ok(workflows.length >= 3, `${workflows.length} workflow examples`);
  let uses = 0;
  for (const text of workflows) {
    const workflow = parse(text) as { jobs: Record<string, { steps: Array<{ uses?: string; with?: Record<string, unknown>; id?: string }> }> };
    assert.ok(workflow.jobs, 'a workflow with jobs');
    for (const job of Object.values(workflow.jobs)) {
      const ids = new Set(job.steps.map((s) => s.id).filter(Boolean));
      for (const step of job.steps) {
        if (!step.uses?.includes('production-readiness-gate')) continue;
        uses++;
        for (const input of Object.keys(step.with ?? {})) assert.ok(declared.has(input), `input "${input}" is not in action.yml`);
      }
      // An output read from the gate step names a declared output of a step that exists.
      for (const m of text.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
        if (!ids.has(m[1])) continue;
        assert.ok(m[2]! in action.outputs, `output "${m[2]}" is not in action.yml`);
      }
    }
    assert.doesNotMatch(text, /…|\.\.\. /, 'no placeholder in a workflow a user copies');
  }
  assert.ok(uses >= 4, `${uses} uses of the action`);
});
