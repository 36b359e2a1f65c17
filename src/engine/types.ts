/**
 * The engine's vocabulary: what a rule is, what it returns, and the one report model that every
 * reporter reads. Nothing here does I/O.
 */
import type { Settings } from '../settings.js';
import type { Clients } from '../probes/clients.js';
import type { Component } from '../util/activity.js';
import type { SharedValues } from './shared.js';

export type Status = 'pass' | 'warn' | 'fail' | 'skip';

/** The guide's five parts, in catalog order. */
export const SECTIONS = ['config', 'gate', 'smoke', 'security', 'stripe'] as const;
export type Section = (typeof SECTIONS)[number];

export const SECTION_TITLES: Record<Section, string> = {
  config: '§1 Required configuration',
  gate: '§2 Build and migration gate',
  smoke: '§3 Production smoke checks',
  security: '§4 Security and operations',
  stripe: '§1/§5 Stripe live keys and post-deploy sync',
};

/** A place in the app's repository, relative to `working-directory`. */
export interface Location {
  file: string;
  line?: number;
  endLine?: number;
}

/**
 * One thing a rule noticed at a place in the repository. Findings with a file become annotations on
 * that file and line; `level` maps to error / warning / notice.
 */
export interface Finding {
  level: 'error' | 'warning' | 'notice';
  message: string;
  file?: string;
  line?: number;
  endLine?: number;
  /**
   * What the finding is about, as its rule names it: a variable and where it is set, a workflow
   * step's chain of commands, a script, a migration and a statement kind, a document. With the rule id
   * and the path it identifies the finding across commits (engine/identity.ts): no line number, no
   * volatile number (sizes, timings), never a secret. Findings without one are known by their message
   * with its numbers taken out.
   */
  key?: string;
  /**
   * In memory only: a keyed hash of the secret value the finding is about, with a key made for this
   * run (engine/identity.ts `secretMatch`). The comparison with the base matches secrets by it; no
   * reporter writes it, and the comparison drops it.
   */
  secretMatch?: string;
  /** Set by the comparison with the base (engine/compare.ts); absent when the run compared nothing. */
  status?: FindingStatus;
  /** With `status`: the finding is on a line the change added or edited (false: caused from elsewhere). */
  changedLine?: boolean;
  /** Stable identity (rule, path, key, snippet, ordinal), hex: SARIF fingerprints, the JSON report. */
  identity?: string;
  /** Found in a blob of git history, not in the file as checked out. */
  inHistory?: boolean;
}

/**
 * A finding against the base: `new` (not on the base), `updated` (the same subject at a higher level),
 * `existing` (on the base already, also moved, copied or in a renamed file).
 */
export type FindingStatus = 'new' | 'updated' | 'existing';

/**
 * What a rule looks at, which decides how a pull request is judged on it (README "On pull requests"):
 * `repository` (the files and history: compared with the base, only what the change introduces
 * blocks), `environment` (the live app, the production database, Stripe, the secret values: a change
 * cannot have introduced them; listed on pull requests) or `command` (install and build of the
 * change's code: always judged).
 */
export type Scope = 'repository' | 'environment' | 'command';

/**
 * A check that could not run because an outside component did not answer (engine/unavailable.ts).
 * The rule's summary then starts with `unreachable: <component>`, and the run's `unreachable` input
 * decides whether that fails or warns.
 */
export interface Unreachable {
  component: Component;
  /** What happened, naming the host or URL: "connection refused by db.acme.com:5432". */
  cause: string;
  /**
   * True when only part of the rule could not be checked (one page of several): the rest was judged,
   * and the status is the worse of the two.
   */
  partial?: boolean;
}

