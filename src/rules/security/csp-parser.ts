/**
 * Content-Security-Policy as browsers read it (CSP Level 3, "Parse a serialized CSP"), and the
 * judgement security.csp makes of it. Pure: the rule passes header values in.
 *
 * Parsing, per the specification:
 * - a header value is a comma-separated list of policies, and a response may carry several headers:
 *   every policy is enforced, so a load must be allowed by all of them (their intersection);
 * - a policy is a semicolon-separated list of directives; a directive is a name (ASCII
 *   case-insensitive) followed by whitespace-separated source expressions;
 * - a directive repeated in one policy is ignored after its first occurrence;
 * - keywords (`'self'`, `'unsafe-inline'` …) are case-insensitive.
 */
import { code, type Problem } from './problems.js';

export interface CspPolicy {
  /** The policy's text as sent (one entry of a comma-separated header value). */
  text: string;
  /** Directive name (lower case) → its source expressions, as written; the first occurrence wins. */
  directives: Map<string, string[]>;
  /** Directives written more than once: browsers use the first and ignore the rest. */
  repeated: string[];
}

export function parsePolicy(text: string): CspPolicy {
  const directives = new Map<string, string[]>();
  const repeated: string[] = [];
  for (const part of text.split(';')) {
    const tokens = part.trim().split(/[\t\n\f\r ]+/).filter(Boolean);
    if (tokens.length === 0) continue;
    const name = tokens[0]!.toLowerCase();
    // The grammar's directive-name; anything else is not a directive and browsers skip it.
    if (!/^[a-z0-9-]+$/.test(name)) continue;
    if (directives.has(name)) {
      repeated.push(name);
      continue;
    }
    directives.set(name, tokens.slice(1));
  }
  return { text: text.trim(), directives, repeated };
}

/** Every policy in a list of header values (each may hold several, comma-separated); empty ones dropped. */
export function parsePolicyList(values: readonly string[]): CspPolicy[] {
  return values
    .flatMap((value) => value.split(','))
    .map(parsePolicy)
    .filter((p) => p.directives.size > 0);
}

/** The enforced policies of a response: every `Content-Security-Policy` header, repeated or not. */
export function enforcedPolicies(rawHeaders: ReadonlyArray<readonly [string, string]>): CspPolicy[] {
  return parsePolicyList(rawHeaders.filter(([name]) => name === 'content-security-policy').map(([, value]) => value));
}

/** Which directive governs a fetch type when its own is absent (CSP3 "effective directive" fallback). */
const FALLBACKS: Record<string, readonly string[]> = {
  'script-src-elem': ['script-src-elem', 'script-src', 'default-src'],
  'script-src-attr': ['script-src-attr', 'script-src', 'default-src'],
  'style-src-elem': ['style-src-elem', 'style-src', 'default-src'],
  'style-src-attr': ['style-src-attr', 'style-src', 'default-src'],
};

export interface EffectiveDirective {
  /** The directive that applies: the one asked for, or `default-src` standing in for it. */
  name: string;
  /** The directive asked for. */
  for: string;
  sources: string[];
}

/** The directive that governs `directive` in `policy` (with the default-src fallback), if any does. */
export function effectiveDirective(policy: CspPolicy, directive: string): EffectiveDirective | undefined {
  // Every other fetch directive (`script-src`, `object-src`, `connect-src`, …) falls back to default-src.
  for (const name of FALLBACKS[directive] ?? (directive.endsWith('-src') ? [directive, 'default-src'] : [directive])) {
    const sources = policy.directives.get(name);
    if (sources) return { name, for: directive, sources };
  }
  return undefined;
}

const NONCE_OR_HASH = /^'(?:nonce|sha256|sha384|sha512)-[A-Za-z0-9+/_-]+={0,2}'$/i;

export function isNonceOrHash(source: string): boolean {
  return NONCE_OR_HASH.test(source);
}

export function hasKeyword(sources: readonly string[], keyword: string): boolean {
  return sources.some((s) => s.toLowerCase() === keyword);
}

