/**
 * A repository's gitleaks configuration, so a team keeps what it already tuned: `.gitleaks.toml`
 * (its `[[rules]]`, its global and per-rule allowlists, `[extend] disabledRules` and `path`), the
 * `.gitleaksignore` fingerprints, and `gitleaks:allow` comments on a line.
 *
 * gitleaks' regexes are Go RE2. What JavaScript can run is translated (leading `(?i)`/`(?s)` flags,
 * `(?P<name>`, `\z`, `\A`, POSIX classes, `\x{…}`, `\Q…\E`); a rule or allowlist regex that still
 * does not compile is reported in the rule's details and not run, never a crash.
 *
 * Allowlists apply to the credential shapes and to the repository's own rules, never to the values
 * of the secrets the run knows: a production secret in the repository is never a false positive.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { maskValue } from '../../redact.js';
import { entropy } from './patterns.js';
import type { AllowFilter, ExtraRules, RawHit } from './scanner.js';
import { CREDENTIAL_PATTERNS } from './credential-shapes.js';

/** A JavaScript regex translated from RE2: source and flags (plain data, sent to workers). */
export interface RegexSource {
  source: string;
  flags: string;
}

export interface GitleaksAllowlist {
  condition: 'OR' | 'AND';
  commits: string[];
  paths: RegexSource[];
  regexTarget: 'secret' | 'match' | 'line';
  regexes: RegexSource[];
  stopwords: string[];
  /** Global allowlists may name the rules they apply to (ids of gitleaks rules). */
  targetRules: string[];
}

export interface GitleaksRule {
  id: string;
  description?: string;
  regex?: RegexSource;
  secretGroup: number;
  entropy?: number;
  keywords: string[];
  path?: RegexSource;
  allowlists: GitleaksAllowlist[];
}

/** Everything read from the repository's gitleaks files, as plain data. */
export interface GitleaksSetup {
  /** The config file, relative to the working directory. */
  file?: string;
  rules: GitleaksRule[];
  allowlists: GitleaksAllowlist[];
  /** gitleaks default rule ids the config disables. */
  disabledRules: string[];
  /** `.gitleaksignore` fingerprints: `path:rule:line` or `commit:path:rule:line`. */
  ignore: string[];
  /** What could not be used (a regex RE2-only, an unreadable file), for the details. */
  notes: string[];
  /** True when the config file could not be parsed at all. */
  broken?: boolean;
}

/**
 * Go RE2 → JavaScript: the leading inline flags become flags, named groups, `\z`, `\A`, POSIX
 * classes, `\x{…}` and `\Q…\E` are rewritten; returns an error text when JavaScript cannot run it.
 */
