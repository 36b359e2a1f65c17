import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG } from '../../src/config.js';
import { buildReport } from '../../src/engine/report.js';
import { applyWaiver, runRules, selectRules, validateWaivers } from '../../src/engine/runner.js';
import type { Outcome, Rule, RuleReport } from '../../src/engine/types.js';
import { UsageError } from '../../src/errors.js';
import { goodEnv, settingsFor, silentLog } from '../helpers.js';

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rule(id: string, check: Rule['check'], extra: Partial<Rule['meta']> = {}): Rule {
  return { meta: { id, section: id.split('.')[0] as 'config', title: id, ...extra }, check };
}

async function run(rules: Rule[], options: { probeTimeoutMs?: number; waivers?: typeof DEFAULT_CONFIG.waivers; now?: Date } = {}) {
  const settings = await settingsFor(goodEnv());
  settings.config = { ...settings.config, waivers: options.waivers ?? [] };
  return runRules(rules, {
    context: { settings, clients: { db: () => Promise.reject(new Error('no db')), http: () => { throw new Error('no http'); }, stripe: () => Promise.reject(new Error('no stripe')), close: async () => undefined }, log: silentLog },
    probeTimeoutMs: options.probeTimeoutMs ?? 5000,
    commandTimeoutMs: 5000,
    now: options.now,
  });
}

test('independent rules run concurrently and come back in catalog order', async () => {
  const started = performance.now();
  // Run one after the other they would take 1,200 ms; together, about the longest (600 ms).
  const rules = [600, 200, 400].map((ms, i) =>
    rule(`config.r${i}`, async () => {
      await delay(ms);
      return { status: 'pass', summary: `${ms}` };
    }),
  );
  const results = await run(rules);
  const elapsed = performance.now() - started;
  assert.deepEqual(results.map((r) => r.id), ['config.r0', 'config.r1', 'config.r2']);
  assert.ok(elapsed < 1000, `took ${elapsed} ms: the rules did not overlap`);
});

test('a rule that throws fails with the message; one that hangs fails at its bound; others still run', async () => {
  const results = await run(
    [
      rule('config.throws', async () => {
        throw new Error('connection reset by peer');
      }),
      rule('config.hangs', () => new Promise<Outcome>(() => undefined)),
      rule('config.fine', async () => ({ status: 'pass', summary: 'ok' })),
    ],
    { probeTimeoutMs: 200 },
  );
  assert.equal(results[0]!.status, 'fail');
  assert.match(results[0]!.summary, /connection reset by peer/);
  assert.equal(results[1]!.status, 'fail');
  assert.match(results[1]!.summary, /did not finish within/);
  assert.equal(results[2]!.status, 'pass');
});

test('a rule waits for the rules it comes after, and sees their results', async () => {
  let seen: RuleReport | undefined;
  const results = await run([
    rule('gate.first', async () => {
      await delay(100);
      return { status: 'fail', summary: 'broke' };
    }),
    rule(
      'gate.second',
      async (ctx) => {
        seen = ctx.results.get('gate.first');
        return seen?.status === 'fail' ? { status: 'skip', summary: 'gate.first failed' } : { status: 'pass', summary: 'ok' };
      },
      { after: ['gate.first'] },
    ),
  ]);
  assert.equal(seen?.status, 'fail');
  assert.equal(results[1]!.status, 'skip');
});

test('file findings become report locations', async () => {
  const [r] = await run([
    rule('gate.finder', async () => ({
      status: 'fail',
      summary: 'found',
      findings: [
        { level: 'error', message: 'a', file: '.github/workflows/deploy.yml', line: 31 },
        { level: 'error', message: 'b', file: '.github/workflows/deploy.yml', line: 31 },
        { level: 'warning', message: 'c' },
      ],
    })),
  ]);
  assert.deepEqual(r!.locations, [{ file: '.github/workflows/deploy.yml', line: 31 }]);
});

