/**
 * security.coep: cross-origin isolation, required only when the deployment enables it
 * (ENABLE_COEP=true; config.enable-coep judges the flag itself). A page is isolated only with both
 * headers: COEP `require-corp` or `credentialless`, and COOP `same-origin`, on every document of the
 * page set (./app-target.ts): a page without them is not isolated, whatever the others send.
 *
 * Both headers are RFC 8941 structured fields of type Item (HTML "obtain an embedder policy" and
 * "obtain a cross-origin opener policy"): the value must parse as one token with optional parameters,
 * or browsers ignore the header and apply `unsafe-none`. So `require-corp; report-to=coep endpoint`
 * (a space in a parameter value) isolates nothing, and neither does a header sent twice (the copies
 * combine into a list, which is not an Item). Tokens are compared exactly (`Require-Corp` is not
 * `require-corp`). Parsing is the `structured-headers` package's, not a hand-written split.
 */
import { parseItem, Token } from 'structured-headers';
import { flagState } from '../../target-app.js';
import { notApplicable } from '../app.js';
import { defineRule } from '../index.js';
import { documentsOf, groupByPage, isOutcome, loadPages, pagesNote, valuesByPage } from './app-target.js';
import { code, outcomeOf, type Problem } from './problems.js';

export type StructuredToken = { token: string } | { invalid: string } | undefined;

/**
 * The token of a structured Item header as browsers read it: `{token}`, `{invalid: why}` when the
 * value does not parse or is not a token (browsers then ignore the header), undefined when absent.
 */
export function itemToken(value: string | undefined): StructuredToken {
  if (value === undefined) return undefined;
  try {
    const [bare] = parseItem(value);
    if (bare instanceof Token) return { token: bare.toString() };
    return { invalid: `its value is a ${typeof bare === 'string' ? 'quoted string' : typeof bare}, not a token` };
  } catch (error) {
    return { invalid: `it is not a valid structured header (RFC 8941: ${(error as Error).message.replace(/^Parse error: /, '')})` };
  }
}

const COEP_OK = ['require-corp', 'credentialless'];

/** The problems of the two headers of one response (undefined when absent). */
export function judgeIsolation(headers: Readonly<Record<string, string>>): Problem[] {
  const problems: Problem[] = [];
  const coep = headers['cross-origin-embedder-policy'];
  const coop = headers['cross-origin-opener-policy'];
  const coepToken = itemToken(coep);
  const coopToken = itemToken(coop);
  const coepFix = 'Send `Cross-Origin-Embedder-Policy: require-corp` (or `credentialless`) once per response; the app sends it when ENABLE_COEP=true.';
  if (coepToken === undefined) {
    const reportOnly = headers['cross-origin-embedder-policy-report-only'];
    problems.push({
      level: 'fail',
      message: `no \`Cross-Origin-Embedder-Policy\` header${reportOnly ? ` (only the Report-Only one, ${code(reportOnly)}, which enforces nothing)` : ''}`,
      fix: coepFix,
    });
  } else if ('invalid' in coepToken) {
    problems.push({ level: 'fail', message: `${code(`Cross-Origin-Embedder-Policy: ${coep}`)} is ignored by browsers: ${coepToken.invalid}`, fix: coepFix });
  } else if (!COEP_OK.includes(coepToken.token)) {
    problems.push({ level: 'fail', message: `${code(`Cross-Origin-Embedder-Policy: ${coep}`)} does not isolate the page`, fix: coepFix });
  }
  const coopFix = 'Send `Cross-Origin-Opener-Policy: same-origin` once per response; the app sends it when ENABLE_COEP=true.';
  if (coopToken === undefined) {
    problems.push({ level: 'fail', message: 'no `Cross-Origin-Opener-Policy` header', fix: coopFix });
  } else if ('invalid' in coopToken) {
    problems.push({ level: 'fail', message: `${code(`Cross-Origin-Opener-Policy: ${coop}`)} is ignored by browsers: ${coopToken.invalid}`, fix: coopFix });
  } else if (coopToken.token !== 'same-origin') {
    problems.push({ level: 'fail', message: `${code(`Cross-Origin-Opener-Policy: ${coop}`)} does not isolate the page (only \`same-origin\` does)`, fix: coopFix });
  }
  return problems;
}

export const securityCoep = defineRule({
  id: 'security.coep',
  async check(ctx) {
    const flag = ctx.settings.env.ENABLE_COEP;
    if (!ctx.settings.app.variables.flags.includes('ENABLE_COEP')) {
      // The guide allows an app without cross-origin isolation (external assets); config.enable-coep says so where the app has the flag.
      return notApplicable('ENABLE_COEP flag', 'cross-origin isolation is not part of the app; the guide allows it off when external assets are incompatible');
    }
    if (!flagState('ENABLE_COEP', flag).on) {
      return {
        status: 'skip',
        summary: `ENABLE_COEP is ${flag === undefined ? 'unset' : code(flag)}, so cross-origin isolation is not expected (config.enable-coep judges the flag)`,
      };
    }
    const set = await loadPages(ctx);
    if (isOutcome(set)) return set;
    // COEP and COOP act on documents (a redirect or a JSON answer is never a browsing context).
    const documents = documentsOf(set);
    const first = documents.pages[0]!.response.headers;
    const coep = first['cross-origin-embedder-policy'];
    const coop = first['cross-origin-opener-policy'];
    return outcomeOf([...groupByPage(documents.pages.map((page) => ({ page, problems: judgeIsolation(page.response.headers) }))), ...set.unreachable], {
      summary: `${code(`Cross-Origin-Embedder-Policy: ${coep ?? ''}`)} and ${code(`Cross-Origin-Opener-Policy: ${coop ?? ''}`)} on every document`,
      details: [
        pagesNote(set),
        documents.note,
        valuesByPage('cross-origin-embedder-policy', documents.pages, (p) => p.response.headers['cross-origin-embedder-policy']),
        valuesByPage('cross-origin-opener-policy', documents.pages, (p) => p.response.headers['cross-origin-opener-policy']),
      ].filter(Boolean).join('\n\n'),
      data: { coep, coop, pages: documents.pages.map((p) => p.path) },
    });
  },
});
