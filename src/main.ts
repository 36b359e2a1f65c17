/**
 * The action: inputs → settings → engine → reporters. The one place that calls `core.setFailed`.
 *
 * Two promises are kept here whatever happens:
 * - nothing the gate prints can act as a workflow command: every line of text it prints goes through
 *   `say` (workflow-text.ts); annotations, groups, masks and the failure go through @actions/core,
 *   which escapes their data;
 * - the report is always written: rules that finished are reported even when the run stops early (a
 *   bug, the job cancelled with SIGINT/SIGTERM, an event loop that empties before the run settles),
 *   the others as not finished, with the summary, outputs and JSON report, and the step fails.
 */
import * as core from '@actions/core';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { errorMessage, UsageError } from './errors.js';
import { blocks, rebaseReport } from './engine/report.js';
import type { Logger, Report, RuleReport } from './engine/types.js';
import { configurationErrorReport, partialReport, runGate, validateSelection } from './gate.js';
import { INPUTS, type RawInputs } from './inputs.js';
import { checkOutputTargets, writeRegularFile, type OutputTargets } from './output-files.js';
import { Redactor } from './redact.js';
import { buildAnnotations, buildOutputs, renderComment, renderJson, renderSarif, renderSummary } from './report/index.js';
import { loadSettings, outputPaths, type Settings } from './settings.js';
import { readEvent } from './baseline.js';
import { SECRET_VARIABLES } from './target-app.js';
import { VERSION } from './version.js';
import { workflowSafeLines } from './workflow-text.js';

/** Inputs as the runner passes them (`INPUT_<NAME>`); an absent one takes its default. */
export function readActionInputs(env: NodeJS.ProcessEnv): RawInputs {
  const inputs: RawInputs = {};
  for (const spec of INPUTS) {
    const value = env[`INPUT_${spec.name.replace(/ /g, '_').toUpperCase()}`];
    if (value !== undefined) inputs[spec.name] = value.trim();
  }
  return inputs;
}

/** How long publishing to GitHub (PR comment, check run) may take before the step goes on without it. */
const PUBLISH_BOUND_MS = 30_000;

export async function run(): Promise<void> {
  // Mask what is known to be secret before anything at all is printed, even an input error.
  let redactor = new Redactor([
    ...SECRET_VARIABLES.map((name) => process.env[name]),
    ...INPUTS.filter((i) => i.secret).map((i) => process.env[`INPUT_${i.name.toUpperCase()}`]),
  ]);
  for (const value of redactor.values) core.setSecret(value);
  /** Every line of text the gate prints: redacted, split, never a workflow command. */
  const say = (text: string) => {
    for (const line of workflowSafeLines(redactor.redact(text))) core.info(line);
  };

  const started = new Date();
  const inputs = readActionInputs(process.env);
  const cwd = process.env.GITHUB_WORKSPACE || process.cwd();
  // Every file the run writes is checked before anything runs: a path it cannot write is a
  // configuration error now, not a hang or a lost report later.
  const targets = checkOutputTargets(outputPaths(inputs, process.env, cwd), process.env);
  let settings: Settings;
  try {
    if (targets.problems.length > 0) throw targets.problems[0];
    settings = await loadSettings({ inputs, env: process.env, cwd });
    validateSelection(settings);
  } catch (error) {
    configurationError(error, targets, redactor, started, say);
    return;
  }
  redactor = new Redactor(settings.secrets);
  for (const value of redactor.values) core.setSecret(value);

  const finished: RuleReport[] = [];
  const guard = new LastGuard((why) => {
    // Synchronous on purpose: it runs on a signal or an emptied event loop, with no time to wait.
    const report = partialReport(settings, finished, started, why);
    writeLocal(rebaseForGitHub(report, settings), settings, targets, redactor, say);
    failStep(report, settings, redactor, why);
  });

  const log: Logger = {
    info: say,
    // The user's own commands (install, migrate, build): as in a `run:` step, their lines are theirs.
    output: (line) => process.stdout.write(`${redactor.redact(line)}\n`),
    group: (name, fn) => core.group(redactor.redact(name), fn),
  };
  try {
    const report = await runGate(settings, {
      log,
      onRuleDone: (r) => {
        finished.push(r);
        say(`${r.status.padEnd(4)} ${r.id}: ${r.summary}`);
      },
    });
    if (!guard.take()) return;
    const rebased = rebaseForGitHub(report, settings);
    writeLocal(rebased, settings, targets, redactor, say);
    await publishToGitHub(rebased, settings, redactor, say);
    failStep(report, settings, redactor);
  } catch (error) {
    // A bug in the gate: what finished is still reported, the rest is marked as not finished.
    if (!guard.take()) return;
    const why = `the gate stopped on an unexpected error: ${errorMessage(error)}`;
    const report = partialReport(settings, finished, started, why);
    writeLocal(rebaseForGitHub(report, settings), settings, targets, redactor, say);
    failStep(report, settings, redactor, why);
  } finally {
    guard.release();
  }
}

