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
}

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
}
