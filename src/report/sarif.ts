/**
 * SARIF 2.1.0 for GitHub code scanning (`sarif-path`): one descriptor per rule of the run, one result per
 * finding with a file of a failing or warning rule, and one result per such rule with no file finding.
 *
 * GitHub rejects a whole SARIF upload when any result has no location ("locationFromSarifResult:
 * expected at least one location", github/codeql-action#1738), so rule-level results are pinned to
 * `anchorFile` when the caller gives one (the workflow or the config file); without it they carry no
 * location, which is valid SARIF for other consumers.
 */
import { createHash } from 'node:crypto';
import type { Finding, Report, RuleReport } from '../engine/types.js';
import type { Redactor } from '../redact.js';
import { docsUrl, findingLevel, hasFile, needsAttention, redactReport, ruleLevel, waiverNote } from './common.js';
import type { AnnotationLevel } from './common.js';

export interface SarifOptions {
  redactor: Redactor;
  toolVersion: string;
  /** The action's home page, `tool.driver.informationUri`. */
  informationUri?: string;
  /** URL prefix for the app's files: SARIF wants an absolute `helpUri`, and docs paths are relative. */
  docsBaseUrl?: string;
  /** Repository file that rule-level results (no file finding) point at, so GitHub accepts them. */
  anchorFile?: string;
  /**
   * The code-scanning category (`sarif-category`): `automationDetails.id` is `<category>/`. A PR job and
   * the push job of its base branch that share it let code scanning show the PR's new alerts.
   * Default: one named after the checks selection.
   */
  category?: string;
}

/** Results code scanning takes in one run; over it the upload is refused (new findings are kept first). */
export const SARIF_MAX_RESULTS = 25_000;

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

const SARIF_LEVEL: Record<AnnotationLevel, 'error' | 'warning' | 'note'> = {
  error: 'error',
  warning: 'warning',
  notice: 'note',
};

export function renderSarif(report: Report, options: SarifOptions): string {
  const safe = redactReport(report, options.redactor);
  const redact = (text: string | undefined): string | undefined => text && options.redactor.redact(text);
  const index = new Map(safe.rules.map((rule, i) => [rule.id, i]));
  const anchorFile = redact(options.anchorFile);
  const all = safe.rules.filter(needsAttention).flatMap((rule) => ruleResults(rule, index.get(rule.id)!, anchorFile));
  withFingerprints(all);
  // Over code scanning's limit, what the change introduced goes first (a stable sort keeps the rest in order).
  const introducedFirst = all.length > SARIF_MAX_RESULTS ? [...all].sort((a, b) => Number(b.baselineState === 'new' || b.baselineState === 'updated') - Number(a.baselineState === 'new' || a.baselineState === 'updated')) : all;
  const results = introducedFirst.slice(0, SARIF_MAX_RESULTS).map(({ identity: _identity, ruleLevel: _ruleLevel, realLine: _realLine, ...result }) => result);

  const sarif = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: safe.tool.name,
            version: options.toolVersion,
            semanticVersion: options.toolVersion,
            ...(options.informationUri ? { informationUri: redact(options.informationUri) } : {}),
            rules: safe.rules.map((rule) => descriptor(rule, redact(options.docsBaseUrl))),
          },
        },
        automationDetails: { id: options.category ? `${options.category.replace(/\/+$/, '')}/` : automationId(safe) },
        // A configuration error: the tool did not run, and says why (SARIF's run-level notification).
        ...(safe.error
          ? { invocations: [{ executionSuccessful: false, toolConfigurationNotifications: [{ level: 'error', message: { text: `configuration error: ${safe.error.message}` } }] }] }
          : {}),
        results,
        ...(all.length > results.length ? { properties: { resultsLeftOut: all.length - results.length } } : {}),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

function descriptor(rule: RuleReport, docsBaseUrl: string | undefined) {
  const helpUri = rule.docs && (isAbsoluteUrl(rule.docs) ? rule.docs : docsBaseUrl && docsUrl(docsBaseUrl, rule.docs));
  return {
    id: rule.id,
    name: ruleName(rule.id),
    shortDescription: { text: rule.title },
    ...(helpUri ? { helpUri } : {}),
    ...(rule.docs ? { help: { text: `See ${rule.docs} in the app's repository.` } } : {}),
    properties: { tags: ['production-readiness', rule.section] },
  };
}

