/**
 * The warnings of a build log, as the release checklist wants them: "Build output does not include
 * the browser baseline warning (outdated dataset currency)" and "does not contain new untriaged
 * warnings". Each warning is normalised (paths under the checkout, line and column numbers, content
 * hashes, durations, process ids, dates removed) so that the same warning reads the same in every run
 * and on every machine, and can be triaged once in the config by that text.
 *
 * What counts as a warning, as the tools of a Next.js build print them:
 * - the browser-baseline warnings: browserslist's "caniuse-lite is outdated" (≤ 4.24.0), "caniuse-lite
 *   is N months old" (4.24.1) and "browsers data (caniuse-lite) is N months old" (4.24.2+), printed
 *   when the newest browser in caniuse-lite is six months old; baseline-browser-mapping's "The data in
 *   this module is over two months old" (2.5–2.8 at import, 2.9+ when a recent cut-off is asked);
 * - Next's own warnings (` ⚠ …`, `warn  - …` before Next 13), and the webpack warnings listed under
 *   ` ⚠ Compiled with warnings`: a module path, then the message ("Critical dependency: …"), each
 *   followed by its import trace (not a warning of its own);
 * - ESLint warnings of `next build`'s lint: a file path line, then `12:6  Warning: … rule-name`;
 * - Node's process warnings (`(node:1234) [DEP0040] DeprecationWarning: …`), npm's (`npm warn …`),
 *   and lines that start with `Warning:` or `WARN`.
 * A line that only counts warnings ("0 warnings") is none.
 */
import { stripVTControlCharacters } from 'node:util';

export type WarningKind = 'browser-baseline' | 'other';

export interface BuildWarning {
  /** The warning normalised: the text to triage it by. */
  text: string;
  kind: WarningKind;
  /** The first time it was printed, as printed (cut at 300 characters). */
  example: string;
  /** How many times the build printed it. */
  count: number;
  /** Where in the repository it points, when it says so (an ESLint or webpack warning of an app file). */
  file?: string;
  line?: number;
}


/** browserslist's old-data warning in its three wordings, and baseline-browser-mapping's. */
const BROWSER_BASELINE = [
  /^Browserslist: (?:caniuse-lite is (?:outdated|\d+ months? old)|browsers data \(caniuse-lite\) is \d+ months? old)/,
  /^\[baseline-browser-mapping\] The data in this module is over two months old/,
];

