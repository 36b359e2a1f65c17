/**
 * §4 operations that no probe can prove: a backup policy with a tested restore (attested in the
 * config, never "verified"), a documented rollback with a release to roll back to, and the documents
 * the guide relies on.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Finding, Rule } from '../../engine/types.js';
import type { GitClient } from '../../probes/git.js';

const DAY_MS = 86_400_000;

/** The documents the guide links (its "Related Documents" and the playbook it names first). */
export const GUIDE_DOCS = [
  'docs/deployment-guide.md',
  'docs/billing-integration-guide.md',
  'docs/migration-operations-runbook.md',
  'docs/release-checklist.md',
  'docs/environment-commands-playbook.md',
];

export const backups: Rule = {
  meta: { id: 'security.backups', section: 'security', title: 'Backups and a tested restore are attested', docs: 'docs/deployment-guide.md' },
  async check({ settings }) {
    const attested = settings.config.operations?.backups;
    const example = 'operations:\n  backups:\n    last-restore-test: 2026-10-12\n    evidence: https://wiki.example.com/restore-test-2026-10\n    max-age-days: 90';
    if (!attested) {
      return {
        status: 'fail',
        summary: 'no backup policy is attested: the config has no operations.backups',
        details: 'The gate cannot see backups; it records what the team attests. Add to the config file:\n\n```yaml\n' + example + '\n```',
        fix: 'Test a restore of the production backup, write down the evidence, and attest it in the config file (operations.backups).',
      };
    }
    const tested = new Date(`${attested['last-restore-test']}T00:00:00Z`);
    const age = Math.floor((Date.now() - tested.getTime()) / DAY_MS);
    const limit = attested['max-age-days'];
    const data = { lastRestoreTest: attested['last-restore-test'], ageDays: age, maxAgeDays: limit, evidence: attested.evidence };
    if (age < 0) {
      return { status: 'fail', summary: `the attested restore test is dated in the future (${attested['last-restore-test']})`, fix: 'Fix operations.backups.last-restore-test: the date the restore test happened.', data };
    }
    if (age > limit) {
      return {
        status: 'fail',
        summary: `the attested restore test is ${age} days old (${attested['last-restore-test']}), older than max-age-days ${limit}`,
        fix: 'Run a restore test again (restore the latest backup into a scratch database and check it), then update operations.backups.',
        data,
      };
    }
    return {
      status: 'pass',
      summary: `attested: restore tested on ${attested['last-restore-test']} (${age} days ago, within ${limit}); evidence: ${attested.evidence}`,
      details: 'Attested by the team in the config file. The gate has not verified the backup itself.',
      data,
    };
  },
};

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

export const rollback: Rule = {
  meta: { id: 'security.rollback', section: 'security', title: 'Rollback is documented and possible', docs: 'docs/deployment-guide.md' },
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
      findings.push({ level: 'error', message: 'No "Rollback" heading: document how to roll back a release (app and database) here.', file: docs[0], line: 1 });
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
};

export const docs: Rule = {
  meta: { id: 'security.docs', section: 'security', title: "The guide's documents exist" },
  async check({ settings }) {
    const missing: string[] = [];
    await Promise.all(
      GUIDE_DOCS.map(async (doc) => {
        const text = await readFile(join(settings.workingDirectory, doc), 'utf8').catch(() => undefined);
        if (!text?.trim()) missing.push(doc);
      }),
    );
    missing.sort((a, b) => GUIDE_DOCS.indexOf(a) - GUIDE_DOCS.indexOf(b));
    if (missing.length === 0) return { status: 'pass', summary: `all ${GUIDE_DOCS.length} documents the guide relies on exist` };
    return {
      status: 'warn',
      summary: `${missing.length} of the guide's documents ${missing.length > 1 ? 'are' : 'is'} missing or empty: ${missing.join(', ')}`,
      findings: missing.map((doc) => ({ level: 'warning' as const, message: `${doc} is missing or empty: the production-readiness guide links it.` })),
      fix: 'Write the missing documents (or restore them): the people on call follow them when a release goes wrong.',
    };
  },
};
