/**
 * Content-Security-Policy as browsers read and enforce it (CSP Level 3), and the judgement
 * security.csp makes of it. Pure: the rule passes header values (and the bypass lists) in.
 *
 * Parsing, per "parse a serialized CSP" and "parse a response's Content Security Policies":
 * - a header value is a comma-separated list of policies, and a response may carry several headers:
 *   every policy is enforced, so a load must be allowed by all of them (their intersection); a policy
 *   with no directive is dropped, so an empty header enforces nothing;
 * - a policy is a semicolon-separated list of directives; a token that is not ASCII is skipped; a
 *   directive is a name (ASCII case-insensitive) followed by whitespace-separated source expressions;
 * - a directive repeated in one policy is ignored after its first occurrence;
 * - keywords (`'self'`, `'unsafe-inline'` …) are case-insensitive.
 *
 * Enforcement, per "effective directive" and "should element's inline type behavior be blocked":
 * - inline `<script>` and external scripts are governed by `script-src-elem`, falling back to
 *   `script-src` then `default-src`; event-handler attributes by `script-src-attr` (same fallback);
 *   `eval()` by `script-src` then `default-src`; workers by `worker-src`, `child-src`, `script-src`,
 *   `default-src`;
 * - `'unsafe-inline'` is ignored when the same list holds a nonce or a hash, or (for scripts)
 *   `'strict-dynamic'` ("does a source list allow all inline behavior");
 * - with `'strict-dynamic'`, host and scheme sources and `'self'` are ignored for scripts.
 */
import { code, type Problem } from '../problem.js';

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
    const token = part.trim();
    // eslint-disable-next-line no-control-regex
    if (!token || !/^[\x00-\x7f]*$/.test(token)) continue;
    const tokens = token.split(/[\t\n\f\r ]+/).filter(Boolean);
    const name = tokens[0]!.toLowerCase();
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

type RawHeaders = ReadonlyArray<readonly [string, string]>;

/** The enforced policies of a response: every `Content-Security-Policy` header, repeated or not. */
export function enforcedPolicies(rawHeaders: RawHeaders): CspPolicy[] {
  return parsePolicyList(cspHeaderValues(rawHeaders, 'content-security-policy'));
}

export function reportOnlyPolicies(rawHeaders: RawHeaders): CspPolicy[] {
  return parsePolicyList(cspHeaderValues(rawHeaders, 'content-security-policy-report-only'));
}

export function cspHeaderValues(rawHeaders: RawHeaders, name: 'content-security-policy' | 'content-security-policy-report-only'): string[] {
  return rawHeaders.filter(([n]) => n === name).map(([, v]) => v);
}

/** Which directives govern a kind of load, in fallback order (CSP3 "get the effective directive" and §6.8.3). */
const FALLBACKS: Record<string, readonly string[]> = {
  'script-src': ['script-src', 'default-src'],
  'script-src-elem': ['script-src-elem', 'script-src', 'default-src'],
  'script-src-attr': ['script-src-attr', 'script-src', 'default-src'],
  'style-src-elem': ['style-src-elem', 'style-src', 'default-src'],
  'style-src-attr': ['style-src-attr', 'style-src', 'default-src'],
  'worker-src': ['worker-src', 'child-src', 'script-src', 'default-src'],
  'frame-src': ['frame-src', 'child-src', 'default-src'],
};

export interface EffectiveDirective {
  /** The directive that applies: the one asked for, or the one standing in for it. */
  name: string;
  /** The directive asked for. */
  for: string;
  sources: string[];
}

/** The directive that governs `directive` in `policy` (with its fallbacks), if any does. */
export function effectiveDirective(policy: CspPolicy, directive: string): EffectiveDirective | undefined {
  // Every other fetch directive (`object-src`, `connect-src`, …) falls back to default-src only.
  for (const name of FALLBACKS[directive] ?? (directive.endsWith('-src') ? [directive, 'default-src'] : [directive])) {
    const sources = policy.directives.get(name);
    if (sources) return { name, for: directive, sources };
  }
  return undefined;
}

const NONCE_OR_HASH = /^'(?:nonce|sha256|sha384|sha512)-[A-Za-z0-9+/_-]+={0,2}'$/i;
const NONCE = /^'nonce-([A-Za-z0-9+/_-]+={0,2})'$/i;

export function isNonceOrHash(source: string): boolean {
  return NONCE_OR_HASH.test(source);
}

