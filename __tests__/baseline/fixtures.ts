/**
 * Pull requests as GitHub makes them, in real git repositories built when a test runs: an `origin`
 * with `main`, a PR branch and the merge commit GitHub would test (`refs/pull/7/merge`), and a
 * checkout of it as actions/checkout leaves it (the merge commit by default, the PR's head on request,
 * full or shallow), with the event payload the runner writes.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { Report } from '../../src/engine/types.js';
import { runGate } from '../../src/gate.js';
import { loadSettings, type Settings } from '../../src/settings.js';
import { silentLog } from '../helpers.js';

const run = promisify(execFile);

/** A file's content, or null to delete it. */
export type Files = Record<string, string | null>;

const ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Acme Dev',
  GIT_AUTHOR_EMAIL: 'dev@acme-saas.com',
  GIT_COMMITTER_NAME: 'Acme Dev',
  GIT_COMMITTER_EMAIL: 'dev@acme-saas.com',
  GIT_AUTHOR_DATE: '2025-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2025-01-01T00:00:00Z',
};

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', ['-c', 'commit.gpgsign=false', '-c', 'tag.gpgsign=false', '-c', 'core.hooksPath=/dev/null', '-c', 'protocol.file.allow=always', ...args], { cwd, env: ENV, maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim();
}

function write(dir: string, files: Files): void {
  for (const [path, content] of Object.entries(files)) {
    const target = join(dir, path);
    if (content === null) rmSync(target, { force: true });
    else {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content);
    }
  }
}

async function commit(dir: string, files: Files, message: string): Promise<string> {
  write(dir, files);
  await git(dir, 'add', '--all');
  await git(dir, 'commit', '--quiet', '--allow-empty', '--message', message);
  return git(dir, 'rev-parse', 'HEAD');
}

/** The app as it is on main: deploy workflow, scripts, a migration, the guide's documents. */
export const APP: Files = {
  'package.json': `${JSON.stringify({ name: 'acme-saas', private: true, scripts: { build: 'next build', 'db:migrate': 'prisma migrate deploy', 'setup:db': 'prisma db push' } }, null, 2)}\n`,
  '.github/workflows/deploy.yml': [
    'name: Deploy',
    'on:',
    '  push:',
    '    branches: [main]',
    'jobs:',
    '  deploy:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: actions/checkout@v5',
    '      - name: Migrate',
    '        run: npm run db:migrate',
    '',
  ].join('\n'),
  'prisma/migrations/20240101000000_init/migration.sql': 'CREATE TABLE "User" ("id" TEXT NOT NULL, "email" TEXT NOT NULL, CONSTRAINT "User_pkey" PRIMARY KEY ("id"));\n',
  'docs/deployment-guide.md': '# Deployment\n\n## Rollback\n\nRedeploy the previous tag.\n',
  'docs/billing-integration-guide.md': '# Billing\n',
  'docs/migration-operations-runbook.md': '# Migrations\n\n## Rolling back\n\nWrite a down migration.\n',
  'docs/release-checklist.md': '# Release\n',
  'docs/environment-commands-playbook.md': '# Commands\n',
  'src/index.ts': 'export const app = "acme";\n',
};

export interface PullRequestSpec {
  /** Files of main's first commit (default APP). */
  base?: Files;
  /** The PR's commits. */
  pr: Files[];
  /** Commits main gets after the PR branched. */
  mainAfter?: Files[];
  /** What the job checked out: the merge commit (actions/checkout's default) or the PR's head. */
  checkout?: 'merge' | 'head';
  /** A shallow clone of that depth (actions/checkout's default is 1). */
  depth?: number;
  /** A fork PR: the payload says the head is in another repository. */
  fork?: boolean;
  /** Tags on main's first commit. */
  tags?: string[];
}

export interface PullRequestFixture {
  /** The checkout: the working directory the gate runs in. */
  dir: string;
  origin: string;
  eventPath: string;
  /** The merge commit's first parent (what GitHub merges with), the PR's head, main's tip. */
  baseSha: string;
  headSha: string;
}