/** SARIF's `name` is an identifier-like word: `gate.no-db-push` → `GateNoDbPush`. */
function ruleName(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

/** SARIF's `baselineState` for a finding compared with the base. */
const BASELINE_STATE = { new: 'new', updated: 'updated', existing: 'unchanged' } as const;

function ruleResults(rule: RuleReport, ruleIndex: number, anchorFile: string | undefined) {
  const located = rule.findings.filter(hasFile);
  if (located.length > 0) {
    return located.map((finding) => ({
      ...resultBase(rule, ruleIndex, findingLevel(rule, finding), finding.message),
      locations: [physicalLocation(finding.file!, finding)],
      ...(finding.status ? { baselineState: BASELINE_STATE[finding.status] as string } : {}),
      ruleLevel: false as boolean,
      identity: finding.identity,
      realLine: Boolean(finding.line && finding.line >= 1),
    }));
  }
  // A compared rule's result without a file: its own status, else that of its file-less findings.
  const statuses = rule.findings.map((f) => f.status);
  const own =
    rule.comparison?.ruleStatus ??
    (statuses.includes('new') ? 'new' : statuses.includes('updated') ? 'updated' : statuses.includes('existing') ? 'existing' : undefined);
  return [
    {
      ...resultBase(rule, ruleIndex, ruleLevel(rule), rule.summary),
      ...(anchorFile ? { locations: [physicalLocation(anchorFile, { line: 1 })] } : {}),
      ...(own ? { baselineState: BASELINE_STATE[own] as string } : {}),
      // Its message is the rule's summary, which may hold timings: the fingerprint leaves it out.
      ruleLevel: true as boolean,
      identity: undefined as string | undefined,
      // Pinned to line 1 of the anchor only because code scanning needs a place: not a real line.
      realLine: false,
    },
  ];
}

function resultBase(rule: RuleReport, ruleIndex: number, level: AnnotationLevel, message: string) {
  return {
    ruleId: rule.id,
    ruleIndex,
    level: SARIF_LEVEL[level],
    message: { text: message + waiverNote(rule) },
    // A waiver is SARIF's external suppression. GitHub code scanning does not act on suppressions by
    // itself, which is why a waived result's level is also lowered to `note` (see `ruleLevel`).
    ...(rule.waived ? { suppressions: [{ kind: 'external', justification: rule.waiver?.reason ?? 'waived' }] } : {}),
  };
}

function physicalLocation(file: string, place: Pick<Finding, 'line' | 'endLine'>) {
  const startLine = place.line && place.line >= 1 ? place.line : undefined;
  const endLine = startLine && place.endLine && place.endLine >= startLine ? place.endLine : undefined;
  return {
    physicalLocation: {
      artifactLocation: { uri: toUri(file) },
      ...(startLine ? { region: { startLine, ...(endLine ? { endLine } : {}) } } : {}),
    },
  };
}

/** Repository-relative, forward slashes, percent-encoded: what `artifactLocation.uri` must be. */
function toUri(file: string): string {
  return encodeURI(file.replace(/\\/g, '/').replace(/^\.\//, ''));
}

function isAbsoluteUrl(text: string): boolean {
  return /^https?:\/\//i.test(text);
}

/** The fingerprint type this tool writes; bump the version if the recipe ever changes. */
export const FINGERPRINT_KEY = 'productionReadinessGate/v2';

/**
 * The finding's identity (engine/identity.ts: rule, path, key, whitespace-free snippet, ordinal), so the
 * same finding keeps its fingerprint when lines move; without one (a report built by hand), a hash of
 * rule, file and message with its rank among identical ones.
 *
 * Code scanning tracks alerts by `primaryLocationLineHash`, which upload-sarif computes from the
 * source line. A result with no real line (a rule-level result pinned to line 1 of the workflow or
 * config file) gets it from the identity instead, so editing that line does not re-create the alert.
 */
function withFingerprints(results: ReturnType<typeof ruleResults>): void {
  const seen = new Map<string, number>();
  for (const result of results) {
    const file = result.locations?.[0]?.physicalLocation.artifactLocation.uri ?? '';
    const fallback = result.ruleLevel ? [result.ruleId, 'rule'] : [result.ruleId, file, result.message.text];
    const key = fallback.join('\0');
    const rank = seen.get(key) ?? 0;
    seen.set(key, rank + 1);
    const hash = result.identity ?? createHash('sha256').update(`${key}\0${rank}`).digest('hex');
    const lineHash = result.realLine ? {} : { primaryLocationLineHash: `${hash.slice(0, 16)}:1` };
    Object.assign(result, { partialFingerprints: { [FINGERPRINT_KEY]: hash, ...lineHash } });
  }
}

/**
 * `production-readiness-gate/<selection>/`: the category of the run. Code scanning keeps one set of
 * alerts per category, so runs of different selections do not close each other's alerts.
 */
function automationId(report: Report): string {
  const notRun = report.selection?.notRun ?? [];
  const checks = notRun.length === 0 ? 'all' : [...new Set(report.selection!.checks)].sort().join(',');
  return `production-readiness-gate/${checks}/`;
}
