/**
 * smoke.billing-plans: the public pricing page loads and shows every expected plan: the config's
 * list, else the active Stripe products that carry a `tier`. A plan counts as shown when its name is
 * a title on the page: the text of an element, or the start of a short one ("Team plan · $60"), and
 * not the title of a longer plan ("Team Plus", "Teams"); prose that mentions it does not count. A plan
 * the server-rendered HTML does not show counts too when it is a whole string of the data the page
 * ships (`embeddedStrings`): a pricing page with a client-side tier tab renders only its default tab.
 */
import type { RuleContext } from '../../engine/types.js';
import { defineRule } from '../index.js';
import { newVisitor, smokeAccount } from './accounts.js';
import { parseJson, probeErrorText } from './app-probe.js';
import { stepsText } from './login-flow.js';
import { describeStripeError } from '../../probes/stripe.js';
import { appOrigin, appUrlFor } from '../../probes/target.js';
import { noTarget, probeFailure } from '../live.js';
import { notApplicable, variable } from '../app.js';
import type { Outcome } from '../../engine/types.js';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** The text of an HTML document, one entry per text run between tags (scripts and styles dropped). */
export function textRuns(html: string): string[] {
  return html
    .replace(/<(script|style|template)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .split(/<[^>]*>/)
    .map((t) =>
      t
        .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) =>
          e[0] === '#' ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : (ENTITIES[e.toLowerCase()] ?? m),
        )
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .filter(Boolean);
}

/** How much longer than the plan name a title-like text run may be ("Team plan · $60/month"). */
const TITLE_SLACK = 32;

/**
 * Is `name` shown in `runs` as a plan title: a text run that is the name, or starts with it (then a
 * non-letter) and is short like a title, and is not the title of a longer plan (`otherNames`)?
 * Prose that mentions a plan ("everything in Team") does not count, nor does "Teams Plus" for "Team".
 */
export function planShown(name: string, runs: readonly string[], otherNames: readonly string[]): boolean {
  const wanted = name.trim().toLowerCase();
  const longer = otherNames.map((n) => n.trim().toLowerCase()).filter((n) => n !== wanted && n.startsWith(wanted));
  return runs.some((run) => {
    const text = run.toLowerCase();
    if (text === wanted) return true;
    if (!text.startsWith(wanted) || text.length > wanted.length + TITLE_SLACK) return false;
    if (/[\p{L}\p{N}_]/u.test(text.charAt(wanted.length))) return false;
    return !longer.some((l) => text === l || (text.startsWith(l) && !/[\p{L}\p{N}_]/u.test(text.charAt(l.length))));
  });
}

/**
 * The strings of the data a page ships for its client-side code, which holds what a client-side tab
 * shows after hydration though the server-rendered HTML has only the default tab:
 * - the pages router's `<script id="__NEXT_DATA__" type="application/json">` (its pageProps);
 * - the app router's flight data, `self.__next_f.push([1, "<RSC payload>"])` chunks, joined, with
 *   the JSON strings of the payload taken as values;
 * - `application/ld+json` blocks (structured product data).
 * Keys, numbers and nesting are dropped: a plan counts when one of these strings is its name.
 */
export function embeddedStrings(html: string): string[] {
  const out: string[] = [];
  const collect = (value: unknown): void => {
    if (typeof value === 'string') out.push(value);
    else if (Array.isArray(value)) value.forEach(collect);
    else if (value && typeof value === 'object') Object.values(value).forEach(collect);
  };
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)) {
    const attributes = m[1]!;
    const body = m[2]!;
    if (/\bid\s*=\s*["']?__NEXT_DATA__\b/i.test(attributes) || /\btype\s*=\s*["']?application\/(ld\+)?json\b/i.test(attributes)) {
      try {
        collect(JSON.parse(body));
      } catch {
        // Not JSON after all: nothing to read.
      }
    }
  }
  const flight = [...html.matchAll(/self\.__next_f\.push\(\s*(\[[\s\S]*?\])\s*\)\s*(?:;|<\/script)/g)]
    .map((m) => {
      try {
        const chunk = JSON.parse(m[1]!) as unknown[];
        return typeof chunk[1] === 'string' ? chunk[1] : '';
      } catch {
        return '';
      }
    })
    .join('');
  for (const literal of flight.match(/"(?:[^"\\\n]|\\.)*"/g) ?? []) {
    try {
      out.push(JSON.parse(literal) as string);
    } catch {
      // A fragment that is not a whole JSON string.
    }
  }
  return out;
}

