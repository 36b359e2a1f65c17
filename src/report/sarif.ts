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
}

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
  const results = safe.rules
    .filter(needsAttention)
    .flatMap((rule) => ruleResults(rule, index.get(rule.id)!, anchorFile));
  withFingerprints(results);

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
        automationDetails: { id: automationId(safe) },
        // A configuration error: the tool did not run, and says why (SARIF's run-level notification).
        ...(safe.error
          ? { invocations: [{ executionSuccessful: false, toolConfigurationNotifications: [{ level: 'error', message: { text: `configuration error: ${safe.error.message}` } }] }] }
          : {}),
        results,
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

function ruleResults(rule: RuleReport, ruleIndex: number, anchorFile: string | undefined) {
  const located = rule.findings.filter(hasFile);
  if (located.length > 0) {
    return located.map((finding) => ({
      ...resultBase(rule, ruleIndex, findingLevel(rule, finding), finding.message),
      locations: [physicalLocation(finding.file!, finding)],
      ruleLevel: false as boolean | undefined,
    }));
  }
  return [
    {
      ...resultBase(rule, ruleIndex, ruleLevel(rule), rule.summary),
      ...(anchorFile ? { locations: [physicalLocation(anchorFile, { line: 1 })] } : {}),
      // Its message is the rule's summary, which may hold timings: the fingerprint leaves it out.
      ruleLevel: true as boolean | undefined,
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
export const FINGERPRINT_KEY = 'productionReadinessGate/v1';

/**
 * A hash of what identifies the finding: rule, file and message, plus its rank among identical ones
 * (the same message at several lines of one file), so two findings never share a fingerprint and the
 * same finding keeps its own from run to run.
 */
function withFingerprints(results: ReturnType<typeof ruleResults>): void {
  const seen = new Map<string, number>();
  for (const result of results) {
    const file = result.locations?.[0]?.physicalLocation.artifactLocation.uri ?? '';
    const identity = result.ruleLevel ? [result.ruleId, 'rule'] : [result.ruleId, file, result.message.text];
    const key = identity.join('\0');
    const rank = seen.get(key) ?? 0;
    seen.set(key, rank + 1);
    const hash = createHash('sha256').update(`${key}\0${rank}`).digest('hex');
    Object.assign(result, { partialFingerprints: { [FINGERPRINT_KEY]: hash } });
    delete result.ruleLevel;
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