/**
 * A mistake in what the user gave (an input, the env file, the config file, a path the run cannot
 * write): no rule runs. The JSON report and SARIF (when asked and writable) still hold the error, the
 * summary and the failure name it, and the step ends with exit code 2, as the command line does.
 */
function configurationError(error: unknown, targets: OutputTargets, redactor: Redactor, started: Date, say: (text: string) => void): void {
  const message = redactor.redact(errorMessage(error));
  const usage = error instanceof UsageError;
  const report = configurationErrorReport(message, started);
  const written = writeReportFiles(report, targets, redactor, undefined);
  if (targets.summaryPath) {
    try {
      writeRegularFile(targets.summaryPath, `## ❌ Production readiness: configuration error\n\n${escapeMarkdown(message)}\n`, 'append');
    } catch {
      // The failure below says it all.
    }
  }
  setOutputs({ ready: 'false', 'report-path': written.reportPath ?? '', 'sarif-path': written.sarifPath ?? '' }, targets);
  if (written.reportPath) say(`JSON report: ${written.reportPath}`);
  core.setFailed(usage ? `configuration error: ${message}` : `Production Readiness Gate stopped: ${message}`);
  process.exitCode = 2;
}

/**
 * The last guard: runs its `finish` once if the run ends any other way than through `run()`'s own
 * path — SIGINT or SIGTERM (a cancelled or timed-out job), an uncaught error, or an event loop that
 * empties while the run still awaits something (which would end the process with exit code 13).
 */
class LastGuard {
  private done = false;
  private readonly handlers: Array<[string, (...args: unknown[]) => void]> = [];

  constructor(private readonly finish: (why: string) => void) {
    const on = (event: string, why: (arg: unknown) => string, exit: boolean) => {
      const handler = (arg: unknown) => {
        if (this.take()) {
          try {
            this.finish(why(arg));
          } catch {
            // Nothing more can be done; the exit code still says not ready.
          }
        }
        if (exit) process.exit(1);
      };
      process.on(event, handler);
      this.handlers.push([event, handler]);
    };
    on('SIGINT', () => 'the step was cancelled (SIGINT) before every rule finished', true);
    on('SIGTERM', () => 'the step was ended (SIGTERM) before every rule finished', true);
    on('uncaughtException', (error) => `the gate stopped on an unexpected error: ${errorMessage(error)}`, true);
    on('unhandledRejection', (error) => `the gate stopped on an unexpected error: ${errorMessage(error)}`, true);
    on('beforeExit', () => 'the run stopped waiting before every rule finished', false);
  }

  /** True the first time: the caller reports. False when the guard (or the run) already did. */
  take(): boolean {
    if (this.done) return false;
    this.done = true;
    return true;
  }

  release(): void {
    for (const [event, handler] of this.handlers) process.off(event, handler);
  }
}

/** Annotations, SARIF and links name files from the repository root, not the working directory. */
function rebaseForGitHub(report: Report, settings: Settings): Report {
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  return rebaseReport(report, relative(workspace, settings.workingDirectory));
}