/** Is `name` one of the page data's strings (whole, case and surrounding spaces aside)? */
export function planInData(name: string, strings: readonly string[]): boolean {
  const wanted = name.trim().toLowerCase();
  return strings.some((s) => s.trim().toLowerCase() === wanted);
}

export const billingPlans = defineRule({
  id: 'smoke.billing-plans',
  async check(ctx) {
    const { settings, clients, signal } = ctx;
    const origin = appOrigin(settings);
    if (!origin) return noTarget(ctx.settings);
    const pricing = settings.app.paths.pricing;
    if (!pricing) return notApplicable('pricing page', settings.app.routes.known ? `no /pricing or /plans page under ${settings.app.routes.routers.join(', ')}` : 'paths.pricing is false in the config');
    const url = appUrlFor(origin, pricing);

    let expected = settings.config.plans?.expected;
    let source = 'plans.expected in the config';
    let products: { name: string; tier?: string }[] | undefined;
    const plans = settings.app.stripe.plans;
    if (!expected?.length && plans.source === 'price-ids') return pageOnly(ctx, url, plans.priceIdVariables);
    if (variable(settings, 'stripeSecretKey')?.value) {
      try {
        const { stripe } = await clients.stripe();
        products = [];
        for await (const p of stripe.products.list({ active: true, limit: 100 })) products.push({ name: p.name, tier: p.metadata?.tier });
      } catch (error) {
        if (!expected?.length) return { status: 'fail', summary: `cannot read the plans from Stripe: ${describeStripeError(error)}`, fix: 'List the plans in the config (plans.expected) or give the key "Products: Read".' };
      }
    }
    if (!expected || expected.length === 0) {
      if (!products) return { status: 'skip', summary: `no plans.expected in the config and no ${variable(settings, 'stripeSecretKey')?.name ?? 'Stripe key'} to read the plans from Stripe` };
      expected = products.filter((p) => p.tier).map((p) => p.name);
      source = 'the active Stripe products with a tier';
      if (expected.length === 0) return { status: 'skip', summary: 'Stripe has no active product with a tier, and the config lists no plans' };
    }
    const allNames = products?.map((p) => p.name) ?? [];

    let html: string;
    try {
      // The pricing page is one of the header rules' pages too: one GET per run, shared.
      const response = await clients.http().getShared(url, signal);
      if (response.status >= 300 && response.status < 400) {
        return { status: 'fail', summary: `GET ${url} redirected to ${response.headers.location ?? '?'}: the pricing page is not public`, fix: `Keep ${pricing} public in the middleware.` };
      }
      if (response.status !== 200) return { status: 'fail', summary: `GET ${url} answered ${response.status}, not 200` };
      html = response.body;
    } catch (error) {
      return probeFailure(error, `GET ${url}`);
    }
    const runs = textRuns(html);
    const data = embeddedStrings(html);
    const names = [...new Set([...allNames, ...expected])];
    const inHtml = expected.filter((name) => planShown(name, runs, names));
    const inData = expected.filter((name) => !inHtml.includes(name) && planInData(name, data));
    const missing = expected.filter((name) => !inHtml.includes(name) && !inData.includes(name));
    const where = inData.length
      ? ` (${inHtml.length ? `${inHtml.join(', ')} in the HTML, ` : ''}${inData.join(', ')} in the page's data, behind a client-side tab or view)`
      : '';
    const business = products?.filter((p) => p.tier === 'business').map((p) => p.name) ?? [];
    const team = await teamBilling(ctx, business);
    if (missing.length > 0) {
      return {
        status: 'fail',
        summary: `${url} does not show ${missing.length} expected plan${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`,
        details: [`Expected (from ${source}): ${expected.join(', ')}.`, `Found in the HTML: ${inHtml.join(', ') || 'none'}; in the page's data (__NEXT_DATA__, flight data, JSON-LD): ${inData.join(', ') || 'none'}.`, team.text].filter(Boolean).join('\n\n'),
        fix: 'If the products are missing from the app database, run `npm run sync-stripe` (see stripe.catalog-sync); if a plan was retired on purpose, update plans.expected.',
        data: { expected, missing },
      };
    }
    if (team.problem) {
      return { status: 'fail', summary: team.problem, details: team.text, fix: 'Run `npm run sync-stripe` if business-tier products are missing from the app database, and check the team billing API.', data: { expected } };
    }
    return { status: 'pass', summary: `${url} shows ${expected.join(', ')} (from ${source})${where}${team.summary ?? ''}`, details: team.text || undefined, data: { expected, inHtml, inData } };
  },
});

