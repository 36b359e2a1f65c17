/**
 * security.hsts: the Strict-Transport-Security header (RFC 6797) of every page of the app's page set
 * (./app-target.ts), read from the raw headers: a browser processes only the first of several
 * (§8.1), so a repeated header is judged by its first copy, and warns (a proxy that merges the copies
 * makes one invalid value that browsers ignore entirely).
 */
import { defineRule } from '../index.js';
import type { AnsweredPage, PageKind } from '../../probes/pages.js';
import { groupByPage, isOutcome, loadPages, pageList, pagesNote, valuesByPage } from './app-target.js';
import { splitOutsideQuotes } from '../../analysis/headers/syntax.js';
import { code, outcomeOf, type Problem } from './problems.js';

/** Six months: the guide's minimum, and what the HSTS preload list once required. */
export const HSTS_MIN_MAX_AGE = 15_552_000;

const RECOMMENDED = 'max-age=31536000; includeSubDomains';

export interface HstsPolicy {
  maxAge?: number;
  includeSubDomains: boolean;
  preload: boolean;
  /** Why browsers would ignore the header; empty when it is valid. */
  errors: string[];
}

/**
 * RFC 6797 §6.1: `[directive] *( ";" [directive] )`, so empty directives (a trailing `;`) are fine;
 * names are case-insensitive; each directive at most once; max-age is required and is digits,
 * optionally quoted; unknown directives are ignored.
 */
export function parseHsts(value: string): HstsPolicy {
  const policy: HstsPolicy = { includeSubDomains: false, preload: false, errors: [] };
  const seen = new Set<string>();
  for (const part of splitOutsideQuotes(value, ';')) {
    const trimmed = part.trim();
    if (!trimmed) continue;
    const eq = trimmed.indexOf('=');
    const name = (eq < 0 ? trimmed : trimmed.slice(0, eq)).trim().toLowerCase();
    let arg = eq < 0 ? undefined : trimmed.slice(eq + 1).trim();
    if (arg && arg.length >= 2 && arg.startsWith('"') && arg.endsWith('"')) arg = arg.slice(1, -1);
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) {
      policy.errors.push(`${code(trimmed)} is not a directive`);
      continue;
    }
    if (seen.has(name)) {
      policy.errors.push(`${code(name)} appears more than once`);
      continue;
    }
    seen.add(name);
    if (name === 'max-age') {
      if (arg === undefined || !/^\d+$/.test(arg)) policy.errors.push(`max-age has no whole number of seconds (${code(trimmed)})`);
      else policy.maxAge = Number(arg);
    } else if (name === 'includesubdomains') policy.includeSubDomains = true;
    else if (name === 'preload') policy.preload = true;
  }
  if (!seen.has('max-age')) policy.errors.push('max-age is missing');
  return policy;
}

function days(seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  return `${d} day${d === 1 ? '' : 's'}`;
}

/**
 * The problems of the HSTS header values one response carried (pure: the rule passes them in). A
 * missing header blocks on a document users land on; on a redirect or an API answer it only warns,
 * since browsers learn HSTS from any HTTPS answer of the host and the documents are judged too. A
 * header that is there but weak or invalid is judged the same on every answer: browsers apply it
 * (`max-age=0` on a redirect clears HSTS).
 */
export function judgeHsts(values: readonly string[], kind: PageKind = 'document'): Problem[] {
  if (values.length === 0) {
    return [{
      level: kind === 'document' ? 'fail' : 'warn',
      message: kind === 'document'
        ? 'no `Strict-Transport-Security` header: a browser that once reached the site can be downgraded to plain HTTP'
        : `no \`Strict-Transport-Security\` header on ${kind === 'redirect' ? 'a redirect' : 'an answer that is not a page'}: browsers learn HSTS from the pages, so this only matters for a first visit that stops here`,
      fix: `Send \`Strict-Transport-Security: ${RECOMMENDED}\` on every response (the app sends it when ENABLE_HSTS=true; check that the headers() source and the middleware matcher cover every route).`,
    }];
  }
  const problems: Problem[] = [];
  if (values.length > 1) {
    // RFC 6797 §8.1: a user agent processes only the first header field.
    const same = values.every((v) => v.trim() === values[0]!.trim());
    problems.push({
      level: 'warn',
      message: `\`Strict-Transport-Security\` is sent ${values.length} times (${values.map(code).join(', ')}): browsers use only the first${same ? '' : ', and the copies differ'}, but a proxy that merges them into one header makes a value browsers ignore`,
      fix: 'Send the header once: remove it from either the app (ENABLE_HSTS) or the platform/proxy configuration.',
    });
  }
  const first = values[0]!;
  const policy = parseHsts(first);
  if (policy.errors.length > 0) {
    problems.push({
      level: 'fail',
      message: `${code(`Strict-Transport-Security: ${first}`)} is invalid, so browsers ignore it: ${policy.errors.join('; ')}`,
      fix: `Send \`Strict-Transport-Security: ${RECOMMENDED}\`.`,
    });
    return problems;
  }
  const shown = code(`Strict-Transport-Security: ${first}`);
  const maxAge = policy.maxAge!;
  if (maxAge < HSTS_MIN_MAX_AGE) {
    problems.push({
      level: 'fail',
      message: maxAge === 0
        ? `${shown} has max-age=0, which tells browsers to forget HSTS`
        : `${shown} has max-age=${maxAge} (${days(maxAge)}), under six months (${HSTS_MIN_MAX_AGE})`,
      fix: `Send \`Strict-Transport-Security: ${RECOMMENDED}\` (one year).`,
    });
  }
  if (!policy.includeSubDomains) {
    problems.push({
      level: 'warn',
      message: `${shown} lacks includeSubDomains: subdomains stay open to downgrade and to cookie injection over HTTP`,
      fix: `Add includeSubDomains once every subdomain serves HTTPS: \`${RECOMMENDED}\`.`,
    });
  }
  return problems;
}

const hstsValues = (page: AnsweredPage) => page.response.rawHeaders.filter(([name]) => name === 'strict-transport-security').map(([, value]) => value);

export const securityHsts = defineRule({
  id: 'security.hsts',
  async check(ctx) {
    const set = await loadPages(ctx);
    if (isOutcome(set)) return set;
    const problems = [
      ...groupByPage(set.answered.map((page) => ({ page, problems: judgeHsts(hstsValues(page), page.kind) }))),
      ...set.unreachable,
    ];
    const shown = set.answered.find((p) => hstsValues(p).length > 0 && p.kind === 'document') ?? set.answered.find((p) => hstsValues(p).length > 0);
    const values = shown ? hstsValues(shown) : [];
    const policy = values.length ? parseHsts(values[0]!) : undefined;
    return outcomeOf(problems, {
      summary: `${code(`Strict-Transport-Security: ${values[0] ?? ''}`)} (${days(policy?.maxAge ?? 0)}, includeSubDomains${policy?.preload ? ', preload' : ''}) on ${pageList(set.answered)}`,
      details: [pagesNote(set), valuesByPage('strict-transport-security', set.answered, (p) => hstsValues(p).join(' | ') || undefined)].join('\n\n'),
      data: { values, maxAge: policy?.maxAge, includeSubDomains: policy?.includeSubDomains, preload: policy?.preload, pages: set.answered.map((p) => p.path) },
    });
  },
});
