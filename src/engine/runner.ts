/**
 * Runs the selected rules: each as soon as the rules it comes `after` are done, independent ones
 * concurrently (bounded), each within a time bound. A throw or a timeout becomes a `fail` that says
 * so; nothing a rule does can take the run down. Waivers are applied last, to the finished results.
 */
import { errorMessage } from '../errors.js';
import type { Config } from '../config.js';
import { SECTIONS, type AnyRule, type Finding, type Location, type Outcome, type Rule, type RuleContext, type RuleMeta, type RuleReport, type Section } from './types.js';
import { UsageError } from '../errors.js';
import { Activity, componentName, describeWaiting, withActivity } from '../util/activity.js';
import { normalizeUnreachable } from './unavailable.js';
import { SharedStore } from './shared.js';

export interface RunOptions {
  /** Builds the context of one rule (the runner adds `results`, `shared`, `signal`). */
  context: Omit<RuleContext, 'results' | 'shared' | 'signal'>;
  /** Bound of a `probe` rule. */
  probeTimeoutMs: number;
  /** Bound of a `command` rule (installs and builds take minutes). */
  commandTimeoutMs: number;
  concurrency?: number;
  /** The run's deadline, from the start of `runRules`: rules still running then are cut off. */
  deadlineMs?: number;
  now?: Date;
  onRuleDone?: (result: RuleReport) => void;
}

/** Anything with a rule's meta: a registry entry (not loaded yet) or a rule. */
type WithMeta = { meta: RuleMeta };

/** Picks the rules `checks` names (sections or rule ids), in catalog order. */
export function selectRules<T extends WithMeta>(registry: readonly T[], checks: readonly string[]): T[] {
  const wanted = new Set<string>();
  for (const token of checks) {
    if ((SECTIONS as readonly string[]).includes(token)) {
      for (const rule of registry) if (rule.meta.section === token) wanted.add(rule.meta.id);
    } else if (registry.some((r) => r.meta.id === token)) {
      wanted.add(token);
    } else {
      const near = registry.find((r) => r.meta.id.endsWith(`.${token}`) || r.meta.id.startsWith(token));
      throw new UsageError(
        `checks: "${token}" is neither a section (${SECTIONS.join(', ')}) nor a rule id` +
          (near ? `; did you mean ${near.meta.id}?` : '; see docs/rules.md for the ids'),
      );
    }
  }
  if (checks.length === 0) throw new UsageError(`checks: empty; give sections (${SECTIONS.join(', ')}) or rule ids`);
  return registry.filter((r) => wanted.has(r.meta.id));
}

/** Checks that every waiver names a rule the gate has, so a typo does not silently waive nothing. */
export function validateWaivers(registry: readonly WithMeta[], config: Config, configPath: string): void {
  for (const waiver of config.waivers) {
    if (!registry.some((r) => r.meta.id === waiver.rule)) {
      throw new UsageError(`${configPath}: waivers: unknown rule id "${waiver.rule}"; see docs/rules.md for the ids`);
    }
  }
}

/** Time a command rule gets on top of its bound to end its process tree (TERM, then KILL). */
export const COMMAND_GRACE_MS = 15_000;

/** The bound of one rule: a command's own bound (plus the time to end it), else the probe bound. */
export function ruleBound(rule: WithMeta, options: Pick<RunOptions, 'probeTimeoutMs' | 'commandTimeoutMs'>): number {
  return rule.meta.kind === 'command' ? options.commandTimeoutMs + COMMAND_GRACE_MS : options.probeTimeoutMs;
}

/**
 * The longest time the selected rules can take: the longest chain of `after` dependencies, each rule
 * counted at its bound. The run's deadline is derived from it, so it follows the inputs.
 */
export function longestChainMs(rules: readonly WithMeta[], options: Pick<RunOptions, 'probeTimeoutMs' | 'commandTimeoutMs'>): number {
  const byId = new Map(rules.map((r) => [r.meta.id, r]));
  const memo = new Map<string, number>();
  const visiting = new Set<string>();
  const finish = (rule: WithMeta): number => {
    const known = memo.get(rule.meta.id);
    if (known !== undefined) return known;
    if (visiting.has(rule.meta.id)) return 0; // a cycle is reported by runRules, not here
    visiting.add(rule.meta.id);
    const before = Math.max(0, ...(rule.meta.after ?? []).map((id) => byId.get(id)).filter((r): r is WithMeta => !!r).map(finish));
    visiting.delete(rule.meta.id);
    const total = before + ruleBound(rule, options);
    memo.set(rule.meta.id, total);
    return total;
  };
  return Math.max(0, ...rules.map(finish));
}