/** A temporary directory for a test file's fixtures, removed with `cleanup()`. */
export function fixtureRoot(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'prg-pr-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

let counter = 0;

export async function pullRequest(root: string, spec: PullRequestSpec): Promise<PullRequestFixture> {
  const name = `pr${++counter}`;
  const origin = join(root, `${name}-origin`);
  mkdirSync(origin, { recursive: true });
  await git(origin, 'init', '--quiet', '--initial-branch=main');
  await commit(origin, spec.base ?? APP, 'Initial');
  for (const tag of spec.tags ?? []) await git(origin, 'tag', '--annotate', tag, '--message', tag);
  await git(origin, 'checkout', '--quiet', '-b', 'feature');
  let headSha = '';
  for (const [i, files] of spec.pr.entries()) headSha = await commit(origin, files, `PR commit ${i + 1}`);
  await git(origin, 'checkout', '--quiet', 'main');
  for (const [i, files] of (spec.mainAfter ?? []).entries()) await commit(origin, files, `Main commit ${i + 1}`);
  const baseSha = await git(origin, 'rev-parse', 'main');
  // The merge commit GitHub tests a pull request with, under the ref GitHub gives it.
  await git(origin, 'checkout', '--quiet', '--detach', 'main');
  await git(origin, 'merge', '--quiet', '--no-ff', '--no-edit', 'feature');
  await git(origin, 'update-ref', 'refs/pull/7/merge', 'HEAD');
  await git(origin, 'update-ref', 'refs/pull/7/head', 'feature');
  await git(origin, 'checkout', '--quiet', 'main');

  // As actions/checkout does it: a new repository that fetches the one ref it checks out (with
  // fetch-depth: 0, every branch too), no tags.
  const dir = join(root, `${name}-checkout`);
  mkdirSync(dir);
  await git(dir, 'init', '--quiet');
  await git(dir, 'remote', 'add', 'origin', `file://${origin}`);
  const ref = spec.checkout === 'head' ? 'refs/pull/7/head' : 'refs/pull/7/merge';
  if (spec.depth) await git(dir, 'fetch', '--quiet', '--no-tags', `--depth=${spec.depth}`, 'origin', `+${ref}:refs/remotes/pull/7/checked-out`);
  else await git(dir, 'fetch', '--quiet', '--no-tags', 'origin', '+refs/heads/*:refs/remotes/origin/*', `+${ref}:refs/remotes/pull/7/checked-out`);
  await git(dir, 'checkout', '--quiet', '--detach', 'refs/remotes/pull/7/checked-out');

  const eventPath = join(root, `${name}-event.json`);
  writeFileSync(
    eventPath,
    JSON.stringify({
      action: 'synchronize',
      number: 7,
      pull_request: {
        number: 7,
        commits: spec.pr.length,
        base: { ref: 'main', sha: baseSha, repo: { full_name: 'acme/saas' } },
        head: { ref: 'feature', sha: headSha, repo: { full_name: spec.fork ? 'someone/saas' : 'acme/saas', fork: Boolean(spec.fork) } },
      },
      repository: { name: 'saas', full_name: 'acme/saas', owner: { login: 'acme' } },
    }),
  );
  return { dir, origin, eventPath, baseSha, headSha };
}

/** The repository rules, one environment rule (it reads only a variable) and nothing that runs a command. */
export const CHECKS = 'gate.no-db-push,gate.migration-safety,security.committed-secrets,security.workflow-secrets,security.docs,security.rollback,config.nextauth-debug';

export async function settingsIn(dir: string, options: { event?: string; eventPath?: string; inputs?: Record<string, string>; env?: Record<string, string> } = {}): Promise<Settings> {
  return loadSettings({
    inputs: { 'working-directory': dir, checks: CHECKS, 'install-command': '', 'build-command': '', 'pr-comment': 'false', 'github-token': '', ...options.inputs },
    env: { GITHUB_EVENT_NAME: options.event ?? 'pull_request', ...(options.eventPath ? { GITHUB_EVENT_PATH: options.eventPath } : {}), NEXTAUTH_DEBUG: 'true', ...options.env },
    cwd: dir,
  });
}

/** Runs the gate in process on a pull request fixture. */
export async function gateOn(fixture: Pick<PullRequestFixture, 'dir' | 'eventPath'>, options: Parameters<typeof settingsIn>[1] = {}): Promise<Report> {
  const settings = await settingsIn(fixture.dir, { eventPath: fixture.eventPath, ...options });
  return runGate(settings, { log: silentLog });
}

/** The findings of one rule with their status, as `status file message-start`. */
export function statuses(report: Report, rule: string): Array<{ status?: string; file?: string; message: string; changedLine?: boolean; level: string }> {
  return (report.rules.find((r) => r.id === rule)?.findings ?? []).map((f) => ({ status: f.status, file: f.file, message: f.message, changedLine: f.changedLine, level: f.level }));
}
