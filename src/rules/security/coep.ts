/**
 * security.coep: cross-origin isolation, required only when the deployment enables it
 * (ENABLE_COEP=true; config.enable-coep judges the flag itself). A page is isolated only with both
 * headers: COEP `require-corp` or `credentialless`, and COOP `same-origin`.
 */
import type { Rule } from '../../engine/types.js';
import { documentNote, fetchAppDocument, isOutcome } from './app-target.js';
import { code, outcomeOf, type Problem } from './problems.js';

/** The value of a structured-header token without its parameters (`same-origin; report-to="x"`). */
export function policyToken(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return value.split(';')[0]!.trim();
}

const COEP_OK = ['require-corp', 'credentialless'];

/** The problems of the two headers (undefined when absent). Tokens are case-sensitive, as browsers read them. */
export function judgeIsolation(headers: Readonly<Record<string, string>>): Problem[] {
  const problems: Problem[] = [];
  const coep = headers['cross-origin-embedder-policy'];
  const coop = headers['cross-origin-opener-policy'];
  if (!COEP_OK.includes(policyToken(coep) ?? '')) {
    const reportOnly = headers['cross-origin-embedder-policy-report-only'];
    problems.push({
      level: 'fail',
      message: coep === undefined
        ? `no \`Cross-Origin-Embedder-Policy\` header${reportOnly ? ` (only the Report-Only one, ${code(reportOnly)}, which enforces nothing)` : ''}`
        : `${code(`Cross-Origin-Embedder-Policy: ${coep}`)} does not isolate the page`,
      fix: 'Send `Cross-Origin-Embedder-Policy: require-corp` (or `credentialless`); the app sends it when ENABLE_COEP=true.',
    });
  }
  if (policyToken(coop) !== 'same-origin') {
    problems.push({
      level: 'fail',
      message: coop === undefined
        ? 'no `Cross-Origin-Opener-Policy` header'
        : `${code(`Cross-Origin-Opener-Policy: ${coop}`)} does not isolate the page (only \`same-origin\` does)`,
      fix: 'Send `Cross-Origin-Opener-Policy: same-origin`; the app sends it when ENABLE_COEP=true.',
    });
  }
  return problems;
}

export const securityCoep: Rule = {
  meta: { id: 'security.coep', section: 'security', title: 'Cross-origin isolation (COEP/COOP)', docs: 'docs/deployment-guide.md' },
  async check(ctx) {
    const flag = ctx.settings.env.ENABLE_COEP;
    if (flag !== 'true') {
      return {
        status: 'skip',
        summary: `ENABLE_COEP is ${flag === undefined ? 'unset' : code(flag)}, so cross-origin isolation is not expected (config.enable-coep judges the flag)`,
      };
    }
    const doc = await fetchAppDocument(ctx);
    if (isOutcome(doc)) return doc;
    const { headers } = doc.response;
    const coep = headers['cross-origin-embedder-policy'];
    const coop = headers['cross-origin-opener-policy'];
    return outcomeOf(judgeIsolation(headers), {
      summary: `${code(`Cross-Origin-Embedder-Policy: ${coep ?? ''}`)} and ${code(`Cross-Origin-Opener-Policy: ${coop ?? ''}`)}`,
      details: [
        documentNote(doc),
        `- cross-origin-embedder-policy: ${coep === undefined ? 'absent' : code(coep)}`,
        `- cross-origin-opener-policy: ${coop === undefined ? 'absent' : code(coop)}`,
      ].join('\n'),
      data: { coep, coop },
    });
  },
};
