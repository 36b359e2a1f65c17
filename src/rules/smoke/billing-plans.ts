/**
 * smoke.billing-plans: the public pricing page loads and shows every expected plan: the config's
 * list, else the active Stripe products that carry a `tier`. A plan counts as shown when its name is
 * a title on the page: the text of an element, or the start of a short one ("Team plan · $60"), and
 * not the title of a longer plan ("Team Plus", "Teams"); prose that mentions it does not count.
 */
import type { Rule } from '../../engine/types.js';
import { describeStripeError } from '../../probes/stripe.js';
import { appOrigin, appUrlFor, NO_TARGET, probeFailure } from '../../probes/target.js';

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

export const billingPlans: Rule = {
  meta: { id: 'smoke.billing-plans', section: 'smoke', title: 'The pricing page shows the plans', docs: 'docs/billing-integration-guide.md' },
  async check({ settings, clients, signal }) {
    const origin = appOrigin(settings);
    if (!origin) return NO_TARGET;
    const url = appUrlFor(origin, settings.config.paths.pricing);

    let expected = settings.config.plans?.expected;
    let source = 'plans.expected in the config';
    let allNames: string[] = [];
    if (!expected || expected.length === 0) {
      if (!settings.env.STRIPE_SECRET_KEY) {
        return { status: 'skip', summary: 'no plans.expected in the config and no STRIPE_SECRET_KEY to read the plans from Stripe' };
      }
      try {
        const { stripe } = await clients.stripe();
        const products: { name: string; tier?: string }[] = [];
        for await (const p of stripe.products.list({ active: true, limit: 100 })) products.push({ name: p.name, tier: p.metadata?.tier });
        expected = products.filter((p) => p.tier).map((p) => p.name);
        allNames = products.map((p) => p.name);
        source = 'the active Stripe products with a tier';
      } catch (error) {
        return { status: 'fail', summary: `cannot read the plans from Stripe: ${describeStripeError(error)}`, fix: 'List the plans in the config (plans.expected) or give the key "Products: Read".' };
      }
      if (expected.length === 0) return { status: 'skip', summary: 'Stripe has no active product with a tier, and the config lists no plans' };
    }

    let html: string;
    try {
      const response = await clients.http().request({ url }, signal);
      if (response.status >= 300 && response.status < 400) {
        return { status: 'fail', summary: `GET ${url} redirected to ${response.headers.location ?? '?'}: the pricing page is not public`, fix: `Keep ${settings.config.paths.pricing} public in the middleware.` };
      }
      if (response.status !== 200) return { status: 'fail', summary: `GET ${url} answered ${response.status}, not 200` };
      html = response.body;
    } catch (error) {
      return probeFailure(error, `GET ${url}`);
    }
    const runs = textRuns(html);
    const names = [...new Set([...allNames, ...expected])];
    const missing = expected.filter((name) => !planShown(name, runs, names));
    if (missing.length > 0) {
      return {
        status: 'fail',
        summary: `${url} does not show ${missing.length} expected plan${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`,
        details: `Expected (from ${source}): ${expected.join(', ')}.`,
        fix: 'If the products are missing from the app database, run `npm run sync-stripe` (see stripe.catalog-sync); if a plan was retired on purpose, update plans.expected.',
        data: { expected, missing },
      };
    }
    return { status: 'pass', summary: `${url} shows ${expected.join(', ')} (from ${source})`, data: { expected } };
  },
};
