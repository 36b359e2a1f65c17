/**
 * Runs the selected rules: each as soon as the rules it comes `after` are done, independent ones
 * concurrently (bounded), each within a time bound. A throw or a timeout becomes a `fail` that says
 * so; nothing a rule does can take the run down. Waivers are applied last, to the finished results.
 */
import { errorMessage } from '../errors.js';
import type { Config } from '../config.js';
import { SECTIONS, type Finding, type Location, type Outcome, type Rule, type RuleContext, type RuleReport, type Section } from './types.js';
import { UsageError } from '../errors.js';

export interface RunOptions {
  /** Builds the context of one rule (the runner adds `results`, `signal`). */
  context: Omit<RuleContext, 'results' | 'signal'>;
  /** Bound of a `probe` rule. */
  probeTimeoutMs: number;
  /** Bound of a `command` rule (installs and builds take minutes). */
  commandTimeoutMs: number;
  concurrency?: number;
  now?: Date;
  onRuleDone?: (result: RuleReport) => void;
}

/** Picks the rules `checks` names (sections or rule ids), in catalog order. */
export function selectRules(registry: readonly Rule[], checks: readonly string[]): Rule[] {
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
export function validateWaivers(registry: readonly Rule[], config: Config, configPath: string): void {
  for (const waiver of config.waivers) {
    if (!registry.some((r) => r.meta.id === waiver.rule)) {
      throw new UsageError(`${configPath}: waivers: unknown rule id "${waiver.rule}"; see docs/rules.md for the ids`);
    }
  }
}

export async function runRules(rules: readonly Rule[], options: RunOptions): Promise<RuleReport[]> {
  const results = new Map<string, RuleReport>();
  const selected = new Set(rules.map((r) => r.meta.id));
  // High enough that every probe starts at once; the HTTP client bounds the sockets per target.
  const limit = Math.max(1, options.concurrency ?? 32);
  const pending = [...rules];
  const running = new Set<Promise<void>>();

  // Only dependencies that were selected are waited for; a rule run alone checks what it can.
  const ready = (rule: Rule) => (rule.meta.after ?? []).every((id) => !selected.has(id) || results.has(id));

  while (pending.length > 0 || running.size > 0) {
    let started = false;
    for (let i = 0; i < pending.length && running.size < limit; ) {
      const rule = pending[i]!;
      if (!ready(rule)) {
        i++;
        continue;
      }
      pending.splice(i, 1);
      started = true;
      const task = runOne(rule, results, options).then((report) => {
        results.set(rule.meta.id, report);
        options.onRuleDone?.(report);
        running.delete(task);
      });
      running.add(task);
    }
    if (running.size === 0 && !started && pending.length > 0) {
      // A cycle in `after` (a programming error): fail those rules rather than hang.
      for (const rule of pending.splice(0)) {
        results.set(rule.meta.id, toReport(rule, { status: 'fail', summary: `internal error: rule waits on ${rule.meta.after?.join(', ')} in a cycle` }, 0));
      }
      break;
    }
    if (running.size > 0) await Promise.race(running);
  }
  const now = options.now ?? new Date();
  return rules.map((rule) => applyWaiver(results.get(rule.meta.id)!, options.context.settings.config, now));
}

async function runOne(rule: Rule, results: ReadonlyMap<string, RuleReport>, options: RunOptions): Promise<RuleReport> {
  const started = performance.now();
  const controller = new AbortController();
  const bound = rule.meta.kind === 'command' ? options.commandTimeoutMs : options.probeTimeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error(`timed out after ${Math.round(bound / 1000)} s`));
      resolve({
        status: 'fail',
        summary: `did not finish within ${Math.round(bound / 1000)} s`,
        fix: rule.meta.kind === 'command' ? 'Look at the step log for where it hung.' : 'Check that the target answers, or raise timeout-seconds.',
      });
    }, bound);
    timer.unref?.();
  });
  let outcome: Outcome;
  try {
    const ctx: RuleContext = { ...options.context, results, signal: controller.signal };
    outcome = await Promise.race([rule.check(ctx), timeout]);
  } catch (error) {
    outcome = { status: 'fail', summary: `the check failed: ${errorMessage(error)}` };
  } finally {
    clearTimeout(timer);
  }
  return toReport(rule, outcome, performance.now() - started);
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
  };
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
