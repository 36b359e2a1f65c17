/**
 * security.headers: the other response headers of every page of the page set (./app-target.ts),
 * combined as Fetch and HTML combine repeated headers, with Mozilla HTTP Observatory's thresholds as
 * the reference: `X-Content-Type-Options: nosniff`; framing refused by CSP `frame-ancestors` (judged
 * by its values) or `X-Frame-Options` DENY/SAMEORIGIN; a Referrer-Policy that does not leak URLs to
 * other sites; a Permissions-Policy, when sent, that browsers can parse.
 */
import { parseDictionary } from 'structured-headers';
import { defineRule } from '../index.js';
import type { AnsweredPage, PageKind } from '../../probes/pages.js';
import { documentsOf, groupByPage, isOutcome, loadPages, pageList, pagesNote, valuesByPage } from './app-target.js';
import { enforcedPolicies, frameAncestors, type CspPolicy } from '../../analysis/headers/csp.js';
import { splitOutsideQuotes } from '../../analysis/headers/syntax.js';
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

/**
 * Fetch "get, decode, and split": every value of a header, across repeated headers, split on commas
 * outside quoted strings, trimmed of HTTP whitespace.
 */
export function headerValues(rawHeaders: ReadonlyArray<readonly [string, string]>, name: string): string[] | undefined {
  const raw = rawHeaders.filter(([n]) => n === name).map(([, v]) => v);
  if (raw.length === 0) return undefined;
  return splitOutsideQuotes(raw.join(', '), ',').map((value) => value.trim());
}

/**
 * Fetch "determine nosniff": on when the first value of the (combined) header is `nosniff`, in any
 * case; later values are ignored (`nosniff, whimsy` is on, `whimsy, nosniff` is off). On a document
 * a missing nosniff blocks; on an API answer it warns (a declared JSON type is not sniffed as HTML).
 */
export function judgeContentTypeOptions(values: readonly string[] | undefined, kind: PageKind = 'document'): Problem | undefined {
  const fix = 'Send `X-Content-Type-Options: nosniff`.';
  const level = kind === 'document' ? 'fail' : 'warn';
  if (values === undefined) return { level, message: 'no `X-Content-Type-Options` header: browsers may sniff uploads and responses as scripts or HTML', fix };
  if (values[0]?.toLowerCase() === 'nosniff') return undefined;
  return {
    level,
    message: `${code(`X-Content-Type-Options: ${values.join(', ')}`)} does not start with \`nosniff\`: browsers read only the first value`,
    fix,
  };
}

export type FramingVerdict = 'deny' | 'sameorigin' | 'allow';

/**
 * The HTML standard's "check a navigation response's adherence to X-Frame-Options" on the values
 * (lower-cased, as a set): several different values block framing when one of them is deny,
 * sameorigin or allowall (a conflict), and allow it otherwise; one value: deny, sameorigin, or
 * anything else (ALLOW-FROM, ALLOWALL, a typo) allows.
 */
export function xFrameOptionsVerdict(values: readonly string[] | undefined): FramingVerdict {
  if (!values) return 'allow';
  const set = new Set(values.map((v) => v.toLowerCase()));
  if (set.size > 1) return ['deny', 'allowall', 'sameorigin'].some((v) => set.has(v)) ? 'deny' : 'allow';
  const only = [...set][0];
  return only === 'deny' || only === 'sameorigin' ? only : 'allow';
}

/**
 * Framing is refused by CSP frame-ancestors in an enforced policy, judged by its values (`*`,
 * `https:` and other bare schemes admit every site); when such a directive is present, browsers
 * ignore X-Frame-Options entirely (HTML), so a wildcard frame-ancestors next to `X-Frame-Options:
 * DENY` leaves the page framable. Without frame-ancestors, X-Frame-Options decides, by the HTML
 * algorithm above.
 */
export function judgeFraming(xfo: readonly string[] | undefined, policies: readonly CspPolicy[]): Problem | undefined {
  const ancestors = frameAncestors(policies);
  const fix = "Send CSP `frame-ancestors 'none'` (or `'self'`), or `X-Frame-Options: DENY` (or `SAMEORIGIN`) without a frame-ancestors that admits every site.";
  const shownXfo = xfo === undefined ? undefined : code(`X-Frame-Options: ${xfo.join(', ')}`);
  if (ancestors.set.length > 0) {
    if (ancestors.restricts) return undefined;
    const seen = ancestors.set.map((s) => code(['frame-ancestors', ...s].join(' '))).join(' and ');
    return {
      level: 'fail',
      message: `${seen} admits every site, so any site can frame the page (clickjacking)${shownXfo ? `; browsers ignore ${shownXfo} when the CSP has frame-ancestors` : ''}`,
      fix,
    };
  }
  const verdict = xFrameOptionsVerdict(xfo);
  if (verdict !== 'allow') return undefined;
  if (shownXfo === undefined) return { level: 'fail', message: 'no `X-Frame-Options` and no CSP `frame-ancestors`: any site can frame the page (clickjacking)', fix };
  return {
    level: 'fail',
    message: `${shownXfo} is not DENY or SAMEORIGIN (browsers ignore ALLOW-FROM and unknown values) and the CSP has no \`frame-ancestors\``,
    fix,
  };
}

