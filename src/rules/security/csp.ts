/**
 * security.csp: the Content-Security-Policy of every document of the page set (./app-target.ts),
 * parsed and judged as browsers enforce it (src/analysis/headers/csp.ts), with Google's CSP Evaluator lists of
 * allowlist-bypass hosts (src/analysis/headers/csp-bypass.ts). A Report-Only policy alone enforces nothing, so it does
 * not count. Across pages, a nonce must be fresh per response: the same nonce on two answers is a
 * cached or constant nonce, which an attacker reads once and reuses.
 */
import { flagState } from '../../target-app.js';
import { defineRule } from '../index.js';
import type { AnsweredPage } from '../../probes/pages.js';
import { documentsOf, groupByPage, isOutcome, loadPages, pageList, pagesNote, type PageProblem } from './app-target.js';
import { loadBypassLists } from '../../analysis/headers/csp-bypass.js';
import { cspHeaderValues, effectiveDirective, enforcedPolicies, judgeCsp, noncesOf, reportOnlyPolicies, type CspJudgeOptions } from '../../analysis/headers/csp.js';
import { code, outcomeOf, type Problem } from './problems.js';

/** The problems of one response's CSP headers. */
export function judgePageCsp(rawHeaders: ReadonlyArray<readonly [string, string]>, options: CspJudgeOptions): Problem[] {
  const policies = enforcedPolicies(rawHeaders);
  if (policies.length > 0) return judgeCsp(policies, options);
  const sent = cspHeaderValues(rawHeaders, 'content-security-policy');
  const reportOnly = reportOnlyPolicies(rawHeaders);
  if (sent.length > 0) {
    return [{
      level: 'fail',
      message: `the \`Content-Security-Policy\` header holds no directive (${sent.map((v) => code(v)).join(', ')}), so browsers enforce nothing${reportOnly.length ? ' (the Report-Only policy only reports)' : ''}`,
      fix: "Send the policy's directives in `Content-Security-Policy`; check the proxy or the headers() rule that empties it.",
    }];
  }
  if (reportOnly.length > 0) {
    return [{
      level: 'fail',
      message: 'only Content-Security-Policy-Report-Only is sent: browsers report violations but block nothing',
      fix: 'Send the policy as `Content-Security-Policy` (keep Report-Only only for trying a stricter policy next to an enforced one).',
    }];
  }
  return [{
    level: 'fail',
    message: 'no Content-Security-Policy header',
    fix: "Send a `Content-Security-Policy` header; the app's middleware builds one with a per-request nonce.",
  }];
}

/** The script nonces a response's enforced policies carry. */
function pageNonces(page: AnsweredPage): string[] {
  return enforcedPolicies(page.response.rawHeaders).flatMap((p) =>
    ['script-src-elem', 'script-src-attr'].flatMap((kind) => noncesOf(effectiveDirective(p, kind)?.sources ?? [])),
  );
}

/** A nonce seen on more than one response is not a per-response nonce. */
export function reusedNonces(pages: readonly AnsweredPage[]): Problem[] {
  const where = new Map<string, AnsweredPage[]>();
  for (const page of pages) for (const nonce of new Set(pageNonces(page))) where.set(nonce, [...(where.get(nonce) ?? []), page]);
  return [...where.entries()]
    .filter(([, on]) => on.length > 1)
    .map(([nonce, on]) => ({
      level: 'fail',
      message: `the same nonce ${code(`'nonce-${nonce}'`)} is sent on ${pageList(on)}: a nonce that does not change per response (a cached page, a constant) can be read once and put on an injected <script>`,
      fix: "Generate a fresh nonce for every response (the app's middleware does), and do not cache pages that carry one (Cache-Control: no-store, or no ISR for them).",
    }));
}

export const securityCsp = defineRule({
  id: 'security.csp',
  async check(ctx) {
    const set = await loadPages(ctx);
    if (isOutcome(set)) return set;
    const documents = documentsOf(set);
    const strict = flagState('ENABLE_CSP_STRICT', ctx.settings.env.ENABLE_CSP_STRICT).on;
    const options: CspJudgeOptions = { strict, bypasses: await loadBypassLists() };
    const perPage = documents.pages.map((page) => ({ page, problems: judgePageCsp(page.response.rawHeaders, options) as PageProblem[] }));
    const problems = [...groupByPage(perPage), ...(documents.pages.length > 1 ? reusedNonces(documents.pages) : []), ...set.unreachable];
    const first = documents.pages[0]!.response.rawHeaders;
    const policies = enforcedPolicies(first);
    const nonce = documents.pages.some((p) => pageNonces(p).length > 0);
    const headers = documents.pages.map((page) => {
      const lines = page.response.rawHeaders.filter(([n]) => n === 'content-security-policy' || n === 'content-security-policy-report-only').map(([n, v]) => `  - ${n}: ${code(v)}`);
      return `- ${code(page.path)}:${lines.length ? `\n${lines.join('\n')}` : ' no CSP header'}`;
    });
    return outcomeOf(problems, {
      summary: `enforced CSP${policies.length > 1 ? ` (${policies.length} policies)` : ''} on ${pageList(documents.pages)}: scripts ${nonce ? 'by fresh nonce' : 'restricted'}, no unsafe-eval or unguarded unsafe-inline, no known bypass host, object-src 'none', base-uri and frame-ancestors set${strict ? ", 'strict-dynamic' and upgrade-insecure-requests" : ''}`,
      details: [pagesNote(set), documents.note, `Content-Security-Policy of each document:\n${headers.join('\n')}`].filter(Boolean).join('\n\n'),
      data: { policies: policies.length, reportOnlyPolicies: reportOnlyPolicies(first).length, strict, pages: documents.pages.map((p) => p.path) },
    });
  },
});
