/**
 * security.headers: the other response headers of the login page, with Mozilla HTTP Observatory's
 * thresholds as the reference: `X-Content-Type-Options: nosniff`; framing refused by
 * `X-Frame-Options` DENY/SAMEORIGIN or by CSP `frame-ancestors` (which modern browsers prefer); a
 * Referrer-Policy that does not leak URLs to other sites.
 */
import type { Rule } from '../../engine/types.js';
import { documentNote, fetchAppDocument, isOutcome } from './app-target.js';
import { enforcedPolicies } from './csp-parser.js';
import { code, outcomeOf, type Problem } from './problems.js';

const REFERRER_POLICIES = new Set([
  'no-referrer',
  'no-referrer-when-downgrade',
  'same-origin',
  'origin',
  'strict-origin',
  'origin-when-cross-origin',
  'strict-origin-when-cross-origin',
  'unsafe-url',
]);
const SAFE_REFERRER = new Set(['no-referrer', 'same-origin', 'strict-origin', 'strict-origin-when-cross-origin']);
const REFERRER_FIX = 'Send `Referrer-Policy: strict-origin-when-cross-origin` (or `no-referrer`, `same-origin`, `strict-origin`).';

/**
 * The policy browsers apply (W3C Referrer Policy §8.1): the header is a comma-separated list and the
 * last recognised token wins, so a fallback for old browsers can come first. Tokens are compared
 * exactly, as the specification does.
 */
export function effectiveReferrerPolicy(value: string): string | undefined {
  let policy: string | undefined;
  for (const token of value.split(',').map((t) => t.trim())) if (REFERRER_POLICIES.has(token)) policy = token;
  return policy;
}

export function judgeReferrerPolicy(value: string | undefined): Problem | undefined {
  if (value === undefined) {
    return {
      level: 'warn',
      message: "no `Referrer-Policy` header: current browsers default to strict-origin-when-cross-origin, older ones send full URLs (paths, query strings, tokens in them) to other sites",
      fix: REFERRER_FIX,
    };
  }
  const shown = code(`Referrer-Policy: ${value}`);
  const policy = effectiveReferrerPolicy(value);
  if (policy === undefined) {
    return { level: 'warn', message: `${shown} is not a policy browsers recognise, so they ignore it and use their default`, fix: REFERRER_FIX };
  }
  if (SAFE_REFERRER.has(policy)) return undefined;
  if (policy === 'unsafe-url') {
    return { level: 'fail', message: `${shown} sends the full URL (path and query) to every site, even over plain HTTP`, fix: REFERRER_FIX };
  }
  const leak = policy === 'no-referrer-when-downgrade' ? 'the full URL (path and query) to every HTTPS site' : 'the origin even to plain-HTTP sites';
  return { level: 'warn', message: `${shown} sends ${leak}`, fix: REFERRER_FIX };
}

export function judgeContentTypeOptions(value: string | undefined): Problem | undefined {
  const fix = 'Send `X-Content-Type-Options: nosniff`.';
  if (value === undefined) return { level: 'fail', message: 'no `X-Content-Type-Options` header: browsers may sniff uploads and responses as scripts or HTML', fix };
  const tokens = value.split(',').map((t) => t.trim().toLowerCase());
  if (tokens.every((t) => t === 'nosniff')) return undefined;
  return { level: 'fail', message: `${code(`X-Content-Type-Options: ${value}`)} is not \`nosniff\``, fix };
}

/** Framing is refused by a valid X-Frame-Options, or by CSP frame-ancestors in an enforced policy. */
export function judgeFraming(value: string | undefined, hasFrameAncestors: boolean): Problem | undefined {
  if (hasFrameAncestors) return undefined;
  const tokens = value?.split(',').map((t) => t.trim().toLowerCase()) ?? [];
  if (tokens.length > 0 && tokens.every((t) => t === 'deny' || t === 'sameorigin')) return undefined;
  const fix = "Send `X-Frame-Options: DENY` (or `SAMEORIGIN`), or CSP `frame-ancestors 'none'`.";
  if (value === undefined) return { level: 'fail', message: 'no `X-Frame-Options` and no CSP `frame-ancestors`: any site can frame the page (clickjacking)', fix };
  return {
    level: 'fail',
    message: `${code(`X-Frame-Options: ${value}`)} is not DENY or SAMEORIGIN (browsers ignore ALLOW-FROM and unknown values) and the CSP has no \`frame-ancestors\``,
    fix,
  };
}

export const securityHeaders: Rule = {
  meta: { id: 'security.headers', section: 'security', title: 'Security headers', docs: 'docs/deployment-guide.md' },
  async check(ctx) {
    const doc = await fetchAppDocument(ctx);
    if (isOutcome(doc)) return doc;
    const { headers, rawHeaders } = doc.response;
    const xcto = headers['x-content-type-options'];
    const xfo = headers['x-frame-options'];
    const referrer = headers['referrer-policy'];
    const frameAncestors = enforcedPolicies(rawHeaders).some((p) => p.directives.has('frame-ancestors'));
    const problems = [judgeContentTypeOptions(xcto), judgeFraming(xfo, frameAncestors), judgeReferrerPolicy(referrer)].filter((p): p is Problem => p !== undefined);
    const shown = (name: string, value: string | undefined) => (value === undefined ? `no ${name}` : code(`${name}: ${value}`));
    const framing = frameAncestors ? `CSP frame-ancestors${xfo === undefined ? '' : ` and ${shown('X-Frame-Options', xfo)}`}` : shown('X-Frame-Options', xfo);
    return outcomeOf(problems, {
      summary: `${shown('X-Content-Type-Options', xcto)}, ${framing}, ${shown('Referrer-Policy', referrer)}`,
      details: [
        documentNote(doc),
        ...(
          [
            ['x-content-type-options', xcto],
            ['x-frame-options', xfo],
            ['referrer-policy', referrer],
          ] as const
        ).map(([name, value]) => `- ${name}: ${value === undefined ? 'absent' : code(value)}`),
        `- CSP frame-ancestors: ${frameAncestors ? 'set' : 'absent'}`,
      ].join('\n'),
      data: { xContentTypeOptions: xcto, xFrameOptions: xfo, referrerPolicy: referrer, frameAncestors },
    });
  },
};