interface TeamBilling {
  /** Appended to the passing summary. */
  summary?: string;
  problem?: string;
  text: string;
}

/**
 * With the smoke account: signed in, the team billing data (`GET /api/teams/<slug>/payments/products`)
 * lists every business-tier plan. The team is the one a `feature-gates` entry gives for the smoke
 * account (the config names no other team of it).
 */
async function teamBilling(ctx: RuleContext, business: readonly string[]): Promise<TeamBilling> {
  const account = smokeAccount(ctx.settings);
  if ('status' in account || business.length === 0) return { text: '' };
  const slug = ctx.settings.config['feature-gates']?.find((g) => g.account.email === account.email)?.team;
  if (!slug) return { text: `The team billing data was not checked: no feature-gates entry names a team of ${account.email}.` };
  const visitor = newVisitor(ctx);
  if (!visitor) return { text: '' };
  const path = `/api/teams/${encodeURIComponent(slug)}/payments/products`;
  try {
    const failure = await visitor.signIn(account);
    if (failure) return { text: `The team billing data was not checked: ${account.email} could not sign in (${failure}).` };
    const response = await visitor.request(path);
    const redirect = visitor.loginRedirectText(response);
    if (redirect || response.status !== 200) {
      return { problem: `GET ${path} as ${account.email} answered ${redirect ?? response.status}: the team billing page cannot list the plans`, text: stepsText(visitor) };
    }
    const data = (parseJson(response.body) as { data?: { products?: Array<{ name?: unknown }> } } | undefined)?.data;
    const listed = (data?.products ?? []).map((p) => String(p.name ?? ''));
    const missing = business.filter((name) => !listed.some((l) => l.trim().toLowerCase() === name.trim().toLowerCase()));
    if (missing.length > 0) {
      return { problem: `the billing data of team ${slug} does not list the business-tier plan${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`, text: `${path} lists: ${listed.join(', ') || 'nothing'}.` };
    }
    return { summary: `; team ${slug}'s billing lists ${business.join(', ')}`, text: `${path} as ${account.email} lists: ${listed.join(', ')}.` };
  } catch (error) {
    return { problem: `the team billing data could not be read: ${probeErrorText(error)}`, text: stepsText(visitor) };
  } finally {
    await visitor.signOut();
  }
}

/**
 * An app whose plans are price ids in variables names its plans in its own code, not in Stripe: with
 * no plans.expected to compare, the pricing page is checked to load, and the rule warns that the plans
 * were not compared (stripe.catalog-sync checks the price ids themselves).
 */
async function pageOnly(ctx: RuleContext, url: string, priceIds: readonly string[]): Promise<Outcome> {
  let response;
  try {
    response = await ctx.clients.http().getShared(url, ctx.signal);
  } catch (error) {
    return probeFailure(error, `GET ${url}`);
  }
  const note = `which plans it shows is not known: the app's plans are the price ids in ${priceIds.join(', ')} and their names are in its code`;
  if (response.status >= 300 && response.status < 400) {
    return { status: 'fail', summary: `GET ${url} redirected to ${response.headers.location ?? '?'}: the pricing page is not public`, fix: `Keep ${new URL(url).pathname} public in the middleware.` };
  }
  if (response.status !== 200) return { status: 'fail', summary: `GET ${url} answered ${response.status}, not 200` };
  return {
    status: 'warn',
    summary: `GET ${url} answered 200, but ${note}`,
    fix: 'List the plan names the page must show in the config file (plans.expected); stripe.catalog-sync checks that the price ids are live.',
  };
}