test('a waiver keeps the real status, stops blocking, and stops applying once expired', async () => {
  const failing = rule('config.enable-coep', async () => ({ status: 'fail', summary: 'off' }));
  const now = new Date('2026-11-27T12:00:00Z');
  const [waived] = await run([failing], { waivers: [{ rule: 'config.enable-coep', reason: 'embeds', until: '2027-03-01' }], now });
  assert.equal(waived!.status, 'fail');
  assert.equal(waived!.waived, true);
  assert.equal(buildReport({ rules: [waived!], startedAt: now, durationMs: 1, failOn: 'fail', version: 'x' }).ready, true);

  const [expired] = await run([failing], { waivers: [{ rule: 'config.enable-coep', reason: 'embeds', until: '2026-11-01' }], now });
  assert.equal(expired!.waived, false);
  assert.equal(expired!.waiver?.expired, true);
  assert.equal(buildReport({ rules: [expired!], startedAt: now, durationMs: 1, failOn: 'fail', version: 'x' }).ready, false);

  const lastDay = applyWaiver({ ...expired!, waived: false, waiver: undefined }, { ...DEFAULT_CONFIG, waivers: [{ rule: 'config.enable-coep', reason: 'r', until: '2026-11-27' }] }, now);
  assert.equal(lastDay.waived, true, 'a waiver holds through its last day');
});

test('fail-on warn makes warnings block', () => {
  const warn: RuleReport = { id: 'config.enable-coep', section: 'config', title: 't', status: 'warn', summary: 's', durationMs: 1, waived: false, locations: [], findings: [] };
  const at = new Date();
  assert.equal(buildReport({ rules: [warn], startedAt: at, durationMs: 1, failOn: 'fail', version: 'x' }).ready, true);
  assert.equal(buildReport({ rules: [warn], startedAt: at, durationMs: 1, failOn: 'warn', version: 'x' }).ready, false);
});

test('checks selects sections and ids; an unknown token is a usage error with a suggestion', () => {
  const registry = [rule('config.app-url', async () => ({ status: 'pass', summary: '' })), rule('config.nextauth-url', async () => ({ status: 'pass', summary: '' }))];
  assert.equal(selectRules(registry, ['config']).length, 2);
  assert.deepEqual(selectRules(registry, ['config.nextauth-url']).map((r) => r.meta.id), ['config.nextauth-url']);
  assert.throws(() => selectRules(registry, ['app-url']), (e: unknown) => e instanceof UsageError && /did you mean config\.app-url/.test(e.message));
  assert.throws(() => validateWaivers(registry, { ...DEFAULT_CONFIG, waivers: [{ rule: 'config.nope', reason: 'x' }] }, 'gate.yml'), /gate\.yml: waivers: unknown rule id "config\.nope"/);
});

test('the registry follows the catalog: known ids, catalog order, unique', async () => {
  const { RULES } = await import('../../src/rules/index.js');
  const { CATALOG_IDS } = await import('../../src/rules/catalog.js');
  const ids = RULES.map((r) => r.meta.id);
  assert.equal(new Set(ids).size, ids.length);
  const positions = ids.map((id) => CATALOG_IDS.indexOf(id));
  assert.ok(positions.every((p) => p >= 0), 'every rule id is in the public catalog');
  assert.deepEqual([...positions].sort((a, b) => a - b), positions, 'registry in catalog order');
  for (const r of RULES) assert.equal(r.meta.section, r.meta.id.split('.')[0]);
});

test('rebaseReport names files from the repository root, also above the working directory', async () => {
  const { rebaseReport } = await import('../../src/engine/report.js');
  const rule: RuleReport = { id: 'gate.no-db-push', section: 'gate', title: 't', status: 'fail', summary: 's', durationMs: 1, waived: false, locations: [{ file: 'package.json', line: 3 }], findings: [{ level: 'error', message: 'm', file: '../../.github/workflows/deploy.yml', line: 9 }], docs: 'docs/x.md' };
  const report = buildReport({ rules: [rule], startedAt: new Date(), durationMs: 1, failOn: 'fail', version: 'x' });
  const rebased = rebaseReport(report, 'apps/web').rules[0]!;
  assert.deepEqual(rebased.locations, [{ file: 'apps/web/package.json', line: 3 }]);
  assert.equal(rebased.findings[0]!.file, '.github/workflows/deploy.yml');
  assert.equal(rebased.docs, 'apps/web/docs/x.md');
  assert.equal(rebaseReport(report, ''), report);
});
