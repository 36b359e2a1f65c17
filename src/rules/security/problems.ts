/**
 * The security rules judge several things at once (a certificate and a redirect; three headers; each
 * cookie) and report every problem, not only the first: fixing them one run at a time would take as
 * many runs as there are problems. Each judgement is a list of problems; one function turns the list
 * into the rule's outcome.
 */
import type { Finding, Outcome } from '../../engine/types.js';
import type { Problem } from '../../analysis/problem.js';

export { code, type Problem } from '../../analysis/problem.js';

/** How many problems the one-line summary names before it says "and N more". */
const SUMMARY_PROBLEMS = 3;

/**
 * The outcome of a list of problems: the worst level decides the status; the summary names the
 * problems, failures first; each problem becomes a finding when there is more than one (a single one
 * is already the summary).
 */
export function outcomeOf(problems: readonly Problem[], pass: Omit<Outcome, 'status'>): Outcome {
  if (problems.length === 0) return { status: 'pass', ...pass };
  const ordered = [...problems.filter((p) => p.level === 'fail'), ...problems.filter((p) => p.level === 'warn')];
  const shown = ordered.slice(0, SUMMARY_PROBLEMS).map((p) => p.message);
  const more = ordered.length - shown.length;
  const findings: Finding[] = ordered.length > 1 ? ordered.map((p) => ({ level: p.level === 'fail' ? 'error' : 'warning', message: p.message })) : [];
  return {
    status: ordered[0]!.level,
    summary: shown.join('; ') + (more > 0 ? `; and ${more} more` : ''),
    details: pass.details,
    fix: [...new Set(ordered.map((p) => p.fix))].join(' '),
    ...(findings.length ? { findings } : {}),
    ...(pass.data ? { data: pass.data } : {}),
    // A part that could not be checked is named in the report's `unreachable` field too.
    ...(ordered.find((p) => p.unreachable) ? { unreachable: ordered.find((p) => p.unreachable)!.unreachable } : {}),
  };
}