function runLinks() {
  const server = process.env.GITHUB_SERVER_URL ?? 'https://github.com';
  const runUrl = process.env.GITHUB_RUN_ID ? `${server}/${process.env.GITHUB_REPOSITORY}/actions/runs/${process.env.GITHUB_RUN_ID}` : undefined;
  // Links to files and docs point at the commit that was checked: on a pull request its head commit
  // (GITHUB_SHA is then a merge commit that the PR page does not show).
  const sha = pullRequestHeadSha() ?? process.env.GITHUB_SHA;
  const docsBaseUrl = process.env.GITHUB_REPOSITORY && sha ? `${server}/${process.env.GITHUB_REPOSITORY}/blob/${sha}/` : undefined;
  return { runUrl, docsBaseUrl };
}

/**
 * Everything that stays on the runner: annotations, the JSON report, SARIF, the job summary and the
 * outputs. Synchronous, so the last guard can use it from a signal handler; each part is attempted
 * even when another fails.
 */
function writeLocal(report: Report, settings: Settings, targets: OutputTargets, redactor: Redactor, say: (text: string) => void): void {
  const { runUrl, docsBaseUrl } = runLinks();
  // Annotations first: they are what a person sees on the files of the PR.
  attempt('the annotations', redactor, () => {
    for (const a of buildAnnotations(report, { redactor })) {
      const props: core.AnnotationProperties = { title: a.title, file: a.file, startLine: a.startLine, endLine: a.endLine };
      if (a.level === 'error') core.error(a.message, props);
      else if (a.level === 'warning') core.warning(a.message, props);
      else core.notice(a.message, props);
    }
  });
  const written = writeReportFiles(report, targets, redactor, { docsBaseUrl, anchorFile: sarifAnchor(settings), category: settings.sarifCategory });
  if (targets.summaryPath) {
    attempt('the job summary', redactor, () => writeRegularFile(targets.summaryPath!, renderSummary(report, { redactor, docsBaseUrl, runUrl }), 'append'));
  }
  // An output names only a file that was written.
  setOutputs(buildOutputs(report, written), targets, redactor);
  if (written.reportPath) say(`JSON report: ${written.reportPath}`);
}

/** Runs one part of the writing; a failure is a warning, and the other parts are still attempted. */
function attempt(what: string, redactor: Redactor, fn: () => void): boolean {
  try {
    fn();
    return true;
  } catch (error) {
    core.warning(redactor.redact(`could not write ${what}: ${errorMessage(error)}`));
    return false;
  }
}

/** The JSON report and SARIF, at the paths that passed the check; returns those actually written. */
function writeReportFiles(report: Report, targets: OutputTargets, redactor: Redactor, sarif: { docsBaseUrl?: string; anchorFile?: string; category?: string } | undefined): { reportPath?: string; sarifPath?: string } {
  const written: { reportPath?: string; sarifPath?: string } = {};
  const { reportPath, sarifPath } = targets;
  if (reportPath && attempt(`the JSON report (report-path: ${reportPath})`, redactor, () => writeRegularFile(reportPath, renderJson(report, { redactor })))) written.reportPath = reportPath;
  if (sarifPath && attempt(`the SARIF file (sarif-path: ${sarifPath})`, redactor, () => writeRegularFile(sarifPath, renderSarif(report, { redactor, toolVersion: VERSION, ...sarif })))) written.sarifPath = sarifPath;
  return written;
}

/** The step's outputs, unless the runner's outputs file cannot be written (a warning says so once). */
function setOutputs(outputs: Record<string, string>, targets: OutputTargets, redactor?: Redactor): void {
  if (targets.outputsBroken) return;
  try {
    for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
  } catch (error) {
    core.warning(`could not write the outputs: ${redactor ? redactor.redact(errorMessage(error)) : errorMessage(error)}`);
  }
}

