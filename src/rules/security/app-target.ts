/**
 * What the header rules judge: the app's pages (src/probes/pages.ts: `/`, the sign-in page, the
 * pricing page, the health route and `paths.pages`), each fetched once per run and shared by
 * security.hsts, csp, coep, headers and origin. A rule judges every page a browser would use the
 * header on, and reports each problem once with the pages it affects, so a route the framework left
 * without headers (an i18n matcher that skips `/`) shows up by name.
 */
import type { Outcome, RuleContext } from '../../engine/types.js';
import { ProbeError, safeUrl } from '../../probes/http.js';
import { answered, fetchPages, type AnsweredPage, type AppPage, type PageKind } from '../../probes/pages.js';
import { noTarget, noAnswerFrom, probeFailure } from '../live.js';
import { errorMessage } from '../../errors.js';
import { code, type Problem } from './problems.js';

export { noTarget, probeFailure };

export function isOutcome(value: object): value is Outcome {
  return 'status' in value && 'summary' in value;
}

export interface PageSet {
  pages: AppPage[];
  answered: AnsweredPage[];
  /** One problem per page that gave no answer (fail, or warn with `unreachable: warn`). */
  unreachable: Problem[];
}

/**
 * The app's pages, or the outcome that says why there are none: skip without a usable APP_URL, the
 * probe's failure when no page answered (the sign-in page's error, the one users would hit first).
 */
export async function loadPages(ctx: Pick<RuleContext, 'settings' | 'clients' | 'signal'>): Promise<PageSet | Outcome> {
  const pages = await fetchPages(ctx);
  if (!pages) return noTarget(ctx.settings);
  const ok = answered(pages);
  if (ok.length === 0) {
    const first = pages.find((p) => p.role === 'sign-in page') ?? pages[0]!;
    return probeFailure(first.error, `GET ${safeUrl(first.url)}`);
  }
  // A page that got no answer at all follows the run's `unreachable` input; a wrong answer (TLS) fails.
  const unreachable = pages
    .filter((p) => p.response === undefined)
    .map((p): Problem => {
      const missing = p.error instanceof ProbeError ? noAnswerFrom(p.error, 'app').unreachable : undefined;
      return {
        level: missing ? ctx.settings.unreachable : 'fail',
        message: `${missing ? 'unreachable: app — ' : ''}${code(p.path)} (${p.role}) could not be fetched, so its headers are not verified: ${errorMessage(p.error)}`,
        fix: 'Check that every page answers (see the smoke rules), or raise timeout-seconds.',
        // The other pages were judged: only this part could not be checked.
        ...(missing ? { unreachable: { ...missing, partial: true } } : {}),
      };
    });
  return { pages, answered: ok, unreachable };
}

const KIND_TEXT: Record<PageKind, string> = {
  document: 'a document',
  redirect: 'a redirect',
  resource: 'not a document',
};

/** One line per page: what answered, and how a browser uses it. */
export function pagesNote(set: PageSet): string {
  const lines = set.pages.map((p) => {
    const page = set.answered.find((a) => a.path === p.path);
    if (!page) return `- ${code(p.path)} (${p.role}): no answer`;
    const { status, headers } = page.response;
    const type = headers['content-type'] ? `, ${headers['content-type'].split(';')[0]}` : '';
    const to = page.kind === 'redirect' ? ` → ${code(headers.location!)}` : '';
    return `- ${code(p.path)} (${p.role}): HTTP ${status}${type}${to}: ${KIND_TEXT[page.kind]}`;
  });
  return `Pages judged (GET ${safeUrl(new URL('/', set.pages[0]!.url).toString())}…, one request each, shared by the header rules):\n${lines.join('\n')}`;
}

/**
 * The pages whose documents a rule about the rendered page (CSP, framing, isolation) judges. When no
 * page is a document (every page redirects), the sign-in page's answer is judged anyway, as before
 * there was a page set: Next.js sends its headers on every answer, and the note says so.
 */
export function documentsOf(set: PageSet): { pages: AnsweredPage[]; note?: string } {
  const documents = set.answered.filter((p) => p.kind === 'document');
  if (documents.length > 0) return { pages: documents };
  const signIn = set.answered.find((p) => p.role === 'sign-in page') ?? set.answered[0]!;
  return {
    pages: [signIn],
    note: `No page answered with a document: the headers judged are those of ${code(signIn.path)} (HTTP ${signIn.response.status}). Set \`paths.login\` or \`paths.pages\` in the config file to public pages if the app's pages live elsewhere.`,
  };
}

/** What a problem is about on one page; the same text on several pages is one problem. */
export interface PageProblem extends Problem {
  /** Values that vary per response without changing the verdict (a CSP nonce) are left out of the grouping key. */
  key?: string;
}

/** `` `/`, `/pricing` `` */
export function pageList(pages: readonly Pick<AppPage, 'path'>[]): string {
  return pages.map((p) => code(p.path)).join(', ');
}

/** A key that treats messages differing only in per-response values (nonces) as the same. */
export function groupingKey(message: string): string {
  return message.replace(/'nonce-[^'\s`]*'/gi, "'nonce-…'");
}

/**
 * Each page's problems, grouped: a problem seen on several pages is one problem naming them
 * (`… (on `/`, `/pricing`)`), in the order first seen. The level of a group is its worst.
 */
export function groupByPage(perPage: ReadonlyArray<{ page: Pick<AppPage, 'path'>; problems: readonly PageProblem[] }>): Problem[] {
  const groups = new Map<string, { problem: Problem; pages: Pick<AppPage, 'path'>[] }>();
  for (const { page, problems } of perPage) {
    for (const problem of problems) {
      const key = problem.key ?? groupingKey(problem.message);
      const group = groups.get(key);
      if (!group) groups.set(key, { problem: { level: problem.level, message: problem.message, fix: problem.fix }, pages: [page] });
      else {
        if (!group.pages.includes(page)) group.pages.push(page);
        if (problem.level === 'fail') group.problem.level = 'fail';
      }
    }
  }
  return [...groups.values()].map(({ problem, pages }) => ({ ...problem, message: `${problem.message} (on ${pageList(pages)})` }));
}

/**
 * Details: for one header, which value each page sent, one line per distinct value with its pages
 * (`- \`max-age=31536000\` on `/auth/login`, `/pricing``; `- absent on `/``).
 */
export function valuesByPage(name: string, pages: readonly AnsweredPage[], valueOf: (page: AnsweredPage) => string | undefined): string {
  const byValue = new Map<string, AnsweredPage[]>();
  for (const page of pages) {
    const value = valueOf(page);
    const key = value === undefined ? '\u0000absent' : groupingKey(value);
    byValue.set(key, [...(byValue.get(key) ?? []), page]);
  }
  const lines = [...byValue.entries()].map(([key, on]) => {
    const value = key === '\u0000absent' ? 'absent' : code(valueOf(on[0]!)!);
    return `- ${value} on ${pageList(on)}`;
  });
  return `${name}:\n${lines.join('\n')}`;
}