interface Running {
  rule: Rule;
  activity: Activity;
  started: number;
  /** Settles the rule's slot with an outcome (its own, its bound's, or the deadline's); first call wins. */
  settle(outcome: Outcome): void;
}

/**
 * A registry entry's rule, loaded (a rule at hand as it is). A file that fails to load, or that
 * holds another id's rule, becomes a rule that fails with the reason: one broken file never takes
 * the run down.
 */
export async function loadRule(entry: AnyRule): Promise<Rule> {
  if ('check' in entry) return entry;
  let rule: Rule;
  try {
    rule = await entry.load();
  } catch (error) {
    return { meta: entry.meta, check: () => Promise.reject(error) };
  }
  if (rule.meta.id !== entry.meta.id) {
    return { meta: entry.meta, check: () => Promise.reject(new Error(`internal error: the registry entry ${entry.meta.id} loads the rule ${rule.meta.id}`)) };
  }
  return rule;
}

/** Loads the rules (registry entries are imported now, in parallel), then runs them. */
export async function runRules(entries: readonly AnyRule[], options: RunOptions): Promise<RuleReport[]> {
  const rules = await Promise.all(entries.map(loadRule));
  const results = new Map<string, RuleReport>();
  const shared = new SharedStore();
  const selected = new Set(rules.map((r) => r.meta.id));
  // High enough that every probe starts at once; the HTTP client bounds the sockets per target.
  const limit = Math.max(1, options.concurrency ?? 32);
  const pending = [...rules];
  const running = new Map<string, Running>();
  const policy = options.context.settings.unreachable;
  let wake: () => void = () => undefined;
  let deadlinePassed = false;

  const finish = (rule: Rule, outcome: Outcome, started: number) => {
    const report = toReport(rule, normalizeUnreachable(outcome, policy), performance.now() - started);
    results.set(rule.meta.id, report);
    running.delete(rule.meta.id);
    options.onRuleDone?.(report);
    wake();
  };

  // The run's own deadline: whatever is still running then is cut off, and the report is written with
  // what is known. The timer is not unref'd: it is what keeps the process alive while rules wait.
  const deadlineTimer =
    options.deadlineMs !== undefined
      ? setTimeout(() => {
          deadlinePassed = true;
          const seconds = formatBound(options.deadlineMs!);
          for (const slot of [...running.values()]) slot.settle(cutOff(slot.rule, slot.activity, `the run's deadline (${seconds}) passed`));
          for (const rule of pending.splice(0)) {
            finish(rule, { status: 'fail', summary: `not started: the run's deadline (${seconds}) passed while earlier rules ran`, fix: DEADLINE_FIX }, performance.now());
          }
          wake();
        }, options.deadlineMs)
      : undefined;

  // Only dependencies that were selected are waited for; a rule run alone checks what it can.
  const ready = (rule: Rule) => (rule.meta.after ?? []).every((id) => !selected.has(id) || results.has(id));

  try {
    while ((pending.length > 0 || running.size > 0) && !deadlinePassed) {
      let started = false;
      for (let i = 0; i < pending.length && running.size < limit; ) {
        const rule = pending[i]!;
        if (!ready(rule)) {
          i++;
          continue;
        }
        pending.splice(i, 1);
        started = true;
        start(rule);
      }
      if (running.size === 0 && !started && pending.length > 0) {
        // A cycle in `after` (a programming error): fail those rules rather than hang.
        for (const rule of pending.splice(0)) {
          finish(rule, { status: 'fail', summary: `internal error: rule waits on ${rule.meta.after?.join(', ')} in a cycle` }, performance.now());
        }
        break;
      }
      if (running.size > 0) await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    clearTimeout(deadlineTimer);
  }
  const now = options.now ?? new Date();
  return rules.map((rule) => applyWaiver(results.get(rule.meta.id)!, options.context.settings.config, now));

  function start(rule: Rule): void {
    const begun = performance.now();
    const controller = new AbortController();
    const activity = new Activity();
    const bound = ruleBound(rule, options);
    let settled = false;
    const settle = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Tell the rule's I/O to stop (a command's process tree is ended on abort).
      if (!controller.signal.aborted) controller.abort(new Error(outcome.summary));
      finish(rule, outcome, begun);
    };
    // Not unref'd: a rule that waits on nothing (a promise that never settles) must still be cut off
    // here, not end the process with "unsettled top-level await" and no report.
    const timer = setTimeout(() => settle(cutOff(rule, activity, formatBound(bound))), bound);
    running.set(rule.meta.id, { rule, activity, started: begun, settle });
    const ctx: RuleContext = { ...options.context, results, shared: shared.viewFor(rule.meta), signal: controller.signal };
    withActivity(activity, () => {
      let check: Promise<Outcome>;
      try {
        check = rule.check(ctx);
      } catch (error) {
        check = Promise.reject(error);
      }
      check.then(settle, (error: unknown) => settle(crashed(error)));
    });
  }
}