/** The PR comment and the check run: optional, bounded in time, never failing the step. */
async function publishToGitHub(report: Report, settings: Settings, redactor: Redactor, say: (text: string) => void): Promise<void> {
  const pullRequest = ['pull_request', 'pull_request_target'].includes(settings.eventName ?? '');
  if (!settings.githubToken && !(settings.prComment && pullRequest)) return;
  const { runUrl, docsBaseUrl } = runLinks();
  if (pullRequest && readEvent(settings.eventName, settings.eventPath).fork) return forkPullRequest(report, settings, redactor, say, runUrl, docsBaseUrl);
  // Loaded only here: a run without a token never pays for Octokit.
  const { publishCheckRun, publishComment } = await import('./github.js');
  const signal = AbortSignal.timeout(PUBLISH_BOUND_MS);
  const bounded = <T>(work: Promise<T>, what: string): Promise<T | { level: 'warning'; message: string }> =>
    Promise.race([
      work,
      new Promise<{ level: 'warning'; message: string }>((resolve) =>
        signal.addEventListener('abort', () => resolve({ level: 'warning', message: `${what}: GitHub did not answer within ${PUBLISH_BOUND_MS / 1000} s; skipped` }), { once: true }),
      ),
    ]);
  const notes = await Promise.all([
    settings.prComment ? bounded(publishComment(report, { redactor, token: settings.githubToken, runUrl, signal, blobBaseUrl: docsBaseUrl }), 'pr-comment') : undefined,
    bounded(publishCheckRun(report, { redactor, token: settings.githubToken, runUrl, signal, blobBaseUrl: docsBaseUrl }), 'check run'),
  ]);
  for (const note of notes) {
    if (note?.level === 'warning') core.warning(redactor.redact(note.message));
    else if (note) say(note.message);
  }
}

/**
 * A pull request from a fork runs with a read-only token: GitHub refuses its comment and check run.
 * It gets the summary and the annotations; the comment's text is written beside the JSON report, for
 * a `workflow_run` workflow to post with its own token (README "Pull requests from forks").
 */
function forkPullRequest(report: Report, settings: Settings, redactor: Redactor, say: (text: string) => void, runUrl?: string, blobBaseUrl?: string): void {
  let where = '';
  if (settings.prComment && settings.reportPath) {
    const path = join(dirname(settings.reportPath), 'production-readiness-comment.md');
    try {
      writeRegularFile(path, renderComment(report, { redactor, runUrl, blobBaseUrl }));
      where = `; its text is in ${path}, for a workflow_run workflow to post (README "Pull requests from forks")`;
    } catch (error) {
      core.warning(redactor.redact(`could not write the PR comment's text: ${errorMessage(error)}`));
    }
  }
  say(`pr-comment and check run: not written for a pull request from a fork (GitHub gives it a read-only token)${where}`);
}

function failStep(report: Report, settings: Settings, redactor: Redactor, why?: string): void {
  if (report.ready && !why) return;
  const blocking = report.rules.filter((r) => blocks(r, settings.failOn)).map((r) => r.id);
  const list = blocking.length ? `: ${blocking.join(', ')}` : '';
  core.setFailed(redactor.redact(`${why ? `${why}. ` : ''}Not ready to go live${list} (see the job summary)`));
}

/** The PR's head commit, from the event payload the runner wrote; undefined outside pull requests. */
function pullRequestHeadSha(): string | undefined {
  const path = process.env.GITHUB_EVENT_PATH;
  if (!path || !existsSync(path)) return undefined;
  try {
    const sha = (JSON.parse(readFileSync(path, 'utf8')) as { pull_request?: { head?: { sha?: unknown } } }).pull_request?.head?.sha;
    return typeof sha === 'string' && /^[0-9a-f]{40,64}$/i.test(sha) ? sha : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Code scanning rejects a SARIF file with a location-less result, so rule-level results point at a
 * file that exists: the config file, else the workflow file that ran the gate.
 */
function sarifAnchor(settings: Settings): string | undefined {
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  if (existsSync(settings.configFile)) return relative(workspace, settings.configFile);
  const workflow = /^[^/]+\/[^/]+\/(.+?)@/.exec(process.env.GITHUB_WORKFLOW_REF ?? '')?.[1];
  return workflow && existsSync(join(workspace, workflow)) ? workflow : undefined;
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]<>()#+!|]/g, (c) => `\\${c}`);
}
