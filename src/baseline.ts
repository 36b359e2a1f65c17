/**
 * On pull requests, block what the change introduces and still show the rest (README "On pull
 * requests"). With `new-findings-only` on (`auto`: pull_request and merge_group events, or a
 * `baseline-ref`), the run:
 *
 * 1. finds the base: the first parent of the PR's merge commit (what GitHub merges with); with the
 *    PR's head checked out, the merge base, with a warning; the merge group's base; or `baseline-ref`.
 *    A shallow checkout fetches the one commit it lacks (with `github-token` if git has no credentials);
 * 2. checks the base out in a temporary `git worktree` and lists what the change did (`git diff -M`);
 * 3. runs the repository rules a second time there, with the head's gate version and config, no
 *    command and no network (src/gate.ts runs both passes);
 * 4. matches the two sets of findings (engine/compare.ts) and sets each rule's `comparison`.
 *
 * When the base cannot be found, fetched or checked out, nothing is compared: every finding is judged
 * and the report says why and how to fix it; it never says "0 new" without a comparison.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix, relative } from 'node:path';
import { parseConfig, type Config } from './config.js';
import { errorMessage } from './errors.js';
import { matchFindings, type Item } from './engine/compare.js';
import { identityHash, identityParts, type IdentityParts, type LineReader } from './engine/identity.js';
import { didNotFinish } from './engine/runner.js';
import type { AddedException, AnyRule, BaselineContext, BaselineReport, ChangedFiles, Finding, FindingStatus, Logger, RuleComparison, RuleReport } from './engine/types.js';
import { gitRepository } from './probes/git.js';
import {
  addWorktree,
  commitParents,
  diffWithBase,
  fetchCommit,
  fileAt,
  hasRemote,
  mergeBase,
  remoteCommit,
  removeWorktree,
  resolveCommit,
  shallowCommits,
  type RepoDiff,
} from './probes/worktree.js';
import type { Settings } from './settings.js';

/** The parts of the event payload the comparison needs. */
export interface BaselineEvent {
  kind: 'pull_request' | 'merge_group' | 'push' | 'other';
  baseSha?: string;
  /** `main` (a merge group's `refs/heads/main` without its prefix). */
  baseRef?: string;
  headSha?: string;
  /** The number of commits of the pull request. */
  commits?: number;
  /** A pull request from a fork: its token is read-only, it gets no secrets. */
  fork?: boolean;
  /** A push's previous tip. */
  before?: string;
}

const SHA = /^[0-9a-f]{40,64}$/i;
const sha = (value: unknown) => (typeof value === 'string' && SHA.test(value) ? value.toLowerCase() : undefined);
const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/** The event payload as far as it is needed; anything missing or malformed is left out. */
export function readEvent(eventName: string | undefined, eventPath: string | undefined): BaselineEvent {
  let payload: Record<string, unknown> = {};
  try {
    if (eventPath && existsSync(eventPath)) payload = JSON.parse(readFileSync(eventPath, 'utf8')) as Record<string, unknown>;
  } catch {
    payload = {};
  }
  const get = (...path: string[]): unknown => path.reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), payload);
  if (eventName === 'pull_request' || eventName === 'pull_request_target') {
    const headRepo = text(get('pull_request', 'head', 'repo', 'full_name'));
    const baseRepo = text(get('pull_request', 'base', 'repo', 'full_name'));
    const commits = get('pull_request', 'commits');
    return {
      kind: 'pull_request',
      baseSha: sha(get('pull_request', 'base', 'sha')),
      baseRef: text(get('pull_request', 'base', 'ref')),
      headSha: sha(get('pull_request', 'head', 'sha')),
      commits: typeof commits === 'number' && Number.isInteger(commits) && commits > 0 ? commits : undefined,
      // From another repository than the base's (a fork's own branches are not that: `repo.fork` is
      // true for any repository that is a fork).
      fork: headRepo !== undefined && baseRepo !== undefined ? headRepo !== baseRepo : get('pull_request', 'head', 'repo', 'fork') === true,
    };
  }
  if (eventName === 'merge_group') {
    return {
      kind: 'merge_group',
      baseSha: sha(get('merge_group', 'base_sha')),
      baseRef: text(get('merge_group', 'base_ref'))?.replace(/^refs\/heads\//, ''),
      headSha: sha(get('merge_group', 'head_sha')),
    };
  }
  if (eventName === 'push') {
    const before = sha(get('before'));
    return { kind: 'push', before: before && !/^0+$/.test(before) ? before : undefined };
  }
  return { kind: 'other' };
}