/** The nonce values a source list holds. */
export function noncesOf(sources: readonly string[]): string[] {
  return sources.map((s) => NONCE.exec(s)?.[1]).filter((n): n is string => n !== undefined);
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

export function anyHostSources(sources: readonly string[]): string[] {
  return sources.filter((s) => ANY_HOST.has(s.toLowerCase()));
}

function dataSources(sources: readonly string[]): string[] {
  return sources.filter((s) => s.toLowerCase() === 'data:');
}

/**
 * With a nonce or hash, `'strict-dynamic'` makes CSP3 browsers ignore host and scheme sources,
 * `'self'` and `'unsafe-inline'`: only nonce'd scripts and what they load run.
 */
export function trustsOnlyNonces(sources: readonly string[]): boolean {
  return hasKeyword(sources, "'strict-dynamic'") && sources.some(isNonceOrHash);
}

/** CSP3 "does a source list allow all inline behavior" for scripts: `'unsafe-inline'` not cancelled. */
export function allowsAllInline(sources: readonly string[]): boolean {
  if (sources.some(isNonceOrHash) || hasKeyword(sources, "'strict-dynamic'")) return false;
  return hasKeyword(sources, "'unsafe-inline'");
}

/**
 * Does a source list allow a URL (host, scheme, `*` and `'self'` sources; CSP3 "does url match
 * expression in origin with redirect count", without the path part): for `connect-src` and the
 * allowlist-bypass check.
 */
export function sourceListAllows(sources: readonly string[], url: URL, self: URL): boolean {
  const defaultPort = (scheme: string) => (scheme === 'https:' ? '443' : scheme === 'http:' ? '80' : '');
  const port = url.port || defaultPort(url.protocol);
  return sources.some((raw) => {
    const source = raw.toLowerCase();
    if (source === "'none'") return false;
    if (source === '*') return url.protocol === 'https:' || url.protocol === 'http:';
    if (source === "'self'") return url.origin === self.origin;
    if (/^[a-z][a-z0-9+.-]*:$/.test(source)) return url.protocol === source || (source === 'http:' && url.protocol === 'https:');
    const m = /^(?:([a-z][a-z0-9+.-]*):\/\/)?(\*|\*\.[^:/]+|[^:/*']+)(?::(\*|\d+))?(\/.*)?$/.exec(source);
    if (!m) return false;
    const [, scheme, host, sourcePort] = m;
    if (scheme && `${scheme}:` !== url.protocol && !(scheme === 'http' && url.protocol === 'https:')) return false;
    if (!scheme && url.protocol !== self.protocol && !(self.protocol === 'http:' && url.protocol === 'https:')) return false;
    const hostOk = host === '*' || (host!.startsWith('*.') ? url.hostname.endsWith(host!.slice(1)) : url.hostname === host);
    const portOk = sourcePort === '*' || (sourcePort ?? defaultPort(scheme ? `${scheme}:` : url.protocol)) === port;
    return hostOk && portOk;
  });
}

/** `script-src 'self' …` in backticks, saying when another directive stands in for the one asked for. */
export function describeDirective(effective: EffectiveDirective): string {
  const text = code([effective.name, ...effective.sources].join(' '));
  // script-src standing in for script-src-elem/-attr is the usual case, not worth a remark.
  const asked = effective.name === 'default-src' || effective.name === 'child-src' ? effective.for.replace(/-(elem|attr)$/, '') : effective.for;
  return effective.name === asked || effective.for.startsWith(`${effective.name}-`) ? text : `${text} (${asked} is not set, so ${effective.name} applies)`;
}

/**
 * Hosts known to serve JSONP endpoints or old AngularJS: either runs any script an attacker names
 * from a page that allowlists the host. From Google's CSP Evaluator (`csp_evaluator`), loaded lazily
 * by ./csp-bypass.ts (loaded by the rule); `match` tells whether a host source covers one of the listed URLs.
 */
export interface BypassLists {
  /** The listed URL a source covers, and what it serves; undefined when none. */
  match(source: string, unsafeEval: boolean): { url: string; serves: string } | undefined;
}

export interface CspJudgeOptions {
  /** ENABLE_CSP_STRICT=true: `'strict-dynamic'` and `upgrade-insecure-requests` are required. */
  strict: boolean;
  /** The known CSP bypass hosts; without them that check is not made. */
  bypasses?: BypassLists;
}

/** Every directive CSP3 and its extensions define (a name outside this list does nothing). */
const KNOWN_DIRECTIVES = new Set([
  'child-src', 'connect-src', 'default-src', 'fenced-frame-src', 'font-src', 'frame-src', 'img-src', 'manifest-src',
  'media-src', 'object-src', 'prefetch-src', 'script-src', 'script-src-elem', 'script-src-attr', 'style-src',
  'style-src-elem', 'style-src-attr', 'worker-src', 'webrtc', 'base-uri', 'plugin-types', 'sandbox', 'form-action',
  'frame-ancestors', 'navigate-to', 'report-uri', 'report-to', 'block-all-mixed-content', 'upgrade-insecure-requests',
  'require-sri-for', 'require-trusted-types-for', 'trusted-types',
]);

/** Keywords that mean something only in single quotes; unquoted, browsers read them as host names. */
const KEYWORDS = /^(self|none|unsafe-inline|unsafe-eval|unsafe-hashes|strict-dynamic|report-sample|wasm-unsafe-eval|unsafe-allow-redirects|inline-speculation-rules|(nonce|sha256|sha384|sha512)-.+)$/i;

/** The frame-ancestors directives of the enforced policies, and whether they keep other sites out. */
export function frameAncestors(policies: readonly CspPolicy[]): { set: string[][]; restricts: boolean } {
  const set = policies.map((p) => p.directives.get('frame-ancestors')).filter((s): s is string[] => s !== undefined);
  // Every policy applies: one that admits only some ancestors is enough.
  return { set, restricts: set.some((sources) => anyHostSources(sources).length === 0) };
}

const seen = (list: readonly EffectiveDirective[]) => list.map(describeDirective).join(' and ');

/**
 * Judges the enforced policies. A behaviour (eval, inline scripts, scripts from some host) is open
 * only when every policy that governs it allows it, since each policy is enforced on its own. A
 * protection (object-src, base-uri, frame-ancestors) holds when any policy provides it.
 */
export function judgeCsp(policies: readonly CspPolicy[], options: CspJudgeOptions): Problem[] {
  const problems: Problem[] = [];
  const governing = (kind: string) => policies.map((p) => effectiveDirective(p, kind)).filter((d): d is EffectiveDirective => d !== undefined);
  const elements = governing('script-src-elem');
  const attributes = governing('script-src-attr');
  const evaluation = governing('script-src');

  if (elements.length === 0 && attributes.length === 0) {
    problems.push({
      level: 'fail',
      message: 'no policy restricts scripts: neither `script-src` nor `default-src` is set',
      fix: "Add `script-src 'self' 'nonce-<random per request>' 'strict-dynamic'` (the app's middleware builds it) or at least `default-src 'self'`.",
    });
  } else {
    if (evaluation.length > 0 && evaluation.every((d) => hasKeyword(d.sources, "'unsafe-eval'"))) {
      problems.push({
        level: 'fail',
        message: `script-src allows \`'unsafe-eval'\`: ${seen(evaluation)}`,
        fix: "Remove `'unsafe-eval'` from script-src: it lets injected strings run as code (eval, new Function). Next.js adds it only in development builds: check that production runs `next build` output with NODE_ENV=production.",
      });
    }
    problems.push(...inlineProblems(elements, attributes));

    const open = elements.filter((d) => !trustsOnlyNonces(d.sources));
    if (elements.length > 0 && open.length === elements.length && open.every((d) => anyHostSources(d.sources).length > 0)) {
      const broad = [...new Set(open.flatMap((d) => anyHostSources(d.sources)))].map(code).join(', ');
      problems.push({
        level: 'fail',
        message: `script-src allows scripts from any host (${broad}): ${seen(elements)}`,
        fix: "Replace the wildcard with the hosts the app loads scripts from, or add `'strict-dynamic'` with a nonce (CSP3 browsers then ignore host sources).",
      });
    } else if (elements.length > 0 && open.length === elements.length && options.bypasses) {
      const bypass = allowlistBypasses(open, options.bypasses);
      if (bypass.length > 0) {
        problems.push({
          level: 'fail',
          message: `script-src allows hosts known to serve JSONP or AngularJS, which run any script an attacker names, so the CSP stops no injected script (${bypass.join('; ')}): ${seen(elements)}`,
          fix: "Add `'strict-dynamic'` next to the nonce (CSP3 browsers then ignore host sources; the app does so with ENABLE_CSP_STRICT=true), or allow exact script URLs instead of the hosts.",
        });
      }
    }
    if (elements.length > 0 && open.length === elements.length && open.every((d) => dataSources(d.sources).length > 0)) {
      problems.push({
        level: 'fail',
        message: `script-src allows \`data:\` URLs, which run like inline scripts: ${seen(elements)}`,
        fix: 'Remove `data:` from script-src (and from default-src when script-src falls back to it).',
      });
    }
    for (const d of uniqueDirectives([...elements, ...attributes])) {
      if (hasKeyword(d.sources, "'strict-dynamic'") && !d.sources.some(isNonceOrHash)) {
        problems.push({
          level: options.strict ? 'fail' : 'warn',
          message: `\`'strict-dynamic'\` without a nonce or hash trusts no script (CSP3 browsers block the page's own scripts; older ones ignore it): ${describeDirective(d)}`,
          fix: "Add a per-request `'nonce-…'` to script-src and to the page's <script> tags (or the scripts' hashes).",
        });
      }
    }
    problems.push(...nonceStrength(uniqueDirectives([...elements, ...attributes])));
  }

  const workers = governing('worker-src').filter((d) => d.name === 'worker-src' || d.name === 'child-src');
  if (workers.length > 0 && workers.length === governing('worker-src').length && workers.every((d) => anyHostSources(d.sources).length > 0 || dataSources(d.sources).length > 0)) {
    problems.push({
      level: 'warn',
      message: `workers may load from any host or from \`data:\`: ${seen(workers)} (browsers still require same-origin worker scripts, so this loosens the policy without opening the page)`,
      fix: "Set `worker-src 'self'` (add `blob:` only if the app builds workers from blobs).",
    });
  }

  problems.push(...objectProblems(governing('object-src'), policies.length));

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
        level: 'fail',
        message: `\`${name}\` admits every site, so it protects nothing: ${set.map((s) => code([name, ...s].join(' '))).join(' and ')}: ${risk}`,
        fix: `Set \`${name} 'self'\` (or \`'none'\`) instead of a wildcard or a bare scheme.`,
      });
    }
  }

  if (options.strict) {
    if (!elements.some((d) => hasKeyword(d.sources, "'strict-dynamic'"))) {
      problems.push({
        level: 'fail',
        message: `ENABLE_CSP_STRICT=true but script-src has no \`'strict-dynamic'\`${elements.length ? `: ${seen(elements)}` : ''}`,
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
    for (const name of policy.directives.keys()) {
      if (!KNOWN_DIRECTIVES.has(name)) {
        problems.push({
          level: 'warn',
          message: `\`${name}\` is not a CSP directive, so browsers ignore it (a misspelling?)`,
          fix: 'Correct the directive name; see the CSP Level 3 directive list.',
        });
      }
    }
    for (const [name, sources] of policy.directives) {
      for (const source of sources.filter((s) => KEYWORDS.test(s))) {
        problems.push({
          level: 'warn',
          message: `${code(`${name} … ${source}`)} lacks the single quotes, so browsers read \`${source}\` as a host name, not a keyword`,
          fix: `Write \`'${source}'\` in single quotes.`,
        });
      }
    }
  }
  return problems;
}

/** Directives listed once each, in order (script-src-elem and -attr often fall back to the same one). */
function uniqueDirectives(list: readonly EffectiveDirective[]): EffectiveDirective[] {
  const out: EffectiveDirective[] = [];
  for (const d of list) if (!out.some((o) => o.name === d.name && o.sources === d.sources)) out.push(d);
  return out;
}

/**
 * Inline scripts (`<script>` bodies, governed by script-src-elem) and event handlers (`onclick=…`,
 * by script-src-attr): each runs when every policy governing it allows all inline behaviour.
 */
function inlineProblems(elements: readonly EffectiveDirective[], attributes: readonly EffectiveDirective[]): Problem[] {
  if (elements.length === 0) {
    // Only script-src-attr is set somewhere: nothing governs <script> at all.
    return [{
      level: 'fail',
      message: `no policy governs <script> elements (\`script-src-elem\`, \`script-src\` and \`default-src\` are all unset where ${[...new Set(attributes.map((d) => d.name))].join(' and ')} is set), so injected scripts run, inline or from any host`,
      fix: "Add `script-src 'self' 'nonce-<random per request>' 'strict-dynamic'` (the app's middleware builds it) or at least `default-src 'self'`.",
    }];
  }
  const elementsOpen = elements.every((d) => allowsAllInline(d.sources));
  // A policy set with script-src-elem but nothing governing handlers leaves them unrestricted.
  const attributesOpen = attributes.length === 0 ? elements.length > 0 : attributes.every((d) => allowsAllInline(d.sources));
  const fix = "Remove `'unsafe-inline'`, or add a per-request `'nonce-…'` (or the scripts' hashes) to the same directive: CSP2+ browsers then ignore `'unsafe-inline'`, so any injected <script> is blocked. Event handlers need `script-src-attr 'none'` and no inline handlers.";
  const names = (list: readonly EffectiveDirective[]) => [...new Set(list.map((d) => d.name))].join(' and ');
  const same = elementsOpen && attributesOpen && uniqueDirectives([...elements, ...attributes]).length === uniqueDirectives(elements).length;
  if (same) {
    return [{ level: 'fail', message: `${names(elements)} allows \`'unsafe-inline'\` without a nonce or hash, so injected inline scripts and event handlers run: ${seen(uniqueDirectives(elements))}`, fix }];
  }
  const problems: Problem[] = [];
  if (elementsOpen) {
    problems.push({ level: 'fail', message: `${names(elements)} allows \`'unsafe-inline'\` without a nonce or hash, so injected inline <script> elements run: ${seen(elements)}`, fix });
  }
  if (attributesOpen) {
    problems.push({
      level: 'fail',
      message: attributes.length === 0
        ? `no policy governs event handlers (\`script-src-attr\`, \`script-src\` and \`default-src\` are all unset where ${names(elements)} is set), so injected \`onclick=…\` attributes run`
        : `${names(attributes)} allows \`'unsafe-inline'\` without a nonce or hash, so injected event handlers (\`onclick=…\`) run: ${seen(attributes)}`,
      fix,
    });
  }
  return problems;
}

/** A nonce shorter than CSP3 asks (128 bits) is easier to guess; said, not blocking. */
function nonceStrength(directives: readonly EffectiveDirective[]): Problem[] {
  const problems: Problem[] = [];
  for (const nonce of new Set(directives.flatMap((d) => noncesOf(d.sources)))) {
    const bits = Math.floor((nonce.replace(/=+$/, '').length * 6) / 8) * 8;
    if (bits < 128) {
      problems.push({
        level: 'warn',
        message: `the nonce ${code(`'nonce-${nonce}'`)} carries about ${bits} bits; CSP3 asks for at least 128 bits from a secure random source`,
        fix: 'Generate the nonce from 16 or more random bytes per response (the app uses crypto.randomBytes(16), base64).',
      });
    }
  }
  return problems;
}

/**
 * object-src: `'none'` (directly, or by default-src 'none') in some policy blocks <object>/<embed>.
 * Restricted to the app's own origin or some hosts, it only warns: browsers run no plugins any more,
 * and both CSP Evaluator and Observatory at most warn there. Unrestricted (no object-src or
 * default-src, or a wildcard) it fails, as both peers rate it.
 */
function objectProblems(objects: readonly EffectiveDirective[], policies: number): Problem[] {
  if (objects.some((d) => isNone(d.sources))) return [];
  const fix = "Add `object-src 'none'`: <object> and <embed> load plugin content that script-src does not govern.";
  if (objects.length === 0) {
    return [{ level: 'fail', message: `plugins are not blocked: neither \`object-src\` nor \`default-src\` is set${policies > 1 ? ' in any policy' : ''}`, fix }];
  }
  if (objects.every((d) => anyHostSources(d.sources).length > 0 || dataSources(d.sources).length > 0)) {
    return [{ level: 'fail', message: `plugins are not blocked: ${seen(objects)} allows <object> and <embed> from any host`, fix }];
  }
  return [{
    level: 'warn',
    message: `plugins are limited but not blocked: ${seen(objects)} (browsers no longer run plugins, but <object> and <embed> can still load the allowed origins' documents)`,
    fix,
  }];
}

/**
 * Listed bypass hosts allowed by every policy that governs script elements: `*.google.com (www.google.com serves JSONP)`.
 */
function allowlistBypasses(open: readonly EffectiveDirective[], lists: BypassLists): string[] {
  const found = new Map<string, string>();
  for (const d of open) {
    const unsafeEval = hasKeyword(d.sources, "'unsafe-eval'");
    for (const source of d.sources) {
      if (source.startsWith("'") || /^[a-z][a-z0-9+.-]*:$/i.test(source) || !source.includes('.')) continue;
      const hit = lists.match(source, unsafeEval);
      if (!hit) continue;
      const url = new URL(hit.url.startsWith('//') ? `https:${hit.url}` : hit.url);
      // Intersection: every policy must let the listed URL through (a page origin never matches a listed host).
      const self = new URL('https://self.invalid/');
      if (open.every((other) => sourceListAllows(other.sources, url, self))) found.set(source, `${code(source)}: ${url.hostname} serves ${hit.serves}`);
    }
  }
  return [...found.values()];
}
