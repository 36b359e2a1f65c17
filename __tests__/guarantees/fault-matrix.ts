/**
 * One fault, one run of the real bundle, judged against a baseline run of the same checks on the good
 * sandbox: the run ends (no duration is asserted, only that it ends before the test's own generous
 * timeout), writes the report, summary and outputs, changes no rule outside the fault's reach, names
 * the component and the cause in each rule it changed, and is not ready when a needed check could
 * not run (ready, with warnings, when `unreachable: warn` was given).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startSandbox, type Sandbox } from '../../sandbox/index.js';
import { runAction, type ActionRun, type RunActionOptions } from '../../scripts/run-action.js';
import { recordProof } from './proof-counts.js';
import { assertNoLeak, assertOnlyGateCommands, assertWritten, runPlaces, statuses, type JsonReport, type JsonRule } from './run-checks.js';

export interface Arranged {
  inputs?: Record<string, string>;
  env?: Record<string, string>;
  eventName?: string;
  /** Secrets this run adds to the sandbox's (a wrong password is one too). */
  secrets?: string[];
  /** Texts a secret must not reach besides the run's own files (API request bodies). */
  places?: () => Record<string, string>;
  onSpawn?: RunActionOptions['onSpawn'];
  close?: () => Promise<void>;
}

export interface FaultCase {
  name: string;
  /** The rules selected (also those of the baseline run). */
  checks: readonly string[];
  /** The rules the fault may change; every other selected rule keeps its baseline status. */
  affected: readonly string[];
  /** Rules that must change (default: at least one of `affected`). */
  mustChange?: readonly string[];
  /** Of the changed rules, those whose summary must name the component and the cause (default: all). */
  named?: readonly string[];
  component: RegExp;
  cause: RegExp;
  /** The run's `unreachable` input: with `warn`, the changed rules warn and the run is ready. */
  unreachable?: 'warn';
  /**
   * The component answered, wrongly (a refused password, an expired certificate, a 500): a real
   * failure, which `unreachable: warn` does not excuse. The run is not ready, and the rules that fail
   * for it carry no `unreachable` in the JSON report.
   */
  realFailure?: boolean;
  /** Ready in spite of the fault (it touches nothing the verdict depends on). */
  ready?: boolean;
  arrange(): Promise<Arranged>;
  verify?(run: ActionRun, report: JsonReport): void | Promise<void>;
}

export interface FaultContext {
  inputs: Record<string, string>;
  env: Record<string, string>;
  secrets: readonly string[];
  baseline(checks: readonly string[]): Promise<JsonReport>;
}

export interface FaultResult {
  searches: number;
  changed: string[];
}

/** Baseline runs, one per selection, shared by the cases that select the same rules. */
export function baselines(run: (checks: readonly string[]) => Promise<ActionRun>): (checks: readonly string[]) => Promise<JsonReport> {
  const cache = new Map<string, Promise<JsonReport>>();
  return (checks) => {
    const key = [...checks].sort().join(',');
    let pending = cache.get(key);
    if (!pending) {
      pending = run(checks).then((r) => {
        const report = assertWritten(r, checks);
        return report;
      });
      cache.set(key, pending);
    }
    return pending;
  };
}