/** The comparison as prepared before the rules run. */
export interface BaselinePlan {
  /** `new-findings-only` resolved for this event: false means a run as without the feature. */
  on: boolean;
  /** A pull request or merge group: environment rules are listed there (`environment-on-pr`). */
  prLike: boolean;
  /** Set when `on`: what the report says about the comparison (counts and readyAll are filled in later). */
  report?: BaselineReport;
  /** Set when the base is checked out and the diff read. */
  base?: PreparedBase;
  /** Time spent finding, fetching and checking out the base, and reading the diff (ms). */
  preparedMs: number;
  cleanup(): Promise<void>;
}

interface PreparedBase {
  sha: string;
  /**
   * The base's working directory, in the temporary work tree: made while the change's own rules run
   * (the base pass waits for it); rejects with `Unavailable` when it cannot be made.
   */
  workingDirectory: Promise<string>;
  prefix: string;
  diff: RepoDiff;
  changed: ChangedFiles;
  head: BaselineContext;
  base: BaselineContext;
}

const SUBJECT: Record<BaselineEvent['kind'], string> = { pull_request: 'this PR', merge_group: 'this merge group', push: 'this push', other: 'this change' };

/** Fetching the base and checking it out: bounded, so a remote that hangs cannot hold the run. */
function gitBoundMs(settings: Settings): number {
  return Math.max(120_000, settings.timeoutSeconds * 3000);
}

export class Unavailable extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
  }
}

const FETCH_FIX =
  'Check out with `fetch-depth: 0` (actions/checkout), or keep the default checkout of the merge commit and give the job `contents: read` and a `github-token`, so the gate can fetch the base commit.';

/**
 * Resolves the mode for the event and, when on, finds, fetches and checks out the base. Never throws:
 * a base that cannot be had is a report that says why.
 */
