/** Data between rules: declared by a typed key, published by its producer, read only after it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runRules } from '../../src/engine/runner.js';
import { sharedKey } from '../../src/engine/shared.js';
import type { Rule, RuleMeta } from '../../src/engine/types.js';
import { createClients } from '../../src/probes/clients.js';
import { goodEnv, settingsFor, silentLog } from '../helpers.js';

const COUNT = sharedKey<number>('config.producer', 'a count');

function rule(meta: Partial<RuleMeta> & { id: string }, check: Rule['check']): Rule {
  return { meta: { section: 'config', title: meta.id, ...meta }, check };
}

async function run(rules: Rule[]) {
  const settings = await settingsFor(goodEnv());
  const clients = createClients(settings);
  try {
    return await runRules(rules, { context: { settings, clients, log: silentLog }, probeTimeoutMs: 5000, commandTimeoutMs: 5000 });
  } finally {
    await clients.close();
  }
}

const producer = rule({ id: 'config.producer' }, async ({ shared }) => {
  shared.set(COUNT, 3);
  return { status: 'pass', summary: 'published 3' };
});

test('a rule after the producer reads its value, typed; one run alone reads undefined', async () => {
  const consumer = rule({ id: 'config.consumer', after: ['config.producer'] }, async ({ shared }) => {
    const count: number | undefined = shared.get(COUNT);
    return { status: 'pass', summary: count === undefined ? 'nothing published' : `read ${count + 1 - 1}` };
  });
  const [, read] = await run([producer, consumer]);
  assert.equal(read!.summary, 'read 3');
  const [alone] = await run([consumer]);
  assert.equal(alone!.summary, 'nothing published');
});

test('reading without coming after the producer, or publishing another rule’s key, fails the rule as a bug of the gate', async () => {
  const reader = rule({ id: 'config.reader' }, async ({ shared }) => ({ status: 'pass', summary: String(shared.get(COUNT)) }));
  const impostor = rule({ id: 'config.impostor' }, async ({ shared }) => {
    shared.set(COUNT, 1);
    return { status: 'pass', summary: 'published' };
  });
  const [, read, published] = await run([producer, reader, impostor]);
  assert.equal(read!.status, 'fail');
  assert.match(read!.summary, /config\.reader reads a count from config\.producer but does not come after it/);
  assert.equal(published!.status, 'fail');
  assert.match(published!.summary, /config\.impostor publishes a count, which only config\.producer produces/);
});