/** `45 s`, `30 min`, or `150 ms` for the tests' short bounds. */
export function formatBound(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms >= 120_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Math.round(ms / 1000)} s`;
}

const DEADLINE_FIX =
  'Look at what the rule waited for. The deadline follows the inputs: raise timeout-seconds or command-timeout-minutes if the work is legitimately slow.';

/** The outcome of a rule stopped at its bound or at the run's deadline, naming what it waited for. */
function cutOff(rule: Rule, activity: Activity, bound: string): Outcome {
  const waiting = describeWaiting(activity);
  const within = bound.startsWith('the run') ? `was cut off: ${bound}` : `did not finish within ${bound}`;
  const external = waiting.component && waiting.component !== 'command' ? waiting.component : undefined;
  return {
    status: 'fail',
    summary: `${within}; ${waiting.text}`,
    fix:
      rule.meta.kind === 'command'
        ? 'Look at the step log for where it hung; command-timeout-minutes bounds each command.'
        : external
          ? `Check that ${componentName(external)} answers from the runner, or raise timeout-seconds.`
          : DEADLINE_FIX,
    ...(external ? { unreachable: { component: external, cause: `${within}; ${waiting.text}` } } : {}),
  };
}

/** A rule that threw: a bug in the gate or an input nobody foresaw. The message, never a stack. */
function crashed(error: unknown): Outcome {
  return {
    status: 'fail',
    summary: `the rule stopped on an unexpected error: ${errorMessage(error)}`,
    fix: 'This is a bug in the gate, not in the app: please report it with the JSON report attached.',
  };
}

function toReport(rule: Rule, outcome: Outcome, durationMs: number): RuleReport {
  const findings: Finding[] = outcome.findings ?? [];
  const locations: Location[] = [];
  for (const f of findings) {
    if (f.file && !locations.some((l) => l.file === f.file && l.line === f.line)) {
      locations.push({ file: f.file, ...(f.line ? { line: f.line } : {}), ...(f.endLine ? { endLine: f.endLine } : {}) });
    }
  }
  return {
    id: rule.meta.id,
    section: rule.meta.section as Section,
    title: rule.meta.title,
    status: outcome.status,
    summary: outcome.summary,
    details: outcome.details,
    fix: outcome.fix,
    durationMs: Math.round(durationMs),
    waived: false,
    locations,
    findings,
    docs: rule.meta.docs,
    data: outcome.data,
    ...(outcome.unreachable ? { unreachable: outcome.unreachable } : {}),
    ...(rule.meta.scope ? { scope: rule.meta.scope } : {}),
  };
}

/**
 * True for the reports the runner writes itself when a rule did not finish: it threw, passed its
 * bound, or never started before the deadline. Such a result says nothing of the repository.
 */
export function didNotFinish(report: Pick<RuleReport, 'summary'>): boolean {
  return /^(?:unreachable: [^—]+ — )?(?:the rule stopped on an unexpected error|did not finish within|was cut off|not started|not finished)\b/.test(report.summary);
}

/**
 * A waiver lets a non-passing rule not block, and says so; the rule still shows its real status.
 * An expired waiver no longer applies, and the report says it expired.
 */
export function applyWaiver(report: RuleReport, config: Config, now: Date): RuleReport {
  const waiver = config.waivers.find((w) => w.rule === report.id);
  if (!waiver) return report;
  const expired = waiver.until !== undefined && now.getTime() > Date.parse(`${waiver.until}T23:59:59.999Z`);
  return {
    ...report,
    waived: !expired && (report.status === 'fail' || report.status === 'warn'),
    waiver: { reason: waiver.reason, until: waiver.until, expired },
  };
}
