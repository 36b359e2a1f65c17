/**
 * One run of the gate, shared by the action and the command line: settings in, report out.
 * No output happens here apart from the progress logger; the entries render and write the reports.
 */
import type { Settings } from './settings.js';
import { createClients } from './probes/clients.js';
import { buildReport } from './engine/report.js';
import { applyWaiver, longestChainMs, runRules, selectRules, validateWaivers } from './engine/runner.js';
import type { AnyRule, Logger, Report, RuleReport } from './engine/types.js';
import { RULES } from './rules/index.js';
import { appUrlVariable } from './probes/target.js';
import { VERSION } from './version.js';
import { assignIdentities, compareWithBase, lineReader, prepareBaseline, Unavailable, type BaselinePlan } from './baseline.js';
import { errorMessage } from './errors.js';

export interface GateOptions {
  log: Logger;
  onRuleDone?: (result: RuleReport) => void;
  now?: Date;
}

/** Checks the parts of the settings that depend on the rule catalog (throws UsageError). */
export function validateSelection(settings: Settings) {
  validateWaivers(RULES, settings.config, settings.configFile);
  return selectRules(RULES, settings.checks);
}

/** Time the run keeps for itself beyond its rules: closing clients, rendering and writing the reports. */
export const RUN_MARGIN_MS = 30_000;
/** How long closing the clients may take before the run goes on without waiting. */
const CLOSE_BOUND_MS = 5_000;

/** Bounds of one run, all derived from the inputs (documented in the README). */
export function runBounds(settings: Settings, rules: readonly AnyRule[]) {
  // Room for the bounded retries of a probe chain within one rule.
  const probeTimeoutMs = settings.timeoutSeconds * 1000 * 3;
  const commandTimeoutMs = settings.commandTimeoutMs;
  const rulesMs = longestChainMs(rules, { probeTimeoutMs, commandTimeoutMs });
  return { probeTimeoutMs, commandTimeoutMs, rulesMs, deadlineMs: rulesMs + RUN_MARGIN_MS };
}

export async function runGate(settings: Settings, options: GateOptions): Promise<Report> {
  const rules = validateSelection(settings);
  const startedAt = options.now ?? new Date();
  const started = performance.now();
  // On pull requests: the base, checked out beside the change (src/baseline.ts); nothing when not asked.
  const plan = await prepareBaseline(settings, rules, options.log);
  const clients = createClients(settings);
  const bounds = runBounds(settings, rules);
  try {
    const [results, base] = await Promise.all([
      runRules(rules, {
        context: { settings, clients, log: options.log, ...(plan.base ? { baseline: plan.base.head } : {}) },
        probeTimeoutMs: bounds.probeTimeoutMs,
        commandTimeoutMs: bounds.commandTimeoutMs,
        // The rules' own bounds end every chain before this; it is the guard should one of them not.
        deadlineMs: bounds.rulesMs + CLOSE_BOUND_MS,
        now: options.now,
        onRuleDone: options.onRuleDone,
      }),
      runBasePass(settings, rules, plan, bounds, options),
    ]);
    const headParts = await assignIdentities(results, lineReader(settings.workingDirectory));
    const compared = compareWithBase({
      settings,
      plan,
      head: results,
      headParts,
      base: base?.results,
      baseParts: base?.parts,
      basePassMs: base?.durationMs,
      baseUnavailable: base?.unavailable,
      diffCompared: new Set(rules.filter((r) => r.meta.compareBy === 'diff').map((r) => r.meta.id)),
    });
    return buildReport({
      rules: compared.rules,
      startedAt,
      durationMs: performance.now() - started,
      appUrl: withoutCredentials(appUrlVariable(settings).value),
      failOn: settings.failOn,
      version: VERSION,
      selection: { checks: settings.checks, notRun: RULES.filter((r) => !rules.includes(r)).map((r) => r.meta.id) },
      baseline: compared.baseline,
    });
  } finally {
    // A server that never answers the goodbye must not hold the report back.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([clients.close().catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_BOUND_MS)))]);
    clearTimeout(timer);
    await plan.cleanup();
  }
}