export function translateRegex(re2: string): RegexSource | { error: string } {
  let source = re2;
  let flags = '';
  const lead = /^\(\?([imsU]+)\)/.exec(source);
  if (lead) {
    if (lead[1]!.includes('U')) return { error: 'the U (ungreedy) flag has no JavaScript equivalent' };
    flags = [...new Set(lead[1]!)].join('');
    source = source.slice(lead[0].length);
  }
  source = source
    .replace(/\\Q([\s\S]*?)(?:\\E|$)/g, (_, literal: string) => literal.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'))
    .replace(/\(\?P</g, '(?<')
    .replace(/\\z/g, '$(?![\\s\\S])')
    .replace(/\\A/g, '^(?<![\\s\\S])')
    .replace(/\\x\{([0-9a-fA-F]{1,4})\}/g, (_, hex: string) => `\\u${hex.padStart(4, '0')}`);
  const posix: Record<string, string> = {
    alnum: 'a-zA-Z0-9', alpha: 'a-zA-Z', digit: '0-9', xdigit: '0-9a-fA-F', upper: 'A-Z', lower: 'a-z',
    space: '\\s', word: '\\w', punct: '!-\\/:-@\\[-`{-~', blank: ' \\t', cntrl: '\\x00-\\x1f\\x7f', print: '\\x20-\\x7e', graph: '\\x21-\\x7e',
  };
  source = source.replace(/\[:(\^?)([a-z]+):\]/g, (whole, negate: string, name: string) => (posix[name] && !negate ? posix[name] : whole));
  if (/\\p[A-Z]|\\[pP]\{/.test(source)) {
    source = source.replace(/\\([pP])([A-Z])/g, '\\$1{$2}');
    flags += 'u';
  }
  try {
    new RegExp(source, `${flags}gd`);
  } catch (error) {
    return { error: (error as Error).message.replace(/^Invalid regular expression: /, '') };
  }
  return { source, flags };
}

const asStrings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
const isTable = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function readAllowlist(table: Record<string, unknown>, where: string, notes: string[]): GitleaksAllowlist {
  const regexes = (list: string[], what: string) =>
    list.flatMap((re) => {
      const translated = translateRegex(re);
      if ('error' in translated) {
        notes.push(`${where}: the ${what} regex \`${re.slice(0, 60)}\` cannot run in JavaScript (${translated.error}); it was not applied`);
        return [];
      }
      return [translated];
    });
  const target = table.regexTarget;
  return {
    condition: String(table.condition ?? 'OR').toUpperCase() === 'AND' ? 'AND' : 'OR',
    commits: asStrings(table.commits),
    paths: regexes(asStrings(table.paths), 'path'),
    regexTarget: target === 'match' || target === 'line' ? target : 'secret',
    regexes: regexes(asStrings(table.regexes), 'allowlist'),
    stopwords: asStrings(table.stopwords).map((w) => w.toLowerCase()),
    targetRules: asStrings(table.targetRules),
  };
}

/** Parses the text of a `.gitleaks.toml` into a setup; `read` loads an `[extend] path` (relative to the file). */
export async function parseGitleaksConfig(text: string, file: string, read: (path: string) => Promise<string | undefined>, depth = 0): Promise<GitleaksSetup> {
  const setup: GitleaksSetup = { file, rules: [], allowlists: [], disabledRules: [], ignore: [], notes: [] };
  let config: Record<string, unknown>;
  try {
    // Loaded on first use: most repositories have no gitleaks config.
    const { parse } = await import('smol-toml');
    config = parse(text) as Record<string, unknown>;
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    setup.notes.push(`${file} is not valid TOML (${message}); its rules and allowlists were not applied. Fix it (gitleaks would refuse it too).`);
    setup.broken = true;
    return setup;
  }
  const extend = isTable(config.extend) ? config.extend : undefined;
  if (extend) {
    setup.disabledRules.push(...asStrings(extend.disabledRules));
    if (typeof extend.path === 'string' && depth < 2) {
      const path = join(dirname(file), extend.path);
      const base = await read(path);
      if (base === undefined) setup.notes.push(`${file}: [extend] path ${extend.path} could not be read; it was not applied`);
      else {
        const parent = await parseGitleaksConfig(base, path, read, depth + 1);
        setup.rules.push(...parent.rules);
        setup.allowlists.push(...parent.allowlists);
        setup.disabledRules.push(...parent.disabledRules);
        setup.notes.push(...parent.notes);
      }
    }
  }
  // The global allowlist: `[allowlist]` (older) and `[[allowlists]]` (newer).
  if (isTable(config.allowlist)) setup.allowlists.push(readAllowlist(config.allowlist, `${file} [allowlist]`, setup.notes));
  if (Array.isArray(config.allowlists)) for (const a of config.allowlists) if (isTable(a)) setup.allowlists.push(readAllowlist(a, `${file} [[allowlists]]`, setup.notes));
  for (const rule of Array.isArray(config.rules) ? config.rules : []) {
    if (!isTable(rule) || typeof rule.id !== 'string') continue;
    const where = `${file} rule ${rule.id}`;
    const allowlists: GitleaksAllowlist[] = [];
    if (isTable(rule.allowlist)) allowlists.push(readAllowlist(rule.allowlist, where, setup.notes));
    if (Array.isArray(rule.allowlists)) for (const a of rule.allowlists) if (isTable(a)) allowlists.push(readAllowlist(a, where, setup.notes));
    const compiled: GitleaksRule = {
      id: rule.id,
      description: typeof rule.description === 'string' ? rule.description : undefined,
      secretGroup: typeof rule.secretGroup === 'number' ? rule.secretGroup : 0,
      entropy: typeof rule.entropy === 'number' ? rule.entropy : undefined,
      keywords: asStrings(rule.keywords).map((k) => k.toLowerCase()),
      allowlists,
    };
    let usable = true;
    for (const field of ['regex', 'path'] as const) {
      if (typeof rule[field] !== 'string') continue;
      const translated = translateRegex(rule[field]);
      if ('error' in translated) {
        setup.notes.push(`${where}: its ${field === 'regex' ? 'regex' : 'path regex'} cannot run in JavaScript (${translated.error}); the rule was not run`);
        usable = false;
      } else compiled[field] = translated;
    }
    if (usable) setup.rules.push(compiled);
  }
  return setup;
}

/**
 * The repository's gitleaks files: `.gitleaks.toml` and `.gitleaksignore` in the working directory,
 * else at the repository's top. Undefined when there is neither.
 */
export async function loadGitleaks(cwd: string, root: string): Promise<GitleaksSetup | undefined> {
  const read = (path: string) => readFile(path, 'utf8').catch(() => undefined);
  let setup: GitleaksSetup | undefined;
  for (const dir of cwd === root ? [cwd] : [cwd, root]) {
    const text = await read(join(dir, '.gitleaks.toml'));
    if (text === undefined) continue;
    const file = relative(cwd, join(dir, '.gitleaks.toml')) || '.gitleaks.toml';
    setup = await parseGitleaksConfig(text, file, async (path) => read(join(cwd, path)));
    break;
  }
  for (const dir of cwd === root ? [cwd] : [cwd, root]) {
    const text = await read(join(dir, '.gitleaksignore'));
    if (text === undefined) continue;
    setup ??= { rules: [], allowlists: [], disabledRules: [], ignore: [], notes: [] };
    setup.ignore.push(...text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')));
    break;
  }
  return setup;
}

const compile = (r: RegexSource, extra = '') => new RegExp(r.source, r.flags + extra);

interface CompiledAllowlist {
  condition: 'OR' | 'AND';
  commits: Set<string>;
  paths: RegExp[];
  regexTarget: GitleaksAllowlist['regexTarget'];
  regexes: RegExp[];
  stopwords: string[];
  targetRules: string[];
}

const compileAllowlist = (a: GitleaksAllowlist): CompiledAllowlist => ({
  condition: a.condition,
  commits: new Set(a.commits),
  paths: a.paths.map((r) => compile(r)),
  regexTarget: a.regexTarget,
  regexes: a.regexes.map((r) => compile(r)),
  stopwords: a.stopwords,
  targetRules: a.targetRules,
});

/** Whether an allowlist covers a finding (gitleaks' semantics: OR of the criteria given, or AND). */
function allowlisted(a: CompiledAllowlist, at: { path: string; secret: string; line: string; commit?: string }): boolean {
  const checks: boolean[] = [];
  if (a.commits.size > 0) checks.push(at.commit !== undefined && [...a.commits].some((c) => at.commit!.startsWith(c)));
  if (a.paths.length > 0) checks.push(a.paths.some((re) => re.test(at.path)));
  if (a.regexes.length > 0) {
    const target = a.regexTarget === 'line' ? at.line : at.secret;
    checks.push(a.regexes.some((re) => re.test(target)));
  }
  if (a.stopwords.length > 0) checks.push(a.stopwords.some((w) => at.secret.toLowerCase().includes(w)));
  if (checks.length === 0) return false;
  return a.condition === 'AND' ? checks.every(Boolean) : checks.some(Boolean);
}

/** The gitleaks setup made usable: the extra rules, the allowlist filter, and the built-in shapes it disables. */
export function compileGitleaks(setup: GitleaksSetup): { extra?: ExtraRules; allow: AllowFilter; disabled: Set<string>; allowsCommit(commit: string, path: string): boolean } {
  const global = setup.allowlists.map(compileAllowlist);
  const rules = setup.rules.map((rule) => ({
    ...rule,
    regex: rule.regex ? compile(rule.regex, 'gd') : undefined,
    path: rule.path ? compile(rule.path) : undefined,
    allowlists: rule.allowlists.map(compileAllowlist),
  }));
  const byId = new Map(rules.map((r) => [r.id, r]));
  const disabledIds = new Set(setup.disabledRules);
  // A built-in shape is off when the config disables every gitleaks rule it stands for.
  const disabled = new Set(CREDENTIAL_PATTERNS.filter((p) => p.gitleaks.length > 0 && p.gitleaks.every((id) => disabledIds.has(id))).map((p) => p.id));
  const ignore = new Set(setup.ignore);

  const allow: AllowFilter = (hit, path, lineText, line) => {
    if (lineText.includes('gitleaks:allow')) return true;
    const ids = hit.rule.startsWith('gitleaks:') ? [hit.rule.slice(9)] : [...(hit.gitleaks ?? []), hit.rule];
    if (ids.some((id) => ignore.has(`${path}:${id}:${line}`))) return true;
    const at = { path, secret: hit.secret, line: lineText };
    for (const a of global) if ((a.targetRules.length === 0 || a.targetRules.some((id) => ids.includes(id))) && allowlisted(a, at)) return true;
    // A config that tunes a default gitleaks rule (same id) tunes the built-in shape standing for it.
    for (const id of ids) for (const a of byId.get(id)?.allowlists ?? []) if (allowlisted(a, at)) return true;
    return false;
  };

  const allowsCommit = (commit: string, path: string) =>
    global.some((a) => a.commits.size > 0 && allowlisted(a, { path, secret: '', line: '', commit })) || [...ignore].some((f) => f.startsWith(`${commit}:${path}:`));

  const scanning = rules.filter((r) => r.regex);
  const pathOnly = rules.filter((r) => !r.regex && r.path);
  const extra: ExtraRules | undefined =
    scanning.length === 0 && pathOnly.length === 0
      ? undefined
      : {
          find(text, path) {
            const out: RawHit[] = [];
            let lower: string | undefined;
            for (const rule of scanning) {
              if (rule.path && !rule.path.test(path)) continue;
              if (rule.keywords.length > 0) {
                lower ??= text.toLowerCase();
                if (!rule.keywords.some((k) => lower!.includes(k))) continue;
              }
              const re = rule.regex!;
              re.lastIndex = 0;
              let found = 0;
              for (let m = re.exec(text); m && found < 50; m = re.exec(text)) {
                if (m[0].length === 0) {
                  re.lastIndex++;
                  continue;
                }
                const group = rule.secretGroup > 0 ? rule.secretGroup : m.findIndex((g, i) => i > 0 && g);
                const secret = group > 0 && m[group] ? m[group] : m[0];
                if (rule.entropy !== undefined && entropy(secret) <= rule.entropy) continue;
                const lineStart = text.lastIndexOf('\n', m.index) + 1;
                const lineEnd = text.indexOf('\n', m.index);
                const lineText = text.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
                if (rule.allowlists.some((a) => allowlisted(a, { path, secret: a.regexTarget === 'match' ? m![0] : secret, line: lineText }))) continue;
                found++;
                out.push({
                  start: m.index,
                  end: m.index + m[0].length,
                  kind: 'credential',
                  label: `a match of the repository's gitleaks rule ${rule.id}${rule.description ? ` (${rule.description})` : ''}`,
                  masked: maskValue(secret),
                  key: createHash('sha256').update(secret).digest('hex').slice(0, 16),
                  rule: `gitleaks:${rule.id}`,
                  secret,
                });
              }
            }
            return out;
          },
          forPath(path) {
            return pathOnly
              .filter((rule) => rule.path!.test(path))
              .map((rule) => ({
                start: 0,
                end: 0,
                kind: 'credential' as const,
                label: `a file the repository's gitleaks rule ${rule.id} flags by its path${rule.description ? ` (${rule.description})` : ''}`,
                masked: path,
                key: `gitleaks:${rule.id}:${path}`,
                rule: `gitleaks:${rule.id}`,
                secret: path,
              }));
          },
        };
  return { extra, allow, disabled, allowsCommit };
}
