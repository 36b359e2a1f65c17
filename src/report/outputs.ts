/**
 * The action's outputs (action.yml), as the strings `core.setOutput` takes. No rule text goes in, only
 * counts, a commit id and the paths the caller chose, so nothing here needs redacting.
 */
import type { Report } from '../engine/types.js';

export interface OutputOptions {
  reportPath?: string;
  sarifPath?: string;
}

export function buildOutputs(report: Report, options: OutputOptions = {}): Record<string, string> {
  return {
    ready: String(report.ready),
    passed: String(report.counts.pass),
    warnings: String(report.counts.warn),
    failed: String(report.counts.fail),
    skipped: String(report.counts.skip),
    // Empty rather than missing, so `steps.gate.outputs.sarif-path != ''` works in a workflow.
    'report-path': options.reportPath ?? '',
    'sarif-path': options.sarifPath ?? '',
    // The comparison with a base: the counts only when one was made (never "0 new" without one).
    'ready-all': String(report.baseline ? report.baseline.readyAll : report.ready),
    comparison: report.baseline ? (report.baseline.made ? 'made' : 'unavailable') : 'off',
    'baseline-sha': report.baseline?.made ? (report.baseline.sha ?? '') : '',
    new: report.baseline?.made ? String(report.baseline.counts.new + report.baseline.counts.updated) : '',
    existing: report.baseline?.made ? String(report.baseline.counts.existing) : '',
    fixed: report.baseline?.made ? String(report.baseline.counts.fixed) : '',
  };
}