export async function prepareBaseline(settings: Settings, selected: readonly AnyRule[], log: Logger): Promise<BaselinePlan> {
  const started = performance.now();
  const event = readEvent(settings.eventName, settings.eventPath);
  const prLike = event.kind === 'pull_request' || event.kind === 'merge_group';
  const on = settings.newFindingsOnly === 'true' || (settings.newFindingsOnly === 'auto' && (prLike || settings.baselineRef !== undefined));
  const noop = async () => undefined;
  if (!on) return { on, prLike, preparedMs: 0, cleanup: noop };

  const report: BaselineReport = {
    newFindingsOnly: true,
    made: false,
    warnings: [],
    subject: SUBJECT[event.kind],
    counts: { new: 0, updated: 0, existing: 0, fixed: 0 },
    addedExceptions: [],
    readyAll: false,
    durationMs: 0,
  };
  let tree: { root: string; dir: string; temp: string; made?: Promise<unknown> } | undefined;
  const cleanup = async () => {
    if (!tree) return;
    const { root, dir, temp, made } = tree;
    tree = undefined;
    await made?.catch(() => undefined);
    await removeWorktree(root, dir);
    await rm(temp, { recursive: true, force: true }).catch(() => undefined);
  };
  try {
    const repo = await gitRepository(settings.workingDirectory);
    if (!repo) throw new Unavailable('the working directory is not in a git work tree', 'Check the repository out with actions/checkout before the gate.');
    const root = repo.root;
    const bound = gitBoundMs(settings);
    const found = await findBase(settings, event, root, report);
    report.ref = found.ref;
    report.sha = found.sha;
    if (!(await resolveCommit(root, found.sha))) {
      if (!(await hasRemote(root, 'origin'))) throw new Unavailable(`the base commit ${found.sha.slice(0, 12)} is not in this checkout, and it has no remote origin to fetch it from`, FETCH_FIX);
      log.info(`Fetching the base ${found.ref} (${found.sha.slice(0, 12)}) to compare with`);
      await fetchCommit(root, found.sha, { depth: 1, token: settings.githubToken, timeoutMs: bound }).catch((error: unknown) => {
        throw new Unavailable(`the base commit ${found.sha.slice(0, 12)} could not be fetched: ${errorMessage(error)}`, FETCH_FIX);
      });
    }

    // Before the work tree is made (a fetch and `git worktree` in one repository at once could
    // contend for its locks). The history each pass scans for secrets beyond its tree (security.committed-secrets).
    const scansSecrets = selected.some((r) => r.meta.id === 'security.committed-secrets');
    let headRevs = settings.scanHistory ? ['HEAD'] : ['HEAD', `^${found.sha}`];
    let historyNote: string | undefined;
    if (scansSecrets && !settings.scanHistory && repo.shallow && event.kind === 'pull_request') {
      const own = await pullRequestCommits(root, event, found.sha, settings, bound);
      headRevs = own.revs ?? headRevs;
      historyNote = own.note;
    }

    const temp = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), 'prg-base-'));
    const dir = join(temp, 'base');
    tree = { root, dir, temp };
    const diff = await diffWithBase(root, found.sha, { timeoutMs: bound }).catch((error: unknown) => {
      throw new Unavailable(`the change could not be compared with ${found.ref}: ${errorMessage(error)}`, FETCH_FIX);
    });
    const prefix = repo.prefix.replace(/\/$/, '');
    const changed = changedFiles(diff, prefix);
    // The base's work tree is made while the change's own rules run: what differs from the checkout
    // is written from the base, every other file is the checkout's own.
    const differs = new Set(diff.files.filter((f) => f.status !== 'added').map((f) => f.from ?? f.path));
    const treeStarted = performance.now();
    // When the secret scan reads only the changed files, the base's source code and assets are read
    // by no rule: they are left out (on a large repository, most of the files).
    const onlyChanged = changedOnly(settings, changed) !== undefined;
    const wanted = onlyChanged ? (path: string) => !SOURCE_OR_ASSET.test(path) : undefined;
    const workingDirectory = addWorktree(root, found.sha, dir, differs, { timeoutMs: bound, wanted }).then(
      async (made) => {
        const path = join(dir, prefix);
        // The app's directory may not exist on the base: then the base has nothing, and everything is new.
        await mkdir(path, { recursive: true });
        log.info(
          `The base ${found.ref} checked out in ${Math.round(performance.now() - treeStarted)} ms: ${made.written} files written, ${made.linked} the same as the checkout's${made.left ? `, ${made.left} source or asset files left out` : ''}`,
        );
        return path;
      },
      (error: unknown) => {
        throw new Unavailable(`the base ${found.ref} could not be checked out: ${errorMessage(error)}`, "Look at the step log; the gate needs room in the runner's temp directory for the files of the base that differ.");
      },
    );
    workingDirectory.catch(() => undefined);
    tree.made = workingDirectory;

    report.addedExceptions = await addedExceptions(settings, root, found.sha, diff);
    report.made = true;
    log.info(`Comparing with ${found.ref} (${found.sha.slice(0, 12)}): ${diff.files.length} files changed`);
    return {
      on,
      prLike,
      report,
      preparedMs: performance.now() - started,
      cleanup,
      base: {
        sha: found.sha,
        workingDirectory,
        prefix,
        diff,
        changed,
        head: { pass: 'head', diff: changed, historyRevs: headRevs, historyNote },
        base: { pass: 'base', diff: changed, historyRevs: settings.scanHistory ? [found.sha] : undefined, changedOnly: changedOnly(settings, changed) },
      },
    };
  } catch (error) {
    await cleanup();
    const unavailable = error instanceof Unavailable ? error : new Unavailable(`the base could not be read: ${errorMessage(error)}`, FETCH_FIX);
    report.made = false;
    report.reason = unavailable.message;
    report.fix = unavailable.fix;
    log.info(`Not compared with a base: ${unavailable.message}`);
    return { on, prLike, report, preparedMs: performance.now() - started, cleanup };
  }
}