/**
 * Permissions-Policy is an RFC 8941 Dictionary: a value that does not parse (Feature-Policy syntax
 * such as `geolocation 'none'`) is ignored whole by browsers. The header is not required; an invalid
 * one warns, since the features it meant to switch off stay on.
 */
export function judgePermissionsPolicy(value: string | undefined): Problem | undefined {
  if (value === undefined) return undefined;
  try {
    parseDictionary(value);
    return undefined;
  } catch (error) {
    return {
      level: 'warn',
      message: `${code(`Permissions-Policy: ${value}`)} is not a valid structured header (RFC 8941: ${(error as Error).message.replace(/^Parse error: /, '')}), so browsers ignore all of it`,
      fix: 'Write it as a dictionary, e.g. `Permissions-Policy: geolocation=(), microphone=()` (Feature-Policy\'s `geolocation \'none\'` syntax is not valid here).',
    };
  }
}

/** Every header problem of one page, by what the browser does with the answer. */
/**
 * Response headers larger than this pass browsers (Chromium reads up to 256 KiB, and so does the gate:
 * src/probes/http.ts) but not every hop with default limits: Node.js's HTTP parser stops at 16 KiB
 * (a server-side client, a Node proxy), nginx's proxy_buffer_size is 4 or 8 KiB by default.
 */
export const PROXY_HEADER_BYTES = 16 * 1024;

export function judgeHeaderSize(bytes: number): Problem | undefined {
  if (bytes <= PROXY_HEADER_BYTES) return undefined;
  return {
    level: 'warn',
    message: `the response headers take ${(bytes / 1024).toFixed(1)} KiB: browsers accept them (up to 256 KiB), but a proxy, CDN or server-side client with default limits refuses more than 16 KiB (Node.js's parser; nginx buffers 4–8 KiB)`,
    fix: 'Trim the response headers: a CSP with many hosts, many or large Set-Cookie lines, data carried in headers.',
  };
}

export function judgePageHeaders(page: AnsweredPage): Problem[] {
  const { rawHeaders, headers } = page.response;
  const size = judgeHeaderSize(page.response.headerBytes);
  if (page.kind === 'redirect') return size ? [size] : [];
  const nosniff = judgeContentTypeOptions(headerValues(rawHeaders, 'x-content-type-options'), page.kind);
  if (page.kind !== 'document') return [nosniff, size].filter((p): p is Problem => p !== undefined);
  return [
    size,
    nosniff,
    judgeFraming(headerValues(rawHeaders, 'x-frame-options'), enforcedPolicies(rawHeaders)),
    judgeReferrerPolicy(headers['referrer-policy']),
    judgePermissionsPolicy(headers['permissions-policy']),
  ].filter((p): p is Problem => p !== undefined);
}

export const securityHeaders = defineRule({
  id: 'security.headers',
  async check(ctx) {
    const set = await loadPages(ctx);
    if (isOutcome(set)) return set;
    const documents = documentsOf(set);
    // Documents, plus the answers that are not documents (nosniff matters there too); redirects carry no content.
    const judged = [...documents.pages, ...set.answered.filter((p) => p.kind === 'resource' && !documents.pages.includes(p))];
    const problems = [...groupByPage(judged.map((page) => ({ page, problems: judgePageHeaders(page) }))), ...set.unreachable];
    const first = documents.pages[0]!.response;
    const xcto = first.headers['x-content-type-options'];
    const xfo = first.headers['x-frame-options'];
    const referrer = first.headers['referrer-policy'];
    const ancestors = frameAncestors(enforcedPolicies(first.rawHeaders));
    const shown = (name: string, value: string | undefined) => (value === undefined ? `no ${name}` : code(`${name}: ${value}`));
    const framing = ancestors.set.length ? `CSP frame-ancestors${xfo === undefined ? '' : ` (which browsers use over ${shown('X-Frame-Options', xfo)})`}` : shown('X-Frame-Options', xfo);
    const header = (name: string, pages: readonly AnsweredPage[]) => valuesByPage(name, pages, (p) => p.response.headers[name]);
    return outcomeOf(problems, {
      summary: `${shown('X-Content-Type-Options', xcto)}, ${framing}, ${shown('Referrer-Policy', referrer)} on ${pageList(judged)}`,
      details: [
        pagesNote(set),
        documents.note,
        header('x-content-type-options', judged),
        header('x-frame-options', documents.pages),
        valuesByPage('CSP frame-ancestors', documents.pages, (p) => {
          const set = frameAncestors(enforcedPolicies(p.response.rawHeaders)).set;
          return set.length ? set.map((s) => ['frame-ancestors', ...s].join(' ')).join(' | ') : undefined;
        }),
        header('referrer-policy', documents.pages),
        header('permissions-policy', documents.pages),
      ].filter(Boolean).join('\n\n'),
      data: { xContentTypeOptions: xcto, xFrameOptions: xfo, referrerPolicy: referrer, frameAncestors: ancestors.set.length > 0, pages: judged.map((p) => p.path) },
    });
  },
});