export async function runFault(c: FaultCase, ctx: FaultContext): Promise<FaultResult> {
  const baseline = await ctx.baseline(c.checks);
  const arranged = await c.arrange();
  let run: ActionRun;
  try {
    run = await runAction({
      inputs: { ...ctx.inputs, checks: c.checks.join(','), ...(c.unreachable ? { unreachable: c.unreachable } : {}), ...arranged.inputs },
      env: { ...ctx.env, ...arranged.env },
      eventName: arranged.eventName,
      onSpawn: arranged.onSpawn,
    });
  } finally {
    await arranged.close?.();
  }
  const report = assertWritten(run, c.checks);
  assertOnlyGateCommands(run, report);

  const before = statuses(baseline);
  const after = statuses(report);
  const changed = c.checks.filter((id) => before[id] !== after[id]);
  const byId = new Map(report.rules.map((r) => [r.id, r]));
  const show = (id: string) => `${id}: ${before[id]} → ${after[id]}: ${byId.get(id)!.summary}`;
  const outside = changed.filter((id) => !c.affected.includes(id));
  assert.deepEqual(outside.map(show), [], 'rules outside the fault changed');
  if (c.mustChange) {
    for (const id of c.mustChange) assert.ok(changed.includes(id), `${id} did not change: ${byId.get(id)!.status}: ${byId.get(id)!.summary}`);
  } else if (!c.ready) {
    assert.ok(changed.length > 0, 'the fault changed no rule');
  }
  for (const id of changed.filter((r) => !c.named || c.named.includes(r))) {
    const rule: JsonRule = byId.get(id)!;
    assert.match(rule.summary, c.component, `${show(id)}\ndoes not name the component`);
    assert.match(rule.summary, c.cause, `${show(id)}\ndoes not name the cause`);
  }
  if (c.ready) {
    assert.equal(report.ready, true, 'the fault does not touch the verdict');
  } else if (c.realFailure) {
    assert.equal(report.ready, false, 'a real failure blocks, whatever the unreachable input says');
    const failing = changed.filter((id) => after[id] === 'fail');
    assert.ok(failing.length > 0, `some rule fails for the fault: ${changed.map(show).join('\n')}`);
    for (const id of failing) assert.equal(byId.get(id)!.unreachable ?? null, null, `${show(id)}\nis a real failure, not "could not check"`);
  } else if (c.unreachable === 'warn') {
    for (const id of changed) assert.equal(after[id], 'warn', show(id));
    assert.equal(report.ready, true, 'ready, with warnings, when unreachable: warn is given');
    assert.match(run.summary, /^## ✅ Ready (to go live|for the selected checks), with \d+ warnings?/m);
  } else {
    assert.equal(report.ready, false, 'a needed check could not run: not ready');
  }
  // "Could not check" has one shape: the phrase in the summary and the component in the JSON report.
  if (!c.realFailure) {
    for (const id of changed.filter((r) => byId.get(r)!.unreachable && !byId.get(r)!.unreachable!.partial)) {
      const rule = byId.get(id)!;
      assert.match(rule.summary, new RegExp(`^unreachable: ${rule.unreachable!.component} — `), show(id));
      assert.ok(rule.unreachable!.cause.length > 0, `${show(id)}: the cause is given`);
    }
  }
  await c.verify?.(run, report);
  const leak = assertNoLeak([...ctx.secrets, ...(arranged.secrets ?? [])], runPlaces(run, arranged.places?.() ?? {}));
  return { searches: leak.searches, changed };
}

/**
 * A matrix of faults around the good sandbox (the app's, the services'): one sandbox for the file
 * (handed to the cases through `started`), a baseline per selection, one test per case, three at a
 * time, and the figures `npm run proof` prints under `suite`.
 */
export function sandboxFaultMatrix(title: string, suite: string, cases: readonly FaultCase[], started: (sandbox: Sandbox) => void): void {
  let sandbox: Sandbox | undefined;
  let baseline: FaultContext['baseline'];
  const proof = { cases: 0, searches: 0 };
  describe(title, { concurrency: 3 }, () => {
    before(async () => {
      const s = await startSandbox({ scenario: 'good', quiet: true });
      sandbox = s;
      started(s);
      baseline = baselines((checks) => runAction({ inputs: { ...s.inputs, checks: checks.join(','), 'timeout-seconds': '5' }, env: s.env }));
    });
    after(async () => {
      await sandbox?.stop();
      recordProof({ suite, ...proof, leaks: 0 });
    });

    for (const c of cases) {
      // Generous: a case ends within its documented bound (seconds); this only catches a run that never ends.
      test(c.name, { timeout: 240_000 }, async () => {
        const s = sandbox!;
        const result = await runFault(c, { inputs: { ...s.inputs, 'timeout-seconds': '5' }, env: s.env, secrets: s.secrets, baseline });
        proof.cases++;
        proof.searches += result.searches;
      });
    }
  });
}