/** The base commit and its name, for the event; throws Unavailable when there is none. */
async function findBase(settings: Settings, event: BaselineEvent, root: string, report: BaselineReport): Promise<{ sha: string; ref: string }> {
  const bound = gitBoundMs(settings);
  if (settings.baselineRef) {
    const ref = settings.baselineRef;
    const local = SHA.test(ref) ? ref : ((await resolveCommit(root, `refs/tags/${ref}`)) ?? (await resolveCommit(root, `refs/remotes/origin/${ref}`)) ?? (await resolveCommit(root, ref)));
    if (local) return { sha: local, ref };
    if (!(await hasRemote(root, 'origin'))) throw new Unavailable(`baseline-ref: ${ref} is not in this checkout, and it has no remote origin to fetch it from`, 'Give baseline-ref a branch, tag or commit of the repository; check out with `fetch-depth: 0` to have every tag.');
    const remote = await remoteCommit(root, ref, { token: settings.githubToken, timeoutMs: bound }).catch((error: unknown) => {
      throw new Unavailable(`baseline-ref: origin could not be asked for ${ref}: ${errorMessage(error)}`, FETCH_FIX);
    });
    if (!remote) throw new Unavailable(`baseline-ref: origin has no branch or tag named ${ref}`, 'Give baseline-ref a branch, tag or commit id of the repository (like main, v1.6.0 or a SHA).');
    return { sha: remote, ref };
  }
  if (event.kind === 'merge_group') {
    if (!event.baseSha) throw new Unavailable('the merge_group event gives no base_sha', 'Run the gate on the merge_group event GitHub sends, or set baseline-ref.');
    return { sha: event.baseSha, ref: event.baseRef ?? event.baseSha.slice(0, 12) };
  }
  if (event.kind === 'pull_request') {
    const ref = event.baseRef ?? 'the base branch';
    const head = await resolveCommit(root, 'HEAD');
    if (!head) throw new Unavailable('the checkout has no HEAD commit', 'Check the pull request out with actions/checkout before the gate.');
    const parents = await commitParents(root, head);
    // actions/checkout's default on pull_request: the merge commit GitHub made, whose first parent
    // is the base branch as GitHub merges with it and whose second is the PR's head.
    if (parents.length === 2 && (!event.headSha || parents[1] === event.headSha)) return { sha: parents[0]!, ref };
    if (!event.baseSha) throw new Unavailable('the pull_request event gives no base commit', 'Run the gate on the pull_request event, or set baseline-ref.');
    // The PR's head is checked out: compare with where the branch left the base.
    if (!(await resolveCommit(root, event.baseSha))) {
      await fetchCommit(root, event.baseSha, { depth: 1, token: settings.githubToken, timeoutMs: bound }).catch((error: unknown) => {
        throw new Unavailable(`the base commit ${event.baseSha!.slice(0, 12)} could not be fetched: ${errorMessage(error)}`, FETCH_FIX);
      });
    }
    const fork = await mergeBase(root, head, event.baseSha);
    if (fork) {
      report.warnings.push(
        `The PR's head commit is checked out, not its merge commit: compared with the merge base ${fork.slice(0, 12)}, where the branch left ${ref}. A finding ${ref} fixed since then shows as already on ${ref}; check out the merge commit (actions/checkout's default on pull_request) to compare with what GitHub merges.`,
      );
      return { sha: fork, ref };
    }
    report.warnings.push(
      `The PR's head commit is checked out and this shallow checkout has no merge base: compared with the tip of ${ref}. A finding ${ref} fixed after the branch point shows as new; check out the merge commit (actions/checkout's default on pull_request) or use \`fetch-depth: 0\`.`,
    );
    return { sha: event.baseSha, ref };
  }
  if (event.kind === 'push' && event.before) return { sha: event.before, ref: event.before.slice(0, 12) };
  throw new Unavailable(
    `there is no base to compare with on a ${settings.eventName ?? 'local'} run`,
    'Set baseline-ref to the branch, tag or commit to compare with, or new-findings-only: false to judge everything.',
  );
}