/** A source list that matches nothing: `'none'` alone, or no source at all. */
export function isNone(sources: readonly string[]): boolean {
  return sources.length === 0 || (sources.length === 1 && sources[0]!.toLowerCase() === "'none'");
}

/** Sources that allow any host (Mozilla Observatory's "dangerously broad" list). */
const ANY_HOST = new Set(['*', 'http:', 'https:', 'ftp:', 'http://*', 'https://*', 'http://*.*', 'https://*.*']);

function anyHostSources(sources: readonly string[]): string[] {
  return sources.filter((s) => ANY_HOST.has(s.toLowerCase()));
}

function dataSources(sources: readonly string[]): string[] {
  return sources.filter((s) => s.toLowerCase() === 'data:');
}

/**
 * With a nonce or hash, `'strict-dynamic'` makes CSP3 browsers ignore host and scheme sources,
 * `'self'` and `'unsafe-inline'`: only nonce'd scripts and what they load run.
 */
function trustsOnlyNonces(sources: readonly string[]): boolean {
  return hasKeyword(sources, "'strict-dynamic'") && sources.some(isNonceOrHash);
}

/** `script-src 'self' …` in backticks, saying when default-src stands in for the directive asked for. */
export function describeDirective(effective: EffectiveDirective): string {
  const text = code([effective.name, ...effective.sources].join(' '));
  return effective.name === effective.for ? text : `${text} (${effective.for} is not set, so default-src applies)`;
}

export interface CspJudgeOptions {
  /** ENABLE_CSP_STRICT=true: `'strict-dynamic'` and `upgrade-insecure-requests` are required. */
  strict: boolean;
}

/**
 * Judges the enforced policies. A behaviour (eval, inline scripts, scripts from any host) is open
 * only when every policy that restricts scripts allows it, since each policy is enforced on its own.
 * A protection (object-src 'none', base-uri, frame-ancestors) holds when any policy provides it.
 */