/**
 * The repository rules again, on the base checked out in its temporary work tree: the head's config,
 * the secrets the run knows (searched for on the base too), no database, no command, no network.
 */
async function runBasePass(settings: Settings, selected: readonly AnyRule[], plan: BaselinePlan, bounds: ReturnType<typeof runBounds>, options: GateOptions) {
  const prepared = plan.base;
  if (!prepared) return undefined;
  const rules = selected.filter((r) => r.meta.scope === 'repository' && r.meta.compareBy !== 'diff');
  if (rules.length === 0) return { results: new Map<string, RuleReport>(), parts: new Map(), durationMs: 0, unavailable: undefined };
  const started = performance.now();
  let workingDirectory: string;
  try {
    workingDirectory = await prepared.workingDirectory;
  } catch (error) {
    const unavailable = error instanceof Unavailable ? error : new Unavailable(errorMessage(error), '');
    options.log.info(`Not compared with a base: ${unavailable.message}`);
    return { results: new Map<string, RuleReport>(), parts: new Map(), durationMs: performance.now() - started, unavailable: { reason: unavailable.message, fix: unavailable.fix } };
  }
  const baseSettings: Settings = {
    ...settings,
    workingDirectory,
    env: { ...settings.env, DATABASE_URL: undefined },
    reportPath: undefined,
    sarifPath: undefined,
  };
  const clients = createClients(baseSettings);
  const log: Logger = { info: (m) => options.log.info(`base: ${m}`), output: () => undefined, group: (_name, fn) => fn() };
  try {
    const results = await runRules(rules, {
      context: { settings: baseSettings, clients, log, baseline: prepared.base },
      probeTimeoutMs: bounds.probeTimeoutMs,
      commandTimeoutMs: bounds.commandTimeoutMs,
      deadlineMs: bounds.rulesMs + CLOSE_BOUND_MS,
      now: options.now,
    });
    const parts = await assignIdentities(results, lineReader(workingDirectory));
    return { results: new Map(results.map((r) => [r.id, r])), parts, durationMs: performance.now() - started, unavailable: undefined };
  } finally {
    await clients.close().catch(() => undefined);
  }
}

/**
 * The report of a run that stopped before its end (cancelled, or a bug): the rules that finished as
 * they finished, every other selected rule as `fail` "not finished", with the reason.
 */
export function partialReport(settings: Settings, finished: readonly RuleReport[], startedAt: Date, why: string): Report {
  const done = new Map(finished.map((r) => [r.id, r]));
  const now = new Date();
  const selected = selectRules(RULES, settings.checks);
  const rules = selected.map((rule): RuleReport => {
    const report = done.get(rule.meta.id) ?? {
      id: rule.meta.id,
      section: rule.meta.section,
      title: rule.meta.title,
      status: 'fail',
      summary: `not finished: ${why}`,
      durationMs: 0,
      waived: false,
      locations: [],
      findings: [],
      docs: rule.meta.docs,
      ...(rule.meta.scope ? { scope: rule.meta.scope } : {}),
    };
    return applyWaiver(report, settings.config, now);
  });
  return buildReport({
    rules,
    startedAt,
    durationMs: now.getTime() - startedAt.getTime(),
    appUrl: withoutCredentials(appUrlVariable(settings).value),
    failOn: settings.failOn,
    version: VERSION,
    selection: { checks: settings.checks, notRun: RULES.filter((r) => !selected.includes(r)).map((r) => r.meta.id) },
  });
}

/** The target as the report names it: never with a user:password part. */
function withoutCredentials(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/$/, '');
  } catch {
    return value;
  }
}

/**
 * The report of a run that could not start because its configuration is wrong (an input, the env file,
 * the config file, an output path): no rule ran, not ready, and the error is in the report, so a later
 * step reading the JSON report sees why rather than a missing file.
 */
export function configurationErrorReport(message: string, startedAt: Date): Report {
  return {
    ...buildReport({ rules: [], startedAt, durationMs: Date.now() - startedAt.getTime(), failOn: 'fail', version: VERSION }),
    ready: false,
    error: { kind: 'configuration', message },
  };
}