/**
 * In a shallow checkout of a pull request's merge commit, the PR's own commits are not there: fetch
 * them (the payload says how many), and scan what they added, not what was there before them.
 */
async function pullRequestCommits(root: string, event: BaselineEvent, base: string, settings: Settings, bound: number): Promise<{ revs?: string[]; note?: string }> {
  const note = "This checkout is shallow and the PR's own commits could not be fetched, so a secret added and removed within them was not searched for; check out with `fetch-depth: 0`.";
  if (!event.headSha || !event.commits) return { note };
  try {
    await fetchCommit(root, event.headSha, { depth: event.commits + 1, token: settings.githubToken, timeoutMs: bound });
  } catch {
    return { note };
  }
  // The commits at the edge of the fetched history are where the PR started from, not the PR's.
  const edge = (await shallowCommits(root)).filter((c) => c !== event.headSha);
  const head = await resolveCommit(root, 'HEAD');
  return { revs: ['HEAD', event.headSha, `^${base}`, ...edge.filter((c) => c !== head).map((c) => `^${c}`)] };
}

/**
 * Files no repository rule reads on the base (source code, styles, images, fonts, media, archives): the
 * base pass reads configuration (package.json, workflows, Dockerfiles, platform files), documents and,
 * for secrets, the files the change touched. A repository rule that reads source files on the base
 * must read them through `changedOnly`, or the base's work tree must keep them (see `wanted` above).
 */
const SOURCE_OR_ASSET = /\.(?:[cm]?[jt]sx?|vue|svelte|astro|css|scss|sass|less|styl|py|rb|go|rs|java|kt|kts|scala|c|cc|cpp|h|hpp|cs|php|swift|m|mm|dart|ex|exs|erl|clj|sql|graphql|gql|proto|map|snap|png|jpe?g|gif|svg|ico|webp|avif|bmp|tiff?|woff2?|ttf|otf|eot|mp[34]|webm|mov|wav|ogg|pdf|zip|gz|tgz|bz2|xz|7z|jar|wasm|bin)$/i;

/**
 * The base's files a whole-tree scan needs to read (those that differ from the head), or undefined
 * when every file must be read: with scan-history (history is not per file), or when the change edits
 * what the secret scan of one file depends on (the gitleaks config, the compose files' local defaults).
 */
function changedOnly(settings: Settings, changed: ChangedFiles): string[] | undefined {
  if (settings.scanHistory) return undefined;
  const all = [...changed.added, ...changed.modified, ...changed.deleted, ...changed.renamed.flatMap((r) => [r.from, r.to])];
  // Compose files by name, more broadly than the scan's own test (a false match only costs a full scan);
  // not importing the scanner keeps it out of every run's start.
  if (all.some((path) => /(?:^|\/)(?:\.gitleaks(?:\.toml|ignore)|(?:docker-)?compose[^/]*\.ya?ml)$/.test(path))) return undefined;
  return [...changed.modified, ...changed.deleted, ...changed.renamed.map((r) => r.from)];
}

/** The diff's files as the working directory names them (`../` for those above it). */
function changedFiles(diff: RepoDiff, prefix: string): ChangedFiles {
  const rel = (path: string) => (prefix ? posix.relative(prefix, path) : path);
  const out: ChangedFiles = { added: [], modified: [], deleted: [], renamed: [] };
  for (const f of diff.files) {
    if (f.status === 'renamed') out.renamed.push({ from: rel(f.from!), to: rel(f.path) });
    else out[f.status].push(rel(f.path));
  }
  return out;
}

