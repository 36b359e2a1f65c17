/**
 * security.csp: the login page's Content-Security-Policy, parsed as browsers parse it
 * (./csp-parser.ts). A Report-Only policy alone enforces nothing, so it does not count.
 */
import type { Rule } from '../../engine/types.js';
import { documentNote, fetchAppDocument, isOutcome } from './app-target.js';
import { enforcedPolicies, judgeCsp, parsePolicyList } from './csp-parser.js';
import { code, outcomeOf } from './problems.js';

export const securityCsp: Rule = {
  meta: { id: 'security.csp', section: 'security', title: 'Content-Security-Policy', docs: 'docs/deployment-guide.md' },
  async check(ctx) {
    const doc = await fetchAppDocument(ctx);
    if (isOutcome(doc)) return doc;
    const { rawHeaders } = doc.response;
    const policies = enforcedPolicies(rawHeaders);
    const reportOnly = parsePolicyList(rawHeaders.filter(([n]) => n === 'content-security-policy-report-only').map(([, v]) => v));
    const headers = rawHeaders.filter(([n]) => n === 'content-security-policy' || n === 'content-security-policy-report-only');
    const details = [documentNote(doc), ...headers.map(([n, v]) => `- ${n}: ${code(v)}`)].join('\n');
    const strict = ctx.settings.env.ENABLE_CSP_STRICT === 'true';
    const data = { policies: policies.length, reportOnlyPolicies: reportOnly.length, strict };

    if (policies.length === 0) {
      return {
        status: 'fail',
        summary: reportOnly.length
          ? 'only Content-Security-Policy-Report-Only is sent: browsers report violations but block nothing'
          : 'no Content-Security-Policy header',
        details,
        fix: reportOnly.length
          ? 'Send the policy as `Content-Security-Policy` (keep Report-Only only for trying a stricter policy next to an enforced one).'
          : "Send a `Content-Security-Policy` header; the app's middleware builds one with a per-request nonce.",
        data,
      };
    }
    const problems = judgeCsp(policies, { strict });
    const nonce = policies.some((p) => [...p.directives.values()].some((s) => s.some((x) => /^'nonce-/i.test(x))));
    return outcomeOf(problems, {
      summary: `enforced CSP${policies.length > 1 ? ` (${policies.length} policies)` : ''}: scripts ${nonce ? 'by nonce' : 'restricted'}, no unsafe-eval or unguarded unsafe-inline, object-src 'none', base-uri and frame-ancestors set${strict ? ", 'strict-dynamic' and upgrade-insecure-requests" : ''}`,
      details,
      data,
    });
  },
};
