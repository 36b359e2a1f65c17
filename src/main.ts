/**
 * The action: inputs → settings → engine → reporters. The one place that calls `core.setFailed`.
 */
import * as core from '@actions/core';
import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { errorMessage, UsageError } from './errors.js';
import { blocks, rebaseReport } from './engine/report.js';
import type { Logger, Report } from './engine/types.js';
import { runGate } from './gate.js';
import { INPUTS, type RawInputs } from './inputs.js';
import { Redactor } from './redact.js';
import { buildAnnotations, buildOutputs, renderJson, renderSarif, renderSummary } from './report/index.js';
import { SECRET_VARIABLES, loadSettings, type Settings } from './settings.js';
import { publishCheckRun, publishComment } from './github.js';
import { VERSION } from './version.js';

/** Inputs as the runner passes them (`INPUT_<NAME>`); an absent one takes its default. */
export function readActionInputs(env: NodeJS.ProcessEnv): RawInputs {
  const inputs: RawInputs = {};
  for (const spec of INPUTS) {
    const value = env[`INPUT_${spec.name.replace(/ /g, '_').toUpperCase()}`];
    if (value !== undefined) inputs[spec.name] = value.trim();
  }
  return inputs;
}

export async function run(): Promise<void> {
  // Mask what is known to be secret before anything at all is printed, even an input error.
  let redactor = new Redactor([
    ...SECRET_VARIABLES.map((name) => process.env[name]),
    ...INPUTS.filter((i) => i.secret).map((i) => process.env[`INPUT_${i.name.toUpperCase()}`]),
  ]);
  for (const value of redactor.values) core.setSecret(value);
  try {
    const settings = await loadSettings({
      inputs: readActionInputs(process.env),
      env: process.env,
      cwd: process.env.GITHUB_WORKSPACE || process.cwd(),
    });
    redactor = new Redactor(settings.secrets);
    for (const value of redactor.values) core.setSecret(value);

    const log: Logger = {
      info: (message) => core.info(redactor.redact(message)),
      output: (line) => process.stdout.write(`${redactor.redact(line)}\n`),
      group: (name, fn) => core.group(redactor.redact(name), fn),
    };
    const report = await runGate(settings, {
      log,
      onRuleDone: (r) => core.info(redactor.redact(`${r.status.padEnd(4)} ${r.id}: ${r.summary}`)),
    });
    // Annotations, SARIF and links name files from the repository root, not the working directory.
    const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
    await publish(rebaseReport(report, relative(workspace, settings.workingDirectory)), settings, redactor);
    if (!report.ready) {
      const blocking = report.rules.filter((r) => blocks(r, settings.failOn));
      core.setFailed(redactor.redact(`Not ready to go live: ${blocking.map((r) => r.id).join(', ')} (see the job summary)`));
    }
  } catch (error) {
    const message = redactor.redact(errorMessage(error));
    core.setFailed(error instanceof UsageError ? message : `Production Readiness Gate stopped: ${message}`);
  }
}

async function publish(report: Report, settings: Settings, redactor: Redactor): Promise<void> {
  const runUrl = process.env.GITHUB_RUN_ID
    ? `${process.env.GITHUB_SERVER_URL ?? 'https://github.com'}/${process.env.GITHUB_REPOSITORY}/actions/runs/${process.env.GITHUB_RUN_ID}`
    : undefined;
  // Links to files and docs point at the commit that was checked: on a pull request its head commit
  // (GITHUB_SHA is then a merge commit that the PR page does not show).
  const sha = pullRequestHeadSha() ?? process.env.GITHUB_SHA;
  const docsBaseUrl =
    process.env.GITHUB_REPOSITORY && sha
      ? `${process.env.GITHUB_SERVER_URL ?? 'https://github.com'}/${process.env.GITHUB_REPOSITORY}/blob/${sha}/`
      : undefined;

  // Annotations first: they are what a person sees on the files of the PR.
  for (const a of buildAnnotations(report, { redactor })) {
    const props: core.AnnotationProperties = { title: a.title, file: a.file, startLine: a.startLine, endLine: a.endLine };
    if (a.level === 'error') core.error(a.message, props);
    else if (a.level === 'warning') core.warning(a.message, props);
    else core.notice(a.message, props);
  }

  if (settings.reportPath) await writeOut(settings.reportPath, renderJson(report, { redactor }), 'report-path');
  if (settings.sarifPath) {
    const sarif = renderSarif(report, { redactor, toolVersion: VERSION, docsBaseUrl, anchorFile: sarifAnchor(settings) });
    await writeOut(settings.sarifPath, sarif, 'sarif-path');
  }

  if (process.env.GITHUB_STEP_SUMMARY) {
    try {
      await core.summary.addRaw(renderSummary(report, { redactor, docsBaseUrl, runUrl })).write();
    } catch (error) {
      core.warning(`could not write the job summary: ${errorMessage(error)}`);
    }
  }

  for (const [name, value] of Object.entries(buildOutputs(report, { reportPath: settings.reportPath, sarifPath: settings.sarifPath }))) {
    core.setOutput(name, value);
  }

  const notes = await Promise.all([
    settings.prComment ? publishComment(report, { redactor, token: settings.githubToken, runUrl, blobBaseUrl: docsBaseUrl }) : undefined,
    publishCheckRun(report, { redactor, token: settings.githubToken, runUrl, blobBaseUrl: docsBaseUrl }),
  ]);
  for (const note of notes) {
    if (note?.level === 'warning') core.warning(redactor.redact(note.message));
    else if (note) core.info(redactor.redact(note.message));
  }
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

async function writeOut(path: string, text: string, input: string): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
  } catch (error) {
    // The verdict still stands; a report that cannot be written is a warning naming the input.
    core.warning(`${input}: cannot write ${path} (${errorMessage(error)})`);
  }
}