export function judgeCsp(policies: readonly CspPolicy[], options: CspJudgeOptions): Problem[] {
  const problems: Problem[] = [];
  const scripts = policies.map((p) => effectiveDirective(p, 'script-src')).filter((d): d is EffectiveDirective => d !== undefined);
  const seen = (list: readonly EffectiveDirective[]) => list.map(describeDirective).join(' and ');

  if (scripts.length === 0) {
    problems.push({
      level: 'fail',
      message: 'no policy restricts scripts: neither `script-src` nor `default-src` is set',
      fix: "Add `script-src 'self' 'nonce-<random per request>' 'strict-dynamic'` (the app's middleware builds it) or at least `default-src 'self'`.",
    });
  } else {
    if (scripts.every((d) => hasKeyword(d.sources, "'unsafe-eval'"))) {
      problems.push({
        level: 'fail',
        message: `script-src allows \`'unsafe-eval'\`: ${seen(scripts)}`,
        fix: "Remove `'unsafe-eval'` from script-src: it lets injected strings run as code (eval, new Function). Next.js adds it only in development builds: check that production runs `next build` output with NODE_ENV=production.",
      });
    }
    if (scripts.every((d) => hasKeyword(d.sources, "'unsafe-inline'") && !d.sources.some(isNonceOrHash))) {
      problems.push({
        level: 'fail',
        message: `script-src allows \`'unsafe-inline'\` without a nonce or hash: ${seen(scripts)}`,
        fix: "Remove `'unsafe-inline'` from script-src, or add a per-request `'nonce-…'` (or the scripts' hashes): CSP2+ browsers then ignore `'unsafe-inline'`, so any injected <script> is blocked.",
      });
    }
    const open = scripts.filter((d) => !trustsOnlyNonces(d.sources));
    if (open.length === scripts.length && open.every((d) => anyHostSources(d.sources).length > 0)) {
      const broad = [...new Set(open.flatMap((d) => anyHostSources(d.sources)))].map(code).join(', ');
      problems.push({
        level: 'fail',
        message: `script-src allows scripts from any host (${broad}): ${seen(scripts)}`,
        fix: "Replace the wildcard with the hosts the app loads scripts from, or add `'strict-dynamic'` with a nonce (CSP3 browsers then ignore host sources).",
      });
    }
    if (open.length === scripts.length && open.every((d) => dataSources(d.sources).length > 0)) {
      problems.push({
        level: 'fail',
        message: `script-src allows \`data:\` URLs, which run like inline scripts: ${seen(scripts)}`,
        fix: 'Remove `data:` from script-src (and from default-src when script-src falls back to it).',
      });
    }
    for (const d of scripts) {
      if (hasKeyword(d.sources, "'strict-dynamic'") && !d.sources.some(isNonceOrHash)) {
        problems.push({
          level: options.strict ? 'fail' : 'warn',
          message: `\`'strict-dynamic'\` without a nonce or hash trusts no script (CSP3 browsers block the page's own scripts; older ones ignore it): ${describeDirective(d)}`,
          fix: "Add a per-request `'nonce-…'` to script-src and to the page's <script> tags (or the scripts' hashes).",
        });
      }
    }
  }

  const objects = policies.map((p) => effectiveDirective(p, 'object-src'));
  if (!objects.some((d) => d !== undefined && isNone(d.sources))) {
    const set = objects.filter((d): d is EffectiveDirective => d !== undefined);
    problems.push({
      level: 'fail',
      message: set.length ? `plugins are not blocked: ${seen(set)}` : 'plugins are not blocked: neither `object-src` nor `default-src` is set',
      fix: "Add `object-src 'none'`: <object> and <embed> load plugin content that script-src does not govern.",
    });
  }

  const navigation: Array<[string, string]> = [
    ['base-uri', "an injected <base href> can send the page's relative script URLs to another host"],
    ['frame-ancestors', 'any site can frame the page (clickjacking)'],
  ];
  for (const [name, risk] of navigation) {
    const set = policies.map((p) => p.directives.get(name)).filter((s): s is string[] => s !== undefined);
    if (set.length === 0) {
      problems.push({
        level: 'fail',
        message: `\`${name}\` is not set (it does not fall back to default-src): ${risk}`,
        fix: `Add \`${name} ${name === 'base-uri' ? "'self'" : "'none'"}\` (or \`'self'\`${name === 'frame-ancestors' ? ' when the app frames itself' : ''}).`,
      });
    } else if (set.every((sources) => anyHostSources(sources).length > 0)) {
      problems.push({
        level: 'warn',
        message: `\`${name}\` allows any host, so it protects nothing: ${set.map((s) => code([name, ...s].join(' '))).join(' and ')}`,
        fix: `Set \`${name} 'self'\` (or \`'none'\`) instead of a wildcard.`,
      });
    }
  }

  if (options.strict) {
    if (!scripts.some((d) => hasKeyword(d.sources, "'strict-dynamic'"))) {
      problems.push({
        level: 'fail',
        message: `ENABLE_CSP_STRICT=true but script-src has no \`'strict-dynamic'\`${scripts.length ? `: ${seen(scripts)}` : ''}`,
        fix: "Deploy with ENABLE_CSP_STRICT=true (the app then adds `'strict-dynamic'` and `upgrade-insecure-requests`), or find the proxy that rewrites the CSP.",
      });
    }
    if (!policies.some((p) => p.directives.has('upgrade-insecure-requests'))) {
      problems.push({
        level: 'fail',
        message: 'ENABLE_CSP_STRICT=true but the CSP has no `upgrade-insecure-requests`',
        fix: 'Deploy with ENABLE_CSP_STRICT=true, which appends `upgrade-insecure-requests` to the CSP.',
      });
    }
  }

  for (const policy of policies) {
    for (const name of new Set(policy.repeated)) {
      problems.push({
        level: 'warn',
        message: `\`${name}\` appears more than once in one policy; browsers use the first, ${code([name, ...policy.directives.get(name)!].join(' '))}, and ignore the rest`,
        fix: `Write \`${name}\` once per policy, with every source it needs.`,
      });
    }
  }
  return problems;
}
