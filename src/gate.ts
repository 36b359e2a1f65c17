/**
 * One run of the gate, shared by the action and the command line: settings in, report out.
 * No output happens here apart from the progress logger; the entries render and write the reports.
 */
import type { Settings } from './settings.js';
import { createClients } from './probes/clients.js';
import { buildReport } from './engine/report.js';
import { runRules, selectRules, validateWaivers } from './engine/runner.js';
import type { Logger, Report, RuleReport } from './engine/types.js';
import { RULES } from './rules/index.js';
import { VERSION } from './version.js';

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

export async function runGate(settings: Settings, options: GateOptions): Promise<Report> {
  const rules = validateSelection(settings);
  const startedAt = options.now ?? new Date();
  const started = performance.now();
  const clients = createClients(settings);
  try {
    const results = await runRules(rules, {
      context: { settings, clients, log: options.log },
      // Room for the bounded retries of a probe chain within one rule.
      probeTimeoutMs: settings.timeoutSeconds * 1000 * 3,
      commandTimeoutMs: 60 * 60 * 1000,
      now: options.now,
      onRuleDone: options.onRuleDone,
    });
    return buildReport({
      rules: results,
      startedAt,
      durationMs: performance.now() - started,
      appUrl: withoutCredentials(settings.env.APP_URL),
      failOn: settings.failOn,
      version: VERSION,
      selection: { checks: settings.checks, notRun: RULES.filter((r) => !rules.includes(r)).map((r) => r.meta.id) },
    });
  } finally {
    await clients.close();
  }
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
