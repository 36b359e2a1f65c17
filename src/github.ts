/**
 * The pull-request comment: one comment per PR, found again by its hidden marker and updated in
 * place. A missing token or permission is a warning for the log, never a failure of the gate.
 */
import { errorMessage } from './errors.js';
import type { Report } from './engine/types.js';
import type { Redactor } from './redact.js';
import { COMMENT_MARKER, renderComment } from './report/index.js';

export interface CommentOptions {
  redactor: Redactor;
  token?: string;
  runUrl?: string;
}

/** Returns a warning to log, or undefined when the comment was written or nothing was to be done. */
export async function publishComment(report: Report, options: CommentOptions): Promise<string | undefined> {
  const github = await import('@actions/github');
  const { context } = github;
  const pr = context.payload.pull_request;
  if (!pr) return undefined;
  if (!options.token) return 'pr-comment: no github-token, so no PR comment was written';
  const body = renderComment(report, { redactor: options.redactor, runUrl: options.runUrl });
  try {
    const octokit = github.getOctokit(options.token);
    const { owner, repo } = context.repo;
    const comments = await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: pr.number, per_page: 100 });
    const mine = comments.find((c) => c.body?.includes(COMMENT_MARKER));
    if (mine) await octokit.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body });
    else await octokit.rest.issues.createComment({ owner, repo, issue_number: pr.number, body });
    return undefined;
  } catch (error) {
    const status = (error as { status?: number }).status;
    const hint = status === 403 || status === 404 ? ' (give the job `permissions: pull-requests: write`, or set pr-comment: false)' : '';
    return `pr-comment: could not write the PR comment: ${errorMessage(error)}${hint}`;
  }
}