export interface RuleMeta {
  /** Stable public id, `<section>.<name>`. Never changes once released. */
  id: string;
  section: Section;
  /** Short title, as it appears in the summary tables. */
  title: string;
  /** The app document a person should read when the rule fails (relative to the app repo). */
  docs?: string;
  /** Ids of rules that must finish first (their results are visible in `ctx.results`). */
  after?: string[];
  /**
   * `probe` rules are bounded by `timeout-seconds` (with room for retries); `command` rules (the
   * build gate) by a long bound of their own. Default `probe`.
   */
  kind?: 'probe' | 'command';
  /** What the rule looks at (see `Scope`). Every registry entry declares it. */
  scope?: Scope;
  /**
   * How a `repository` rule is compared with the base: `base-pass` (default) runs it again on the base
   * and matches the findings; `diff` classifies its findings by the files the change added or edited
   * (migrations: a folder the change adds is new), with no second run.
   */
  compareBy?: 'base-pass' | 'diff';
}

/** What a rule's check returns. */
export interface Outcome {
  status: Status;
  /** One line: what was seen. Goes in the summary table and the console. */
  summary: string;
  /** Longer text (markdown allowed): evidence, the values seen (never secrets). */
  details?: string;
  /** What to do about it, when not passing. */
  fix?: string;
  findings?: Finding[];
  /** Small facts for machines (versions, counts, timings), in the JSON report. Never secrets; never read by other rules (see `RuleContext.shared`). */
  data?: Record<string, unknown>;
  /**
   * Set when the check could not run because an outside component did not answer (see
   * engine/unavailable.ts): the run's `unreachable` input decides whether that fails or warns.
   */
  unreachable?: Unreachable;
}

export interface RuleContext {
  settings: Settings;
  /** Lazily created clients (database, HTTP probe, Stripe …), closed by the runner at the end. */
  clients: Clients;
  /** Results of rules that already finished (the ones named in `after` are guaranteed). */
  results: ReadonlyMap<string, RuleReport>;
  /** Typed values earlier rules published for this one (engine/shared.ts): the only data that crosses rules. */
  shared: SharedValues;
  /** Aborted when the rule's time bound passes; long I/O should honour it. */
  signal: AbortSignal;
  /** Progress lines for the log (the action prints them, the CLI may hide them). */
  log: Logger;
  /** Set when the run compares with a base (pull requests): which pass this is, and what changed. */
  baseline?: BaselineContext;
}

/** What a rule may know of the comparison with the base (src/baseline.ts). */
export interface BaselineContext {
  /** `head`: the change as checked out; `base`: the base commit, in a temporary work tree. */
  pass: 'head' | 'base';
  /** The files the change adds, edits, deletes and renames (paths relative to the working directory). */
  diff: ChangedFiles;
  /**
   * Revisions for `git rev-list` of the history this pass scans for secrets beyond its tree: on the
   * head, the change's own commits (`HEAD ^<base>`), or all of HEAD's history with scan-history; on
   * the base, the base's history with scan-history, else none.
   */
  historyRevs?: string[];
  /** Why part of the change's history could not be searched (a shallow checkout), for the rule's details. */
  historyNote?: string;
  /**
   * On the base: the files that differ from the head (relative to the working directory). A rule that
   * reads every tracked file may read only these and say so with `data.baseScan: 'changed-files'`;
   * the comparison then takes the head's findings in every other file as the base's (the same content
   * gives the same findings). Unset when findings in one file depend on another the change edited.
   */
  changedOnly?: string[];
}

export interface ChangedFiles {
  added: string[];
  modified: string[];
  deleted: string[];
  /** Base path → head path. */
  renamed: Array<{ from: string; to: string }>;
}