/** Waivers and secret-scan allowlist entries the change adds itself. */
async function addedExceptions(settings: Settings, root: string, base: string, diff: RepoDiff): Promise<AddedException[]> {
  const out: AddedException[] = [];
  const configPath = relative(root, settings.configFile).split('\\').join('/');
  let before: Config['waivers'] = [];
  if (!configPath.startsWith('..')) {
    const text = await fileAt(root, base, configPath);
    if (text !== undefined) before = await parseConfig(text, configPath).then((c) => c.waivers, () => []);
  }
  const key = (w: Config['waivers'][number]) => `${w.rule}\u0000${w.reason}\u0000${w.until ?? ''}`;
  const known = new Set(before.map(key));
  for (const waiver of settings.config.waivers) {
    if (known.has(key(waiver))) continue;
    out.push({ kind: 'waiver', text: `waiver for ${waiver.rule}${waiver.until ? ` until ${waiver.until}` : ''}: "${waiver.reason}"`, file: configPath });
  }
  // A gitleaks config the change edits: one entry per file (its rules and allowlists apply as edited).
  const configs = new Map<string, number[]>();
  for (const line of diff.exceptionLines) {
    if (line.path.endsWith('.gitleaks.toml')) {
      const lines = configs.get(line.path) ?? [];
      if (lines.length === 0) configs.set(line.path, lines);
      lines.push(line.line);
    } else if (line.path.endsWith('.gitleaksignore')) {
      if (line.text && !line.text.startsWith('#')) out.push({ kind: 'allowlist', text: `fingerprint added to ${line.path}: ${line.text}`, file: line.path, line: line.line });
    } else out.push({ kind: 'allowlist', text: `gitleaks:allow at ${line.path}:${line.line}`, file: line.path, line: line.line });
  }
  for (const [path, lines] of configs) {
    out.push({ kind: 'allowlist', text: `${path} edited (${lines.length} line${lines.length === 1 ? '' : 's'} added from line ${lines[0]}): its rules and allowlists apply to the secret scan`, file: path, line: lines[0] });
  }
  return out;
}

/** A file's lines for the identity's snippet (engine/identity.ts), each file read once; large files are not. */
export function lineReader(dir: string): LineReader {
  const cache = new Map<string, Promise<readonly string[] | undefined>>();
  return (file) => {
    let lines = cache.get(file);
    if (!lines) {
      const path = join(dir, file);
      lines = stat(path)
        .then((s) => (s.isFile() && s.size <= 2 * 1024 * 1024 ? readFile(path, 'utf8').then((t) => t.split(/\r?\n/)) : undefined))
        .catch(() => undefined);
      cache.set(file, lines);
    }
    return lines;
  };
}

/** Every finding's identity, written on it (`identity`); the parts are returned for the comparison. */
export async function assignIdentities(rules: RuleReport[], read: LineReader): Promise<Map<string, IdentityParts[]>> {
  const parts = new Map<string, IdentityParts[]>();
  for (const rule of rules) {
    const list = await identityParts(rule.id, rule.findings, read);
    rule.findings = rule.findings.map((f, i) => ({ ...f, identity: identityHash(list[i]!) }));
    parts.set(rule.id, list);
  }
  return parts;
}

const LOUDNESS: Record<Finding['level'], number> = { notice: 0, warning: 1, error: 2 };
const ruleLevel = (rule: RuleReport): Finding['level'] => (rule.status === 'fail' ? 'error' : rule.status === 'warn' ? 'warning' : 'notice');
/** A finding as loud as the reporters show it: never louder than its rule. */
const effective = (rule: RuleReport, f: Finding): Finding['level'] => (LOUDNESS[f.level] <= LOUDNESS[ruleLevel(rule)] ? f.level : ruleLevel(rule));

