import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG } from '../../src/config.js';
import { buildReport } from '../../src/engine/report.js';
import { applyWaiver, runRules, selectRules, validateWaivers } from '../../src/engine/runner.js';
import type { Outcome, Rule, RuleReport } from '../../src/engine/types.js';
import { UsageError } from '../../src/errors.js';
import { createClients } from '../../src/probes/clients.js';
import { goodEnv, settingsFor, silentLog } from '../helpers.js';
import { track } from '../../src/util/activity.js';

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rule(id: string, check: Rule['check'], extra: Partial<Rule['meta']> = {}): Rule {
  return { meta: { id, section: id.split('.')[0] as 'config', title: id, ...extra }, check };
}

async function run(rules: Rule[], options: { probeTimeoutMs?: number; deadlineMs?: number; unreachable?: 'fail' | 'warn'; waivers?: typeof DEFAULT_CONFIG.waivers; now?: Date } = {}) {
  const settings = await settingsFor(goodEnv(), { inputs: options.unreachable ? { unreachable: options.unreachable } : {} });
  settings.config = { ...settings.config, waivers: options.waivers ?? [] };
  return runRules(rules, {
    context: { settings, clients: { ...createClients(settings), db: () => Promise.reject(new Error('no db')), http: () => { throw new Error('no http'); }, stripe: () => Promise.reject(new Error('no stripe')), close: async () => undefined }, log: silentLog },
    probeTimeoutMs: options.probeTimeoutMs ?? 5000,
    commandTimeoutMs: 5000,
    deadlineMs: options.deadlineMs,
    now: options.now,
  });
}

test('independent rules run concurrently and come back in catalog order', { timeout: 10_000 }, async () => {
  // Each rule records its start and waits for its own gate; the gates open only once all three have
  // started, in the order r1, r2, r0. Run one after the other, r0 would wait for ever (and r1 never start).
  const events: string[] = [];
  const gates = [0, 1, 2].map(() => {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    return { open, opened };
  });
  let allStarted!: () => void;
  const started = new Promise<void>((resolve) => (allStarted = resolve));
  const rules = gates.map((gate, i) =>
    rule(`config.r${i}`, async () => {
      events.push(`start r${i}`);
      if (events.length === 3) allStarted();
      await gate.opened;
      events.push(`end r${i}`);
      return { status: 'pass', summary: `r${i}` };
    }),
  );
  const running = run(rules);
  await started;
  for (const i of [1, 2, 0]) {
    gates[i]!.open();
    await delay(0);
  }
  const results = await running;
  assert.deepEqual(results.map((r) => r.id), ['config.r0', 'config.r1', 'config.r2']);
  assert.deepEqual(events.slice(0, 3), ['start r0', 'start r1', 'start r2'], 'every rule started before any ended');
  assert.deepEqual(events.slice(3), ['end r1', 'end r2', 'end r0'], 'each ended when its own wait did');
  assert.deepEqual(results.map((r) => r.status), ['pass', 'pass', 'pass']);
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

test('a rule cut off at its bound names what it waited for; an outside component makes it an unreachable failure', async () => {
  const never = new Promise<never>(() => undefined);
  const rules = [
    rule('config.db', async () => track('database', 'connect to db.acme-saas.com:5432', never)),
    rule('config.app', async () => {
      await track('app', 'GET https://app.acme-saas.com/api/health', Promise.resolve());
      return never;
    }),
  ];
  const [db, app] = await run(rules, { probeTimeoutMs: 150 });
  assert.equal(db!.status, 'fail');
  assert.match(db!.summary, /^unreachable: database — did not finish within 150 ms; waiting for the database \(connect to db\.acme-saas\.com:5432\)$/);
  assert.deepEqual(db!.unreachable, { component: 'database', cause: 'did not finish within 150 ms; waiting for the database (connect to db.acme-saas.com:5432)' });
  assert.match(db!.fix ?? '', /the database answers/);
  // Nothing in flight: the rule's own code hung, which no input excuses.
  assert.equal(app!.status, 'fail');
  assert.match(app!.summary, /nothing was in flight; the last operation was the app \(GET https:\/\/app\.acme-saas\.com\/api\/health\)/);
  assert.equal(app!.unreachable, undefined);

  const [warned, stillFailing] = await run(rules, { probeTimeoutMs: 150, unreachable: 'warn' });
  assert.equal(warned!.status, 'warn', 'unreachable: warn lowers a hang on an outside component');
  assert.match(warned!.details ?? '', /unreachable: warn/);
  assert.equal(stillFailing!.status, 'fail', 'but not a hang in the rule itself');
});

test("the run's deadline cuts off running rules and fails the ones not started, with a report for every rule", async () => {
  const never = new Promise<never>(() => undefined);
  const results = await run(
    [
      rule('gate.slow', async () => track('command', 'npm ci', never)),
      rule('gate.next', async () => ({ status: 'pass', summary: 'ok' }), { after: ['gate.slow'] }),
      rule('config.quick', async () => ({ status: 'pass', summary: 'ok' })),
    ],
    { probeTimeoutMs: 60_000, deadlineMs: 200 },
  );
  assert.deepEqual(results.map((r) => [r.id, r.status]), [['gate.slow', 'fail'], ['gate.next', 'fail'], ['config.quick', 'pass']]);
  assert.match(results[0]!.summary, /^was cut off: the run's deadline \(200 ms\) passed; waiting for a command \(npm ci\)$/);
  assert.match(results[1]!.summary, /^not started: the run's deadline/);
});

test('a rule whose promise never settles and holds no handle does not end the process: the run still reports', () => {
  // In a process of its own: with nothing else alive, Node would end it ("unsettled top-level await",
  // exit 13) unless the runner's own timer keeps it alive until the bound.
  const script = `
    import { runRules } from './src/engine/runner.ts';
    import { settingsFor, goodEnv, silentLog } from './__tests__/helpers.ts';
    const settings = await settingsFor(goodEnv());
    const [r] = await runRules([{ meta: { id: 'config.stuck', section: 'config', title: 'stuck' }, check: () => new Promise(() => {}) }], {
      context: { settings, clients: {}, log: silentLog }, probeTimeoutMs: 100, commandTimeoutMs: 100,
    });
    process.stdout.write(JSON.stringify({ status: r.status, summary: r.summary }));
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: new URL('../..', import.meta.url).pathname, encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  const out = JSON.parse(child.stdout) as { status: string; summary: string };
  assert.equal(out.status, 'fail');
  assert.match(out.summary, /did not finish within 100 ms; nothing was in flight/);
});
