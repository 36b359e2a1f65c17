/**
 * The action's inputs: one table shared by the action entry, the command line (each input is also a
 * `--flag`) and a test that keeps `action.yml` in step with it.
 */
export interface InputSpec {
  name: string;
  default: string;
  description: string;
  /** Holds a secret: registered with the runner's masker and the redactor. */
  secret?: boolean;
}

export const INPUTS: readonly InputSpec[] = [
  { name: 'checks', default: 'config,gate,smoke,security,stripe', description: 'Sections or single rule ids to run, comma or newline separated.' },
  { name: 'working-directory', default: '.', description: "The app's repository root." },
  { name: 'env-file', default: '', description: "A dotenv file with the app's variables; values already in the environment win." },
  { name: 'config-file', default: '.github/production-readiness.yml', description: 'Optional YAML config (paths, plans, smoke accounts, operations, waivers).' },
  { name: 'install-command', default: 'auto', description: "Install step of the build gate; `auto` runs the lockfile's own frozen install (npm ci, pnpm install --frozen-lockfile, yarn install --immutable, bun install --frozen-lockfile); an empty string skips it." },
  { name: 'migrate-command', default: 'npx prisma migrate deploy', description: 'Migration step of the build gate; an empty string skips it.' },
  {
    name: 'rehearsal-database-url',
    default: '',
    description:
      'A copy of the production database (a restored backup, a Neon/Supabase branch, a staging clone): gate.migration-safety runs migrate-command against it first and reports each migration\'s duration, locks and failure next to the prediction. Never the production database (refused).',
    secret: true,
  },
  { name: 'build-command', default: 'auto', description: "Build step of the build gate; `auto` runs the app's build-ci script, else its build script, with its package manager; an empty string skips it." },
  { name: 'migrate', default: 'auto', description: '`auto` runs the migrate command except on pull_request*/merge_group events; `true`; `false`.' },
  { name: 'stripe-sync', default: 'check', description: "`check`, or `if-missing`: call the app's Stripe sync endpoint when rows are missing, then check again." },
  { name: 'scan-history', default: 'false', description: 'Also scan every blob in git history for committed secrets.' },
  { name: 'resolve', default: '', description: "Lines `host:port:address`, like curl's --resolve: probe a new deployment before DNS points at it." },
  { name: 'ca-file', default: '', description: 'Extra PEM CA certificates to trust for HTTPS probes and the database.' },
  { name: 'min-cert-days', default: '14', description: 'Fail when the TLS certificate expires within this many days (warn under 30).' },
  { name: 'timeout-seconds', default: '20', description: 'Time bound of each probe; the whole probe phase is bounded too.' },
  { name: 'command-timeout-minutes', default: '30', description: 'Bound on each of install, migrate and build (decimals allowed); the process tree is ended when it passes.' },
  { name: 'unreachable', default: 'fail', description: 'What a needed check that could not run (database, Stripe or app unreachable or hanging) reports: `fail`, or `warn` for PR checks that cannot reach production.' },
  { name: 'fail-on', default: 'fail', description: '`fail`, or `warn` to also block on warnings.' },
  { name: 'new-findings-only', default: 'auto', description: '`auto`: on pull_request*/merge_group events (and with `baseline-ref`), only what the change introduces blocks; the rest is still shown. `true`; `false` judges everything.' },
  { name: 'baseline-ref', default: '', description: 'Branch, tag or commit to compare with, on any event (default: the base of the pull request or merge group).' },
  { name: 'baseline-unavailable', default: 'full', description: 'When the base cannot be read or analysed: `full` judges every finding and says why; `warn` lists the repository rules\' findings without blocking.' },
  { name: 'environment-on-pr', default: 'report', description: 'On pull requests, findings of the environment rules (live app, database, Stripe, secret values) are listed (`report`) or `block`.' },
  { name: 'report-path', default: '', description: 'Where to write the JSON report (default `$RUNNER_TEMP/production-readiness.json`).' },
  { name: 'sarif-path', default: '', description: 'When set, a SARIF 2.1.0 file for code scanning.' },
  { name: 'sarif-category', default: '', description: 'The SARIF run\'s code-scanning category: give a PR job and its push job the same one so code scanning shows the PR\'s new alerts (default: named after `checks`).' },
  { name: 'github-token', default: '${{ github.token }}', description: 'Token for the PR comment and check run.', secret: true },
  { name: 'pr-comment', default: 'true', description: 'On pull requests, keep one comment up to date with the verdict.' },
  { name: 'stripe-api-base', default: '', description: 'Stripe API base URL (stripe-mock, a proxy).' },
  { name: 'sentry-api-base', default: 'https://sentry.io', description: 'Sentry API base URL (self-hosted Sentry).' },
  { name: 'github-client-id', default: '', description: 'GitHub OAuth client id (GitHub refuses secrets named GITHUB_*).' },
  { name: 'github-client-secret', default: '', description: 'GitHub OAuth client secret.', secret: true },
];

export type RawInputs = Partial<Record<string, string>>;
