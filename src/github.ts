/**
 * What the gate writes to GitHub besides the step's own log: the pull-request comment (one per PR,
 * found again by its hidden marker and updated in place) and a check run that carries every
 * annotation (a step shows only 10 per level; the Checks API takes 50 per request). A missing token
 * or permission never fails the gate: the caller logs what we return.
 */
import { errorMessage } from './errors.js';
import type { Report } from './engine/types.js';
import type { Redactor } from './redact.js';
import { buildAnnotations, COMMENT_MARKER, renderComment } from './report/index.js';
import { verdictText } from './report/common.js';
import { renderWithBudget } from './report/summary.js';

export interface PublishOptions {
  redactor: Redactor;
  token?: string;
  runUrl?: string;
  /** Ends every request when publishing has taken too long. */
  signal?: AbortSignal;
  /** Blob URL prefix of the commit that was checked (the PR's head commit on pull requests). */
  blobBaseUrl?: string;
}

/** A line for the log: `warning` for what a person should fix, `info` for an optional feature off. */
export interface PublishNote {
  level: 'warning' | 'info';
  message: string;
}

const CHECK_ANNOTATIONS_PER_REQUEST = 50;
/** The Checks API caps output.summary at 65,535 characters; a byte budget under it is safe for any text. */
const CHECK_SUMMARY_BYTES = 60_000;

async function github() {
  return import('@actions/github');
}

function permissionHint(error: unknown, permission: string, input: string): string {
  const status = (error as { status?: number }).status;
  return status === 403 || status === 404 ? ` (give the job \`permissions: ${permission}: write\`, or set ${input}: false)` : '';
}

/** The PR comment; nothing outside pull-request events. */
export async function publishComment(report: Report, options: PublishOptions): Promise<PublishNote | undefined> {
  const { context, getOctokit } = await github();
  const pr = context.payload.pull_request;
  if (!pr) return undefined;
  if (!options.token) return { level: 'warning', message: 'pr-comment: no github-token, so no PR comment was written' };
  const body = renderComment(report, { redactor: options.redactor, runUrl: options.runUrl, blobBaseUrl: options.blobBaseUrl });
  try {
    const octokit = getOctokit(options.token, { request: { signal: options.signal } });
    const { owner, repo } = context.repo;
    const comments = await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: pr.number, per_page: 100 });
    const mine = comments.find((c) => c.body?.includes(COMMENT_MARKER));
    if (mine) await octokit.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body });
    else await octokit.rest.issues.createComment({ owner, repo, issue_number: pr.number, body });
    return undefined;
  } catch (error) {
    return { level: 'warning', message: `pr-comment: could not write the PR comment: ${errorMessage(error)}${permissionHint(error, 'pull-requests', 'pr-comment')}` };
  }
}

/**
 * A completed check run on the commit, with every file annotation. Optional: without `checks: write`
 * the step's own annotations remain, so a refusal is only an info line.
 */
export async function publishCheckRun(report: Report, options: PublishOptions): Promise<PublishNote | undefined> {
  const { context, getOctokit } = await github();
  if (!options.token || !context.sha) return undefined;
  const annotations = buildAnnotations(report, { redactor: options.redactor, maxPerLevel: Infinity })
    .filter((a) => a.file && a.startLine)
    .map((a) => ({
      path: a.file!,
      start_line: a.startLine!,
      end_line: a.endLine ?? a.startLine!,
      annotation_level: a.level === 'error' ? ('failure' as const) : a.level === 'warning' ? ('warning' as const) : ('notice' as const),
      title: a.title,
      message: a.message,
    }));
  // The verdict as every other reporter words it: it follows fail-on (a run blocked by warnings says
  // so) and says when only part of the catalog was run. `report.ready` already follows fail-on.
  const title = options.redactor.redact(verdictText(report));
  const summary = renderWithBudget(report, { redactor: options.redactor, runUrl: options.runUrl, docsBaseUrl: options.blobBaseUrl }, CHECK_SUMMARY_BYTES);
  try {
    const octokit = getOctokit(options.token, { request: { signal: options.signal } });
    const { owner, repo } = context.repo;
    const head_sha = context.payload.pull_request?.head?.sha ?? context.sha;
    const batches = [];
    for (let i = 0; i < annotations.length; i += CHECK_ANNOTATIONS_PER_REQUEST) batches.push(annotations.slice(i, i + CHECK_ANNOTATIONS_PER_REQUEST));
    const output = (batch: typeof annotations) => ({ title, summary, annotations: batch });
    const created = await octokit.rest.checks.create({
      owner,
      repo,
      head_sha,
      name: 'Production readiness',
      status: 'completed',
      conclusion: report.ready ? 'success' : 'failure',
      details_url: options.runUrl,
      output: output(batches[0] ?? []),
    });
    for (const batch of batches.slice(1)) {
      await octokit.rest.checks.update({ owner, repo, check_run_id: created.data.id, output: output(batch) });
    }
    return undefined;
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 403 || status === 404) {
      return { level: 'info', message: 'check run: not written (the token may not write checks; give the job `permissions: checks: write` to get every annotation in one check run)' };
    }
    return { level: 'warning', message: `check run: could not be written: ${errorMessage(error)}` };
  }
}