/** A failing or warning rule with no finding at its level stands for itself in the comparison. */
function ruleItem(rule: RuleReport): Item | undefined {
  const level = ruleLevel(rule);
  if (level === 'notice' || rule.findings.some((f) => LOUDNESS[f.level] >= LOUDNESS[level])) return undefined;
  return { parts: { rule: rule.id, path: '', subject: 'rule', secret: '', snippet: '', ordinal: 0 }, level };
}

export interface ComparisonInput {
  settings: Settings;
  plan: BaselinePlan;
  head: RuleReport[];
  headParts: Map<string, IdentityParts[]>;
  /** The base pass's results, by rule id (undefined when there was no base pass). */
  base?: Map<string, RuleReport>;
  /** How long the base pass's rules took (ms). */
  basePassMs?: number;
  /** Why the base pass could not run (its work tree could not be made): nothing is compared. */
  baseUnavailable?: { reason: string; fix: string };
  baseParts?: Map<string, IdentityParts[]>;
  /** Repository rules compared by the files the change touched (`compareBy: 'diff'`), not by a base pass. */
  diffCompared: ReadonlySet<string>;
}

/**
 * Sets each rule's `comparison` and each compared finding's `status` and `changedLine`; returns the
 * rules and the report's `baseline` (without `readyAll`, which buildReport fills in).
 */