const GENERIC = [
  /^warn\s+-\s+/i,
  /^(?:npm|pnpm|yarn)\s+warn(?:ing)?\b/i,
  /^warn(?:ing)?(?:\s*:|\s+\[|\s)/i,
  /^\(node:\d+\) (?:\[[A-Z0-9_]+\] )?\w*Warning:/,
];
/** Lines that count warnings or announce a list of them: not warnings themselves. */
const NOT_A_WARNING = [/^⚠\s+Compiled with warnings/i, /\b0 warnings?\b/i, /^warnings?:?\s*$/i, /Compiled with warnings/i];
/** Lines where a webpack warnings block ends: Next's next phase. */
const PHASE = /^(?:✓|✔|▲|⨯|✗|Creating an optimized|Linting|Collecting|Generating|Finalizing|Route \(|Failed to compile|info\s|Skipping|Checking validity)/;
const LINT_FILE = /^\.{0,2}\/?(?:[\w@.-]+\/)*[\w@.[\]()-]+\.(?:[cm]?[jt]sx?|vue|svelte|css|scss|mdx?)$/;
const LINT_WARNING = /^(\d+):(\d+)\s+Warning:\s+(.+)$/;
const MODULE_PATH = /^\.{1,2}\/\S+$/;

export interface CollectorOptions {
  /** The app's directory: its prefix is removed from paths. */
  cwd: string;
  /** Distinct warnings kept; more are counted in `dropped`. Default 1,000. */
  max?: number;
}

/**
 * Reads a build's output a line at a time (bounded memory whatever the log's length) and keeps its
 * warnings, each once with a count.
 */
export class BuildWarningCollector {
  private readonly byText = new Map<string, BuildWarning>();
  private readonly max: number;
  /** Distinct warnings beyond `max`. */
  dropped = 0;
  private inWebpackBlock = false;
  /** Lines of the current paragraph of a webpack warnings block. */
  private paragraph: string[] = [];
  /** The file an ESLint report is listing (`./pages/index.tsx`). */
  private lintFile: string | undefined;

  constructor(private readonly options: CollectorOptions) {
    this.max = options.max ?? 1000;
  }

  push(raw: string): void {
    const line = stripVTControlCharacters(raw).replace(/\s+$/, '');
    const trimmed = line.trim();
    // Next prints one warning over several `⚠` lines: the next ones indented, or "See more info here".
    if (this.pending && /^⚠(?:\s{2,}|\s+See more info here)/.test(trimmed)) {
      this.pending.push(trimmed.replace(/^⚠\s+/, ''));
      return;
    }
    this.flushPending();
    if (BROWSER_BASELINE.some((re) => re.test(trimmed))) return this.add(trimmed, 'browser-baseline');
    if (this.inWebpackBlock) {
      if (trimmed === '') return this.endParagraph();
      if (PHASE.test(trimmed) || (/^⚠/.test(trimmed) && this.paragraph.length === 0)) {
        this.endParagraph();
        this.inWebpackBlock = false;
      } else {
        this.paragraph.push(trimmed);
        return;
      }
    }
    if (trimmed === '') {
      this.lintFile = undefined;
      return;
    }
    if (/^⚠\s+Compiled with warnings/i.test(trimmed) || /^Compiled with warnings/i.test(trimmed)) {
      this.inWebpackBlock = true;
      this.paragraph = [];
      return;
    }
    if (/^⚠\s+\S/.test(trimmed) && !NOT_A_WARNING.some((re) => re.test(trimmed))) {
      this.pending = [trimmed];
      return;
    }
    if (LINT_FILE.test(trimmed)) {
      this.lintFile = trimmed;
      return;
    }
    const lint = LINT_WARNING.exec(trimmed);
    if (lint && this.lintFile) return this.add(`${this.lintFile}: Warning: ${lint[3]}`, 'other', { file: this.lintFile, line: Number(lint[1]) });
    if (NOT_A_WARNING.some((re) => re.test(trimmed))) return;
    if (GENERIC.some((re) => re.test(trimmed)) || /^Warning:\s/.test(trimmed)) this.add(trimmed, 'other');
  }

  /** The warnings, in the order they were first printed. */
  warnings(): BuildWarning[] {
    this.flushPending();
    this.endParagraph();
    return [...this.byText.values()];
  }

  /** A `⚠` warning of Next, with its continuation lines. */
  private pending: string[] | undefined;

  private flushPending(): void {
    if (!this.pending) return;
    const [first, ...rest] = this.pending;
    this.pending = undefined;
    // "See more info here: <link>" only points at Next's docs.
    this.add([first, ...rest.filter((l) => !/^See more info here/i.test(l))].join(' '), 'other');
  }

  /**
   * A paragraph of a webpack warnings block: `<module path>` then the message. Import traces, and
   * anything else a tool printed meanwhile, are no warning of their own.
   */
  private endParagraph(): void {
    const [first, ...rest] = this.paragraph;
    this.paragraph = [];
    if (!first || /^Import trace for requested module/i.test(first)) return;
    if (MODULE_PATH.test(first) && rest.length > 0) {
      const at = /^(.*?):(\d+)(?::\d+)?$/.exec(first);
      const file = (at?.[1] ?? first).replace(/\?.*$/, '');
      this.add(`${first}: ${rest[0]}`, 'other', file.includes('node_modules/') ? {} : { file: file.replace(/^\.\//, ''), ...(at ? { line: Number(at[2]) } : {}) });
    } else if (GENERIC.some((re) => re.test(first))) {
      this.add(first, 'other');
    }
  }

  private add(printed: string, kind: WarningKind, where: { file?: string; line?: number } = {}): void {
    const text = normaliseWarning(printed, this.options.cwd);
    const known = this.byText.get(text);
    if (known) {
      known.count++;
      return;
    }
    if (this.byText.size >= this.max) {
      this.dropped++;
      return;
    }
    const file = where.file?.replace(/^\.\//, '');
    this.byText.set(text, { text, kind, example: printed.slice(0, 300), count: 1, ...(file && !file.startsWith('..') ? { file, ...(where.line ? { line: where.line } : {}) } : {}) });
  }
}

/**
 * A warning as the same text in every run: the checkout's path, other absolute paths, pnpm's store
 * folders, line:column numbers, content hashes, durations and ages, process ids and dates removed;
 * Next's `⚠` and `warn -` markers dropped; whitespace collapsed.
 */
export function normaliseWarning(printed: string, cwd: string): string {
  let text = stripVTControlCharacters(printed).trim();
  text = text.replace(/^⚠\s+/, '').replace(/^warn\s+-\s+/i, '');
  const root = cwd.replace(/\/+$/, '');
  if (root.length > 1) text = text.split(`file://${root}/`).join('').split(`${root}/`).join('');
  // pnpm's virtual store: node_modules/.pnpm/next@15.5.3_react@19/node_modules/next → node_modules/next.
  text = text.replace(/node_modules\/\.pnpm\/[^/\s]+\/node_modules\//g, 'node_modules/');
  // Other absolute paths: from node_modules/ on when there is one, else <path>.
  text = text.replace(/(?<=^|[\s'"(=[`])(?:file:\/\/)?(?:\/[\w.@+~-]+){2,}\/?/g, (path) => {
    const at = path.indexOf('/node_modules/');
    return at >= 0 ? path.slice(at + 1) : '<path>';
  });
  text = text
    .replace(/(\.[A-Za-z]{1,6}|\))[:(]\d+(?:[:,]\d+)?\)?/g, '$1')
    .replace(/\bline \d+(?:,? col(?:umn)? \d+)?/gi, 'line <n>')
    .replace(/^\d+:\d+\s+/, '')
    .replace(/\(node:\d+\)/g, '(node)')
    .replace(/\b\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?\b/g, '<date>')
    .replace(/\b\d+(?:\.\d+)?\s?(?:ms|s|sec|seconds?|min|minutes?)\b/g, '<duration>')
    .replace(/\b\d+ (days?|weeks?|months?|years?)\b/g, '<n> $1')
    .replace(/\b[0-9a-f]{8,}\b/gi, (hex) => (/[0-9]/.test(hex) && /[a-f]/i.test(hex) ? '<hash>' : hex))
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

/**
 * The triaged entry that covers a warning: its pattern is the warning's normalised text as the report
 * lists it, where `*` stands for any run of characters (no other character is special).
 */
export function findTriaged<T extends { pattern: string }>(text: string, triaged: readonly T[]): T | undefined {
  return triaged.find((t) => patternRegExp(t.pattern).test(text));
}

const compiled = new Map<string, RegExp>();
function patternRegExp(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) {
    const source = pattern
      .trim()
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    re = new RegExp(`^${source}$`, 's');
    compiled.set(pattern, re);
  }
  return re;
}
