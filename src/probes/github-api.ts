/**
 * Read-only GitHub REST calls a rule makes with the run's `github-token`: the repository's open pull
 * requests, and whether one has been reviewed or commented on by a person. Through the run's bounded
 * HTTP client; the API base is `GITHUB_API_URL` (GitHub Enterprise Server) as Actions sets it.
 */
import { HttpClient } from './http.js';
import { USER_AGENT } from './http.js';

export interface GitHubApi {
  /** `https://api.github.com` or the Enterprise Server's `/api/v3` base. */
  base: string;
  /** `owner/name`. */
  repository: string;
  token: string;
}

/** GitHub answered with a status that is not the data (401, 403, 404, …). */
export class GitHubAnswerError extends Error {
  override name = 'GitHubAnswerError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface OpenPullRequest {
  number: number;
  title: string;
  url: string;
  author: string;
  branch: string;
  createdAt: string;
}

async function get(http: HttpClient, api: GitHubApi, path: string, signal?: AbortSignal): Promise<unknown> {
  const url = `${api.base.replace(/\/+$/, '')}${path}`;
  const response = await http.request(
    { url, component: 'GitHub', headers: { authorization: `Bearer ${api.token}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', 'user-agent': USER_AGENT } },
    signal,
  );
  if (response.status !== 200) throw new GitHubAnswerError(response.status, `GET ${path} answered HTTP ${response.status}`);
  return JSON.parse(response.body) as unknown;
}

/** The open pull requests (the 100 most recently created; `more` when there are others). */
export async function openPullRequests(http: HttpClient, api: GitHubApi, signal?: AbortSignal): Promise<{ pulls: OpenPullRequest[]; more: boolean }> {
  const body = await get(http, api, `/repos/${api.repository}/pulls?state=open&per_page=100&sort=created&direction=desc`, signal);
  const list = Array.isArray(body) ? body : [];
  const pulls = list.map((pr: { number: number; title?: string; html_url?: string; user?: { login?: string }; head?: { ref?: string }; created_at?: string }) => ({
    number: pr.number,
    title: pr.title ?? '',
    url: pr.html_url ?? '',
    author: pr.user?.login ?? '',
    branch: pr.head?.ref ?? '',
    createdAt: pr.created_at ?? '',
  }));
  return { pulls, more: list.length === 100 };
}

/** Whether a person reviewed the pull request, or commented on it (a deferral with its reason). */
export async function handledByPerson(http: HttpClient, api: GitHubApi, number: number, signal?: AbortSignal): Promise<{ reviewed: boolean; commented: boolean }> {
  const isPerson = (u: { type?: string; login?: string } | undefined) => !!u && u.type !== 'Bot' && !/\[bot\]$/.test(u.login ?? '');
  const [reviews, comments] = await Promise.all([
    get(http, api, `/repos/${api.repository}/pulls/${number}/reviews?per_page=100`, signal),
    get(http, api, `/repos/${api.repository}/issues/${number}/comments?per_page=100`, signal),
  ]);
  return {
    reviewed: Array.isArray(reviews) && reviews.some((r: { user?: { type?: string; login?: string } }) => isPerson(r.user)),
    commented: Array.isArray(comments) && comments.some((c: { user?: { type?: string; login?: string } }) => isPerson(c.user)),
  };
}