export function compareWithBase(input: ComparisonInput): { rules: RuleReport[]; baseline?: BaselineReport } {
  const { settings, plan } = input;
  if (!plan.on || !plan.report) return { rules: input.head };
  const report: BaselineReport = { ...plan.report, counts: { new: 0, updated: 0, existing: 0, fixed: 0 }, durationMs: Math.round(plan.preparedMs + (input.basePassMs ?? 0)) };
  if (input.baseUnavailable) Object.assign(report, { made: false, reason: input.baseUnavailable.reason, fix: input.baseUnavailable.fix });
  const prepared = input.baseUnavailable ? undefined : plan.base;
  const renames = new Map((prepared?.changed.renamed ?? []).map((r) => [r.from, r.to]));
  const changed = prepared ? changedLines(prepared) : undefined;
  const listEnvironment = plan.prLike && settings.environmentOnPr === 'report';
  const count = (rule: RuleReport, level: Finding['level'], status: FindingStatus) => {
    if (LOUDNESS[level] >= LOUDNESS.warning && LOUDNESS[ruleLevel(rule)] >= LOUDNESS.warning) report.counts[status]++;
  };

  const rules = input.head.map((rule): RuleReport => {
    const strip = (f: Finding): Finding => {
      const { secretMatch: _secret, ...rest } = f;
      return rest;
    };
    const judged = (comparison: Omit<RuleComparison, 'fixed'> & { fixed?: Finding[] }, findings = rule.findings.map(strip)): RuleReport => ({
      ...rule,
      findings,
      comparison: { fixed: [], ...comparison },
    });
    // A repository rule that could not reach the environment at all (a database that did not answer).
    const environmentLike = rule.scope === 'environment' || (rule.scope === 'repository' && rule.unreachable !== undefined && rule.unreachable.component !== 'command' && !rule.unreachable.partial);
    if (rule.scope === 'command' || rule.scope === undefined) return judged({ verdict: 'full' });
    if (environmentLike) {
      return listEnvironment
        ? judged({ verdict: 'listed', note: `${rule.scope === 'environment' ? 'An environment rule' : 'It could not reach the environment'}: a change cannot have introduced this, so it does not block ${report.subject} (environment-on-pr: block makes it block).` })
        : judged({ verdict: 'full' });
    }
    if (didNotFinish(rule)) return judged({ verdict: 'full', note: 'The rule did not finish on the change, so nothing could be compared: it is judged as a whole.' });
    if (!prepared) {
      return settings.baselineUnavailable === 'warn'
        ? judged({ verdict: 'listed', note: `Not compared (${report.reason}): with baseline-unavailable: warn its findings do not block.` })
        : judged({ verdict: 'full', note: `Not compared (${report.reason}): every finding is judged.` });
    }

    const parts = input.headParts.get(rule.id) ?? [];
    const headItems: Item[] = rule.findings.map((f, i) => ({ parts: parts[i]!, level: f.level }));
    const headRule = ruleItem(rule);
    let statuses: FindingStatus[];
    let ruleStatus: FindingStatus | undefined;
    const fixed: Finding[] = [];
    if (input.diffCompared.has(rule.id)) {
      // By the files: a finding in a file the change added or edited (a migration it adds) is new.
      const touched = new Set([...prepared.changed.added, ...prepared.changed.modified, ...prepared.changed.deleted, ...prepared.changed.renamed.map((r) => r.to)]);
      statuses = rule.findings.map((f) => (f.file && touched.has(f.file) ? 'new' : 'existing'));
      ruleStatus = headRule ? 'existing' : undefined;
    } else {
      const base = input.base?.get(rule.id);
      if (!base || didNotFinish(base)) {
        return judged({ verdict: 'full', note: `The rule did not finish on the base${base ? ` (${base.summary})` : ''}, so nothing could be compared: it is judged as a whole.` });
      }
      const baseParts = input.baseParts?.get(rule.id) ?? [];
      let baseItems: Item[] = base.findings.map((f, i) => ({ parts: baseParts[i]!, level: f.level }));
      // A base pass that read only the files the change touched: every other file is the same on both
      // sides, and so are its findings (not those found in history, which are the change's own).
      const partial = base.data?.baseScan === 'changed-files';
      if (partial) {
        const touched = new Set([...prepared.changed.added, ...prepared.changed.modified, ...prepared.changed.renamed.map((r) => r.to)]);
        const same = rule.findings.flatMap((f, i) => (f.file && !f.inHistory && !touched.has(f.file) ? [headItems[i]!] : []));
        baseItems = [...baseItems, ...same];
      }
      const baseRule = partial ? undefined : ruleItem(base);
      const result = matchFindings(headRule ? [...headItems, headRule] : headItems, baseRule ? [...baseItems, baseRule] : baseItems, renames);
      statuses = result.status.slice(0, headItems.length);
      ruleStatus = headRule ? result.status[headItems.length] : undefined;
      // What the change fixed: the base's problems it no longer has (its notices are information).
      for (const i of result.fixed) {
        let f: Finding;
        if (i < base.findings.length) f = strip(base.findings[i]!);
        else if (baseRule && i === baseItems.length) f = { level: ruleLevel(base), message: base.summary };
        else continue; // a head finding carried over always matches itself
        // A partial base pass has no whole-rule status: a finding counts at its own level.
        if (LOUDNESS[partial ? f.level : effective(base, f)] < LOUDNESS.warning) continue;
        fixed.push(f);
        report.counts.fixed++;
      }
    }
    const findings = rule.findings.map((f, i): Finding => {
      const status = statuses[i]!;
      count(rule, f.level, status);
      const lines = f.file ? changed?.(f.file, f.line, f.endLine) : undefined;
      return { ...strip(f), status, ...(lines !== undefined ? { changedLine: lines } : {}) };
    });
    if (ruleStatus && headRule) count(rule, headRule.level, ruleStatus);
    return judged({ verdict: 'new', ...(ruleStatus ? { ruleStatus } : {}), fixed }, findings);
  });
  return { rules, baseline: report };
}

/** Whether a finding's lines are lines the change added or edited (undefined: the file is not in the diff). */
function changedLines(prepared: PreparedBase): (file: string, line?: number, endLine?: number) => boolean | undefined {
  const byPath = new Map(prepared.diff.files.map((f) => [f.path, f]));
  return (file, line, endLine) => {
    const path = posix.normalize(prepared.prefix ? `${prepared.prefix}/${file}` : file);
    const change = byPath.get(path);
    if (!change) return false;
    if (change.status === 'added') return true;
    if (change.status === 'deleted') return false;
    if (!line) return change.ranges.length > 0;
    const last = Math.max(line, endLine ?? line);
    return change.ranges.some(([a, b]) => a <= last && b >= line);
  };
}
