/** security.rollback: rolling back is documented, and there is a release (a tag before HEAD) to roll back to. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Finding } from '../../engine/types.js';
import { defineRule } from '../index.js';
import type { GitClient } from '../../probes/git.js';

/** Markdown headings that name a rollback, with their line numbers. */
export function rollbackHeadings(markdown: string): number[] {
  const lines: number[] = [];
  markdown.split('\n').forEach((line, i) => {
    if (/^#{1,6}\s.*\broll(ing)?[\s-]?backs?\b/i.test(line)) lines.push(i + 1);
  });
  return lines;
}

/** A git command's output, or undefined when git fails (no repository, no git): the rule says what it lacks. */
function git(client: GitClient, args: string[], signal: AbortSignal): Promise<string | undefined> {
  return client.text(args, signal).catch(() => undefined);
}

export const rollback = defineRule({
  id: 'security.rollback',
  async check({ settings, clients, signal }) {
    const repo = settings.workingDirectory;
    const client = clients.git();
    const docs = settings.config.operations?.rollback?.docs ?? ['docs/deployment-guide.md', 'docs/migration-operations-runbook.md'];
    const documented: string[] = [];
    const findings: Finding[] = [];
    for (const doc of docs) {
      const text = await readFile(join(repo, doc), 'utf8').catch(() => undefined);
      const headings = text ? rollbackHeadings(text) : [];
      if (headings.length) documented.push(`${doc}:${headings[0]}`);
    }
    // A release to roll back to: a tag on a commit before HEAD (actions/checkout fetches no tags by default).
    const shallow = (await git(client, ['rev-parse', '--is-shallow-repository'], signal))?.trim() === 'true';
    const tags = (await git(client, ['tag', '--merged', 'HEAD', '--sort=-creatordate'], signal))?.split('\n').filter(Boolean) ?? [];
    const head = (await git(client, ['describe', '--tags', '--exact-match', 'HEAD'], signal))?.trim();
    const previous = tags.filter((t) => t !== head);
    const problems: string[] = [];
    let fix = '';
    if (documented.length === 0) {
      problems.push(`no rollback section in ${docs.join(' or ')}`);
      findings.push({ level: 'error', message: 'No "Rollback" heading: document how to roll back a release (app and database) here.', file: docs[0], line: 1, key: 'no-rollback-heading' });
      fix += `Add a "Rollback" section to ${docs[0]}: how to redeploy the previous release, and what to do about migrations it applied. `;
    }
    if (previous.length === 0) {
      if (shallow || tags.length === 0) {
        const why = shallow ? 'this checkout is shallow and has no tags' : 'the repository has no release tag';
        return {
          status: documented.length ? 'warn' : 'fail',
          summary: [...problems, `no previous release could be found: ${why}`].join('; '),
          details: documented.length ? `Rollback documented in ${documented.join(', ')}.` : undefined,
          fix: `${fix}${shallow ? 'Check out with `fetch-depth: 0` (or `fetch-tags: true`) so the gate sees release tags; ' : ''}tag each release (git tag v1.2.3) so there is one to roll back to.`,
          findings,
        };
      }
      problems.push('no release tag before HEAD to roll back to');
      fix += 'Tag each release (git tag v1.2.3) so there is a previous one to roll back to.';
    }
    if (problems.length) return { status: 'fail', summary: problems.join('; '), fix: fix.trim(), findings };
    return {
      status: 'pass',
      summary: `rollback documented (${documented.join(', ')}); previous release to roll back to: ${previous[0]}`,
      data: { previousRelease: previous[0], headRelease: head || undefined },
    };
  },
});
