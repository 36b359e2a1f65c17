/**
 * security.origin: the absolute URLs the app hands to browsers point at its public origin. Behind a
 * proxy, an app that builds URLs from the request it sees (Next's `req.nextUrl.origin`) puts its
 * internal origin (`https://localhost:4002`, `http://10.0.3.7:3000`) into what browsers follow or
 * post to. Read here, from the pages of the page set (./app-target.ts) and NextAuth's providers list:
 *
 * - `Location` of a redirect (and URLs in its query, like the login redirect's `callbackUrl`);
 * - `Report-To` (JSON endpoint groups) and `Reporting-Endpoints` (an RFC 8941 dictionary of strings);
 * - CSP `report-uri` (enforced and Report-Only policies);
 * - the `callbackUrl` and `signinUrl` of every provider in `GET /api/auth/providers`.
 *
 * The public origins are those of NEXTAUTH_URL and APP_URL (https). Severity by what a browser does:
 * a redirect or an OAuth URL to a loopback, private or internal host, to plain HTTP, or to the public
 * host on another port fails (users land on an address that is not the site, or leave HTTPS; OAuth
 * needs https:// callbacks whatever NEXTAUTH_URL says); a redirect to another public https:// site
 * warns (it may be meant); a report endpoint on an internal host fails (browsers post every report to
 * the visitor's own machine or nowhere), on plain HTTP warns (browsers drop reports to insecure
 * endpoints), and on another public https:// service (Sentry's security endpoint) is fine.
 */
import { parseDictionary } from 'structured-headers';
import type { Outcome, Rule } from '../../engine/types.js';
import { defineRule } from '../index.js';
import { safeUrl } from '../../probes/http.js';
import type { AnsweredPage } from '../../probes/pages.js';
import { appOrigin, appUrlFor } from '../../probes/target.js';
import { nonPublicKind } from '../../util/net.js';
import { groupByPage, isOutcome, loadPages, pageList, pagesNote, type PageProblem } from './app-target.js';
import { parsePolicyList } from '../../analysis/headers/csp.js';
import { code, outcomeOf, type Problem } from './problems.js';

/** Where an absolute URL came from, as the report names it. */
export type UrlSource = 'Location' | 'Report-To' | 'Reporting-Endpoints' | 'CSP report-uri' | 'OAuth';

export interface HandedUrl {
  source: UrlSource;
  /** `Location`, `Location (its callbackUrl parameter)`, `callbackUrl of github`. */
  label: string;
  url: string;
}

export type OriginClass =
  | { kind: 'public' }
  | { kind: 'non-public'; what: 'loopback' | 'private network' | 'internal name' }
  | { kind: 'insecure' }
  | { kind: 'internal port' }
  | { kind: 'other' }
  | { kind: 'unusable' };

/** The https origins browsers should be sent to: the auth URL's and the app URL's (NEXTAUTH_URL's and APP_URL's in the guide's app). */
export function publicOrigins(env: Readonly<Record<string, string | undefined>>, names: readonly string[] = ['NEXTAUTH_URL', 'APP_URL']): URL[] {
  const out: URL[] = [];
  for (const value of names.map((n) => env[n])) {
    try {
      const url = new URL(value ?? '');
      // An http:// NEXTAUTH_URL still names the public host; browsers must be sent to it over https.
      const origin = new URL(url.protocol === 'http:' ? `https://${url.hostname}` : url.origin);
      if ((url.protocol === 'https:' || url.protocol === 'http:') && !out.some((o) => o.origin === origin.origin)) out.push(origin);
    } catch {
      // Not a URL: config.app-url and config.nextauth-url say so.
    }
  }
  return out;
}

/** What a URL's origin is, compared with the public origins. */
export function classifyUrl(url: string, origins: readonly URL[]): OriginClass {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { kind: 'unusable' };
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return { kind: 'other' };
  const what = nonPublicKind(u.hostname);
  if (what) return { kind: 'non-public', what };
  if (u.protocol === 'http:') return { kind: 'insecure' };
  if (origins.some((o) => o.origin === u.origin)) return { kind: 'public' };
  if (origins.some((o) => o.hostname === u.hostname)) return { kind: 'internal port' };
  return { kind: 'other' };
}