export interface Logger {
  info(message: string): void;
  /** One line of a command's output (the action streams it to the log; the CLI only when verbose). */
  output(line: string): void;
  /** Collapsed group in the Actions log; returns when `fn` settles. */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

export interface Rule {
  meta: RuleMeta;
  check(ctx: RuleContext): Promise<Outcome>;
}

/** A registry entry (src/rules/index.ts): the meta, and the rule's code loaded on first use. */
export interface LazyRule {
  meta: RuleMeta;
  load(): Promise<Rule>;
}

/** What the runner and the selection take: a registry entry, or a rule already at hand (tests). */
export type AnyRule = Rule | LazyRule;

export interface Waiver {
  rule: string;
  reason: string;
  until?: string;
}

export interface RuleReport {
  id: string;
  section: Section;
  title: string;
  status: Status;
  summary: string;
  details?: string;
  fix?: string;
  durationMs: number;
  /** True when a valid waiver covers a non-passing status: the rule does not block. */
  waived: boolean;
  /** The waiver's reason (and expiry), or why a waiver no longer applies. */
  waiver?: { reason: string; until?: string; expired: boolean };
  locations: Location[];
  findings: Finding[];
  docs?: string;
  data?: Record<string, unknown>;
  /** The outside component that did not answer, when that is why the rule could not check (all or part). */
  unreachable?: Unreachable;
  /** The rule's scope (from its meta), for the JSON report and the comparison. */
  scope?: Scope;
  /** How the rule counts in a run that compared with a base; absent when the run compared nothing. */
  comparison?: RuleComparison;
}

/** A rule in a run that compared with a base. */
export interface RuleComparison {
  /**
   * `new`: only what the change introduced blocks (its findings carry a status); `listed`: shown, never
   * blocking (environment rules on a pull request; a repository rule whose base could not be read with
   * `baseline-unavailable: warn`); `full`: judged as a whole (command rules; a repository rule whose
   * base pass did not finish).
   */
  verdict: 'new' | 'listed' | 'full';
  /** Why a repository rule was not compared, one sentence. */
  note?: string;
  /**
   * Status of the rule's own result when it has no finding at its level (a failure without a file:
   * "no release tag"), matched with the base's like a finding.
   */
  ruleStatus?: FindingStatus;
  /** Findings of the base that the change no longer has. */
  fixed: Finding[];
}

export interface Counts {
  pass: number;
  warn: number;
  fail: number;
  skip: number;
}

/**
 * What `checks` selected. A run of a subset must say so wherever its verdict appears: "ready" then
 * means ready for the selected checks only.
 */
export interface Selection {
  /** The `checks` tokens as given (sections or rule ids). */
  checks: string[];
  /** Ids of the registry's rules that were not selected, in catalog order; empty when all ran. */
  notRun: string[];
}

export interface Report {
  schemaVersion: 1;
  tool: { name: string; version: string };
  target: { appUrl?: string };
  startedAt: string;
  durationMs: number;
  ready: boolean;
  failOn: 'fail' | 'warn';
  counts: Counts;
  rules: RuleReport[];
  /** Absent in models built by hand (tests): read as "every rule was selected". */
  selection?: Selection;
  /**
   * Why no rule ran: the configuration (an input, the env file, the config file, an output path) is
   * wrong. `rules` is then empty and `ready` false.
   */
  error?: { kind: 'configuration'; message: string };
  /** The comparison with a base (pull requests, merge queues, `baseline-ref`); absent when not asked. */
  baseline?: BaselineReport;
}

/** What the run compared with, and what came of it. */
export interface BaselineReport {
  /** `new-findings-only` as resolved for this event: `true` compares with a base. */
  newFindingsOnly: boolean;
  /** The base as people name it: `main`, `v1.6.0`, or a short commit id. */
  ref?: string;
  sha?: string;
  /** True when the base was analysed and the findings compared. */
  made: boolean;
  /** Why no comparison was made, and what to do (when `made` is false). */
  reason?: string;
  fix?: string;
  /** What the reader should know about the comparison (a head checkout compared with the merge base). */
  warnings: string[];
  /** What the change is called in text: `this PR`, `this merge group`, `this change`. */
  subject: string;
  /** Findings of compared rules: introduced, updated, already on the base, fixed by the change. */
  counts: { new: number; updated: number; existing: number; fixed: number };
  /** Waivers and secret-scan allowlist entries the change itself adds: called out at the top. */
  addedExceptions: AddedException[];
  /** The verdict without the comparison: every finding judged as in a full run. */
  readyAll: boolean;
  /** How long the base pass took (preparing the work tree, the rules), in milliseconds. */
  durationMs: number;
}

export interface AddedException {
  kind: 'waiver' | 'allowlist';
  /** `waiver for gate.no-db-push: "reason"`, `gitleaks:allow on .env.test:3`. */
  text: string;
  file?: string;
  line?: number;
}