/** The URLs in a Report-To value (a comma-separated list of JSON endpoint groups), or why it is unreadable. */
export function reportToUrls(value: string, base: string): { urls: string[]; invalid?: string } {
  let groups: unknown;
  try {
    groups = JSON.parse(`[${value}]`);
  } catch (error) {
    return { urls: [], invalid: `it is not JSON (${(error as Error).message})` };
  }
  const urls: string[] = [];
  for (const group of groups as Array<{ endpoints?: Array<{ url?: unknown }> }>) {
    for (const endpoint of Array.isArray(group?.endpoints) ? group.endpoints : []) {
      if (typeof endpoint?.url === 'string') urls.push(resolve(endpoint.url, base));
    }
  }
  return { urls };
}

/** The URLs of a Reporting-Endpoints value (RFC 8941 Dictionary whose members are strings). */
export function reportingEndpointUrls(value: string, base: string): { urls: string[]; invalid?: string } {
  try {
    const dict = parseDictionary(value);
    const urls: string[] = [];
    const unquoted: string[] = [];
    for (const [name, member] of dict) {
      const bare = member[0];
      // Each endpoint must be a String; a token (`https://x/r` unquoted is one) or a list is skipped.
      if (typeof bare === 'string') urls.push(resolve(bare, base));
      else unquoted.push(name);
    }
    return { urls, ...(unquoted.length ? { invalid: `the endpoint${unquoted.length > 1 ? 's' : ''} ${unquoted.join(', ')} ${unquoted.length > 1 ? 'are' : 'is'} not a quoted string` } : {}) };
  } catch (error) {
    return { urls: [], invalid: `it is not a valid structured header (RFC 8941: ${(error as Error).message.replace(/^Parse error: /, '')})` };
  }
}

function resolve(url: string, base: string): string {
  try {
    return new URL(url, base).toString();
  } catch {
    return url;
  }
}

/** The absolute URLs one answer hands to the browser, and the reporting headers it could not read. */
export function handedUrls(page: AnsweredPage): { urls: HandedUrl[]; unreadable: Problem[] } {
  const { headers, rawHeaders } = page.response;
  const urls: HandedUrl[] = [];
  const unreadable: Problem[] = [];
  if (page.kind === 'redirect') {
    const location = resolve(headers.location!, page.url);
    urls.push({ source: 'Location', label: 'Location', url: location });
    try {
      for (const [name, value] of new URL(location).searchParams) {
        if (/^https?:\/\//i.test(value)) urls.push({ source: 'Location', label: `Location (its ${name} parameter)`, url: value });
      }
    } catch {
      // An unparsable Location: classified as unusable below.
    }
  }
  if (headers['report-to'] !== undefined) {
    const read = reportToUrls(headers['report-to'], page.url);
    urls.push(...read.urls.map((url) => ({ source: 'Report-To' as const, label: 'Report-To', url })));
    if (read.invalid) unreadable.push({ level: 'warn', message: `${code(`Report-To: ${headers['report-to']}`)} is ignored by browsers: ${read.invalid}`, fix: 'Send Report-To as JSON endpoint groups, or use Reporting-Endpoints.' });
  }
  if (headers['reporting-endpoints'] !== undefined) {
    const read = reportingEndpointUrls(headers['reporting-endpoints'], page.url);
    urls.push(...read.urls.map((url) => ({ source: 'Reporting-Endpoints' as const, label: 'Reporting-Endpoints', url })));
    if (read.invalid) unreadable.push({ level: 'warn', message: `${code(`Reporting-Endpoints: ${headers['reporting-endpoints']}`)} is ${read.urls.length ? 'partly ' : ''}ignored by browsers: ${read.invalid}`, fix: 'Write it as a dictionary of quoted URLs: `Reporting-Endpoints: csp-endpoint="https://…/csp-report"`.' });
  }
  const csp = rawHeaders.filter(([n]) => n === 'content-security-policy' || n === 'content-security-policy-report-only').map(([, v]) => v);
  for (const policy of parsePolicyList(csp)) {
    for (const uri of policy.directives.get('report-uri') ?? []) urls.push({ source: 'CSP report-uri', label: 'CSP report-uri', url: resolve(uri, page.url) });
  }
  return { urls, unreadable };
}

const KIND_TEXT: Record<Exclude<OriginClass['kind'], 'public'>, string> = {
  'non-public': '',
  insecure: 'plain HTTP',
  'internal port': 'the public host on another port (an internal listener)',
  other: 'another origin',
  unusable: 'not a URL browsers can use',
};

function describe(cls: Exclude<OriginClass, { kind: 'public' }>): string {
  return cls.kind === 'non-public' ? `a ${cls.what} origin` : KIND_TEXT[cls.kind];
}

/** The problem of one handed URL, or undefined when browsers are sent where they should be. */
export function judgeHandedUrl(handed: HandedUrl, origins: readonly URL[]): Problem | undefined {
  const cls = classifyUrl(handed.url, origins);
  if (cls.kind === 'public') return undefined;
  const publicText = origins.map((o) => code(o.origin)).join(' or ') || 'the public origin (NEXTAUTH_URL is not set)';
  const shown = code(shorten(safeUrl(handed.url)));
  const reporting = handed.source === 'Report-To' || handed.source === 'Reporting-Endpoints' || handed.source === 'CSP report-uri';
  const proxyFix =
    `The app builds absolute URLs from the request it sees: behind a proxy, pass the public host (X-Forwarded-Host/X-Forwarded-Proto, trusted only from the proxy) or build them from NEXTAUTH_URL/APP_URL (${publicText}); a report endpoint may also be a reporting service on its own https:// origin.`;
  if (reporting) {
    if (cls.kind === 'other') return undefined; // a reporting service (Sentry's security endpoint): fine
    return {
      level: cls.kind === 'insecure' ? 'warn' : 'fail',
      message: `${handed.label} sends reports to ${shown}: ${describe(cls)}${cls.kind === 'insecure' ? ', so browsers drop the reports' : ', not the public origin: browsers post every report there (the visitor\'s own machine, or nowhere) and the team receives none'}`,
      fix: proxyFix,
    };
  }
  if (handed.source === 'OAuth') {
    return {
      level: 'fail',
      message: `the ${handed.label} is ${shown}: ${describe(cls)}, not ${publicText}${cls.kind === 'insecure' ? ': the OAuth code would travel over plain HTTP, and GitHub and Google refuse such callbacks for production apps' : ': the provider sends users (and their code) there'}`,
      fix: `Set NEXTAUTH_URL to the public https:// origin (${publicText}) on the deployment and NEXTAUTH_TRUST_HOST=false, then register ${publicText === 'the public origin (NEXTAUTH_URL is not set)' ? 'that origin' : `${origins[0]!.origin}/api/auth/callback/<provider>`} with each provider.`,
    };
  }
  return {
    level: cls.kind === 'other' ? 'warn' : 'fail',
    message: `${handed.label} sends browsers to ${shown}: ${describe(cls)}, not ${publicText}${cls.kind === 'other' ? ' (fine if that site is meant)' : cls.kind === 'insecure' ? ': the redirect leaves HTTPS' : ': users land on an address that is not the site'}`,
    fix: proxyFix,
  };
}

/**
 * The problems of the URLs one answer handed out. A URL inside the Location's query (the login
 * redirect's `callbackUrl`) on the same wrong origin as the Location itself is said with it, not apart.
 */
export function judgeUrls(urls: readonly HandedUrl[], origins: readonly URL[]): Problem[] {
  const problems: Problem[] = [];
  const location = urls.find((u) => u.label === 'Location');
  const locationBad = location !== undefined && classifyUrl(location.url, origins).kind !== 'public';
  const originOf = (url: string) => {
    try {
      return new URL(url).origin;
    } catch {
      return url;
    }
  };
  const alsoIn: string[] = [];
  for (const handed of urls) {
    const nested = handed.source === 'Location' && handed !== location;
    if (nested && locationBad && originOf(handed.url) === originOf(location!.url)) {
      alsoIn.push(handed.label.replace(/^Location \(its (.*) parameter\)$/, '$1'));
      continue;
    }
    const problem = judgeHandedUrl(handed, origins);
    if (problem) problems.push(problem);
  }
  if (alsoIn.length && problems[0]) problems[0] = { ...problems[0], message: `${problems[0].message}; its ${alsoIn.join(', ')} parameter names the same origin` };
  return problems;
}

function shorten(text: string): string {
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

interface ListedProvider {
  callbackUrl?: unknown;
  signinUrl?: unknown;
}

/** NextAuth's providers list, as handed URLs; or a note saying why it was not read. */
async function providerUrls(ctx: Parameters<Rule['check']>[0], origin: URL): Promise<{ urls: HandedUrl[]; note?: string }> {
  const url = appUrlFor(origin, '/api/auth/providers');
  try {
    // The same GET smoke.auth-providers makes (shared per run).
    const response = await ctx.clients.http().getShared(url, ctx.signal, { followRedirects: true });
    let listed: unknown;
    try {
      listed = JSON.parse(response.body);
    } catch {
      listed = undefined;
    }
    if (response.status !== 200 || !listed || typeof listed !== 'object' || Array.isArray(listed)) {
      return { urls: [], note: `GET /api/auth/providers answered ${response.status} without NextAuth's providers JSON: the OAuth URLs were not read (see smoke.auth-providers).` };
    }
    const urls: HandedUrl[] = [];
    for (const [id, provider] of Object.entries(listed as Record<string, ListedProvider>)) {
      for (const key of ['callbackUrl', 'signinUrl'] as const) {
        const value = provider?.[key];
        if (typeof value === 'string') urls.push({ source: 'OAuth', label: `${key} of ${id}`, url: value });
      }
    }
    return { urls };
  } catch (error) {
    return { urls: [], note: `GET /api/auth/providers got no answer (${(error as Error).message}): the OAuth URLs were not read (see smoke.auth-providers).` };
  }
}

export const securityOrigin = defineRule({
  id: 'security.origin',
  async check(ctx): Promise<Outcome> {
    const origin = appOrigin(ctx.settings);
    const [set, providers] = await Promise.all([
      loadPages(ctx),
      origin ? providerUrls(ctx, origin) : Promise.resolve<{ urls: HandedUrl[]; note?: string }>({ urls: [] }),
    ]);
    if (isOutcome(set)) return set;
    const roles = ctx.settings.app.variables.roles;
    const origins = publicOrigins(ctx.settings.env, [...new Set([roles.authUrl?.name, ...(roles.authUrl?.aliases ?? []), roles.appUrl?.name, 'NEXTAUTH_URL', 'APP_URL'].filter((n): n is string => !!n))]);
    const perPage = set.answered.map((page) => {
      const { urls, unreadable } = handedUrls(page);
      return { page, urls, problems: [...unreadable, ...judgeUrls(urls, origins)] as PageProblem[] };
    });
    const providersPage = { path: '/api/auth/providers' };
    const problems = [
      ...groupByPage([
        ...perPage,
        { page: providersPage, problems: judgeUrls(providers.urls, origins) },
      ]),
      ...set.unreachable,
    ];
    const all = [...perPage.flatMap(({ page, urls }) => urls.map((u) => ({ ...u, path: page.path }))), ...providers.urls.map((u) => ({ ...u, path: providersPage.path }))];
    const bySource = new Map<string, number>();
    for (const u of all) {
      const kind = u.label.startsWith('Location (') ? 'URL in a Location query' : u.source;
      bySource.set(kind, (bySource.get(kind) ?? 0) + 1);
    }
    const counted = [...bySource.entries()].map(([source, n]) => `${n} ${source}`).join(', ');
    const elsewhere = all.filter((u) => classifyUrl(u.url, origins).kind === 'other');
    const details = [
      `Public origin${origins.length > 1 ? 's' : ''}: ${origins.map((o) => o.origin).join(', ') || 'none (NEXTAUTH_URL and APP_URL are not URLs)'}.`,
      pagesNote(set),
      all.length ? `Absolute URLs handed to browsers:\n${all.map((u) => `- ${code(u.path)} ${u.label}: ${code(shorten(safeUrl(u.url)))}`).join('\n')}` : 'No absolute URL was handed to browsers on these pages.',
      providers.note,
      elsewhere.some((u) => u.source !== 'Location' && u.source !== 'OAuth') ? 'Report endpoints on another public https:// origin (a reporting service) are fine.' : undefined,
    ].filter(Boolean).join('\n\n');
    return outcomeOf(problems, {
      summary: all.length
        ? `every URL handed to browsers (${counted}) is on ${origins.map((o) => o.origin).join(' or ')}${elsewhere.length ? ' or a reporting service' : ''}, across ${pageList([...set.answered, providersPage])}`
        : `no absolute URL to judge on ${pageList(set.answered)}`,
      details,
      data: { publicOrigins: origins.map((o) => o.origin), urls: all.length, bySource: Object.fromEntries(bySource) },
    });
  },
});
